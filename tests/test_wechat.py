"""The WeChat mini-program channel against a fake WeChat API, with the real bot.

The fake (aiohttp, in a thread) issues access tokens and takes customer-service messages,
checking each request it gets: right appid and secret, a current access token, a JSON body
of a shape the real API accepts, a known recipient. Pushes are signed and, in 安全模式,
encrypted here by an independent implementation of WeChat's scheme (not wechatpy's).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import re
import secrets
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
import redis
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from channels.ttl import TTLDict
from tests.chat import PORT_BASE, RASA_PORT, RASA_TOKEN, WECHAT_API_PORT, WECHAT_ENV, tracker

WEBHOOK = f"http://127.0.0.1:{RASA_PORT}/webhooks/wechat/webhook"
RASA = f"http://127.0.0.1:{RASA_PORT}"
TOKEN, APPID, SECRET = WECHAT_ENV["WECHAT_TOKEN"], WECHAT_ENV["WECHAT_APPID"], WECHAT_ENV["WECHAT_SECRET"]
AES_KEY = base64.b64decode(WECHAT_ENV["WECHAT_AES_KEY"] + "=")
MINIPROGRAM = "gh_0123456789ab"
ANSWER_SECONDS = 60
ROOT = Path(__file__).resolve().parents[1]
SERVERS_API_PORT = PORT_BASE + 63  # a fake WeChat of their own for the access-token tests
REDIS_DB = 13  # the machine's Redis, under a key prefix of each test (as tests/test_shared_state.py)


class FakeWeChat:
    """WeChat's token and customer-service endpoints, strict about what they accept."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.tokens_issued = 0
        self.token: str | None = None
        self.refused_stale = 0

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    async def token_endpoint(self, request: web.Request) -> web.Response:
        q = request.query
        if (q.get("grant_type"), q.get("appid"), q.get("secret")) != ("client_credential", APPID, SECRET):
            self.problem(f"token request with {dict(q)}")
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        with self.lock:
            self.tokens_issued += 1
            self.token = f"token-{self.tokens_issued}-{secrets.token_hex(4)}"
            return web.json_response({"access_token": self.token, "expires_in": 7200})

    async def send_endpoint(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token")
        if not token or not token.startswith("token-"):
            self.problem(f"custom/send with access_token {token!r}")
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        if token != self.token:
            with self.lock:
                self.refused_stale += 1
            return web.json_response({"errcode": 40001, "errmsg": "access_token expired"})
        if not request.content_type == "application/json":
            self.problem(f"custom/send Content-Type {request.content_type}")
        try:
            body = json.loads(await request.read())
        except ValueError:
            self.problem("custom/send body is not JSON")
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        shape_problem = self.check_shape(body)
        if shape_problem:
            self.problem(f"{shape_problem}: {body}")
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        with self.lock:
            self.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def check_shape(self, body: Any) -> str | None:
        required = {"text": ("content",), "link": ("title", "description", "url", "thumb_url"),
                    "miniprogrampage": ("title", "pagepath", "thumb_media_id"), "image": ("media_id",)}
        if not isinstance(body, dict) or body.get("msgtype") not in required:
            return "unknown msgtype"
        if body.get("touser") not in self.users:
            return "unknown touser"
        part = body.get(body["msgtype"])
        if not isinstance(part, dict) or not all(isinstance(part.get(k), str) and part[k] for k in required[body["msgtype"]]):
            return f"{body['msgtype']} lacks {required[body['msgtype']]}"
        if body["msgtype"] == "text" and len(part["content"].encode()) > 2048:
            return "text over 2048 bytes"
        return None

    def expire_token(self) -> None:
        with self.lock:
            self.token = "token-expired"  # what WeChat does when another server fetched a new one

    def texts_to(self, user: str) -> list[str]:
        with self.lock:
            return [m["text"]["content"] for m in self.sent if m["touser"] == user and m["msgtype"] == "text"]

    def wait(self, user: str, count: int = 1, timeout: float = ANSWER_SECONDS) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(found := self.texts_to(user)) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{user} got {self.texts_to(user)}, expected {count} messages; problems {self.problems}")


@contextmanager
def serving(fake: "FakeWeChat", port: int | None = None) -> Iterator["FakeWeChat"]:
    """The fake WeChat API on `port` (WECHAT_API_PORT), in a thread of its own, while in the block."""
    app = web.Application()
    app.router.add_get("/cgi-bin/token", fake.token_endpoint)
    app.router.add_post("/cgi-bin/message/custom/send", fake.send_endpoint)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port or WECHAT_API_PORT).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@pytest.fixture(scope="module")
