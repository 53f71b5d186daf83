"""Text as a person would read it aloud, for the audio version.

A speech synthesiser reads "01942 828111" as a number in the hundreds of millions and
"2004/05" as a fraction. These rules rewrite such tokens into words first: phone numbers
digit by digit in their groups, financial years as "two thousand and four to two
thousand and five", percentages as "per cent", counts with thousands separators as whole
numbers, years as years. Words come from num2words (British English).
"""

from __future__ import annotations

import re

from num2words import num2words

_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

# 0-prefixed UK numbers in groups ("01942 828111", "0161 872 5050", "0800 555 111")
_PHONE = re.compile(r"(?<![\d,.])0\d{2,4}(?:[ \-]\d{3,6}){1,2}(?!\d)")
# short service numbers said digit by digit when they follow a verb of calling
_SHORT_PHONE = re.compile(r"\b((?:call|ring|dial|phone|telephone|on)\s+)(999|101|111|105)\b", re.IGNORECASE)
_FY = re.compile(r"\b((?:19|20)\d{2})/(\d{2})\b")
_PERCENT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?%")
_PER_THOUSAND = re.compile(r"\bper 1,000\b")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_MONEY = re.compile(r"£(\d[\d,]*(?:\.\d{2})?)")
_YEAR = re.compile(r"(?<![\d,.£])\b(1[89]\d{2}|20\d{2})\b(?![\d,]|\.\d)")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d])")
_QUARTER = re.compile(r"\bQ([1-4])\b")


def number_words(text: str) -> str:
    """'4,095' -> 'four thousand and ninety-five'; '2.5' -> 'two point five'."""
    value = text.replace(",", "")
    number: int | float = float(value) if "." in value else int(value)
    return num2words(number, lang="en").replace(",", "").replace("-", " ")


def year_words(year: int) -> str:
    """1995 -> 'nineteen ninety five'; 2005 -> 'two thousand and five'."""
    if 2000 <= year <= 2009:
        return "two thousand" + (f" and {_DIGITS[year - 2000]}" if year > 2000 else "")
    return num2words(year, lang="en", to="year").replace("-", " ")


def digits_words(digits: str) -> str:
    return " ".join(_DIGITS[int(d)] for d in digits)


def _phone(match: re.Match[str]) -> str:
    groups = re.split(r"[ \-]", match.group(0))
    spoken: list[str] = []
    for group in groups:
        # a six-digit local number is said as two threes: "eight two eight, one one one"
        if len(group) == 6 and len(groups) == 2 and group is groups[-1]:
            spoken += [digits_words(group[:3]), digits_words(group[3:])]
        else:
            spoken.append(digits_words(group))
    return ", ".join(spoken)


def _financial_year(match: re.Match[str]) -> str:
    first = int(match.group(1))
    return f"{year_words(first)} to {year_words(first + 1)}"


def _money(match: re.Match[str]) -> str:
    pounds, _, pence = match.group(1).partition(".")
    spoken = f"{number_words(pounds)} pound{'' if pounds == '1' else 's'}"
    if pence and int(pence):
        spoken += f" and {number_words(str(int(pence)))} pence"
    return spoken


def to_speech(text: str) -> str:
    """Rewrite numbers, percentages, phone numbers, years and financial years as words."""
    text = _PHONE.sub(_phone, text)
    text = _SHORT_PHONE.sub(lambda m: m.group(1) + digits_words(m.group(2)), text)
    text = _FY.sub(_financial_year, text)
    text = _PER_THOUSAND.sub("per thousand", text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(lambda m: f"{number_words(m.group(1))} per cent", text)
    text = _ORDINAL.sub(lambda m: num2words(int(m.group(1)), lang="en", to="ordinal"), text)
    text = _QUARTER.sub(lambda m: f"quarter {_DIGITS[int(m.group(1))]}", text)
    text = _YEAR.sub(lambda m: year_words(int(m.group(1))), text)
    text = _NUMBER.sub(lambda m: number_words(m.group(1) + (m.group(2) or "")), text)
    return " ".join(text.split())
