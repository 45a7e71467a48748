"""What the bot says in its own chat: short, plain, never clinical."""

from __future__ import annotations


def parent_linked(first_name: str, team: str) -> str:
    greeting = f"Thank you, {first_name}." if first_name else "Thank you."
    return (
        f"{greeting} You are linked: messages from {team} will come here."
        " Send /stop at any time to get texts instead."
    )


def already_linked(team: str) -> str:
    return f"You are linked: messages from {team} come here. Send /stop to get texts instead."


def link_refused(team: str) -> str:
    return (
        f"Sorry, that link has expired or has already been used. Please ask {team} for a new one."
    )


def hello(team: str) -> str:
    return f"Hello. This is {team}. To get messages here, please tap the link {team} sent you."


def group_chat() -> str:
    return "Sorry, links only work in a private chat with this bot."


def parent_stopped(team: str) -> str:
    return (
        f"Done: messages from {team} will not come here any more."
        f" To use Telegram again, ask {team} for a new link."
    )


def not_linked(team: str) -> str:
    return f"This chat is not linked to anyone at {team}."


def staff_linked() -> str:
    return (
        "Linked: your Cradle alerts will come to this chat. Send /messages on to hear about"
        " new items in your queue too, and /stop to unlink."
    )


def staff_already_linked() -> str:
    return "This chat gets your Cradle alerts. Send /stop to unlink it."


def staff_stopped() -> str:
    return "Unlinked: Cradle alerts will not come to this chat any more."


def staff_chat_help(public_url: str) -> str:
    return (
        "This chat only carries Cradle alerts."
        f" Please reply to families in the console: {public_url}"
    )


def queue_notices(on: bool) -> str:
    if on:
        return "You will hear here when something new arrives in your Cradle queue."
    return "You will not hear here about new items in your queue (alerts still come)."


def queue_notices_usage() -> str:
    return "Send /messages on or /messages off."


def queue_notice(kind: str, family_reference: str | None, public_url: str) -> str:
    """No names and no message content: a phone can be read by someone else."""
    what = kind.replace("_", " ")
    where = f", family {family_reference}" if family_reference else ""
    return f"Cradle: new in your queue ({what}{where}). {public_url.rstrip('/')}/queue"


ACKNOWLEDGED = "Acknowledged. Thank you: please follow it up in the console."
ALREADY_ACKNOWLEDGED = "Someone has already acknowledged this one."
NOT_FOUND = "Sorry, Cradle cannot find that escalation."
ACKNOWLEDGE_REFUSED = (
    "Sorry, this chat is not linked to a member of staff who may acknowledge this."
    " Please use the console."
)
