"""Are the partners' returns in for a period? Used to hold a run until data arrive.

A partner's return is "in" for a period when the store has any observation from one of its
loads that reaches the period's last month. Only partners reporting at the period's
frequency or more often are expected (a quarterly return is not awaited for a monthly pack).
"""

from __future__ import annotations

from reportgen.config import load_config
from reportgen.periods import Period
from reportgen.schedule.config import Job, Schedules
from reportgen.store import Store


def expected_partners(schedules: Schedules, job: Job, period: Period) -> dict[str, str]:
    """Partner id -> name of the partners whose returns ``job`` waits for."""
    config = load_config(schedules.config_dir)
    out = {}
    for partner in config.partners:
        if job.readiness.partners:
            if partner.id in job.readiness.partners:
                out[partner.id] = partner.name
            continue
        months = {Period.of_kind_at(i.frequency.period_kind, period.end).n_months for i in partner.indicators}
        if any(m <= period.n_months for m in months):
            out[partner.id] = partner.name
    return out


def missing_returns(schedules: Schedules, job: Job, period: Period) -> list[str]:
    """Names of the expected partners with no data yet reaching the end of ``period``."""
    expected = expected_partners(schedules, job, period)
    if not expected:
        return []
    # the service may create the store (nothing has arrived then); a manual run has checked it
    store = Store(schedules.store, partnership=schedules.partnership)
    try:
        arrived = store.partners_with_data_until(period.end)
    finally:
        store.dispose()
    return [name for pid, name in expected.items() if pid not in arrived]
