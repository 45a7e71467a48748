"""Telegram in the shell: stored updates, linking chats, acknowledging by button, SMS fallback.

aiogram is imported only inside the functions that talk to Telegram, so that importing this
module (the web app does) stays fast.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.config import ConfigError
from bot.core.contact import why_not_contactable
from bot.core.first_contact import first_name
from bot.core.model import (
    ChannelName,
    InboundMessage,
    OutboxStatus,
    Parent,
    QueueKind,
    Role,
    Staff,
)
from bot.core.outbox import OutboxDraft
from bot.runtime import pipeline
from bot.store import audit, families, outbox, queue
from bot.store import escalations as escalation_store
from bot.store import staff as staff_store
from bot.store import telegram as store
from bot.store.outbox import OutboxRow
from bot.telegram import texts

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramTransport
    from bot.runtime.service import Service

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
PARENT_LINK_LIFETIME = timedelta(days=7)  # texted links are often opened days later
STAFF_CODE_LIFETIME = timedelta(minutes=30)
STAFF_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L: read out and typed
MAX_UPDATE_ATTEMPTS = 5
QUEUE_NOTICE_WINDOW = timedelta(hours=1)  # turning notices on never replays old items
# Texts that only make sense in the Telegram chat: nothing to resend by SMS.
CHAT_ONLY_PURPOSES = frozenset({"telegram_reply", "queue_notice"})
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramNotConfigured(Exception):
    def __init__(self) -> None:
        super().__init__("Telegram is not configured: set TELEGRAM_BOT_TOKEN")


class LinkRefused(Exception):
    """A link cannot be made or sent for this person; the message says why."""


def transport(service: Service) -> TelegramTransport:
    found = service.transports.get(ChannelName.TELEGRAM)
    if found is None:
        raise TelegramNotConfigured()
    return found  # type: ignore[return-value]


def _team(service: Service) -> str:
    return service.policies.team.sender_name


# Links -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParentLink:
    url: str
    expires_at: datetime


async def issue_parent_link(
    service: Service, parent_id: int, *, actor: str = "system"
) -> ParentLink:
    """A one-time deep link `https://t.me/<bot>?start=<token>` that binds a chat to this parent."""
    tg = transport(service)
    parent = await families.get_parent(service.db, parent_id)
    if parent is None:
        raise LookupError("parent")
    if parent.do_not_contact:
        raise LinkRefused("the parent is marked do not contact")
    username = await tg.username()
    token = secrets.token_urlsafe(32)  # 43 characters, inside Telegram's 64 for a start parameter
    now = service.now()
    expires_at = now + PARENT_LINK_LIFETIME
    async with service.db.transaction() as conn:
        await store.add_link(
            conn, token, parent_id=parent_id, created_by=actor, at=now, expires_at=expires_at
        )
        await audit.record(conn, now, actor, "telegram_link_created", "parent", parent_id)
    return ParentLink(f"https://t.me/{username}?start={token}", expires_at)


async def textable_parent(service: Service, parent_id: int) -> Parent:
    """The parent as reached by SMS, or LinkRefused saying why a link cannot be texted."""
    parent = await families.get_parent(service.db, parent_id)
    if parent is None:
        raise LookupError("parent")
    by_sms = replace(parent, channel=ChannelName.SMS, telegram_chat_id=None)
    reason = why_not_contactable(by_sms)
    if reason is not None:
        raise LinkRefused(f"cannot text this parent: {reason}")
    return by_sms


async def text_parent_link(
    service: Service, parent_id: int, url: str, *, actor: str = "system"
) -> int:
    """Send the link by SMS (template `telegram_link`); returns the outbox id."""
    by_sms = await textable_parent(service, parent_id)
    now = service.now()
    async with service.db.transaction() as conn:
        outbox_id = await pipeline.send_to_parent(
            service, conn, by_sms, "telegram_link", {"link": url}, now
        )
        await audit.record(conn, now, actor, "telegram_link_texted", "parent", parent_id)
    assert outbox_id is not None
    service.wake_outbox()
    return outbox_id


def normalise_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


async def create_staff_link_code(service: Service, staff_id: int, *, actor: str = "console") -> str:
    """A short one-time code the member of staff sends to the bot (`/link CODE`)."""
    transport(service)
    member = await staff_store.get(service.db, staff_id)
    if member is None or not member.active:
        raise LookupError("staff")
    raw = "".join(secrets.choice(STAFF_CODE_ALPHABET) for _ in range(8))
    now = service.now()
    async with service.db.transaction() as conn:
        await store.add_link(
            conn,
            raw,
            staff_id=staff_id,
            created_by=actor,
            at=now,
            expires_at=now + STAFF_CODE_LIFETIME,
        )
        await audit.record(conn, now, actor, "telegram_code_created", "staff", staff_id)
    return f"{raw[:4]}-{raw[4:]}"


async def staff_link_url(service: Service, code: str) -> str:
    """The same code as a tap-to-open link, for a console on the phone."""
    return f"https://t.me/{await transport(service).username()}?start={normalise_code(code)}"


# Updates ---------------------------------------------------------------------------------


async def store_update(service: Service, raw: dict[str, Any]) -> bool:
    """Keep the update durably before Telegram is answered; False for a repeat."""
    tg = transport(service)
    async with service.db.transaction() as conn:
        return await store.store_update(conn, tg.bot_id, int(raw["update_id"]), raw, service.now())


async def process_update(service: Service, update_id: int) -> bool:
    """Act on one stored update through the aiogram routers; True when it was acted on now."""
    from bot.telegram.dispatcher import feed

    tg = transport(service)
    stored = await store.pending_update(service.db, tg.bot_id, update_id)
    if stored is None:
        return False
    try:
        await feed(tg.bot, stored.body, service=service)
    except Exception as exc:
        log.exception("Telegram update %s could not be processed", update_id)
        await _count_failure(service, tg.bot_id, update_id, exc)
        return False
    async with service.db.transaction() as conn:
        await store.mark_update_processed(conn, tg.bot_id, update_id, service.now())
    return True


async def _count_failure(service: Service, bot_id: int, update_id: int, exc: Exception) -> None:
    now = service.now()
    async with service.db.transaction() as conn:
        attempts = await store.mark_update_failed(conn, bot_id, update_id, type(exc).__name__)
        if attempts < MAX_UPDATE_ATTEMPTS:
            return
        # Never dropped silently: the raw update is kept and a person is told.
        await store.mark_update_processed(conn, bot_id, update_id, now, error=type(exc).__name__)
        await queue.add(
            conn,
            kind=QueueKind.MESSAGE,
            audience="administrator",
            at=now,
            summary=f"a Telegram update could not be read (update {update_id}): see the log",
        )


async def process_pending_updates(service: Service, *, failed_only: bool = False) -> int:
    """Stored updates not yet acted on (after a crash, or that failed), oldest first.

    `failed_only` leaves alone the updates other requests may be acting on right now.
    """
    tg = transport(service)
    done = 0
    for update_id in await store.pending_update_ids(service.db, tg.bot_id, failed_only=failed_only):
        done += await process_update(service, update_id)
    return done


# What the routers call -------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """A Telegram message as Cradle keeps it: text, and what any attachment is."""

    body: str
    media: tuple[str, ...] = ()
    media_kind: str | None = None


async def _reply(
    service: Service,
    conn: aiosqlite.Connection,
    chat_id: int,
    update_id: int,
    text: str,
    now: datetime,
    *,
    parent_id: int | None = None,
    family_id: int | None = None,
) -> None:
    """Answer in the chat through the outbox: one answer per update, even if processed twice."""
    await outbox.enqueue(
        conn,
        OutboxDraft(
            channel=ChannelName.TELEGRAM,
            recipient=str(chat_id),
            purpose="telegram_reply",
            body=text,
            not_before=now,
            urgent=True,
            parent_id=parent_id,
            family_id=family_id,
            dedupe_key=f"telegram-reply:{transport(service).bot_id}:{update_id}",
        ),
        now,
    )


async def start(
    service: Service, *, chat_id: int, update_id: int, private: bool, argument: str | None
) -> None:
    """`/start` (or `/link`) with a token binds this chat; without one, it says hello."""
    now = service.now()
    team = _team(service)
    async with service.db.transaction() as conn:
        if not private:
            await _reply(service, conn, chat_id, update_id, texts.group_chat(), now)
        elif argument and argument.strip():
            await _use_link(service, conn, argument.strip(), chat_id, update_id, now)
        elif parent_ids := await store.prefer_telegram(conn, chat_id):
            await _reply(
                service,
                conn,
                chat_id,
                update_id,
                texts.already_linked(team),
                now,
                parent_id=parent_ids[0],
            )
        elif await store.staff_id_for_chat(conn, chat_id) is not None:
            await _reply(service, conn, chat_id, update_id, texts.staff_already_linked(), now)
        else:
            await _reply(service, conn, chat_id, update_id, texts.hello(team), now)
    service.wake_outbox()


def _usable(link: store.LinkToken, chat_id: int, now: datetime) -> bool:
    """Unused and unexpired, or used by this very chat (the same link tapped again)."""
    if link.used_at is not None:
        return link.chat_id == chat_id
    return link.expires_at > now


async def _use_link(
    service: Service,
    conn: aiosqlite.Connection,
    token: str,
    chat_id: int,
    update_id: int,
    now: datetime,
) -> None:
    team = _team(service)
    link = await store.find_link(conn, token) or await store.find_link(conn, normalise_code(token))
    parent = member = None
    if link is not None and _usable(link, chat_id, now):
        if link.parent_id is not None:
            parent = await store.parent(conn, link.parent_id)
        elif link.staff_id is not None:
            member = await staff_store.get(service.db, link.staff_id)
    if link and parent and parent.id is not None and not parent.do_not_contact:
        await store.use_link(conn, link.id, chat_id, now)
        await store.link_parent(conn, parent.id, chat_id)
        await audit.record(conn, now, "parent", "telegram_linked", "parent", parent.id)
        text = texts.parent_linked(first_name(parent.name), team)
        await _reply(
            service,
            conn,
            chat_id,
            update_id,
            text,
            now,
            parent_id=parent.id,
            family_id=parent.family_id,
        )
    elif link and member and member.id is not None and member.active:
        await store.use_link(conn, link.id, chat_id, now)
        await store.link_staff(conn, member.id, chat_id)
        await audit.record(conn, now, f"staff:{member.id}", "telegram_linked", "staff", member.id)
        await _reply(service, conn, chat_id, update_id, texts.staff_linked(), now)
    else:  # the same words whatever was wrong: a guessed token learns nothing
        await audit.record(conn, now, "telegram", "telegram_link_refused")
        await _reply(service, conn, chat_id, update_id, texts.link_refused(team), now)


async def stop(service: Service, *, chat_id: int, update_id: int) -> None:
    """`/stop` unlinks this chat: parents go back to SMS, staff stop getting alerts here."""
    now = service.now()
    team = _team(service)
    async with service.db.transaction() as conn:
        parent_ids = await store.unlink_parents(conn, chat_id)
        staff_id = await store.unlink_staff(conn, chat_id)
        for parent_id in parent_ids:
            await audit.record(conn, now, "parent", "telegram_unlinked", "parent", parent_id)
            await _move_queued_to_sms(service, conn, parent_id, now)
        if staff_id is not None:
            await audit.record(
                conn, now, f"staff:{staff_id}", "telegram_unlinked", "staff", staff_id
            )
        if parent_ids:
            text = texts.parent_stopped(team)
        elif staff_id is not None:
            text = texts.staff_stopped()
        else:
            text = texts.not_linked(team)
        await _reply(service, conn, chat_id, update_id, text, now)
    service.wake_outbox()


async def queue_notices(
    service: Service, *, chat_id: int, update_id: int, argument: str | None
) -> None:
    """`/messages on|off`: linked staff choose to hear of new items in their queue."""
    now = service.now()
    choice = (argument or "").strip().lower()
    async with service.db.transaction() as conn:
        staff_id = await store.staff_id_for_chat(conn, chat_id)
        if staff_id is None:
            text = texts.not_linked(_team(service))
        elif choice in ("on", "off"):
            await store.set_queue_notices(conn, staff_id, choice == "on")
            text = texts.queue_notices(choice == "on")
        else:
            text = texts.queue_notices_usage()
        await _reply(service, conn, chat_id, update_id, text, now)
    service.wake_outbox()


async def receive(
    service: Service,
    *,
    chat_id: int,
    update_id: int,
    private: bool,
    content: Content,
    sent_at: datetime,
) -> None:
    """A message in the bot's chat takes exactly the path of an SMS: stored, triaged, routed."""
    if not private:
        log.info("ignored a message from a group chat (update %s)", update_id)
        return
    staff_id = await store.staff_id_for_chat(service.db, chat_id)
    if staff_id is not None and not await store.parent_ids_for_chat(service.db, chat_id):
        now = service.now()
        async with service.db.transaction() as conn:
            text = texts.staff_chat_help(service.settings.public_url)
            await _reply(service, conn, chat_id, update_id, text, now)
        service.wake_outbox()
        return
    message = InboundMessage(
        channel=ChannelName.TELEGRAM,
        # update_id counts per bot: with the bot's id, a new bot's updates never look like repeats.
        external_id=f"{bot_id(service)}:{update_id}",
        sender=str(chat_id),
        body=content.body,
        received_at=min(sent_at, service.now()),
        media=content.media,
        media_kind=content.media_kind,
    )
    await pipeline.receive(service, message)


