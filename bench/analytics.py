"""The analytics store at scale: 1 M broker events ingested (through our masked, batched
SQL broker in Rasa's environment, beside Rasa's own SQLEventBroker committing each event;
then the projection into questions and per-day rollups) and aggregated for the
dashboard, beside two baselines: the same figures from the turns (as before the
rollups) and the headline counts from the raw events (JSON) in Python.

Targets: the dashboard's figures over 1 M stored events in ≤ 2 s; ingest ≥ 500 events/s
(the broker's writes and the projection, each).

    python -m bench --only analytics [--quick] [--analytics-postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import sqlite3
import subprocess
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

import aio_pika
import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from analytics.broker import QUEUE
from analytics.consumer import EXCHANGE, consume
from analytics.measures import Filters, from_turns, measure
from analytics.projection import Projector, day_of
from analytics.store import create_tables, engine_for, events
from settings import ROOT, Settings

TARGET_AGGREGATE_SECONDS = 2.0
TARGET_EVENTS_PER_SECOND = 500
FULL_EVENTS = 1_000_000
START = 1_790_000_000.0  # the synthetic month's first second
BROKER_SAMPLE = 20_000  # events published through our broker
RASA_BROKER_SAMPLE = 2_000  # through Rasa's own, which commits each (~100 events/s)


def synthetic_events(n: int, seed: int = 5):
    """Conversations of 1-4 questions over 30 days; each question: user, action, bot, listen."""
    rng = random.Random(seed)
    departments = [f"部门{i:02d}" for i in range(20)]
    regions = [f"地区{i:02d}" for i in range(16)]
    items = [(f"ITEM{i:04d}", f"事项{i:04d}", rng.choice(departments), rng.choice(regions)) for i in range(300)]
    start = START
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
            conversations.add((sender, day_of(event["timestamp"])))  # a conversation: one sender's day
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
import asyncio, json, sys, time
import analytics.broker
from rasa.core.brokers.sql import SQLEventBroker
broker = {"ours": analytics.broker.MaskedSQLEventBroker, "rasa": SQLEventBroker}[sys.argv[2]](dialect="sqlite", db=sys.argv[1])
events = [json.loads(line) for line in sys.stdin]
started = time.perf_counter()
for event in events:
    broker.publish(event)
asyncio.run(broker.close())  # until every event is stored
print(len(events) / (time.perf_counter() - started))
"""


def broker_rate(folder: Path, count: int, which: str) -> float:
    """Events per second stored through a broker in Rasa's environment: `ours` (masked,
    batched) or `rasa` (Rasa's own SQLEventBroker, one ORM session and commit per event)."""
    lines = "\n".join(data for _, data in synthetic_events(count, seed=9))
    result = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", BROKER_SCRIPT, str(folder / f"broker-{which}.sqlite"), which],
        input=lines, capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


async def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = await work
    return time.perf_counter() - started, result


async def project_and_measure(engine) -> dict:
    """Projection rate, then the dashboard's figures timed: from the rollups, and from
    the turns as before the rollups (the same figures: asserted)."""
    await create_tables(engine)
    out = {}
    seconds, read = await timed(Projector(engine).catch_up())
    out["projection"] = read / seconds
    out["whole"], out["figures"] = await timed(measure(engine, Filters(), date.today()))
    out["channel"], _ = await timed(measure(engine, Filters(channel="wechat", start=day_of(START + 20 * 86400)), date.today()))
    out["department"], _ = await timed(measure(engine, Filters(department="部门03", channel="wechat"), date.today()))
    async with engine.connect() as db:
        out["turns"], raw = await timed(from_turns(db, Filters(), 10))
    assert raw == {k: out["figures"][k] for k in raw}, "the rollups disagree with the turns"
    await engine.dispose()
    return out


@contextlib.asynccontextmanager
async def fresh_database(server: str):
    """The URL of a new database on a PostgreSQL server, dropped afterwards."""
    name = f"bench_analytics_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as db:
        await db.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        async with admin.connect() as db:
            await db.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        await admin.dispose()


async def on_postgresql(server: str, count: int) -> dict:
    """The same store in a fresh database on a PostgreSQL server."""
    async with fresh_database(server) as url:
        engine = create_async_engine(url)
        await create_tables(engine)
        rows = ({"sender_id": sender, "data": data} for sender, data in synthetic_events(count))
        while chunk := list(itertools.islice(rows, 20_000)):
            async with engine.begin() as db:
                await db.execute(events.insert(), chunk)
        return await project_and_measure(engine)


