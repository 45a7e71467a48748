"""`cradle demo`, the README's first command, as a newcomer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT, free_port


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_the_demo_texts_both_parents_and_never_the_do_not_contact_parent() -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CRADLE_", "TWILIO_", "TELEGRAM_"))
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline:
            try:
                page = get(base + "/simulator")
                if page.count('class="bubble in"') >= 4:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        phones = {
            chunk.split('"', 1)[0]: chunk.split("</section>", 1)[0]
            for chunk in page.split('<section class="phone" id="')[1:]
        }
        for number in ("+447700900101", "+447700900102", "+447700900201", "+447700900301"):
            assert 'class="bubble in"' in phones[number], f"no first contact on {number}"
        assert 'class="bubble in"' not in phones["+447700900202"], (
            "do-not-contact parent was texted"
        )
        assert "Cześć" in phones["+447700900301"] or "Dzień dobry" in phones["+447700900301"]
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "/simulator" in output