def wechat(bot):
    with serving(FakeWeChat()) as fake:
        yield fake
    assert not fake.problems, fake.problems


def new_user(fake: FakeWeChat) -> str:
    openid = "o" + secrets.token_urlsafe(20)[:27]
    fake.users.add(openid)
    return openid


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def encrypt(plain: str) -> str:
    """WeChat's 安全模式: AES-256-CBC, IV = key[:16], random(16) + length + message + appid, PKCS#7 to 32."""
    data = os.urandom(16) + struct.pack(">I", len(plain.encode())) + plain.encode() + APPID.encode()
    pad = 32 - len(data) % 32
    data += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(AES_KEY), modes.CBC(AES_KEY[:16])).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def decrypt(encrypted: str) -> str:
    decryptor = Cipher(algorithms.AES(AES_KEY), modes.CBC(AES_KEY[:16])).decryptor()
    data = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    data = data[: -data[-1]]
    length = struct.unpack(">I", data[16:20])[0]
    assert data[20 + length :].decode() == APPID
    return data[20 : 20 + length].decode()


def query(timestamp: int | None = None, **extra: str) -> dict[str, str]:
    timestamp_text, nonce = str(timestamp or int(time.time())), str(secrets.randbelow(10**9))
    return {"signature": sign(TOKEN, timestamp_text, nonce), "timestamp": timestamp_text, "nonce": nonce, **extra}


def message(user: str, content: str | None = None, msg_id: int | None = None, **fields: Any) -> dict[str, Any]:
    base = {"ToUserName": MINIPROGRAM, "FromUserName": user, "CreateTime": int(time.time())}
    if content is not None:
        base.update(MsgType="text", Content=content, MsgId=msg_id or secrets.randbelow(10**18))
    return {**base, **fields}


def as_xml(fields: dict[str, Any]) -> str:
    inner = "".join(f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return f"<xml>{inner}</xml>"


def push(fields: dict[str, Any], fmt: str = "json", encrypted: bool = False, params: dict[str, str] | None = None,
         raw: bytes | None = None) -> tuple[int, str, float]:
    """POST a push as WeChat would; (status, body, seconds)."""
    text = json.dumps(fields, ensure_ascii=False) if fmt == "json" else as_xml(fields)
    params = query() if params is None else params
    if encrypted:
        encrypted_text = encrypt(text)
        params = {**params, "encrypt_type": "aes", "openid": fields["FromUserName"],
                  "msg_signature": sign(TOKEN, params["timestamp"], params["nonce"], encrypted_text)}
        envelope = {"ToUserName": MINIPROGRAM, "Encrypt": encrypted_text}
        text = json.dumps(envelope) if fmt == "json" else as_xml(envelope)
    body = raw if raw is not None else text.encode()
    kind = "application/json" if fmt == "json" else "text/xml"
    request = urllib.request.Request(f"{WEBHOOK}?{urllib.parse.urlencode(params)}", body, {"Content-Type": kind})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), time.perf_counter() - started


def user_texts(user: str) -> list[str]:
    return [e.get("text") for e in tracker(user)["events"] if e["event"] == "user"]


def test_server_check_echoes_only_for_our_signature(wechat):
    echo = secrets.token_hex(8)
    with urllib.request.urlopen(f"{WEBHOOK}?{urllib.parse.urlencode(query(echostr=echo))}", timeout=10) as response:
        assert response.read().decode() == echo
    forged = {**query(echostr=echo), "signature": "0" * 40}
    stale = query(timestamp=int(time.time()) - 3600, echostr=echo)
    for params in (forged, stale, {"echostr": echo}):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{WEBHOOK}?{urllib.parse.urlencode(params)}", timeout=10)
        assert refused.value.code == 403


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_plain_message_answered_at_once_and_replied_through_the_api(wechat, fmt):
    me = new_user(wechat)
    status, body, seconds = push(message(me, "孩子刚出生怎么上户口"), fmt)
    assert (status, body) == (200, "success")
    assert seconds < 5, f"WeChat waits 5 s at most; took {seconds:.2f} s"
    answer = "\n".join(wechat.wait(me))
    assert "出生" in answer or "户" in answer
    print(f"\n{fmt}: 'success' after {seconds * 1000:.0f} ms")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_encrypted_message_is_decrypted_and_answered(wechat, fmt):
    me = new_user(wechat)
    status, body, _ = push(message(me, "你好"), fmt, encrypted=True)
    assert (status, body) == (200, "success")
    assert "通办" in "\n".join(wechat.wait(me))


