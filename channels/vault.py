"""Raw personal numbers that a form will submit, kept out of the tracker: encrypted
(Fernet, PORTAL_DATA_KEY), per conversation, for 30 minutes, in var/vault.sqlite — or,
with TRACKER_STORE=redis, in the shared Redis (one hash per conversation that expires 30
minutes after its last number), so a channel on one machine and an action server on
another see the same numbers.

The channel puts what it masked; the action server takes the raw value back when it
validates or submits a form. Without PORTAL_DATA_KEY nothing is kept.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import redis
from cryptography.fernet import Fernet, InvalidToken

from bot import stores
from channels.privacy import masked_numbers
from ops.sqlite import tune
from settings import get_settings

log = logging.getLogger(__name__)
TTL_SECONDS = 30 * 60


class Vault:
    def __init__(self, path: Path | None = None, key: str | None = None) -> None:
        settings = get_settings()
        key = key if key is not None else settings.portal_data_key
        self._fernet = Fernet(key.encode()) if key else None
        # An explicit path is a file vault (tests); otherwise the settings' store.
        self._redis = stores.shared_redis(settings) if path is None else None
        self._settings = settings
        self.path = path or settings.var_dir / "vault.sqlite"
        if self._redis is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vault (sender TEXT, masked TEXT, raw BLOB, at REAL, PRIMARY KEY (sender, masked))")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5)
        tune(db, durable=False)  # Rasa's channel writes here on its event loop; numbers live 30 minutes
        return db

    def _key(self, sender: str) -> str:
        return stores.shared_key(self._settings, "vault", sender)

    def put(self, sender: str, pairs: list[tuple[str, str]]) -> None:
        if not self._fernet or not pairs:
            return
        if self._redis is not None:
            try:
                with self._redis.pipeline() as pipe:  # MULTI: the numbers and their expiry together
                    pipe.hset(self._key(sender), mapping={masked: self._fernet.encrypt(raw.encode()) for masked, raw in pairs})
                    pipe.expire(self._key(sender), TTL_SECONDS)
                    pipe.execute()
            except redis.RedisError:  # Redis down: the message fails on Rasa's tracker store too, and is sent again
                log.warning("vault unavailable: numbers of %s not kept", sender)
            return
        with self._connect() as db:
            db.execute("DELETE FROM vault WHERE at < ?", (time.time() - TTL_SECONDS,))
            db.executemany(
                "INSERT OR REPLACE INTO vault VALUES (?, ?, ?, ?)",
                [(sender, masked, self._fernet.encrypt(raw.encode()), time.time()) for masked, raw in pairs],
            )

    def get(self, sender: str, masked: str) -> str | None:
        if not self._fernet:
            return None
        if self._redis is not None:
            try:
                sealed = self._redis.hget(self._key(sender), masked)
            except redis.RedisError:
                log.warning("vault unavailable: numbers of %s not found", sender)
                return None
        else:
            with self._connect() as db:
                row = db.execute(
                    "SELECT raw FROM vault WHERE sender = ? AND masked = ? AND at >= ?", (sender, masked, time.time() - TTL_SECONDS)
                ).fetchone()
            sealed = row[0] if row else None
        try:
            return self._fernet.decrypt(sealed).decode() if sealed else None
        except InvalidToken:
            return None

    def find(self, sender: str, text: str) -> str | None:
        """The raw number behind `text`: the whole of it masked, or a masked number inside it
        ("我的手机号是138****5678")."""
        for masked in (text, *masked_numbers(text)):
            if raw := self.get(sender, masked):
                return raw
        return None

    def forget(self, sender: str) -> None:
        if self._redis is not None:
            self._redis.delete(self._key(sender))
            return
        with self._connect() as db:
            db.execute("DELETE FROM vault WHERE sender = ?", (sender,))
