"""First contact: when a family is allocated, a hello to every parent who may be texted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.contact import route_for, why_not_contactable
from bot.core.model import Family, Parent, Staff
from bot.core.outbox import OutboxDraft
from bot.core.wording import Wording


@dataclass(frozen=True)
class FirstContactPlan:
    drafts: list[OutboxDraft]
    skipped: list[tuple[Parent, str]]  # shown to the practitioner on the family's page


def first_name(name: str) -> str:
    return name.strip().split()[0] if name.strip() else name


def plan_first_contact(
    family: Family, practitioner: Staff, wording: Wording, send_at: datetime
) -> FirstContactPlan:
    """One first-contact text per contactable parent, sent on the practitioner's behalf."""
    drafts: list[OutboxDraft] = []
    skipped: list[tuple[Parent, str]] = []
    for parent in family.parents:
        reason = why_not_contactable(parent) or (
            "prefers phone calls instead of texts" if parent.calls_instead_of_texts else None
        )
        route = route_for(parent)
        if reason is not None or route is None:
            skipped.append((parent, reason or "no route"))
            continue
        rendered = wording.render(
            "first_contact",
            locale=parent.language,
            values={
                "parent_name": first_name(parent.name),
                "practitioner_name": first_name(practitioner.name),
            },
            easy_read=parent.needs_literacy_support,
        )
        channel, address = route
        drafts.append(
            OutboxDraft(
                channel=channel,
                recipient=address,
                purpose="first_contact",
                body=rendered.body,
                not_before=send_at,
                parent_id=parent.id,
                family_id=family.id,
                template="first_contact",
                locale=rendered.locale,
                on_behalf_of=practitioner.id,
                dedupe_key=f"first_contact:{family.id}:{parent.id}",
                encoding=rendered.encoding,
                segments=rendered.segments,
            )
        )
    return FirstContactPlan(drafts, skipped)
