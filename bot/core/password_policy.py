"""What makes a new password acceptable, after the NCSC's password guidance.

Length and a deny-list, nothing else: at least 12 characters, not a commonly used password
(or one with digits and symbols stuck on the end), not one character over and over, not
the person's own name or email. No rules about mixing upper case, digits and symbols:
they push people to predictable patterns and written-down passwords.
"""

from __future__ import annotations

from collections.abc import Collection

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 would take anything; a limit keeps the work per attempt bounded
_KEYBOARD_RUNS = ("1234567890", "qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz")


def _stripped(password: str) -> str:
    """The password without digits and symbols on its ends: 'Password123!' -> 'password'."""
    return password.lower().strip("0123456789!@#$%^&*()-_=+.,?~ ")


def _predictable(lowered: str) -> bool:
    if len(set(lowered)) <= 2:
        return True  # 'aaaaaaaaaaaa', 'abababababab'
    for run in _KEYBOARD_RUNS:
        for text in (run, run[::-1]):
            if lowered in text * 3:
                return True
    return False


def password_problem(
    password: str, common: Collection[str], *, name: str = "", email: str = ""
) -> str | None:
    """Why this password may not be used, in words for the person choosing it; None if it may."""
    if len(password) < MIN_LENGTH:
        return f"Choose a password of at least {MIN_LENGTH} characters (three random words work)"
    if len(password) > MAX_LENGTH:
        return f"Choose a password of {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in common or _stripped(password) in common or _predictable(lowered):
        return "That password is too commonly used: choose another (three random words work)"
    personal = {email.lower(), email.lower().split("@")[0], *name.lower().split()}
    if any(part and len(part) >= 4 and part in lowered for part in personal) or "cradle" in lowered:
        return "Choose a password that does not contain your name, your email or 'cradle'"
    return None
