"""Many instances: two hosts, each with a Rasa server, an action server and a notifier,
share only Redis and PostgreSQL (tests/instances.py), so a conversation may go to either,
message by message, and one host may die without losing anything."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from pathlib import Path

from bot.run import start_portal, stop

from channels.failures import BUSY
from tests.chat import new_applicant, receipt_of, texts, user
from tests.instances import PORTAL_PORT, RASA_PORTS, WECHAT_API_PORT, onto_item, say_to, tracker
from tests.rasa_env import run_in_rasa

A, B = RASA_PORTS


def test_a_form_half_filled_on_one_server_is_finished_on_the_other(many):
    me = user()
    id_number, phone = new_applicant()
    onto_item(B, me, say_to(A, me, "济南的居住证怎么申领"), "居住证申领")
    started = texts(say_to(A, me, "我要在线申请"))
    assert "开始为您在线办理" in started and "身份证号" in started
    assert "姓名" in texts(say_to(B, me, id_number))
    assert "手机号" in texts(say_to(A, me, "张三"))

    # Half-filled: both servers see the same form, from Redis.
    for port in (A, B):
        state = tracker(port, me)
        assert state["active_loop"]["name"] == "application_form"
        assert state["slots"]["applicant_name"] == "张三"
        assert state["slots"]["requested_slot"] == "applicant_phone"
    stored = many.redis.get(f"{many.key_prefix}:tracker:{me}")
    assert stored and json.loads(stored)["name"] == me
    assert id_number not in stored and phone not in stored  # the channel masked them

    say_to(B, me, phone)
    say_to(A, me, "历下区泉城路1号")
    summary = texts(say_to(B, me, "2025年1月31日"))
    assert "张三" in summary and "历下区泉城路1号" in summary
    done = texts(say_to(A, me, "确认提交"))
    assert "受理编号：SD" in done
    assert tracker(B, me)["active_loop"] in ({}, None) or not tracker(B, me)["active_loop"].get("name")


def test_each_server_answers_conversations_started_on_the_other(many):
    for started_on, other in ((A, B), (B, A)):
        me = user()
        say_to(started_on, me, "孩子刚出生怎么上户口")
        item = tracker(started_on, me)["slots"]["current_item"]
        assert item
        follow_up = texts(say_to(other, me, "那要多久？"))  # about the item found on the first server
        assert follow_up and BUSY not in follow_up
        state = tracker(other, me)
        assert state["slots"]["current_item"] == item
        assert [e["text"] for e in state["events"] if e["event"] == "user"] == ["孩子刚出生怎么上户口", "那要多久？"]


def test_simulated_citizens_spread_over_both_servers_all_get_answers(many):
    """The load test's driver (bench/load.py), each message to the next server in turn."""
    from bench.load import drive, tongban_conversations
    from catalogue.store import load_catalogue
    from tests.conftest import portal_settings

    names = sorted({item.name for item in load_catalogue(portal_settings("shandong", Path(many.env["TONGBAN_VAR"]))).items.values()})
    urls = [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in (A, B)]
    result = asyncio.run(drive(urls, tongban_conversations(names), users=6, seconds=10, think=(0.2, 0.8)))
    assert result.messages >= 20  # ~120 on a quiet machine; far fewer when the cores are shared
    assert not result.errors, result.errors


# ---- two hosts sharing only Redis and PostgreSQL ------------------------------------------


def fill_form(port_of, me: str) -> str:
    """A residence permit up to its summary, each message to the host `port_of(n)` says."""
    turn = iter(range(100))
    id_number, phone = new_applicant()
    onto_item(port_of(next(turn)), me, say_to(port_of(next(turn)), me, "济南的居住证怎么申领"), "居住证申领")
    assert "身份证号" in texts(say_to(port_of(next(turn)), me, "我要在线申请"))
    for answer in (id_number, "张三", phone, "历下区泉城路1号"):
        say_to(port_of(next(turn)), me, answer)
    return texts(say_to(port_of(next(turn)), me, "2025年1月31日"))


def staff_moves(many, receipt: str, status: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORTAL_PORT}/staff/applications/{receipt}/status",
        json.dumps({"status": status}).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {many.env['PORTAL_STAFF_TOKEN']}"},
    )
    urllib.request.urlopen(request, timeout=10).read()


def pushes(port: int, sender: str) -> list[str]:
    return [e["text"] for e in tracker(port, sender)["events"] if e["event"] == "bot" and "状态更新为" in (e.get("text") or "")]


def wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


