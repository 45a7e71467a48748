"""Inbound SMS intake: Cradle's signed webhook against a bare handler doing the same insert.

Both servers run in their own process on loopback, one after the other, each with a fresh
SQLite file; the same load generator sends them the same number of requests from many
concurrent clients. Cradle is the real thing (`python -m bot serve`: signature checked with
Twilio's RequestValidator, stored durably before the answer, triage running behind);
the bare handler reads the form and commits one insert per request, nothing else.

    python -m bench.intake [--requests 5000] [--clients 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token"
PATH = "/webhooks/twilio/sms"
MAX_REQUESTS = 100_000  # bounded: this is a loopback benchmark, not a load test
WARM_UP = 200
BODIES = [
    "Yes see you Tuesday",
    "Can we make it later in the week? The baby has a clinic appt",
    "Running 10 mins late sorry",
    "Diolch, wela i chi ddydd Mawrth 🙂",
    "who is this",
]


@dataclass(frozen=True)
class Measured:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    failures: int
    rows: int
    triaged: int  # of all rows (warm-up included), triaged by the time the load ended
    drained: float | None  # seconds after the load until every row was triaged (None: bare)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed_requests(count: int, public_url: str) -> list[tuple[bytes, str]]:
    """(form body, X-Twilio-Signature) for `count` distinct inbound texts, made before timing."""
    validator = RequestValidator(AUTH_TOKEN)
    made = []
    for n in range(count):
        sid = "SM" + secrets.token_hex(16)
        fields = {
            "ToCountry": "GB", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
            "SmsStatus": "received", "Body": BODIES[n % len(BODIES)], "FromCountry": "GB",
            "To": "+447700900000", "NumSegments": "1", "MessageSid": sid,
            "AccountSid": ACCOUNT_SID, "From": f"+4477009{n % 100000:05d}",
            "ApiVersion": "2010-04-01",
        }  # fmt: skip
        signature = validator.compute_signature(public_url + PATH, fields)
        made.append((urlencode(fields).encode(), signature))
    return made


async def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


def _raw_request(port: int, body: bytes, signature: str) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response off a kept-alive connection; returns its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _load(
    port: int, requests: list[tuple[bytes, str]], clients: int
) -> tuple[float, list[float], int]:
    """Send every request, `clients` kept-alive connections at a time.

    A plain socket client rather than aiohttp's: on two cores the load generator must cost
    far less than the servers it measures, or it measures itself.
    """
    latencies: list[float] = []
    failures = 0
    queue = iter([_raw_request(port, body, signature) for body, signature in requests])

    async def client() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for raw in queue:
                started = time.perf_counter()
                writer.write(raw)
                if await _read_response(reader) != 200:
                    failures += 1
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            writer.close()
            await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, latencies, failures


def _rows(database: Path) -> tuple[int, int]:
    """(rows stored, rows triaged) in the inbound table."""
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT count(*), count(processed_at) FROM inbound").fetchone()


async def measure(
    name: str,
    command: list[str],
    env: dict[str, str],
    count: int,
    clients: int,
    port: int,
    database: Path,
) -> Measured:
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        await _wait_until_up(base + "/healthz", process)
        await _load(port, signed_requests(WARM_UP, base), clients)
        requests = signed_requests(count, base)
        seconds, latencies, failures = await _load(port, requests, clients)
        stored, triaged = _rows(database)
        drained = await _drained(database) if triaged else None
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, errors = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate()
    if process.returncode not in (0, -signal.SIGTERM):
        sys.stderr.write(errors.decode(errors="replace")[-2000:])
    return Measured(name, count, seconds, latencies, failures, stored - WARM_UP, triaged, drained)


async def _drained(database: Path, limit: float = 120.0) -> float | None:
    """Seconds until triage has caught up with every stored row (None if not within `limit`)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        stored, triaged = _rows(database)
        if triaged >= stored:
            return time.perf_counter() - started
        await asyncio.sleep(0.05)
    return None


async def compare(count: int, clients: int) -> tuple[Measured, Measured]:
    folder = Path(tempfile.mkdtemp(prefix="cradle-bench-"))
    bare_port, cradle_port = free_port(), free_port()
    bare_db, cradle_db = folder / "bare.sqlite3", folder / "cradle.sqlite3"
    bare = await measure(
        "bare handler",
        [sys.executable, "-m", "bench.intake", "--serve-bare", str(bare_port), str(bare_db)],
        dict(os.environ),
        count,
        clients,
        bare_port,
        bare_db,
    )
    env = {
        **os.environ,
        "CRADLE_DATABASE": str(cradle_db),
        "CRADLE_PORT": str(cradle_port),
        "CRADLE_PUBLIC_URL": f"http://127.0.0.1:{cradle_port}",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": "+447700900000",
        "CRADLE_TWILIO_API_URL": "http://127.0.0.1:9",  # nothing is sent: unknown numbers
    }
    cradle = await measure(
        "cradle",
        [sys.executable, "-m", "bot", "serve"],
        env,
        count,
        clients,
        cradle_port,
        cradle_db,
    )
    return bare, cradle


def serve_bare(port: int, database: Path) -> None:
    """The baseline: parse the form, one durable insert and commit per request, answer TwiML."""
    from aiohttp import web

    from bot.core.model import ChannelName, InboundMessage
    from bot.store.db import open_database
    from bot.store.inbound import _INSERT, _params

    async def main() -> None:
        db = await open_database(database)

        async def intake(request: web.Request) -> web.Response:
            form = await request.post()
            message = InboundMessage(
                ChannelName.SMS,
                str(form["MessageSid"]),
                str(form["From"]),
                str(form.get("Body", "")),
                received_at=_now(),
            )
            async with db.transaction() as conn:
                await conn.execute(_INSERT, _params(message))
            return web.Response(text="<Response/>", content_type="text/xml")

        async def healthz(request: web.Request) -> web.Response:
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post(PATH, intake)
        app.router.add_get("/healthz", healthz)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await runner.cleanup()
        await db.close()

    asyncio.run(main())


def _now():  # noqa: ANN202
    from datetime import UTC, datetime

    return datetime.now(UTC)


def report(bare: Measured, cradle: Measured, clients: int) -> str:
    lines = [
        f"inbound intake: {cradle.requests} signed webhook requests, {clients} concurrent"
        " clients, loopback, SQLite durable (WAL)",
        f"{'':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}{'rows':>8}",
    ]
    for m in (bare, cradle):
        lines.append(
            f"{m.name:<14}{m.per_second:>9.0f}{m.percentile(0.50):>9.1f}"
            f"{m.percentile(0.99):>9.1f}{m.failures:>8}{m.rows:>8}"
        )
    ratio = cradle.per_second / bare.per_second
    caught_up = f"{cradle.drained:.1f} s" if cradle.drained is not None else "not within 2 min"
    lines.append(
        f"cradle triaged {cradle.triaged} of {cradle.rows + WARM_UP} messages while taking them"
        f" in, and the rest {caught_up} after the last one (triage runs behind the store)"
    )
    lines.append(f"ratio cradle / bare: {ratio:.2f} (aim: at least 0.70; p99 under 50 ms)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--serve-bare", nargs=2, metavar=("PORT", "DATABASE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), Path(args.serve_bare[1]))
        return
    count = max(1, min(args.requests, MAX_REQUESTS))
    bare, cradle = asyncio.run(compare(count, args.clients))
    print(report(bare, cradle, args.clients))


if __name__ == "__main__":
    main()
