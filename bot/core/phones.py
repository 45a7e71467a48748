"""UK mobile numbers, normalised to E.164 with phonenumbers."""

from __future__ import annotations

import phonenumbers


class PhoneNumberError(ValueError):
    pass


def normalise_mobile(raw: str, *, strict: bool = True) -> str:
    """'07700 900123' -> '+447700900123'.

    strict=False accepts numbers that parse but are not allocated (Ofcom's drama
    range 07700 900xxx, used in demos and tests).
    """
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise PhoneNumberError(f"{raw!r} is not a phone number") from None
    if strict and not phonenumbers.is_valid_number(number):
        raise PhoneNumberError(f"{raw!r} is not a valid phone number")
    if not strict and not phonenumbers.is_possible_number(number):
        raise PhoneNumberError(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def shown_number(e164: str | None) -> str:
    """'+447700900101' -> '07700 900101': a UK number as people write it; others as stored."""
    if not e164:
        return ""
    if not e164.startswith("+"):
        return e164  # a Telegram chat, or a number as typed
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code != 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
