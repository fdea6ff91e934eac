"""Our SQLite files are opened in WAL mode (ops/sqlite.py): a commit on an event loop costs
one sync of the log, not the rollback journal's several; queues and applications still
sync every commit."""

from __future__ import annotations

import sqlite3

from cryptography.fernet import Fernet

from actions.handoff_queue import HandoffQueue
from actions.portal_client import Outbox
from assist.store import AssistStore
from channels.vault import Vault
from portal.db import make_engine

FULL, NORMAL = 2, 1  # PRAGMA synchronous


def journal_and_sync(connection) -> tuple[str, int]:
    return connection.execute("PRAGMA journal_mode").fetchone()[0], connection.execute("PRAGMA synchronous").fetchone()[0]


def test_queues_sync_every_commit_of_their_log(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite", Fernet.generate_key().decode())
    handoff = HandoffQueue(tmp_path / "handoff.sqlite")
    for engine in (outbox.engine, handoff.engine):
        with engine.connect() as connection:
            assert journal_and_sync(connection.connection.dbapi_connection) == ("wal", FULL)


def test_the_vault_and_agent_sessions_sync_at_checkpoints(tmp_path):
    vault = Vault(tmp_path / "vault.sqlite", key=Fernet.generate_key().decode())
    vault.put("someone", [("370102********1234", "370102199001011234")])
    assert journal_and_sync(vault._connect()) == ("wal", NORMAL)
    assert vault.get("someone", "370102********1234") == "370102199001011234"
    store = AssistStore(tmp_path / "assist.sqlite")
    assert journal_and_sync(store._connect()) == ("wal", NORMAL)
    assert sqlite3.connect(tmp_path / "vault.sqlite").execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file


async def test_the_portal_database_syncs_every_commit(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'portal.sqlite'}")
    try:
        async with engine.connect() as connection:
            journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            sync = (await connection.exec_driver_sql("PRAGMA synchronous")).scalar()
        assert (journal, sync) == ("wal", FULL)
    finally:
        await engine.dispose()
