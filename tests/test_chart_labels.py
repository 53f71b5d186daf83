"""Chart labels placed by measured extents: never struck through by a line, never over the
figure's edge. The oracle is matplotlib's own measure of each text's box on the canvas against
each line's path (reportgen.charts.fit.label_problems), read after the chart book has saved it."""

from __future__ import annotations

import pandas as pd
from matplotlib.text import Text

from reportgen.charts.book import ChartBook
from reportgen.charts.fit import label_problems
from reportgen.charts.trajectory import trajectory_chart


def _drawn(book: ChartBook, key: str, draw) -> object:  # noqa: ANN001
    book.get(key, draw)
    return book._figures[next(iter(book._figures))]


def _texts(fig) -> list[str]:  # noqa: ANN001
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible()]


def test_a_climbing_trajectory_keeps_its_label_clear_of_its_own_line() -> None:
    # higher is better, steep climb: the fixed offset used to put the words across the line
    actual = pd.Series([40.0, 48.0], index=["2003/04", "2004/05"])
    book = ChartBook(defer_png=True)
    fig = _drawn(
        book,
        "climb",
        lambda: trajectory_chart(
            actual,
            title="Confidence",
            measure="Per cent",
            baseline=("2003/04", 40.0),
            target=("2007/08", 80.0),
            polarity="higher_is_better",
            decimals=1,
        ),
    )
    assert "Trajectory to target" in _texts(fig)
    assert label_problems(fig) == []


def test_a_long_target_label_at_the_right_is_not_clipped() -> None:
    actual = pd.Series([20000.0, 17300.0], index=["2003/04", "2004/05"])
    book = ChartBook(defer_png=True)
    fig = _drawn(
        book,
        "right",
        lambda: trajectory_chart(
            actual,
            title="Crime",
            measure="Crimes",
            baseline=("2003/04", 20000.0),
            target=("2007/08", 15600.123),
            decimals=3,
            width_mm=90,
        ),
    )
    assert any(t.startswith("Target 2007/08:") for t in _texts(fig))
    assert label_problems(fig) == []


def test_the_check_finds_a_label_struck_through_and_one_over_the_edge() -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.annotate("Across the line", xy=(0.5, 0.5), ha="center", va="center")
    ax.annotate(
        "Off the edge of the figure entirely",
        xy=(1, 0.2),
        xytext=(10, 0),
        textcoords="offset points",
        annotation_clip=False,
    )
    fig.canvas.draw()
    problems = label_problems(fig)
    assert any("'Across the line' is struck through" in p for p in problems), problems
    assert any("'Off the edge of the figure entirely' runs over the edge" in p for p in problems), problems
