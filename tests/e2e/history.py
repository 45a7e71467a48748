"""A family with a history built through the real service: texts both ways, a letter, a
handled queue item, optionally an escalation. Shared by the governance tests."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.letters import LetterDraft
from bot.runtime import dispatcher, pipeline
from bot.store import letters, queue
from tests.builders import family_json, parent_json
from tests.conftest import Live


@dataclass
class History:
    family: int
    parent: int
    mobile: str  # E.164, as stored
    words: str  # what the parent wrote
    letter: int


async def add_practitioner(live: Live, name: str = "Amira Shah") -> int:
    status, body = await live.api("POST", "/api/v1/practitioners", json={"name": name})
    assert status == 201, body
    return body["id"]


async def text_in(live: Live, number: str, body: str) -> None:
    assert await live.simulator_send(number, body) == 303
    await pipeline.process_pending(live.service)


async def family_with_history(
    live: Live,
    practitioner: int,
    reference: str,
    name: str,
    number: str,  # e.g. "07700 900101"
    words: str,
    *,
    risk: str | None = None,
    partner: tuple[str, str, str] | None = None,  # name, number, words
) -> History:
    parents = [parent_json(name, number)]
    if partner:
        parents.append(parent_json(partner[0], partner[1], relationship="father"))
    family = family_json(reference, parents=parents, practitioner_id=practitioner, mother_name=name)
    status, created = await live.api("POST", "/api/v1/families", json=family)
    assert status == 201, created
    await dispatcher.dispatch_once(live.service)
    await text_in(live, number, words)
    if partner:
        await text_in(live, partner[1], partner[2])
    now = live.service.now()
    family_id, parent_id = created["id"], created["parents"][0]["id"]
    async with live.service.db.transaction() as conn:
        draft = LetterDraft(
            "refer_back", family_id, None, "en_GB", name, f"Dear {name}, about {reference}"
        )
        letter_id = await letters.add(conn, draft, now)
        await letters.mark_sent(conn, letter_id, "admin", now)
    for item in await queue.open_items(
        live.service.db, audience="practitioner", practitioner_id=practitioner
    ):
        if item.family_id == family_id:
            async with live.service.db.transaction() as conn:
                await queue.mark_handled(conn, item.id, practitioner, now)
    if risk:
        await text_in(live, number, risk)
    await dispatcher.dispatch_once(live.service)
    mobile = "+44" + number.replace(" ", "")[1:]
    return History(family_id, parent_id, mobile, words, letter_id)
