"""One way to log, for every command and the service: one line (or one JSON object) per event,
ISO timestamps with their zone, and no password in any line.

``reportgen --log-format json`` gives one JSON object per event (``time``, ``level``,
``logger``, ``message``, and ``error`` with the traceback when there is one) for a log
collector; the default is the same fields as text. Every record passes through
:class:`Redact`, which hides the password of any URL (``postgresql://user:secret@host`` ->
``postgresql://user:***@host``), so a store or SQL-source URL never reaches a log, an error
line or a terminal title with its password.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import Any

# scheme://user:password@  (the user part may be empty: scheme://:password@)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<secret>[^@\s/]+)(?=@)")
FORMATS = ("text", "json")
NOISY = ("weasyprint", "fontTools")


# ...?password=secret (a URL's query) or password=secret (a libpq connection string, as psycopg
# quotes it in some errors)
_KEY_PASSWORD = re.compile(r"(?P<head>(?:^|[?&;\s'\"])password=)(?P<secret>'[^']*'|[^&\s'\"]+)", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with the password of every URL (or connection string) in it replaced by ***."""
    return _KEY_PASSWORD.sub(r"\g<head>***", _URL_PASSWORD.sub(r"\g<head>***", text))


class Redact(logging.Filter):
    """Hides URL passwords in a record's message (formatted once, here, with its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def _iso(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, dt.UTC).astimezone().isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_iso(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": _iso(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            event["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(event, ensure_ascii=False)


def configure(level: int, fmt: str = "text", *, stream: Any = None) -> logging.Handler:
    """Send every log record at ``level`` or above to stderr in ``fmt``; replaces any handler
    set before, so the service and the commands log alike."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(Redact())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if level > logging.DEBUG:
        # WeasyPrint and fontTools narrate every step at INFO; only our own log is useful then.
        for noisy in NOISY:
            logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
