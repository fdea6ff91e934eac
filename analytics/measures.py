"""The dashboard's figures for a period and optionally one region, department, item or
channel: from the per-day rollups (rollups.py) for a period and channel, from the turns
of the conversations that touched a region, department or item otherwise; `ratings` and
`tickets` are small and read directly.

- conversations: a sender on one channel on one day (so a month is the sum of its days;
  Rasa's own sessions expire after an hour anyway);
- self-service rate: conversations with neither a handoff nor a "没找到" answer;
- handoff rate: conversations handed to a human; no-match rate: typed questions answered
  with "没找到" (suggestions count as answered, but feed the catalogue gaps);
- latency: from the user's message to the bot's last reply to it;
- satisfaction rate: ratings of 基本满意 or better among all ratings (GB/T 39734 style);
- 差评 reasons by type (答非所问, 流程繁琐 …; reasons.py), of the 差评 that gave one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Integer, and_, case, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from analytics.reasons import count_types
from analytics.store import BAD_LEVELS, LEVELS, OPEN_STATES, SATISFIED, day_figures, day_items, day_latency, day_places, ratings, tickets, turns

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

    def touches(self) -> bool:
        return any(getattr(self, n) for n in ("region", "department", "item_code"))

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
            conversation = (turns.c.day, turns.c.channel, turns.c.sender_id)
            touching = select(*conversation).where(*conditions, *touched)
            # the senders first: SQLite then reads only their turns by index, not every turn
            conditions += [turns.c.sender_id.in_(touching.with_only_columns(turns.c.sender_id)), tuple_(*conversation).in_(touching)]
        return conditions

    def rollup_scope(self, table) -> list:
        return [c for c in (
            table.c.day >= self.start if self.start else None,
            table.c.day <= self.end if self.end else None,
            table.c.channel == self.channel if self.channel else None,
        ) if c is not None]


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


def whole_ms(connection: AsyncConnection):
    """Latency truncated to the millisecond, as the rollups keep it (PostgreSQL's cast rounds)."""
    if connection.dialect.name == "postgresql":
        return func.cast(func.floor(turns.c.latency_ms), Integer)
    return func.cast(turns.c.latency_ms, Integer)


async def from_turns(db: AsyncConnection, filters: Filters, top: int) -> dict[str, Any]:
    """The conversation figures computed from `turns`: for a region, department or item
    (conversations that touched it), and as the reference the rollups must equal."""
    scope = filters.turn_scope()
    conversation = (turns.c.day, turns.c.channel, turns.c.sender_id)
    handoff = func.max(case((turns.c.outcome == "handoff", 1), else_=0))
    no_match = func.max(case((turns.c.outcome == "no_match", 1), else_=0))
    per_conversation = select(*conversation, handoff.label("h"), no_match.label("n")).where(*scope).group_by(*conversation).subquery()
    neither = case((and_(per_conversation.c.h == 0, per_conversation.c.n == 0), 1), else_=0)
    is_no_match = case((turns.c.outcome == "no_match", 1), else_=0)
    headline = (await db.execute(select(
        func.count(), func.coalesce(func.sum(neither), 0), func.coalesce(func.sum(per_conversation.c.h), 0),
        func.coalesce(func.sum(per_conversation.c.n), 0),
    ))).one()
    questions = (await db.execute(select(func.count(), func.coalesce(func.sum(is_no_match), 0)).where(*scope, turns.c.is_question == 1))).one()
    ms = whole_ms(db)
    histogram = (await db.execute(select(ms, func.count()).where(*scope, turns.c.latency_ms.is_not(None)).group_by(ms).order_by(ms))).all()
    per_day = dict((await db.execute(select(per_conversation.c.day, func.count()).group_by(per_conversation.c.day))).all())
    days = (await db.execute(select(turns.c.day, func.count(), func.coalesce(func.sum(is_no_match), 0)).where(*scope).group_by(turns.c.day).order_by(turns.c.day))).all()
    top_items = (await db.execute(
        select(turns.c.item_code, turns.c.item_name, turns.c.department, func.count())
        .where(*scope, turns.c.outcome == "answered").group_by(turns.c.item_code, turns.c.item_name, turns.c.department)
        .order_by(func.count().desc(), turns.c.item_code, turns.c.item_name, turns.c.department).limit(top)
    )).all()
    places = {}
    for dimension in ("department", "region"):
        column = turns.c[dimension]
        each = select(column.label("value"), func.count().label("m")).where(*scope, column != "").group_by(column, *conversation).subquery()
        places[dimension] = (await db.execute(
            select(each.c.value, func.count(), func.sum(each.c.m)).group_by(each.c.value).order_by(func.sum(each.c.m).desc(), each.c.value).limit(top)
        )).all()
    return figures_of(headline, questions, histogram, [(d, per_day[d], m, n) for d, m, n in days], top_items, places)


async def from_rollups(db: AsyncConnection, filters: Filters, top: int) -> dict[str, Any]:
    """The same figures from the per-day rollups: a few rows a day, however many events."""
    total = func.sum
    f = day_figures.c
    headline = (await db.execute(select(
        func.coalesce(total(f.conversations), 0), func.coalesce(total(f.self_service), 0), func.coalesce(total(f.handoffs), 0),
        func.coalesce(total(f.no_match_conversations), 0),
    ).where(*filters.rollup_scope(day_figures)))).one()
    questions = (await db.execute(select(func.coalesce(total(f.questions), 0), func.coalesce(total(f.no_match_questions), 0))
                                  .where(*filters.rollup_scope(day_figures)))).one()
    histogram = (await db.execute(
        select(day_latency.c.ms, total(day_latency.c.n)).where(*filters.rollup_scope(day_latency))
        .group_by(day_latency.c.ms).having(total(day_latency.c.n) > 0).order_by(day_latency.c.ms)
    )).all()
    days = (await db.execute(
        select(f.day, total(f.conversations), total(f.messages), total(f.no_match_messages)).where(*filters.rollup_scope(day_figures))
        .group_by(f.day).having(total(f.conversations) > 0).order_by(f.day)
    )).all()
    i = day_items.c
    top_items = (await db.execute(
        select(i.item_code, i.item_name, i.department, total(i.n)).where(*filters.rollup_scope(day_items))
        .group_by(i.item_code, i.item_name, i.department).having(total(i.n) > 0)
        .order_by(total(i.n).desc(), i.item_code, i.item_name, i.department).limit(top)
    )).all()
    p = day_places.c
    places = {dimension: (await db.execute(
        select(p.value, total(p.conversations), total(p.messages)).where(*filters.rollup_scope(day_places), p.dimension == dimension)
        .group_by(p.value).having(total(p.messages) > 0).order_by(total(p.messages).desc(), p.value).limit(top)
    )).all() for dimension in ("department", "region")}
    return figures_of(headline, questions, histogram, days, top_items, places)


SLICE_COLUMNS = ("day", "channel", "sender_id", "outcome", "is_question", "latency_ms", "item_code", "item_name", "department", "region")


async def from_slice(db: AsyncConnection, filters: Filters, top: int) -> dict[str, Any]:
    """The figures of the conversations that touched a region, department or item: their
    turns fetched by index in one query and summed here, so the cost follows the slice,
    not the whole store. The sums are those of from_turns (tests/test_rollups.py)."""
    rows = (await db.execute(select(*(turns.c[n] for n in SLICE_COLUMNS)).where(*filters.turn_scope()))).all()
    flags: dict[tuple, list[bool]] = {}  # conversation → [handed over, had a no-match]
    per_day: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])  # conversations, messages, no-match messages
    latency, items = Counter(), Counter()
    places: dict[str, dict[str, list]] = {"department": defaultdict(lambda: [set(), 0]), "region": defaultdict(lambda: [set(), 0])}
    questions = no_match_questions = 0
    for day, channel, sender, outcome, is_question, latency_ms, code, name, department, region in rows:
        conversation = (day, channel, sender)
        flag = flags.get(conversation)
        if flag is None:
            flag = flags[conversation] = [False, False]
            per_day[day][0] += 1
        per_day[day][1] += 1
        flag[0] |= outcome == "handoff"
        if outcome == "no_match":
            flag[1] = True
            per_day[day][2] += 1
            no_match_questions += is_question == 1
        questions += is_question == 1
        if latency_ms is not None:
            latency[int(latency_ms)] += 1
        if outcome == "answered":
            items[(code, name, department)] += 1
        for dimension, value in (("department", department), ("region", region)):
            if value:
                place = places[dimension][value]
                place[0].add(conversation)
                place[1] += 1
    handoffs = sum(h for h, _ in flags.values())
    no_match = sum(n for _, n in flags.values())
    self_service = sum(not h and not n for h, n in flags.values())
    return figures_of(
        (len(flags), self_service, handoffs, no_match), (questions, no_match_questions), sorted(latency.items()),
        [(d, *v) for d, v in sorted(per_day.items())],
        [(*item, n) for item, n in sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))[:top]],
        {d: [(v, len(c), m) for v, (c, m) in sorted(by.items(), key=lambda kv: (-kv[1][1], kv[0]))[:top]] for d, by in places.items()},
    )


