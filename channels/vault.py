"""Raw personal numbers that a form will submit, kept out of the tracker: encrypted
(Fernet, PORTAL_DATA_KEY), per conversation, for 30 minutes, in var/vault.sqlite.

The channel puts what it masked; the action server takes the raw value back when it
validates or submits a form. Without PORTAL_DATA_KEY nothing is kept.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from channels.privacy import masked_numbers
from settings import get_settings

TTL_SECONDS = 30 * 60


class Vault:
    def __init__(self, path: Path | None = None, key: str | None = None) -> None:
        settings = get_settings()
        key = key if key is not None else settings.portal_data_key
        self._fernet = Fernet(key.encode()) if key else None
        self.path = path or settings.var_dir / "vault.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vault (sender TEXT, masked TEXT, raw BLOB, at REAL, PRIMARY KEY (sender, masked))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5)

    def put(self, sender: str, pairs: list[tuple[str, str]]) -> None:
        if not self._fernet or not pairs:
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
        with self._connect() as db:
            row = db.execute(
                "SELECT raw FROM vault WHERE sender = ? AND masked = ? AND at >= ?", (sender, masked, time.time() - TTL_SECONDS)
            ).fetchone()
        try:
            return self._fernet.decrypt(row[0]).decode() if row else None
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
        with self._connect() as db:
            db.execute("DELETE FROM vault WHERE sender = ?", (sender,))