# Acknowledging from a button -------------------------------------------------------------

ACKNOWLEDGING_ROLES = frozenset({Role.DUTY_CLINICIAN, Role.CLINICAL_LEAD})


def may_acknowledge(member: Staff | None, notified: set[int]) -> bool:
    """The duty clinician, the clinical lead, or someone told about this escalation."""
    return (
        member is not None
        and member.active
        and member.id is not None
        and (member.role in ACKNOWLEDGING_ROLES or member.id in notified)
    )


@dataclass(frozen=True)
class Acknowledgement:
    done: bool
    text: str


async def acknowledge_from_chat(
    service: Service, escalation_id: int, user_id: int
) -> Acknowledgement:
    from bot.runtime import escalations

    staff_id = await store.staff_id_for_chat(service.db, user_id)
    member = await staff_store.get(service.db, staff_id) if staff_id is not None else None
    row = await escalation_store.get(service.db, escalation_id)
    notified = {
        n["staff_id"]
        for n in await escalation_store.notices(service.db, escalation_id)
        if n["staff_id"] is not None
    }
    if not may_acknowledge(member, notified):
        now = service.now()
        async with service.db.transaction() as conn:
            actor = f"staff:{member.id}" if member else "telegram"
            await audit.record(
                conn,
                now,
                actor,
                "escalation_acknowledge_refused",
                "escalation",
                escalation_id,
                via="telegram",
            )
        return Acknowledgement(False, texts.ACKNOWLEDGE_REFUSED)
    assert member is not None and member.id is not None
    if row is None:
        return Acknowledgement(False, texts.NOT_FOUND)
    if not await escalations.acknowledge(service, escalation_id, member.id, via="telegram"):
        return Acknowledgement(False, texts.ALREADY_ACKNOWLEDGED)
    return Acknowledgement(True, texts.ACKNOWLEDGED)


