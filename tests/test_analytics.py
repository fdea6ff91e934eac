"""The analytics store without the bot: events (as Rasa's brokers write them) projected
into questions and measured exactly; ratings once per topic; 差评 tickets due 5 official
working days later, moved through their states; RabbitMQ → PostgreSQL through Rasa's own
Pika broker (in the Rasa environment) and our consumer; catalogue-gap grouping."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from analytics import evaluation
from analytics.measures import Filters, measure
from analytics.projection import CST, Projector
from analytics.store import create_tables, engine_for, events
from analytics.workdays import add_working_days
from settings import ROOT, Settings

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=CST).timestamp()  # a Friday


def user(sender, t, text, channel="rest"):
    return {"event": "user", "sender_id": sender, "timestamp": t, "text": text, "input_channel": channel, "intent": {"name": "search_service"}}


def bot(sender, t, text="", **custom):
    event = {"event": "bot", "sender_id": sender, "timestamp": t, "text": text}
    if custom:
        event["custom"] = custom
    return event


def card(code, name="居住证申领", department="济南市公安局", region="济南市"):
    return {"code": code, "name": name, "department": department, "region": region}


STREAM = [
    user("a", T0, "居住证怎么办"), bot("a", T0 + 0.2, "【居住证申领】", items=[card("A1")]),
    {"event": "action", "sender_id": "a", "timestamp": T0 + 0.3, "name": "action_listen"},
    user("a", T0 + 10, "谢谢"), bot("a", T0 + 10.1, "不客气"),
    user("b", T0 + 20, "共享单车押金怎么退"), bot("b", T0 + 20.4, "抱歉，没有找到", outcome="no_match"),
    user("b", T0 + 30, "/request_human"), {"event": "action", "sender_id": "b", "timestamp": T0 + 30.1, "name": "action_human_handoff"},
    bot("b", T0 + 30.3, "已为您转接人工客服", handoff={"ticket": 7}), {"event": "pause", "sender_id": "b", "timestamp": T0 + 30.3},
    bot("b", T0 + 300, "人工客服：押金请联系运营企业"),  # an agent's reply, pushed: not this message's latency
    user("c", T0 + 40, "营业执照", "wechat"), bot("c", T0 + 40.5, "有几个事项", items=[card("B1", "营业执照补领", "市场监管局"), card("B2", "营业执照注销", "市场监管局")]),
    user("c", T0 + 50, '/choose_option{"ordinal":"1"}', "wechat"), bot("c", T0 + 50.3, "【营业执照补领】", items=[card("B1", "营业执照补领", "市场监管局", "青岛市")]),
]


@pytest.fixture()
def store(tmp_path):
    """A fresh SQLite analytics store; the engine is made inside each test's event loop."""
    return replace(Settings(), var_dir=tmp_path)


async def opened(settings):
    engine = engine_for(settings)
    await create_tables(engine)
    return engine


async def write(engine, stream):
    async with engine.begin() as db:
        await db.execute(events.insert(), [{"sender_id": e["sender_id"], "data": json.dumps(e, ensure_ascii=False)} for e in stream])


def test_events_become_exact_measures_also_when_projected_in_pieces(store):
    async def go():
        engine = await opened(store)
        await write(engine, STREAM[:8])
        await Projector(engine, batch=3).catch_up()  # batches split conversations mid-turn
        await write(engine, STREAM[8:])
        await Projector(engine, batch=4).catch_up()  # a restarted projector carries on
        day = date(2026, 11, 27)
        return [await measure(engine, f, day) for f in (Filters(), Filters(channel="wechat"), Filters(department="济南市公安局"))]

    m, by_channel, by_department = asyncio.run(go())
    assert (m["conversations"], m["questions"], m["self_service"], m["handoffs"], m["no_match_questions"]) == (3, 4, 2, 1, 1)
    assert m["self_service_rate"] == round(2 / 3, 4) and m["handoff_rate"] == round(1 / 3, 4) and m["no_match_rate"] == 0.25
    assert m["latency_ms"]["p50"] == pytest.approx(300, abs=1) and m["latency_ms"]["p99"] < 1000  # pushes excluded
    assert [(i["code"], i["count"]) for i in m["top_items"]] == [("A1", 1), ("B1", 1)]
    assert m["by_day"] == [{"day": "2026-11-27", "conversations": 3, "messages": 6, "no_match": 1}]
    assert (by_channel["conversations"], by_channel["questions"]) == (1, 1)
    assert by_department["conversations"] == 1 and by_department["by_region"] == [{"region": "济南市", "conversations": 1, "messages": 1}]


