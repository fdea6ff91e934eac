"""Talking to the test bot (started once per session by the `bot` fixture in conftest.py)."""

from __future__ import annotations

import json
import os
import urllib.request
import uuid

# Several checkouts may test on one machine at once: each picks its own port block.
PORT_BASE = int(os.environ.get("TONGBAN_TEST_PORT_BASE", "15000"))
RASA_PORT, ACTIONS_PORT, PORTAL_PORT, ASSIST_PORT = PORT_BASE + 5, PORT_BASE + 55, PORT_BASE + 88, PORT_BASE + 90
URL = f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook"
ENV = {"PORTAL": "shandong", "PORTAL_URL": f"http://127.0.0.1:{PORTAL_PORT}", "ASSIST_URL": f"http://127.0.0.1:{ASSIST_PORT}"}


def say(sender: str, text: str, raw: bytes | None = None) -> list[dict]:
    body = raw if raw is not None else json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(URL, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.load(response)


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def items(messages: list[dict]) -> list[dict]:
    return [i for m in messages for i in (m.get("custom") or {}).get("items", [])]


def user() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"
