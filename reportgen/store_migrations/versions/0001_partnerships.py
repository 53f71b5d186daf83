"""Baseline: the store with a partnership on every row.

A new database gets the observation store's tables. A store made before migrations existed
(tables present, no alembic_version) is upgraded in place: every observation, load, run,
delivery and job row gains the partnership column, filled with the partnership named by
``reportgen db upgrade --config DIR`` (the partnership the existing rows belong to), and the
keys and indexes are rebuilt to include it. Values, revisions and history are kept as they are.

The run ledger's tables are created by the ledger itself (reportgen/schedule/ledger.py); here
they are only upgraded when they exist from before.

Revision ID: 0001_partnerships
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0001_partnerships"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    partnership = context.config.attributes.get("partnership", "default")
    if inspector.has_table("observations"):
        _upgrade_observations(inspector, partnership)
    else:
        _create_observations()
    if inspector.has_table("loads"):
        _add_partnership(inspector, "loads", partnership)
        op.create_index("ix_loads_partnership", "loads", ["partnership"])
    else:
        _create_loads()
    if inspector.has_table("schedule_runs"):
        _upgrade_runs(inspector, partnership)
    if inspector.has_table("schedule_deliveries"):
        _add_partnership(inspector, "schedule_deliveries", partnership)
    if inspector.has_table("schedule_jobs"):
        _upgrade_jobs(inspector, partnership)


def downgrade() -> None:
    raise NotImplementedError("a store with several partnerships cannot go back to one; restore a backup instead")


def _create_observations() -> None:
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("partnership", sa.String, nullable=False),
        sa.Column("indicator", sa.String, nullable=False),
        sa.Column("area", sa.String, nullable=False),
        sa.Column("period", sa.String, nullable=False),
        sa.Column("period_start", sa.Integer, nullable=False),
        sa.Column("period_end", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("load_id", sa.Integer, nullable=False),
        sa.Column("loaded_at", sa.String, nullable=False),
        sa.Column("superseded_at", sa.String, nullable=True),
        sa.Column("received_at", sa.String, nullable=True),
    )
    _observation_indexes()


def _observation_indexes() -> None:
    op.create_index("ix_obs_key", "observations", ["partnership", "indicator", "area", "period"])
    op.create_index(
        "uq_obs_current",
        "observations",
        ["partnership", "indicator", "area", "period"],
        unique=True,
        sqlite_where=sa.text("superseded_at IS NULL"),
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.create_index("ix_obs_period", "observations", ["partnership", "period_end"])


def _create_loads() -> None:
    op.create_table(
        "loads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("partnership", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("partner", sa.String, nullable=False),
        sa.Column("file", sa.String, nullable=True),
        sa.Column("checksum", sa.String, nullable=True),
        sa.Column("loaded_at", sa.String, nullable=False),
        sa.Column("n_new", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_revised", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_rejected", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_loads_partnership", "loads", ["partnership"])


def _columns(inspector: sa.Inspector, table: str) -> set[str]:
    return {c["name"] for c in inspector.get_columns(table)}


def _add_partnership(inspector: sa.Inspector, table: str, partnership: str) -> None:
    """Add the column, fill it for every existing row, then make it required."""
    if "partnership" in _columns(inspector, table):
        return
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("partnership", sa.String, nullable=True))
    op.execute(sa.text(f"UPDATE {table} SET partnership = :p").bindparams(p=partnership))
    with op.batch_alter_table(table) as batch:
        batch.alter_column("partnership", existing_type=sa.String, nullable=False)


def _upgrade_observations(inspector: sa.Inspector, partnership: str) -> None:
    if "received_at" not in _columns(inspector, "observations"):
        # stores from before received dates: NULL reads as the load time
        with op.batch_alter_table("observations") as batch:
            batch.add_column(sa.Column("received_at", sa.String, nullable=True))
    for index in inspector.get_indexes("observations"):
        if index["name"] in ("ix_obs_current", "ix_obs_period"):
            op.drop_index(index["name"], table_name="observations")
    _add_partnership(inspector, "observations", partnership)
    _observation_indexes()


def _upgrade_runs(inspector: sa.Inspector, partnership: str) -> None:
    if "partnership" in _columns(inspector, "schedule_runs"):
        return
    _add_partnership(inspector, "schedule_runs", partnership)
    old = {u["name"] for u in sa.inspect(op.get_bind()).get_unique_constraints("schedule_runs")}
    with op.batch_alter_table("schedule_runs", recreate="always" if _sqlite() else "auto") as batch:
        if "uq_run_job_period_version" in old:
            batch.drop_constraint("uq_run_job_period_version", type_="unique")
        batch.create_unique_constraint(
            "uq_run_partnership_job_period_version", ["partnership", "job", "period", "version"]
        )


def _upgrade_jobs(inspector: sa.Inspector, partnership: str) -> None:
    # the primary key changes from (job) to (partnership, job): copy into a new table
    if "partnership" in _columns(inspector, "schedule_jobs"):
        return
    op.create_table(
        "schedule_jobs_new",
        sa.Column("partnership", sa.String, primary_key=True),
        sa.Column("job", sa.String, primary_key=True),
        sa.Column("first_seen", sa.String, nullable=False),
    )
    op.execute(
        sa.text(
            "INSERT INTO schedule_jobs_new (partnership, job, first_seen) SELECT :p, job, first_seen FROM schedule_jobs"
        ).bindparams(p=partnership)
    )
    op.drop_table("schedule_jobs")
    op.rename_table("schedule_jobs_new", "schedule_jobs")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"
