"""Guards for text that crosses into spreadsheets and file names from outside."""

from __future__ import annotations

import re
import unicodedata

# Text starting with these is run as a formula by spreadsheet programs (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def escape_formula(text: str) -> str:
    """Text safe to write to a spreadsheet cell: a leading formula character gets an
    apostrophe in front, so the cell shows the text and is never evaluated."""
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_filename(name: str, *, default: str = "return", max_length: int = 100) -> str:
    """A file name made from an untrusted one: no folders (``../`` cannot escape), only
    letters, digits, dot, dash and underscore, no leading dot, bounded length; a short
    extension is kept."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, ext = base.rpartition(".")
    if not (dot and re.fullmatch(r"[A-Za-z0-9]{1,10}", ext)):
        stem, ext = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[: max_length - len(ext) - 1] or default
    return f"{stem}.{ext.lower()}" if ext else stem


def printable(name: str) -> str:
    """A name as shown in messages: control and invisible characters escaped."""
    return "".join(
        ch
        if ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Zl", "Zp")
        else ch.encode("unicode_escape").decode("ascii")
        for ch in name
    )
