"""The demo team: staff, four families, and a guide to what a newcomer can try."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.core.appointments import AppointmentKind, Place
from bot.core.model import ChannelName, Family, Parent, Referrer, Role, Staff
from bot.core.policy import DailyWindow, Policies
from bot.runtime.families import allocate, create_family
from bot.runtime.service import Service
from bot.store import staff as staff_store
from bot.store import telegram as telegram_store

DEMO_PASSWORD = "cradle-demo"
DUTY_TELEGRAM_CHAT = 700000003  # the duty clinician's Telegram, simulated: no Telegram is used
RISK_EXAMPLE = "I'm scared I might hurt the baby"

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
        Family(
            None,
            "PIR-0004",
            baby_name="Musa",
            birth_date=today - timedelta(days=60),
            referrer=Referrer("Dr Ali Raza", "GP", "Riverside Surgery", "01632 960003"),
            parents=[Parent(None, "Ayesha Khan", "mother", "+447700900401", language="ur")],
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
    allocated = [amira, amira, tom, tom]
    for family, practitioner in zip(demo_families(local_today), allocated, strict=True):
        family_id = await create_family(service, family, "demo")
        await allocate(service, family_id, practitioner, "demo")
        ids[family.reference] = family_id
    if ChannelName.TELEGRAM in service.transports:
        async with service.db.transaction() as conn:
            await telegram_store.link_staff(conn, ids["grace@demo.cradle"], DUTY_TELEGRAM_CHAT)
    return ids


async def book_first_appointment(service: Service, family_id: int) -> None:
    """Chloe and Dan's first session, three days ahead at 11:00: the confirmation goes now,
    the first reminder tomorrow at 10:00 (what the simulator's time travel shows)."""
    from bot.runtime import appointments

    tz = service.team_timezone()
    day = service.now().astimezone(tz).date() + timedelta(days=3)
    await appointments.book(
        service,
        family_id,
        kind=AppointmentKind.SESSION,
        starts_at=datetime.combine(day, time(11, 0), tzinfo=tz),
        duration=timedelta(minutes=60),
        place=Place.HOME,
        actor="demo",
    )


# The guide printed by `cradle demo` and shown on /simulator: names match the seeded data.
WHO_IS_WHO = [
    (
        "Chloe and Dan Martin (PIR-0001, practitioner Amira)",
        "a couple expecting their first baby: both parents are texted, each on their own"
        " phone, and Chloe has a first session to confirm.",
    ),
    (
        "Leah Jones and Ryan Cole (PIR-0002, Amira)",
        "Ryan is marked do not contact (safeguarding), so Cradle never texts him: his phone"
        " stays empty whatever happens.",
    ),
    (
        "Kasia Nowak (PIR-0003, Tom)",
        "reads Polish and needs literacy support: simpler wording in Polish, and letters to"
        " print for her.",
    ),
    (
        "Ayesha Khan (PIR-0004, Tom)",
        "speaks Urdu: her texts are in Urdu.",
    ),
    (
        "Grace Okafor, duty clinician, and Helen Price, clinical lead",
        "their phones show the urgent alerts a risk message sends; Grace also has Telegram,"
        " where an alert comes with an Acknowledge button.",
    ),
]

THINGS_TO_TRY = [
    "Reply YES as Chloe: her session is confirmed, and Amira sees the reply in her queue"
    " (sign in as amira@demo.cradle).",
    f'Send a risk message as Leah, such as "{RISK_EXAMPLE}", and watch the duty'
    " clinician's phone: Grace gets an urgent text and a Telegram alert within seconds."
    " Press Acknowledge on it.",
    "Text from an unknown number: the message goes to the team's unassigned queue (sign in as"
    " sam@demo.cradle), never guessed to be someone's.",
    "Jump to tomorrow at 10:00 (the button on the simulator page): Chloe and Dan's reminders"
    " go out, and an escalation nobody acknowledged climbs to the next person. Jump twice"
    " more: families who have not replied get a follow-up on the third day.",
]
