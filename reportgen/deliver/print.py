"""The print folder: leaflet variants and posters gathered per quarter for comms staff.

``[print] path``/<period>/ holds every print-ready PDF of that period, named
``<job>-v<N>-<file>``, and a CONTENTS.txt listing them. Files are added, never replaced.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reportgen.deliver.base import Channel, Outcome, Parcel
from reportgen.deliver.config import Delivery
from reportgen.deliver.fsops import copy_new
from reportgen.errors import DeliveryError


class PrintChannel(Channel):
    name = "print"

    def deliver(self, parcel: Parcel, spec: Delivery) -> Outcome:  # noqa: ARG002 (Channel interface; no per-delivery options)
        folder = Path(self.settings.print.path) / parcel.safe_period
        pdfs = [p for p in parcel.files if p.suffix.lower() == ".pdf"]
        if not pdfs:
            raise DeliveryError(f"{parcel.job} {parcel.period}: no PDF to send to print")
        added = [
            dest.name
            for src in pdfs
            if copy_new(src, dest := folder / f"{parcel.job}-v{parcel.version}-{src.name}")
        ]
        _write_contents(folder, parcel.period_label)
        return Outcome("printed", str(folder), f"{len(added)} new file(s)" if added else "already there")


def _write_contents(folder: Path, label: str) -> None:
    names = sorted(p.name for p in folder.glob("*.pdf"))
    text = f"Print-ready documents for {label}\n\n" + "".join(f"{n}\n" for n in names)
    fd, tmp = tempfile.mkstemp(prefix=".CONTENTS.", dir=folder)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, folder / "CONTENTS.txt")
