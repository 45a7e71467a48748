"""`cradle demo`, the README's first command, as a newcomer runs it."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

from tests.conftest import ROOT, free_port
from tests.stand_ins.twilio_api import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def phones_on(page: str) -> dict[str, str]:
    return {
        chunk.split('"', 1)[0]: chunk.split("</section>", 1)[0]
        for chunk in re.split(r'<section class="phone[^"]*" id="', page)[1:]
    }


def start_demo(port: int, env: dict[str, str], cwd: Path = ROOT) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def clean_environment() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("CRADLE_", "TWILIO_", "TELEGRAM_"))
    }


def test_the_demo_texts_both_parents_and_never_the_do_not_contact_parent() -> None:
    port = free_port()
    process = start_demo(port, clean_environment())
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline:
            try:
                page = get(base + "/simulator")
                if page.count('class="bubble in"') >= 5:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        phones = phones_on(page)
        for number in ("+447700900101", "+447700900102", "+447700900201", "+447700900301"):
            assert 'class="bubble in"' in phones[number], f"no first contact on {number}"
        assert 'class="bubble in"' not in phones["+447700900202"], (
            "do-not-contact parent was texted"
        )
        assert "Cześć" in phones["+447700900301"] or "Dzień dobry" in phones["+447700900301"]
        assert "Who is who" in page and "Things to try" in page
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "/simulator" in output
    # Who is who, with the names the demo seeded, the sign-ins and what to try.
    for name in ("Chloe and Dan Martin", "Ryan Cole", "do not contact", "Kasia Nowak"):
        assert name in output
    assert "literacy support" in output and "Ayesha Khan" in output and "Urdu" in output
    assert "grace@demo.cradle" in output and "duty clinician" in output
    assert "Reply YES as Chloe" in output and "watch the duty" in output
    assert "texts may be sent at any hour" not in output
    # Thrown away at exit, and it says so.
    database = re.search(r"thrown away when you stop it \((.+?)\)", output)
    assert database, output
    assert not Path(database.group(1)).exists()
    assert f"The demo database ({Path(database.group(1)).parent}) has been deleted." in output


async def test_the_demo_never_uses_real_credentials_from_cradle_toml_or_the_environment(
    tmp_path: Path,
) -> None:
    twilio = await TwilioStandIn().start()
    (tmp_path / "cradle.toml").write_text(
        f'twilio_account_sid = "{ACCOUNT_SID}"\n'
        f'twilio_auth_token = "{AUTH_TOKEN}"\n'
        'twilio_from = "+447700900000"\n'
        f'twilio_api_url = "{twilio.url}"\n',
        encoding="utf-8",
    )
    env = {
        **clean_environment(),
        "CRADLE_POLICIES_DIR": str(ROOT / "policies"),
        "CRADLE_MESSAGES_DIR": str(ROOT / "messages"),
        "CRADLE_TWILIO_API_URL": twilio.url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": "+447700900000",
        "TELEGRAM_BOT_TOKEN": "42:TEST",
    }
    port = free_port()
    process = start_demo(port, env, cwd=tmp_path)
    try:
        first_contact = ""
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/simulator") as r:
                        first_contact = phones_on(await r.text()).get("+447700900101", "")
                    if 'class="bubble in"' in first_contact:
                        break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.3)
        assert 'class="bubble in"' in first_contact, "the demo's texts did not reach the simulator"
        assert twilio.requests == []
    finally:
        process.terminate()
        output, _ = await asyncio.to_thread(process.communicate, timeout=10)
        await twilio.stop()
    assert "It does not read" in output and "cradle.toml" in output
    assert (
        "ignored here: TELEGRAM_BOT_TOKEN, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)"
        in output
    )
