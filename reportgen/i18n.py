"""Translations of public documents: gettext catalogs managed with Babel.

Every fixed string of a public document and every generated sentence goes through a
:class:`Language`: ``lang.gettext("How to report a crime")``, or
``lang.ngettext("{n} fewer offence", "{n} fewer offences", n).format(n=lang.number(n))``,
so a translator sees whole sentences with their placeholders and plural forms, and numbers,
percentages and months are formatted for the language by Babel's CLDR data.

Catalogs live in ``reportgen/locale/<lang>/LC_MESSAGES/reportgen.po``; they are read
directly (compiled ``.mo`` files are optional, made by ``reportgen translations compile``).
Shipped catalogs other than English are drafts awaiting review by a qualified translator,
and documents made from them say so.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext as _gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from reportgen.errors import LookupFailure

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "reportgen"
SOURCE_LANGUAGE = "en"
DRAFT_FLAG = "draft"  # set in a catalog's header comment until a translator has reviewed it


@dataclass(frozen=True)
class Language:
    """One language's translations and formatting rules."""

    code: str
    locale: Locale
    translations: _gettext.NullTranslations = field(compare=False)
    draft: bool = False

    @property
    def name(self) -> str:
        """The language's own name for itself, e.g. 'polski', 'اردو'."""
        return self.locale.get_display_name(self.locale) or self.code

    @property
    def english_name(self) -> str:
        return self.locale.get_display_name("en") or self.code

    @property
    def direction(self) -> str:
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    @property
    def tag(self) -> str:
        """A BCP 47 tag for the document's lang attribute ('en-GB', 'pl', 'ur')."""
        return "en-GB" if self.code == SOURCE_LANGUAGE else self.code.replace("_", "-")

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def number(self, value: float, decimals: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float, decimals: int = 0) -> str:
        """13 -> '13%' (or the language's form, e.g. '13 %')."""
        from babel.numbers import format_percent

        pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
        return format_percent(value / 100, format=pattern, locale=self.locale)

    def month_year(self, day: dt.date) -> str:
        """'March 2005' in the language, in the standalone form used in titles."""
        return format_date(day, "LLLL y", locale=self.locale)

    def month_year_of(self, day: dt.date) -> str:
        """The month and year in the form used inside a sentence (Polish 'marca 2005')."""
        return format_date(day, "MMMM y", locale=self.locale)

    def month(self, day: dt.date) -> str:
        """'March' in the language (standalone form)."""
        return format_date(day, "LLLL", locale=self.locale)

    def long_date(self, day: dt.date) -> str:
        """'24 March 2005' ('24 marca 2005', '24 مارچ 2005')."""
        if self.code == SOURCE_LANGUAGE:
            return f"{day.day} {day:%B %Y}"
        return format_date(day, "d MMMM y", locale=self.locale)

    def period_label(self, period: Any) -> str:
        """A :class:`~reportgen.periods.Period`'s label in the language: 'March 2005',
        'January to March 2005', '2004/05' (English keeps ``Period.label`` exactly)."""
        from reportgen.periods import Kind

        if self.code == SOURCE_LANGUAGE:
            return str(period.label)
        first, last = period.first_day, period.last_day
        if period.kind is Kind.MONTH:
            return self.month_year(first)
        if period.kind is Kind.FINANCIAL_YEAR:
            return str(period.key)
        if first.year == last.year:
            return self.gettext("{first} to {last}").format(first=self.month(first), last=self.month_year(last))
        return self.gettext("{first} to {last}").format(first=self.month_year(first), last=self.month_year(last))

    def draft_notice(self) -> str:
        """The notice a draft translation carries, in the language and in English."""
        english = DRAFT_NOTICE
        own = self.gettext(DRAFT_NOTICE)
        if own == english:
            return english
        # In right-to-left text a left-to-right mark keeps the English full stop at its end.
        return f"{own} / {english}\u200e" if self.direction == "rtl" else f"{own} / {english}"


