"""The glitch check on the Hartlepool example (real police.uk data, a partnership with no
phone number in its contact block): its board pack and leaflets read without template slips."""

from __future__ import annotations

from pathlib import Path

import hartlepool_kit
import pytest
from returns_fixtures import REPO

from reportgen.pipeline import Session, generate
from reportgen.reports.glitches import check_document, check_folder

pytestmark = pytest.mark.slow
EXAMPLE = REPO / "examples" / "hartlepool"


@pytest.fixture(scope="module")
def hartlepool(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("hartlepool")
    url = hartlepool_kit.pull(EXAMPLE, folder / "store.sqlite")  # pulled once per session, copied
    session = Session(EXAMPLE, url)
    out = folder / "outputs"
    try:
        runs = [generate("board-pack", "2023-03", out_dir=out / "board", session=session)]
        for n, variant in enumerate(({}, {"each_area": True}, {"large_print": True}, {"poster": True})):
            runs.append(generate("leaflet", "2023-Q1", out_dir=out / f"leaflet-{n}", session=session, variant=variant))
    finally:
        session.close()
    return {"out": out, "runs": runs}


def test_hartlepool_documents_have_no_glitches(hartlepool) -> None:
    out: Path = hartlepool["out"]  # type: ignore[assignment]
    pdfs = list(out.rglob("*.pdf"))
    assert len(pdfs) >= 15  # the board pack, the leaflet, every neighbourhood, large print, poster
    found = check_folder(out)
    assert not found, "\n".join(map(str, found[:30]))


def test_hartlepool_counts_agree_with_their_lists(hartlepool) -> None:
    found = []
    for run in hartlepool["runs"]:  # type: ignore[union-attr]
        for stem, doc in run.documents:
            found += check_document(doc, stem)
    assert not found, found
