"""The `cradle` command as people and scripts run it: real processes, real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CRADLE = [sys.executable, "-m", "bot"]


def run(
    *args: str, stdin: str = "", env: dict | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CRADLE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_triage_reads_json_lines_and_keeps_going_after_a_bad_line() -> None:
    lines = [
        json.dumps({"text": "I want to kill myself"}),
        "{not json",
        json.dumps({"text": "yh see u then"}),
        json.dumps({"nope": 1}),
        json.dumps({"text": "cnt come tmrw sorry", "locale": "en_GB"}),
    ]
    result = run("triage", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5
    assert out[0]["risk"] == "emergency" and out[0]["reasons"]
    assert "error" in out[1] and "error" in out[3]
    assert out[2] == {**out[2], "risk": "none", "intent": "confirm"}
    assert out[4]["intent"] == "cancel"


def test_triage_does_not_load_telegram() -> None:
    probe = (
        'import io, sys; sys.stdin = io.StringIO(\'{"text": "hi"}\\n\');'
        "from bot.cli import main; main(['triage']);"
        "assert 'aiogram' not in sys.modules, 'aiogram was imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_policy_check_says_when_the_team_next_opens() -> None:
    result = run("policy", "check", "--at", "2026-12-25T18:00:00Z")
    assert result.returncode == 0, result.stderr
    assert "closed" in result.stdout.lower()
    assert "29 December" in result.stdout or "2026-12-29" in result.stdout


def test_policy_check_names_the_file_line_and_key_of_a_mistake(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    hours = policies / "hours.toml"
    text = hours.read_text()
    hours.write_text(text.replace('mon = { opens = "09:00"', 'mon = { opens = "9am"', 1))
    line = next(
        i for i, text_line in enumerate(hours.read_text().splitlines(), 1) if '"9am"' in text_line
    )
    result = run("policy", "check", env={"CRADLE_POLICIES_DIR": str(policies)})
    assert result.returncode == 1
    assert f"policies/hours.toml line {line}" in result.stderr
    assert "opening_hours.mon.opens" in result.stderr and "9am" in result.stderr


def test_a_bad_policy_stops_the_service_from_starting(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    (policies / "escalation.toml").write_text(
        (policies / "escalation.toml").read_text().replace('"duty_clinician"]', '"duty_doctor"]', 1)
    )
    result = run(
        "serve",
        env={
            "CRADLE_POLICIES_DIR": str(policies),
            "CRADLE_DATABASE": str(tmp_path / "x.db"),
            "CRADLE_PORT": "1",
        },
    )
    assert result.returncode == 1
    assert "policies/escalation.toml line" in result.stderr and "duty_doctor" in result.stderr


def test_migrate_is_idempotent_and_tick_twice_enqueues_nothing_new(tmp_path: Path) -> None:
    env = {"CRADLE_DATABASE": str(tmp_path / "c.sqlite3")}
    first = run("db", "migrate", env=env)
    assert first.returncode == 0 and "applied" in first.stdout
    second = run("db", "migrate", env=env)
    assert second.returncode == 0 and "up to date" in second.stdout
    one = run("tick", "--at", "2026-11-24T10:00:00Z", env=env)
    two = run("tick", "--at", "2026-11-24T10:00:00Z", env=env)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert all(v == 0 for k, v in json.loads(two.stdout).items() if k != "at")


def test_templates_lint_passes_on_the_shipped_messages() -> None:
    result = run("templates", "lint")
    assert result.returncode == 0, result.stdout
    assert "0 error(s)" in result.stdout


def test_token_create_gives_a_token_the_api_accepts(tmp_path: Path) -> None:
    env = {"CRADLE_DATABASE": str(tmp_path / "c.sqlite3")}
    result = run("token", "create", "--name", "records-system", env=env)
    assert result.returncode == 0 and result.stdout.strip().startswith("crd_")
    user = run(
        "user",
        "add",
        "--name",
        "Sam Patel",
        "--email",
        "sam@example.org",
        "--role",
        "administrator",
        env={**env, "CRADLE_NEW_PASSWORD": "a long enough password"},
    )
    assert user.returncode == 0, user.stderr
    again = run(
        "user",
        "add",
        "--name",
        "Sam Patel",
        "--email",
        "sam@example.org",
        "--role",
        "administrator",
        env={**env, "CRADLE_NEW_PASSWORD": "a long enough password"},
    )
    assert again.returncode != 0 and "already exists" in again.stderr


def test_templates_lint_fails_on_a_broken_file_and_names_it(tmp_path: Path) -> None:
    messages = tmp_path / "messages"
    shutil.copytree(ROOT / "messages", messages)
    broken = messages / "cy" / "appointment_reminder.txt"
    broken.write_text("Helo {parent_name}. Atebwch STOP. {unknown_thing}", encoding="utf-8")
    result = run("templates", "lint", env={"CRADLE_MESSAGES_DIR": str(messages)})
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors and all("cy/appointment_reminder.txt" in line for line in errors)
    assert any("unknown_thing" in line for line in errors)


def test_accounts_and_tokens_over_their_lifetime_from_the_command_line(tmp_path: Path) -> None:
    env = {"CRADLE_DATABASE": str(tmp_path / "c.sqlite3")}

    def add(email: str, role: str, password: str) -> subprocess.CompletedProcess:
        return run(
            "user",
            "add",
            "--name",
            email.split("@")[0].title(),
            "--email",
            email,
            "--role",
            role,
            env={**env, "CRADLE_NEW_PASSWORD": password},
        )

    weak = add("sam@example.org", "administrator", "aaaaaaaaaa")
    assert weak.returncode != 0 and "at least 12 characters" in weak.stderr
    assert add("sam@example.org", "administrator", "violet kettle orchard").returncode == 0
    assert add("lee@example.org", "clinical_lead", "lantern meadow cobalt").returncode == 0
    token = run("token", "create", "--name", "lee's laptop", "--staff", "lee@example.org", env=env)
    assert token.returncode == 0, token.stderr
    role = run("user", "set-role", "lee@example.org", "duty_clinician", env=env)
    assert role.returncode == 0 and "Nobody active is a clinical lead" in role.stderr
    reset = run("user", "reset-password", "lee@example.org", env=env)
    assert reset.returncode == 0 and "temporary password" in reset.stdout
    gone = run("user", "deactivate", "lee@example.org", env=env)
    assert gone.returncode == 0 and "1 API token(s) revoked" in gone.stdout, gone.stderr
    assert "duty clinician" in gone.stderr  # the chains now have nobody in that role
    listing = run("user", "list", env=env)
    assert "lee@example.org\tduty_clinician\tdeactivated" in listing.stdout
    tokens = run("token", "list", env=env)
    assert "lee's laptop" in tokens.stdout and "revoked" in tokens.stdout
    assert token.stdout.strip() not in tokens.stdout  # never the token itself
    check = run("policy", "check", env=env)
    assert check.returncode == 0 and "warning: Nobody active is a duty clinician" in check.stdout
    last = run("user", "deactivate", "sam@example.org", env=env)
    assert last.returncode != 0 and "at least one active administrator" in last.stderr


CORPUS = ROOT / "tests" / "core" / "data" / "triage_corpus"


def test_triage_eval_measures_a_labelled_file_and_lists_every_miss(tmp_path: Path) -> None:
    labelled = tmp_path / "sample.jsonl"
    rows = [
        {"text": "I want to kill myself", "risk": "emergency", "intent": "other",
         "category": "suicide_active"},
        {"text": "my chest feels a bit heavy today", "risk": "concern", "intent": "other",
         "category": "severe_distress"},
        {"text": "yes see you then", "risk": "none", "intent": "confirm", "category": "benign"},
        {"text": "this heat is killing me", "risk": "none", "intent": "other",
         "category": "benign_idiom"},
    ]  # fmt: skip
    labelled.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = run("triage", "eval", str(labelled))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "4 labelled messages" in out
    assert "emergency recall (triaged emergency)" in out and "1/1" in out
    assert "concern-or-higher recall" in out
    assert "benign false alarms" in out
    assert "reply intent accuracy" in out
    assert "suicide_active" in out and "benign_idiom" in out  # per category
    assert "misses (1)" in out and "my chest feels a bit heavy today" in out  # every miss shown
    assert "bars: emergency recall 100% met" in out


def test_triage_eval_runs_on_the_corpus_and_the_teams_sample() -> None:
    shared = ROOT.parent / "shared" / "eval" / "triage_dev.jsonl"
    sample = shared if shared.is_file() else ROOT / "tests" / "core" / "data" / "triage_dev.jsonl"
    for path in (*sorted(CORPUS.glob("batch_*.jsonl")), sample):
        result = run("triage", "eval", str(path))
        assert result.returncode == 0, (path, result.stderr)
        assert "labelled messages" in result.stdout and "misses (" in result.stdout


def test_triage_eval_names_a_bad_line(tmp_path: Path) -> None:
    labelled = tmp_path / "bad.jsonl"
    labelled.write_text('{"text": "hi", "risk": "none", "intent": "other"}\n{"text": "x"}\n')
    result = run("triage", "eval", str(labelled))
    assert result.returncode == 2
    assert "bad.jsonl line 2" in result.stderr
