"""A1 cell names (0-based row/column in, Excel text out)."""

from __future__ import annotations


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
