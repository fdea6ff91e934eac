"""The analytics store at scale: 1 M broker events ingested (Rasa's SQL broker, our
masked subclass, one commit per event as Rasa publishes them; then the projection into
questions) and aggregated for the dashboard, beside a baseline that aggregates the raw
events (JSON) in Python, as a store without the projection would.

Targets: the dashboard's figures over 1 M stored events in ≤ 2 s; ingest ≥ 500 events/s
(Rasa's broker writes and the projection, each).
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from analytics.measures import Filters, measure
from analytics.projection import Projector
from analytics.store import create_tables, engine_for
from settings import ROOT, Settings

TARGET_AGGREGATE_SECONDS = 2.0
TARGET_EVENTS_PER_SECOND = 500
FULL_EVENTS = 1_000_000
BROKER_SAMPLE = 3000  # events published through Rasa's broker, one commit each


def synthetic_events(n: int, seed: int = 5):
    """Conversations of 1-4 questions over 30 days; each question: user, action, bot, listen."""
    rng = random.Random(seed)
    departments = [f"部门{i:02d}" for i in range(20)]
    regions = [f"地区{i:02d}" for i in range(16)]
    items = [(f"ITEM{i:04d}", f"事项{i:04d}", rng.choice(departments), rng.choice(regions)) for i in range(300)]
    start = 1_790_000_000.0
    made, conversation = 0, 0
    while made < n:
        conversation += 1
        sender, channel = f"s{conversation}", rng.choice(("rest", "socketio", "wechat"))
        t = start + rng.random() * 30 * 86400
        for _ in range(rng.randint(1, 4)):
            code, name, department, region = rng.choice(items)
            roll = rng.random()
            custom = {"outcome": "no_match"} if roll < 0.1 else {"items": [{"code": code, "name": name, "department": department, "region": region}]}
            for event in (
                {"event": "user", "timestamp": t, "text": f"{name}怎么办理", "input_channel": channel, "intent": {"name": "search_service", "confidence": 0.9}},
                {"event": "action", "timestamp": t + 0.01, "name": "action_human_handoff" if roll > 0.97 else "action_answer"},
                {"event": "bot", "timestamp": t + 0.05 + rng.random() * 0.3, "text": "答复", "custom": custom},
                {"event": "action", "timestamp": t + 0.4, "name": "action_listen"},
            ):
                yield sender, json.dumps({**event, "sender_id": sender}, ensure_ascii=False)
                made += 1
            t += rng.uniform(5, 60)


def baseline(db: Path) -> dict:
    """The same headline figures from the raw events, in Python."""
    connection = sqlite3.connect(db)
    conversations, handoff, no_match, questions = set(), set(), 0, 0
    latencies, open_turn = [], {}
    for sender, data in connection.execute("SELECT sender_id, data FROM events ORDER BY id"):
        event = json.loads(data)
        kind = event["event"]
        if kind == "user":
            conversations.add(sender)
            questions += 1
            open_turn[sender] = event["timestamp"]
        elif kind == "bot":
            if (event.get("custom") or {}).get("outcome") == "no_match":
                no_match += 1
            latencies.append(event["timestamp"] - open_turn.get(sender, event["timestamp"]))
        elif kind == "action" and event["name"] == "action_human_handoff":
            handoff.add(sender)
    connection.close()
    return {"conversations": len(conversations), "questions": questions, "handoffs": len(handoff), "no_match_questions": no_match,
            "p95": float(np.percentile(latencies, 95)) * 1000}


BROKER_SCRIPT = """
import json, sys, time
from analytics.broker import MaskedSQLEventBroker
broker = MaskedSQLEventBroker(dialect="sqlite", db=sys.argv[1])
events = [json.loads(line) for line in sys.stdin]
started = time.perf_counter()
for event in events:
    broker.publish(event)
print(len(events) / (time.perf_counter() - started))
"""


def broker_rate(folder: Path, count: int) -> float:
    """Events per second Rasa's broker (our masked subclass) writes, one commit each."""
    lines = "\n".join(data for _, data in synthetic_events(count, seed=9))
    result = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", BROKER_SCRIPT, str(folder / "broker.sqlite")],
        input=lines, capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


async def project_and_measure(settings: Settings) -> tuple[float, float, float, dict]:
    engine = engine_for(settings)
    await create_tables(engine)
    started = time.perf_counter()
    read = await Projector(engine).catch_up()
    projected = time.perf_counter() - started
    started = time.perf_counter()
    figures = await measure(engine, Filters(), date.today())
    whole = time.perf_counter() - started
    started = time.perf_counter()
    await measure(engine, Filters(department="部门03", channel="wechat"), date.today())
    filtered = time.perf_counter() - started
    await engine.dispose()
    return read / projected, whole, filtered, figures


def run(args) -> bool:
    count = 200_000 if getattr(args, "quick", False) else FULL_EVENTS
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        settings = replace(Settings(), var_dir=folder)
        db = settings.analytics_sqlite_path
        asyncio.run(_make(settings))
        connection = sqlite3.connect(db)
        started = time.perf_counter()
        connection.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)", synthetic_events(count))
        connection.commit()
        connection.close()
        print(f"analytics: {count:,} synthetic broker events written in {time.perf_counter() - started:.0f} s")
        broker = broker_rate(folder, BROKER_SAMPLE)
        rate, whole, filtered, figures = asyncio.run(project_and_measure(settings))
        started = time.perf_counter()
        base = baseline(db)
        base_seconds = time.perf_counter() - started
    assert all(figures[k] == base[k] for k in ("conversations", "questions", "handoffs", "no_match_questions")), (figures, base)
    print(f"{'what':<58}{'result':>14}{'target':>12}")
    rows = [
        ("ingest: Rasa's SQL broker, masked, one commit per event", f"{broker:,.0f} ev/s", f"≥ {TARGET_EVENTS_PER_SECOND}"),
        ("ingest: projection of stored events into questions", f"{rate:,.0f} ev/s", f"≥ {TARGET_EVENTS_PER_SECOND}"),
        (f"dashboard figures, {count:,} events, no filter", f"{whole:.2f} s", f"≤ {TARGET_AGGREGATE_SECONDS:.0f} s"),
        (f"dashboard figures, one department and channel", f"{filtered:.2f} s", f"≤ {TARGET_AGGREGATE_SECONDS:.0f} s"),
        ("baseline: the same headline figures from raw events (Python)", f"{base_seconds:.2f} s", ""),
    ]
    for what, result, target in rows:
        print(f"{what:<58}{result:>14}{target:>12}")
    print(f"  ({figures['conversations']:,} conversations, {figures['questions']:,} questions; baseline agrees on the counts)")
    return broker >= TARGET_EVENTS_PER_SECOND and rate >= TARGET_EVENTS_PER_SECOND and max(whole, filtered) <= TARGET_AGGREGATE_SECONDS


async def _make(settings: Settings) -> None:
    engine = engine_for(settings)
    await create_tables(engine)
    await engine.dispose()
