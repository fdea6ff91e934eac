"""Incremental ingestion: each record is classified, placed, embedded and tokenised once,
when it first arrives, and kept in SQLite (var/insight.sqlite); records already stored (by
id) are skipped. Grouping is incremental too: the groups are stored with the messages, and
the messages that arrived since the last grouping join them (`insight.grouping.regroup`),
so a day's hot issues cost about one day's work, not the whole window's."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from insight.forked import map_chunks
from insight.grouping import Item, areas, regroup
from insight.hot import MIN_MESSAGES, Issue, Prepared, fixed_word_weights, grouping_items, prepare, rank_groups
from insight.places import PlaceFinder, Places
from insight.records import Record

# How far apart in time messages of one issue may be: the stored groups are made with it.
GROUP_WINDOW = timedelta(days=7)

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, time TEXT NOT NULL, title TEXT, text TEXT, likes INTEGER, dislikes INTEGER,
    category TEXT, place TEXT, districts TEXT, keys TEXT, names TEXT, problem TEXT, tokens TEXT, vector BLOB
);
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, messages INTEGER NOT NULL);
"""
# Added by incremental grouping: the message's group (NULL: none) and whether grouping has seen it.
GROUP_COLUMNS = {"grp": "INTEGER", "grouped": "INTEGER NOT NULL DEFAULT 0"}
COLUMNS = "id, time, title, text, likes, dislikes, category, place, districts, keys, names, problem, tokens"


