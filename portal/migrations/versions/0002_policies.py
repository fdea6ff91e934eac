"""Policies published through the portal, policy-push subscriptions and pushes.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("record", sa.Text, nullable=False),  # a PolicyRecord as JSON
        sa.Column("published_by", sa.String(64)),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "policy_subscriptions",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(32)),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("opted_in", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "policy_pushes",
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


def downgrade() -> None:
    op.drop_table("policy_pushes")
    op.drop_table("policy_subscriptions")
    op.drop_table("policies")