def test_working_days_follow_the_official_calendar():
    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)  # Fri → next Fri
    assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)  # 国庆 holidays skipped, 10-10 (Sat) worked
    assert add_working_days(date(2026, 12, 30), 5) == date(2027, 1, 6)  # beyond the package's data: Mon-Fri


def test_one_rating_per_topic_and_a_ticket_for_a_bad_one(store):
    async def go():
        engine = await opened(store)
        item = {"item_code": "A1", "item_name": "居住证申领", "department": "济南市公安局", "region": "济南市"}
        assert await evaluation.rate(engine, "a", "rest", "item:A1", "item", "满意", item, now=T0) is None
        with pytest.raises(evaluation.AlreadyRated):
            await evaluation.rate(engine, "a", "rest", "item:A1", "item", "不满意", item, now=T0)
        assert await evaluation.rate(engine, "h", "rest", "handoff:7", "handoff", "非常不满意", {}, now=T0) is None  # no item: no ticket
        ticket = await evaluation.rate(engine, "b", "wechat", "application:SD1", "application", "非常不满意", item, now=T0)
        assert ticket["due"] == date(2026, 12, 4) and ticket["state"] == "待回访" and ticket["department"] == "济南市公安局"
        assert await evaluation.add_reason(engine, "b", "application:SD1", "办理时间太长，电话13812345678")
        listed = await evaluation.list_tickets(engine, today=date(2026, 12, 7))
        assert listed[0]["overdue"] and listed[0]["reason"] == "办理时间太长，电话138****5678"
        with pytest.raises(evaluation.BadMove):
            await evaluation.move(engine, ticket["id"], "已办结", "直接办结")  # 待回访 → 已办结 skips a step
        await evaluation.move(engine, ticket["id"], "整改中", "已回访")
        with pytest.raises(evaluation.BadMove):
            await evaluation.move(engine, ticket["id"], "已办结", "")  # needs an account
        await evaluation.move(engine, ticket["id"], "已办结", "已增加窗口，缩短等候时间")
        assert [t["id"] for t in await evaluation.unnotified(engine)] == [ticket["id"]]
        m = await measure(engine, Filters(), date(2026, 12, 7))
        assert m["ratings"] == {"非常满意": 0, "满意": 1, "基本满意": 0, "不满意": 0, "非常不满意": 2}
        assert m["satisfaction_rate"] == round(1 / 3, 4) and (m["tickets_open"], m["tickets_overdue"]) == (0, 0)
        return ticket

    asyncio.run(go())


SQL_PUBLISHER = """
import json, sys
from analytics.broker import MaskedSQLEventBroker
broker = MaskedSQLEventBroker(dialect="sqlite", db=sys.argv[1])
for event in json.load(sys.stdin):
    broker.publish(event)
# no close(): the batches still queued are written when the interpreter exits
"""


def test_rasas_sql_broker_writes_every_event_masked_in_batches(tmp_path):
    """Our SQL broker in Rasa's environment: publish only queues; every event reaches
    `events` (more than one batch, the last one at exit), masked."""
    stream = [user(f"s{i % 40}", T0 + i, f"第{i}个问题，身份证370102199003071238") for i in range(2500)]
    db = tmp_path / "broker.sqlite"
    subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", SQL_PUBLISHER, str(db)], input=json.dumps(stream).encode(),
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, timeout=120, capture_output=True,
    )
    import sqlite3

    rows = sqlite3.connect(db).execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
    assert len(rows) == len(stream) and rows[-1][0] == "s19"
    assert "370102199003071238" not in "".join(d for _, d in rows) and json.loads(rows[0][1])["text"].startswith("第0个问题")


