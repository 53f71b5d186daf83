"""A store as reportgen made it before partnerships and migrations: the CREATE statements
are copied from the SQLite database the old code created (no partnership column, no
alembic_version table), so the upgrade is tested against the real old shape."""

from __future__ import annotations

from sqlalchemy import create_engine

LEGACY_SCHEMA = """
CREATE TABLE observations (
	id INTEGER NOT NULL,
	indicator VARCHAR NOT NULL,
	area VARCHAR NOT NULL,
	period VARCHAR NOT NULL,
	period_start INTEGER NOT NULL,
	period_end INTEGER NOT NULL,
	value FLOAT NOT NULL,
	source VARCHAR NOT NULL,
	load_id INTEGER NOT NULL,
	loaded_at VARCHAR NOT NULL,
	superseded_at VARCHAR,
	received_at VARCHAR,
	PRIMARY KEY (id)
);
CREATE INDEX ix_obs_period ON observations (period_end);
CREATE INDEX ix_obs_current ON observations (indicator, area, period, superseded_at);
CREATE TABLE loads (
	id INTEGER NOT NULL,
	source VARCHAR NOT NULL,
	partner VARCHAR NOT NULL,
	file VARCHAR,
	checksum VARCHAR,
	loaded_at VARCHAR NOT NULL,
	n_new INTEGER NOT NULL,
	n_revised INTEGER NOT NULL,
	n_unchanged INTEGER NOT NULL,
	n_rejected INTEGER NOT NULL,
	PRIMARY KEY (id)
);
CREATE TABLE schedule_runs (
	id INTEGER NOT NULL,
	job VARCHAR NOT NULL,
	period VARCHAR NOT NULL,
	version INTEGER NOT NULL,
	report VARCHAR NOT NULL,
	variant TEXT NOT NULL,
	"trigger" VARCHAR NOT NULL,
	status VARCHAR NOT NULL,
	attempts INTEGER NOT NULL,
	due_at VARCHAR,
	started_at VARCHAR NOT NULL,
	finished_at VARCHAR,
	heartbeat_at VARCHAR,
	host VARCHAR,
	pid INTEGER,
	error TEXT,
	next_attempt_at VARCHAR,
	alerted INTEGER NOT NULL,
	files TEXT NOT NULL,
	manifest VARCHAR,
	headline TEXT NOT NULL,
	exceptions TEXT NOT NULL,
	gaps TEXT NOT NULL,
	note TEXT,
	approval VARCHAR NOT NULL,
	released_at VARCHAR,
	PRIMARY KEY (id),
	CONSTRAINT uq_run_job_period_version UNIQUE (job, period, version)
);
CREATE TABLE schedule_deliveries (
	id INTEGER NOT NULL,
	run_id INTEGER NOT NULL,
	channel VARCHAR NOT NULL,
	target TEXT NOT NULL,
	status VARCHAR NOT NULL,
	detail TEXT,
	at VARCHAR NOT NULL,
	PRIMARY KEY (id)
);
CREATE TABLE schedule_jobs (
	job VARCHAR NOT NULL,
	first_seen VARCHAR NOT NULL,
	PRIMARY KEY (job)
);
"""

# Two loads of one figure (the second revised it), a second figure, a finished run with a
# delivery, and a job's first-seen time.
LEGACY_ROWS = """
INSERT INTO loads VALUES (1, 'police/returns', 'police', 'a.csv', 'abc', '2005-04-05T09:00:00.000000+00:00', 2, 0, 0, 0);
INSERT INTO loads VALUES (2, 'police/returns', 'police', 'b.csv', 'def', '2005-04-20T09:00:00.000000+00:00', 0, 1, 1, 0);
INSERT INTO observations VALUES (1, 'burglary', 'borough', '2005-03', 24149, 24149, 180.0, 'police/returns', 1,
  '2005-04-05T09:00:00.000000+00:00', '2005-04-20T09:00:00.000000+00:00', '2005-04-04T12:00:00.000000+00:00');
INSERT INTO observations VALUES (2, 'asb', 'borough', '2005-03', 24149, 24149, 95.0, 'police/returns', 1,
  '2005-04-05T09:00:00.000000+00:00', NULL, NULL);
INSERT INTO observations VALUES (3, 'burglary', 'borough', '2005-03', 24149, 24149, 175.0, 'police/returns', 2,
  '2005-04-20T09:00:00.000000+00:00', NULL, NULL);
INSERT INTO schedule_runs VALUES (1, 'board-pack', '2005-03', 1, 'board-pack', '{}', 'schedule', 'succeeded', 1,
  NULL, '2005-04-07T08:00:00+00:00', '2005-04-07T08:01:00+00:00', NULL, 'host', 1, NULL, NULL, 0, '[]', NULL,
  '[]', '[]', '[]', NULL, 'none', NULL);
INSERT INTO schedule_deliveries VALUES (1, 1, 'email', 'board@example.org', 'sent', NULL, '2005-04-07T08:01:00+00:00');
INSERT INTO schedule_jobs VALUES ('board-pack', '2005-01-01T00:00:00+00:00');
"""


def make_legacy_store(url: str, *, received_column: bool = True) -> None:
    """Create the old schema and rows at ``url`` (SQLite or PostgreSQL)."""
    engine = create_engine(url)
    schema = LEGACY_SCHEMA
    rows = LEGACY_ROWS
    if not received_column:  # a store from before received dates
        schema = schema.replace("\treceived_at VARCHAR,\n", "")
        rows = rows.replace(", '2005-04-04T12:00:00.000000+00:00');", ");").replace(", NULL, NULL);", ", NULL);")
    with engine.begin() as conn:
        for statement in (schema + rows).split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()
