"""The reporting calendar and due times, in local wall-clock time across clock changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sched_helpers import utc

from reportgen.periods import Period
from reportgen.schedule.calendar import is_working_day, nth_working_day_after, working_day_due
from reportgen.schedule.config import Job
from reportgen.schedule.timing import WallClockTrigger, due_between, iter_due, wall_to_instant

LONDON = ZoneInfo("Europe/London")


def job(**when: object) -> Job:
    return Job.model_validate({"id": "j", "report": "board-pack", "when": when, "timezone": "Europe/London"})


def test_bank_holidays_are_not_working_days() -> None:
    # Easter 2005: Good Friday 25 March, Easter Monday 28 March (England and Wales).
    assert not is_working_day(dt.date(2005, 3, 25)) and not is_working_day(dt.date(2005, 3, 28))
    assert nth_working_day_after(dt.date(2005, 3, 24), 1) == dt.date(2005, 3, 29)
    # New Year's Day 2005 fell on a Saturday, so Monday 3 January was the bank holiday.
    assert working_day_due(Period.parse("2004-12"), 5) == dt.date(2005, 1, 10)
    assert working_day_due(Period.parse("2005-02"), 5) == dt.date(2005, 3, 7)
    # The quarter January-March 2005 closes on Thursday 31 March; 10th working day is 14 April.
    assert working_day_due(Period.parse("2005-Q1"), 10) == dt.date(2005, 4, 14)


def test_wall_clock_to_instant_in_gap_and_overlap() -> None:
    # 26 Oct 2025: 01:30 happens twice; the first (BST) is the one.
    assert wall_to_instant(dt.datetime(2025, 10, 26, 1, 30), LONDON) == utc(2025, 10, 26, 0, 30)
    # 30 Mar 2025: 01:30 does not exist; it is due as the clocks jump at 01:00 GMT (02:00 BST).
    assert wall_to_instant(dt.datetime(2025, 3, 30, 1, 30), LONDON) == utc(2025, 3, 30, 1, 0)
    assert wall_to_instant(dt.datetime(2025, 7, 1, 7, 0), LONDON) == utc(2025, 7, 1, 6, 0)


def test_daily_cron_fires_once_per_local_day_across_both_changes() -> None:
    for start in (utc(2025, 10, 24, 12), utc(2025, 3, 28, 12)):
        fires = [d.at for d, _ in zip(iter_due(job(cron="30 1 * * *"), start), range(4), strict=False)]
        local_days = [f.astimezone(LONDON).date() for f in fires]
        assert len(set(local_days)) == 4, fires  # one per day, none repeated in the extra hour
    october = [d.at for d, _ in zip(iter_due(job(cron="30 1 * * *"), utc(2025, 10, 25, 12)), range(2),
                                    strict=False)]
    assert october == [utc(2025, 10, 26, 0, 30), utc(2025, 10, 27, 1, 30)]
    seven = [d.at for d, _ in zip(iter_due(job(cron="0 7 * * *"), utc(2025, 3, 29, 8)), range(2), strict=False)]
    assert [f.astimezone(LONDON).strftime("%H:%M %Z") for f in seven] == ["07:00 BST", "07:00 BST"]
    assert seven[0] == utc(2025, 3, 30, 6, 0)


def test_working_day_rule_reports_the_period_that_closed() -> None:
    dues = due_between(job(working_day=5, at="07:00"), utc(2025, 9, 1), utc(2025, 12, 31))
    assert [(d.period.key, d.at) for d in dues] == [
        ("2025-08", utc(2025, 9, 5, 6)),  # 07:00 BST
        ("2025-09", utc(2025, 10, 7, 6)),
        ("2025-10", utc(2025, 11, 7, 7)),  # 07:00 GMT after the October change
        ("2025-11", utc(2025, 12, 5, 7)),
    ]


def test_daily_cron_is_due_once_per_period() -> None:
    dues = due_between(job(cron="0 6 * * *"), utc(2025, 10, 15), utc(2025, 12, 3))
    # The first firing in the window reports September (the last month closed on 15 October);
    # then each month is due at its first 06:00 after it closed, and only then.
    assert [d.period.key for d in dues] == ["2025-09", "2025-10", "2025-11"]
    assert dues[0].at == utc(2025, 10, 15, 5)  # 06:00 BST
    assert dues[1].at == utc(2025, 11, 1, 6) and dues[2].at == utc(2025, 12, 1, 6)


def test_trigger_survives_pickling_and_matches_iter_due() -> None:
    import pickle

    j = job(working_day=5, at="07:00")
    trigger = pickle.loads(pickle.dumps(WallClockTrigger(j)))
    first = trigger.get_next_fire_time(None, utc(2025, 11, 1))
    assert first == utc(2025, 11, 7, 7)
    assert trigger.get_next_fire_time(first, first + dt.timedelta(seconds=1)) == utc(2025, 12, 5, 7)
