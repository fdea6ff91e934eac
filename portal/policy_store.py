"""The portal's part of the policy central kitchen: published policies, who opted in to
policy pushes, and the pushes themselves — one per (policy, profile), ever, enforced by
the database (a unique key), so a re-published or re-imported policy never pushes twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from policies.model import PolicyRecord
from portal.db import policies, policy_pushes, policy_subscriptions, profiles
from portal.protection import Protector
from portal.store import now


def push_text(policy: PolicyRecord) -> str:
    cite = "，".join(x for x in (policy.issuer, policy.doc_number) if x)
    mode = "，免申即享，无需申请" if policy.application_mode == "免申即享" else ""
    sample = "（示例政策）" if policy.sample else ""
    return (f"【政策推送】您可能符合《{policy.title}》（{cite}）{sample}：{policy.benefit}{mode}。"
            f"发送“我们能享受哪些政策”查看条件；发送“退订政策推送”不再接收。")


@dataclass
class PolicyDesk:
    engine: AsyncEngine
    protector: Protector

    async def published(self) -> list[PolicyRecord]:
        async with self.engine.connect() as db:
            rows = (await db.execute(sa.select(policies.c.record).order_by(policies.c.published_at))).scalars()
            return [PolicyRecord.model_validate_json(r) for r in rows]

    async def publish(self, records: list[PolicyRecord], actor: str) -> None:
        async with self.engine.begin() as db:
            for record in records:
                await db.execute(policies.delete().where(policies.c.id == record.id))
                await db.execute(policies.insert().values(
                    id=record.id, record=record.model_dump_json(), published_by=actor, published_at=now()))

    # ---- subscriptions (opt in / "退订政策推送") ------------------------------------------

    async def subscribe(self, key: str, sender_id: str, channel: str | None, opted_in: bool) -> None:
        key_hash = self.protector.lookup_hash(key)
        values = {"sender_id": sender_id, "channel": channel, "opted_in": opted_in, "updated_at": now()}
        async with self.engine.begin() as db:
            updated = await db.execute(policy_subscriptions.update().where(policy_subscriptions.c.key_hash == key_hash).values(**values))
            if not updated.rowcount:
                await db.execute(policy_subscriptions.insert().values(key_hash=key_hash, **values))

    async def opt_out(self, sender_id: str) -> int:
        """Every subscription of this conversation stops; returns how many there were."""
        async with self.engine.begin() as db:
            result = await db.execute(policy_subscriptions.update().where(policy_subscriptions.c.sender_id == sender_id)
                                      .values(opted_in=False, updated_at=now()))
            return result.rowcount or 0

    async def subscribers(self) -> list[dict[str, Any]]:
        """Opted-in subscriptions with their profiles' policy facts (decrypted here only)."""
        async with self.engine.connect() as db:
            rows = (await db.execute(
                sa.select(policy_subscriptions, profiles.c.data_encrypted)
                .join(profiles, profiles.c.key_hash == policy_subscriptions.c.key_hash)
                .where(policy_subscriptions.c.opted_in.is_(True))
            )).mappings().all()
        return [{"key_hash": r["key_hash"], "sender_id": r["sender_id"], "channel": r["channel"],
                 "facts": self.protector.open(r["data_encrypted"]).get("facts") or {}} for r in rows]

    # ---- pushes ---------------------------------------------------------------------------

    async def queue_pushes(self, policy: PolicyRecord, audience: list[dict[str, Any]]) -> int:
        """Queue one push per subscriber in `audience`; those pushed this policy before are skipped."""
        queued = 0
        for who in audience:
            try:
                async with self.engine.begin() as db:
                    await db.execute(policy_pushes.insert().values(
                        policy_id=policy.id, key_hash=who["key_hash"], channel=who["channel"], sender_id=who["sender_id"],
                        text=push_text(policy), created_at=now()))
                queued += 1
            except IntegrityError:  # pushed before: exactly once
                continue
        return queued

    async def undelivered(self, limit: int = 100) -> list[dict[str, Any]]:
        async with self.engine.connect() as db:
            rows = (await db.execute(
                sa.select(policy_pushes.c.id, policy_pushes.c.policy_id, policy_pushes.c.sender_id, policy_pushes.c.channel,
                          policy_pushes.c.text, policy_pushes.c.key_hash)
                .where(policy_pushes.c.delivered_at.is_(None)).order_by(policy_pushes.c.id).limit(limit)
            )).mappings().all()
            # a push queued before its subscriber opted out is dropped, not sent
            opted_out = set((await db.execute(sa.select(policy_subscriptions.c.key_hash)
                                              .where(policy_subscriptions.c.opted_in.is_(False)))).scalars())
        return [{k: v for k, v in r.items() if k != "key_hash"} | {"opted_out": r["key_hash"] in opted_out} for r in rows]

    async def mark_delivered(self, push_id: int) -> None:
        async with self.engine.begin() as db:
            await db.execute(policy_pushes.update().where(policy_pushes.c.id == push_id).values(delivered_at=now()))

    async def counts(self, policy_id: str) -> dict[str, int]:
        async with self.engine.connect() as db:
            rows = (await db.execute(sa.select(policy_pushes.c.delivered_at).where(policy_pushes.c.policy_id == policy_id))).scalars().all()
        return {"queued": len(rows), "delivered": sum(r is not None for r in rows)}


def as_json(record: PolicyRecord) -> dict[str, Any]:
    return json.loads(record.model_dump_json(exclude={"text"}, exclude_none=True))
