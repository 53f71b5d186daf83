"""Alembic migrations: a store made by the old code (tests/legacy_store.py, its CREATE
statements copied from the database the old code made) upgrades in place with every value,
revision, run and delivery kept and stamped with the partnership; a fresh store and an
upgraded one end up with the same tables, columns and indexes; an old store is refused by
every other command with a message naming `reportgen db upgrade`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from legacy_store import make_legacy_store
from sqlalchemy import create_engine, inspect

from reportgen.cli import cli
from reportgen.errors import StoreError
from reportgen.migrations import head, state, upgrade
from reportgen.schedule.ledger import Ledger
from reportgen.store import SCHEMA_REVISION, Store

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data_sources"


def _shape(url: str) -> dict[str, object]:
    """Tables -> (columns with nullability, indexes with their columns and uniqueness)."""
    engine = create_engine(url)
    inspector = inspect(engine)
    out: dict[str, object] = {}
    for table in sorted(inspector.get_table_names()):
        columns = sorted((c["name"], c["nullable"]) for c in inspector.get_columns(table))
        indexes = sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table))
        uniques = sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table))
        primary = tuple(inspector.get_pk_constraint(table)["constrained_columns"])
        out[table] = (columns, indexes, uniques, primary)
    engine.dispose()
    return out


def test_the_code_reads_the_newest_migration() -> None:
    assert head() == SCHEMA_REVISION


def test_an_old_store_is_refused_naming_the_upgrade_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    make_legacy_store(url)
    with pytest.raises(StoreError, match=r"a schema from before partnerships.*reportgen db upgrade --store sqlite:///"):
        Store(url, partnership="wigan-leigh")
    with pytest.raises(StoreError, match="the run ledger at .* is from before partnerships.*reportgen db upgrade"):
        Ledger(url, partnership="wigan-leigh")
    assert state(url).revision is None


@pytest.mark.parametrize("received_column", [True, False])
def test_an_old_store_upgrades_in_place_and_keeps_its_data(tmp_path: Path, received_column: bool) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    make_legacy_store(url, received_column=received_column)
    after = upgrade(url, partnership="wigan-leigh")
    assert after.current and after.partnerships == ("wigan-leigh",)

    store = Store(url, partnership="wigan-leigh")
    history = store.history("burglary", "borough", "2005-03")
    assert history["value"].tolist() == [180.0, 175.0]  # the revision is kept
    assert history["superseded_at"].iloc[0] == "2005-04-20T09:00:00.000000+00:00"
    assert history["superseded_at"].isna().tolist() == [False, True]
    received = "2005-04-04T12:00:00.000000+00:00" if received_column else "2005-04-05T09:00:00.000000+00:00"
    assert history["received_at"].iloc[0] == received
    current = {(r.indicator, r.period): r.value for r in store.frame().itertuples()}
    assert current == {("burglary", "2005-03"): 175.0, ("asb", "2005-03"): 95.0}
    assert store.loads()[["id", "n_new", "n_revised", "n_unchanged"]].values.tolist() == [[1, 2, 0, 0], [2, 0, 1, 1]]
    # another partnership sees none of it, and its first load of the same keys is all new
    other = Store(url, partnership="hartlepool")
    assert other.frame().empty
    import pandas as pd

    loaded = other.load(
        pd.DataFrame({"indicator": ["burglary"], "area": ["borough"], "period": ["2005-03"], "value": [1.0]}),
        source="s",
        partner="police",
    )
    assert (loaded.new, loaded.revised) == (1, 0)
    assert store.frame()["value"].sum() == 175.0 + 95.0
    # the next load into the upgraded store carries on the ids
    assert loaded.load_id == 3

    ledger = Ledger(url, partnership="wigan-leigh")
    [run] = ledger.runs()
    assert (run.job, run.period, run.version, run.status) == ("board-pack", "2005-03", 1, "succeeded")
    assert [(d.channel, d.target, d.status) for d in ledger.deliveries(run.id)] == [
        ("email", "board@example.org", "sent")
    ]
    assert Ledger(url, partnership="hartlepool").runs() == []
    store.dispose()
    other.dispose()
    ledger.dispose()


def test_an_upgraded_store_has_the_shape_of_a_new_one(tmp_path: Path) -> None:
    old = f"sqlite:///{tmp_path / 'old.sqlite'}"
    make_legacy_store(old)
    upgrade(old, partnership="wigan-leigh")
    new = f"sqlite:///{tmp_path / 'new.sqlite'}"
    Store(new, partnership="wigan-leigh").dispose()
    Ledger(new, partnership="wigan-leigh").dispose()
    assert _shape(old) == _shape(new)


def test_migrations_create_the_store_on_postgresql(pg_url: str) -> None:
    upgrade(pg_url, partnership="wigan-leigh")
    again = upgrade(pg_url, partnership="wigan-leigh")  # a second run changes nothing
    assert again.revision == SCHEMA_REVISION
    tables = set(inspect(create_engine(pg_url)).get_table_names())
    assert {"observations", "loads", "alembic_version"} <= tables


def test_db_upgrade_and_current_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    make_legacy_store(url)
    runner = CliRunner()
    before = runner.invoke(cli, ["db", "current", "--store", url])
    assert before.exit_code == 0, before.output
    assert "revision (none)" in before.output and "needs `reportgen db upgrade`" in before.output
    refused = runner.invoke(cli, ["evaluate", "--period", "2005-03", "--config", str(DEMO), "--store", url])
    assert refused.exit_code == 1
    assert "a schema from before partnerships" in refused.output and "reportgen db upgrade" in refused.output
    done = runner.invoke(cli, ["db", "upgrade", "--store", url, "--config", str(DEMO)])
    assert done.exit_code == 0, done.output
    assert f"upgraded from no schema revision to {SCHEMA_REVISION}" in done.output
    assert "partnerships: wigan-leigh" in done.output  # the demo's id, from --config
    again = runner.invoke(cli, ["db", "upgrade", "--store", url, "--partnership", "other"])
    assert f"already at {SCHEMA_REVISION}" in again.output
    after = runner.invoke(cli, ["db", "current", "--store", url])
    assert "up to date" in after.output and "partnerships: wigan-leigh" in after.output


def test_serve_refuses_an_old_store_naming_the_upgrade(tmp_path: Path) -> None:
    from sched_helpers import write_schedules

    schedules = write_schedules(tmp_path, "")
    url = f"sqlite:///{tmp_path / 'var' / 'reportgen.sqlite'}"
    (tmp_path / "var").mkdir()
    make_legacy_store(url)
    result = CliRunner().invoke(cli, ["serve", "--once", "--schedules", str(schedules)])
    assert result.exit_code == 1
    assert "a schema from before partnerships" in result.output and "reportgen db upgrade" in result.output
    assert state(url).revision is None  # untouched


def test_a_store_at_0001_gets_the_queue_indexes_and_keeps_its_messages(tmp_path: Path) -> None:
    """A store and ledger made by the code of revision 0001 (the queue's table made by the ledger,
    without indexes) is refused until `db upgrade`, which adds the indexes and keeps the rows."""
    from alembic import command
    from sqlalchemy import Column, MetaData, Table

    from reportgen.deliver import queue
    from reportgen.migrations import _alembic_config, _migration_engine
    from reportgen.schedule import ledger as ledger_module

    url = f"sqlite:///{tmp_path / 'at-0001.sqlite'}"
    engine = _migration_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn, "wigan-leigh"), "0001_partnerships")
    engine.dispose()
    engine = create_engine(url)
    ledger_module.metadata.create_all(engine)
    old_queue = Table("delivery_messages", MetaData(), *[Column(c.name, c.type, primary_key=c.primary_key,
                                                              nullable=c.nullable) for c in queue.messages.columns])
    old_queue.metadata.create_all(engine)
    t = "2005-04-07T08:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(old_queue.insert().values(partnership="wigan-leigh", job="j", period="2005-03", channel="alert",
                                               target="a@example.org", spec="{}", parcel="{}", status="pending",
                                               attempts=0, created_at=t, updated_at=t, alerted=0))
    engine.dispose()
    assert state(url).revision == "0001_partnerships"
    with pytest.raises(StoreError, match="schema revision 0001_partnerships.*reportgen db upgrade"):
        Store(url, partnership="wigan-leigh")
    assert upgrade(url, partnership="wigan-leigh").current
    new = f"sqlite:///{tmp_path / 'new.sqlite'}"
    Store(new, partnership="wigan-leigh").dispose()
    Ledger(new, partnership="wigan-leigh").dispose()
    assert _shape(url) == _shape(new)
    indexes = {i["name"] for i in inspect(create_engine(url)).get_indexes("delivery_messages")}
    assert indexes == {"ix_delivery_messages_open", "ix_delivery_messages_run"}
    from reportgen.deliver.queue import DeliveryQueue
    from reportgen.schedule.config import Schedules

    kept = Ledger(url, partnership="wigan-leigh")
    [msg] = DeliveryQueue(kept.engine, Schedules(), now=lambda: None, partnership="wigan-leigh").messages()  # type: ignore[arg-type, return-value]
    assert (msg.job, msg.target, msg.status) == ("j", "a@example.org", "pending")
    kept.dispose()
