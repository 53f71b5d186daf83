"""Charts for the documents, drawn with matplotlib (Agg) once per run by a :class:`ChartBook`."""

from reportgen.charts.book import ChartBook, ChartDraft, new_figure

__all__ = ["ChartBook", "ChartDraft", "new_figure"]
