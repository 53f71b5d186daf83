"""The observation store keeps every version and can answer "as known at"."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reportgen.errors import StoreError
from reportgen.store import Store

T0 = dt.datetime(2005, 4, 10, 9, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=30)
T2 = T1 + dt.timedelta(days=30)


def frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "area", "period", "value"])


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'store.sqlite'}")


def test_first_load_is_all_new(store: Store) -> None:
    s = store.load(frame([("burglary", "borough", "2005-03", 180), ("burglary", "borough", "2005-02", 170)]),
                   source="police/returns", partner="police", now=T0)
    assert (s.new, s.revised, s.unchanged) == (2, 0, 0)
    current = store.frame()
    assert sorted(current["value"]) == [170.0, 180.0]
    assert set(current["period_start"]) == {2005 * 12 + 1, 2005 * 12 + 2}


def test_same_values_again_change_nothing(store: Store) -> None:
    rows = frame([("burglary", "borough", "2005-03", 180)])
    store.load(rows, source="police/returns", partner="police", now=T0)
    s = store.load(rows, source="police/returns", partner="police", now=T1)
    assert (s.new, s.revised, s.unchanged) == (0, 0, 1)
    assert len(store.history("burglary", "borough", "2005-03")) == 1


def test_revision_keeps_the_old_value_and_as_at_rebuilds_the_past(store: Store) -> None:
    store.load(frame([("burglary", "borough", "2005-03", 180)]), source="a", partner="police", now=T0)
    s = store.load(frame([("burglary", "borough", "2005-03", 195)]), source="a", partner="police", now=T1)
    assert (s.new, s.revised, s.unchanged) == (0, 1, 0)
    history = store.history("burglary", "borough", "2005-03")
    assert list(history["value"]) == [180.0, 195.0]
    assert history["superseded_at"].notna().tolist() == [True, False]
    assert store.frame()["value"].tolist() == [195.0]
    assert store.frame(as_at=T0 + dt.timedelta(days=1))["value"].tolist() == [180.0]
    assert store.frame(as_at=T0 - dt.timedelta(days=1)).empty
    revised = store.revisions_since(T0 + dt.timedelta(days=1))
    assert revised[["indicator", "value"]].values.tolist() == [["burglary", 195.0]]


def test_a_bad_load_changes_nothing(store: Store, tmp_path) -> None:
    store.load(frame([("burglary", "borough", "2005-03", 180)]), source="a", partner="police", now=T0)
    before = (tmp_path / "store.sqlite").read_bytes()
    dup = frame([("burglary", "borough", "2005-04", 1), ("burglary", "borough", "2005-04", 2)])
    with pytest.raises(StoreError, match="duplicate observation for burglary / borough / 2005-04"):
        store.load(dup, source="a", partner="police", now=T1)
    store.dispose()
    assert Store(store.url).frame()["value"].tolist() == [180.0]
    assert len(Store(store.url).loads()) == 1
    assert before  # the file existed; its observations are as they were (checked above)


def test_naive_timestamps_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="time-zone aware"):
        store.load(frame([("x", "borough", "2005-03", 1)]), source="a", partner="p", now=dt.datetime(2005, 1, 1))


def test_loads_are_recorded_with_counts(store: Store) -> None:
    store.load(frame([("x", "borough", "2005-03", 1)]), source="p/s", partner="p", file="f.csv", checksum="abc", now=T0)
    store.load(frame([("x", "borough", "2005-03", 2), ("x", "borough", "2005-04", 3)]), source="p/s", partner="p", now=T2)
    loads = store.loads()
    assert loads[["n_new", "n_revised", "n_unchanged"]].values.tolist() == [[1, 0, 0], [1, 1, 0]]
    assert loads["checksum"].iloc[0] == "abc"
    assert store.last_loaded_at() == T2.isoformat(timespec="microseconds")
