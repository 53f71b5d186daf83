"""The store's contract, on SQLite and on PostgreSQL (a throwaway cluster, tests/pg.py).

Every expected number is worked by hand from the rows loaded here: a key is new the first
time, unchanged when loaded again with the same value, revised (the old version kept) when
the value differs; and one partnership's loads never count against another's rows.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from reportgen.errors import StoreError
from reportgen.store import Store, sqlite_path

UTC = dt.UTC
T1 = dt.datetime(2005, 4, 5, 9, tzinfo=UTC)
T2 = dt.datetime(2005, 4, 20, 9, tzinfo=UTC)
T3 = dt.datetime(2005, 5, 2, 9, tzinfo=UTC)


def frame(rows: list[tuple[str, str, str, float]], received: list[str | None] | None = None) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["indicator", "area", "period", "value"])
    if received is not None:
        out["received_at"] = received
    return out


MARCH = [
    ("burglary", "borough", "2005-03", 180.0),
    ("burglary", "north", "2005-03", 70.0),
    ("asb", "borough", "2005-03", 95.0),
]


def values(store: Store, **kwargs: object) -> dict[tuple[str, str, str], float]:
    got = store.frame(**kwargs)  # type: ignore[arg-type]
    return {(r.indicator, r.area, r.period): r.value for r in got.itertuples()}


def test_load_counts_new_unchanged_and_revised(db_url: str) -> None:
    store = Store(db_url, partnership="north-csp")
    first = store.load(frame(MARCH), source="police/returns", partner="police", now=T1)
    assert (first.new, first.revised, first.unchanged) == (3, 0, 0)
    again = store.load(frame(MARCH), source="police/returns", partner="police", now=T2)
    assert (again.new, again.revised, again.unchanged) == (0, 0, 3)
    changed = [MARCH[0][:3] + (175.0,), MARCH[1], ("asb", "borough", "2005-04", 90.0)]
    third = store.load(frame(changed), source="police/returns", partner="police", now=T3)
    assert (third.new, third.revised, third.unchanged) == (1, 1, 1)
    assert values(store) == {
        ("burglary", "borough", "2005-03"): 175.0,
        ("burglary", "north", "2005-03"): 70.0,
        ("asb", "borough", "2005-03"): 95.0,
        ("asb", "borough", "2005-04"): 90.0,
    }
    history = store.history("burglary", "borough", "2005-03")
    assert history["value"].tolist() == [180.0, 175.0]
    assert history["superseded_at"].iloc[0] == T3.isoformat(timespec="microseconds")
    loads = store.loads()
    assert loads[["n_new", "n_revised", "n_unchanged"]].values.tolist() == [[3, 0, 0], [0, 0, 3], [1, 1, 1]]
    assert store.last_loaded_at() == T3.isoformat(timespec="microseconds")
    revised = store.revisions_since(T2)
    assert revised[["indicator", "area", "period", "value"]].values.tolist() == [
        ["burglary", "borough", "2005-03", 175.0]
    ]
    store.dispose()


def test_as_at_rebuilds_what_was_known_then(db_url: str) -> None:
    store = Store(db_url, partnership="north-csp")
    store.load(frame(MARCH), source="s", partner="police", now=T1)
    store.load(frame([("burglary", "borough", "2005-03", 175.0)]), source="s", partner="police", now=T3)
    assert values(store, as_at=T1 - dt.timedelta(seconds=1)) == {}
    assert values(store, as_at=T2)[("burglary", "borough", "2005-03")] == 180.0
    assert values(store)[("burglary", "borough", "2005-03")] == 175.0
    assert len(store.frame(as_at=T2)) == 3
    store.dispose()


def test_received_by_replays_what_partners_had_sent(db_url: str) -> None:
    store = Store(db_url, partnership="north-csp")
    # March sent on 4 April; the April figure sent on 3 May but loaded with March on 5 May
    rows = [("burglary", "borough", "2005-03", 180.0), ("burglary", "borough", "2005-04", 160.0)]
    store.load(
        frame(rows, ["2005-04-04T12:00:00+00:00", "2005-05-03T12:00:00+00:00"]), source="s", partner="police", now=T3
    )
    # a correction of March, sent and loaded on 20 May
    late = dt.datetime(2005, 5, 20, tzinfo=UTC)
    store.load(frame([("burglary", "borough", "2005-03", 182.0)]), source="s", partner="police", now=late)
    assert values(store, received_by=dt.datetime(2005, 4, 30, tzinfo=UTC)) == {
        ("burglary", "borough", "2005-03"): 180.0
    }
    assert values(store, received_by=dt.datetime(2005, 5, 10, tzinfo=UTC)) == {
        ("burglary", "borough", "2005-03"): 180.0,
        ("burglary", "borough", "2005-04"): 160.0,
    }
    assert values(store, received_by=late)[("burglary", "borough", "2005-03")] == 182.0
    # known on 10 May (before the correction was loaded), whatever its received date says
    assert (
        values(store, received_by=late, as_at=dt.datetime(2005, 5, 10, tzinfo=UTC))[("burglary", "borough", "2005-03")]
        == 180.0
    )
    store.dispose()


def test_two_partnerships_never_touch_each_others_figures(db_url: str) -> None:
    north = Store(db_url, partnership="north-csp")
    south = Store(db_url, partnership="south-csp")
    north.load(frame(MARCH), source="police/returns", partner="police", now=T1)
    # the very same keys with other values: for south they are new, and north's stay current
    other = [(i, a, p, v + 1000) for i, a, p, v in MARCH]
    loaded = south.load(frame(other), source="police/returns", partner="police", now=T2)
    assert (loaded.new, loaded.revised, loaded.unchanged) == (3, 0, 0)
    assert values(north) == {(i, a, p): v for i, a, p, v in MARCH}
    assert values(south) == {(i, a, p): v for i, a, p, v in other}
    assert north.history("burglary", "borough", "2005-03")["value"].tolist() == [180.0]
    assert north.revisions_since(T1 - dt.timedelta(days=1)).empty
    assert len(north.loads()) == 1 and len(south.loads()) == 1
    assert north.last_loaded_at() == T1.isoformat(timespec="microseconds")
    assert north.partnerships() == ["north-csp", "south-csp"]
    # reloading north's own figures is still "unchanged", not "revised" by south's
    again = north.load(frame(MARCH), source="police/returns", partner="police", now=T3)
    assert (again.new, again.revised, again.unchanged) == (0, 0, 3)
    north.dispose()
    south.dispose()


def test_a_failed_load_leaves_the_store_as_it_was(db_url: str) -> None:
    store = Store(db_url, partnership="north-csp")
    store.load(frame(MARCH), source="s", partner="police", now=T1)
    with pytest.raises(StoreError, match="duplicate observation for burglary / borough / 2005-03"):
        store.load(frame([MARCH[0], MARCH[0][:3] + (1.0,)]), source="s", partner="police", now=T2)
    with pytest.raises(StoreError, match="time-zone aware"):
        store.load(frame(MARCH), source="s", partner="police", now=dt.datetime(2005, 5, 1))
    assert values(store) == {(i, a, p): v for i, a, p, v in MARCH}
    assert len(store.loads()) == 1
    store.dispose()


CONCURRENT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import pandas as pd
    from reportgen.store import Store
    url, value, go = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
    store = Store(url, partnership="north-csp")
    rows = pd.DataFrame({"indicator": "burglary", "area": [f"a{n}" for n in range(2000)],
                         "period": "2005-03", "value": value})
    while not go.exists():
        time.sleep(0.005)
    s = store.load(rows, source="s", partner="police")
    print(s.new, s.revised, s.unchanged)
    """
)


