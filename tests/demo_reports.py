"""The demo partnership pulled into a real SQLite store, for tests that render real reports."""

from __future__ import annotations

from pathlib import Path

from sharedkit import copy_of, shared

from reportgen.config import load_config
from reportgen.pull import pull
from reportgen.store import Store

DEMO = Path(__file__).resolve().parents[1] / "data_sources"

# The 2005-2008 strategy's "Where are we now" table: the 2002-05 priorities, 2001/02 against
# 2004/05, as published (the demo data are built to reproduce it).
PUBLISHED_THEN_AND_NOW = [
    ("House Burglary", "2,916", "2,176", "Down 25%"),
    ("Vehicle Crime", "6,987", "4,664", "Down 33%"),
    ("Anti-Social Behaviour", "22,953", "22,431", "Down 2%"),
    ("Domestic Violence", "4,306", "4,888", "Up 14%"),
    ("Drug and Alcohol Misuse (people in treatment)", "558", "1,500", "Up 169%"),
    ("Town Centre Safety", "2,065", "1,959", "Down 5%"),
    ("Incidents on Public Transport", "339", "294", "Down 13%"),
    ("Hate Crime", "210", "198", "Down 6%"),
]


def demo_store(folder: Path) -> str:
    """A store in ``folder`` holding every demo source, as a fresh pull leaves it; returns its URL.

    The demo is pulled once per test session (tests/sharedkit.py) and copied here, so the
    caller may write to its store as it likes."""
    pulled = shared("demo-pulled", pull_demo) / "demo.sqlite"
    return f"sqlite:///{copy_of(pulled, folder / 'demo.sqlite')}"


def pull_demo(folder: Path) -> str:
    """Pull every demo source into a new store in ``folder``; returns its URL."""
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    config = load_config(DEMO)
    store = Store(url, partnership=config.partnership.id)
    _, failures = pull(config, store)
    store.dispose()
    assert not failures, failures
    return url


def plain(text: str) -> str:
    """Text as a reader sees it: no-break spaces are spaces."""
    return " ".join(text.replace("\u00a0", " ").split())
