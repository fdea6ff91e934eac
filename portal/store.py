"""Applications, their timelines, and profiles: the portal's data, one function per act."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from portal.db import application_events, applications, materials, notifications, profiles
from portal.protection import Protector

# The timeline a department moves an application along.
SUBMITTED, ACCEPTED, REVIEWING, DONE, RETURNED = "已提交", "已受理", "审查中", "办结", "退回"
DRAFT = "草稿"
# A half-filled form the applicant paused, to resume later, perhaps from another channel.
PAUSED, RESUMED = "暂存", "已续办"
STAFF_STATUSES = (ACCEPTED, REVIEWING, DONE, RETURNED)


class NotFound(LookupError):
    pass


class Conflict(ValueError):
    pass


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_receipt_number() -> str:
    # SD + date + 6 random digits: unguessable enough that a number alone reveals nothing.
    return f"SD{now():%Y%m%d}{secrets.randbelow(10**6):06d}"


@dataclass
class Portal:
    engine: AsyncEngine
    protector: Protector

    # ---- applications -------------------------------------------------------------------

    async def create_draft(
        self,
        idempotency_key: str,
        item_code: str,
        applicant: dict[str, str],
        fields: dict[str, Any],
        theme_id: str | None = None,
        channel: str | None = None,
        sender_id: str | None = None,
        paused: bool = False,
    ) -> dict[str, Any]:
        """A new draft (or paused form), or the one this idempotency key already made."""
        async with self.engine.begin() as db:
            existing = await self._by_key(db, idempotency_key)
            if existing:
                return await self._view(db, existing)
            hashes = [self.protector.lookup_hash(v) for k, v in applicant.items() if k in ("id_number", "phone") and v]
            row = {
                "id": str(uuid.uuid4()),
                "idempotency_key": idempotency_key,
                "item_code": item_code,
                "theme_id": theme_id,
                "status": PAUSED if paused else DRAFT,
                "applicant_hashes": json.dumps(hashes),
                "applicant_name": applicant.get("name"),
                "fields_encrypted": self.protector.seal({"applicant": applicant, "fields": fields}),
                "channel": channel,
                "sender_id": sender_id,
                "created_at": now(),
                "updated_at": now(),
            }
            try:
                await db.execute(applications.insert().values(**row))
            except IntegrityError:  # the same key raced in from another request
                raise Conflict("retry: this idempotency key is being used")
            return await self._view(db, await self._row(db, row["id"]))

    async def update_fields(self, application_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        async with self.engine.begin() as db:
            row = await self._row(db, application_id)
            if row["status"] != DRAFT:
                raise Conflict("only a draft can be changed")
            data = self.protector.open(row["fields_encrypted"])
            data["fields"].update(fields)
            await db.execute(
                applications.update()
                .where(applications.c.id == application_id)
                .values(fields_encrypted=self.protector.seal(data), updated_at=now())
            )
            return await self._view(db, await self._row(db, application_id))

    async def attach_material(self, application_id: str, name: str, reference: str) -> dict[str, Any]:
        async with self.engine.begin() as db:
            row = await self._row(db, application_id)
            await db.execute(materials.insert().values(application_id=application_id, name=name, reference=reference))
            return await self._view(db, row)

    async def submit(self, application_id: str) -> dict[str, Any]:
        """Submit once: a retried or concurrent submit returns the same receipt number."""
        async with self.engine.begin() as db:
            await self._row(db, application_id)  # 404 for an unknown id
            # Conditional update: of racing submits exactly one finds the draft.
            result = await db.execute(
                applications.update()
                .where(applications.c.id == application_id, applications.c.status == DRAFT)
                .values(status=SUBMITTED, receipt_number=new_receipt_number(), updated_at=now())
            )
            if result.rowcount == 1:
                await db.execute(application_events.insert().values(application_id=application_id, status=SUBMITTED, actor="applicant", at=now()))
            return await self._view(db, await self._row(db, application_id))

    async def move(self, receipt_number: str, status: str, note: str | None, actor: str) -> dict[str, Any]:
        """A department moves an application along; the applicant is told on their channel."""
        if status not in STAFF_STATUSES:
            raise Conflict(f"status must be one of {', '.join(STAFF_STATUSES)}")
        async with self.engine.begin() as db:
            row = (await db.execute(sa.select(applications).where(applications.c.receipt_number == receipt_number))).mappings().first()
            if row is None:
                raise NotFound(receipt_number)
            await db.execute(applications.update().where(applications.c.id == row["id"]).values(status=status, updated_at=now()))
            await db.execute(application_events.insert().values(application_id=row["id"], status=status, note=note, actor=actor, at=now()))
            text = f"您的申请（受理编号 {receipt_number}）状态更新为：{status}" + (f"。说明：{note}" if note else "")
            await db.execute(
                notifications.insert().values(
                    application_id=row["id"], channel=row["channel"], sender_id=row["sender_id"], text=text, created_at=now()
                )
            )
            return await self._view(db, await self._row(db, row["id"]))

    async def progress(self, receipt_number: str, applicant_value: str) -> dict[str, Any]:
        """The timeline, only for someone who gives the applicant's ID number or phone."""
        async with self.engine.connect() as db:
            row = (await db.execute(sa.select(applications).where(applications.c.receipt_number == receipt_number))).mappings().first()
            if row is None or self.protector.lookup_hash(applicant_value) not in json.loads(row["applicant_hashes"]):
                raise NotFound(receipt_number)  # the same answer either way: no probing
            return await self._view(db, row)

    async def claim_paused(self, id_number: str, phone: str) -> dict[str, Any]:
        """The applicant's latest paused form, with its answers, taken out of the store
        (marked resumed) so it is resumed once. Both numbers must match the applicant."""
        wanted = {self.protector.lookup_hash(id_number), self.protector.lookup_hash(phone)}
        async with self.engine.begin() as db:
            rows = await db.execute(
                sa.select(applications).where(applications.c.status == PAUSED).order_by(applications.c.updated_at.desc())
            )
            for row in rows.mappings():
                if wanted <= set(json.loads(row["applicant_hashes"])):
                    taken = await db.execute(
                        applications.update()
                        .where(applications.c.id == row["id"], applications.c.status == PAUSED)
                        .values(status=RESUMED, updated_at=now())
                    )
                    if taken.rowcount == 1:
                        return {"item_code": row["item_code"], **self.protector.open(row["fields_encrypted"])}
        raise NotFound("paused application")

    async def get(self, application_id: str) -> dict[str, Any]:
        async with self.engine.connect() as db:
            return await self._view(db, await self._row(db, application_id))

    # ---- notifications --------------------------------------------------------------------

    async def undelivered(self, limit: int = 100) -> list[dict[str, Any]]:
        async with self.engine.connect() as db:
            rows = await db.execute(
                sa.select(notifications).where(notifications.c.delivered_at.is_(None)).order_by(notifications.c.id).limit(limit)
            )
            return [{**r, "created_at": r["created_at"].isoformat()} for r in rows.mappings()]

    async def mark_delivered(self, notification_id: int) -> None:
        async with self.engine.begin() as db:
            await db.execute(notifications.update().where(notifications.c.id == notification_id).values(delivered_at=now()))

    # ---- profiles (一人一档 / 一企一档) -------------------------------------------------------

    async def save_profile(self, kind: str, key: str, data: dict[str, Any]) -> None:
        key_hash = self.protector.lookup_hash(key)
        async with self.engine.begin() as db:
            current = (await db.execute(sa.select(profiles).where(profiles.c.key_hash == key_hash))).mappings().first()
            merged = {**(self.protector.open(current["data_encrypted"]) if current else {}), **data}
            values = {"kind": kind, "data_encrypted": self.protector.seal(merged), "updated_at": now()}
            if current:
                await db.execute(profiles.update().where(profiles.c.key_hash == key_hash).values(**values))
            else:
                await db.execute(profiles.insert().values(key_hash=key_hash, **values))

    async def profile(self, key: str) -> dict[str, Any]:
        """The profile that prefills forms, with the history of its applications."""
        return await self.profile_by_id(self.protector.lookup_hash(key))

    async def profile_by_id(self, key_hash: str) -> dict[str, Any]:
        """`profile` by its opaque id (the keyed hash of its ID number or credit code)."""
        async with self.engine.connect() as db:
            row = (await db.execute(sa.select(profiles).where(profiles.c.key_hash == key_hash))).mappings().first()
            if row is None:
                raise NotFound("profile")
            history = await db.execute(
                sa.select(applications.c.receipt_number, applications.c.item_code, applications.c.status, applications.c.created_at)
                .where(applications.c.applicant_hashes.contains(key_hash), applications.c.status != DRAFT)
                .order_by(applications.c.created_at.desc())
            )
            return {
                "profile_id": key_hash,
                "kind": row["kind"],
                "data": self.protector.open(row["data_encrypted"]),
                "history": [{**h, "created_at": h["created_at"].isoformat()} for h in history.mappings()],
            }

    # ---- helpers ------------------------------------------------------------------------------

    async def _by_key(self, db: AsyncConnection, key: str) -> dict[str, Any] | None:
        row = (await db.execute(sa.select(applications).where(applications.c.idempotency_key == key))).mappings().first()
        return dict(row) if row else None

    async def _row(self, db: AsyncConnection, application_id: str) -> dict[str, Any]:
        row = (await db.execute(sa.select(applications).where(applications.c.id == application_id))).mappings().first()
        if row is None:
            raise NotFound(application_id)
        return dict(row)

    async def _view(self, db: AsyncConnection, row: dict[str, Any]) -> dict[str, Any]:
        """What the API shows: no ID numbers or phones, only the timeline and field names."""
        events = await db.execute(
            sa.select(application_events.c.status, application_events.c.note, application_events.c.at)
            .where(application_events.c.application_id == row["id"])
            .order_by(application_events.c.id)
        )
        attached = await db.execute(sa.select(materials.c.name, materials.c.reference).where(materials.c.application_id == row["id"]))
        data = self.protector.open(row["fields_encrypted"])
        return {
            "id": row["id"],
            "receipt_number": row["receipt_number"],
            "item_code": row["item_code"],
            "theme_id": row["theme_id"],
            "status": row["status"],
            "applicant_name": row["applicant_name"],
            "fields": sorted(data["fields"]),
            "materials": [dict(m) for m in attached.mappings()],
            "timeline": [{"status": e["status"], "note": e["note"], "at": e["at"].isoformat()} for e in events.mappings()],
        }
