"""Render jobs: a document with a page limit is fitted in the job, and its Word file
follows whichever version the PDF printed."""

from __future__ import annotations

import dataclasses
import io

import docx
import pypdf
import pytest
from pdf_reading import squash

from reportgen.document import Document
from reportgen.errors import RenderError
from reportgen.render.jobs import count_jobs, jobs_for, render_job


def _short(sample: Document) -> Document:
    summary = sample.sections[0]
    return dataclasses.replace(sample, toc=False, sections=(dataclasses.replace(summary, blocks=summary.blocks[:2]),))


def _docx_text(data: bytes) -> str:
    return squash(" ".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs))


def test_overlong_document_prints_its_first_shorter_version_that_fits(sample: Document) -> None:
    short = _short(sample)
    fitted = dataclasses.replace(sample, max_pages=1, shorter=(short,))
    (job,) = jobs_for([("doc", fitted)], ("pdf", "docx"))
    pdf, word = render_job(job)
    assert (pdf.format, word.format) == ("pdf", "docx")
    assert pdf.choice == word.choice == 1
    assert len(pypdf.PdfReader(io.BytesIO(pdf.data)).pages) == 1
    # The Word file is the same version: the long version's later sections are in neither.
    dropped = squash(sample.sections[-1].title)
    assert dropped not in _docx_text(word.data)
    assert dropped in squash(" ".join(s.title for s in sample.sections))
    assert squash(short.sections[0].title) in _docx_text(word.data)


def test_document_that_fits_keeps_its_full_text(sample: Document) -> None:
    pages = len(pypdf.PdfReader(io.BytesIO(render_job(next(jobs_for([("d", sample)], ("pdf",))))[0].data)).pages)
    roomy = dataclasses.replace(sample, max_pages=pages, shorter=(_short(sample),))
    (pdf,) = render_job(next(jobs_for([("doc", roomy)], ("pdf",))))
    assert pdf.choice == 0
    assert len(pypdf.PdfReader(io.BytesIO(pdf.data)).pages) == pages


def test_word_only_run_still_follows_the_pdf_layout(sample: Document) -> None:
    fitted = dataclasses.replace(sample, max_pages=1, shorter=(_short(sample),))
    (word,) = render_job(next(jobs_for([("doc", fitted)], ("docx",))))
    assert word.format == "docx" and word.choice == 1


def test_limit_without_shorter_versions_is_an_error(sample: Document) -> None:
    with pytest.raises(RenderError, match="must fit on 1"):
        render_job(next(jobs_for([("doc", dataclasses.replace(sample, max_pages=1))], ("pdf",))))


def test_formats_of_an_unlimited_document_are_separate_jobs(sample: Document) -> None:
    fitted = dataclasses.replace(sample, max_pages=1, shorter=(_short(sample),))
    documents = [("a", sample), ("b", fitted)]
    jobs = list(jobs_for(documents, ("pdf", "docx")))
    assert [(j.stem, j.formats) for j in jobs] == [("a", ("pdf",)), ("a", ("docx",)), ("b", ("pdf", "docx"))]
    assert count_jobs(documents, ("pdf", "docx")) == len(jobs)
