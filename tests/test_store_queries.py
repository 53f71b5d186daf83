"""The store's questions for returns and readiness, on SQLite and PostgreSQL (``db_url``).

Ingest asks whether a file was loaded before, the scheduler's readiness check which partners
have sent data reaching a period, and the returns status what arrived of each observation and
when. Every expected value is worked by hand from the rows loaded here, and another
partnership's rows in the same database never count.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reportgen.periods import Period
from reportgen.store import Receipt, Store

UTC = dt.UTC
T1 = dt.datetime(2005, 4, 5, 9, tzinfo=UTC)
T2 = dt.datetime(2005, 4, 20, 9, tzinfo=UTC)
T3 = dt.datetime(2005, 5, 2, 9, tzinfo=UTC)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def frame(rows: list[tuple[str, str, str, float]], received: list[str | None] | None = None) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["indicator", "area", "period", "value"])
    if received is not None:
        out["received_at"] = received
    return out


@pytest.fixture
def stores(db_url: str):  # type: ignore[no-untyped-def]
    """North's store, and south's in the same database (its rows must never count for north)."""
    north = Store(db_url, partnership="north-csp")
    south = Store(db_url, partnership="south-csp")
    yield north, south
    north.dispose()
    south.dispose()


def test_first_load_of_file_is_the_earliest_load_of_that_checksum_from_that_source(stores) -> None:  # type: ignore[no-untyped-def]
    north, south = stores
    one = frame([("burglary", "borough", "2005-03", 180.0)])
    assert north.first_load_of_file("returns/police", "abc") is None
    north.load(one, source="returns/police", partner="police", checksum="abc", now=T1)
    north.load(one, source="returns/police", partner="police", checksum="abc", now=T2)
    north.load(one, source="returns/council", partner="council", checksum="def", now=T3)
    south.load(one, source="returns/police", partner="police", checksum="xyz", now=T1)
    assert north.first_load_of_file("returns/police", "abc") == iso(T1)
    assert north.first_load_of_file("returns/council", "def") == iso(T3)
    # the same checksum from another partner, or in another partnership, is not this file
    assert north.first_load_of_file("returns/council", "abc") is None
    assert north.first_load_of_file("returns/police", "xyz") is None
    assert south.first_load_of_file("returns/police", "abc") is None


def test_partners_with_data_until_a_period_end(stores) -> None:  # type: ignore[no-untyped-def]
    north, south = stores
    north.load(frame([("burglary", "borough", "2005-03", 180.0)]), source="returns/police", partner="police", now=T1)
    north.load(frame([("asb", "borough", "2005-02", 90.0)]), source="returns/council", partner="council", now=T1)
    # the financial year 2004/05 ends with March, so it reaches March
    north.load(frame([("treated", "borough", "2004/05", 400.0)]), source="returns/dat", partner="dat", now=T1)
    south.load(frame([("asb", "borough", "2005-04", 1.0)]), source="returns/fire", partner="fire", now=T1)
    assert north.partners_with_data_until(Period.parse("2005-03").end) == {"police", "dat"}
    assert north.partners_with_data_until(Period.parse("2005-02").end) == {"police", "council", "dat"}
    assert north.partners_with_data_until(Period.parse("2005-04").end) == set()
    assert south.partners_with_data_until(Period.parse("2005-04").end) == {"fire"}


def test_receipts_count_versions_and_keep_the_first_received_time(stores) -> None:  # type: ignore[no-untyped-def]
    north, south = stores
    # March sent on 4 April (loaded 5 April); north area sent with no date of its own
    north.load(
        frame(
            [("burglary", "borough", "2005-03", 180.0), ("burglary", "north", "2005-03", 70.0)],
            ["2005-04-04T12:00:00+00:00", None],
        ),
        source="s",
        partner="police",
        now=T1,
    )
    # a correction of the borough figure, sent 18 April and loaded 20 April; the same north value again
    north.load(
        frame(
            [("burglary", "borough", "2005-03", 182.0), ("burglary", "north", "2005-03", 70.0)],
            ["2005-04-18T08:00:00+00:00", None],
        ),
        source="s",
        partner="police",
        now=T2,
    )
    north.load(frame([("asb", "borough", "2005-03", 95.0)]), source="s", partner="council", now=T3)
    south.load(frame([("burglary", "borough", "2005-03", 1.0)]), source="s", partner="police", now=T3)
    got = north.receipts(["burglary"], ["2005-03", "2005-04"])
    assert got == {
        ("burglary", "borough", "2005-03"): Receipt(
            first="2005-04-04T12:00:00.000000+00:00", last="2005-04-18T08:00:00.000000+00:00",
            last_loaded=iso(T2), versions=2,
        ),
        # unchanged when sent again: still one version, received when first loaded
        ("burglary", "north", "2005-03"): Receipt(first=iso(T1), last=iso(T1), last_loaded=iso(T1), versions=1),
    }  # fmt: skip
    # replaying 10 April: the correction had not been sent yet
    by_10_april = north.receipts(["burglary", "asb"], ["2005-03"], received_by=dt.datetime(2005, 4, 10, tzinfo=UTC))
    assert by_10_april == {
        ("burglary", "borough", "2005-03"): Receipt(
            first="2005-04-04T12:00:00.000000+00:00", last="2005-04-04T12:00:00.000000+00:00",
            last_loaded=iso(T1), versions=1,
        ),
        ("burglary", "north", "2005-03"): Receipt(first=iso(T1), last=iso(T1), last_loaded=iso(T1), versions=1),
    }  # fmt: skip
    assert set(north.receipts(["asb"], ["2005-03"])) == {("asb", "borough", "2005-03")}
    assert north.receipts([], ["2005-03"]) == {} and north.receipts(["asb"], []) == {}
