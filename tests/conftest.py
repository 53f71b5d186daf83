"""Shared fixtures: where the repo and the shared data are, a small config, and the sample
board pack rendered once per session in each format."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from reportgen.document import Document
from reportgen.render import get_renderer
from reportgen.render.sample import sample_document

REPO = Path(__file__).resolve().parents[1]

# Lets test modules import the helpers that sit beside them (pdf_reading.py).
sys.path.insert(0, str(Path(__file__).parent))

import sharedkit  # noqa: E402
from pg import pg_cluster, pg_url  # noqa: E402,F401  (fixtures: a throwaway PostgreSQL)

# Library code must not depend on the machine's locale or time zone.
os.environ.setdefault("TZ", "Europe/London")
# Return templates are signed with the deployment's key; tests share one so a template made in
# one folder is honoured when ingested from another (tests/test_hostile_input.py checks the key file).
os.environ.setdefault("REPORTGEN_SIGNING_KEY", "reportgen-tests")


@pytest.fixture(scope="session", autouse=True)
def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where tests/sharedkit.py keeps what every module and worker shares: beside the workers'
    own temporary folders (xdist gives each worker ``<basetemp>/popen-gwN``)."""
    base = tmp_path_factory.getbasetemp()
    sharedkit.ROOT[:] = [(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--dist loadgroup`` (pyproject's addopts), the tests of a module that share a
    module-scoped fixture (a demo run, a store) go to one worker, so the fixture is built once
    instead of once per worker; every other test is handed to whichever worker is free.
    (Runs before xdist's own hook, which reads the marks.)"""
    # (a worker's own "dist" option is "no"; xdist tells it the controller's choice as "loadgroup")
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None or any(item.iter_markers("xdist_group")):
            continue
        if any(defs[-1].scope in ("module", "class") for defs in info.name2fixturedefs.values() if defs):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for a store or ledger: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public acceptance data shipped beside the repo (../shared/acceptance-data)."""
    # A worktree lives one level deeper (/work/wt/NAME) than the main checkout (/work/main).
    candidates = [REPO.parent / "shared" / "acceptance-data", REPO.parents[1] / "shared" / "acceptance-data"]
    for path in candidates:
        if path.is_dir():
            return path
    pytest.skip(f"acceptance data not found at {candidates[0]}")


SMALL_PARTNERSHIP = """
name = "Testborough Community Safety Partnership"
notice = "Test data"
contact = { name = "Community Safety Team", phone = "01234 567890", email = "csp@example.org" }

borough = { id = "borough", name = "Testborough", population = 100000 }
neighbourhoods = [
  { id = "north", name = "North", population = 40000, priority = true, lsoas = ["E01000001"] },
  { id = "south", name = "South", population = 60000, lsoas = ["E01000002"] },
]
comparators = [{ id = "region", name = "The Region", population = 1000000 }]
"""

SMALL_POLICE = """
id = "police"
name = "Testshire Police"

[[sources]]
id = "returns"
type = "csv"
path = "data/police.csv"

[[indicators]]
id = "burglary"
title = "Domestic burglary"
public_title = "Break-ins to homes"
unit = "count"
polarity = "lower_is_better"
source = "returns"
small_number_threshold = 5

[[indicators]]
id = "asb"
title = "Anti-social behaviour incidents"
unit = "count"
polarity = "lower_is_better"
source = "returns"
"""

SMALL_STRATEGY = """
id = "2005-08"
title = "Test strategy 2005-08"
baseline_period = "2003/04"
target_period = "2007/08"

[[targets]]
id = "crime"
number = 1
title = "Reduce burglary by 20%"
rule = "single"
measures = [{ indicator = "burglary", change_pct = -20 }]
"""


def write_small_config(root: Path, police_csv: str | None = None) -> Path:
    """A two-neighbourhood partnership with one partner and one strategy, in ``root``."""
    (root / "partners").mkdir(parents=True, exist_ok=True)
    (root / "strategies").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "partnership.toml").write_text(SMALL_PARTNERSHIP)
    (root / "partners" / "police.toml").write_text(SMALL_POLICE)
    (root / "strategies" / "2005-08.toml").write_text(SMALL_STRATEGY)
    if police_csv is None:
        police_csv = "indicator,area,period,value\n" + "".join(
            f"burglary,{area},2005-{m:02d},{n}\n" for area, n in (("north", 12), ("south", 20), ("borough", 32))
            for m in (1, 2, 3)
        )
    (root / "data" / "police.csv").write_text(police_csv)
    return root


@pytest.fixture
def small_config(tmp_path: Path) -> Path:
    return write_small_config(tmp_path / "config")


@pytest.fixture(scope="session")
def sample() -> Document:
    return sample_document("standard")


@pytest.fixture(scope="session")
def large_sample() -> Document:
    return sample_document("large-print")


def _rendered(name: str, document: Document, stem: str, formats: tuple[str, ...]) -> dict[str, Path]:
    """``document`` in each of ``formats``, rendered once per test session for every worker (read-only)."""

    def build(out: Path) -> None:
        made = {fmt: get_renderer(fmt).render(document, out / f"{stem}.{fmt}").name for fmt in formats}
        (out / "index.json").write_text(json.dumps(made))

    folder = sharedkit.shared(name, build)
    return {fmt: folder / file for fmt, file in json.loads((folder / "index.json").read_text()).items()}


@pytest.fixture(scope="session")
def rendered(sample: Document) -> dict[str, Path]:
    return _rendered("sample-rendered", sample, "sample", ("pdf", "docx", "html"))


@pytest.fixture(scope="session")
def rendered_large(large_sample: Document) -> dict[str, Path]:
    return _rendered("sample-rendered-large", large_sample, "large", ("pdf", "docx"))


# --- the suite leaves the checkout as it found it ---------------------------------------------
def _tree_state() -> str | None:
    """`git status` of the checkout (tracked changes and untracked, unignored files), or None
    outside a git checkout."""
    import subprocess

    try:
        done = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the xdist controller (or a plain run) only
        session.config.stash[_TREE_KEY] = _tree_state()


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Tests write into tmp_path; one that rewrites a tracked file (a catalog, a config) or
    # leaves a stray file in the checkout fails the run here, naming what changed.
    if hasattr(session.config, "workerinput"):
        return
    # A test that wrote into a shared artefact (tests/sharedkit.py) would make others flaky.
    sharedkit.ROOT[:] = [session.config._tmp_path_factory.getbasetemp() / "shared"]
    written = sharedkit.check_unchanged()
    if written:
        sys.stderr.write("\nTests changed shared artefacts (copy them first):\n" + "\n".join(written) + "\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    before = session.config.stash.get(_TREE_KEY, None)
    after = _tree_state()
    if before is None or after is None or after == before:
        return
    changed = sorted(set(after.splitlines()) - set(before.splitlines()))
    if changed:
        sys.stderr.write("\nThe tests changed the checkout:\n" + "\n".join(changed) + "\n")
        # Enforced in CI (a clean clone nobody edits during the run); on a developer's machine
        # the change may be the developer's own editing while the tests ran, so it only warns.
        if os.environ.get("CI") or os.environ.get("REPORTGEN_CHECK_TREE"):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


_TREE_KEY = pytest.StashKey[str | None]()