# Failures and notices --------------------------------------------------------------------


async def fall_back_to_sms(
    service: Service, conn: aiosqlite.Connection, row: OutboxRow, now: datetime
) -> bool:
    """Telegram refused the chat (blocked): mark it unreachable and send the same text by SMS.

    False when there is no way to text the person, so staff are told as for any failure.
    """
    if row.parent_id is not None:
        await store.mark_parent_unreachable(conn, row.parent_id, now)
        await audit.record(conn, now, "system", "telegram_unreachable", "parent", row.parent_id)
    elif row.staff_id is not None:
        await store.mark_staff_unreachable(conn, row.staff_id, now)
        await audit.record(conn, now, "system", "telegram_unreachable", "staff", row.staff_id)
    if row.purpose in CHAT_ONLY_PURPOSES:
        return True
    return await _resend_by_sms(service, conn, row, now)


async def _resend_by_sms(
    service: Service, conn: aiosqlite.Connection, row: OutboxRow, now: datetime
) -> bool:
    """The same text as a new SMS row; False when the person cannot be texted."""
    recipient: str | None = None
    if row.parent_id is not None:
        parent = await store.parent(conn, row.parent_id)
        if parent is not None and parent.mobile:
            by_sms = replace(parent, channel=ChannelName.SMS, telegram_chat_id=None)
            recipient = parent.mobile if why_not_contactable(by_sms) is None else None
    elif row.staff_id is not None:
        member = await staff_store.get(service.db, row.staff_id)
        recipient = member.mobile if member and member.active else None
    if recipient is None:
        return False
    if await store.same_text_queued(conn, ChannelName.SMS.value, recipient, row.body):
        return True  # the alert also went by SMS (the chain asks for both): once is enough
    await outbox.enqueue(
        conn,
        OutboxDraft(
            channel=ChannelName.SMS,
            recipient=recipient,
            purpose=row.purpose,
            body=row.body,
            not_before=max(now, row.not_before),
            parent_id=row.parent_id,
            staff_id=row.staff_id,
            family_id=row.family_id,
            appointment_id=row.appointment_id,
            template=row.template,
            locale=row.locale,
            urgent=row.urgent,
            dedupe_key=f"telegram-fallback:{row.id}",
            encoding=row.encoding,
            segments=row.segments,
        ),
        now,
    )
    return True


