"""Lines of a CSV file whose number of fields is not the header's, found on the way to pandas.

pandas' C reader, asked for some columns only (``usecols``), silently accepts a row with more
fields than the header (an unquoted comma shifts every later value one column right) and
pads a row with fewer (a file cut short) with blanks; either row then lands with wrong
values. pandas has no option to refuse them while reading selected columns, so
:class:`FieldCheck` sits between the file and the reader: it hands pandas the bytes
unchanged and counts each line's commas with numpy as they pass, so the file is read and
decompressed once and the check costs a small part of the reading time.

Counting commas is exact only without quotes (a quoted field may hold commas and line
breaks). police.uk's own files never quote, so that is the fast path; once a quote is seen
the counting stops and :func:`wrong_lines_quoted` checks the file again with the csv module,
which follows the quoting rules.

Blank lines (empty, or spaces and tabs only) are skipped, as pandas skips them; every other
line counts, so line numbers are the file's own.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
from pathlib import Path
from typing import IO, cast

import numpy as np

_COMMA, _NEWLINE, _QUOTE = ord(","), ord("\n"), b'"'
_BLANK = b" \t\r"


def open_bytes(path: Path) -> IO[bytes]:
    """The file's (decompressed) bytes, by its suffix as pandas would infer it."""
    suffix = path.suffix.lower()
    # each of these reads bytes like any binary file; the casts only name that for mypy
    if suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    if suffix == ".bz2":
        return cast(IO[bytes], bz2.open(path, "rb"))
    if suffix == ".xz":
        return cast(IO[bytes], lzma.open(path, "rb"))
    return path.open("rb")


class FieldCheck:
    """A binary file passed through to pandas, counting the fields of each line it holds.

    ``first`` is (line number, fields) of the first wrong line and ``wrong`` how many lines
    were wrong, over what has been read so far; ``quoted`` says a quote was met and the
    counts stopped there (check the file with :func:`wrong_lines_quoted` instead)."""

    def __init__(self, raw: IO[bytes], fields: int) -> None:
        self._raw = raw
        self._commas = fields - 1
        self.lines = 0  # lines ended so far
        self._carry = 0  # commas in the line not yet ended
        self._carry_blank = True  # whether that line is so far blank
        self.first: tuple[int, int] | None = None
        self.wrong = 0
        self.quoted = False
        self.done = False

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if not self.quoted:
            self._scan(data)
        return data

    def __iter__(self) -> FieldCheck:  # pandas asks for a file-like object to be iterable
        return self

    def __next__(self) -> bytes:  # checked like read(), should a reader ask for lines
        line = self._raw.readline()
        if not self.quoted:
            self._scan(line)
        if not line:
            raise StopIteration
        return line

    def drain(self) -> None:
        """Read (and check) the rest of the file, for a full count of its wrong lines."""
        while not self.quoted and self.read(1 << 20):
            pass

    def _wrong(self, line: int, commas: int) -> None:
        if self.first is None:
            self.first = (line, commas + 1)
        self.wrong += 1

    def _scan(self, data: bytes) -> None:
        if not data:  # the end: a last line with no line break
            if not self.done and not self._carry_blank and self._carry != self._commas:
                self._wrong(self.lines + 1, self._carry)
            self.done = True
            return
        if _QUOTE in data:
            self.quoted = True
            return
        raw = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(raw == _NEWLINE)
        commas = np.flatnonzero(raw == _COMMA)
        if not len(ends):
            self._carry += len(commas)
            self._carry_blank = self._carry_blank and not data.strip(_BLANK)
            return
        # commas before each line break, less those before the previous one: each line's commas
        before = np.searchsorted(commas, ends)
        per_line = np.diff(before, prepend=0)
        per_line[0] += self._carry
        # a line with no comma may be blank (skipped, as pandas skips it); look at those alone
        for i in np.flatnonzero(per_line != self._commas):
            start = ends[i - 1] + 1 if i else 0
            if per_line[i] == 0 and not data[start : ends[i]].strip(_BLANK) and (i or self._carry_blank):
                continue
            self._wrong(self.lines + int(i) + 1, int(per_line[i]))
        self.lines += len(ends)
        self._carry = len(commas) - int(before[-1])
        self._carry_blank = not data[ends[-1] + 1 :].strip(_BLANK)


def wrong_lines_quoted(path: Path, fields: int) -> tuple[tuple[int, int] | None, int]:
    """(line number, fields) of the first record whose field count is not ``fields``, and how
    many are, read with the csv module's quoting rules (a record's line is where it starts)."""
    first: tuple[int, int] | None = None
    wrong = 0
    with open_bytes(path) as raw, io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as text:
        reader = csv.reader(text)
        start = 1
        for record in reader:
            blank = not record or (len(record) == 1 and not record[0].strip(" \t\r"))
            if not blank and len(record) != fields:
                first = first or (start, len(record))
                wrong += 1
            start = reader.line_num + 1
    return first, wrong