async def consumer_rate(server: str, count: int) -> float:
    """Events per second the RabbitMQ consumer (many Rasa servers) stores into PostgreSQL:
    `count` events waiting in its queue, drained. Run it alone: the queue is the product's."""
    settings = Settings()
    connection = await aio_pika.connect_robust(settings.analytics_amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(QUEUE, durable=True)
        await queue.bind(exchange, "")
        await queue.purge()
        for _, data in synthetic_events(count, seed=11):
            await exchange.publish(aio_pika.Message(data.encode()), routing_key="")
    async with fresh_database(server) as url:
        engine, stop = create_async_engine(url), asyncio.Event()
        await create_tables(engine)
        started = time.perf_counter()
        consumer = asyncio.create_task(consume(stop, replace(settings, analytics_db_url=url)))
        stored = 0
        while stored < count and not consumer.done():
            await asyncio.sleep(0.1)
            async with engine.connect() as db:
                stored = (await db.execute(text("SELECT count(*) FROM events"))).scalar()
        seconds = time.perf_counter() - started
        stop.set()
        await consumer
        await engine.dispose()
    return stored / seconds


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
        ours, rasas = broker_rate(folder, BROKER_SAMPLE, "ours"), broker_rate(folder, RASA_BROKER_SAMPLE, "rasa")
        m = asyncio.run(project_and_measure(engine_for(settings)))
        started = time.perf_counter()
        base = baseline(db)
        base_seconds = time.perf_counter() - started
    figures = m["figures"]
    assert all(figures[k] == base[k] for k in ("conversations", "questions", "handoffs", "no_match_questions")), (figures, base)
    events_s, seconds = f"≥ {TARGET_EVENTS_PER_SECOND}", f"≤ {TARGET_AGGREGATE_SECONDS:.0f} s"
    rows = [
        (f"ingest: our SQL broker, masked, batched ({BROKER_SAMPLE:,} events)", f"{ours:,.0f} ev/s", events_s),
        (f"  baseline: Rasa's SQLEventBroker, a commit per event ({RASA_BROKER_SAMPLE:,})", f"{rasas:,.0f} ev/s", ""),
        ("ingest: projection into questions and per-day rollups", f"{m['projection']:,.0f} ev/s", events_s),
        (f"dashboard figures, {count:,} events, no filter (rollups)", f"{m['whole']:.2f} s", seconds),
        ("dashboard figures, one channel, 10 days (rollups)", f"{m['channel']:.2f} s", seconds),
        ("dashboard figures, one department and channel (its turns)", f"{m['department']:.2f} s", seconds),
        ("  baseline: the same figures from the turns, no filter", f"{m['turns']:.2f} s", ""),
        ("  baseline: the headline figures from raw events (Python)", f"{base_seconds:.2f} s", ""),
    ]
    print(f"{'what':<64}{'result':>12}{'target':>10}")
    for what, result, target in rows:
        print(f"{what:<64}{result:>12}{target:>10}")
    print(f"  ({figures['conversations']:,} conversations, {figures['questions']:,} questions; the rollups equal the turns, "
          "the raw events agree on the counts)")
    slowest = max(m["whole"], m["channel"], m["department"])
    if getattr(args, "analytics_postgres", None):
        pg = asyncio.run(on_postgresql(args.analytics_postgres, count))
        print(f"the same on PostgreSQL ({args.analytics_postgres.split('@')[-1]}), {count:,} events:")
        for what, key, unit in (("projection into questions and per-day rollups", "projection", "ev/s"), ("dashboard, no filter (rollups)", "whole", "s"),
                                ("dashboard, one channel, 10 days (rollups)", "channel", "s"), ("dashboard, one department and channel (its turns)", "department", "s"),
                                ("  baseline: the same figures from the turns, no filter", "turns", "s")):
            value = f"{pg[key]:,.0f} ev/s" if unit == "ev/s" else f"{pg[key]:.2f} s"
            print(f"{what:<64}{value:>12}")
        slowest = max(slowest, pg["whole"], pg["channel"], pg["department"])
        drained = asyncio.run(consumer_rate(args.analytics_postgres, BROKER_SAMPLE))
        print(f"{f'ingest: RabbitMQ consumer into PostgreSQL ({BROKER_SAMPLE:,} queued events)':<64}{f'{drained:,.0f} ev/s':>12}{events_s:>10}")
        ok_pg = pg["projection"] >= TARGET_EVENTS_PER_SECOND and drained >= TARGET_EVENTS_PER_SECOND
    else:
        ok_pg = True
    return ok_pg and ours >= TARGET_EVENTS_PER_SECOND and m["projection"] >= TARGET_EVENTS_PER_SECOND and slowest <= TARGET_AGGREGATE_SECONDS


async def _make(settings: Settings) -> None:
    engine = engine_for(settings)
    await create_tables(engine)
    await engine.dispose()
