"""The WeChat side of the mini-program customer-service channel (channels/wechat.py).

- `PushGate`: is a push really from WeChat (SHA-1 signature over token, timestamp and
  nonce; `msg_signature` and AES in 安全模式; no stale timestamps), what does it say (XML
  or JSON, decrypted), and the passive reply to it, in the same format and mode.
- `CustomerServiceAPI`: `/cgi-bin/message/custom/send` with the access token fetched,
  cached until shortly before it expires, and refreshed once when WeChat says it is stale;
  with TRACKER_STORE=redis one token for every Rasa server, kept in the shared Redis.

Crypto, signing and XML parsing are wechatpy's; HTTP is aiohttp, so the base URL can point
at a fake WeChat in tests.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal, Mapping

import aiohttp
import redis
import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot import stores
from settings import Settings, get_settings

log = logging.getLogger(__name__)

# WeChat retries a push three times within ~15 s; anything much older is a replay.
MAX_CLOCK_SKEW_SECONDS = 300
# Fetch a new access token this long before WeChat says the old one expires.
TOKEN_MARGIN_SECONDS = 300
# errcodes meaning "this access token is invalid or expired": refresh once, then retry.
STALE_TOKEN_CODES = frozenset({40001, 40014, 42001})
# With the token in Redis: one server refreshes it under this lock (longer than a token
# request may take, TIMEOUT) while the others look again every REFRESH_POLL_SECONDS.
REFRESH_LOCK_SECONDS = 10.0
REFRESH_POLL_SECONDS = 0.1
TIMEOUT = aiohttp.ClientTimeout(total=5)

Format = Literal["xml", "json"]


class Rejected(Exception):
    """Not from WeChat: bad or missing signature, stale timestamp (HTTP 403)."""


class Malformed(Exception):
    """From WeChat's side of the signature check, but unreadable (HTTP 400)."""


@dataclass(frozen=True)
class Push:
    fields: dict[str, Any]  # FromUserName, ToUserName, CreateTime, MsgType, Content, MsgId, Event …
    format: Format
    encrypted: bool

    @property
    def sender(self) -> str:
        return str(self.fields.get("FromUserName") or "")

    @property
    def dedup_key(self) -> str:
        """WeChat's advice: messages by MsgId, events by FromUserName + CreateTime."""
        if self.fields.get("MsgId"):
            return f"msg:{self.fields['MsgId']}"
        return f"event:{self.sender}:{self.fields.get('CreateTime')}:{self.fields.get('Event')}"


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def _parse(text: str) -> tuple[dict[str, Any], Format]:
    stripped = text.lstrip()
    try:
        if stripped.startswith("<"):
            # xmltodict (expat) does not expand external entities.
            document = xmltodict.parse(stripped)
            fields, fmt = document.get("xml"), "xml"
        else:
            fields, fmt = json.loads(stripped), "json"
    except Exception as exc:  # expat and json errors have no common base
        raise Malformed(f"not XML or JSON: {type(exc).__name__}") from exc
    if not isinstance(fields, dict):
        raise Malformed("the message is not an object")
    return fields, fmt  # type: ignore[return-value]


