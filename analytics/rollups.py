"""Per-day rollups of `turns` (store.py: day_figures, day_latency, day_items, day_places),
kept incrementally by the projection: when a batch of events changes some turns, the
conversations those turns belong to are summed before and after the change, and the
difference is added to the rollups in the same transaction as the turns.

Why whole conversations and not single turns: a conversation's flags (handed over, had a
"没找到") are maxima over its turns, and a turn's outcome may still change (a handoff
after a no-match), so only the conversation's sum before and after is exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from analytics.store import day_figures, day_items, day_latency, day_places, turns

KEYS = {table.name: [c.name for c in table.primary_key.columns] for table in (day_figures, day_latency, day_items, day_places)}
TABLES = {table.name: table for table in (day_figures, day_latency, day_items, day_places)}
PLACES = ("department", "region")
SQL_CHUNK = 500  # senders per IN list (SQLite's bound-variable limit)

Sums = dict[tuple[str, tuple], Counter]  # (table, key) → column → amount


def conversation_of(turn: dict[str, Any]) -> tuple:
    return (turn["day"], turn["channel"], turn["sender_id"])


def add_conversation(sums: Sums, day, channel: str, rows: list[dict[str, Any]], sign: int = 1) -> None:
    """Add (or with sign=-1 take away) one conversation's turns from the sums."""
    handoff = any(t["outcome"] == "handoff" for t in rows)
    no_match = any(t["outcome"] == "no_match" for t in rows)
    figures = sums.setdefault(("day_figures", (day, channel)), Counter())
    figures.update({
        "conversations": sign, "handoffs": sign * handoff, "no_match_conversations": sign * no_match,
        "self_service": sign * (not handoff and not no_match), "messages": sign * len(rows),
        "questions": sign * sum(t["is_question"] == 1 for t in rows),
        "no_match_questions": sign * sum(t["is_question"] == 1 and t["outcome"] == "no_match" for t in rows),
        "no_match_messages": sign * sum(t["outcome"] == "no_match" for t in rows),
    })
    for t in rows:
        if t["latency_ms"] is not None:
            sums.setdefault(("day_latency", (day, channel, int(t["latency_ms"]))), Counter())["n"] += sign
        if t["outcome"] == "answered":
            sums.setdefault(("day_items", (day, channel, t["item_code"], t["item_name"], t["department"])), Counter())["n"] += sign
    for dimension in PLACES:
        counts = Counter(t[dimension] for t in rows if t[dimension])
        for value, messages in counts.items():
            sums.setdefault(("day_places", (day, channel, dimension, value)), Counter()).update(conversations=sign, messages=sign * messages)


def sums_of(rows: Iterable[dict[str, Any]], sign: int = 1, sums: Sums | None = None) -> Sums:
    sums = {} if sums is None else sums
    by_conversation: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for t in rows:
        by_conversation[conversation_of(t)].append(t)
    for (day, channel, _), members in by_conversation.items():
        add_conversation(sums, day, channel, members, sign)
    return sums


async def stored_turns(db: AsyncConnection, conversations: set[tuple]) -> list[dict[str, Any]]:
    """The stored turns of these conversations (day, channel, sender)."""
    senders = sorted({sender for _, _, sender in conversations})
    out = []
    for at in range(0, len(senders), SQL_CHUNK):
        rows = (await db.execute(select(turns).where(turns.c.sender_id.in_(senders[at:at + SQL_CHUNK])))).mappings().all()
        out.extend(dict(r) for r in rows if conversation_of(r) in conversations)
    return out


def difference(before: list[dict[str, Any]], changed: list[dict[str, Any]]) -> Sums:
    """What the rollups gain when the turns `changed` (new or updated) join `before`."""
    after = {t["id"]: t for t in before}
    after.update({t["id"]: t for t in changed})
    sums = sums_of(before, sign=-1)
    return sums_of(after.values(), sign=1, sums=sums)


async def add(db: AsyncConnection, sums: Sums) -> None:
    """Add the sums to the rollup rows (created at zero when missing), one statement a table."""
    insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (name, key), amounts in sums.items():
        amounts = {column: amount for column, amount in amounts.items() if amount}
        if amounts:
            rows[name].append({**dict(zip(KEYS[name], key)), **amounts})
    for name, batch in rows.items():
        table = TABLES[name]
        values = [c.name for c in table.columns if c.name not in KEYS[name]]
        # executemany needs one column set: every amount column, zero where unchanged
        batch = [{**{v: 0 for v in values}, **row} for row in batch]
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=KEYS[name], set_={v: table.c[v] + statement.excluded[v] for v in values},
        )
        await db.execute(statement, batch)


async def rebuild(db: AsyncConnection) -> None:
    """Sum every stored turn into empty rollups (a store made before the rollups existed)."""
    for table in TABLES.values():
        await db.execute(table.delete())
    senders = (await db.execute(select(turns.c.sender_id).distinct().order_by(turns.c.sender_id))).scalars().all()
    for at in range(0, len(senders), SQL_CHUNK):
        rows = (await db.execute(select(turns).where(turns.c.sender_id.in_(senders[at:at + SQL_CHUNK])))).mappings().all()
        await add(db, sums_of(dict(r) for r in rows))


async def missing(db: AsyncConnection) -> bool:
    """Turns stored but no rollups: the store predates them."""
    has_rollups = (await db.execute(select(func.count()).select_from(select(day_figures.c.day).limit(1).subquery()))).scalar()
    has_turns = (await db.execute(select(func.count()).select_from(select(turns.c.id).limit(1).subquery()))).scalar()
    return bool(has_turns) and not has_rollups
