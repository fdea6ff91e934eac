"""RabbitMQ → the analytics store, for many Rasa servers (ANALYTICS_BROKER=pika).

Each Rasa server publishes its (masked) events to Rasa's fanout exchange; they queue in
the durable queue `tongban_analytics` until this consumer writes them to ANALYTICS_DB_URL
(PostgreSQL) as rows of Rasa's SQL-broker schema. A message is acknowledged only after
its batch is committed, so a consumer stopped mid-batch loses nothing (RabbitMQ
delivers the unacknowledged messages again); run one consumer per store.

    python -m analytics.consumer
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys

import aio_pika

from analytics.broker import QUEUE, masked
from analytics.store import create_tables, engine_for, events
from ops.logs import configure_logging
from settings import Settings, get_settings

log = logging.getLogger(__name__)
EXCHANGE = "rasa-exchange"  # Rasa's PikaEventBroker default
BATCH = 500
LINGER_SECONDS = 0.2


def row_of(body: bytes) -> dict | None:
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    event = masked(event)  # the broker masked it already; a foreign publisher may not have
    return {"sender_id": str(event.get("sender_id") or "")[:255], "data": json.dumps(event, ensure_ascii=False)}


async def consume(stop: asyncio.Event, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    engine = engine_for(settings)
    await create_tables(engine)
    connection = await aio_pika.connect_robust(settings.analytics_amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=BATCH * 2)
        exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(QUEUE, durable=True)
        await queue.bind(exchange, "")
        inbox: asyncio.Queue[aio_pika.abc.AbstractIncomingMessage] = asyncio.Queue()
        await queue.consume(inbox.put)
        log.info("consuming %s into the analytics store", QUEUE)
        while not stop.is_set():
            try:
                batch = [await asyncio.wait_for(inbox.get(), timeout=LINGER_SECONDS)]
            except TimeoutError:
                continue
            while len(batch) < BATCH and not inbox.empty():
                batch.append(inbox.get_nowait())
            await store(engine, batch)
    await engine.dispose()


async def store(engine, messages) -> None:
    rows = [r for r in (row_of(m.body) for m in messages) if r is not None]
    if rows:
        async with engine.begin() as db:
            await db.execute(events.insert(), rows)
    await messages[-1].ack(multiple=True)  # all of them, after the commit


def main() -> int:
    configure_logging("analytics-consumer")
    stop = asyncio.Event()

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await consume(stop)

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