def test_concurrent_loads_from_two_processes_are_serialised(db_url: str, tmp_path: Path) -> None:
    Store(db_url, partnership="north-csp").dispose()  # the schema exists before the race
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, db_url, str(v), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for v in (1.0, 2.0)
    ]
    go.touch()
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outcomes.append(tuple(int(n) for n in out.split()))
    # whichever ran second saw every key of the first and revised it: never two "new"s
    assert sorted(outcomes) == [(0, 2000, 0), (2000, 0, 0)]
    store = Store(db_url, partnership="north-csp")
    current = store.frame()
    assert len(current) == 2000 and current["value"].nunique() == 1
    assert len(store.history("burglary", "a7", "2005-03")) == 2
    store.dispose()


def test_read_only_open_of_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'store.sqlite'}"
    with pytest.raises(StoreError, match=r"there is no store at sqlite:///.*/no/such/store.sqlite"):
        Store(url, partnership="north-csp", create=False)
    assert not (tmp_path / "no").exists()
    path = sqlite_path(url)
    assert path is not None and not path.exists()


def test_read_only_open_of_an_empty_postgresql_database_is_refused(pg_url: str) -> None:
    with pytest.raises(StoreError, match="the database has no observations table"):
        Store(pg_url, partnership="north-csp", create=False)
    from sqlalchemy import create_engine, inspect

    engine = create_engine(pg_url)
    assert inspect(engine).get_table_names() == []  # nothing was created
    engine.dispose()


def test_a_partnership_id_must_be_an_id(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="'North CSP' is not a partnership id"):
        Store(f"sqlite:///{tmp_path / 's.sqlite'}", partnership="North CSP")
