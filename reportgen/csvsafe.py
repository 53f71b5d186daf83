"""CSV for spreadsheets: text cells that a spreadsheet would run as a formula are neutralised.

A neighbourhood or indicator title comes from config a person wrote; one named
``=HYPERLINK("http://...")`` would become a live formula when the CSV is opened in Excel or
LibreOffice (CSV injection). Following OWASP's advice, a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote, which
spreadsheets show as text. Numbers stay numbers: only text columns are touched.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot start a formula."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype | pd.CategoricalDtype):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame) -> str:
    return spreadsheet_safe(frame).to_csv(index=False)
