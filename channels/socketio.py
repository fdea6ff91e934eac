"""Rasa's socket.io channel for the web widget, with personal numbers masked before
anything stores or logs them.

Configured as `channels.socketio.MaskedSocketIOInput` in bot/credentials.yml; its name
stays `socketio`, so the path stays /socket.io. Differences from Rasa's channel:
- user messages are masked (raw numbers go to the vault, as in channels/rest.py);
- a session request joins the session's room (Rasa's handler forgets to await it);
- a message that fails (action server or Redis down) gets channels/failures.py's BUSY;
- malformed events get a Chinese answer instead of an exception in the server;
- messages pass the per-sender rate and length limits of channels/intake.py;
- browsers may only connect from the allowed origins (settings.allowed_origins; HTTP CORS
  for the polling transport is Rasa's `--cors`, which bot/run.py sets to the same list);
- each bot message goes out as one event carrying its text, buttons and `custom` payload
  together, the shape the REST channel returns, so the widget draws both alike
  (Rasa's own output splits them and cannot send our `custom` dicts at all);
- with TRACKER_STORE=redis, emits go through python-socketio's Redis manager, so a push
  (channels/push.py) handled by any Rasa server reaches a browser connected to another.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager

from channels.intake import intake, limiter_from_settings
from channels.failures import tell_failures
from channels.privacy import mask_and_collect
from channels.vault import Vault
from bot import stores
from settings import get_settings

log = logging.getLogger(__name__)
MESSAGE_KEYS = ("text", "buttons", "quick_replies", "custom", "image", "attachment", "elements")
MALFORMED = "抱歉，没能读懂这条消息，请重新输入您的问题。"
SESSION_ID = re.compile(r"[\w-]{1,64}")


class WidgetOutput(SocketIOOutput):
    async def send_response(self, recipient_id: Text, message: dict[Text, Any]) -> None:
        payload = {key: message[key] for key in MESSAGE_KEYS if message.get(key)}
        if payload:
            await self.sio.emit(self.bot_message_evt, payload, room=recipient_id)


class MaskedSocketIOInput(SocketIOInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vault = Vault()
        self.allowed_origins = get_settings().allowed_origins
        self.limiter = limiter_from_settings()

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio else super().get_output_channel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rate and length limits first; a failed message is answered, not dropped.
        on_new_message = intake(self.name(), tell_failures(on_new_message), self.limiter)

        async def masked(message: UserMessage) -> None:
            text, pairs = mask_and_collect(message.text or "")
            if pairs:
                self.vault.put(message.sender_id, pairs)
            message.text = text
            message.output_channel = self.get_output_channel()
            await on_new_message(message)

        blueprint = super().blueprint(masked)
        sio, namespace = self.sio, self.namespace or "/"
        settings = get_settings()
        if stores.shared_redis(settings) is not None:
            # Rasa builds the server without a client manager: give it one that relays every
            # emit through Redis pub/sub to the servers whose sockets are in the room.
            sio.manager = AsyncRedisManager(settings.redis_url, channel=stores.shared_key(settings, "socketio"))
            sio.manager.set_server(sio)
            sio.manager_initialized = False
        handlers = sio.handlers[namespace]
        rasa_connect, rasa_message = handlers["connect"], handlers[self.user_message_evt]

        def session_id_ok(data: dict) -> bool:
            session_id = data.get("session_id")
            return session_id is None or (isinstance(session_id, str) and SESSION_ID.fullmatch(session_id) is not None)

        async def connect(sid: Text, environ: dict, auth: Optional[dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin.rstrip("/") not in self.allowed_origins:
                log.warning("socket.io connection refused from origin %s", origin)
                return False
            return await rasa_connect(sid, environ, auth)

        async def session_request(sid: Text, data: Any = None) -> None:
            # Rasa's own handler calls `enter_room` without awaiting it (a coroutine in
            # python-socketio 5.x's AsyncServer), so the room was never joined and answers
            # to the session's room were lost.
            asked = data.get("session_id") if isinstance(data, dict) and session_id_ok(data) else None
            session_id = asked or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def message(sid: Text, data: Any = None) -> None:
            if not (
                isinstance(data, dict)
                and session_id_ok(data)
                # Rasa drops, unanswered, a message without a session id when sessions persist
                and (data.get("session_id") or not self.session_persistence)
                and isinstance(data.get("message", ""), str)
                and isinstance(data.get(self.metadata_key) or {}, dict)
            ):
                await sio.emit(self.bot_message_evt, {"text": MALFORMED}, room=sid, namespace=self.namespace)
                return
            await rasa_message(sid, data)

        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, message, namespace=self.namespace)
        return blueprint