async def _move_queued_to_sms(
    service: Service, conn: aiosqlite.Connection, parent_id: int, now: datetime
) -> None:
    """Texts still waiting for a chat that was just unlinked go by SMS instead."""
    for outbox_id in await store.queued_on_telegram(conn, parent_id):
        row = await outbox.get(service.db, outbox_id)
        if row is None or row.purpose in CHAT_ONLY_PURPOSES:
            continue
        await outbox.mark_final(
            conn, outbox_id, OutboxStatus.WITHDRAWN, now, error="Telegram unlinked: sent by SMS"
        )
        await _resend_by_sms(service, conn, row, now)


async def remember_alert(
    conn: aiosqlite.Connection, outbox_id: int | None, escalation_id: int
) -> None:
    """An escalation alert queued for Telegram: it is sent with Acknowledge and Open buttons."""
    if outbox_id is not None:
        await store.remember_alert(conn, outbox_id, escalation_id)


async def announce_queue_items(service: Service, at: datetime) -> int:
    """Scheduler job: tell staff who asked (/messages on) of new items in their queue."""
    if ChannelName.TELEGRAM not in service.transports:
        return 0
    notices = await store.queue_items_to_announce(service.db, at - QUEUE_NOTICE_WINDOW, at)
    queued = 0
    async with service.db.transaction() as conn:
        for notice in notices:
            body = texts.queue_notice(
                notice.kind, notice.family_reference, service.settings.public_url
            )
            outbox_id = await outbox.enqueue(
                conn,
                OutboxDraft(
                    channel=ChannelName.TELEGRAM,
                    recipient=str(notice.chat_id),
                    purpose="queue_notice",
                    body=body,
                    not_before=at,
                    staff_id=notice.staff_id,
                    dedupe_key=f"telegram-queue:{notice.item_id}",
                ),
                at,
            )
            queued += outbox_id is not None
    return queued


