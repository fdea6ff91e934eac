"""Where the action server's queues (submission outbox, human-handoff queue) live: a
SQLite file in var/ on one machine, or the PostgreSQL database of QUEUE_DB_URL shared by
every action server and agent-assist service. SQLAlchemy Core, so one set of statements
serves both; workers take rows with `FOR UPDATE SKIP LOCKED` (a no-op on SQLite, where
one writer at a time is all there is).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ops.sqlite import tune_engine
from settings import Settings, get_settings


@lru_cache(maxsize=None)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return tune_engine(sa.create_engine(url, connect_args={"timeout": 5}), durable=True)
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def queue_engine(path: Path | None, sqlite_name: str, settings: Settings | None = None) -> Engine:
    """The engine for one queue: `path` (a SQLite file, tests), QUEUE_DB_URL, or var/NAME."""
    settings = settings or get_settings()
    if path is None and settings.queue_db_url:
        return _engine(settings.queue_db_url)
    path = path or settings.var_dir / sqlite_name
    path.parent.mkdir(parents=True, exist_ok=True)
    return _engine(f"sqlite:///{path}")


def create_tables(metadata: sa.MetaData, engine: sa.Engine) -> None:
    """CREATE TABLE IF NOT EXISTS, twice if need be: two servers starting at once on one
    PostgreSQL race (both find the table missing; the second CREATE fails on pg_type)."""
    try:
        metadata.create_all(engine)
    except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
        metadata.create_all(engine)  # the other server made it meanwhile
