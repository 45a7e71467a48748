"""Triage speed: `cradle triage` start-up, and messages a second on one core.

- start-up: a real `cradle triage` process, from launch to its first answer (one message
  that the rules, the respelling and the model all read), best of five;
- throughput: every message of the labelled corpus, in this process, once to warm the
  lazily loaded model, then timed in CPU seconds of this one thread (the machine is
  shared, so wall-clock time is printed too but is not the figure).

The bars (issue 11): start-up under 0.5 s; at least 2,000 messages a second.

    python -m bench.triage [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "core" / "data" / "triage_corpus"


def startup_seconds() -> float:
    best = float("inf")
    line = json.dumps({"text": "iwanttodie, everyone would be better off without me"}) + "\n"
    for _ in range(5):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bot", "triage"],
            input=line,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "CRADLE_POLICIES_DIR": str(ROOT / "policies")},
            check=True,
        )
        best = min(best, time.perf_counter() - started)
        assert json.loads(done.stdout)["risk"] == "emergency"
    return best


def throughput(rounds: int) -> tuple[int, float, float]:
    from bot.core.triage import load_triage_rules, triage

    rules = load_triage_rules(ROOT / "policies")
    texts = [
        json.loads(line)["text"]
        for path in sorted(CORPUS.glob("batch_*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    for text in texts:  # warm: the model and the vocabulary load on first use
        triage(text, rules)
    started, cpu = time.perf_counter(), time.thread_time()
    for _ in range(rounds):
        for text in texts:
            triage(text, rules)
    return len(texts) * rounds, time.thread_time() - cpu, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    start = startup_seconds()
    print(f"cradle triage start-up to first answer: {start:.3f} s (bar: under 0.5 s)")
    count, cpu, wall = throughput(args.rounds)
    print(
        f"triage: {count} messages in {cpu:.2f} CPU s on one core = {count / cpu:,.0f} a second "
        f"(bar: 2,000); wall clock {wall:.2f} s = {count / wall:,.0f} a second"
    )


if __name__ == "__main__":
    main()
