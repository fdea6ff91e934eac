"""Many instances: two Rasa servers (each with its own action server) share one Redis
tracker and lock store, so a conversation may go to either, message by message."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from channels.failures import BUSY
from tests.chat import new_applicant, texts, user
from tests.instances import RASA_PORTS, say_to, tracker

A, B = RASA_PORTS


def click(port: int, sender: str, messages: list[dict], title: str) -> list[dict]:
    buttons = [b for m in messages for b in m.get("buttons", []) if title in b["title"]]
    assert buttons, f"no choice {title!r} in {messages}"
    return say_to(port, sender, buttons[0]["payload"])


def test_a_form_half_filled_on_one_server_is_finished_on_the_other(many):
    me = user()
    id_number, phone = new_applicant()
    click(B, me, say_to(A, me, "济南的居住证怎么申领"), "居住证申领")
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
    assert result.messages >= 30
    assert not result.errors, result.errors
