"""Faults: the action server down, Redis down (at start and mid-run), a missing or
corrupt index. The user is told, never left in silence; operators get a message that
says what to run."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import socketio

from bot.run import start_rasa, stop
from channels.failures import BUSY
from settings import ROOT
from tests.chat import new_applicant, texts, user
from tests.instances import ACTIONS_PORTS, PRIVATE_REDIS_PORT, RASA_PORTS, SPARE_RASA_PORT, onto_item, say_to, tracker

A = RASA_PORTS[0]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


async def over_socketio(port: int, session_id: str, text: str) -> dict:
    """One message through the web widget's channel (socket.io); the first bot message back."""
    client, confirmed, replies = socketio.AsyncClient(), asyncio.Event(), asyncio.Queue()
    client.on("session_confirm", lambda *_: confirmed.set())
    client.on("bot_uttered", replies.put_nowait)
    await client.connect(f"http://127.0.0.1:{port}", transports=["websocket"])
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        await client.emit("user_uttered", {"message": text, "session_id": session_id})
        return await asyncio.wait_for(replies.get(), 30)
    finally:
        await client.disconnect()


def test_action_server_down_mid_form_tells_the_user_and_the_form_survives(many):
    me = user()
    id_number, _ = new_applicant()
    onto_item(A, me, say_to(A, me, "济南的居住证怎么申领"), "居住证申领")
    assert "身份证号" in texts(say_to(A, me, "我要在线申请"))
    assert "姓名" in texts(say_to(A, me, id_number))

    many.crash_actions(0)
    assert texts(say_to(A, me, "张三")) == BUSY
    assert texts(say_to(A, me, "居住证怎么办")) == BUSY
    assert asyncio.run(over_socketio(A, user(), "孩子刚出生怎么上户口"))["text"] == BUSY  # the web widget's channel too
    state = tracker(A, me)  # the answer the form could not validate was not kept
    assert state["active_loop"]["name"] == "application_form" and state["slots"]["requested_slot"] == "applicant_name"
    assert state["slots"]["applicant_name"] is None

    many.restart_actions(0)
    assert "手机号" in texts(say_to(A, me, "张三"))  # the form goes on where it stopped
    assert tracker(A, me)["slots"]["applicant_name"] == "张三"


def test_missing_or_corrupt_index_stops_the_action_server_naming_make_index(tmp_path):
    from catalogue.store import load_catalogue
    from retrieval.service import ensure_index
    from tests.conftest import portal_settings

    settings = portal_settings("shandong", tmp_path / "corrupt")
    ensure_index(load_catalogue(settings), settings)
    next(settings.index_dir.glob("*.faiss")).write_bytes(b"not a faiss index")
    for var_dir in (settings.var_dir, tmp_path / "empty"):
        started = time.monotonic()
        run = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "actions.server", "--port", str(ACTIONS_PORTS[1] + 2)],
            cwd=ROOT, env={**os.environ, "PORTAL": "shandong", "TONGBAN_VAR": str(var_dir), "ACTIONS_TOKEN": "t"},
            capture_output=True, text=True, timeout=120,
        )
        assert run.returncode != 0
        assert "make index" in run.stderr.strip().splitlines()[-1]
        assert time.monotonic() - started < 60  # at once, not after Sanic's 30 s worker timeout


def test_redis_unreachable_at_start_is_a_clear_error_naming_redis_url():
    port = closed_port()
    env = {**os.environ, "TRACKER_STORE": "redis", "REDIS_URL": f"redis://:secret@127.0.0.1:{port}/0"}
    run = subprocess.run([sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert f"Redis is unreachable at REDIS_URL=redis://127.0.0.1:{port}/0" in run.stderr
    assert "secret" not in run.stderr


def test_redis_down_mid_run_tells_the_user_and_recovers_when_it_is_back(many, tmp_path):
    def redis_server() -> subprocess.Popen:
        server = subprocess.Popen(
            ["redis-server", "--port", str(PRIVATE_REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", PRIVATE_REDIS_PORT), timeout=1).close()
                return server
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    server = redis_server()
    env = {**many.env, "REDIS_URL": f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"}
    rasa = start_rasa(env, many.model, SPARE_RASA_PORT, ACTIONS_PORTS[1])
    many.extra.append(rasa)
    try:
        me = user()
        assert "出生" in texts(say_to(SPARE_RASA_PORT, me, "孩子刚出生怎么上户口"))
        server.kill()
        server.wait()
        assert texts(say_to(SPARE_RASA_PORT, me, "那要多久？")) == BUSY
        server = redis_server()  # back, empty (no persistence): Rasa reconnects by itself
        reply = texts(say_to(SPARE_RASA_PORT, me, "孩子刚出生怎么上户口"))
        assert "出生" in reply and BUSY not in reply
    finally:
        stop([rasa, server])