def test_forged_stale_and_unsigned_pushes_are_refused(wechat):
    me = new_user(wechat)
    forged = {**query(), "signature": sign("not-our-token", "1", "2")}
    stale = query(timestamp=int(time.time()) - 3600)
    for params in (forged, stale, {}):
        assert push(message(me, "你好"), params=params)[0] == 403
    # 安全模式 with a good URL signature but a forged msg_signature
    params = {**query(), "encrypt_type": "aes", "msg_signature": "0" * 40}
    envelope = json.dumps({"ToUserName": MINIPROGRAM, "Encrypt": encrypt(json.dumps(message(me, "你好")))})
    assert push({}, params=params, raw=envelope.encode())[0] == 403
    time.sleep(2)
    assert wechat.texts_to(me) == [] and user_texts(me) == []


def test_retries_of_one_message_are_handled_once(wechat):
    me = new_user(wechat)
    retry = message(me, "你好")
    assert [push(retry, "xml")[:2] for _ in range(3)] == [(200, "success")] * 3
    wechat.wait(me)
    time.sleep(2)
    assert user_texts(me) == ["你好"]


def test_unreadable_pushes_get_400_and_break_nothing(wechat):
    me = new_user(wechat)
    for raw in (b"<xml><FromUserName>", b"{not json", b"[1, 2]", "中文".encode("gbk"), b"<xml></xml>", b""):
        status, body, _ = push({}, params=query(), raw=raw)
        assert status == 400, (raw, status)
    garbage = base64.b64encode(os.urandom(48)).decode()
    params = query()
    params.update(encrypt_type="aes", msg_signature=sign(TOKEN, params["timestamp"], params["nonce"], garbage))
    assert push({}, params=params, raw=json.dumps({"Encrypt": garbage}).encode())[0] == 400
    assert push(message(me, "你好"))[:2] == (200, "success")
    assert "通办" in "\n".join(wechat.wait(me))


def test_numbered_choice_two_picks_the_second_button(wechat):
    me = new_user(wechat)
    push(message(me, "有限责任公司登记"))
    offered = wechat.wait(me)[-1]
    assert "回复数字选择" in offered
    names = re.findall(r"^\s*\d+[.、]\s*([^（\n]+)", offered, re.M)
    assert len(names) >= 2, offered
    push(message(me, "2"))
    answer = "\n".join(wechat.wait(me, 2)[1:])
    assert "【" + names[1].strip() in answer, (names, answer)
    assert user_texts(me)[-1] == '/choose_option{"ordinal":"2"}'


def test_entering_the_session_is_greeted_and_offered_suggestions(wechat):
    me = new_user(wechat)
    assert push(message(me, MsgType="event", Event="user_enter_tempsession", SessionFrom="item-page"), "xml")[:2] == (200, "success")
    greeting, suggested = wechat.wait(me, 2)[:2]
    assert "您好" in greeting
    # 猜你要办: numbered items (what people ask most, for a new user), or an invitation to ask
    assert "回复数字选择" in suggested or "暂时还没有为您推荐" in suggested, suggested


def test_handoff_transfers_later_messages_to_the_customer_service_tool(wechat):
    me = new_user(wechat)
    push(message(me, "转人工"))
    assert "人工" in wechat.wait(me)[0]
    deadline = time.monotonic() + 20
    while not tracker(me).get("paused") and time.monotonic() < deadline:
        time.sleep(0.2)
    status, body, _ = push(message(me, "我的居住证办到哪一步了"), "xml")
    assert status == 200
    reply = {child.tag: child.text for child in ET.fromstring(body)}
    assert reply["MsgType"] == "transfer_customer_service"
    assert (reply["ToUserName"], reply["FromUserName"]) == (me, MINIPROGRAM)
    # in 安全模式 the transfer reply is encrypted and signed too
    status, body, _ = push(message(me, "还在吗"), "json", encrypted=True)
    envelope = json.loads(body)
    assert envelope["MsgSignature"] == sign(TOKEN, str(envelope["TimeStamp"]), envelope["Nonce"], envelope["Encrypt"])
    assert json.loads(decrypt(envelope["Encrypt"]))["MsgType"] == "transfer_customer_service"
    # the bot stays silent; Rasa keeps the transcript for the agent
    time.sleep(1)
    assert len(wechat.texts_to(me)) == 1 and user_texts(me)[-2:] == ["我的居住证办到哪一步了", "还在吗"]


