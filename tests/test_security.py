"""Rasa's HTTP API needs its token, input channels limit each sender's rate, browsers may
call only from the allowed origins, and secrets stay out of command lines (the running
bot of conftest.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

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


def test_the_token_is_not_on_rasas_command_line(bot):
    for process in bot:
        with open(f"/proc/{process.pid}/cmdline", "rb") as cmdline:
            arguments = cmdline.read().decode()
        for secret in ("RASA_TOKEN", "PORTAL_DATA_KEY", "PORTAL_SERVICE_TOKEN", "PORTAL_STAFF_TOKEN", "WECHAT_SECRET"):
            value = ENV.get(secret)
            assert not value or value not in arguments


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
