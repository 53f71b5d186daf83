"""The web console's accounts and audit log, one partnership's apart from another's.

``console_users``: who may sign in to a partnership's console, their role (support,
partner, comms, board), the partner a partner account belongs to, the argon2 hash and the
lockout state. ``console_audit``: who did what, when and from where. See docs/console.md.

Revision ID: 0002_console
Revises: 0001_partnerships
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_console"
down_revision = "0001_partnerships"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("console_users"):
        op.create_table(
            "console_users",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("partnership", sa.String, nullable=False),
            sa.Column("username", sa.String, nullable=False),
            sa.Column("role", sa.String, nullable=False),
            sa.Column("partner", sa.String, nullable=True),
            sa.Column("email", sa.String, nullable=False, server_default=""),
            sa.Column("password_hash", sa.String, nullable=False),
            sa.Column("disabled", sa.Integer, nullable=False, server_default="0"),
            sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
            sa.Column("locked_at", sa.String, nullable=True),
            sa.Column("created_at", sa.String, nullable=False),
            sa.Column("last_login_at", sa.String, nullable=True),
            sa.UniqueConstraint("partnership", "username", name="uq_console_user"),
        )
    if not inspector.has_table("console_audit"):
        op.create_table(
            "console_audit",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("partnership", sa.String, nullable=False),
            sa.Column("at", sa.String, nullable=False),
            sa.Column("username", sa.String, nullable=False),
            sa.Column("action", sa.String, nullable=False),
            sa.Column("detail", sa.Text, nullable=False, server_default=""),
            sa.Column("ip", sa.String, nullable=False, server_default=""),
        )
        op.create_index("ix_console_audit_partnership", "console_audit", ["partnership", "id"])


def downgrade() -> None:
    op.drop_table("console_audit")
    op.drop_table("console_users")