# Webhook and polling ---------------------------------------------------------------------


def bot_id(service: Service) -> str:
    """The numeric id at the start of the bot token ("42:ABC" -> "42")."""
    return (service.settings.telegram_bot_token or "").split(":", 1)[0]


def webhook_url(service: Service) -> str:
    return service.settings.public_url.rstrip("/") + WEBHOOK_PATH


def webhook_secret(service: Service) -> str:
    """The configured secret, or a ConfigError that says what to set."""
    secret = service.settings.telegram_webhook_secret
    if not secret:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is set but CRADLE_TELEGRAM_WEBHOOK_SECRET is not: set a secret"
            " (letters, digits, _ and -), or run `cradle serve --polling` in development"
        )
    if not _SECRET_TOKEN.fullmatch(secret):
        raise ConfigError(
            "CRADLE_TELEGRAM_WEBHOOK_SECRET may hold only letters, digits, _ and -"
            " (1 to 256 of them), as Telegram requires"
        )
    return secret


async def register_webhook(service: Service) -> str:
    """Tell Telegram where to send updates, with the secret it must send back."""
    secret = webhook_secret(service)
    url = webhook_url(service)
    if not url.startswith("https://"):
        log.warning("Telegram only calls https:// webhooks: %s will not be called", url)
    await transport(service).bot.set_webhook(
        url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
    )
    return url


async def start_channel(service: Service, *, polling: bool) -> asyncio.Task[None] | None:
    """At `cradle serve`: register the webhook (or start polling) and act on updates left over."""
    if polling:
        await transport(service).bot.delete_webhook()
        return asyncio.create_task(poll(service), name="telegram-polling")
    webhook_secret(service)  # a missing secret stops the start: the webhook would refuse all
    try:
        url = await register_webhook(service)
        log.info("Telegram webhook registered at %s", url)
    except Exception:  # Telegram unreachable now: the webhook set before still stands
        log.exception("could not register the Telegram webhook")
    await process_pending_updates(service)
    return None


async def poll(service: Service, timeout: int = 25) -> None:
    """Development without a public URL: fetch updates, store each, then act, like the webhook."""
    from aiogram.exceptions import TelegramAPIError

    tg = transport(service)
    await process_pending_updates(service)
    offset: int | None = None
    while True:
        try:
            updates = await tg.bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
            )
        except TelegramAPIError as exc:
            if tg.closed:  # the service is stopping
                return
            log.warning("fetching Telegram updates failed (%s): trying again in 5 seconds", exc)
            await asyncio.sleep(5)
            continue
        for update in updates:
            raw = update.model_dump(mode="json", by_alias=True, exclude_none=True)
            await store_update(service, raw)
            await process_update(service, update.update_id)
            offset = update.update_id + 1  # only now is Telegram told it may forget the update
