"""WeChat mini-program customer service (小程序客服消息) as a Rasa input channel.

`POST /webhooks/wechat/webhook` verifies a push (channels/wechat_api.py), drops WeChat's
retries of it, answers "success" at once (WeChat waits 5 s at most) and hands the message
to Rasa in a background task; the bot's messages go back through the customer-service
API (`WeChatOutput`). Buttons become numbered choices ("2" picks the second); the session
event gets the greeting and 猜你要办 (numbered suggestions for this user, or what people
ask most); while the conversation is handed to a human (paused), pushes are
answered with `transfer_customer_service`, so WeChat forwards them to the web
customer-service tool. `GET` is the server check of the admin console.

Configured from settings (WECHAT_*); listed in bot/credentials.yml and on only when
WECHAT_TOKEN is set (otherwise the endpoint answers 404 and says why).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Awaitable, Callable, Coroutine, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.intake import intake, limiter_from_settings
from channels.failures import tell_failures
from channels.privacy import mask_and_collect
from channels.ttl import TTLDict
from channels.vault import Vault
from channels.wechat_api import CustomerServiceAPI, Malformed, Push, PushGate, Rejected
from settings import Settings, get_settings

log = logging.getLogger(__name__)

GREET = "/greet"
SUGGEST = "/ask_suggestions"  # 猜你要办 (actions/suggestions.py), as the widget sends on opening
ENTER_SESSION = "user_enter_tempsession"
CHOOSE = "回复数字选择"
HANDOFF_HINT = "接下来您发送的消息会直接转给人工客服。"
ONLY_TEXT = "目前只能看懂文字消息，请用文字告诉我您想办什么事。"
ONLINE = "在线办理："
NOT_CONFIGURED = "微信客服渠道未启用：请设置 WECHAT_TOKEN（以及 WECHAT_APPID、WECHAT_SECRET）。"
FORBIDDEN = "签名校验失败或请求已过期。"
UNREADABLE = "无法解析的消息。"
# Stay under the 2048-byte text limit WeChat documents for messages.
TEXT_LIMIT_BYTES = 2000
DEDUP_SECONDS = 10 * 60  # WeChat retries within ~15 s
CHOICES_SECONDS = 30 * 60


def chunks(text: str, limit: int = TEXT_LIMIT_BYTES) -> list[str]:
    """Split at line breaks (else anywhere) into parts of at most `limit` UTF-8 bytes."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line.encode()) > limit:  # one line too long on its own: cut it
            cut = len(line.encode()[:limit].decode(errors="ignore"))
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode()) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    parts.append(current)
    return [p for p in parts if p.strip()]