def test_the_hosts_share_no_folder(many):
    assert many.envs[0]["TONGBAN_VAR"] != many.envs[1]["TONGBAN_VAR"]
    for env in many.envs:  # nothing the conversations need was written to a host's folder
        assert not {"vault.sqlite", "outbox.sqlite", "handoff.sqlite"} & {p.name for p in Path(env["TONGBAN_VAR"]).iterdir()}


def test_a_wechat_retry_reaching_the_other_host_is_answered_once(many, monkeypatch):
    import tests.test_wechat as wechat

    monkeypatch.setattr(wechat, "WECHAT_API_PORT", WECHAT_API_PORT)
    with wechat.serving(wechat.FakeWeChat()) as fake:
        me = wechat.new_user(fake)
        retried = wechat.message(me, "孩子刚出生怎么上户口")
        for port in (A, B):  # WeChat got no "success" in time and retries; the balancer picks the other host
            monkeypatch.setattr(wechat, "WEBHOOK", f"http://127.0.0.1:{port}/webhooks/wechat/webhook")
            status, body, _ = wechat.push(retried)
            assert (status, body) == (200, "success")
        fake.wait(me)
        time.sleep(3)  # time for a second answer, were there one
        assert len(fake.texts_to(me)) == 1, fake.texts_to(me)
        assert [e["text"] for e in tracker(B, me)["events"] if e["event"] == "user"] == ["孩子刚出生怎么上户口"]
        assert not fake.problems, fake.problems


def test_both_hosts_send_through_wechat_with_one_access_token(many, monkeypatch):
    """Each access token WeChat issues retires the one before: the hosts share one in Redis,
    and after it expires one host fetches the next for both."""
    import tests.test_wechat as wechat

    monkeypatch.setattr(wechat, "WECHAT_API_PORT", WECHAT_API_PORT)
    many.redis.delete(f"{many.key_prefix}:wechat:token:{wechat.APPID}")  # issued by an earlier test's fake
    with wechat.serving(wechat.FakeWeChat()) as fake:
        for round_ in range(2):
            if round_:
                fake.expire_token()
            for port in (A, B):
                me = wechat.new_user(fake)
                monkeypatch.setattr(wechat, "WEBHOOK", f"http://127.0.0.1:{port}/webhooks/wechat/webhook")
                assert wechat.push(wechat.message(me, "你好"))[:2] == (200, "success")
                fake.wait(me)
            # Before expiry: A's token served B too. After: A was refused once and fetched; B read it.
            assert (fake.tokens_issued, fake.refused_stale) == ((1, 0), (2, 1))[round_]
        assert not fake.problems, fake.problems


def test_a_push_reaches_a_browser_connected_to_the_other_host(many):
    """socket.io through Redis: the web widget talks to host B; a status change pushed
    through host A's Rasa (RASA_URL may name any server) still reaches it."""
    import socketio

    from channels.push import push_message
    from tests.chat import RASA_TOKEN

    session = user()

    async def scenario() -> list[str]:
        client, confirmed, received = socketio.AsyncClient(), asyncio.Event(), asyncio.Queue()
        client.on("session_confirm", lambda *_: confirmed.set())
        client.on("bot_uttered", received.put_nowait)
        await client.connect(f"http://127.0.0.1:{B}", transports=["websocket"])
        try:
            await client.emit("session_request", {"session_id": session})
            await asyncio.wait_for(confirmed.wait(), 10)
            await client.emit("user_uttered", {"message": "你好", "session_id": session})
            texts_seen = [(await asyncio.wait_for(received.get(), 60)).get("text", "")]
            await push_message(session, "您的申请状态更新为：已受理。", rasa_url=f"http://127.0.0.1:{A}", token=RASA_TOKEN)
            while not any("已受理" in t for t in texts_seen):
                texts_seen.append((await asyncio.wait_for(received.get(), 30)).get("text", ""))
            return texts_seen
        finally:
            await client.disconnect()

    assert any("已受理" in t for t in asyncio.run(scenario()))


