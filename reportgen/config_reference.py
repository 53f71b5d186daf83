"""The reference page of every configuration key, generated from the pydantic models.

    python -m reportgen.config_reference > docs/config-reference.md

Nothing here knows a particular key: it walks each file's model (nested tables and lists
of tables included) and prints the field names, types, defaults and descriptions, so a
field added to any model appears on the next run. ``tests/test_config_reference.py``
regenerates the page and compares it with the committed one, so the page never drifts.

It sits on top of the packages (it reads the config, source and schedule models), like the CLI.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import io
import re
import sys
import textwrap
import tokenize
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

COMMAND = "python -m reportgen.config_reference > docs/config-reference.md"


_CLASS_NAMES = {
    str: "text",
    int: "integer",
    float: "number",
    bool: "true or false",
    Path: "path",
    dt.datetime: "date and time",
    dt.date: "date",
    dt.time: "time (HH:MM)",
    dt.timedelta: "duration",
}


def _class_text(cls: type) -> str | None:
    """A reader's name for a plain class: an enum's values, a table, or a basic type's word."""
    if issubclass(cls, enum.Enum):
        return "one of: " + ", ".join(f"`{m.value}`" for m in cls)
    if issubclass(cls, BaseModel):
        return "table"
    for base, name in _CLASS_NAMES.items():
        if issubclass(cls, base) and not (base is int and issubclass(cls, bool)):
            return name
    return None


