"""Service evaluation (好差评, 国办发〔2019〕51号): one rating per conversation topic on five
levels; a 差评 (不满意 or worse) of an item or application becomes a rectification
ticket for the item's department, due 5 working days later, moved 待回访 → 整改中 →
已办结 / 申诉 on the staff page; the citizen is told the outcome on their channel."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from analytics.projection import CST, day_of
from analytics.store import BAD_LEVELS, LEVELS, OPEN_STATES, STATES, ratings, tickets
from analytics.workdays import add_working_days
from channels.privacy import mask_pii

TICKET_KINDS = ("item", "application")
RECTIFY_WORKING_DAYS = 5
# Which state may follow which (申诉: the department disputes the rating, for review).
MOVES = {"待回访": ("整改中", "申诉"), "整改中": ("已办结", "申诉"), "已办结": (), "申诉": ()}
# What the citizen is told when a ticket is closed.
OUTCOME_TEXT = {
    "已办结": "您对“{item}”的评价已由{department}整改办结：{note}。感谢您的监督！",
    "申诉": "您对“{item}”的评价，{department}已提出申诉，将由政务服务管理部门复核后答复您。说明：{note}",
}


WHAT_IS_RATED = {"application": "本次申请办理", "handoff": "人工客服的服务", "item": "本次咨询答复"}


def offer_message(topic: str) -> dict[str, Any]:
    """The rating question: five buttons (numbered choices on WeChat)."""
    kind = topic.split(":", 1)[0]
    return {
        "text": f"请您对{WHAT_IS_RATED.get(kind, '本次服务')}作出评价（回复对应选项即可）：",
        "buttons": [{"title": level, "payload": f'/rate{{"rating":"{level}"}}'} for level in LEVELS],
        "json_message": {"rating": {"topic": topic, "levels": list(LEVELS)}},
    }


def offer_events(topic: str) -> list[dict[str, Any]]:
    """The rating question as Rasa events, for a service outside the dialogue (agent assist
    ending a handoff appends them after the conversation resumes)."""
    message = offer_message(topic)
    return [
        {"event": "slot", "name": "rating_topic", "value": topic},
        {"event": "bot", "text": message["text"], "data": {"buttons": message["buttons"], "custom": message["json_message"]}},
    ]


class AlreadyRated(Exception):
    pass


class BadMove(ValueError):
    pass


def today_cst() -> date:
    return datetime.now(CST).date()


async def has_rated(engine: AsyncEngine, sender_id: str, topic: str) -> bool:
    async with engine.connect() as db:
        return (await db.execute(select(ratings.c.id).where(ratings.c.sender_id == sender_id, ratings.c.topic == topic))).first() is not None


async def rate(
    engine: AsyncEngine, sender_id: str, channel: str, topic: str, kind: str, level: str, item: dict[str, str], now: float | None = None,
) -> dict[str, Any] | None:
    """Record a rating; returns the rectification ticket it opened, if any."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    now = now or time.time()
    facts = {k: (item.get(k) or "")[:255] for k in ("item_code", "item_name", "department", "region")}
    async with engine.begin() as db:
        try:
            rating_id = (await db.execute(ratings.insert().values(
                sender_id=sender_id, channel=channel or "", ts=now, day=day_of(now), topic=topic, kind=kind, level=level, reason="", **facts,
            ))).inserted_primary_key[0]
        except IntegrityError:
            raise AlreadyRated(topic) from None
        if level not in BAD_LEVELS or kind not in TICKET_KINDS:
            return None
        ticket = {
            "rating_id": rating_id, "sender_id": sender_id, "channel": channel or "", "created_ts": now,
            "due": add_working_days(day_of(now), RECTIFY_WORKING_DAYS), "state": "待回访", "level": level,
            "reason": "", "note": "", "updated_ts": now, "notified": 0, **facts,
        }
        ticket["id"] = (await db.execute(tickets.insert().values(**ticket))).inserted_primary_key[0]
        return ticket


async def add_reason(engine: AsyncEngine, sender_id: str, topic: str, reason: str) -> bool:
    reason = (mask_pii(reason) or "").strip()[:255]
    async with engine.begin() as db:
        row = (await db.execute(select(ratings.c.id).where(ratings.c.sender_id == sender_id, ratings.c.topic == topic))).first()
        if row is None:
            return False
        await db.execute(update(ratings).where(ratings.c.id == row[0]).values(reason=reason))
        await db.execute(update(tickets).where(tickets.c.rating_id == row[0]).values(reason=reason))
        return True


async def list_tickets(engine: AsyncEngine, state: str = "", department: str = "", today: date | None = None) -> list[dict[str, Any]]:
    today = today or today_cst()
    query = select(tickets).order_by(tickets.c.due, tickets.c.id)
    if state:
        query = query.where(tickets.c.state == state)
    if department:
        query = query.where(tickets.c.department == department)
    async with engine.connect() as db:
        rows = (await db.execute(query)).mappings().all()
    return [
        {**row, "due": row["due"].isoformat(), "overdue": row["state"] in OPEN_STATES and row["due"] < today}
        for row in rows
    ]


async def move(engine: AsyncEngine, ticket_id: int, state: str, note: str) -> dict[str, Any]:
    """Move a ticket on; 已办结 and 申诉 need the department's account (`note`)."""
    if state not in STATES:
        raise BadMove(f"状态只能是：{'、'.join(STATES)}")
    note = (mask_pii(note) or "").strip()[:2000]
    if state in ("已办结", "申诉") and not note:
        raise BadMove("办结或申诉需要填写说明。")
    async with engine.begin() as db:
        row = (await db.execute(select(tickets).where(tickets.c.id == ticket_id))).mappings().first()
        if row is None:
            raise LookupError(ticket_id)
        if state not in MOVES[row["state"]]:
            raise BadMove(f"工单当前为“{row['state']}”，不能改为“{state}”。")
        await db.execute(update(tickets).where(tickets.c.id == ticket_id).values(state=state, note=note or row["note"], updated_ts=time.time()))
        return {**row, "state": state, "note": note or row["note"]}


async def unnotified(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as db:
        return [dict(r) for r in (await db.execute(
            select(tickets).where(tickets.c.state.in_(("已办结", "申诉")), tickets.c.notified == 0)
        )).mappings().all()]


async def mark_notified(engine: AsyncEngine, ticket_id: int) -> None:
    async with engine.begin() as db:
        await db.execute(update(tickets).where(tickets.c.id == ticket_id).values(notified=1))


def outcome_message(ticket: dict[str, Any]) -> str:
    return OUTCOME_TEXT[ticket["state"]].format(
        item=ticket["item_name"] or "本次服务", department=ticket["department"] or "承办部门", note=ticket["note"],
    )