def test_stale_access_token_is_refreshed_once_and_the_message_resent(wechat):
    me = new_user(wechat)
    push(message(me, "你好"))
    wechat.wait(me)
    issued, refused = wechat.tokens_issued, wechat.refused_stale
    wechat.expire_token()
    push(message(me, "谢谢"))
    assert wechat.wait(me, 2)
    assert (wechat.tokens_issued, wechat.refused_stale) == (issued + 1, refused + 1)


# Rasa servers as the WeChat channel runs them (channels/wechat_api.py, in Rasa's
# environment): each sends one message per user at once; then, told on stdin that WeChat has
# retired the token, the same again.
SERVERS = """
import asyncio, json, sys
from channels.wechat_api import CustomerServiceAPI

async def main(base, servers, users):
    apis = [CustomerServiceAPI(base, APPID, SECRET) for _ in range(servers)]
    for phase in ("first", "after expiry"):
        if phase != "first":
            sys.stdin.readline()
        sending = [apis[n % servers].send({"touser": user, "msgtype": "text", "text": {"content": f"{phase} {n}"}})
                   for n, user in enumerate(users)]
        print(json.dumps(await asyncio.gather(*sending)), flush=True)
    for api in apis:
        await api.close()

asyncio.run(main(*json.loads(sys.argv[1])))
""".replace("APPID", repr(APPID)).replace("SECRET", repr(SECRET))


@pytest.fixture
def own_wechat():
    with serving(FakeWeChat(), SERVERS_API_PORT) as fake:
        yield fake
    assert not fake.problems, fake.problems


