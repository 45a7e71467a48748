"""No token, phone number or parent's words in the logs of a whole run, malformed requests
and failures included."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.log_redaction import RedactingFilter, redact
from bot.runtime import dispatcher, pipeline
from tests.builders import family_json, parent_json
from tests.conftest import TOKEN
from tests.stand_ins.twilio_api import running_with_twilio

MOBILE = "+447700900101"
WORDS = "cannot cope anymore with the crying"
PASSWORD = "a-password-nobody-should-see"


async def test_a_whole_run_leaves_no_token_number_or_message_words_in_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_with_twilio(tmp_path) as cradle:
        live, hooks = cradle.live, cradle.hooks
        _, amira = await live.api(
            "POST", "/api/v1/practitioners", json={"name": "Amira Shah", "mobile": "07700900555"}
        )
        status, family = await live.api(
            "POST",
            "/api/v1/families",
            json=family_json(
                parents=[parent_json(mobile="07700 900101")], practitioner_id=amira["id"]
            ),
        )
        assert status == 201, family
        await dispatcher.dispatch_once(cradle.service)  # first contact through the twilio client
        assert await hooks.sms(MOBILE, f"I {WORDS}") == (200, hooks_twiml())
        await pipeline.process_pending(cradle.service)
        await dispatcher.dispatch_once(cradle.service)  # the safety reply and staff alerts
        # Malformed and refused requests, each carrying something secret.
        await hooks.post("/webhooks/twilio/sms", hooks.sms_fields(MOBILE, WORDS), signature="bad")
        await hooks.post(
            "/webhooks/twilio/sms", {}, sign=False, data=f"Body={WORDS}&From={MOBILE}%"
        )
        for headers, body in (
            ({"Authorization": f"Bearer {TOKEN}"}, '{"name": "' + WORDS + '", '),
            ({"Authorization": "Bearer crd_not-a-real-token-at-all"}, "{}"),
            ({"Authorization": f"Bearer {TOKEN}"}, "[" * 3000),
        ):
            async with live.http.post(
                live.base + "/api/v1/families", data=body, headers=headers
            ) as r:
                assert 400 <= r.status < 500
        async with live.http.post(
            live.base + "/login", data={"email": "amira@x.org", "password": PASSWORD}
        ) as r:
            assert r.status == 403  # no CSRF token
        secrets = (TOKEN, cradle.twilio.auth_token, PASSWORD)
    text = "\n".join(
        f"{r.getMessage()}\n{r.exc_text or ''}\n{r.stack_info or ''}" for r in caplog.records
    )
    assert len(caplog.records) > 5, "the run logged nothing: the test would prove nothing"
    for secret in (*secrets, MOBILE, "447700900101", "07700 900101", "07700900555", "cope"):
        assert secret not in text, secret


def hooks_twiml() -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        ("Authorization: Bearer abcdef123456", "Authorization", "abcdef123456"),
        ("made crd_Zx81-kk_secret for the records system", "records system", "Zx81"),
        ("GET /bot123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789/getMe", "getMe", "ABCdef"),
        ("Body=I+feel+awful&From=%2B447700900101", "From=", "awful"),
        ("{'body': \"she won't feed\", 'to': '+447700900101'}", "'to'", "feed"),
        ("ring 07700 900101 or 020 7946 0000", "ring", "7946"),
        (
            "applied migration at 2026-11-24 10:00:00, row 12345",
            "2026-11-24 10:00:00, row 12345",
            "[phone]",
        ),
    ],
)
def test_what_the_filter_takes_out_and_leaves(line: str, kept: str, gone: str) -> None:
    assert kept in redact(line) and gone not in redact(line)


def test_the_filter_also_redacts_a_traceback_for_a_handler_set_up_elsewhere() -> None:
    try:
        raise ValueError(f"could not parse Body={WORDS}")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed for %s", (MOBILE,), None
        )
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    assert MOBILE not in record.getMessage() and WORDS not in (record.exc_text or "")
