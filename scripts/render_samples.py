"""Render the demo board pack in every variant and format so people can look at it.

    python scripts/render_samples.py [OUTPUT_DIR]      # default: outputs/samples

Then, for example: pdftoppm -png -r 60 outputs/samples/standard.pdf /tmp/page
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportgen.render import get_renderer  # noqa: E402
from reportgen.render.sample import sample_document  # noqa: E402


def main(out: Path) -> None:
    standard = sample_document("standard")
    summary = standard.sections[0]
    documents = {
        "standard": standard,
        "large-print": sample_document("large-print"),
        "web": sample_document("web"),
        # A poster carries headlines and contacts only: it must fit one A4 page.
        "poster": dataclasses.replace(
            standard,
            variant="poster",
            toc=False,
            sections=(dataclasses.replace(summary, blocks=summary.blocks[:2]), standard.sections[-1]),
        ),
        "long": sample_document("standard", repeat=9),
    }
    for label, doc in documents.items():
        for fmt in ("pdf", "docx", "html"):
            start = time.perf_counter()
            path = get_renderer(fmt).render(doc, out / f"{label}.{fmt}")
            print(f"{path}  {time.perf_counter() - start:.2f}s")  # noqa: T201


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("outputs/samples"))
