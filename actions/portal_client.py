"""The action server's way to the portal: short timeouts, and an outbox that keeps every
submission until the portal has it — never lost (on disk or in PostgreSQL), never
duplicated (each one carries its idempotency key, and the portal makes one application
per key).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from tenacity import AsyncRetrying, before_sleep_log, retry_if_exception_type, retry_if_result, wait_exponential_jitter
from tenacity.wait import wait_base

from actions.queue_db import create_tables, queue_engine

from settings import Settings, get_settings

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3.0


class PortalUnavailable(RuntimeError):
    """The portal did not answer in time, or not at all."""


class PortalRejected(RuntimeError):
    """The portal answered with a 4xx: retrying will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class PortalClient:
    base_url: str
    token: str
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "PortalClient":
        settings = settings or get_settings()
        return cls(settings.portal_url.rstrip("/"), settings.portal_service_token)

    async def call(self, method: str, path: str, payload: dict[str, Any] | None = None, params: dict[str, str] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                async with session.request(method, self.base_url + path, json=payload, params=params, headers=headers) as response:
                    body = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError) as exc:
            raise PortalUnavailable(str(exc) or type(exc).__name__) from exc
        if response.status >= 500:
            raise PortalUnavailable(f"portal answered {response.status}")
        if response.status >= 400:
            raise PortalRejected(response.status, (body or {}).get("message", "请求被拒绝"))
        return body

    async def submit(self, application: dict[str, Any]) -> dict[str, Any]:
        """Create (or find, by idempotency key) the application, submit it, and keep what it
        says of the applicant in their profile. Every step is safe to repeat. A 12345 work
        order from the chat (`work_order`, actions/workorder.py) rides the same outbox."""
        if "work_order" in application:
            return await self.call("POST", "/work-orders", application["work_order"])
        draft = await self.call("POST", "/applications", application)
        submitted = await self.call("POST", f"/applications/{draft['id']}/submit", {})
        if application.get("profile"):
            await self.call("PUT", "/profiles", application["profile"])
        return submitted

    async def progress(self, receipt_number: str, applicant: str) -> dict[str, Any]:
        return await self.call("POST", f"/progress/{quote(receipt_number, safe='')}", {"applicant": applicant})


outbox = sa.Table(
    "outbox",
    sa.MetaData(),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("sender_id", sa.Text),
    sa.Column("application", sa.LargeBinary, nullable=False),
    sa.Column("queued_at", sa.Float, nullable=False),
    sa.Column("result", sa.Text),
    # A worker delivering it holds it until then; another takes it once the lease runs out.
    sa.Column("leased_until", sa.Float),
)
LEASE_SECONDS = 30.0


