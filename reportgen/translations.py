"""Managing the gettext catalogs: extract, update, init, compile (Babel does the work)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from reportgen import __version__
from reportgen.fsutil import atomic_path
from reportgen.i18n import DOMAIN, LOCALE_DIR, load_catalog

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR.parent / "templates"
POT = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "_": None, "N_": None}
DRAFT_HEADER = (
    "# Translations of reportgen's public documents.\n"
    "# DRAFT: machine-assisted translation awaiting review by a qualified translator.\n"
    "# Remove the word DRAFT from this comment once the catalog has been reviewed."
)


CONFIG_DIR = PACKAGE_DIR.parent / "data_sources"
# The partnership's own public wording (advice, how to report, the notice) is printed in the
# leaflet as it stands in partnership.toml, so it is translated like the fixed text.
PUBLIC_CONFIG_KEYS = ("name", "notice", "public_advice", "report_crime")


def config_messages(config_dir: Path = CONFIG_DIR) -> list[tuple[str, str]]:
    """(message, location) for the public wording in ``config_dir``: the partnership's name,
    notice, advice and reporting lines, team, borough and comparator names, and every
    ``public_title`` (crime types and targets as the leaflet names them)."""
    import tomllib

    def where(path: Path) -> str:
        root = PACKAGE_DIR.parent
        return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

    out: list[tuple[str, str]] = []
    path = config_dir / "partnership.toml"
    if path.is_file():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key in PUBLIC_CONFIG_KEYS:
            value = data.get(key)
            for text in [value] if isinstance(value, str) else list(value or ()):
                if text:
                    out.append((text, f"{where(path)}:{key}"))
        named = [data.get("contact") or {}, data.get("borough") or {}, *(data.get("comparators") or [])]
        out += [(t["name"], f"{where(path)}:name") for t in named if isinstance(t, dict) and t.get("name")]
    out += _leaflet_titles(config_dir)
    return out


def _leaflet_titles(config_dir: Path) -> list[tuple[str, str]]:
    """The public titles the leaflet prints: its crime types and the newest strategy's targets."""
    from reportgen.config import load_config
    from reportgen.reports.public_figures import breakdown_indicator, crime_indicator, crime_types

    if not (config_dir / "partnership.toml").is_file():
        return []
    config = load_config(config_dir)
    crime = crime_indicator(config)
    ids = [crime, *crime_types(config, breakdown_indicator(config, crime))]
    out = [(config.indicators[i].label, f"{config_dir.name}:indicator {i}") for i in ids]
    newest = max(config.strategies, key=lambda st: st.target.end, default=None)
    for target in newest.targets if newest else ():
        out.append((target.public_title or target.title, f"{config_dir.name}:target {target.number}"))
    return out


def extract(pot: Path = POT, config_dir: Path = CONFIG_DIR) -> Catalog:
    """Collect every translatable message from the package, the templates and the
    partnership's public wording in ``config_dir`` into the .pot."""
    catalog = Catalog(project="reportgen", version=__version__, domain=DOMAIN, creation_date=_fixed_date())
    sources = [(PACKAGE_DIR, [("**.py", "python")])]
    if TEMPLATES_DIR.is_dir():
        sources.append((TEMPLATES_DIR, [("**.j2", "jinja2")]))
    for folder, method_map in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            path = (folder / filename).relative_to(PACKAGE_DIR.parent)
            catalog.add(message, None, [(str(path), lineno)], auto_comments=comments, context=context)
    for message, where in config_messages(config_dir):
        file, _sep, key = where.partition(":")
        catalog.add(message, None, [(file, 0)], auto_comments=[f"partnership setting: {key}"])
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False)
    _write_if_changed(pot, buffer.getvalue())
    return catalog


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def init(code: str) -> Path:
    """Start a catalog for a new language from the .pot, marked as a draft."""
    template = _read_pot()
    catalog = Catalog(locale=code, domain=DOMAIN, project="reportgen", version=__version__,
                      header_comment=DRAFT_HEADER, creation_date=_fixed_date())
    for message in template:
        if message.id:
            catalog.add(message.id, None, message.locations, auto_comments=message.auto_comments)
    return _write(code, catalog)


def update() -> list[Path]:
    """Merge the .pot into every language's catalog: new messages added, gone ones made obsolete."""
    template = _read_pot()
    written = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        code = po.parent.parent.name
        catalog = load_catalog(po, code)
        catalog.update(template, no_fuzzy_matching=False)
        written.append(_write(code, catalog))
    return written


def compile_all() -> list[Path]:
    """Write .mo files beside the catalogs (optional: the catalogs are read directly)."""
    written = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        catalog = load_catalog(po, po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with atomic_path(mo) as tmp, tmp.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def untranslated(code: str) -> list[str]:
    """Messages of the .pot that the language's catalog does not translate."""
    catalog = load_catalog(po_path(code), code)
    missing = []
    for message in _read_pot():
        if not message.id:
            continue
        entry = catalog.get(message.id)
        strings = entry.string if entry is not None else None
        if entry is None or entry.fuzzy or not (all(strings) if isinstance(strings, tuple) else strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def _read_pot() -> Catalog:
    if not POT.exists():
        extract()
    with POT.open("rb") as fh:
        return read_po(fh)


def _write(code: str, catalog: Catalog) -> Path:
    po = po_path(code)
    po.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, ignore_obsolete=False, include_previous=False)
    _write_if_changed(po, buffer.getvalue())
    return po


def _write_if_changed(path: Path, new: bytes) -> None:
    """Write a catalog unless only Babel's version stamp in its header would change, so an
    update (or the test that runs one) never rewrites a tracked file for nothing."""
    if path.exists() and _GENERATED_BY.sub(b"", path.read_bytes()) == _GENERATED_BY.sub(b"", new):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_bytes(new)


_GENERATED_BY = re.compile(rb'^"Generated-By: [^"]*"\n', re.M)


def _fixed_date() -> dt.datetime:
    # Catalog dates would otherwise change on every run and make noisy diffs.
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
