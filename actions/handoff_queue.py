"""Conversations handed to a human agent, waiting in a queue with their transcripts.

The action server adds to it; the 12345 agent console takes from it. A SQLite file on
disk by default (`var/handoff.sqlite`), so both processes on one machine share it; with
QUEUE_DB_URL the PostgreSQL database every machine shares (actions/queue_db.py).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from actions.queue_db import create_tables, queue_engine
from settings import Settings

metadata = sa.MetaData()
handoff = sa.Table(
    "handoff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.Text, nullable=False),
    sa.Column("channel", sa.Text),
    sa.Column("transcript", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="waiting"),
)
handoff_replies = sa.Table(
    "handoff_replies",
    metadata,
    sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoff.id"), nullable=False),
    sa.Column("agent", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
STATUSES = ("waiting", "serving", "closed")  # queued; an agent has replied; back to the bot


@dataclass
class Handoff:
    id: int
    sender_id: str
    channel: str | None
    transcript: list[dict[str, str]]
    created_at: float
    status: str


def _handoff(row: sa.Row) -> Handoff:
    return Handoff(row.id, row.sender_id, row.channel, json.loads(row.transcript), row.created_at, row.status)


class HandoffQueue:
    def __init__(self, path: Path | None = None, settings: Settings | None = None) -> None:
        self.engine = queue_engine(path, "handoff.sqlite", settings)
        create_tables(metadata, self.engine)
        self.path = path

    def add(self, sender_id: str, channel: str | None, transcript: list[dict[str, str]]) -> int:
        with self.engine.begin() as db:
            return int(db.execute(
                handoff.insert().values(
                    sender_id=sender_id, channel=channel, transcript=json.dumps(transcript, ensure_ascii=False), created_at=time.time()
                ).returning(handoff.c.id)
            ).scalar_one())

    def waiting(self) -> list[Handoff]:
        return self.open(("waiting",))

    def open(self, statuses: tuple[str, ...] = ("waiting", "serving")) -> list[Handoff]:
        with self.engine.connect() as db:
            rows = db.execute(sa.select(handoff).where(handoff.c.status.in_(statuses)).order_by(handoff.c.id))
            return [_handoff(r) for r in rows]

    def get(self, handoff_id: int) -> Handoff | None:
        with self.engine.connect() as db:
            row = db.execute(sa.select(handoff).where(handoff.c.id == handoff_id)).first()
        return _handoff(row) if row else None

    def set_status(self, handoff_id: int, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown handoff status {status!r}")
        with self.engine.begin() as db:
            db.execute(handoff.update().where(handoff.c.id == handoff_id).values(status=status))

    def add_reply(self, handoff_id: int, agent: str, text: str) -> None:
        """Log an agent's reply (already masked) and mark the conversation as being served."""
        with self.engine.begin() as db:
            db.execute(handoff_replies.insert().values(handoff_id=handoff_id, agent=agent, text=text, at=time.time()))
            db.execute(handoff.update().where(handoff.c.id == handoff_id, handoff.c.status == "waiting").values(status="serving"))

    def replies(self, handoff_id: int) -> list[dict[str, str | float]]:
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(handoff_replies.c.agent, handoff_replies.c.text, handoff_replies.c.at)
                .where(handoff_replies.c.handoff_id == handoff_id).order_by(handoff_replies.c.at)
            )
            return [{"agent": a, "text": t, "at": at} for a, t, at in rows]
