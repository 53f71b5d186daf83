"""The delivery queue: ``delivery_messages``, one row per message with its partnership.

Like the run ledger's other tables, the queue is created by the ledger when it is first
opened (reportgen/schedule/ledger.py, reportgen/deliver/queue.py); here an existing ledger
is brought up to date: a ledger from before the queue gets the table, and a queue from before
partnerships gains the column (filled with the partnership ``reportgen db upgrade`` is given)
and its indexes. A database with no ledger is left alone.

Revision ID: 0003_delivery_queue
Revises: 0002_console
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0003_delivery_queue"
down_revision = "0002_console"
branch_labels = None
depends_on = None

TABLE = "delivery_messages"
# The same names and columns as the Index objects in reportgen/deliver/queue.py.
INDEXES = {
    "ix_delivery_messages_open": ["partnership", "status", "next_attempt_at"],
    "ix_delivery_messages_run": ["partnership", "run_id"],
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    partnership = context.config.attributes.get("partnership", "default")
    if inspector.has_table(TABLE):
        _add_partnership(inspector, partnership)
        have = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(TABLE)}
        for name, columns in INDEXES.items():
            if name not in have:
                op.create_index(name, TABLE, columns)
    elif inspector.has_table("schedule_runs"):
        _create()


def downgrade() -> None:
    raise NotImplementedError("queued messages would be lost; restore a backup instead")


def _create() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("partnership", sa.String, nullable=False),
        sa.Column("run_id", sa.Integer, nullable=True),
        sa.Column("job", sa.String, nullable=False),
        sa.Column("period", sa.String, nullable=False),
        sa.Column("channel", sa.String, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("parcel", sa.Text, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.String, nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("created_at", sa.String, nullable=False),
        sa.Column("updated_at", sa.String, nullable=False),
        sa.Column("lease_owner", sa.String, nullable=True),
        sa.Column("lease_until", sa.String, nullable=True),
        sa.Column("alerted", sa.Integer, nullable=False),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, TABLE, columns)


def _add_partnership(inspector: sa.Inspector, partnership: str) -> None:
    """A queue from before partnerships: add the column, fill it, then make it required."""
    if "partnership" in {c["name"] for c in inspector.get_columns(TABLE)}:
        return
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("partnership", sa.String, nullable=True))
    op.execute(sa.text(f"UPDATE {TABLE} SET partnership = :p").bindparams(p=partnership))
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("partnership", existing_type=sa.String, nullable=False)
