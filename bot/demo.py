"""The demo team: staff, three families and what a newcomer needs to watch Cradle work."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

from bot.core.model import ChannelName, Family, Parent, Referrer, Role, Staff
from bot.core.policy import DailyWindow, Policies
from bot.runtime.families import allocate, create_family
from bot.runtime.service import Service
from bot.store import staff as staff_store

DEMO_PASSWORD = "cradle-demo"

STAFF = [
    Staff(None, "Amira Shah", Role.PRACTITIONER, "amira@demo.cradle", "+447700900001"),
    Staff(None, "Tom Evans", Role.PRACTITIONER, "tom@demo.cradle", "+447700900002"),
    Staff(None, "Grace Okafor", Role.DUTY_CLINICIAN, "grace@demo.cradle", "+447700900003"),
    Staff(None, "Helen Price", Role.CLINICAL_LEAD, "helen@demo.cradle", "+447700900004"),
    Staff(None, "Sam Patel", Role.ADMINISTRATOR, "sam@demo.cradle", "+447700900005"),
]


def demo_families(today: date) -> list[Family]:
    health_visitor = Referrer(
        "Jo Bright", "Health visitor", "Riverside Health Visiting", "01632 960001"
    )
    return [
        Family(
            None,
            "PIR-0001",
            mother_name="Chloe Martin",
            due_date=today + timedelta(days=40),
            referrer=Referrer("Priya Nair", "Midwife", "City Maternity", "01632 960002"),
            parents=[
                Parent(None, "Chloe Martin", "mother", "+447700900101"),
                Parent(None, "Dan Martin", "father", "+447700900102"),
            ],
        ),
        Family(
            None,
            "PIR-0002",
            baby_name="Ava",
            birth_date=today - timedelta(days=120),
            referrer=health_visitor,
            parents=[
                Parent(None, "Leah Jones", "mother", "+447700900201"),
                Parent(
                    None,
                    "Ryan Cole",
                    "father",
                    "+447700900202",
                    do_not_contact=True,
                    do_not_contact_reason="safeguarding: agreed with social worker",
                ),
            ],
        ),
        Family(
            None,
            "PIR-0003",
            baby_name="Zofia",
            birth_date=today - timedelta(days=200),
            referrer=health_visitor,
            parents=[
                Parent(
                    None,
                    "Kasia Nowak",
                    "mother",
                    "+447700900301",
                    language="pl",
                    channel=ChannelName.SMS,
                    wants_letters=True,
                    prefers_phone_call=True,
                    address="12 Mill Lane, Riverside RV1 2AB",
                ),
            ],
        ),
    ]


def demo_policies(policies: Policies) -> Policies:
    """Sending hours all day, every day: a newcomer at midnight still sees texts arrive.

    Opening hours stay as the policy says, so out-of-hours replies can be seen too.
    """
    all_day = (DailyWindow(time(0, 0), time(23, 59)),) * 7
    hours = replace(policies.hours, sending_hours=all_day, send_on_bank_holidays=True)
    return replace(policies, hours=hours)


async def seed(service: Service, password_hash: str | None = None) -> dict[str, int]:
    """Create the demo team and allocate its families, which queues first contact."""
    now = service.now()
    ids: dict[str, int] = {}
    async with service.db.transaction() as conn:
        for member in STAFF:
            ids[member.email or member.name] = await staff_store.add(
                conn, member, now, password_hash
            )
    amira, tom = ids["amira@demo.cradle"], ids["tom@demo.cradle"]
    local_today = now.astimezone(service.team_timezone()).date()
    for family, practitioner in zip(demo_families(local_today), [amira, amira, tom], strict=True):
        family_id = await create_family(service, family, "demo")
        await allocate(service, family_id, practitioner, "demo")
        ids[family.reference] = family_id
    return ids