def type_text(annotation: Any) -> str:
    """A reader's name for a type: "text", "list of text", "one of: a, b", "duration"..."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        if any(getattr(m, "func", None) and m.func.__name__ == "parse_duration" for m in args[1:]):
            return "duration (30s, 15m, 6h, 2d)"
        return type_text(args[0])
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        text = " or ".join(type_text(a) for a in rest)
        return f"{text} (optional)" if len(rest) < len(args) else text
    if origin is typing.Literal:
        return "one of: " + ", ".join(f"`{a}`" for a in args)
    if origin is tuple and args and Ellipsis not in args:
        return "list of " + str(len(args)) + ": " + ", ".join(type_text(a) for a in args)
    if origin in (tuple, list, set, frozenset):
        inner = args[0] if args else Any
        return f"list of {_plural(type_text(inner))}"
    if origin is dict:
        key, value = args or (Any, Any)
        return f"table of {type_text(key)} → {type_text(value)}"
    if isinstance(annotation, type) and (name := _class_text(annotation)):
        return name
    return "any value" if annotation is Any else str(annotation).replace("typing.", "")


def _plural(text: str) -> str:
    return {"table": "tables", "text": "text", "integer": "integers", "number": "numbers"}.get(text, text)


def constraints(info: FieldInfo) -> str:
    words: list[str] = []
    for m in info.metadata:
        for cls, sign in ((Ge, "≥"), (Gt, ">"), (Le, "≤"), (Lt, "<")):
            if isinstance(m, cls):
                words.append(f"{sign} {getattr(m, cls.__name__.lower())}")
        pattern = getattr(m, "pattern", None)
        if pattern:
            words.append("lower case letters, digits, - and _" if "a-z0-9" in pattern else f"matches `{pattern}`")
    return ", ".join(words)


def default_text(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]  # pydantic allows one taking the data; ours take none
    elif info.default is PydanticUndefined:
        return "**required**"
    else:
        value = info.default
    return f"`{_toml(value)}`" if not isinstance(value, BaseModel) else "see below"


def _toml(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return f'"{value.value}"'
    if isinstance(value, str | Path):
        return f'"{value}"'
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds and seconds % size == 0:
                return f'"{seconds // size}{unit}"'
        return f'"{seconds}s"'
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, tuple | list | set | frozenset):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds, and whether it is a list of them ([[tables]])."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for a in args:
            model, many = _model_in(a)
            if model:
                return model, many
    if origin in (tuple, list) and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0], True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def rows(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """(key, type, default, description) for every field of ``model``, nested ones after their table."""
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        nested, many = _model_in(info.annotation)
        kind = type_text(info.annotation)
        if nested is not None:
            kind = "list of tables" if many else "table"
        limits = constraints(info)
        if limits:
            kind += f"; {limits}"
        yield key, kind, default_text(info), (info.description or source_comment(model, name)).strip()
        if nested is not None:
            yield from rows(nested, f"{key}[]." if many else f"{key}.")


def source_comment(model: type[BaseModel], name: str) -> str:
    """A field with no description may have a comment in its model's source: on its line, or on
    the comment lines just above it. Used until the field gets ``Field(description=...)``."""
    owner = next((c for c in model.__mro__ if name in getattr(c, "__annotations__", {})), None)
    if owner is None:
        return ""
    try:
        lines, _ = inspect.getsourcelines(owner)
    except (OSError, TypeError):
        return ""
    comments: dict[int, str] = {}
    code_lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(textwrap.dedent("".join(lines))).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
            elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                code_lines.add(tok.start[0])
    except (tokenize.TokenError, IndentationError):
        return ""
    field_line = next((n for n, line in enumerate(lines, 1) if re.match(rf"\s+{re.escape(name)}\s*:", line)), None)
    if field_line is None:
        return ""
    if field_line in comments:
        return comments[field_line]
    above: list[str] = []
    n = field_line - 1
    while n in comments and n not in code_lines:
        above.insert(0, comments[n])
        n -= 1
    return " ".join(above)


def table(model: type[BaseModel], prefix: str = "") -> str:
    lines = ["| Key | Type | Default | Description |", "|---|---|---|---|"]
    for key, kind, default, description in rows(model, prefix):
        cells = (f"`{key}`", kind, default, description or "—")
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _doc(model: type[BaseModel]) -> str:
    doc = inspect.getdoc(model) or ""
    if doc == inspect.getdoc(BaseModel) or not model.__doc__:
        return ""
    return doc.strip() + "\n\n"


def sections() -> list[tuple[str, str, type[BaseModel], str]]:
    """(heading, what the file is, model, key prefix) for every file a partnership folder holds."""
    from reportgen.config.models import Derived, Partner, Partnership, Strategy
    from reportgen.schedule.config import Schedules

    return [
        ("partnership.toml", "The partnership, its areas and comparators.", Partnership, ""),
        (
            "partners/&lt;id&gt;.toml",
            "One file per partner: contacts, sources and the indicators it owns. Each source's own options "
            "depend on its `type`: see [Sources](#sources).",
            Partner,
            "",
        ),
        (
            "derived.toml",
            "Indicators built from others, as `[[derived]]` tables.",
            Derived,
            "derived[].",
        ),
        ("strategies/&lt;id&gt;.toml", "One file per strategy: baseline, target period and big targets.", Strategy, ""),
        (
            "schedules.toml",
            "When each job runs, what it reports and where it delivers (`reportgen serve`).",
            Schedules,
            "",
        ),
    ]


def source_sections() -> list[tuple[str, type[BaseModel]]]:
    from reportgen.sources import get_source_class, known_types

    return [(t, get_source_class(t).Options) for t in known_types()]


def render() -> str:
    out = [
        "# Configuration reference\n\n",
        "Every key of a partnership folder and of `schedules.toml`, generated from the configuration models "
        "(their field names, types, defaults and descriptions). Do not edit this page by hand: regenerate it "
        f"with\n\n```bash\n{COMMAND}\n```\n\n",
        "`tests/test_config_reference.py` fails when the page and the models differ. "
        "`key[].sub` is a key of each table in a list of tables (`[[key]]` in TOML); "
        '`key.sub` is a key of the table `[key]`. Unknown keys are refused with a "did you mean" hint.\n\n',
    ]
    for heading, what, model, prefix in sections():
        out.append(f"## {heading}\n\n{what}\n\n{_doc(model)}{table(model, prefix)}\n")
    out.append(
        "## Sources\n\nA partner's `[[sources]]` table takes `id` and `type` (above) and the options of its "
        "connector, listed here by `type`.\n\n"
    )
    for type_name, options in source_sections():
        out.append(f'### type = "{type_name}"\n\n{_doc(options)}{table(options, "sources[].")}\n')
    return "".join(out).rstrip("\n") + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
