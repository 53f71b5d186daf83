"""The store's tables are the store's business: outside reportgen/store.py and its schema
migrations no module names them in SQL or imports their Table objects (issue 13.3). Readiness,
returns status and ingest ask the store's methods instead (tests/test_store_queries.py)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# the store itself, and the migrations that create and upgrade its schema
OWNERS = {"reportgen/store.py", "reportgen/migrations.py"}
OWNER_FOLDERS = ("reportgen/store_migrations/",)
# SQL keywords in capitals, as the code writes them (prose says "read into observations")
SQL = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(?:observations|loads)\b")
TABLES = re.compile(r"from reportgen\.store import [^\n]*\b(?:observations|loads|metadata)\b")


def test_only_the_store_names_its_tables() -> None:
    found = []
    for path in sorted((REPO / "reportgen").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel in OWNERS or rel.startswith(OWNER_FOLDERS):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if SQL.search(line) or TABLES.search(line):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "the store's tables used outside the store:\n" + "\n".join(found)


def test_the_check_sees_what_it_looks_for() -> None:
    # the patterns of the test above, on the lines that readiness, status and ingest held before
    before = [
        '"SELECT DISTINCT l.partner FROM observations o JOIN loads l ON l.id = o.load_id "',
        'f"SELECT indicator, area, period, loaded_at, {RECEIVED} AS received FROM observations "',
        "from reportgen.store import LoadSummary, Store, loads",
    ]
    assert all(SQL.search(line) or TABLES.search(line) for line in before)
    assert not SQL.search("each reads one kind of partner data into observations")
