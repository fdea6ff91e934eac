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
);
CREATE TABLE IF NOT EXISTS handoff_replies (
    handoff_id INTEGER NOT NULL REFERENCES handoff(id),
    agent TEXT NOT NULL,
    text TEXT NOT NULL,
    at REAL NOT NULL
)
"""
STATUSES = ("waiting", "serving", "closed")  # queued; an agent has replied; back to the bot


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
            db.executescript(SCHEMA)

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
        return self.open(("waiting",))

    def open(self, statuses: tuple[str, ...] = ("waiting", "serving")) -> list[Handoff]:
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM handoff WHERE status IN ({','.join('?' * len(statuses))}) ORDER BY id", statuses
            ).fetchall()
        return [Handoff(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]

    def get(self, handoff_id: int) -> Handoff | None:
        with self._connect() as db:
            r = db.execute("SELECT * FROM handoff WHERE id = ?", (handoff_id,)).fetchone()
        return Handoff(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) if r else None

    def set_status(self, handoff_id: int, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown handoff status {status!r}")
        with self._connect() as db:
            db.execute("UPDATE handoff SET status = ? WHERE id = ?", (status, handoff_id))

    def add_reply(self, handoff_id: int, agent: str, text: str) -> None:
        """Log an agent's reply (already masked) and mark the conversation as being served."""
        with self._connect() as db:
            db.execute("INSERT INTO handoff_replies VALUES (?, ?, ?, ?)", (handoff_id, agent, text, time.time()))
            db.execute("UPDATE handoff SET status = 'serving' WHERE id = ? AND status = 'waiting'", (handoff_id,))

    def replies(self, handoff_id: int) -> list[dict[str, str | float]]:
        with self._connect() as db:
            rows = db.execute("SELECT agent, text, at FROM handoff_replies WHERE handoff_id = ? ORDER BY at", (handoff_id,)).fetchall()
        return [{"agent": a, "text": t, "at": at} for a, t, at in rows]
