"""Staff passwords: hashed with argon2, new ones checked against the password policy."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.core.password_policy import password_problem

_hasher = PasswordHasher()


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords, as shipped with zxcvbn (pinned in pyproject.toml)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def new_password_problem(password: str, *, name: str = "", email: str = "") -> str | None:
    """Why a password someone is choosing may not be used, or None."""
    return password_problem(password, common_passwords(), name=name, email=email)


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("a password cannot be empty")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
