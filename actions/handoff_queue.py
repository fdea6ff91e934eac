"""Conversations handed to a human agent, waiting in a queue with their transcripts.

The action server adds to it; the 12345 agent console takes from it. SQLite on disk by
default (`var/handoff.sqlite`), so both processes on one machine share it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from settings import get_settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS handoff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id TEXT NOT NULL,
    channel TEXT,
    transcript TEXT NOT NULL,
    created_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'waiting'
)
"""


@dataclass
class Handoff:
    id: int
    sender_id: str
    channel: str | None
    transcript: list[dict[str, str]]
    created_at: float
    status: str


class HandoffQueue:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or get_settings().var_dir / "handoff.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5)

    def add(self, sender_id: str, channel: str | None, transcript: list[dict[str, str]]) -> int:
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO handoff (sender_id, channel, transcript, created_at) VALUES (?, ?, ?, ?)",
                (sender_id, channel, json.dumps(transcript, ensure_ascii=False), time.time()),
            )
            return int(cursor.lastrowid)

    def waiting(self) -> list[Handoff]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM handoff WHERE status = 'waiting' ORDER BY id").fetchall()
        return [Handoff(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]
