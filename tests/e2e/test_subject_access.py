"""Subject access: everything about one parent or family, and nothing about anyone else."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient
from tests.e2e.history import add_practitioner, family_with_history
from tests.e2e.test_cli import run

RHIANNON = ("Rhiannon Blake", "07700 900501", "Could we make it after lunch on Friday")
OWEN = ("Owen Blake", "07700 900502", "Owen here, happy with any day")
OKSANA = ("Oksana Reid", "07700 900601", "Morning works for me and the baby")


def ids(live: Live, sql: str, *params: object) -> set[int]:
    with sqlite3.connect(live.service.settings.database) as conn:
        return {row[0] for row in conn.execute(sql, params)}


async def two_families(live: Live):  # noqa: ANN201
    amira = await add_practitioner(live)
    blakes = await family_with_history(
        live, amira, "PIR-5001", *RHIANNON, partner=OWEN,
        risk="i cant do this anymore, i want to end it all tonight",
    )  # fmt: skip
    reids = await family_with_history(live, amira, "PIR-6001", *OKSANA)
    status, _ = await live.api("GET", f"/api/v1/families/{blakes.family}/messages")
    assert status == 200  # a view of the record, to appear in the export
    return blakes, reids


async def test_a_parents_export_holds_every_row_about_them_and_none_about_others(
    live: Live, team: dict, client: ConsoleClient
) -> None:
    blakes, _ = await two_families(live)
    await client.sign_in("administrator")
    async with client.http.get(f"{live.base}/admin/export?parent={blakes.parent}") as r:
        assert r.status == 200
        assert "attachment" in r.headers["Content-Disposition"]
        text = await r.text()
    data = json.loads(text)

    assert data["subject"] == {"kind": "parent", "id": blakes.parent}
    assert [p["id"] for p in data["parents"]] == [blakes.parent]
    assert {m["id"] for m in data["texts_from_them"]} == ids(
        live, "SELECT id FROM inbound WHERE parent_id = ?", blakes.parent
    )
    assert len(data["texts_from_them"]) == 2  # her reply and the message that raised concern
    assert {m["id"] for m in data["texts_to_them"]} == ids(
        live, "SELECT id FROM outbox WHERE parent_id = ?", blakes.parent
    )
    assert {e["id"] for e in data["escalations"]} == ids(
        live, "SELECT id FROM escalations WHERE parent_id = ?", blakes.parent
    )
    assert data["escalations"][0]["notices"], "who was told is part of the record"
    assert {q["id"] for q in data["queue_items"]} == ids(
        live, "SELECT id FROM queue_items WHERE parent_id = ?", blakes.parent
    )
    assert [letter["id"] for letter in data["letters"]] == [blakes.letter]
    assert "family_messages_viewed" in {r["action"] for r in data["record_history"]}
    assert RHIANNON[2] in text
    # Nothing about her partner's words, nor anything about another family.
    for other in (OWEN[2], OWEN[1][1:], *OKSANA, "PIR-6001", "Chloe", "+4477009001"):
        assert other not in text, other

    status, printed = await client.get(f"/admin/export?parent={blakes.parent}&format=html")
    assert status == 200 and RHIANNON[2] in printed and "Escalations (1)" in printed
    assert OWEN[2] not in printed and OKSANA[0] not in printed

    audit = ids(
        live,
        "SELECT subject_id FROM audit WHERE action = 'subject_access_export'"
        " AND subject_type = 'parent'",
    )
    assert audit == {blakes.parent}  # each export is recorded


async def test_a_family_export_from_the_cli_covers_both_parents_and_prints(
    live: Live, tmp_path
) -> None:
    blakes, _ = await two_families(live)
    out, page = tmp_path / "export.json", tmp_path / "export.html"
    env = {"CRADLE_DATABASE": str(live.service.settings.database)}
    result = run(
        "export", "--family", str(blakes.family), "--output", str(out), "--html", str(page),
        env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert {p["name"] for p in data["parents"]} == {RHIANNON[0], OWEN[0]}
    assert {m["id"] for m in data["texts_from_them"]} == ids(
        live, "SELECT id FROM inbound WHERE family_id = ?", blakes.family
    )
    assert {m["id"] for m in data["texts_to_them"]} == ids(
        live, "SELECT id FROM outbox WHERE family_id = ? AND staff_id IS NULL", blakes.family
    )
    text = out.read_text()
    for other in OKSANA:
        assert other not in text
    printed = page.read_text()
    assert RHIANNON[2] in printed and OWEN[2] in printed and "Escalations (1)" in printed
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    unknown = run("export", "--parent", "999", env=env)
    assert unknown.returncode == 1 and "no parent with that id" in unknown.stderr


async def test_only_an_administrator_can_export(
    live: Live, team: dict, client: ConsoleClient
) -> None:
    blakes, _ = await two_families(live)
    await client.sign_in("practitioner")
    status, _ = await client.get(f"/admin/export?parent={blakes.parent}")
    assert status == 404
