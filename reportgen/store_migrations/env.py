"""Alembic's environment: the caller hands over an open connection (see reportgen.migrations)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
# render_as_batch: SQLite alters tables by copying them, PostgreSQL with ALTER TABLE
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
