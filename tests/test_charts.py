"""Charts drawn from plain pandas series: memoised, deterministic, accessible."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from PIL import Image

from reportgen.charts import ChartBook, palette
from reportgen.charts.drugs import bar_by_year
from reportgen.charts.spc_chart import spc_chart
from reportgen.charts.track import track_chart
from reportgen.charts.trajectory import trajectory_chart
from reportgen.document import Chart
from reportgen.errors import RenderError
from reportgen.periods import Kind, Period


def months(first: str, n: int) -> list[str]:
    start = Period.parse(first).start
    return [Period(i, i, Kind.MONTH).key for i in range(start, start + n)]


def steady(n: int = 24, level: float = 100.0) -> pd.Series:
    # A repeating small wiggle: no runs of 7, no trends, nothing near the limits.
    wiggle = [0, 3, -2, 4, -3, 1, -4, 2]
    return pd.Series([level + wiggle[i % len(wiggle)] for i in range(n)], index=months("2003-04", n))


def test_chart_book_draws_each_key_once() -> None:
    book = ChartBook()
    calls = []

    def draw():  # noqa: ANN202
        calls.append(1)
        return spc_chart(steady(), title="Crime", measure="Crimes")

    first = book.get("spc-crime", draw)
    second = book.get("spc-crime", draw)
    assert first is second and len(calls) == 1 and len(book) == 1
    assert book.requests == 2


def test_charts_are_byte_identical_across_runs() -> None:
    a = ChartBook().get("c", lambda: spc_chart(steady(), title="t", measure="m"))
    b = ChartBook().get("c", lambda: spc_chart(steady(), title="t", measure="m"))
    assert a.svg == b.svg and a.png == b.png


def test_deferred_png_is_the_same_picture_and_is_added_where_a_document_needs_it() -> None:
    import dataclasses

    from reportgen.document import Section
    from reportgen.render import get_renderer
    from reportgen.render.sample import sample_document

    eager = ChartBook().get("c", lambda: spc_chart(steady(), title="t", measure="m"))
    book = ChartBook(defer_png=True)
    lazy = book.get("c", lambda: spc_chart(steady(), title="t", measure="m"))
    assert lazy.png == b"" and lazy.svg == eager.svg
    base = sample_document()
    doc = dataclasses.replace(base, sections=(*base.sections, Section("Charts", (lazy,), id="charts")))
    with pytest.raises(RenderError, match="no PNG"):
        get_renderer("docx").to_bytes(doc)
    ready = book.with_png(doc)
    (chart,) = [b for b in ready.sections[-1].blocks if isinstance(b, Chart)]
    assert chart.png == eager.png  # the same bytes as saving it straight away
    assert ready.sections[:-1] == doc.sections[:-1] and ready.sections[0] is doc.sections[0]
    assert book.with_png(ready) is ready  # nothing left to add
    assert get_renderer("docx").to_bytes(ready).startswith(b"PK")


def test_svg_uses_presentation_attributes_not_css() -> None:
    chart = ChartBook().get("c", lambda: spc_chart(steady(), title="t", measure="m"))
    svg = chart.svg.decode()
    assert 'style="' not in svg and "<style" not in svg
    assert 'fill="#ffffff"' in svg and "viewBox" in svg
    assert not re.search(r"\d{4}-\d\d-\d\dT", svg), "a date in the SVG would break reproducibility"


def test_png_is_at_print_resolution_and_printed_width() -> None:
    book = ChartBook()
    chart = book.get(
        "c",
        lambda: bar_by_year(
            pd.Series([1.0, 2.0], index=["2003/04", "2004/05"]), title="t", measure="People", width_mm=120.0
        ),
    )
    image = Image.open(io.BytesIO(chart.png))
    dpi = image.info["dpi"][0]
    assert 199 <= dpi <= 201
    assert abs(image.width - 120 / 25.4 * dpi) <= 2


def test_spc_marks_special_causes_by_shape_and_colour() -> None:
    values = steady()
    values.iloc[-1] = 160.0  # far above the limits: for crime (lower is better) a concern
    chart = ChartBook().get("c", lambda: spc_chart(values, title="t", measure="Crimes"))
    svg = chart.svg.decode()
    assert palette.CONCERN.lower() in svg.lower()
    assert "Special cause: concern" in svg  # the legend says it in words
    assert "1 concern" in chart.alt_text and "above the upper limit" in chart.alt_text

    better = steady()
    better.iloc[-1] = 40.0
    improving = ChartBook().get("i", lambda: spc_chart(better, title="t", measure="Crimes"))
    assert "Special cause: improving" in improving.svg.decode()
    assert "1 improvement" in improving.alt_text and "below the lower limit" in improving.alt_text


def test_spc_common_cause_alt_text() -> None:
    chart = ChartBook().get("c", lambda: spc_chart(steady(), title="t", measure="Crimes"))
    assert "All 24 months show only common-cause" in chart.alt_text
    assert "Special cause" not in chart.svg.decode()


def test_track_alt_text_compares_with_the_comparator() -> None:
    years = ["2002/03", "2003/04", "2004/05"]
    chart = ChartBook().get(
        "t",
        lambda: track_chart(
            {
                "Borough": pd.Series([110.0, 100.0, 92.9], index=years),
                "Greater Manchester": pd.Series([146.0, 141.0, 128.0], index=years),
            },
            title="Crime",
            measure="Crimes per 1,000",
        ),
    )
    assert "Borough fell from 110.0 to 92.9" in chart.alt_text
    assert "below Greater Manchester in every year" in chart.alt_text
    svg = chart.svg.decode()
    assert "Greater Manchester 128.0" in svg  # labelled at the line's end, not in a legend


def test_trajectory_alt_text_says_better_or_worse() -> None:
    actual = pd.Series([20000.0, 17300.0], index=["2003/04", "2004/05"])
    chart = ChartBook().get(
        "t",
        lambda: trajectory_chart(
            actual,
            title="Crime",
            measure="Crimes",
            baseline=("2003/04", 20000.0),
            target=("2007/08", 15600.0),
        ),
    )
    assert "better than the trajectory's 18,900" in chart.alt_text
    worse = pd.Series([20000.0, 19500.0], index=["2003/04", "2004/05"])
    chart = ChartBook().get(
        "w",
        lambda: trajectory_chart(
            worse, title="Crime", measure="Crimes", baseline=("2003/04", 20000.0), target=("2007/08", 15600.0)
        ),
    )
    assert "worse than the trajectory's 18,900" in chart.alt_text


def test_bars_show_denominators() -> None:
    years = ["2003/04", "2004/05"]
    chart = ChartBook().get(
        "b",
        lambda: bar_by_year(
            pd.Series([61.0, 75.0], index=years),
            denominators=pd.Series([525.0, 610.0], index=years),
            percentage=True,
            title="Retained",
            measure="People retained",
        ),
    )
    assert "of 610" in chart.svg.decode()
    assert chart.alt_text == "People retained, 2003/04 to 2004/05: rose from 61% to 75% (of 610 in 2004/05)."


def test_drawing_errors_become_render_errors() -> None:
    with pytest.raises(RenderError, match="no values to draw"):
        ChartBook().get("empty", lambda: spc_chart(pd.Series(dtype=float), title="t", measure="m"))


def test_text_colours_meet_contrast() -> None:
    for colour in (*palette.TEXT_COLOURS.values(), palette.GREY):
        assert palette.contrast_ratio(colour) >= 4.5, colour
    assert palette.contrast_ratio("#777777") < 4.5  # the check can fail


def test_track_alt_text_names_a_peak() -> None:
    years = ["1999/00", "2000/01", "2001/02", "2002/03", "2003/04"]
    chart = ChartBook().get(
        "p",
        lambda: track_chart(
            {"Borough": pd.Series([89.4, 100.0, 113.3, 106.8, 92.9], index=years)},
            title="Crime",
            measure="Rate",
        ),
    )
    assert "Borough rose from 89.4 to a peak of 113.3 in 2001/02, then fell to 92.9" in chart.alt_text
