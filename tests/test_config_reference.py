"""docs/config-reference.md is generated from the configuration models and must match them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field
from returns_fixtures import REPO

from reportgen.config_reference import COMMAND, render, rows

PAGE = REPO / "docs" / "config-reference.md"


def test_the_committed_page_matches_the_models() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), f"docs/config-reference.md is out of date: run `{COMMAND}`"


def test_the_page_lists_keys_from_every_file() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for key in (
        "`neighbourhoods[].lsoas`",
        "`targets[].measures[].change_pct`",
        "`derived[].kind`",
        "`jobs[].when.working_day`",
        "`smtp.password_env`",
        "`sources[].crime_types`",
    ):
        assert key in text


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Inner(BaseModel):
    size: int = Field(default=3, ge=1, description="How big.")


class Invented(BaseModel):
    """A model no config file has: the generator must document whatever it is given."""

    name: str = Field(description="Its name.")
    colour: Colour = Colour.RED
    wait: dt.timedelta = Field(default=dt.timedelta(hours=6), description="How long.")
    mode: Literal["a", "b"] | None = None
    inner: Inner = Inner()
    many: tuple[Inner, ...] = ()
    # a comment above a field stands in for a missing description
    tags: tuple[str, ...] = ()


def test_any_model_is_documented_field_by_field() -> None:
    assert list(rows(Invented, "x.")) == [
        ("x.name", "text", "**required**", "Its name."),
        ("x.colour", "one of: `red`, `blue`", '`"red"`', ""),
        ("x.wait", "duration", '`"6h"`', "How long."),
        ("x.mode", "one of: `a`, `b` (optional)", "`(none)`", ""),
        ("x.inner", "table", "see below", ""),
        ("x.inner.size", "integer; ≥ 1", "`3`", "How big."),
        ("x.many", "list of tables", "`[]`", ""),
        ("x.many[].size", "integer; ≥ 1", "`3`", "How big."),
        ("x.tags", "list of text", "`[]`", "a comment above a field stands in for a missing description"),
    ]
