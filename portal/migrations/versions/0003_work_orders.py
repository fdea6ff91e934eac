"""12345 work orders filed from the conversation, their events; notifications may be of a
work order instead of an application.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_orders",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
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
        sa.Column("reply", sa.Text),
        sa.Column("channel", sa.String(32)),
        sa.Column("sender_id", sa.String(128), index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "work_order_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("work_order_id", sa.String(36), sa.ForeignKey("work_orders.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("department", sa.String(64)),
        sa.Column("note", sa.Text),
        sa.Column("actor", sa.String(64)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    # batch mode: SQLite changes a column's nullability only by copying the table
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("application_id", existing_type=sa.String(36), nullable=True)
        batch.add_column(sa.Column("work_order_id", sa.String(36), sa.ForeignKey("work_orders.id", name="fk_notifications_work_order")))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("work_order_id")
        batch.alter_column("application_id", existing_type=sa.String(36), nullable=False)
    op.drop_table("work_order_events")
    op.drop_table("work_orders")