class PushGate:
    def __init__(self, token: str, app_id: str = "", aes_key: str = "") -> None:
        self.token = token
        self.app_id = app_id
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None

    def _check(self, signature: str | None, timestamp: str | None, nonce: str | None, *extra: str) -> None:
        if not (signature and timestamp and nonce):
            raise Rejected("signature, timestamp or nonce missing")
        # bytes: compare_digest refuses str with non-ASCII characters (TypeError, a 500)
        if not hmac.compare_digest(sign(self.token, timestamp, nonce, *extra).encode(), signature.encode()):
            raise Rejected("signature does not match")
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            raise Rejected("timestamp is not a number") from None
        if skew > MAX_CLOCK_SKEW_SECONDS:
            raise Rejected(f"timestamp is {int(skew)} s off")

    def verify_url(self, args: Mapping[str, str]) -> str:
        """The server check of the admin console: echo `echostr` if the signature is ours."""
        self._check(args.get("signature"), args.get("timestamp"), args.get("nonce"))
        return args.get("echostr") or ""

    def open(self, args: Mapping[str, str], body: bytes) -> Push:
        """Verify and read one push; decrypt it in 安全模式 (and 兼容模式)."""
        timestamp, nonce = args.get("timestamp"), args.get("nonce")
        self._check(args.get("signature"), timestamp, nonce)
        try:
            fields, fmt = _parse(body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise Malformed("body is not UTF-8") from exc
        encrypted = args.get("encrypt_type") == "aes" or "Encrypt" in fields
        if not encrypted:
            return Push(fields, fmt, False)
        if not self.crypto:
            raise Malformed("encrypted push, but WECHAT_AES_KEY is not set")
        encrypt = fields.get("Encrypt")
        if not isinstance(encrypt, str):
            raise Malformed("Encrypt missing")
        self._check(args.get("msg_signature"), timestamp, nonce, encrypt)
        try:
            plain = PrpCrypto(self.crypto.key).decrypt(encrypt, self.app_id)
        except Exception as exc:  # bad base64, padding, length or app id
            raise Malformed(f"cannot decrypt: {type(exc).__name__}") from exc
        inner, _ = _parse(plain)
        return Push(inner, fmt, True)

    def reply(self, push: Push, fields: dict[str, Any]) -> tuple[str, str]:
        """A passive reply (body, content type) in the push's format, encrypted if it was."""
        if push.format == "xml":
            plain = xmltodict.unparse({"xml": fields}, full_document=False)
        else:
            plain = json.dumps(fields, ensure_ascii=False)
        if push.encrypted and self.crypto:
            nonce, timestamp = secrets.token_hex(8), str(int(time.time()))
            if push.format == "xml":
                return self.crypto.encrypt_message(plain, nonce, timestamp), "application/xml"
            encrypt = PrpCrypto(self.crypto.key).encrypt(plain, self.app_id).decode()
            envelope = {"Encrypt": encrypt, "MsgSignature": sign(self.token, timestamp, nonce, encrypt),
                        "TimeStamp": int(timestamp), "Nonce": nonce}
            return json.dumps(envelope), "application/json"
        return plain, "application/xml" if push.format == "xml" else "application/json"


class CustomerServiceAPI:
    """Customer-service messages through WeChat's HTTP API (one instance per Rasa process).

    Each token WeChat issues retires the one before. With the shared Redis
    (TRACKER_STORE=redis) every Rasa server uses the one token kept there until it expires,
    and one server at a time fetches the next (a `SET NX PX` lock) while the others wait for
    it; a server told "stale" fetches only if Redis still holds the token WeChat refused. On
    one machine, or while Redis does not answer, the token is this process's own.
    """

    def __init__(self, base_url: str, app_id: str, secret: str, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.secret = secret
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock: asyncio.Lock | None = None
        self._session: aiohttp.ClientSession | None = None
        self._redis = stores.shared_redis(settings)
        self._shared_key = stores.shared_key(settings, "wechat", "token", app_id)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session:
            await self._session.close()

    async def access_token(self, stale: str | None = None) -> str:
        """The current token, or a new one if it expired or is `stale` (WeChat refused it)."""
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self._redis is not None:
                try:
                    return await self._shared_token(stale)
                except redis.RedisError as exc:
                    log.warning("WeChat access token: Redis does not answer (%s); this server uses its own", exc)
            if not self._token or self._token == stale or time.monotonic() >= self._token_expires:
                await self._fetch()
            return self._token  # type: ignore[return-value]

    async def _shared_token(self, stale: str | None) -> str:
        """The token in Redis; if there is none, or it is `stale`, this server fetches the
        next one unless another is already doing so (then it waits and reads that)."""
        deadline = time.monotonic() + REFRESH_LOCK_SECONDS
        while (token := self._shared_current(stale)) is None:
            refresh = self._redis.lock(f"{self._shared_key}:refresh", timeout=REFRESH_LOCK_SECONDS)  # SET NX PX
            if refresh.acquire(blocking=False):
                try:
                    # Another server may have stored a new token since the look above.
                    if (token := self._shared_current(stale)) is None:
                        token, lifetime = await self._fetch()
                        self._redis.set(self._shared_key, token, px=int(lifetime * 1000))
                    return token
                finally:
                    try:
                        refresh.release()
                    except redis.RedisError:  # it outlived its lock, or Redis went away: it expires
                        pass
            if time.monotonic() >= deadline:
                raise RuntimeError(f"no WeChat access token: another server's refresh took over {REFRESH_LOCK_SECONDS:.0f} s")
            await asyncio.sleep(REFRESH_POLL_SECONDS)
        return token

    def _shared_current(self, stale: str | None) -> str | None:
        token = self._redis.get(self._shared_key)
        return None if token is None or token.decode() == stale else token.decode()

    async def _fetch(self) -> tuple[str, float]:
        """A new token from WeChat (kept here too) and the seconds to use it for."""
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}
        async with self._http().get(f"{self.base_url}/cgi-bin/token", params=params) as response:
            answer = await response.json(content_type=None)
        if not isinstance(answer, dict) or "access_token" not in answer:
            raise RuntimeError(f"WeChat gave no access token: {answer}")
        lifetime = int(answer.get("expires_in", 7200))
        usable = max(lifetime - TOKEN_MARGIN_SECONDS, lifetime // 2)
        self._token, self._token_expires = answer["access_token"], time.monotonic() + usable
        return answer["access_token"], usable

    async def send(self, message: dict[str, Any]) -> bool:
        """POST one customer-service message; refresh the token once if WeChat says it is stale."""
        body = json.dumps(message, ensure_ascii=False).encode()
        token: str | None = None
        for attempt in range(2):
            try:
                token = await self.access_token(stale=token)
                async with self._http().post(
                    f"{self.base_url}/cgi-bin/message/custom/send",
                    params={"access_token": token},
                    data=body,
                    headers={"Content-Type": "application/json; charset=utf-8"},
                ) as response:
                    answer = await response.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, RuntimeError) as exc:
                log.error("WeChat custom/send to %s failed: %s", message.get("touser"), exc)
                return False
            code = answer.get("errcode", 0) if isinstance(answer, dict) else -1
            if code == 0:
                return True
            if code in STALE_TOKEN_CODES and attempt == 0:
                log.info("WeChat access token stale (errcode %s); refreshing", code)
                continue
            # e.g. 45015: the user wrote more than 48 h ago; 45047: too many messages in a row.
            log.error("WeChat custom/send to %s refused: %s", message.get("touser"), answer)
            return False
        return False
