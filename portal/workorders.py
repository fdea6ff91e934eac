"""12345 work orders filed from the conversation: filed once per idempotency key, found by
conversation or by number and contact phone, moved along by the hotline's agents and
departments; every status change or reply is queued in `notifications` for the citizen's
channel, like an application's (actions/notifier.py pushes both)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from portal.protection import Protector
from portal.store import Conflict, NotFound, now
from portal.db import notifications, work_order_events, work_orders

FILED = "已受理"
# What agents and departments may set; 已答复 and 已办结 are what the citizen waits for.
STATUSES = (FILED, "已转办", "办理中", "已答复", "已办结", "已退回")


def new_number() -> str:
    # WO + date + 6 random digits: a number alone says nothing, status needs the phone too.
    return f"WO{now():%Y%m%d}{secrets.randbelow(10**6):06d}"


def notice(row: dict[str, Any], status: str, reply: str | None) -> str:
    text = f"您反映的问题（工单编号 {row['number']}）办理状态更新为：{status}"
    return text + (f"。{row['department'] or '承办部门'}答复：{reply}" if reply else "。")


@dataclass
class WorkOrders:
    engine: AsyncEngine
    protector: Protector

    async def file(self, order: dict[str, Any], contact: str) -> dict[str, Any]:
        """A new work order, or the one this idempotency key already made. `contact` is the
        raw phone: kept encrypted and as a keyed hash, shown masked."""
        async with self.engine.begin() as db:
            found = (await db.execute(sa.select(work_orders).where(work_orders.c.idempotency_key == order["idempotency_key"]))).mappings().first()
            if found:
                return await self._view(db, dict(found))
            row = {
                **order,
                "id": str(uuid.uuid4()),
                "number": new_number(),
                "status": FILED,
                "contact_hash": self.protector.lookup_hash(contact),
                "contact_encrypted": self.protector.seal(contact),
                "created_at": now(),
                "updated_at": now(),
            }
            try:
                await db.execute(work_orders.insert().values(**row))
            except IntegrityError:  # the same key raced in from another request
                raise Conflict("retry: this idempotency key is being used")
            await db.execute(work_order_events.insert().values(
                work_order_id=row["id"], status=FILED, department=row.get("department"), actor="citizen", at=now()))
            stored = (await db.execute(sa.select(work_orders).where(work_orders.c.id == row["id"]))).mappings().one()
            return await self._view(db, dict(stored))

    async def of_conversation(self, sender_id: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as db:
            rows = await db.execute(sa.select(work_orders).where(work_orders.c.sender_id == sender_id).order_by(work_orders.c.created_at))
            return [await self._view(db, dict(r)) for r in rows.mappings().all()]

    async def find(self, number: str, contact: str) -> dict[str, Any]:
        """One work order, only for someone who gives its contact phone (else NotFound, the
        same answer for an unknown number: no probing)."""
        async with self.engine.connect() as db:
            row = (await db.execute(sa.select(work_orders).where(work_orders.c.number == number))).mappings().first()
            if row is None or self.protector.lookup_hash(contact) != row["contact_hash"]:
                raise NotFound(number)
            return await self._view(db, dict(row))

    async def listing(self, status: str | None = None, limit: int = 200, since: datetime | None = None) -> list[dict[str, Any]]:
        """The agents' list, newest first, with the contact masked; `since`: only those filed
        after it, oldest first (hotline insight reads them page by page: insight/__main__.py)."""
        query = sa.select(work_orders).order_by(work_orders.c.created_at.desc()).limit(limit)
        if since is not None:
            query = (sa.select(work_orders).where(work_orders.c.created_at > since)
                     .order_by(work_orders.c.created_at).limit(limit))
        if status:
            query = query.where(work_orders.c.status == status)
        async with self.engine.connect() as db:
            rows = (await db.execute(query)).mappings().all()
            return [{**await self._view(db, dict(r)), "contact": r["contact_masked"], "channel": r["channel"]} for r in rows]

    async def contact(self, number: str) -> str:
        """The raw phone, for the department that calls the citizen back (staff only)."""
        async with self.engine.connect() as db:
            sealed = (await db.execute(sa.select(work_orders.c.contact_encrypted).where(work_orders.c.number == number))).scalar()
        if sealed is None:
            raise NotFound(number)
        return self.protector.open(sealed)

    async def update(self, number: str, actor: str, status: str | None = None, department: str | None = None, reply: str | None = None) -> dict[str, Any]:
        """An agent or department changes status, department or reply; the citizen is told
        of a new status or reply on their channel (a department change alone is internal)."""
        if status is not None and status not in STATUSES:
            raise Conflict(f"status must be one of {', '.join(STATUSES)}")
        async with self.engine.begin() as db:
            row = (await db.execute(sa.select(work_orders).where(work_orders.c.number == number))).mappings().first()
            if row is None:
                raise NotFound(number)
            row = dict(row)
            changes = {k: v for k, v in (("status", status), ("department", department), ("reply", reply)) if v is not None and v != row[k]}
            if not changes:
                return await self._view(db, row)
            await db.execute(work_orders.update().where(work_orders.c.id == row["id"]).values(**changes, updated_at=now()))
            row.update(changes)
            await db.execute(work_order_events.insert().values(
                work_order_id=row["id"], status=row["status"], department=row["department"], note=changes.get("reply"), actor=actor, at=now()))
            if ("status" in changes or "reply" in changes) and row["sender_id"]:
                await db.execute(notifications.insert().values(
                    work_order_id=row["id"], channel=row["channel"], sender_id=row["sender_id"],
                    text=notice(row, row["status"], changes.get("reply")), created_at=now()))
            return await self._view(db, row)

    async def _view(self, db: AsyncConnection, row: dict[str, Any]) -> dict[str, Any]:
        """What the citizen may see: no phone, the timeline and the department's reply."""
        events = await db.execute(
            sa.select(work_order_events).where(work_order_events.c.work_order_id == row["id"]).order_by(work_order_events.c.id)
        )
        return {
            "number": row["number"],
            "status": row["status"],
            "category": row["category"],
            "department": row["department"],
            "content": row["content"],
            "place": row["place"],
            "region_name": row["region_name"],
            "happened": row["happened"],
            "reply": row["reply"],
            "created_at": row["created_at"].isoformat(),
            "timeline": [{"status": e["status"], "department": e["department"], "note": e["note"], "at": e["at"].isoformat()}
                         for e in events.mappings()],
        }
