"""Variation and assurance icons in the manner of NHS England's "Making Data Count".

Drawn here (not copied): a circle per icon, told apart by what is inside it as well as by
colour, so they read in greyscale and for colour-blind readers, and always printed beside
their words:

* variation: *common cause* - grey, a flat zigzag; *special cause, improving* - blue, the
  zigzag stepping up or down to a letter H or L (high or low); *special cause, concern* -
  orange, the same with its letter; *special cause, neither* - purple, the same;
  *limits need rebasing* - grey, dashed circle, a step with a question mark.
* assurance: *consistently passing target* - blue, letter P with the band clear of a dashed
  target line; *consistently failing target* - orange, letter F; *hit and miss* - grey,
  the target line running through the band and a question mark.

Each icon is a :class:`~reportgen.document.Chart` drawn by the run's chart book, so HTML/PDF
get its SVG and Word its PNG, with the same alt text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, PathPatch
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from reportgen.charts import palette
from reportgen.charts.book import ChartBook, ChartDraft, new_figure
from reportgen.document import Chart

SIZE_MM = 6.0
GREY = palette.GREY


@dataclass(frozen=True)
class Icon:
    """What an icon looks like and says."""

    key: str
    words: str  # printed beside the icon
    colour: str
    letter: str = ""
    glyph: str = "zigzag"  # zigzag, step_up, step_down, band_clear_above, band_clear_below, band_across, rebase
    dashed: bool = False
    full: str = ""  # Making Data Count's own name, for the alt text (default: the words)


VARIATION_ICONS: dict[str, Icon] = {
    "common_cause": Icon("common_cause", "Common cause", GREY),
    "improvement_high": Icon("improvement_high", "Special cause, improving", palette.IMPROVEMENT, "H", "step_up"),
    "improvement_low": Icon("improvement_low", "Special cause, improving", palette.IMPROVEMENT, "L", "step_down"),
    "concern_high": Icon("concern_high", "Special cause, concern", palette.CONCERN, "H", "step_up"),
    "concern_low": Icon("concern_low", "Special cause, concern", palette.CONCERN, "L", "step_down"),
    "neutral_high": Icon("neutral_high", "Special cause, neither better nor worse", palette.REDDISH_PURPLE, "H",
                         "step_up"),
    "neutral_low": Icon("neutral_low", "Special cause, neither better nor worse", palette.REDDISH_PURPLE, "L",
                        "step_down"),
    "needs_rebase": Icon("needs_rebase", "Limits need rebasing", GREY, "?", "rebase", dashed=True),
}  # fmt: skip
ASSURANCE_ICONS: dict[str, Icon] = {
    "consistently_passing": Icon(
        "consistently_passing", "Passing", palette.IMPROVEMENT, "P", "band_clear", full="Consistently passing target"
    ),
    "consistently_failing": Icon(
        "consistently_failing", "Failing", palette.CONCERN, "F", "band_clear", full="Consistently failing target"
    ),
    "inconsistent": Icon("inconsistent", "Hit and miss", GREY, "?", "band_across"),
}


def variation_icon_key(variation: str, direction: str, needs_rebase: bool) -> str | None:
    """Which variation icon a measure gets (None: no icon, e.g. too few points)."""
    if needs_rebase:
        return "needs_rebase"
    if variation == "common_cause":
        return "common_cause"
    if variation in ("improvement", "concern", "neutral") and direction in ("high", "low"):
        return f"{variation}_{direction}"
    return None


def icon_chart(book: ChartBook, icon: Icon, kind: str) -> Chart:
    """The icon drawn once per run by ``book`` (``kind``: 'variation' or 'assurance')."""
    letter = _LETTER_WORDS.get(icon.letter)
    alt = f"{kind.capitalize()} icon: {icon.full or icon.words}" + (f" ({letter})" if letter else "")
    return book.get(f"mdc-{kind}-{icon.key}", lambda: _draw(icon, alt))


_LETTER_WORDS = {"H": "high", "L": "low", "P": "pass", "F": "fail"}


def _draw(icon: Icon, alt: str) -> ChartDraft:
    fig, ax = new_figure(SIZE_MM, SIZE_MM)
    fig.set_layout_engine("none")
    ax.set_position((0, 0, 1, 1))
    ax.set_xlim(-1.1, 1.1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(Circle((0, 0), 1.0, facecolor="white", edgecolor=icon.colour, linewidth=1.6,
                        linestyle=(0, (2, 1.2)) if icon.dashed else "solid"))  # fmt: skip
    line: dict[str, Any] = {"color": icon.colour, "linewidth": 1.1, "solid_capstyle": "round"}
    xs = [-0.62, -0.41, -0.2, 0.01, 0.22]
    if icon.glyph == "zigzag":
        ax.plot([-0.65, -0.43, -0.22, 0.0, 0.22, 0.43, 0.65], [0, 0.22, -0.18, 0.2, -0.22, 0.16, 0], **line)
    elif icon.glyph in ("step_up", "step_down", "rebase"):
        sign = -1 if icon.glyph == "step_down" else 1
        ys = [-0.1 * sign, 0.06 * sign, -0.08 * sign, 0.4 * sign, 0.5 * sign]
        ax.plot(xs, [y - 0.1 * sign for y in ys], **line)
        ax.plot(xs[3:], [y - 0.1 * sign for y in ys[3:]], linestyle="none", marker="o", markersize=2.2,
                color=icon.colour)  # fmt: skip
    elif icon.glyph == "band_clear":  # the band of the limits clear of the dashed target line
        ax.fill_between([-0.65, 0.25], 0.05, 0.45, color=icon.colour, alpha=0.35, linewidth=0)
        ax.plot([-0.7, 0.3], [-0.25, -0.25], color=palette.BLACK, linewidth=0.9, linestyle=(0, (2, 1.5)))
    elif icon.glyph == "band_across":  # the target line runs through the band
        ax.fill_between([-0.65, 0.25], -0.3, 0.3, color=icon.colour, alpha=0.35, linewidth=0)
        ax.plot([-0.7, 0.3], [0.0, 0.0], color=palette.BLACK, linewidth=0.9, linestyle=(0, (2, 1.5)))
    if icon.letter:
        # The letter as a shape, not text: the icon's words are printed beside it, and a PDF's
        # text layer (or a screen reader) must not read a stray "H" into the table cell.
        glyph = TextPath((0, 0), icon.letter, size=0.8, prop=FontProperties(family=palette.FONT_FAMILY, weight="bold"))
        box = glyph.get_extents()
        centred = Affine2D().translate(0.58 - (box.x0 + box.x1) / 2, -(box.y0 + box.y1) / 2)
        ax.add_patch(PathPatch(centred.transform_path(glyph), color=palette.text_colour(icon.colour), linewidth=0))
    return ChartDraft(fig, icon.words, alt, width_mm=SIZE_MM)
