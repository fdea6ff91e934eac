"""Applications, their events and materials, profiles, notifications.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
        sa.Column("receipt_number", sa.String(32), unique=True),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("theme_id", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("applicant_hashes", sa.Text, nullable=False),
        sa.Column("applicant_name", sa.Text),
        sa.Column("fields_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("channel", sa.String(32)),
        sa.Column("sender_id", sa.String(128)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(36), sa.ForeignKey("applications.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("actor", sa.String(64)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "materials",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(36), sa.ForeignKey("applications.id"), nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
    )
    op.create_table(
        "profiles",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("data_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(36), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("channel", sa.String(32)),
        sa.Column("sender_id", sa.String(128)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    for table in ("notifications", "profiles", "materials", "application_events", "applications"):
        op.drop_table(table)
