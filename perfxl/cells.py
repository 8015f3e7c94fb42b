"""A1 cell names (0-based row/column in, Excel text out) and the display width of text."""

from __future__ import annotations

import math
import re


def col_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    if col < 0:
        raise ValueError(col)
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int, *, absolute: bool = False) -> str:
    """(0, 0) → A1; with absolute=True → $A$1."""
    if absolute:
        return f"${col_letter(col)}${row + 1}"
    return f"{col_letter(col)}{row + 1}"


def sheet_ref(sheet: str, row: int, col: int, *, absolute: bool = False) -> str:
    """A reference usable inside a formula on another sheet: '基础表'!B3."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    return f"{quoted}!{a1(row, col, absolute=absolute)}"


_NARROW_RE = re.compile("[\x00-\u2e80]+")


def text_width(text: str) -> float:
    """Display width in Excel character units: CJK and other wide characters count 1.75."""
    if text.isascii():
        return len(text)
    return len(text) + 0.75 * len(_NARROW_RE.sub("", text))  # what is left are the wide characters


def wrapped_lines(value: object, width: float) -> int:
    """Wrapped lines a text needs in a column of ``width`` characters (CJK counts 1.75)."""
    if not isinstance(value, str) or not value:
        return 1
    units = max(1.0, width - 1)
    return sum(max(1, math.ceil(text_width(part) / units)) for part in value.split("\n"))


def row_height(lines: int) -> float:
    """Row height in points for ``lines`` wrapped lines of 10-point text (Excel's maximum 409)."""
    return min(409.0, 12.75 * lines + 3)
