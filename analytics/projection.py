"""Rasa's events → one row per user message (`turns`): what the bot did with it, about
which item, and how long the answer took. Incremental: it reads `events` past its cursor,
so it can run every second beside the dashboard and after a restart. The per-day rollups
change in the same transaction as the turns (rollups.py).

Outcome of a message, strongest first: handoff (the human-handoff action ran), no_match
and suggestion (the answer said nothing fits; `custom.outcome`, actions/replies.py),
choices (several items offered), answered (exactly one item's card), other.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from analytics import rollups
from analytics.store import cursor, events, turns

CST = timezone(timedelta(hours=8))
STRENGTH = {"other": 0, "answered": 1, "choices": 2, "suggestion": 3, "no_match": 4, "handoff": 5}
HANDOFF_ACTIONS = {"action_human_handoff"}
TEXT_LIMIT = 500


def day_of(ts: float):
    return datetime.fromtimestamp(ts, CST).date()


def stronger(turn: dict[str, Any], outcome: str) -> None:
    if STRENGTH[outcome] > STRENGTH[turn["outcome"]]:
        turn["outcome"] = outcome


def apply(open_turns: dict[str, dict[str, Any]], event_id: int, event: dict[str, Any]) -> dict[str, Any] | None:
    """Fold one event into the open turns; returns the turn it changed, if any."""
    kind, sender = event.get("event"), event.get("sender_id") or ""
    ts = float(event.get("timestamp") or 0)
    if kind == "user":
        text = (event.get("text") or "")[:TEXT_LIMIT]
        turn = {
            "id": event_id, "event_id": event_id, "sender_id": sender, "channel": (event.get("input_channel") or "")[:32],
            "ts": ts, "day": day_of(ts), "text": text, "intent": ((event.get("intent") or {}).get("name") or "")[:64],
            "is_question": 0 if text.startswith("/") else 1, "outcome": "other", "item_code": "", "item_name": "",
            "department": "", "region": "", "latency_ms": None, "stored": False,
        }
        open_turns[sender] = turn
        return turn
    turn = open_turns.get(sender)
    if turn is None or turn.get("closed"):
        return None
    if (kind == "action" and event.get("name") == "action_listen") or kind == "pause":
        # the bot has answered (or handed over): later bot events are pushes — an agent's
        # reply, a status change — not this message's answer or its latency
        turn["closed"] = True
        return None
    if kind == "bot":
        turn["latency_ms"] = max(0.0, (ts - turn["ts"]) * 1000)
        custom = event.get("custom") if isinstance(event.get("custom"), dict) else {}
        found = [i for i in custom.get("items") or [] if isinstance(i, dict)]
        if custom.get("handoff"):
            stronger(turn, "handoff")
        if custom.get("outcome") in ("no_match", "suggestion"):
            stronger(turn, custom["outcome"])
        if len(found) > 1:
            stronger(turn, "choices")
        elif len(found) == 1:
            stronger(turn, "answered")
            if turn["outcome"] == "answered":
                item = found[0]
                turn.update(
                    item_code=str(item.get("code") or "")[:64], item_name=str(item.get("name") or "")[:255],
                    department=str(item.get("department") or "")[:255], region=str(item.get("region") or "")[:64],
                )
        return turn
    if kind == "action" and event.get("name") in HANDOFF_ACTIONS:
        stronger(turn, "handoff")
        return turn
    return None


class Projector:
    def __init__(self, engine: AsyncEngine, batch: int = 20000) -> None:
        self.engine = engine
        self.batch = batch
        self.open: dict[str, dict[str, Any]] = {}
        self.rollups_checked = False
        self.lock = asyncio.Lock()

    async def last_event_id(self) -> int:
        async with self.engine.connect() as connection:
            return (await connection.execute(select(cursor.c.last_event_id).where(cursor.c.id == 1))).scalar() or 0

    async def catch_up(self) -> int:
        """Project every event not yet projected; returns how many were read. One round
        at a time (the background loop and an API request may both ask): two rounds over
        the same events would add the same difference to the rollups twice."""
        async with self.lock:
            return await self._catch_up()

    async def _catch_up(self) -> int:
        done = 0
        if not self.rollups_checked:
            async with self.engine.begin() as connection:
                if await rollups.missing(connection):
                    await rollups.rebuild(connection)
            self.rollups_checked = True
        last = await self.last_event_id()
        while True:
            async with self.engine.connect() as connection:
                rows = (await connection.execute(
                    select(events.c.id, events.c.sender_id, events.c.data).where(events.c.id > last).order_by(events.c.id).limit(self.batch)
                )).all()
            if not rows:
                return done
            changed: dict[int, dict[str, Any]] = {}
            for event_id, sender, data in rows:
                try:
                    event = json.loads(data)
                except (TypeError, ValueError):
                    continue
                event.setdefault("sender_id", sender)
                if event.get("event") != "user" and sender not in self.open:
                    await self._reopen(sender or "")
                turn = apply(self.open, event_id, event)
                if turn is not None:
                    changed[turn["id"]] = turn
            last = rows[-1][0]
            await self._store(changed, last)
            done += len(rows)

    async def _reopen(self, sender: str) -> None:
        """After a restart: the sender's latest turn, so late bot events still count."""
        async with self.engine.connect() as connection:
            row = (await connection.execute(select(turns).where(turns.c.sender_id == sender).order_by(turns.c.id.desc()).limit(1))).mappings().first()
        if row is not None:
            self.open[sender] = {**row, "stored": True}

    async def _store(self, changed: dict[int, dict[str, Any]], last: int) -> None:
        fresh = [{k: v for k, v in t.items() if k not in ("stored", "closed")} for t in changed.values() if not t["stored"]]
        old = [t for t in changed.values() if t["stored"]]
        async with self.engine.begin() as connection:
            # the rollups change by the difference of the touched conversations, in this transaction
            before = await rollups.stored_turns(connection, {rollups.conversation_of(t) for t in changed.values()})
            if fresh:
                await connection.execute(turns.insert(), fresh)
            for t in old:
                await connection.execute(
                    update(turns).where(turns.c.id == t["id"]).values(
                        outcome=t["outcome"], item_code=t["item_code"], item_name=t["item_name"],
                        department=t["department"], region=t["region"], latency_ms=t["latency_ms"],
                    )
                )
            await rollups.add(connection, rollups.difference(before, list(changed.values())))
            if (await connection.execute(select(func.count()).select_from(cursor))).scalar():
                await connection.execute(update(cursor).where(cursor.c.id == 1).values(last_event_id=last))
            else:
                await connection.execute(cursor.insert().values(id=1, last_event_id=last))
        for t in changed.values():  # only each sender's latest turn (self.open) can still change
            t["stored"] = True
