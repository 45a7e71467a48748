"""The wording editor over real HTTP: only administrators, refused saves say why, a saved version
is what the next text says, history, differences, going back, reset, and missing translations."""

from __future__ import annotations

import html
import json
import re

import pytest

from bot.runtime import dispatcher
from tests.builders import family_json, parent_json
from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows, text_from

EDIT = "/admin/templates/first_contact/en_GB"
NEW_HELLO = (
    "Hello {parent_name}, this is {practitioner_name} from {team_name}. "
    "I would like to meet you. When suits you? Call {team_phone} or reply here."
)


def versions(live: Live) -> list[tuple]:
    return rows(
        live, "SELECT message, locale, variant, action, body, reason FROM template_versions"
    )


def text_of(page: str) -> str:
    """The page's words, as someone reading it sees them."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


async def save(
    client: ConsoleClient, body: str, reason: str = "Friendlier", path: str = EDIT, **extra: str
) -> tuple[int, str, str]:
    await client.get(path)
    based_on = re.search(r'name="based_on" value="(\d+)"', client.last_page)
    assert based_on
    form = {"body": body, "reason": reason, "action": "save", "based_on": based_on.group(1)}
    return await client.post(path, {**form, **extra})


@pytest.mark.parametrize("who", ["practitioner", "duty_clinician", "clinical_lead"])
async def test_only_an_administrator_may_see_or_change_wording(
    live: Live, team: dict[str, int], client: ConsoleClient, who: str
) -> None:
    await client.sign_in(who)
    for path in ("/admin/templates", EDIT, EDIT + "/diff"):
        status, page = await client.get(path)
        assert status == 403, path
        assert "Only administrators can change the wording" in page
    await client.get("/cover")  # a page of their own, for a valid CSRF token
    status, _, _ = await client.post(
        EDIT, {"body": NEW_HELLO, "reason": "mine now", "action": "save"}
    )
    assert status == 403
    status, _, _ = await client.post(
        "/admin/templates/preview",
        {"message": "first_contact", "locale": "en_GB", "body": NEW_HELLO},
    )
    assert status == 403
    assert versions(live) == []


async def test_a_visitor_is_asked_to_sign_in(live: Live, client: ConsoleClient) -> None:
    async with client.http.get(live.base + EDIT, allow_redirects=False) as r:
        assert r.status == 303
        assert r.headers["Location"].startswith("/login?next=/admin/templates/first_contact")


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (
            "Hi {parent_surname}, I'm {practitioner_name} from {team_name}.",
            "{parent_surname} is not a placeholder of first_contact",
        ),
        (
            "Hi {parent_name.__class__}, I'm {practitioner_name} from {team_name}.",
            "`{parent_name.__class__}` is not a placeholder",
        ),
        (
            "Hi {parent_name}, I'm {practitioner_name} from {team_name}. Reply CANCEL to stop.",
            "asks for a reply that opts the parent out of all texts",
        ),
        (
            "Hi {parent_name}, I'm {practitioner_name} from {team_name}. "
            "Text STOP if you'd rather not.",
            "asks for a reply that opts the parent out of all texts",
        ),
        ("Hi {parent_name}, this is {team_name}.", "must include {practitioner_name}"),
        ("Hi {parent_name {practitioner_name} {team_name}", "never closed"),
    ],
)
async def test_a_save_is_refused_with_the_reason_shown(
    live: Live, team: dict[str, int], client: ConsoleClient, body: str, shown: str
) -> None:
    in_use = live.service.wording.texts[("first_contact", "en_GB", "standard")]
    await client.sign_in("administrator")
    status, page, _ = await save(client, body)
    assert status == 422
    words = text_of(page)
    assert "There is a problem" in words
    assert shown in words
    assert body in html.unescape(page)  # the draft is kept for correcting
    assert versions(live) == []
    assert live.service.wording.texts[("first_contact", "en_GB", "standard")] == in_use


async def test_a_saved_version_is_what_the_next_text_says(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    status, _, location = await save(client, NEW_HELLO, "Shorter, as parents asked")
    assert status == 303 and location == EDIT
    _, page = await client.get(location)
    assert "Saved. The next first contact in English" in text_of(page)
    assert "Edited by Sam Patel" in text_of(page)

    family = family_json(
        reference="PIR-2001",
        parents=[parent_json("Nia Hughes", "07700 900501")],
        practitioner_id=team["amira@demo.cradle"],
    )
    status, created = await live.api("POST", "/api/v1/families", json=family)
    assert status == 201, created
    await dispatcher.dispatch_once(live.service)
    sent = rows(
        live,
        "SELECT body, status FROM outbox WHERE family_id = ? AND template = 'first_contact'",
        created["id"],
    )
    expected = (
        "Hello Nia, this is Amira from "
        f"{live.service.policies.team.sender_name}. I would like to meet you. When suits you? "
        f"Call {live.service.policies.team.phone} or reply here."
    )
    assert sent == [(expected, "delivered")]

    (entry,) = rows(live, "SELECT actor, detail FROM audit WHERE action = 'template_edited'")
    assert entry[0] == f"staff:{team['sam@demo.cradle']}"
    detail = json.loads(entry[1])
    assert detail["message"] == "first_contact" and detail["locale"] == "en_GB"
    assert "meet you" not in entry[1] and "Shorter" not in entry[1]


async def test_a_warning_is_shown_but_the_wording_is_saved(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    body = "Hi {parent_name}, I'm {practitioner_name}. Can we book your assessment?"
    status, _, location = await save(client, body)
    assert status == 303
    _, page = await client.get(location)
    words = text_of(page)
    assert "Saved with 1 warning" in words
    assert "uses 'assessment'" in words
    assert [v[4] for v in versions(live)] == [body]


async def test_a_word_that_reveals_the_service_is_refused(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    body = "Hi {parent_name}, I'm {practitioner_name}, your perinatal mental health therapist."
    status, page, _ = await save(client, body)
    assert status == 422
    words = text_of(page)
    assert "tells anyone holding the phone what the service is" in words
    assert "'perinatal'" in words and "'mental health'" in words and "'therapist'" in words
    assert versions(live) == [], "nothing saved"


async def test_history_differences_going_back_and_reset(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    default = live.service.default_wording.texts[("first_contact", "en_GB", "standard")]
    first = "Hi {parent_name}, I'm {practitioner_name} from {team_name}. Can we meet soon?"
    second = "Hi {parent_name}, I'm {practitioner_name} from {team_name}. Can we meet next week?"
    await client.sign_in("administrator")
    assert (await save(client, first, "Shorter"))[0] == 303
    assert (await save(client, second, "More definite"))[0] == 303
    (first_id,) = [
        r[0] for r in rows(live, "SELECT id FROM template_versions WHERE body = ?", first)
    ]

    _, page = await client.get(EDIT)
    words = text_of(page)
    assert "Shorter" in words and "More definite" in words and "Sam Patel" in words

    _, page = await client.get(f"{EDIT}/diff?from={first_id}&to={first_id + 1}")
    removed = '<del class="template-diff__removed"><span class="nhsuk-u-visually-hidden">'
    assert removed + "[removed: </span>soon?" in page
    assert "[added: </span>next week?" in page
    assert "1 part removed and 1 added" in text_of(page)

    _, page = await client.get(f"{EDIT}/diff?to={first_id}")
    assert "Go back to version 1" in text_of(page)
    status, _, location = await client.post(
        f"{EDIT}/rollback", {"version": str(first_id), "variant": "standard"}
    )
    assert status == 303
    assert live.service.wording.texts[("first_contact", "en_GB", "standard")] == first
    status, page, _ = await client.post(f"{EDIT}/rollback", {"version": str(first_id)})
    assert status == 422
    assert "Version 1 is the wording in use already" in text_of(page)

    await client.get(location)
    status, _, _ = await client.post(f"{EDIT}/reset", {"variant": "standard", "reason": ""})
    assert status == 303
    assert live.service.wording.texts[("first_contact", "en_GB", "standard")] == default

    assert [(v[3], v[5]) for v in versions(live)] == [
        ("edit", "Shorter"),
        ("edit", "More definite"),
        ("rollback", "Went back to version 1"),
        ("reset", "Back to the default wording"),
    ]
    audit = rows(live, "SELECT action, detail FROM audit WHERE subject_type = 'template'")
    assert [a[0] for a in audit] == [
        "template_edited",
        "template_edited",
        "template_rolled_back",
        "template_reset",
    ]
    assert not any("meet" in a[1] for a in audit)

    _, page = await client.get(EDIT)
    assert "This is the default wording" in text_of(page)
    assert text_of(page).count("Go back to version") == 3


async def test_a_change_made_on_an_out_of_date_page_is_refused(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await second_client.sign_in("administrator")
    await client.get(EDIT)
    await second_client.get(EDIT)
    ours = "Hi {parent_name}, I'm {practitioner_name} from {team_name}. Shall we meet?"
    theirs = "Hi {parent_name}, I'm {practitioner_name} from {team_name}. Can we meet?"
    form = {"reason": "r", "action": "save", "based_on": "0"}
    assert (await client.post(EDIT, {**form, "body": ours}))[0] == 303
    status, page, _ = await second_client.post(EDIT, {**form, "body": theirs})
    assert status == 422
    assert "was changed by someone else after you opened this page" in text_of(page)
    assert [v[4] for v in versions(live)] == [ours]


async def test_preview_without_javascript_shows_the_phone_and_saves_nothing(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await client.get(EDIT)
    family = team["PIR-0001"]
    body = "Hi {parent_name}, I'm {practitioner_name} from {team_name}. Croeso ŵ!"
    status, page, _ = await client.post(
        EDIT, {"body": body, "reason": "", "action": "preview", "family": str(family)}
    )
    assert status == 200
    words = text_of(page)
    assert "Hi Samantha, I'm Rebecca from Little Steps. Croeso ŵ!" in words  # samples
    assert f"Hi Chloe, I'm Amira from {live.service.policies.team.sender_name}. Croeso ŵ!" in words
    assert "UCS-2 because of “ŵ”" in words
    assert versions(live) == []


async def test_live_preview_returns_the_preview_and_needs_the_csrf_token(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await client.get(EDIT)
    form = {
        "message": "appointment_letter",
        "locale": "cy",
        "variant": "standard",
        "body": "Annwyl {parent_name},\n\nDewch ar {appointment_time}.",
    }
    status, _, _ = await client.post("/admin/templates/preview", form, csrf=False)
    assert status == 403
    status, fragment, _ = await client.post("/admin/templates/preview", form)
    assert status == 200
    assert "<html" not in fragment
    assert 'class="preview-letter"' in fragment
    assert "Annwyl Rhiannon,\n\nDewch ar Dydd Mercher 15 Gorffennaf am 10:45." in text_of(fragment)


async def test_a_missing_translation_is_flagged_until_it_is_written(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family = family_json(
        reference="PIR-2002",
        parents=[parent_json("Ana Popescu", "07700 900601", language="ro")],
        practitioner_id=team["tom@demo.cradle"],
    )
    status, created = await live.api("POST", "/api/v1/families", json=family)
    assert status == 201, created
    await text_from(live.service, "+447700900601", "HELP")
    await client.sign_in("administrator")
    _, page = await client.get("/admin/templates")
    words = text_of(page)
    assert "Texts sent in English instead" in words
    assert re.search(r"Help reply in Romanian \(română\):\s+sent in English 1 time,", words)

    romanian = "Aici {team_name}. Sunați-ne la {team_phone}."
    status, _, _ = await save(client, romanian, "Translated", path="/admin/templates/help_reply/ro")
    assert status == 303
    _, page = await client.get("/admin/templates")
    assert "Help reply in Romanian" not in text_of(page)
    assert "First contact in Romanian" in text_of(page), "first contact went in English too"
    await text_from(live.service, "+447700900601", "HELP")
    sent = rows(
        live,
        "SELECT body, locale FROM outbox WHERE template = 'help_reply' ORDER BY id DESC LIMIT 1",
    )
    team_ = live.service.policies.team
    assert sent == [(f"Aici {team_.sender_name}. Sunați-ne la {team_.phone}.", "ro")]


async def test_wording_is_shown_as_written_never_as_markup(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    body = "Hi {parent_name}, I'm {practitioner_name} from {team_name} <script>alert(1)</script>"
    assert (await save(client, body))[0] == 303
    (version_id,) = [r[0] for r in rows(live, "SELECT id FROM template_versions")]
    _, page = await client.get(f"{EDIT}/diff?from=default&to={version_id}")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
