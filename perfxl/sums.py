"""Evaluate the plain sums a declared 合计 may be: SUM, SUMIF, + and − over one sheet's cells.

A total saved as a formula without its result (scripts, openpyxl) reads as empty; when it is a
plain sum over the sheet's own cells perfxl computes it from those cells and checks it like a
typed total (docs/audit.md, total.formula).  Anything else returns None and is reported as not
checked — never skipped silently.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from .numbers import parse_number, to_decimal

if TYPE_CHECKING:
    from .book import Sheet

_REF = r"\$?([A-Z]{1,3})\$?(\d{1,7})"
_RANGE = re.compile(rf"^{_REF}(?::{_REF})?$")
_CRITERION = re.compile(r'^"(>=|<=|<>|>|<|=)?(-?\d+(?:\.\d+)?)"$')


def col_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


MAX_DEPTH = 4  # a total of subtotals of subtotals…; deeper (or circular) is not evaluated


def evaluate_sum(formula: str, sheet: Sheet, depth: int = 0) -> Decimal | None:
    """The value of a plain sum formula (without '='), or None if it is anything else.

    A cell it adds that is itself a formula without its result (a 总分 adding a 合计) is
    evaluated the same way."""
    text = formula.strip().lstrip("=").replace(" ", "").upper()
    if not text or "!" in text or depth > MAX_DEPTH:
        return None
    total = Decimal(0)
    for sign, term in _terms(text):
        value = _term(term, sheet, depth)
        if value is None:
            return None
        total += value if sign == "+" else -value
    return total


def _terms(text: str) -> list[tuple[str, str]]:
    out, depth, start, sign = [], 0, 0, "+"
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > start:
            out.append((sign, text[start:i]))
            sign, start = ch, i + 1
        elif ch in "+-" and depth == 0 and i == start:
            sign, start = ("-" if (ch == "-") != (sign == "-") else "+"), i + 1
    out.append((sign, text[start:]))
    return out


def _term(term: str, sheet: Sheet, depth: int) -> Decimal | None:
    m = re.fullmatch(r"SUM\((.+)\)", term)
    if m:
        parts = [_cells(p, sheet, depth) for p in m.group(1).split(",")]
        if any(p is None for p in parts):
            return None
        return sum((v for p in parts for v in p or ()), Decimal(0))
    m = re.fullmatch(r"SUMIF\(([^,]+),([^,]+)(?:,([^,]+))?\)", term)
    if m:
        return _sumif(m.group(1), m.group(2), m.group(3), sheet, depth)
    cells = _cells(term, sheet, depth)
    if cells is not None and len(cells) == 1 and _RANGE.match(term) and ":" not in term:
        return cells[0]
    try:
        return Decimal(term)
    except InvalidOperation:
        return None


def _cells(ref: str, sheet: Sheet, depth: int) -> list[Decimal] | None:
    m = _RANGE.match(ref)
    if not m:
        return None
    c1, r1 = col_index(m.group(1)), int(m.group(2)) - 1
    c2, r2 = (col_index(m.group(3)), int(m.group(4)) - 1) if m.group(3) else (c1, r1)
    if (r2 - r1 + 1) * (c2 - c1 + 1) > 100000:
        return None
    out = []
    for r in range(min(r1, r2), max(r1, r2) + 1):
        for c in range(min(c1, c2), max(c1, c2) + 1):
            if (r, c) in sheet.uncached:  # a formula inside the range without its result
                inner = sheet.formula_text.get((r, c))
                value = evaluate_sum(inner, sheet, depth + 1) if inner else None
                if value is None:
                    return None
                out.append(value)
                continue
            v = sheet.value(r, c)
            d = to_decimal(v)
            if d is None and isinstance(v, str) and v.strip():
                q = parse_number(v)
                d = q.value if q is not None and not q.percent else Decimal(0)  # Excel's SUM skips text
            out.append(d if d is not None else Decimal(0))
    return out


def _sumif(rng: str, criterion: str, sum_rng: str | None, sheet: Sheet, depth: int) -> Decimal | None:
    values = _cells(rng, sheet, depth)
    sums = _cells(sum_rng, sheet, depth) if sum_rng else values
    cm = _CRITERION.match(criterion)
    if values is None or sums is None or cm is None or len(values) != len(sums):
        return None
    op, bound = cm.group(1) or "=", Decimal(cm.group(2))
    tests = {
        ">": lambda v: v > bound,
        "<": lambda v: v < bound,
        ">=": lambda v: v >= bound,
        "<=": lambda v: v <= bound,
        "=": lambda v: v == bound,
        "<>": lambda v: v != bound,
    }
    keep = tests[op]
    return sum((s for v, s in zip(values, sums, strict=True) if keep(v)), Decimal(0))
