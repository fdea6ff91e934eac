"""The dashboard's figures, aggregated in the database from `turns`, `ratings` and
`tickets`, for a period and optionally one region, department, item or channel.

- conversations: senders with at least one message in the period (and the dimension);
- self-service rate: conversations with neither a handoff nor a "没找到" answer;
- handoff rate: conversations handed to a human; no-match rate: typed questions answered
  with "没找到" (suggestions count as answered, but feed the catalogue gaps);
- latency: from the user's message to the bot's last reply to it;
- satisfaction rate: ratings of 基本满意 or better among all ratings (GB/T 39734 style).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from analytics.store import LEVELS, OPEN_STATES, SATISFIED, ratings, tickets, turns

DIMENSIONS = ("region", "department", "item_code", "channel")


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    region: str = ""
    department: str = ""
    item_code: str = ""
    channel: str = ""

    def where(self, table) -> list:
        conditions = []
        if self.start:
            conditions.append(table.c.day >= self.start)
        if self.end:
            conditions.append(table.c.day <= self.end)
        for name in DIMENSIONS:
            if getattr(self, name):
                conditions.append(table.c[name] == getattr(self, name))
        return conditions

    def turn_scope(self) -> list:
        """Turns in the period of conversations that touched the dimension (a handoff
        turn names no item, yet belongs to the item's conversation)."""
        conditions = []
        if self.start:
            conditions.append(turns.c.day >= self.start)
        if self.end:
            conditions.append(turns.c.day <= self.end)
        if self.channel:
            conditions.append(turns.c.channel == self.channel)
        touched = [turns.c[n] == getattr(self, n) for n in ("region", "department", "item_code") if getattr(self, n)]
        if touched:
            conditions.append(turns.c.sender_id.in_(select(turns.c.sender_id).where(and_(*touched)).distinct()))
        return conditions


def latency_percentiles(histogram: list[tuple[int, int]]) -> dict[str, float | None]:
    """Percentiles (nearest rank, to the millisecond) from (whole ms, count) rows in order:
    the database sends a few thousand rows, not one per message."""
    values = np.array([v for v, _ in histogram], dtype=float)
    cumulative = np.cumsum([n for _, n in histogram])
    out: dict[str, float | None] = {}
    for p in (50, 90, 95, 99):
        if not len(values):
            out[f"p{p}"] = None
            continue
        rank = max(1, int(np.ceil(p / 100 * cumulative[-1])))
        out[f"p{p}"] = float(values[int(np.searchsorted(cumulative, rank))])
    return out


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def measure(engine: AsyncEngine, filters: Filters, today: date | None = None, top: int = 10) -> dict[str, Any]:
    today = today or date.today()
    scope = filters.turn_scope()
    handoff = func.max(case((turns.c.outcome == "handoff", 1), else_=0))
    no_match = func.max(case((turns.c.outcome == "no_match", 1), else_=0))
    per_conversation = select(turns.c.sender_id, handoff.label("h"), no_match.label("n")).where(*scope).group_by(turns.c.sender_id).subquery()
    neither = case((and_(per_conversation.c.h == 0, per_conversation.c.n == 0), 1), else_=0)
    async with engine.connect() as db:
        conversations, handoffs, no_match_conversations, self_service = (await db.execute(
            select(func.count(), func.coalesce(func.sum(per_conversation.c.h), 0), func.coalesce(func.sum(per_conversation.c.n), 0),
                   func.coalesce(func.sum(neither), 0))
        )).one()
        questions, no_match_questions = (await db.execute(
            select(func.count(), func.coalesce(func.sum(case((turns.c.outcome == "no_match", 1), else_=0)), 0))
            .where(*scope, turns.c.is_question == 1)
        )).one()
        whole_ms = func.cast(turns.c.latency_ms, Integer)
        histogram = (await db.execute(
            select(whole_ms, func.count()).where(*scope, turns.c.latency_ms.is_not(None)).group_by(whole_ms).order_by(whole_ms)
        )).all()
        by_day = (await db.execute(
            select(turns.c.day, func.count(func.distinct(turns.c.sender_id)), func.count(),
                   func.coalesce(func.sum(case((turns.c.outcome == "no_match", 1), else_=0)), 0))
            .where(*scope).group_by(turns.c.day).order_by(turns.c.day)
        )).all()
        top_items = (await db.execute(
            select(turns.c.item_code, turns.c.item_name, turns.c.department, func.count().label("n"))
            .where(*scope, turns.c.outcome == "answered").group_by(turns.c.item_code, turns.c.item_name, turns.c.department)
            .order_by(func.count().desc(), turns.c.item_code).limit(top)
        )).all()
        by_department = (await db.execute(
            select(turns.c.department, func.count(func.distinct(turns.c.sender_id)), func.count())
            .where(*scope, turns.c.department != "").group_by(turns.c.department).order_by(func.count().desc()).limit(top)
        )).all()
        by_region = (await db.execute(
            select(turns.c.region, func.count(func.distinct(turns.c.sender_id)), func.count())
            .where(*scope, turns.c.region != "").group_by(turns.c.region).order_by(func.count().desc()).limit(top)
        )).all()
        by_level = dict((await db.execute(
            select(ratings.c.level, func.count()).where(*filters.where(ratings)).group_by(ratings.c.level)
        )).all())
        open_tickets, overdue = (await db.execute(
            select(func.count(), func.coalesce(func.sum(case((tickets.c.due < today, 1), else_=0)), 0))
            .where(tickets.c.state.in_(OPEN_STATES), *[tickets.c[n] == getattr(filters, n) for n in DIMENSIONS if getattr(filters, n)])
        )).one()
    rated = sum(by_level.values())
    percentiles = latency_percentiles(histogram)
    return {
        "conversations": conversations,
        "questions": questions,
        "self_service": self_service,
        "self_service_rate": rate(self_service, conversations),
        "handoffs": int(handoffs),
        "handoff_rate": rate(int(handoffs), conversations),
        "no_match_questions": int(no_match_questions),
        "no_match_rate": rate(int(no_match_questions), questions),
        "no_match_conversations": int(no_match_conversations),
        "latency_ms": percentiles,
        "by_day": [{"day": d.isoformat() if hasattr(d, "isoformat") else str(d), "conversations": c, "messages": m, "no_match": int(n)} for d, c, m, n in by_day],
        "top_items": [{"code": c, "name": n, "department": d, "count": k} for c, n, d, k in top_items],
        "by_department": [{"department": d, "conversations": c, "messages": m} for d, c, m in by_department],
        "by_region": [{"region": r, "conversations": c, "messages": m} for r, c, m in by_region],
        "ratings": {level: by_level.get(level, 0) for level in LEVELS},
        "rated": rated,
        "satisfaction_rate": rate(sum(by_level.get(level, 0) for level in SATISFIED), rated),
        "tickets_open": open_tickets,
        "tickets_overdue": int(overdue),
    }
