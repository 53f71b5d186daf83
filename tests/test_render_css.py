"""Stylesheets: WCAG contrast of every text/background pair, sizes, and no web fonts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.render.html import CSS_DIR


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.fixture(scope="module")
def palette() -> dict[str, str]:
    css = (CSS_DIR / "common.css").read_text()
    return {name: value.lstrip("#") for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css)}


def test_contrast_helper_matches_known_values() -> None:
    assert round(contrast("000000", "ffffff"), 1) == 21.0
    assert contrast("777777", "ffffff") < 4.5


@pytest.mark.parametrize("tone", ["good", "warn", "bad", "neutral", "info"])
def test_status_text_on_its_tint_meets_aa(palette: dict[str, str], tone: str) -> None:
    assert contrast(palette[f"{tone}-fg"], palette[f"{tone}-bg"]) >= 4.5


@pytest.mark.parametrize(
    ("fg", "bg"),
    [
        ("ink", "paper"),
        ("muted", "paper"),
        ("muted", "tint"),
        ("navy", "paper"),
        ("navy", "tint"),
        ("teal", "paper"),
        ("ink", "tint"),
    ],
)
def test_text_colours_meet_aa(palette: dict[str, str], fg: str, bg: str) -> None:
    assert contrast(palette[fg], palette[bg]) >= 4.5


def test_white_on_navy_header_cells_and_masthead(palette: dict[str, str]) -> None:
    assert contrast("ffffff", palette["navy"]) >= 7


def test_stylesheets_fetch_nothing_and_use_installed_sans_fonts() -> None:
    for sheet in Path(CSS_DIR).glob("*.css"):
        text = sheet.read_text()
        assert "@import" not in text and "@font-face" not in text, sheet.name
        assert not re.search(r"url\(", text), sheet.name
        assert not re.search(r"font-style:\s*italic", text), sheet.name


def test_large_print_sizes_never_below_16pt() -> None:
    text = (CSS_DIR / "large-print.css").read_text()
    sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)pt", text)]
    assert sizes and min(sizes) >= 16
