"""Partners' notes on figures, "not available" marks, and one-time sign-in links.

``figure_notes``: one row per version of a partner's note on an (indicator, area, period),
kept like observations (a changed note closes the old row with ``superseded_at``). A note
with ``not_available = 1`` says the partner could not supply the figure, and why; the
evaluation reports that figure as missing with the partner's reason. ``console_login_links``:
the emailed one-time sign-in links of the web console, stored only as SHA-256 hashes. A run
ledger (made by reportgen/schedule/ledger.py, which makes ``schedule_requests`` itself from now
on) gains ``schedule_requests``: runs asked for in the console, queued for the service.

Revision ID: 0004_figure_notes
Revises: 0003_delivery_queue
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_figure_notes"
down_revision = "0003_delivery_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("figure_notes"):
        op.create_table(
            "figure_notes",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("partnership", sa.String, nullable=False),
            sa.Column("indicator", sa.String, nullable=False),
            sa.Column("area", sa.String, nullable=False),
            sa.Column("period", sa.String, nullable=False),
            sa.Column("period_end", sa.Integer, nullable=False),
            sa.Column("partner", sa.String, nullable=False),
            sa.Column("note", sa.Text, nullable=False),
            sa.Column("not_available", sa.Integer, nullable=False),
            sa.Column("load_id", sa.Integer, nullable=False),
            sa.Column("noted_at", sa.String, nullable=False),
            sa.Column("superseded_at", sa.String, nullable=True),
        )
        op.create_index("ix_figure_notes_key", "figure_notes", ["partnership", "indicator", "area", "period"])
        op.create_index("ix_figure_notes_period", "figure_notes", ["partnership", "period_end"])
    if not inspector.has_table("console_login_links"):
        op.create_table(
            "console_login_links",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("partnership", sa.String, nullable=False),
            sa.Column("user_id", sa.Integer, nullable=False),
            sa.Column("token_hash", sa.String, nullable=False),
            sa.Column("created_at", sa.String, nullable=False),
            sa.Column("expires_at", sa.String, nullable=False),
            sa.Column("used_at", sa.String, nullable=True),
            sa.Column("ip", sa.String, nullable=False, server_default=""),
            sa.UniqueConstraint("token_hash", name="uq_console_login_link"),
        )
        op.create_index("ix_console_login_links_user", "console_login_links", ["partnership", "user_id"])
    if inspector.has_table("schedule_runs") and not inspector.has_table("schedule_requests"):
        # the same columns as reportgen/schedule/requests.py
        op.create_table(
            "schedule_requests",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("partnership", sa.String, nullable=False),
            sa.Column("job", sa.String, nullable=False),
            sa.Column("period", sa.String, nullable=False),
            sa.Column("request", sa.Text, nullable=False),
            sa.Column("requested_by", sa.String, nullable=False),
            sa.Column("requested_at", sa.String, nullable=False),
            sa.Column("status", sa.String, nullable=False),
            sa.Column("updated_at", sa.String, nullable=False),
            sa.Column("message", sa.Text, nullable=False),
        )


def downgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("schedule_requests"):
        op.drop_table("schedule_requests")
    op.drop_table("console_login_links")
    op.drop_table("figure_notes")