class WeChatOutput(OutputChannel):
    """Bot messages as customer-service messages to one user (their OpenID is the sender id)."""

    def __init__(self, api: CustomerServiceAPI, choices: TTLDict[list[str]], thumb_url: str = "") -> None:
        self.api = api
        self.choices = choices
        self.thumb_url = thumb_url

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in chunks(text):
            await self.api.send({"touser": recipient_id, "msgtype": "text", "text": {"content": part}})

    async def send_response(self, recipient_id: Text, message: dict[str, Any]) -> None:
        text = message.get("text") or ""
        buttons = message.get("buttons") or message.get("quick_replies") or []
        custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
        if buttons:
            text = self._numbered(recipient_id, text, buttons)
        if custom.get("handoff"):
            text = f"{text}\n{HANDOFF_HINT}"
        items = custom.get("items") or []
        card = items[0] if len(items) == 1 and not buttons and isinstance(items[0], dict) and items[0].get("url") else None
        if card and not self.thumb_url and card["url"] not in text:
            text = f"{text}\n{ONLINE}{card['url']}"
        if message.get("image"):  # an image message needs an uploaded media_id; the link will do
            text = f"{text}\n{message['image']}"
        if text.strip():
            await self.send_text_message(recipient_id, text.strip())
        if card and self.thumb_url:
            description = "，".join(str(card[k]) for k in ("department", "time_limit") if card.get(k))
            link = {"title": card.get("name") or card["url"], "description": description or card["url"],
                    "url": card["url"], "thumb_url": self.thumb_url}
            await self.api.send({"touser": recipient_id, "msgtype": "link", "link": link})

    def _numbered(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> str:
        """Remember the buttons' payloads for a numeric reply; list the ones the text does not."""
        self.choices[recipient_id] = [str(b.get("payload") or b.get("title") or "") for b in buttons]
        missing = []
        for n, button in enumerate(buttons, 1):
            title = re.sub(r"^\s*\d+\s*[.、]\s*", "", str(button.get("title") or ""))
            if not re.search(rf"^\s*{n}\s*[.、]\s*{re.escape(title)}", text, re.M):
                missing.append(f"{n}. {title}")
        if missing:
            return f"{text}\n\n{CHOOSE}：\n" + "\n".join(missing)
        return f"{text}\n\n{CHOOSE}（1-{len(buttons)}）。"


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "WeChatInput":
        # Secrets come from the environment through settings, not from credentials.yml.
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        self.enabled = bool(settings.wechat_token)
        self.gate = PushGate(settings.wechat_token, settings.wechat_appid, settings.wechat_aes_key)
        self.api = CustomerServiceAPI(settings.wechat_api_base, settings.wechat_appid, settings.wechat_secret, settings)
        self.thumb_url = settings.wechat_card_thumb_url
        # Pushes already seen, choices offered: per process, or shared in Redis (channels/ttl.py).
        self.seen: TTLDict[None] = TTLDict(DEDUP_SECONDS, name="wechat:seen")
        self.choices: TTLDict[list[str]] = TTLDict(CHOICES_SECONDS, name="wechat:choices")
        self.vault = Vault() if self.enabled else None
        self.limiter = limiter_from_settings()
        self._tasks: set[asyncio.Task] = set()
        if not self.enabled:
            log.info("WeChat channel off: WECHAT_TOKEN is not set")

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WeChatOutput(self.api, self.choices, self.thumb_url) if self.enabled else None

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def _to_bot(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], push: Push, text: str) -> None:
        sender = push.sender
        choices = self.choices.pop(sender)  # offered choices hold for the next message only
        if choices and text.strip().isdigit() and 1 <= int(text.strip()) <= len(choices):
            text = choices[int(text.strip()) - 1]
        masked, pairs = mask_and_collect(text)
        if self.vault and pairs:
            self.vault.put(sender, pairs)
        metadata = {"wechat": {k: push.fields.get(k) for k in ("MsgId", "MsgType", "Event", "SessionFrom") if push.fields.get(k)}}
        try:
            await on_new_message(UserMessage(masked, self.get_output_channel(), sender, input_channel=self.name(), metadata=metadata))
        except Exception:
            log.exception("WeChat message from %s could not be handled", sender)

    async def _enter(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], push: Push) -> None:
        """The user opened customer service: greet, then suggest (in this order: one at a time)."""
        await self._to_bot(on_new_message, push, GREET)
        await self._to_bot(on_new_message, push, SUGGEST)

    async def _handed_off(self, request: Request, sender: str) -> bool:
        """Is the conversation paused for a human (actions/handoff.py)?"""
        store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
        if store is None:
            return False
        try:
            tracker = await store.retrieve(sender)
        except Exception:
            log.exception("tracker of %s unreadable", sender)
            return False
        return bool(tracker and tracker.is_paused())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rate and length limits first; a failed message is answered, not dropped.
        on_new_message = intake(self.name(), tell_failures(on_new_message), self.limiter)
        bp = Blueprint("wechat_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text(NOT_CONFIGURED, status=404)
            try:
                return response.text(self.gate.verify_url(request.args))
            except Rejected as exc:
                log.warning("WeChat server check refused: %s", exc)
                return response.text(FORBIDDEN, status=403)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text(NOT_CONFIGURED, status=404)
            try:
                push = self.gate.open(request.args, request.body or b"")
            except Rejected as exc:
                log.warning("WeChat push refused: %s", exc)
                return response.text(FORBIDDEN, status=403)
            except Malformed as exc:
                log.warning("WeChat push unreadable: %s", exc)
                return response.text(UNREADABLE, status=400)
            if not push.sender or not isinstance(push.fields.get("MsgType"), str):
                return response.text(UNREADABLE, status=400)
            if not self.seen.add(push.dedup_key):
                return response.text("success")  # a retry of a push already being answered
            kind = push.fields["MsgType"]
            if kind == "event":
                if push.fields.get("Event") == ENTER_SESSION:
                    self._spawn(self._enter(on_new_message, push))
                return response.text("success")
            content = push.fields.get("Content")
            if kind != "text" or not isinstance(content, str) or not content.strip():
                self._spawn(self.get_output_channel().send_text_message(push.sender, ONLY_TEXT))  # type: ignore[union-attr]
                return response.text("success")
            handed_off = await self._handed_off(request, push.sender)
            # Rasa records the message either way (a paused conversation only listens).
            self._spawn(self._to_bot(on_new_message, push, content))
            if handed_off:
                transfer = {"ToUserName": push.sender, "FromUserName": push.fields.get("ToUserName") or "",
                            "CreateTime": int(time.time()), "MsgType": "transfer_customer_service"}
                body, content_type = self.gate.reply(push, transfer)
                return response.text(body, content_type=content_type)
            return response.text("success")

        return bp
