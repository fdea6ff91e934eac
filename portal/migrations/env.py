"""Alembic environment: runs the migrations on the async engine of PORTAL_DB_URL."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from portal.db import make_engine, metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def main() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()
    await engine.dispose()


asyncio.run(main())
