"""Email: the documents attached, the headline figures and exceptions in the body.

Every message goes through the outbox (a .eml file), so a server that is down or refuses
loses nothing: the message waits and is sent on a later sweep.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from reportgen.deliver.base import Channel, Outcome, Parcel
from reportgen.deliver.config import Delivery, Smtp
from reportgen.deliver.outbox import Outbox


def compose(parcel: Parcel, spec: Delivery, smtp: Smtp) -> EmailMessage:
    """The message for ``parcel``: attachments within the size limit, links for the rest."""
    msg = EmailMessage()
    subject = spec.subject or parcel.title
    msg["Subject"] = f"DRAFT for approval: {subject}" if parcel.draft else subject
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(spec.to)
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or "localhost")
    msg["X-Reportgen-Run"] = f"{parcel.job} {parcel.period} v{parcel.version}"

    limit = int(smtp.max_attachment_mb * 1024 * 1024)
    attach: list[Path] = []
    linked: list[Path] = []
    for path in parcel.files:
        if path.suffix.lower() not in spec.attach:
            continue
        (attach if path.stat().st_size <= limit else linked).append(path)
    msg.set_content(_body(parcel, attach, linked, smtp))
    for path in attach:
        ctype, _ = mimetypes.guess_type(path.name)
        maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def _body(parcel: Parcel, attach: list[Path], linked: list[Path], smtp: Smtp) -> str:
    lines = [parcel.title, ""]
    if parcel.draft:
        lines += [
            "This is a draft for approval. Nothing has been published or sent to print.",
            f"To release it: reportgen approve {parcel.report} {parcel.period}",
            "",
        ]
    if parcel.headline:
        lines += ["Headlines:", *(f"  - {h}" for h in parcel.headline), ""]
    if parcel.exceptions:
        lines += ["Exceptions:", *(f"  - {e}" for e in parcel.exceptions), ""]
    if parcel.gaps:
        lines += [
            "Returns still missing when this was produced (shown as gaps): " + ", ".join(parcel.gaps),
            "",
        ]
    if parcel.note:
        lines += ["What changed in this version:", f"  {parcel.note}", ""]
    if attach:
        lines += ["Attached: " + ", ".join(p.name for p in attach)]
    for path in linked:
        where = f"{smtp.link_base.rstrip('/')}/{path.name}" if smtp.link_base else str(path.resolve())
        size = path.stat().st_size / (1024 * 1024)
        lines += [f"Too large to attach ({size:.1f} MB): {where}"]
    lines += ["", "Sent by reportgen."]
    return "\n".join(lines) + "\n"


class EmailChannel(Channel):
    """Email as a plain channel (one message, tried once). The service does not use it: its
    emails go through the delivery queue (``reportgen.deliver.queue``), which keeps each
    message's state and retries."""

    name = "email"

    def deliver(self, parcel: Parcel, spec: Delivery) -> Outcome:
        outbox = Outbox(self.settings.outbox.path)
        path = outbox.put(compose(parcel, spec, self.settings.smtp), stem=f"{parcel.job}-{parcel.safe_period}")
        target = ", ".join(spec.to)
        if not self.settings.smtp.configured:
            return Outcome("queued", target, f"no SMTP server configured; waiting in {path}")
        result = outbox.send(self.settings.smtp, only=[path])
        if result.sent:
            return Outcome("sent", target, f"via {self.settings.smtp.host}:{self.settings.smtp.port}")
        return Outcome("queued", target, f"{result.error}; waiting in {path}")