class InsightStore:
    def __init__(self, path: Path, window: timedelta = GROUP_WINDOW) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)
        present = {row[1] for row in self.db.execute("PRAGMA table_info(messages)")}
        with self.db:
            for name, kind in GROUP_COLUMNS.items():
                if name not in present:
                    self.db.execute(f"ALTER TABLE messages ADD COLUMN {name} {kind}")
            self.db.execute("CREATE INDEX IF NOT EXISTS messages_pending ON messages (grouped) WHERE grouped = 0")
            self.db.execute("CREATE INDEX IF NOT EXISTS messages_group ON messages (grp)")
            # Holds all a neighbourhood's sketch reads, so it is read from the index alone, not
            # from rows of ~2 KB (their vectors): 3.5 -> 1.6 s for 320,000 messages.
            self.db.execute("CREATE INDEX IF NOT EXISTS messages_sketch ON messages (time, id, grp, grouped, keys, districts)")
            self.db.execute("DROP INDEX IF EXISTS messages_time")  # what it served, the sketch's index serves (it leads with time)
            if self.db.execute("SELECT count(*) FROM words").fetchone()[0] == 0:  # a store made before the table
                self._count_words(r[0].split() for r in self.db.execute("SELECT tokens FROM messages"))
        self.window_size = window

    def _count_words(self, token_lists) -> None:
        """Add messages' words to the document frequencies (inside the caller's transaction)."""
        counts = Counter(word for tokens in token_lists for word in set(tokens))
        self.db.executemany(
            "INSERT INTO words VALUES (?, ?) ON CONFLICT (word) DO UPDATE SET messages = messages + excluded.messages",
            counts.items(),
        )

    def word_weights(self, tokens: list[list[str]]):
        """TF-IDF of `tokens` by the document frequencies of every stored message: one
        measure of a word's rarity for every day's grouping, which a window's own (two weeks
        of messages) would make noisier."""
        rows = self.db.execute("SELECT word, messages FROM words").fetchall()
        total = self.db.execute("SELECT count(*) FROM messages").fetchone()[0]
        return fixed_word_weights({word: df for word, df in rows}, total, tokens)

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
            for i, label in zip(unlabelled, classify(classifier, texts, prepared.vectors[unlabelled])):
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
            self._count_words(prepared.tokens)
            self.db.executemany(f"INSERT INTO messages ({COLUMNS}, vector) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        return len(new)

    def latest(self, id_prefix: str = "") -> datetime | None:
        """The newest record's time (of those whose id starts with `id_prefix`)."""
        row = self.db.execute("SELECT max(time) FROM messages WHERE id LIKE ?", (id_prefix + "%",)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def window(self, start: datetime, end: datetime) -> tuple[list[Record], Prepared]:
        records, prepared, _ = self._read("time >= ? AND time <= ?", _span(start, end))
        return records, prepared

    def _read(self, where: str, args: tuple, vectors: bool = True) -> tuple[list[Record], Prepared, list[tuple]]:
        """The messages `where` says, in time order, and each one's (group, grouped)."""
        rows = self.db.execute(
            f"SELECT {COLUMNS}, {'vector' if vectors else 'NULL'}, grp, grouped FROM messages WHERE {where} ORDER BY time, id", args
        ).fetchall()
        records = [Record(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6] or "", r[7] or "") for r in rows]
        places = [Places(*map(tuple, p)) for p in _json_rows(rows, (8, 9, 10))]
        if vectors and rows:
            matrix = np.frombuffer(b"".join(r[13] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        else:
            matrix = np.zeros((len(rows), 512), dtype=np.float32)
        return records, Prepared(places, [r[11] for r in rows], [r[12].split() for r in rows], matrix), [(r[14], r[15]) for r in rows]

    def group_new(self) -> int:
        """Group the messages stored since the last grouping with the standing groups of
        their neighbourhood (a window either side of them); how many there were."""
        first, last = self.db.execute("SELECT min(time), max(time) FROM messages WHERE grouped = 0").fetchone()
        if first is None:
            return 0
        around = _span(datetime.fromisoformat(first) - self.window_size, datetime.fromisoformat(last) + self.window_size)
        # The neighbourhood, and every member of its groups (a group may reach further back).
        sketch = self.db.execute(
            "SELECT id, time, grp, grouped, keys, districts FROM messages WHERE time >= ? AND time <= ?"
            " OR grp IN (SELECT grp FROM messages WHERE time >= ? AND time <= ? AND grp IS NOT NULL) ORDER BY time, id",
            around + around,
        ).fetchall()
        places = [Places(tuple(districts), tuple(keys), ()) for keys, districts in _json_rows(sketch, (4, 5))]
        skip = areas([Item(datetime.fromisoformat(row[1]).timestamp(), p, NO_VECTOR) for row, p in zip(sketch, places)])
        with self.db:  # committed at once: an open transaction would keep other writers out while grouping runs
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (id TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM chosen")
            self.db.executemany("INSERT INTO chosen VALUES (?)", [(sketch[i][0],) for i in _what_new_messages_change(sketch, places, skip)])
        records, prepared, state = self._read("id IN (SELECT id FROM chosen)", ())
        had = [grp for grp, _ in state]
        new = np.array([not grouped for _, grouped in state], dtype=bool)
        _, words = self.word_weights(prepared.tokens)
        groups = regroup(grouping_items(records, prepared), words, self.window_size, list(_by_group(had).values()), new, skip=skip)
        wanted = self._group_ids(groups, had)
        changed = [(gid, records[i].id) for i, gid in enumerate(wanted) if gid != had[i]]
        with self.db:
            self.db.executemany("UPDATE messages SET grp = ? WHERE id = ?", changed)
            self.db.execute("UPDATE messages SET grouped = 1 WHERE grouped = 0 AND id IN (SELECT id FROM chosen)")
        return int(new.sum())

    def _group_ids(self, groups: list[list[int]], had: list[int | None]) -> list[int | None]:
        """Each message's group id: a group keeps the id most of its members `had` (the
        largest group first); the others get new ones."""
        next_id = (self.db.execute("SELECT max(grp) FROM messages").fetchone()[0] or 0) + 1
        wanted: list[int | None] = [None] * len(had)
        taken: set[int] = set()
        for group in sorted(groups, key=len, reverse=True):
            old = [had[m] for m in group if had[m] is not None and had[m] not in taken]
            gid = max(set(old), key=old.count) if old else None
            if gid is None:
                gid, next_id = next_id, next_id + 1
            taken.add(gid)
            for m in group:
                wanted[m] = gid
        return wanted

    def hot(self, end: datetime | None = None, span: timedelta | None = None) -> list[Issue]:
        """Hot issues of the stored messages of the `span` (default: one window) up to `end`,
        from the stored groups (messages not grouped yet are grouped first)."""
        self.group_new()
        end = end or self.latest()
        if end is None:
            return []
        within = _span(end - (span or self.window_size), end)
        # Only groups big enough to be an issue are read: the pairs were a third of the
        # grouped messages of the bench's 7-day window (133,402 -> 91,020 read).
        records, prepared, state = self._read(
            "time >= ? AND time <= ? AND grp IN (SELECT grp FROM messages WHERE time >= ? AND time <= ? AND grp IS NOT NULL"
            " GROUP BY grp HAVING count(*) >= ?)",
            within + within + (MIN_MESSAGES,),
            vectors=False,
        )
        groups = _by_group([grp for grp, _ in state])
        return rank_groups(records, prepared, list(groups.values()), self.window_size, self.word_weights(prepared.tokens))


def classify(classifier, texts: list[str], vectors: np.ndarray) -> list[str]:
    """Categories of many messages already embedded; the word model's part (pure Python
    tokenising) in a process per core."""
    by_text = np.array(map_chunks(lambda chunk: list(classifier.text_probabilities(chunk)), texts))
    return classifier.predict(texts, vectors, by_text)


NO_VECTOR = np.zeros(0, dtype=np.float32)  # what deciding areas needs of a message is its time and places


def _what_new_messages_change(sketch: list[tuple], places: list[Places], areas: set[str]) -> set[int]:
    """Of the neighbourhood's messages (id, time, grp, grouped, …), those new messages can
    change and so must be read in full: the new ones, those naming a place a new one names
    (areas link nothing), the groups those are in and the messages naming their members'
    places, and the groups of the districts where a new message names no place (it may
    join one of them). A group is read whole or not at all: one judged on part of its
    members could take a message it should not."""
    fresh = [i for i, row in enumerate(sketch) if not row[3]]
    members = _by_group([row[2] for row in sketch])
    new_keys = {k for i in fresh for k in places[i].keys} - areas
    new_districts = {d for i in fresh if not places[i].keys for d in places[i].districts}
    near = {
        row[2] for i, row in enumerate(sketch)
        if row[2] is not None and (new_keys.intersection(places[i].keys) or new_districts.intersection(places[i].districts))
    }
    keys = (new_keys | {k for g in near for m in members[g] for k in places[m].keys}) - areas
    chosen = set(fresh) | {m for g in near for m in members[g]} | {i for i, p in enumerate(places) if keys.intersection(p.keys)}
    return chosen | {m for i in chosen if sketch[i][2] is not None for m in members[sketch[i][2]]}


def _by_group(groups: list[int | None]) -> dict[int, list[int]]:
    """Positions by group id (messages in no group left out), in order."""
    members: dict[int, list[int]] = {}
    for i, grp in enumerate(groups):
        if grp is not None:
            members.setdefault(grp, []).append(i)
    return members


def _span(start: datetime, end: datetime) -> tuple[str, str]:
    return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def _json_rows(rows: list[tuple], columns: tuple[int, ...]) -> list[list]:
    """The JSON lists in `columns` of each row, parsed in one call (one `json.loads` per
    value was a second of every 160,000 messages read)."""
    if not rows:
        return []
    return json.loads("[" + ",".join("[" + ",".join(row[c] for c in columns) + "]" for row in rows) + "]")
