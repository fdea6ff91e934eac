"""The analytics store's engine, opened once per process, its tables made on first use."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from analytics.store import create_tables, engine_for

_engine: AsyncEngine | None = None
_lock = asyncio.Lock()


async def analytics_engine() -> AsyncEngine:
    global _engine
    async with _lock:
        if _engine is None:
            engine = engine_for()
            await create_tables(engine)
            _engine = engine
    return _engine
