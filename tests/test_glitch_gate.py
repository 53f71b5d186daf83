"""`reportgen run` reads back every file it writes: a template glitch is one line on stderr, an
entry in manifest.json and a non-zero exit; the files stay where they were written; a run that
sends what it makes (scheduled, --deliver) fails before sending.

A real glitch, made the way one reaches a real document: a line of the partnership's config
that the web page prints ("To report a crime, call the police on ."), rendered by the real
pipeline into HTML and read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_reports import DEMO, demo_store

from reportgen.cli import cli
from reportgen.glitch_gate import GlitchError
from reportgen.periods import Period
from reportgen.schedule.jobs import generate as scheduled_generate

pytestmark = pytest.mark.slow

BROKEN = "To report a crime or incident that is not an emergency, call the police on ."


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(the demo config, a copy whose crime-reporting line lost its number, the store URL)."""
    folder = tmp_path_factory.mktemp("gate")
    url = demo_store(folder)
    broken = folder / "config"
    shutil.copytree(DEMO, broken, ignore=shutil.ignore_patterns("data"))
    toml = broken / "partnership.toml"
    text = toml.read_text(encoding="utf-8")
    good = "To report a crime or incident that is not an emergency, call the police on 101."
    assert good in text
    toml.write_text(text.replace(good, BROKEN), encoding="utf-8")
    return DEMO, broken, url


def _run(config: Path, url: str, out: Path):  # noqa: ANN202 - click's Result
    args = ["run", "web", "--period", "2005-03", "--config", str(config), "--store", url, "--out", str(out)]
    return CliRunner().invoke(cli, args)


def test_a_clean_run_exits_zero_and_records_no_glitches(stores, tmp_path: Path) -> None:  # noqa: ANN001
    demo, _, url = stores
    result = _run(demo, url, tmp_path)
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "web" / "2005-03" / "manifest.json").read_text())
    assert "glitches" not in manifest and manifest["timings"]["glitch_check"] >= 0
    assert "glitch" not in result.output


def test_a_glitch_is_said_recorded_and_fails_the_run(stores, tmp_path: Path) -> None:  # noqa: ANN001
    _, broken, url = stores
    result = _run(broken, url, tmp_path)
    assert result.exit_code == 1, result.output
    # one line per glitch: the file, the rule, the text ("on ." is both a value missing and a space
    # before a full stop)
    lines = [line.strip() for line in result.output.splitlines() if line.strip().startswith("glitch:")]
    assert len(lines) == 2, result.output
    assert all(line.startswith("glitch: index.html: ") and "call the police on ." in line for line in lines)
    assert {"ends where a value should be", "space before a full stop"} == {line.split(": ")[2] for line in lines}
    assert "2 template glitches in the documents written to" in result.output and "not sent" in result.output
    # the page stays where it was written, for the officer to look at, and the manifest says why
    page = tmp_path / "web" / "2005-03" / "index.html"
    assert page.exists() and "call the police on ." in page.read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "web" / "2005-03" / "manifest.json").read_text())
    assert len(manifest["glitches"]) == 2
    for entry in manifest["glitches"]:
        assert entry["file"] == "index.html" and "police on ." in entry["text"]


def test_a_run_that_sends_fails_before_sending(stores, tmp_path: Path) -> None:  # noqa: ANN001
    """The scheduler's and --deliver's one way to the pipeline raises, so nothing is delivered and the
    run is recorded failed (and alerted) like any other failure."""
    _, broken, url = stores
    with pytest.raises(GlitchError, match="police on ."):
        scheduled_generate("web", Period.parse("2005-03"), config_dir=broken, store_url=url, out_dir=tmp_path)
    assert (tmp_path / "web" / "2005-03" / "index.html").exists()


def test_a_glitch_fails_that_partnership_in_a_many_partnership_job(stores, tmp_path: Path) -> None:  # noqa: ANN001
    """`run --partnerships` and `serve`'s jobs over a deployment go through generate_many: a
    glitched document is that partnership's failure there too, named in its one-line reason."""
    from reportgen.many import generate_many

    _, broken, url = stores
    deployment = tmp_path / "deployment"
    deployment.mkdir()
    shutil.copytree(broken, deployment / "demo")
    result = generate_many(
        "web",
        Period.month(2005, 3),
        deployment=deployment,
        store_url=url,
        out_dir=tmp_path / "out",
        executor="local://1",
    )
    [outcome] = result.outcomes
    assert outcome.status == "failed" and result.failed == [outcome]
    assert outcome.error is not None and outcome.error.startswith("2 template glitches: index.html: ")
    assert "call the police on ." in outcome.error
    assert any(path.name == "index.html" for path in outcome.files), "the page stays for the officer"
