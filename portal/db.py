"""The portal's schema (SQLAlchemy Core) and engine. SQLite by default, PostgreSQL when
PORTAL_DB_URL says so; the schema is created and changed only by Alembic migrations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ops.sqlite import tune_engine

metadata = sa.MetaData()

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    # The client's key for one submission: a retried submit finds the same application.
    sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
    sa.Column("receipt_number", sa.String(32), unique=True),
    sa.Column("item_code", sa.String(64), nullable=False),
    sa.Column("theme_id", sa.String(64)),
    sa.Column("status", sa.String(16), nullable=False),
    # Keyed hash of the applicant's ID or phone: progress lookups match without storing them.
    sa.Column("applicant_hashes", sa.Text, nullable=False),
    sa.Column("applicant_name", sa.Text),
    # Form fields, encrypted at rest (they hold ID numbers, phones, credit codes).
    sa.Column("fields_encrypted", sa.LargeBinary, nullable=False),
    sa.Column("channel", sa.String(32)),
    sa.Column("sender_id", sa.String(128)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

application_events = sa.Table(
    "application_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("application_id", sa.String(36), sa.ForeignKey("applications.id"), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("actor", sa.String(64)),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

materials = sa.Table(
    "materials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("application_id", sa.String(36), sa.ForeignKey("applications.id"), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("reference", sa.Text, nullable=False),  # a file store's reference, not the file
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("key_hash", sa.String(64), primary_key=True),  # keyed hash of ID number or credit code
    sa.Column("kind", sa.String(16), nullable=False),  # person | enterprise
    sa.Column("data_encrypted", sa.LargeBinary, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# 12345 work orders filed from the conversation (complaints, reports, suggestions, help):
# what, where, when in the citizen's words (masked by the channel), the contact phone
# encrypted and as a keyed hash (status lookups), the classifier's category and department.
work_orders = sa.Table(
    "work_orders",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("number", sa.String(32), nullable=False, unique=True),  # 工单编号
    sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("category", sa.String(32)),
    sa.Column("department", sa.String(64)),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("place", sa.Text, nullable=False),
    sa.Column("region_code", sa.String(12)),
    sa.Column("region_name", sa.String(64)),
    sa.Column("happened", sa.Text, nullable=False),
    sa.Column("contact_masked", sa.String(32), nullable=False),
    sa.Column("contact_hash", sa.String(64), nullable=False, index=True),
    sa.Column("contact_encrypted", sa.LargeBinary, nullable=False),
    sa.Column("reply", sa.Text),  # the department's answer to the citizen
    sa.Column("channel", sa.String(32)),
    sa.Column("sender_id", sa.String(128), index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

work_order_events = sa.Table(
    "work_order_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("work_order_id", sa.String(36), sa.ForeignKey("work_orders.id"), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("department", sa.String(64)),
    sa.Column("note", sa.Text),
    sa.Column("actor", sa.String(64)),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# Status changes and department replies waiting to be pushed to the citizen on their
# channel: of an application or of a work order.
notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("application_id", sa.String(36), sa.ForeignKey("applications.id")),
    sa.Column("work_order_id", sa.String(36), sa.ForeignKey("work_orders.id")),
    sa.Column("channel", sa.String(32)),
    sa.Column("sender_id", sa.String(128)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
)

# The policy central kitchen (policies/): policies staff publish here, who opted in to
# policy pushes (by profile), and each push — one per (policy, profile), ever.
policies = sa.Table(
    "policies",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("published_by", sa.String(64)),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
)

policy_subscriptions = sa.Table(
    "policy_subscriptions",
    metadata,
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(32)),
    sa.Column("sender_id", sa.String(128), nullable=False),
    sa.Column("opted_in", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

policy_pushes = sa.Table(
    "policy_pushes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("policy_id", sa.String(64), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(32)),
    sa.Column("sender_id", sa.String(128), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("policy_id", "key_hash", name="one_push_per_policy_and_profile"),
)


def make_engine(url: str) -> AsyncEngine:
    return tune_engine(create_async_engine(url, pool_pre_ping=True), durable=True)
