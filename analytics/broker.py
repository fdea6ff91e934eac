"""Rasa's own event brokers, with every event masked and slimmed before it leaves Rasa.

Runs inside the Rasa process (Python 3.10, Rasa's SQLAlchemy 1.4 and aio-pika): Rasa
loads a broker by module path (`event_broker: type: analytics.broker.MaskedSQLEventBroker`).
The channels mask personal numbers before Rasa sees them; masking again here means an
action that echoed a raw number still cannot put it into the analytics store. Slimming
keeps what the measures read (texts, intent, channel, actions, slots, the bot's custom
payload) and drops the NLU's rankings and features, a tenth of the size.

`with_event_broker` adds the broker of ANALYTICS_BROKER to an endpoints file for Rasa.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from channels.privacy import mask_pii

log = logging.getLogger(__name__)

KEPT = ("event", "timestamp", "sender_id", "text", "input_channel", "name", "value", "policy", "confidence")
QUEUE = "tongban_analytics"
BATCH = 1000  # rows a transaction at most
WRITE_ATTEMPTS = 5  # a store locked or down for a moment: the batch waits, then is logged as lost


def masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def slim(event: dict[str, Any]) -> dict[str, Any]:
    """What the analytics store keeps of one Rasa event, every string masked."""
    kept = {k: event[k] for k in KEPT if k in event}
    intent = (event.get("parse_data") or {}).get("intent") or {}
    if intent:
        kept["intent"] = {"name": intent.get("name"), "confidence": intent.get("confidence")}
    data = event.get("data") or {}
    if data.get("custom"):
        kept["custom"] = data["custom"]
    if data.get("buttons"):
        kept["buttons"] = len(data["buttons"])
    return masked(kept)


class BatchWriter:
    """A thread that inserts queued rows into `table`, all that have queued (up to BATCH)
    in one transaction by executemany."""

    def __init__(self, engine: Any, table: Any) -> None:
        self.engine, self.table = engine, table
        self.rows: queue.SimpleQueue = queue.SimpleQueue()
        self.closed = False
        self.thread = threading.Thread(target=self._run, name="analytics-broker-writer", daemon=True)
        self.thread.start()
        atexit.register(self.close)

    def put(self, row: dict[str, Any]) -> None:
        self.rows.put(row)

    def close(self, timeout: float = 30) -> None:
        """Write what has queued, then stop."""
        if not self.closed:
            self.closed = True
            self.rows.put(None)
            self.thread.join(timeout)

    def _run(self) -> None:
        done = False
        while not done:
            batch = [self.rows.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self.rows.get_nowait())
                except queue.Empty:
                    break
            done = None in batch
            rows = [row for row in batch if row is not None]
            if rows:
                self._write(rows)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self.engine.begin() as connection:
                    connection.execute(self.table.insert(), rows)
                return
            except Exception:  # noqa: BLE001  the thread must live on
                log.warning("analytics broker: writing %d events failed (attempt %d)", len(rows), attempt + 1, exc_info=True)
                time.sleep(min(2**attempt, 10))
        log.error("analytics broker: %d events lost, the store did not accept them", len(rows))


try:  # Rasa's brokers exist only in the Rasa environment
    import rasa.shared.core.events  # noqa: F401  the Pika broker uses it without importing it
    from rasa.core.brokers.pika import PikaEventBroker
    from rasa.core.brokers.sql import SQLEventBroker
except ImportError:  # the services' environment imports this module for with_event_broker
    PikaEventBroker = SQLEventBroker = None  # type: ignore[assignment,misc]

if SQLEventBroker is not None:

    class MaskedSQLEventBroker(SQLEventBroker):
        """Rasa's SQL broker (table `events`), masked and batched. `publish` (which Rasa
        calls on its event loop, once per event) only queues the masked row; a writer
        thread stores whatever has queued in one transaction, so a burst of events costs
        one commit and Rasa does not wait for the disk. Rasa's `close()` at shutdown and
        the interpreter's exit write what is left. SQLite keeps one connection per thread
        (SQLAlchemy 1.4 would open one per event) in WAL mode, so the dashboard reads
        while Rasa writes."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.engine.dialect.name == "sqlite":
                import sqlalchemy
                import sqlalchemy.orm

                from ops.sqlite import tune_engine

                url = self.engine.url
                self.engine.dispose()
                # pysqlite waits 5 s for a lock (its default timeout)
                self.engine = tune_engine(sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.SingletonThreadPool), durable=False)
                self.sessionmaker = sqlalchemy.orm.sessionmaker(bind=self.engine)
            self.writer = BatchWriter(self.engine, self.SQLBrokerEvent.__table__)

        def publish(self, event: dict[str, Any]) -> None:
            event = slim(event)
            self.writer.put({"sender_id": event.get("sender_id"), "data": json.dumps(event)})

        async def close(self) -> None:
            self.writer.close()

    class MaskedPikaEventBroker(PikaEventBroker):
        """Rasa's RabbitMQ broker (fanout exchange, durable queue), masked."""

        def publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            super().publish(slim(event), headers)


def broker_section(kind: str, db_path: Path, amqp_url: str) -> str:
    """The `event_broker:` block of Rasa's endpoints for ANALYTICS_BROKER=`kind`."""
    if kind == "sql":
        return f"event_broker:\n  type: analytics.broker.MaskedSQLEventBroker\n  dialect: sqlite\n  db: {db_path}\n"
    if kind == "pika":
        url = urlparse(amqp_url)
        # The password reaches Rasa as ${ANALYTICS_AMQP_PASSWORD} (rasa_env), never in a file.
        return (
            "event_broker:\n  type: analytics.broker.MaskedPikaEventBroker\n"
            f"  url: {url.hostname}\n  port: {url.port or 5672}\n  username: {url.username or 'guest'}\n"
            f"  password: ${{ANALYTICS_AMQP_PASSWORD}}\n  queues:\n    - {QUEUE}\n"
        )
    if kind == "none":
        return ""
    raise SystemExit(f"ANALYTICS_BROKER must be sql, pika or none, not {kind!r}")


def with_event_broker(endpoints: Path, settings: Any) -> Path:
    """`endpoints` with the analytics event broker added (a copy in var/), unless it has one."""
    text = endpoints.read_text(encoding="utf-8")
    if "\nevent_broker:" in f"\n{text}" or settings.analytics_broker == "none":
        return endpoints
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    combined = settings.var_dir / f"{endpoints.stem}.analytics.yml"
    section = broker_section(settings.analytics_broker, settings.analytics_sqlite_path, settings.analytics_amqp_url)
    combined.write_text(text.rstrip("\n") + "\n" + section, encoding="utf-8")
    return combined


def rasa_env(settings: Any) -> dict[str, str]:
    """Environment Rasa needs for the broker's endpoints block."""
    if settings.analytics_broker != "pika":
        return {}
    return {"ANALYTICS_AMQP_PASSWORD": urlparse(settings.analytics_amqp_url).password or "guest"}
