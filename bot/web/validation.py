"""Turning API JSON into domain objects, with errors that name the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.model import ChannelName, Family, Parent, Referrer, Role
from bot.core.names import clean_name, clean_text
from bot.core.phones import PhoneNumberError, normalise_mobile
from bot.web.errors import ApiError

LANGUAGES = frozenset({"en_GB", "cy", "pl", "ur", "ro", "ar"})


def _unknown(data: dict, allowed: set[str], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise ApiError(422, f"unknown field {key!r}", f"{prefix}{key}")


def text(
    data: dict, key: str, prefix: str = "", *, required: bool = False, max_len: int = 200
) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ApiError(422, f"{key} is required", prefix + key)
        return ""
    if not isinstance(value, str):
        raise ApiError(422, f"{key} must be text", prefix + key)
    if len(value) > max_len:
        raise ApiError(422, f"{key} must be at most {max_len} characters", prefix + key)
    # Names are cleaned where they come in: no control or bidi characters reach a page or a text.
    cleaned = clean_name(value, max_len) if key.endswith("name") else clean_text(value)
    if required and not cleaned:
        raise ApiError(422, f"{key} is required", prefix + key)
    return cleaned


def flag(data: dict, key: str, default: bool, prefix: str = "") -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ApiError(422, f"{key} must be true or false", prefix + key)
    return value


def whole_number(data: dict, key: str, prefix: str = "", *, required: bool = False) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ApiError(422, f"{key} is required", prefix + key)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(422, f"{key} must be a whole number", prefix + key)
    return value


def a_date(data: dict, key: str, prefix: str = "") -> date | None:
    raw = data.get(key)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise ApiError(422, f"{key} must be a date like 2026-03-14", prefix + key) from None


def practitioner_from(data: dict) -> tuple[str, Role, str | None, str | None]:
    _unknown(data, {"name", "role", "email", "mobile"}, "")
    name = text(data, "name", required=True)
    role_raw = text(data, "role") or Role.PRACTITIONER.value
    try:
        role = Role(role_raw)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ApiError(422, f"role must be one of {roles}", "role") from None
    email = text(data, "email") or None
    mobile = text(data, "mobile") or None
    if mobile:
        try:
            mobile = normalise_mobile(mobile, strict=False)
        except PhoneNumberError as exc:
            raise ApiError(422, str(exc), "mobile") from None
    return name, role, email, mobile


PARENT_FIELDS = {
    "name",
    "relationship",
    "mobile",
    "telegram_chat_id",
    "language",
    "channel",
    "wants_letters",
    "prefers_phone_call",
    "address",
    "consent_to_text",
    "do_not_contact",
    "do_not_contact_reason",
}


def parent_from(data: Any, index: int) -> Parent:
    prefix = f"parents[{index}]."
    if not isinstance(data, dict):
        raise ApiError(422, "each parent must be an object", f"parents[{index}]")
    _unknown(data, PARENT_FIELDS, prefix)
    mobile = text(data, "mobile", prefix) or None
    if mobile:
        try:
            mobile = normalise_mobile(mobile, strict=False)
        except PhoneNumberError as exc:
            raise ApiError(422, str(exc), prefix + "mobile") from None
    language = text(data, "language", prefix) or "en_GB"
    if language not in LANGUAGES:
        raise ApiError(
            422, f"language must be one of {', '.join(sorted(LANGUAGES))}", prefix + "language"
        )
    channel_raw = text(data, "channel", prefix) or "sms"
    try:
        channel = ChannelName(channel_raw)
    except ValueError:
        raise ApiError(422, "channel must be sms or telegram", prefix + "channel") from None
    do_not_contact = flag(data, "do_not_contact", False, prefix)
    reason = text(data, "do_not_contact_reason", prefix, max_len=500)
    if do_not_contact and not reason:
        raise ApiError(
            422,
            "give a reason when a parent is not to be contacted",
            prefix + "do_not_contact_reason",
        )
    return Parent(
        id=None,
        name=text(data, "name", prefix, required=True),
        relationship=text(data, "relationship", prefix) or "parent",
        mobile=mobile,
        telegram_chat_id=whole_number(data, "telegram_chat_id", prefix),
        language=language,
        channel=channel,
        wants_letters=flag(data, "wants_letters", False, prefix),
        prefers_phone_call=flag(data, "prefers_phone_call", False, prefix),
        address=text(data, "address", prefix, max_len=500),
        consent_to_text=flag(data, "consent_to_text", True, prefix),
        do_not_contact=do_not_contact,
        do_not_contact_reason=reason,
    )


FAMILY_FIELDS = {
    "reference",
    "baby_name",
    "mother_name",
    "due_date",
    "birth_date",
    "referrer",
    "self_referral",
    "practitioner_id",
    "parents",
}


def family_from(data: dict) -> tuple[Family, int | None]:
    _unknown(data, FAMILY_FIELDS, "")
    parents_raw = data.get("parents")
    if not isinstance(parents_raw, list) or not parents_raw:
        raise ApiError(422, "a family needs at least one parent or carer", "parents")
    parents = [parent_from(p, i) for i, p in enumerate(parents_raw)]
    referrer_raw = data.get("referrer") or {}
    if not isinstance(referrer_raw, dict):
        raise ApiError(422, "referrer must be an object", "referrer")
    _unknown(referrer_raw, {"name", "role", "organisation", "contact"}, "referrer.")
    referrer = Referrer(
        text(referrer_raw, "name", "referrer."),
        text(referrer_raw, "role", "referrer."),
        text(referrer_raw, "organisation", "referrer."),
        text(referrer_raw, "contact", "referrer."),
    )
    family = Family(
        id=None,
        reference=text(data, "reference", required=True, max_len=40),
        baby_name=text(data, "baby_name") or None,
        mother_name=text(data, "mother_name") or None,
        due_date=a_date(data, "due_date"),
        birth_date=a_date(data, "birth_date"),
        referrer=referrer,
        self_referral=flag(data, "self_referral", False),
        parents=parents,
    )
    if family.baby_name is None and family.due_date is None and family.birth_date is None:
        raise ApiError(422, "give the baby's name, date of birth or expected due date", "due_date")
    return family, whole_number(data, "practitioner_id")