def test_a_host_killed_mid_run_loses_and_duplicates_nothing(many):
    """Last in this module: host A stays dead. Before it dies, with both notifiers running, a
    status change is pushed once; then, with the portal down, an application is queued and
    a human asked for on host A, which is killed: host B delivers the application once, the
    handoff waits for an agent once, and B's notifier pushes the next status change once."""
    me = user()
    assert "张三" in fill_form(lambda n: (A, B)[n % 2], me)
    receipt = receipt_of(texts(say_to(B, me, "确认提交")))
    staff_moves(many, receipt, "已受理")
    assert wait_for(lambda: pushes(A, me), 30)
    time.sleep(5)  # both notifiers have had rounds enough to push it again
    assert len(pushes(B, me)) == 1

    other = user()
    assert "张三" in fill_form(lambda n: A, other)
    stop([many.portal])  # the province's portal is down
    queued = texts(say_to(A, other, "确认提交"))
    assert "平台恢复后会自动提交" in queued
    assert "人工" in texts(say_to(A, other, "转人工"))
    many.kill_host(0)
    many.portal = start_portal({**many.env, "TONGBAN_VAR": str(Path(many.env["TONGBAN_VAR"]).parent / "portal")})
    with many.pg() as db:  # host B's action server sweeps the shared outbox
        assert wait_for(lambda: db.execute("SELECT count(*) FROM outbox WHERE sender_id = %s AND result IS NOT NULL",
                                           (other,)).fetchone()[0] == 1, 60)
        assert db.execute("SELECT count(*) FROM applications WHERE idempotency_key IN "
                          "(SELECT key FROM outbox WHERE sender_id = %s)", (other,)).fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM handoff WHERE sender_id = %s AND status = 'waiting'", (other,)).fetchone()[0] == 1
        their_receipt = db.execute("SELECT receipt_number FROM applications WHERE idempotency_key IN "
                                   "(SELECT key FROM outbox WHERE sender_id = %s)", (other,)).fetchone()[0]
    staff_moves(many, their_receipt, "已受理")
    assert wait_for(lambda: pushes(B, other), 30)
    time.sleep(5)
    assert len(pushes(B, other)) == 1


CHECK_VALIDATOR = """
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from bot.serve import validate_action_responses_once
validate_action_responses_once()
action = RemoteAction("action_answer", None)
assert action._validate_action_result({"events": [{"event": "slot", "name": "region", "value": "济南"}], "responses": [{"text": "好"}]})
for bad in ({"events": [{"event": "no such event"}]}, {"responses": "not a list"}):
    try:
        action._validate_action_result(bad)
    except ValidationError as error:
        assert "Failed to validate Action server response" in error.message
    else:
        raise AssertionError(bad)

# Each event checked against the kind its name gives accepts and refuses as the full oneOf does.
import random
from jsonschema import validators
from rasa.shared.utils.schemas.events import EVENT_SCHEMA
schema = RemoteAction.action_response_format_spec()
full = validators.validator_for(schema)(schema)
def accepted(result):
    try:
        return action._validate_action_result(result)
    except ValidationError:
        return False
rng = random.Random(7)
names = [kind["properties"]["event"]["const"] for kind in EVENT_SCHEMA["oneOf"]] + ["no such event", 5, None, ["bot"], {"a": 1}]
values = ["x", 1, 1.5, None, [], {}, {"a": 1}, True, [{"entity": "e", "value": 1}], [{"entity": 3}]]
keys = ["name", "value", "text", "timestamp", "metadata", "parse_data", "entities", "policy", "confidence", "data",
        "input_channel", "message_id", "action_text", "date_time", "kill_on_user_msg", "intent", "events"]
verdicts = []
for _ in range(3000):
    event = {"event": rng.choice(names)} if rng.random() < 0.97 else {}
    for key in rng.sample(keys, rng.randint(0, 5)):
        event[key] = rng.choice(values)
    result = rng.choice([{"events": [event], "responses": [{"text": "好"}]}] * 8 + [{"events": event}, {"events": [event, 3]}])
    verdicts.append(full.is_valid(result))
    assert accepted(result) == verdicts[-1], result
assert 0.3 < sum(verdicts) / len(verdicts) < 0.8  # both verdicts well exercised
print("ok")
"""


def test_rasa_checks_action_responses_with_one_prepared_validator():
    """bot/serve.py's replacement of Rasa's per-response schema check (one prepared validator,
    each event checked against its own kind) accepts and refuses what Rasa's own does."""
    run = run_in_rasa(CHECK_VALIDATOR)
    assert run.stdout.strip().endswith("ok"), run.stderr[-2000:]


