"""Atomic writes: a failed render never damages the last good file or leaves litter."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from reportgen.document import Document
from reportgen.errors import RenderError
from reportgen.fsutil import atomic_path, atomic_write_bytes
from reportgen.render import get_renderer
from reportgen.render.base import Renderer


def test_atomic_write_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "out" / "file.bin"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.bin"]


def test_written_files_get_normal_permissions(tmp_path: Path) -> None:
    target = atomic_write_bytes(tmp_path / "file.bin", b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_error_inside_atomic_path_keeps_old_file_and_removes_temp(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"good")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk on fire")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


class _FailsHalfway(Renderer):
    """A real renderer that writes part of its output and then fails, like a crash mid-save."""

    name = "broken"
    suffix = ".pdf"

    def to_bytes(self, _doc: Document) -> bytes:  # pragma: no cover - never called
        raise AssertionError

    def render(self, doc: Document, dest: Path) -> Path:
        with atomic_path(dest) as tmp:
            tmp.write_bytes(get_renderer("pdf").to_bytes(doc)[:100])
            raise RenderError("failed while writing")


def test_failed_render_leaves_previous_good_file_byte_identical(tmp_path: Path, sample: Document) -> None:
    target = tmp_path / "board-pack.pdf"
    good = get_renderer("pdf").render(sample, target).read_bytes()
    with pytest.raises(RenderError):
        _FailsHalfway().render(sample, target)
    assert target.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["board-pack.pdf"]


def test_renderer_error_before_writing_leaves_previous_docx(tmp_path: Path, sample: Document) -> None:
    target = tmp_path / "board-pack.docx"
    good = get_renderer("docx").render(sample, target).read_bytes()
    chart = next(b for b in sample.sections[2].blocks[1].blocks)
    broken_chart = dataclasses.replace(chart, png=b"not a png")
    broken = dataclasses.replace(
        sample, sections=(dataclasses.replace(sample.sections[0], blocks=(broken_chart,)),)
    )
    with pytest.raises(RenderError, match="PNG could not be embedded"):
        get_renderer("docx").render(broken, target)
    assert target.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["board-pack.docx"]
