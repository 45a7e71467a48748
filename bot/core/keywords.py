"""Carrier keywords: single words that Twilio itself treats as opt-out, opt-in or help."""

from __future__ import annotations

import re

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT"})
OPT_IN = frozenset({"START", "UNSTOP", "YES"})
HELP = frozenset({"HELP", "INFO"})


def _word(body: str) -> str:
    """The message as one keyword: surrounding spaces and punctuation dropped, case folded.

    A word inside a longer message is no keyword ("STOP PLEASE", "stop all" opt nobody out
    at Twilio), so spaces within are kept and the whole is compared.
    """
    return re.sub(r"^[\W_]+|[\W_]+$", "", body.strip()).upper()


def carrier_word(body: str) -> str:
    """The message as the carrier compares it to its keywords ("cancel." is "CANCEL")."""
    return _word(body)


def carrier_keyword(body: str, opt_out: frozenset[str] = OPT_OUT) -> str | None:
    """'opt_out', 'opt_in' or 'help' when the whole message is one such keyword, else None.

    `opt_out` is the words in force at the provider (Advanced Opt-Out can change them).
    YES re-subscribes only at the carrier when the sender had opted out; the caller decides.
    """
    word = _word(body)
    if word in opt_out:
        return "opt_out"
    if word in OPT_IN:
        return "opt_in"
    if word in HELP:
        return "help"
    return None
