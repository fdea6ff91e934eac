"""`POST /api/assist` latency over real HTTP: a logged-in agent sends each message of a
hotline file (`{"title", "text"}` lines; default: the authored test messages) to the
agent-assist app on a local port, one at a time, after a warm-up.

`python -m bench --hotline-messages FILE` (e.g. ../shared/data/hotline_dev.jsonl) for another file.
"""

from __future__ import annotations

import os

# As `python -m assist` serves (see assist/__main__.py); before any OpenMP library loads,
# which holds when `python -m bench` imports this module first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import asyncio  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from assist.app import create_app  # noqa: E402
from assist.eval import message_text  # noqa: E402
from assist.store import AssistStore  # noqa: E402
from settings import ROOT, get_settings  # noqa: E402

DEFAULT_MESSAGES = ROOT / "tests" / "data" / "hotline_authored.jsonl"
TARGET_P95_MS = 300.0


def server_times(header: str) -> dict[str, float]:
    """`suggest;dur=12.3, store;dur=0.4` → {"suggest": 12.3, "store": 0.4}"""
    out = {}
    for part in header.split(","):
        name, _, duration = part.strip().partition(";dur=")
        if duration:
            out[name] = float(duration)
    return out


async def measure(messages: list[str]) -> tuple[list[float], list[float]]:
    settings = replace(get_settings(), assist_session_key=Fernet.generate_key().decode())
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(settings)
        app["store"] = AssistStore(Path(scratch) / "assist.sqlite")  # the bench's agent and records go away
        app["store"].add_agent("bench", "bench-password")
        async with TestClient(TestServer(app)) as client:
            assert (await client.post("/login", json={"name": "bench", "password": "bench-password"})).status == 200
            for text in messages[:5]:  # warm-up
                await (await client.post("/api/assist", json={"text": text})).read()
            times, computing = [], []
            for text in messages:
                started = time.perf_counter()
                response = await client.post("/api/assist", json={"text": text})
                await response.read()
                times.append((time.perf_counter() - started) * 1000)
                assert response.status == 200, response.status
                computing.append(server_times(response.headers.get("Server-Timing", "")).get("suggest", 0.0))
            return times, computing


def run(args) -> bool:
    path = getattr(args, "hotline_messages", None) or DEFAULT_MESSAGES
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    messages = [message_text(r) for r in records]
    times, computing = asyncio.run(measure(messages))
    print(f"assist latency: {len(messages)} messages from {path.name}, mean {statistics.mean([len(m) for m in messages]):.0f} characters, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, values in (("POST /api/assist", times), ("  of which suggesting", computing)):
        print(f"{name:<22}{statistics.median(values):>9.1f}{float(np.percentile(values, 95)):>9.1f}{max(values):>9.1f}")
    p95 = float(np.percentile(times, 95))
    ok = p95 <= TARGET_P95_MS
    print(f"{'PASS' if ok else 'FAIL'}  /api/assist p95 ≤ {TARGET_P95_MS:.0f} ms")
    return ok