def run_servers(fake: FakeWeChat, servers: int, env: dict[str, str]) -> tuple[list[tuple[int, int]], str]:
    """(tokens issued, refused as stale) after each phase, and the servers' log."""
    users = [new_user(fake) for _ in range(6)]
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "TONGBAN_VAR": str(ROOT / "var"), **env}
    argv = json.dumps([f"http://127.0.0.1:{SERVERS_API_PORT}", servers, users])
    process = subprocess.Popen([str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", SERVERS, argv], cwd=ROOT, env=environ,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    counts = []
    try:
        for phase in range(2):
            if phase:
                fake.expire_token()
                process.stdin.write("\n")
                process.stdin.flush()
            line = process.stdout.readline()
            assert line and json.loads(line) == [True] * len(users), (line, process.stderr.read()[-2000:] if not line else "")
            counts.append((fake.tokens_issued, fake.refused_stale))
        process.stdin.close()
        assert process.wait(30) == 0
        return counts, process.stderr.read()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()


def test_rasa_servers_share_one_access_token_through_redis(own_wechat):
    """Two Rasa servers with TRACKER_STORE=redis: one token for both, one refresh after it expires."""
    prefix = f"tbwechat{secrets.token_hex(4)}"
    store = redis.Redis(db=REDIS_DB)
    try:
        counts, _ = run_servers(own_wechat, 2, {"TRACKER_STORE": "redis", "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
                                                "REDIS_KEY_PREFIX": prefix})
        (issued, refused), (issued_after_expiry, _) = counts
        assert (issued, refused) == (1, 0), counts  # the first server's token served both
        assert issued_after_expiry == 2, counts  # one refresh for both
        key = f"{prefix}:wechat:token:{APPID}"
        assert store.get(key).decode() == own_wechat.token
        assert 7200 - 300 - 60 <= store.ttl(key) <= 7200 - 300
        assert store.get(f"{key}:refresh") is None  # the refresh lock was let go
    finally:
        if keys := list(store.scan_iter(match=f"{prefix}:*")):
            store.delete(*keys)


def test_one_rasa_server_without_redis_keeps_its_own_token(own_wechat):
    counts, _ = run_servers(own_wechat, 1, {"TRACKER_STORE": "memory"})
    # Every message after expiry was refused once, then resent with the one new token.
    assert counts == [(1, 0), (2, 6)], counts


def test_with_redis_down_a_server_fetches_its_own_token(own_wechat):
    down = f"redis://127.0.0.1:{PORT_BASE + 64}/0"  # nothing listens there
    counts, log = run_servers(own_wechat, 1, {"TRACKER_STORE": "redis", "REDIS_URL": down, "REDIS_KEY_PREFIX": "tbdown"})
    assert counts == [(1, 0), (2, 6)], counts
    assert "Redis does not answer" in log


def test_personal_numbers_are_masked_before_rasa(wechat):
    me = new_user(wechat)
    push(message(me, "我的手机号是13812345678"))
    wechat.wait(me)
    assert user_texts(me) == ["我的手机号是138****5678"]


def test_push_reaches_the_wechat_user(wechat):
    from channels.push import push_message

    me = new_user(wechat)
    push(message(me, "你好"))
    wechat.wait(me)
    asyncio.run(push_message(me, "您的申请已受理，受理编号 SD20261128000001。", rasa_url=RASA, token=RASA_TOKEN))
    assert "受理编号" in wechat.wait(me, 2)[-1]


def test_ttl_dict_is_bounded_and_forgets():
    seen: TTLDict[None] = TTLDict(ttl_seconds=0.2, max_entries=3)
    assert seen.add("a") and not seen.add("a")
    for key in "bcd":
        seen.add(key)
    assert seen.add("a")  # pushed out by size
    time.sleep(0.3)
    assert seen.get("d") is None and seen.add("d")  # expired


OFF_CHECK = """
import asyncio, json, aiohttp
from sanic import Sanic
from rasa.core.channels.channel import register
from channels.wechat import WeChatInput

async def main():
    channel = WeChatInput.from_credentials(None)
    app = Sanic("wechat_off")
    register([channel], app, "/webhooks/")
    server = await app.create_server(host="127.0.0.1", port=PORT, return_asyncio_server=True)
    await server.startup()
    answers = []
    async with aiohttp.ClientSession() as http:
        for method in ("GET", "POST"):
            async with http.request(method, "http://127.0.0.1:PORT/webhooks/wechat/webhook", data=b"<xml/>") as r:
                answers.append([r.status, await r.text()])
    server.close()
    print(json.dumps({"answers": answers, "output": channel.get_output_channel() is not None}))

asyncio.run(main())
"""


def test_without_wechat_token_the_endpoint_says_it_is_off():
    """What `make run` gets when WECHAT_TOKEN is unset: Rasa starts, the endpoint answers 404."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECHAT_")}
    env.update(PYTHONPATH=str(ROOT), TONGBAN_VAR=str(ROOT / "var"))
    script = OFF_CHECK.replace("PORT", str(PORT_BASE + 62))
    done = subprocess.run([str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["output"] is False
    assert all(status == 404 and "WECHAT_TOKEN" in text for status, text in result["answers"])


def test_a_subscribed_wechat_user_is_pushed_a_fitting_new_policy_once_until_they_opt_out(wechat, sd_settings):
    from tests.test_policy_chat import city_policy, portal, secrets as portal_secrets

    keys = portal_secrets(sd_settings)
    code = "91370202MA3D5YQ8XW"  # a 青岛 software company: no other test's profile fits the policy below
    facts = {"kind": "企业", "region": "370202", "industry": "I", "size": "小型", "established_date": "2020-03-01",
             "employees": 30, "flags": {"严重失信": False, "欠缴税款": False, "近三年重大安全事故": False}}
    portal("/profiles", {"kind": "enterprise", "key": code, "data": {"facts": facts}}, keys["PORTAL_SERVICE_TOKEN"])
    me = new_user(wechat)

    def ask(text: str) -> str:
        before = len(wechat.texts_to(me))
        push(message(me, text))
        wechat.wait(me, before + 1)
        time.sleep(1)  # a reply may come in several messages
        return "\n".join(wechat.texts_to(me)[before:])

    reply, asked = ask(f"我们公司统一社会信用代码{code}，能享受哪些政策"), 0
    while re.search(r"（\d/5）", reply):  # deciding questions the profile does not answer
        asked += 1
        assert asked <= 5, reply
        reply = ask("不知道")
    assert "已订阅" in ask("订阅政策推送")

    policy = city_policy("WX-P1", "青岛市软件企业上云补贴（测试示例）", "青岛市工业和信息化局", "青工信字〔2026〕12号",
                         "370200", "I", "按上云费用的30%补贴")
    assert portal("/policies", policy, keys["PORTAL_STAFF_TOKEN"])["pushed"] == {"WX-P1": 1}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("【政策推送】" in t for t in wechat.texts_to(me)):
        time.sleep(0.5)
    assert portal("/policies", policy, keys["PORTAL_STAFF_TOKEN"])["pushed"] == {"WX-P1": 0}  # published again
    time.sleep(5)  # two notifier rounds
    pushed = [t for t in wechat.texts_to(me) if "【政策推送】" in t]
    assert len(pushed) == 1 and "青工信字〔2026〕12号" in pushed[0] and "退订政策推送" in pushed[0]

    assert "已退订" in ask("退订政策推送")
    assert portal("/policies", {**policy, "id": "WX-P2"}, keys["PORTAL_STAFF_TOKEN"])["pushed"] == {"WX-P2": 0}
