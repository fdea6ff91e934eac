"""The agent-assist service's records (SQLite, `var/assist.sqlite`): agents and their
password hashes, the suggestions each assist call made, and the agents' verdicts on them.

Only masked text is ever stored. Calls are short; the views run them in a thread.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from ops.sqlite import tune

SCHEMA = """
CREATE TABLE IF NOT EXISTS agents (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS assists (
    id TEXT PRIMARY KEY,
    agent TEXT NOT NULL,
    category TEXT NOT NULL,
    suggestions TEXT NOT NULL,  -- JSON: {kind: [ref, ...]}
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    assist_id TEXT NOT NULL REFERENCES assists(id),
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    decision TEXT NOT NULL,
    agent TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (assist_id, kind, ref)  -- an agent may change their mind: the last verdict counts
);
"""
KINDS = ("category", "department", "item", "policy", "reply")
DECISIONS = ("adopted", "rejected")
# scrypt cost (RFC 7914 interactive parameters): ~50 ms and 16 MB per check.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class UnknownSuggestion(LookupError):
    pass


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        given = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(given.hex(), digest)


class AssistStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)
        # Verify unknown names against a real hash too, so timing does not tell names apart.
        self._decoy = hash_password(secrets.token_hex(8))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5)
        tune(db, durable=False)  # an assist call must not wait for the disk (≤ 300 ms)
        return db

    # ---- agents -----------------------------------------------------------------------

    def add_agent(self, name: str, password: str) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO agents VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash",
                (name, hash_password(password), time.time()),
            )

    def verify_agent(self, name: str, password: str) -> bool:
        with self._connect() as db:
            row = db.execute("SELECT password_hash FROM agents WHERE name = ?", (name,)).fetchone()
        ok = check_password(password, row[0] if row else self._decoy)
        return ok and row is not None

    # ---- suggestions and verdicts -----------------------------------------------------

    def record_assist(self, agent: str, category: str, suggestions: dict[str, list[str]]) -> str:
        assist_id = uuid.uuid4().hex
        with self._connect() as db:
            db.execute(
                "INSERT INTO assists VALUES (?, ?, ?, ?, ?)",
                (assist_id, agent, category, json.dumps(suggestions, ensure_ascii=False), time.time()),
            )
        return assist_id

    def record_feedback(self, assist_id: str, kind: str, ref: str, decision: str, agent: str) -> None:
        with self._connect() as db:
            row = db.execute("SELECT suggestions FROM assists WHERE id = ?", (assist_id,)).fetchone()
            if row is None or ref not in json.loads(row[0]).get(kind, []):
                raise UnknownSuggestion(assist_id)
            db.execute(
                "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?)",
                (assist_id, kind, ref, decision, agent, time.time()),
            )

    def report(self) -> dict[str, Any]:
        """Adopted/rejected counts and adoption rate, per category and per kind of suggestion."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT a.category, f.kind, f.decision, COUNT(*) FROM feedback f JOIN assists a ON a.id = f.assist_id "
                "GROUP BY a.category, f.kind, f.decision"
            ).fetchall()
            assists = db.execute("SELECT COUNT(*) FROM assists").fetchone()[0]
        by: dict[str, dict[str, dict[str, Any]]] = {"by_category": {}, "by_kind": {}}
        for category, kind, decision, count in rows:
            for table, key in (("by_category", category), ("by_kind", kind)):
                entry = by[table].setdefault(key, {"adopted": 0, "rejected": 0})
                entry[decision] += count
        for table in by.values():
            for entry in table.values():
                entry["adoption_rate"] = round(entry["adopted"] / (entry["adopted"] + entry["rejected"]), 3)
        total = {d: sum(e[d] for e in by["by_kind"].values()) for d in DECISIONS}
        return {"assists": assists, **total, **by}
