"""New passwords after NCSC guidance: length and a deny-list, no composition rules."""

from __future__ import annotations

import pytest

from bot.passwords import common_passwords, new_password_problem


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaa",  # ten of one letter: the finding
        "aaaaaaaaaaaa",
        "abababababab",
        "short-pass",
        "qwertyuiopas",
        "123456789012",
        "password1234",  # a common password with digits stuck on
        "Dragon2024!!!!",
        "leavemealone",
        "sonyericsson",
        "amira-khan-2026",  # her own name
        "my cradle password",
    ],
)
def test_weak_or_personal_passwords_are_refused(password: str) -> None:
    assert new_password_problem(password, name="Amira Khan", email="amira@demo.cradle")


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "kettle-orchard-violin",
        "lowercaseonlyisfine",
        "Tŷ bach twt ar y bryn",
    ],
)
def test_long_uncommon_passwords_need_no_digits_or_symbols(password: str) -> None:
    assert new_password_problem(password, name="Amira Khan", email="amira@demo.cradle") is None


def test_the_deny_list_is_the_shipped_list_of_common_passwords() -> None:
    assert len(common_passwords()) >= 25_000
    assert "password" in common_passwords()


def test_the_reason_says_what_to_do() -> None:
    assert new_password_problem("short") == (
        "Choose a password of at least 12 characters (three random words work)"
    )
