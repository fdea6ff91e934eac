"""The action server's way to the portal: short timeouts, and an outbox that keeps every
submission until the portal has it — never lost (on disk), never duplicated (each one
carries its idempotency key, and the portal makes one application per key).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from cryptography.fernet import Fernet

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
        says of the applicant in their profile. Every step is safe to repeat."""
        draft = await self.call("POST", "/applications", application)
        submitted = await self.call("POST", f"/applications/{draft['id']}/submit", {})
        if application.get("profile"):
            await self.call("PUT", "/profiles", application["profile"])
        return submitted

    async def progress(self, receipt_number: str, applicant: str) -> dict[str, Any]:
        return await self.call("POST", f"/progress/{quote(receipt_number, safe='')}", {"applicant": applicant})


class Outbox:
    """Submissions waiting for the portal, on disk (SQLite in var/), encrypted like the
    portal's own records (they hold ID numbers and phones)."""

    def __init__(self, path: Path | None = None, key: str | None = None) -> None:
        settings = get_settings()
        self._fernet = Fernet((key or settings.portal_data_key).encode())
        self.path = path or settings.var_dir / "outbox.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, sender_id TEXT, application BLOB NOT NULL,"
                " queued_at REAL NOT NULL, result TEXT)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5)

    def put(self, application: dict[str, Any]) -> None:
        sealed = self._fernet.encrypt(json.dumps(application, ensure_ascii=False).encode())
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO outbox (key, sender_id, application, queued_at) VALUES (?, ?, ?, ?)",
                (application["idempotency_key"], application.get("sender_id"), sealed, time.time()),
            )

    def _open(self, sealed: bytes) -> dict[str, Any]:
        return json.loads(self._fernet.decrypt(sealed))

    def pending(self) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute("SELECT application FROM outbox WHERE result IS NULL ORDER BY queued_at").fetchall()
        return [self._open(r[0]) for r in rows]

    def done(self, key: str, result: dict[str, Any]) -> None:
        with self._connect() as db:
            db.execute("UPDATE outbox SET result = ? WHERE key = ?", (json.dumps(result, ensure_ascii=False), key))

    def result(self, key: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT result FROM outbox WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def of_sender(self, sender_id: str) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        """(application, portal result or None while waiting) for one conversation, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT application, result FROM outbox WHERE sender_id = ? ORDER BY queued_at", (sender_id,)).fetchall()
        return [(self._open(a), json.loads(r) if r else None) for a, r in rows]


async def submit_or_queue(client: PortalClient, outbox: Outbox, application: dict[str, Any]) -> dict[str, Any] | None:
    """The portal's answer, or None when it is down and the application waits in the outbox."""
    outbox.put(application)  # first on disk, so a crash between here and the portal loses nothing
    try:
        result = await client.submit(application)
    except PortalUnavailable as exc:
        log.warning("portal unavailable (%s): application %s queued", exc, application["idempotency_key"])
        return None
    outbox.done(application["idempotency_key"], result)
    return result


async def deliver_pending(client: PortalClient, outbox: Outbox) -> int:
    """Send what waits in the outbox; returns how many the portal now has."""
    delivered = 0
    for application in outbox.pending():
        try:
            result = await client.submit(application)
        except PortalUnavailable:
            break  # still down: keep the rest for the next round
        except PortalRejected as exc:
            result = {"rejected": exc.status, "message": str(exc)}
        outbox.done(application["idempotency_key"], result)
        delivered += 1
    return delivered


_delivery: asyncio.Task | None = None


def keep_delivering(client: PortalClient, outbox: Outbox, every: float = 5.0) -> None:
    """Retry the outbox in the background of this event loop until it is empty."""
    global _delivery
    if _delivery is not None and not _delivery.done():
        return

    async def loop() -> None:
        while outbox.pending():
            await asyncio.sleep(every)
            delivered = await deliver_pending(client, outbox)
            if delivered:
                log.info("delivered %d queued applications to the portal", delivered)

    _delivery = asyncio.get_running_loop().create_task(loop())
