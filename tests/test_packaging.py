"""An installed wheel (not this checkout) carries what rendering needs: templates, stylesheets
and the translation catalogs; and the store's migrations."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RENDER = """
import sys
from pathlib import Path
import reportgen
from reportgen.render import get_renderer
from reportgen.render.sample import sample_document
from reportgen.i18n import use_language
assert Path(reportgen.__file__).is_relative_to(Path(sys.argv[1])), reportgen.__file__
doc = sample_document()
for fmt in ("pdf", "docx", "html"):
    get_renderer(fmt).render(doc, Path(sys.argv[2]) / ("out." + fmt))
from reportgen.migrations import upgrade
assert upgrade("sqlite:///" + str(Path(sys.argv[2]) / "store.sqlite")).current  # migrations ship too
with use_language("pl"):
    from reportgen.i18n import _
    print(_("Your quarterly update on crime"))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of what the build reads, so no stale build/ folder in the checkout can hide a
    # file the package data no longer lists.
    source = out / "source"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("reportgen", "templates"):
        shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=skip)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    # No build isolation: the test machine has no index to fetch setuptools from.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True, capture_output=True, cwd=out,
    )
    (path,) = out.glob("reportgen-*.whl")
    return path


def test_wheel_carries_templates_stylesheets_and_catalogs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in [*ROOT.joinpath("templates").rglob("*.j2"), *ROOT.joinpath("templates").rglob("*.css")]:
        assert f"reportgen/templates/{source.relative_to(ROOT / 'templates').as_posix()}" in names, source.name
    assert any(n.startswith("reportgen/locale/pl/") and n.endswith(".po") for n in names)
    for source in ROOT.joinpath("reportgen", "store_migrations").rglob("*.py"):
        assert source.relative_to(ROOT).as_posix() in names, source.name


def test_installed_wheel_renders_every_format_away_from_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    work = tmp_path / "elsewhere"
    work.mkdir()
    done = subprocess.run([sys.executable, "-c", RENDER, str(target), str(work)], cwd=work, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (work / "out.pdf").read_bytes().startswith(b"%PDF-")
    assert (work / "out.docx").stat().st_size > 0 and "<style" in (work / "out.html").read_text()
    assert done.stdout.strip() and done.stdout.strip() != "Your quarterly update on crime"
