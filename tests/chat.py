"""Talking to the test bot (started once per session by the `bot` fixture in conftest.py)."""

from __future__ import annotations

import json
import os
import random
import urllib.parse
import urllib.request
import uuid

from stdnum.cn import ric

# Several checkouts may test on one machine at once: each picks its own port block.
PORT_BASE = int(os.environ.get("TONGBAN_TEST_PORT_BASE", "15000"))
RASA_PORT, ACTIONS_PORT, PORTAL_PORT, ASSIST_PORT = PORT_BASE + 5, PORT_BASE + 55, PORT_BASE + 88, PORT_BASE + 90
WECHAT_API_PORT = PORT_BASE + 61  # the fake WeChat API of tests/test_wechat.py
NOTIFIER_PORT = PORT_BASE + 56
ANALYTICS_PORT = PORT_BASE + 92  # the dashboard (analytics/app.py)
RASA = f"http://127.0.0.1:{RASA_PORT}"
URL = f"{RASA}/webhooks/rest/webhook"
# Rasa's HTTP API (trackers, events) answers only with this token (bot/serve.py).
RASA_TOKEN = "tongban-test-rasa-token"
# The WeChat channel is on, talking to the fake WeChat API (a 43-character EncodingAESKey).
WECHAT_ENV = {
    "WECHAT_TOKEN": "tongban-test-token",
    "WECHAT_APPID": "wx0123456789abcdef",
    "WECHAT_SECRET": "tongban-test-secret",
    "WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "WECHAT_API_BASE": f"http://127.0.0.1:{WECHAT_API_PORT}",
}
# LOG_LEVEL=DEBUG (Rasa reads it too): tests/test_privacy.py scans even the most talkative logs.
ENV = {
    "PORTAL": "shandong",
    "PORTAL_URL": f"http://127.0.0.1:{PORTAL_PORT}",
    "ASSIST_URL": f"http://127.0.0.1:{ASSIST_PORT}",
    "ANALYTICS_URL": f"http://127.0.0.1:{ANALYTICS_PORT}",
    "RASA_TOKEN": RASA_TOKEN,
    "LOG_LEVEL": "DEBUG",
    **WECHAT_ENV,
}


def say(sender: str, text: str, raw: bytes | None = None) -> list[dict]:
    body = raw if raw is not None else json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(URL, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.load(response)


def tracker(sender: str) -> dict:
    """The conversation as Rasa's HTTP API gives it (with the API token)."""
    url = f"{RASA}/conversations/{urllib.parse.quote(sender, safe='')}/tracker?token={RASA_TOKEN}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def items(messages: list[dict]) -> list[dict]:
    return [i for m in messages for i in (m.get("custom") or {}).get("items", [])]


def custom(messages: list[dict], key: str) -> list:
    return [m["custom"][key] for m in messages if key in (m.get("custom") or {})]


def reply_after(*said: str) -> list[dict]:
    """A new user's conversation, each message said in turn: the reply to the last."""
    me = user()
    for text in said[:-1]:
        say(me, text)
    return say(me, said[-1])


def user() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def new_applicant() -> tuple[str, str]:
    """A valid ID number (GB 11643 check digit) and mobile number no other test uses."""
    body = f"370102{random.randint(1988, 2002)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}{random.randint(100, 999)}"
    return body + ric.calc_check_digit(body + "0"), f"13{random.randint(0, 9)}{random.randint(10**7, 10**8 - 1)}"


def pick(me: str, messages: list[dict], name: str) -> None:
    """When the bot offers choices, click the one for `name`."""
    for button in [b for m in messages for b in m.get("buttons", [])]:
        if name in button["title"]:
            say(me, button["payload"])
            return


def start_residence_permit(me: str) -> None:
    pick(me, say(me, "济南的居住证怎么申领"), "居住证申领")
    started = texts(say(me, "我要在线申请"))
    assert "开始为您在线办理" in started and "身份证号" in started


def fill_residence_permit(me: str, id_number: str, phone: str) -> str:
    """Start the 居住证 form and answer every question; returns the summary's text."""
    start_residence_permit(me)
    assert "校验位" in texts(say(me, id_number[:-1] + ("0" if id_number[-1] != "0" else "1")))  # wrong check digit
    assert "姓名" in texts(say(me, id_number))
    assert "手机号" in texts(say(me, "张三"))
    say(me, phone)
    say(me, "历下区泉城路1号")
    return texts(say(me, "2025年1月31日"))


def receipt_of(reply: str) -> str:
    assert "受理编号：SD" in reply
    return reply.split("受理编号：")[1][:16]
