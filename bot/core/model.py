"""The domain as plain dataclasses: team, staff, families, parents, messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    DUTY_CLINICIAN = "duty_clinician"
    CLINICAL_LEAD = "clinical_lead"
    ADMINISTRATOR = "administrator"


class ChannelName(StrEnum):
    SMS = "sms"
    TELEGRAM = "telegram"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"  # no longer wanted when its turn came (e.g. do-not-contact, cancelled)


FINAL_OUTBOX_STATUSES = frozenset(
    {OutboxStatus.DELIVERED, OutboxStatus.UNDELIVERED, OutboxStatus.FAILED, OutboxStatus.WITHDRAWN}
)


class Risk(StrEnum):
    NONE = "none"
    CONCERN = "concern"
    EMERGENCY = "emergency"


class Intent(StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    STOP = "stop"
    START = "start"
    HELP = "help"
    OTHER = "other"


class QueueKind(StrEnum):
    MESSAGE = "message"
    CANCELLATION = "cancellation"
    CHANGE_REQUEST = "change_request"
    REBOOKING = "rebooking"
    OPT_OUT = "opt_out"
    REFER_BACK = "refer_back"
    DELIVERY_FAILURE = "delivery_failure"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Team:
    name: str
    phone: str


@dataclass
class Staff:
    id: int | None
    name: str
    role: Role
    email: str | None = None
    mobile: str | None = None
    telegram_chat_id: int | None = None
    active: bool = True
    must_change_password: bool = False  # a password set by an administrator, not yet replaced


@dataclass
class Referrer:
    name: str = ""
    role: str = ""
    organisation: str = ""
    contact: str = ""


@dataclass
class Parent:
    id: int | None
    name: str
    relationship: str = "parent"
    mobile: str | None = None  # E.164
    telegram_chat_id: int | None = None
    language: str = "en_GB"
    channel: ChannelName = ChannelName.SMS
    wants_letters: bool = False
    prefers_phone_call: bool = False
    address: str = ""
    consent_to_text: bool = True
    do_not_contact: bool = False
    do_not_contact_reason: str = ""
    opted_out: bool = False
    family_id: int | None = None

    @property
    def needs_literacy_support(self) -> bool:
        return self.wants_letters or self.prefers_phone_call


@dataclass
class Family:
    id: int | None
    reference: str
    baby_name: str | None = None  # None before birth: shown as "Baby of <mother's name>"
    mother_name: str | None = None
    due_date: date | None = None
    birth_date: date | None = None
    practitioner_id: int | None = None
    referrer: Referrer = field(default_factory=Referrer)
    self_referral: bool = False
    status: str = "open"
    parents: list[Parent] = field(default_factory=list)

    @property
    def baby_display_name(self) -> str:
        if self.baby_name:
            return self.baby_name
        if self.mother_name:
            return f"Baby of {self.mother_name}"
        return "Baby"


@dataclass(frozen=True)
class InboundMessage:
    """One message from a parent, as every channel hands it to the pipeline."""

    channel: ChannelName
    external_id: str  # MessageSid, Telegram update_id, or the simulator's own id
    sender: str  # E.164 number or Telegram chat id, as text
    body: str
    received_at: datetime
    media: tuple[str, ...] = ()
    media_kind: str | None = None  # "voice note, 0:23", "photo", ...


@dataclass(frozen=True)
class OutboundText:
    """One text ready for a channel to deliver."""

    outbox_id: int
    channel: ChannelName
    recipient: str
    body: str


@dataclass(frozen=True)
class SendResult:
    """What a channel reports after trying to send."""

    ok: bool
    provider_id: str | None = None
    temporary: bool = False  # worth retrying
    error_code: str | None = None
    error: str | None = None
    retry_after: float | None = None
    delivered: bool = False  # the channel knows it reached the phone (no receipt will follow)
