"""Incremental ingestion: each record is classified, placed, embedded and tokenised once,
when it first arrives, and kept in SQLite (var/insight.sqlite); hot issues of any window are
then computed from what is stored. Records already stored (by id) are skipped."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from insight.hot import Issue, Prepared, prepare, rank_issues
from insight.places import PlaceFinder, Places
from insight.records import Record

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, time TEXT NOT NULL, title TEXT, text TEXT, likes INTEGER, dislikes INTEGER,
    category TEXT, place TEXT, districts TEXT, keys TEXT, names TEXT, problem TEXT, tokens TEXT, vector BLOB
);
CREATE INDEX IF NOT EXISTS messages_time ON messages (time);
"""


class InsightStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)

    def known(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(r[0] for r in self.db.execute(f"SELECT id FROM messages WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def ingest(self, records: list[Record], embedder, finder: PlaceFinder, classifier=None) -> int:
        """Store the records not stored yet; those without a category get the classifier's."""
        known = self.known([r.id for r in records])
        new = list({r.id: r for r in records if r.id not in known}.values())
        if not new:
            return 0
        prepared = prepare(new, embedder, finder)
        categories = [r.category for r in new]
        unlabelled = [i for i, c in enumerate(categories) if not c]
        if classifier is not None and unlabelled:
            from assist.classifier import message_text

            texts = [message_text({"title": new[i].title, "text": new[i].text}) for i in unlabelled]
            for i, label in zip(unlabelled, classifier.predict(texts, prepared.vectors[unlabelled])):
                categories[i] = label
        rows = [
            (
                r.id, r.time.isoformat(timespec="seconds"), r.title, r.text, r.likes, r.dislikes, category, r.place,
                json.dumps(p.districts, ensure_ascii=False), json.dumps(p.keys, ensure_ascii=False), json.dumps(p.names, ensure_ascii=False),
                problem, " ".join(tokens), vector.astype(np.float32).tobytes(),
            )
            for r, category, p, problem, tokens, vector in zip(new, categories, prepared.places, prepared.texts, prepared.tokens, prepared.vectors)
        ]
        with self.db:
            self.db.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        return len(new)

    def latest(self, id_prefix: str = "") -> datetime | None:
        """The newest record's time (of those whose id starts with `id_prefix`)."""
        row = self.db.execute("SELECT max(time) FROM messages WHERE id LIKE ?", (id_prefix + "%",)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def window(self, start: datetime, end: datetime) -> tuple[list[Record], Prepared]:
        rows = self.db.execute(
            "SELECT id, time, title, text, likes, dislikes, category, place, districts, keys, names, problem, tokens, vector"
            " FROM messages WHERE time >= ? AND time <= ? ORDER BY time, id",
            (start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")),
        ).fetchall()
        records = [Record(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6] or "", r[7] or "") for r in rows]
        places = [Places(tuple(json.loads(r[8])), tuple(json.loads(r[9])), tuple(json.loads(r[10]))) for r in rows]
        vectors = np.frombuffer(b"".join(r[13] for r in rows), dtype=np.float32).reshape(len(rows), -1) if rows else np.zeros((0, 512), dtype=np.float32)
        return records, Prepared(places, [r[11] for r in rows], [r[12].split() for r in rows], vectors)

    def hot(self, window: timedelta, end: datetime | None = None, span: timedelta | None = None) -> list[Issue]:
        """Hot issues of the stored messages of the `span` (default: one window) up to `end`."""
        end = end or self.latest()
        if end is None:
            return []
        records, prepared = self.window(end - (span or window), end)
        return rank_issues(records, prepared, window)
