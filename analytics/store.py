"""The analytics store: Rasa's broker events, the projected questions, ratings and
rectification tickets. SQLite in var/ by default, PostgreSQL by ANALYTICS_DB_URL.

`events` has the schema of Rasa's SQL event broker (id, sender_id, data as JSON text), so
the SQL broker writes it directly and the RabbitMQ consumer writes the same rows.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, Column, Date, Float, Index, Integer, MetaData, String, Table, Text, UniqueConstraint,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ops.sqlite import tune_engine
from settings import Settings, get_settings

metadata = MetaData()

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)

# One row per user message: what the bot did with it (projection.py).
turns = Table(
    "turns", metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", BigInteger, nullable=False),  # the user event's id in `events`
    Column("sender_id", String(255), nullable=False),
    Column("channel", String(32), nullable=False, default=""),
    Column("ts", Float, nullable=False),
    Column("day", Date, nullable=False),  # in China Standard Time
    Column("text", Text, nullable=False, default=""),  # masked
    Column("intent", String(64), nullable=False, default=""),
    Column("is_question", Integer, nullable=False, default=1),  # typed, not a button payload
    # answered (one item) | choices | suggestion | no_match | handoff | other
    Column("outcome", String(16), nullable=False, default="other"),
    Column("item_code", String(64), nullable=False, default=""),
    Column("item_name", String(255), nullable=False, default=""),
    Column("department", String(255), nullable=False, default=""),
    Column("region", String(64), nullable=False, default=""),
    Column("latency_ms", Float),
    # covering indexes: per-conversation flags and per-day counts read no table rows
    Index("turns_sender_outcome", "sender_id", "outcome"),
    Index("turns_day_sender", "day", "sender_id", "outcome"),
    Index("turns_department_day", "department", "day", "channel", "sender_id"),
    Index("turns_region", "region", "day", "channel", "sender_id"),
    Index("turns_item", "item_code", "day", "channel", "sender_id"),
    Index("turns_conversation", "sender_id", "day", "channel"),
)

# Per-day rollups of `turns`, kept by the projection (rollups.py), so the dashboard's
# figures cost the same for 1 M events as for 1,000. A conversation is one sender on one
# channel on one day, which makes every figure a sum over days.
day_figures = Table(
    "day_figures", metadata,
    Column("day", Date, primary_key=True),
    Column("channel", String(32), primary_key=True),
    *(Column(name, BigInteger, nullable=False, default=0) for name in (
        "conversations", "self_service", "handoffs", "no_match_conversations",
        "questions", "no_match_questions", "messages", "no_match_messages",
    )),
)
# Answer latency in whole milliseconds: the percentiles are exactly those of the turns.
day_latency = Table(
    "day_latency", metadata,
    Column("day", Date, primary_key=True), Column("channel", String(32), primary_key=True),
    Column("ms", Integer, primary_key=True), Column("n", BigInteger, nullable=False, default=0),
)
day_items = Table(  # answered questions per item
    "day_items", metadata,
    Column("day", Date, primary_key=True), Column("channel", String(32), primary_key=True),
    Column("item_code", String(64), primary_key=True), Column("item_name", String(255), primary_key=True),
    Column("department", String(255), primary_key=True), Column("n", BigInteger, nullable=False, default=0),
)
day_places = Table(  # conversations and messages per department or region
    "day_places", metadata,
    Column("day", Date, primary_key=True), Column("channel", String(32), primary_key=True),
    Column("dimension", String(16), primary_key=True), Column("value", String(255), primary_key=True),
    Column("conversations", BigInteger, nullable=False, default=0), Column("messages", BigInteger, nullable=False, default=0),
)
ROLLUPS = (day_figures, day_latency, day_items, day_places)

LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")  # 5 … 1 points
SATISFIED = LEVELS[:3]
BAD_LEVELS = LEVELS[3:]  # 差评

ratings = Table(
    "ratings", metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("channel", String(32), nullable=False, default=""),
    Column("ts", Float, nullable=False),
    Column("day", Date, nullable=False),
    # what was rated: item:CODE, application:RECEIPT or handoff:TICKET — once per conversation topic
    Column("topic", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # item | application | handoff
    Column("level", String(8), nullable=False),
    Column("reason", String(255), nullable=False, default=""),
    Column("item_code", String(64), nullable=False, default=""),
    Column("item_name", String(255), nullable=False, default=""),
    Column("department", String(255), nullable=False, default=""),
    Column("region", String(64), nullable=False, default=""),
    UniqueConstraint("sender_id", "topic", name="one_rating_per_topic"),
)

STATES = ("待回访", "整改中", "已办结", "申诉")
OPEN_STATES = STATES[:2]

tickets = Table(
    "tickets", metadata,
    Column("id", Integer, primary_key=True),
    Column("rating_id", Integer, nullable=False, unique=True),
    Column("sender_id", String(255), nullable=False),
    Column("channel", String(32), nullable=False, default=""),
    Column("created_ts", Float, nullable=False),
    Column("due", Date, nullable=False),
    Column("state", String(8), nullable=False),
    Column("item_code", String(64), nullable=False, default=""),
    Column("item_name", String(255), nullable=False, default=""),
    Column("department", String(255), nullable=False, default=""),
    Column("region", String(64), nullable=False, default=""),
    Column("level", String(8), nullable=False),
    Column("reason", String(255), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),  # the department's account (masked)
    Column("updated_ts", Float, nullable=False),
    Column("notified", Integer, nullable=False, default=0),  # outcome told to the citizen
)

# How far the projection has read `events`.
cursor = Table("projection_cursor", metadata, Column("id", Integer, primary_key=True), Column("last_event_id", BigInteger, nullable=False))


def engine_for(settings: Settings | None = None, url: str | None = None) -> AsyncEngine:
    settings = settings or get_settings()
    url = url or settings.analytics_database
    if url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        # WAL: Rasa's broker writes while the dashboard reads
        return tune_engine(create_async_engine(url, connect_args={"timeout": 30}), durable=False)
    return create_async_engine(url, pool_pre_ping=True)


async def create_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        for index in turns.indexes:  # a store made before an index was added gets it too
            await connection.run_sync(lambda sync, index=index: index.create(sync, checkfirst=True))
