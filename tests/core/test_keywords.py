"""Carrier keywords: only the word alone, as Twilio itself reads it, opts a number out or in."""

from __future__ import annotations

import pytest

from bot.core.keywords import carrier_keyword


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("STOP", "opt_out"),
        ("stop", "opt_out"),
        ("  Stop.\n", "opt_out"),
        ("STOPALL", "opt_out"),
        ("Cancel!", "opt_out"),
        ("optout", "opt_out"),
        ("START", "opt_in"),
        ("Unstop", "opt_in"),
        ("yes", "opt_in"),
        ("HELP", "help"),
        ("info?", "help"),
    ],
)
def test_the_word_alone_is_a_keyword(body: str, keyword: str) -> None:
    assert carrier_keyword(body) == keyword


@pytest.mark.parametrize(
    "body",
    [
        "STOP please",
        "please cancel",
        "stop all",
        "opt out",
        "yes see you then",
        "s t o p",
        "",
        "🛑",
    ],
)
def test_a_keyword_inside_a_longer_message_is_none(body: str) -> None:
    assert carrier_keyword(body) is None