def test_rabbitmq_to_postgresql_through_rasas_pika_broker(tmp_path):
    """Rasa's own Pika broker (our masked subclass, in the Rasa environment) publishes;
    the consumer stores into PostgreSQL; the projection measures it."""
    asyncio.run(_rabbitmq_to_postgresql(tmp_path))


PUBLISHER = """
import asyncio, json, sys
from rasa.utils.endpoints import EndpointConfig
from analytics.broker import MaskedPikaEventBroker
async def main():
    config = EndpointConfig(url="127.0.0.1", type="pika", username="guest", password="guest", queues=["tongban_analytics"])
    broker = await MaskedPikaEventBroker.from_endpoint_config(config)
    for event in json.load(sys.stdin):
        broker.publish(event)
    await asyncio.sleep(1)
    await broker.close()
asyncio.run(main())
"""


async def _rabbitmq_to_postgresql(tmp_path):
    db = f"analytics_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f"CREATE DATABASE {db}"))
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANALYTICS_BROKER": "pika", "ANALYTICS_DB_URL": url, "TONGBAN_VAR": str(tmp_path), "LOG_FORMAT": "text"}
    log = open(tmp_path / "consumer.log", "wb")
    consumer = subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), "-m", "analytics.consumer"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    engine = create_async_engine(url)
    try:
        sender = f"pika-{uuid.uuid4().hex[:6]}"
        # as Rasa serialises them: the bot's custom payload under data, the NLU's result in parse_data
        stream = [{**{k: v for k, v in e.items() if k not in ("custom", "intent")}, "sender_id": sender,
                   **({"data": {"custom": e["custom"]}} if "custom" in e else {}),
                   **({"parse_data": {"intent": e["intent"], "intent_ranking": [e["intent"]]}} if "intent" in e else {})}
                  for e in STREAM[:7]]
        stream[0]["text"] = "我的身份证是370102199003071238，居住证怎么办"
        await asyncio.to_thread(
            subprocess.run, [str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", PUBLISHER], cwd=ROOT, env=env,
            input=json.dumps(stream).encode(), check=True, timeout=120, capture_output=True,
        )
        deadline = time.monotonic() + 30
        while await _count(engine, sender) < len(stream) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        stored = await _rows(engine, sender)
        assert len(stored) == len(stream)
        assert "370102199003071238" not in "".join(stored) and "370102********1238" in "".join(stored)
        await Projector(engine).catch_up()
        m = await measure(engine, Filters(), date(2026, 11, 27))
        assert (m["conversations"], m["questions"], m["no_match_questions"]) == (1, 3, 1)
    finally:
        await engine.dispose()
        consumer.terminate()
        await asyncio.to_thread(consumer.wait, 20)
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP DATABASE {db} WITH (FORCE)"))
        await admin.dispose()
    assert consumer.returncode == 0, (tmp_path / "consumer.log").read_text()


async def _count(engine, sender):
    try:
        async with engine.connect() as db:
            return (await db.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender})).scalar()
    except Exception:  # the consumer has not made the table yet
        return 0


async def _rows(engine, sender):
    async with engine.connect() as db:
        return [r[0] for r in (await db.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})).all()]


def test_gap_grouping_finds_the_authored_topics():
    rows = [json.loads(line) for line in (ROOT / "data" / "eval" / "gaps_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    result = subprocess.run([sys.executable, "-m", "analytics.gaps", str(ROOT / "data" / "eval" / "gaps_dev.jsonl")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(rows) >= 200 and len({r["topic"] for r in rows}) >= 15
    assert scores["purity"] >= 0.85 and scores["inverse_purity"] >= 0.8, scores
