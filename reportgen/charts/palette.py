"""Colours and type for charts: the Okabe-Ito palette, safe for the common colour-vision
deficiencies, with darker text versions that keep at least 4.5:1 contrast on white."""

from __future__ import annotations

# Okabe & Ito (2008), "Color Universal Design".
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#6B6B6B"  # 5.3:1 on white: limits, gridlines' labels, secondary text
LIGHT_GREY = "#D9D9D9"

OKABE_ITO: tuple[str, ...] = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, YELLOW, BLACK)

# Roles, so every chart means the same thing by the same colour.
ACTUAL = BLUE  # what happened (5.2:1 on white, fine for text too)
COMPARATOR = ORANGE  # Greater Manchester, England and Wales
TARGET = BLACK  # target and trajectory lines (dashed)
MEAN = GREY
LIMITS = GREY
IMPROVEMENT = BLUE  # special cause, improving (with an upward triangle marker)
CONCERN = VERMILLION  # special cause, concern (with a square marker)
GOOD = BLUISH_GREEN
BAD = VERMILLION

# Darker versions for text drawn in a series' colour (contrast >= 4.5:1 on white).
TEXT_COLOURS: dict[str, str] = {
    BLUE: BLUE,
    ORANGE: "#8A5A00",
    BLUISH_GREEN: "#00704F",
    VERMILLION: "#A84600",
    REDDISH_PURPLE: "#8E3F72",
    SKY_BLUE: "#1F6E99",
    YELLOW: "#6B6400",
    BLACK: BLACK,
    GREY: GREY,
}


def text_colour(colour: str) -> str:
    """The readable text colour for a series drawn in ``colour``."""
    return TEXT_COLOURS.get(colour.upper() if colour.startswith("#") else colour, BLACK)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of '#RRGGBB'."""
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str = "#FFFFFF") -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21)."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


FONT_FAMILY = "DejaVu Sans"
BASE_FONT_SIZE = 10.0  # points at the drawn size; charts are drawn at their printed width
