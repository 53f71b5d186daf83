"""The document model: statuses, validation, outline and the renderer registry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from reportgen.document import (
    Cell,
    Chart,
    Document,
    Headline,
    HeadlineRow,
    Section,
    Status,
    Table,
    inline_runs,
    outline,
)
from reportgen.errors import LookupFailure, RenderError
from reportgen.render import RENDERER_NAMES, get_renderer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("green", Status.GREEN),
        ("amber", Status.AMBER),
        ("red", Status.RED),
        ("grey", Status.GREY),
        ("met", Status.MET),
        ("on_track", Status.ON_TRACK),
        ("at_risk", Status.AT_RISK),
        ("not_met", Status.NOT_MET),
        ("no_data", Status.NO_DATA),
        ("On track", Status.ON_TRACK),
        (" NOT-MET ", Status.NOT_MET),
    ],
)
def test_status_from_engine_strings(value: str, expected: Status) -> None:
    assert Status.from_value(value) is expected


def test_unknown_status_names_the_value_and_the_choices() -> None:
    with pytest.raises(LookupFailure) as info:
        Status.from_value("purple")
    assert "'purple'" in str(info.value) and "on_track" in str(info.value)


def test_every_status_has_a_word_and_a_shape_shared_only_within_its_tone() -> None:
    glyphs_by_tone: dict[object, set[str]] = {}
    for status in Status:
        assert status.word and status.label == f"{status.glyph}\u00a0{status.word}"
        glyphs_by_tone.setdefault(status.tone, set()).add(status.glyph)
    # One glyph per tone and different tones have different glyphs: shape alone distinguishes them.
    assert all(len(g) == 1 for g in glyphs_by_tone.values())
    assert len({next(iter(g)) for g in glyphs_by_tone.values()}) == len(glyphs_by_tone)


def test_cell_display_puts_the_glyph_before_the_word() -> None:
    assert Cell("On track", Status.ON_TRACK).display == "\u25cf\u00a0On track"
    assert Cell("", Status.RED).display == "\u25a0\u00a0Red"
    assert Cell("12").display == "12"


def test_inline_markup_only_knows_bold() -> None:
    assert inline_runs("a **b** c") == [("a ", False), ("b", True), (" c", False)]
    assert inline_runs("2 * 3 = 6, *not* markup") == [("2 * 3 = 6, *not* markup", False)]


def test_ragged_table_is_rejected_with_its_caption() -> None:
    with pytest.raises(RenderError, match="Scorecard.*row 2 has 1 cells"):
        Table("Scorecard", ("A", "B"), (("1", "2"), ("3",)))


def test_chart_without_alt_text_is_rejected() -> None:
    with pytest.raises(RenderError, match="alt text"):
        Chart("c1", "Title", "  ", b"<svg/>", b"")


def test_nested_section_levels_must_step_by_one() -> None:
    with pytest.raises(RenderError, match="must be level 2"):
        Section("Top", (Section("Child", level=3),))


def test_unknown_variant_is_a_lookup_failure(sample: Document) -> None:
    with pytest.raises(LookupFailure, match="'braille'"):
        dataclasses.replace(sample, variant="braille")


def test_outline_lists_headings_tables_and_headlines_in_reading_order() -> None:
    doc = Document(
        kind="leaflet",
        title="T",
        partnership="P",
        period_label="Q1",
        date=dt.date(2026, 7, 1),
        sections=(
            Section(
                "One",
                (
                    HeadlineRow((Headline("Down 13%", "Crime"), Headline("28%", "Confidence"))),
                    Section(
                        "One point one", (Table("C", ("X", "Y"), (("a", Cell("b", Status.MET)),)),), level=2
                    ),
                ),
            ),
        ),
        toc=True,
    )
    result = outline(doc)
    assert result.headings == ((0, "T"), (1, "Contents"), (1, "One"), (2, "One point one"))
    assert result.tables == ((("X", "Y"), ("a", "\u25cf\u00a0b")),)
    assert result.headline_values == ("Down 13%", "28%")


def test_unknown_renderer_names_it_and_lists_known_ones() -> None:
    with pytest.raises(LookupFailure) as info:
        get_renderer("odt")
    message = str(info.value)
    assert "'odt'" in message
    assert all(name in message for name in RENDERER_NAMES)


@pytest.mark.parametrize("name", RENDERER_NAMES)
def test_registry_returns_a_renderer_with_its_suffix(name: str) -> None:
    renderer = get_renderer(name.upper())
    assert renderer.name == name and renderer.suffix == f".{name}"
