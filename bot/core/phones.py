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


def normalise_staff_mobile(raw: str) -> str:
    """A member of staff's mobile as escalation texts need it: E.164, a UK or overseas mobile.

    Numbers that parse but are not allocated (Ofcom's drama range, used in demos and tests)
    are accepted here, and `cradle policy check` warns about them; a landline is refused,
    since it cannot receive a text.
    """
    e164 = normalise_mobile(raw, strict=False)
    number = phonenumbers.parse(e164)
    kind = phonenumbers.number_type(number)
    if phonenumbers.is_valid_number(number) and kind not in _TEXTABLE:
        raise PhoneNumberError(f"{raw!r} is not a mobile number: escalation texts need a mobile")
    return e164


_TEXTABLE = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def can_receive_texts(e164: str | None) -> bool:
    """Whether a stored number is a real, allocated mobile (not a placeholder or landline)."""
    if not e164:
        return False
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _TEXTABLE
