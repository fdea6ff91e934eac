"""Rasa's HTTP API and the action server need their tokens, input channels limit each
sender's rate, browsers may call only from the allowed origins, and secrets stay out of
command lines and logs (the running bot of conftest.py)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio

from channels.intake import RateLimiter
from tests.chat import ACTIONS_PORT, ENV, PORTAL_PORT, RASA, RASA_TOKEN, say, texts, tracker, user

TOO_FAST = "消息太频繁，请稍后再试"
PORTAL_ORIGIN = f"http://127.0.0.1:{PORTAL_PORT}"


def status_of(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_rasa_http_api_needs_the_token(bot):
    me = user()
    say(me, "你好")
    for path in (f"/conversations/{me}/tracker", "/status", "/domain", f"/conversations/{me}/story"):
        assert status_of(f"{RASA}{path}")[0] == 401, path
        assert status_of(f"{RASA}{path}?token=wrong")[0] == 401, path
    assert status_of(f"{RASA}/status?token={RASA_TOKEN}")[0] == 200
    assert any(e["event"] == "user" for e in tracker(me)["events"])


def test_no_secret_is_on_a_command_line(bot, sd_settings):
    secrets = [*kept_secrets(sd_settings).values(), RASA_TOKEN, ENV["WECHAT_SECRET"], ENV["WECHAT_AES_KEY"]]
    for process in bot:
        with open(f"/proc/{process.pid}/cmdline", "rb") as cmdline:
            arguments = cmdline.read().decode()
        assert not [s for s in secrets if s in arguments], arguments


def test_secrets_file_is_private(bot, sd_settings):
    assert (sd_settings.var_dir / "secrets.env").stat().st_mode & 0o077 == 0


def test_a_sender_over_the_rate_limit_is_told_so_and_others_are_not(bot):
    me, other = user(), user()
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: texts(say(me, "你好")), range(40)))
    limited = [r for r in replies if TOO_FAST in r]
    assert 10 <= len(limited) < 40  # the burst (20) was answered, the rest told to wait
    assert TOO_FAST not in texts(say(other, "你好"))


def test_token_bucket_refills():
    limiter = RateLimiter(burst=2, per_second=1000)
    assert limiter.allow("a") and limiter.allow("a")
    slow = RateLimiter(burst=2, per_second=0.001)
    assert slow.allow("a") and slow.allow("a") and not slow.allow("a") and slow.allow("b")


@pytest.mark.parametrize("origin, allowed", [(PORTAL_ORIGIN, True), ("https://evil.example", False)])
def test_rasa_cors_allows_only_configured_origins(bot, origin, allowed):
    preflight = {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    _, headers = status_of(f"{RASA}/webhooks/rest/webhook", "OPTIONS", preflight)
    assert (headers.get("Access-Control-Allow-Origin") == origin) is allowed


@pytest.mark.parametrize("url", [f"http://127.0.0.1:{ACTIONS_PORT}/health", f"{PORTAL_ORIGIN}/health"])
def test_action_server_and_portal_allow_no_browser_origin(bot, url):
    _, headers = status_of(url, "GET", {"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers
    _, headers = status_of(url, "OPTIONS", {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert headers.get("Access-Control-Allow-Origin") in (None, "")


def test_portal_progress_takes_the_applicant_in_the_body_not_the_url(bot):
    # A GET with ?applicant= is no longer a route: ID numbers and phones stay out of URLs.
    assert status_of(f"{PORTAL_ORIGIN}/progress/SD00000000000000?applicant=13812345678")[0] == 405
    spec = json.load(urllib.request.urlopen(f"{PORTAL_ORIGIN}/openapi.json", timeout=10))
    assert list(spec["paths"]["/progress/{receipt_number}"]) == ["post"]


def test_action_server_runs_actions_only_for_rasa(bot, sd_settings):
    actions = f"http://127.0.0.1:{ACTIONS_PORT}"
    call = json.dumps({"next_action": "action_answer", "sender_id": "x", "tracker": {}, "domain": {}}).encode()
    for query in ("", "?token=wrong"):
        request = urllib.request.Request(f"{actions}/webhook{query}", call, {"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("an action ran without the token")
        except urllib.error.HTTPError as error:
            assert error.code == 401 and "令牌" in json.loads(error.read())["message"]
        assert status_of(f"{actions}/actions{query}")[0] == 401
    token = kept_secrets(sd_settings)["ACTIONS_TOKEN"]
    assert status_of(f"{actions}/actions?token={token}")[0] == 200
    assert TOO_FAST not in texts(say(user(), "你好"))  # and Rasa, which has it, still gets answers


def kept_secrets(sd_settings) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (sd_settings.var_dir / "secrets.env").read_text().split())


def test_no_secret_reaches_a_log(bot, sd_settings):
    say(user(), "你好")
    secrets = [*kept_secrets(sd_settings).values(), RASA_TOKEN, ENV["WECHAT_SECRET"], ENV["WECHAT_AES_KEY"]]
    for log in (sd_settings.var_dir / "logs").glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert not [s for s in secrets if s in text], log.name


def test_socketio_sender_over_the_rate_limit_is_told_so(bot):
    async def burst() -> list[str]:
        client = socketio.AsyncClient(reconnection=False)
        answers: list[str] = []
        client.on("bot_uttered", lambda data: answers.append(data.get("text") or ""))
        await client.connect(RASA, transports=["websocket"], wait_timeout=10)
        session = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.5)
        for _ in range(30):
            await client.emit("user_uttered", {"message": "你好", "session_id": session})
        deadline = time.monotonic() + 30
        while not any(TOO_FAST in a for a in answers) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await client.disconnect()
        return answers

    assert any(TOO_FAST in a for a in asyncio.run(burst()))
