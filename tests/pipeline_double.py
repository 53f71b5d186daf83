"""A test double for the document pipeline (``reportgen.pipeline.generate``), which is built
on another branch. It writes real, small files (a PDF, a Word document, an HTML page) so the
scheduler and delivery channels handle real bytes. Not used once the real pipeline is merged
except where a test needs a pipeline that blocks, fails or counts its calls.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.errors import RenderError
from reportgen.periods import Period


@dataclass
class DoubleResult:
    report: str
    period: str
    files: list[Path]
    manifest: Path
    headline: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


def tiny_pdf(path: Path, lines: list[str]) -> None:
    """A valid one-page PDF with the given lines of text (Helvetica), offsets computed."""
    text = "BT /F1 12 Tf 72 770 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
    ) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def tiny_docx(path: Path, lines: list[str]) -> None:
    from docx import Document

    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))


def make_generate(
    calls: list[tuple[str, str, int | None]] | None = None,
    *,
    fail: int = 0,
    before_return: Callable[[Path], None] | None = None,
    calls_file: Path | None = None,
) -> Callable[..., DoubleResult]:
    """A generate() that records each call, fails the first ``fail`` times with a RenderError,
    and calls ``before_return(out_dir)`` after writing its files (to block or stop)."""
    lock = threading.Lock()
    failures = [fail]

    def generate(
        report: str,
        period: Period,
        *,
        config_dir: Path,  # noqa: ARG001 (generate()'s signature: the service passes it)
        store_url: str | None,  # noqa: ARG001 (as config_dir)
        out_dir: Path = Path("outputs"),
        variant: dict[str, Any] | None = None,
        version: int | None = None,
    ) -> DoubleResult:
        with lock:
            if calls is not None:
                calls.append((report, period.key, version))
            if calls_file is not None:
                with open(calls_file, "a") as fh:
                    fh.write(f"{os.getpid()} {report} {period.key} {version}\n")
            if failures[0] > 0:
                failures[0] -= 1
                raise RenderError(f"{report} {period.key}: the test pipeline was told to fail")
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        suffix = "".join(f"-{k if v is True else v}" for k, v in (variant or {}).items())
        stem = f"{report}{suffix}-{period.key.replace('/', '-')}" + (f"-v{version}" if version and version > 1 else "")
        lines = [f"{report} {period.label}", f"version {version or 1}"]
        files = [out_dir / f"{stem}.pdf", out_dir / f"{stem}.docx", out_dir / f"{stem}.html"]
        tiny_pdf(files[0], lines)
        tiny_docx(files[1], lines)
        files[2].write_text(f"<!doctype html><title>{lines[0]}</title><h1>{lines[0]}</h1>\n")
        manifest = out_dir / f"{stem}.manifest.json"
        manifest.write_text(json.dumps({"report": report, "period": period.key, "files": [f.name for f in files]}))
        if before_return is not None:
            before_return(out_dir)
        return DoubleResult(
            report=report,
            period=period.key,
            files=files,
            manifest=manifest,
            headline=[f"Crime is down 13% on {period.label} last year"],
            exceptions=["Burglary is red: 20% above trajectory"],
        )

    return generate