def figures_of(headline, questions, histogram, days, top_items, places) -> dict[str, Any]:
    conversations, self_service, handoffs, no_match_conversations = (int(v) for v in headline)
    asked, no_match_questions = (int(v) for v in questions)
    return {
        "conversations": conversations,
        "questions": asked,
        "self_service": self_service,
        "self_service_rate": rate(self_service, conversations),
        "handoffs": handoffs,
        "handoff_rate": rate(handoffs, conversations),
        "no_match_questions": no_match_questions,
        "no_match_rate": rate(no_match_questions, asked),
        "no_match_conversations": no_match_conversations,
        "latency_ms": latency_percentiles([(int(v), int(n)) for v, n in histogram]),
        "by_day": [{"day": d.isoformat() if hasattr(d, "isoformat") else str(d), "conversations": int(c), "messages": int(m), "no_match": int(n)}
                   for d, c, m, n in days],
        "top_items": [{"code": c, "name": n, "department": d, "count": int(k)} for c, n, d, k in top_items],
        "by_department": [{"department": d, "conversations": int(c), "messages": int(m)} for d, c, m in places["department"]],
        "by_region": [{"region": r, "conversations": int(c), "messages": int(m)} for r, c, m in places["region"]],
    }


async def measure(engine: AsyncEngine, filters: Filters, today: date | None = None, top: int = 10) -> dict[str, Any]:
    """Every figure of the dashboard: conversations from the rollups (from `turns` when a
    region, department or item is chosen: from_slice), ratings and tickets from their tables."""
    today = today or date.today()
    async with engine.connect() as db:
        figures = await (from_slice if filters.touches() else from_rollups)(db, filters, top)
        by_level = dict((await db.execute(
            select(ratings.c.level, func.count()).where(*filters.where(ratings)).group_by(ratings.c.level)
        )).all())
        bad_reasons = (await db.execute(
            select(ratings.c.reason, func.count()).where(*filters.where(ratings), ratings.c.level.in_(BAD_LEVELS), ratings.c.reason != "")
            .group_by(ratings.c.reason)
        )).all()
        open_tickets, overdue = (await db.execute(
            select(func.count(), func.coalesce(func.sum(case((tickets.c.due < today, 1), else_=0)), 0))
            .where(tickets.c.state.in_(OPEN_STATES), *[tickets.c[n] == getattr(filters, n) for n in DIMENSIONS if getattr(filters, n)])
        )).one()
    rated = sum(by_level.values())
    return {
        **figures,
        "ratings": {level: by_level.get(level, 0) for level in LEVELS},
        "rated": rated,
        "satisfaction_rate": rate(sum(by_level.get(level, 0) for level in SATISFIED), rated),
        "bad_reason_types": count_types(bad_reasons),  # why 差评 were given, typed (reasons.py)
        "tickets_open": open_tickets,
        "tickets_overdue": int(overdue),
    }