class Outbox:
    """Submissions waiting for the portal, encrypted like the portal's own records (they
    hold ID numbers and phones): SQLite in var/, or QUEUE_DB_URL's PostgreSQL shared by
    every action server (actions/queue_db.py)."""

    def __init__(self, path: Path | None = None, key: str | None = None) -> None:
        settings = get_settings()
        self._fernet = Fernet((key or settings.portal_data_key).encode())
        self.engine = queue_engine(path, "outbox.sqlite")
        create_tables(outbox.metadata, self.engine)
        if "leased_until" not in {c["name"] for c in sa.inspect(self.engine).get_columns("outbox")}:
            with self.engine.begin() as db:  # an outbox from before leases
                db.execute(sa.text("ALTER TABLE outbox ADD COLUMN leased_until FLOAT"))

    def put(self, application: dict[str, Any]) -> None:
        sealed = self._fernet.encrypt(json.dumps(application, ensure_ascii=False).encode())
        # Leased to the caller, who submits it at once (submit_or_queue): no other worker takes it meanwhile.
        now = time.time()
        row = {"key": application["idempotency_key"], "sender_id": application.get("sender_id"), "application": sealed,
               "queued_at": now, "leased_until": now + LEASE_SECONDS}
        insert = (pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert)(outbox)
        with self.engine.begin() as db:
            db.execute(insert.values(**row).on_conflict_do_nothing(index_elements=["key"]))

    def _open(self, sealed: bytes) -> dict[str, Any]:
        return json.loads(self._fernet.decrypt(sealed))

    def pending(self) -> list[dict[str, Any]]:
        with self.engine.connect() as db:
            rows = db.execute(sa.select(outbox.c.application).where(outbox.c.result.is_(None)).order_by(outbox.c.queued_at))
            return [self._open(r[0]) for r in rows]

    def lease(self) -> dict[str, Any] | None:
        """The oldest waiting application no other worker holds, now held by this one for
        LEASE_SECONDS (SKIP LOCKED: workers never wait on each other's rows)."""
        now = time.time()
        with self.engine.begin() as db:
            row = db.execute(
                sa.select(outbox.c.key, outbox.c.application)
                .where(outbox.c.result.is_(None), sa.or_(outbox.c.leased_until.is_(None), outbox.c.leased_until < now))
                .order_by(outbox.c.queued_at).limit(1).with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            db.execute(outbox.update().where(outbox.c.key == row.key).values(leased_until=now + LEASE_SECONDS))
        return self._open(row.application)

    def release(self, key: str) -> None:
        with self.engine.begin() as db:
            db.execute(outbox.update().where(outbox.c.key == key).values(leased_until=None))

    def done(self, key: str, result: dict[str, Any]) -> None:
        with self.engine.begin() as db:
            db.execute(outbox.update().where(outbox.c.key == key).values(result=json.dumps(result, ensure_ascii=False), leased_until=None))

    def result(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as db:
            value = db.execute(sa.select(outbox.c.result).where(outbox.c.key == key)).scalar()
        return json.loads(value) if value else None

    def of_sender(self, sender_id: str) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        """(application, portal result or None while waiting) for one conversation, oldest first."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(outbox.c.application, outbox.c.result).where(outbox.c.sender_id == sender_id).order_by(outbox.c.queued_at)
            ).all()
        return [(self._open(a), json.loads(r) if r else None) for a, r in rows]


async def submit_or_queue(client: PortalClient, outbox: Outbox, application: dict[str, Any]) -> dict[str, Any] | None:
    """The portal's answer, or None when it is down and the application waits in the outbox."""
    outbox.put(application)  # first on disk, so a crash between here and the portal loses nothing
    try:
        result = await client.submit(application)
    except PortalUnavailable as exc:
        log.warning("portal unavailable (%s): application %s queued", exc, application["idempotency_key"])
        outbox.release(application["idempotency_key"])
        return None
    outbox.done(application["idempotency_key"], result)
    return result


async def deliver_pending(client: PortalClient, outbox: Outbox) -> int:
    """Send what waits in the outbox, one leased application at a time (other action
    servers deliver others meanwhile); returns how many the portal now has."""
    delivered = 0
    while (application := outbox.lease()) is not None:
        try:
            result = await client.submit(application)
        except PortalUnavailable:
            outbox.release(application["idempotency_key"])
            break  # still down: keep the rest for the next round
        except PortalRejected as exc:
            result = {"rejected": exc.status, "message": str(exc)}
        outbox.done(application["idempotency_key"], result)
        delivered += 1
    return delivered


# Rounds of delivering the outbox again while the portal stays down: at once, then after 5 s,
# 10, 20, 40, and a minute apart from then on, each wait plus up to 5 s at random so that
# action servers which queued at the same moment do not call the portal in step.
REDELIVERY_WAIT = wait_exponential_jitter(initial=5, max=60, jitter=5)
_delivery: asyncio.Task | None = None


async def _redeliver(client: PortalClient, outbox: Outbox) -> int:
    """One round: deliver what waits; how many applications still wait."""
    if delivered := await deliver_pending(client, outbox):
        log.info("delivered %d queued applications to the portal", delivered)
    return len(outbox.pending())


def keep_delivering(client: PortalClient, outbox: Outbox, wait: wait_base = REDELIVERY_WAIT) -> None:
    """Retry the outbox in the background of this event loop until it is empty (the action
    server's sweep, actions/server.py, delivers it too, every 10 s)."""
    global _delivery
    if _delivery is not None and not _delivery.done():
        return
    rounds = AsyncRetrying(
        wait=wait,
        retry=retry_if_result(bool) | retry_if_exception_type(),  # applications wait, or the queue's database failed
        before_sleep=before_sleep_log(log, logging.INFO),
    )
    _delivery = asyncio.get_running_loop().create_task(rounds(_redeliver, client, outbox))