def available() -> list[str]:
    """Language codes with a catalog, plus English."""
    codes = [p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").exists()] if (
        LOCALE_DIR.is_dir()
    ) else []
    return [SOURCE_LANGUAGE, *sorted(codes)]


@functools.cache
def language(code: str | None = None) -> Language:
    """The :class:`Language` for ``code`` (default English). Unknown codes are an error."""
    code = (code or SOURCE_LANGUAGE).replace("-", "_")
    if code in ("en", "en_GB"):
        return Language(SOURCE_LANGUAGE, Locale.parse("en_GB"), _gettext.NullTranslations())
    po = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        raise LookupFailure(
            f"no translation for language {code!r}",
            hint=f"available: {', '.join(available())}; add one with 'reportgen translations init {code}'",
        )
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError) as exc:
        raise LookupFailure(f"{code!r} is not a language Babel knows ({exc})") from None
    catalog = load_catalog(po, code)
    return Language(code, locale, _catalog_translations(catalog), draft=is_draft(catalog))


def for_tag(tag: str | None) -> Language:
    """The :class:`Language` of a document's language tag ('en-GB', 'pl', 'ur'); renderers
    use it because they may run in another process from the builder."""
    code = (tag or SOURCE_LANGUAGE).replace("-", "_")
    if code.lower() in ("en", "en_gb"):
        return language(SOURCE_LANGUAGE)
    return language(code)


def load_catalog(po: Path, code: str) -> Catalog:
    with po.open("rb") as fh:
        return read_po(fh, locale=code, domain=DOMAIN)


def is_draft(catalog: Catalog) -> bool:
    return DRAFT_FLAG in (catalog.header_comment or "").lower()


def _catalog_translations(catalog: Catalog) -> _gettext.GNUTranslations:
    """GNU translations built in memory from a parsed catalog (no .mo file needed)."""
    import io

    buf = io.BytesIO()
    # fuzzy entries are a translator's unfinished work: never print them
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


_NUMBER_GROUP_GAP = re.compile(r"(?<=\d)[ \u00a0](?=\d)")


def keep_numbers_ltr(text: str) -> str:
    """Hold spaced digit groups ('01942 828111', '0800 555 111') in reading order inside
    right-to-left text: a left-to-right mark after each group makes the space between
    groups (and the groups after it) left to right under the Unicode bidi algorithm, where
    they would otherwise be laid out right to left ('828111 01942'). The space becomes a
    no-break space so a number is never split across lines."""
    return _NUMBER_GROUP_GAP.sub("\u200e\u00a0", text)


_DIGIT_GROUP_SPACE = re.compile(r"(?<=\d) (?=\d)")


def keep_digit_groups(text: str) -> str:
    """Join spaced digit groups ('0800 555 111', '01942 828111') with no-break spaces, so a
    phone number is never split across lines in any language or format (readers and screen
    readers see an ordinary space)."""
    return _DIGIT_GROUP_SPACE.sub("\u00a0", text)


# --- the language in force while a document is built ----------------------------------------
# Builders call the module-level functions below; a context variable says which language they
# speak, so one process can build English and Polish leaflets side by side (threads or not).
_CURRENT: contextvars.ContextVar[Language | None] = contextvars.ContextVar("reportgen_language", default=None)


def current() -> Language:
    return _CURRENT.get() or language(SOURCE_LANGUAGE)


@contextlib.contextmanager
def use_language(code: str | None) -> Iterator[Language]:
    """Build documents in ``code`` within the block: ``with use_language("pl"): ...``."""
    lang = language(code)
    token = _CURRENT.set(lang)
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


def _(message: str) -> str:
    """Translate a fixed message into the current language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: float) -> str:
    """Translate a message with a count, choosing the language's plural form for ``n``."""
    return current().ngettext(singular, plural, int(n) if float(n).is_integer() else 2)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext name
    """Mark a message for extraction without translating it yet (translate at use with ``_``)."""
    return message


# Printed on the cover and in the footer of every document made from a draft catalog.
DRAFT_NOTICE = N_("Draft translation awaiting review by a qualified translator.")
