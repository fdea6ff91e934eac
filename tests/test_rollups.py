"""The dashboard's per-day rollups equal the figures computed from the projected turns —
every count, the latency percentiles, the daily series, the top items and places (and
so do a region's, department's or item's figures summed from its turns) — on a
generated stream with several days and channels, turns whose outcome changes after they
were stored (a no-match, then a handoff), late bot events after a restart, and batches
that split conversations. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from analytics import rollups
from analytics.measures import Filters, from_rollups, from_slice, from_turns
from analytics.projection import CST, Projector
from analytics.store import create_tables, engine_for, events
from settings import Settings

DAY0 = datetime(2026, 11, 23, 23, 0, tzinfo=CST).timestamp()  # conversations cross midnight too


def stream(seed: int = 3, conversations: int = 400) -> list[dict]:
    rng = random.Random(seed)
    items = [(f"I{i}", f"事项{i}", f"部门{i % 5}", f"地区{i % 3}") for i in range(12)]
    out = []
    for c in range(conversations):
        sender, channel = f"s{c % 300}", rng.choice(("rest", "socketio", "wechat"))  # some senders come back
        t = DAY0 + rng.random() * 4 * 86400
        for _ in range(rng.randint(1, 4)):
            code, name, department, region = rng.choice(items)
            out.append({"event": "user", "timestamp": t, "text": "问题", "input_channel": channel})
            roll = rng.random()
            if roll < 0.15:
                out.append({"event": "bot", "timestamp": t + rng.uniform(0.05, 2.5), "custom": {"outcome": "no_match"}})
            elif roll < 0.25:
                out.append({"event": "bot", "timestamp": t + rng.uniform(0.05, 2.5), "custom": {"items": [{"code": "X"}, {"code": "Y"}]}})
            else:
                card = {"code": code, "name": name, "department": department, "region": region}
                out.append({"event": "bot", "timestamp": t + rng.uniform(0.05, 2.5), "custom": {"items": [card]}})
            if roll > 0.9:  # handed over after the answer: the stored turn becomes a handoff
                out.append({"event": "action", "timestamp": t + 3, "name": "action_human_handoff"})
            out.append({"event": "action", "timestamp": t + 3.1, "name": "action_listen"})
            t += rng.uniform(30, 4000)
        for event in reversed(out):
            if "sender_id" in event:
                break
            event["sender_id"] = sender
    return out


FILTERS = [Filters(), Filters(channel="wechat"), Filters(start=date(2026, 11, 24), end=date(2026, 11, 25)),
           Filters(start=date(2026, 11, 25), channel="rest")]
SLICES = [Filters(department="部门1"), Filters(region="地区2", channel="wechat"), Filters(item_code="I3", start=date(2026, 11, 25)),
          Filters(department="部门0", region="地区0")]


async def project_and_compare(engine) -> dict:
    await create_tables(engine)
    events_ = stream()
    half = len(events_) // 2
    for part, batch in ((events_[:half], 7), (events_[half:], 50)):
        async with engine.begin() as db:
            await db.execute(events.insert(), [{"sender_id": e["sender_id"], "data": json.dumps(e, ensure_ascii=False)} for e in part])
        projector = Projector(engine, batch=batch)  # a fresh projector: a restart between the halves
        await asyncio.gather(projector.catch_up(), projector.catch_up())  # the background loop and a request at once
    async with engine.connect() as db:
        for f in FILTERS:
            raw, rolled = await from_turns(db, f, 10), await from_rollups(db, f, 10)
            assert rolled == raw, f
        for f in SLICES:  # a region, department or item: the slice's turns summed in Python
            raw, summed = await from_turns(db, f, 10), await from_slice(db, f, 10)
            assert raw["conversations"] > 0 and summed == raw, f
        whole = await from_turns(db, Filters(), 10)
    async with engine.begin() as db:  # a store from before the rollups: rebuilt from its turns
        await rollups.rebuild(db)
    async with engine.connect() as db:
        assert await from_rollups(db, Filters(), 10) == whole
    return whole


def check(whole: dict) -> None:
    assert whole["conversations"] > 400 and len(whole["by_day"]) >= 5  # 4 days, crossing midnight
    assert 0 < whole["handoffs"] < whole["conversations"] and whole["no_match_questions"] > 0
    assert whole["latency_ms"]["p50"] < whole["latency_ms"]["p99"]


def test_rollups_equal_the_turns_on_sqlite(tmp_path):
    async def go():
        engine = engine_for(replace(Settings(), var_dir=tmp_path))
        try:
            return await project_and_compare(engine)
        finally:
            await engine.dispose()

    check(asyncio.run(go()))


def test_rollups_equal_the_turns_on_postgresql():
    async def go():
        name = f"rollups_{uuid.uuid4().hex[:8]}"
        admin = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f"CREATE DATABASE {name}"))
        engine = create_async_engine(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}")
        try:
            return await project_and_compare(engine)
        finally:
            await engine.dispose()
            async with admin.connect() as connection:
                await connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
            await admin.dispose()

    check(asyncio.run(go()))