SAME_PARSES = """
import asyncio, copy, sys
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from bot.serve import parse_each_text_once

texts = sys.argv[2:]
agent = Agent.load(sys.argv[1])

async def parse(n, only_output_properties=True):
    return [await agent.processor.parse_message(UserMessage(t, message_id=f"{n}-{i}", metadata={"n": n}), None, only_output_properties)
            for i, t in enumerate(texts)]

as_rasa_parses, as_rasa_whole = asyncio.run(parse(0)), asyncio.run(parse(0, False))
parse_each_text_once()
runs, run = [], agent.processor.graph_runner.run
agent.processor.graph_runner.run = lambda *args, **kwargs: runs.append(1) or run(*args, **kwargs)
first, again = asyncio.run(parse(1)), asyncio.run(parse(2))
short = {t for t in texts if len(t) <= 100}
assert len(runs) == len(short) + 2 * sum(len(t) > 100 for t in texts), len(runs)  # once a short text; a long one each time
for parses in (first, again):
    assert parses == as_rasa_parses, (parses, as_rasa_parses)
assert {"text", "intent", "entities", "intent_ranking"} <= set(first[0])
for n in (1, 2):  # all of a message's properties (not kept): this message's id and metadata
    for i, (mine, rasas) in enumerate(zip(asyncio.run(parse(n, False)), copy.deepcopy(as_rasa_whole))):
        assert mine.pop("message_id") == f"{n}-{i}" and rasas.pop("message_id") == f"0-{i}"
        assert mine.pop("metadata") == {"n": n} and rasas.pop("metadata") == {"n": 0}
        assert mine.keys() == rasas.keys() and mine["intent"] == rasas["intent"], (mine.keys(), rasas.keys())
again[0]["intent"]["name"] = "changed by a caller"
assert asyncio.run(parse(3))[0]["intent"]["name"] == as_rasa_parses[0]["intent"]["name"]  # each caller its own copy
print("ok")
"""


def test_rasa_parses_a_text_once_and_recalls_the_same_parse():
    """bot/serve.py keeps the NLU parses of recent short texts: a text said again gets what
    Rasa's own parse gives (intent, ranking, entities); long texts are parsed each time."""
    from bot.train import train

    long = "我家小区门口的路灯坏了好几个月，晚上出门特别黑，老人孩子走路很不安全，" * 4
    texts = ["孩子刚出生怎么上户口", "青岛的呢", "那要多久？", "第二个", "确认提交", "转人工", "济南历下区的居住证", "那要多久？", long]
    run = run_in_rasa(SAME_PARSES, str(train()), *texts, timeout=600)
    assert run.stdout.strip().endswith("ok"), run.stderr[-3000:]


CHECK_FREEZE = """
import asyncio, gc
import rasa.core.run
async def loaded(*args, **kwargs):
    return "agent"
rasa.core.run.load_agent_on_start = loaded  # Rasa's, without a model to load
from bot.serve import freeze_what_loading_made
freeze_what_loading_made()
assert gc.get_freeze_count() == 0
assert asyncio.run(rasa.core.run.load_agent_on_start("model.tar.gz", None, None)) == "agent"
assert gc.get_freeze_count() > 1000, gc.get_freeze_count()
print("ok")
"""


def test_rasa_hides_what_loading_made_from_the_garbage_collector():
    """bot/serve.py freezes the objects that exist once Rasa's agent has loaded, so full
    collections under load do not walk them (pauses of up to 0.9 s, README "Cost per message")."""
    run = run_in_rasa(CHECK_FREEZE)
    assert run.stdout.strip().endswith("ok"), run.stderr[-2000:]


SAME_PREDICTIONS = """
import asyncio, sys
from rasa.core.agent import Agent
from bot.serve import load_models_without_a_training_step

texts = sys.argv[2:]

def parses():
    agent = Agent.load(sys.argv[1])
    async def parse():
        return [await agent.parse_message(text) for text in texts]
    return [(p["intent"]["name"], round(p["intent"]["confidence"], 4), sorted((e["entity"], e["value"]) for e in p["entities"]))
            for p in asyncio.run(parse())]

as_rasa_loads = parses()
load_models_without_a_training_step()
assert parses() == as_rasa_loads, as_rasa_loads
print("ok")
"""


def test_rasa_loads_its_models_without_a_training_step_and_predicts_the_same():
    """bot/serve.py builds DIET's weights by predicting, not by a training step: the same
    intents, confidences and entities as Rasa's own loading."""
    from bot.train import train

    texts = ["孩子刚出生怎么上户口", "青岛的呢", "那要多久？", "第二个", "我要在线申请", "转人工", "我的申请到哪一步了", "济南历下区的居住证"]
    run = run_in_rasa(SAME_PREDICTIONS, str(train()), *texts, timeout=600)
    assert run.stdout.strip().endswith("ok"), run.stderr[-3000:]
