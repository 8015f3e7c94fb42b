"""A small evaluator of perfxl's Excel formula subset, for tests that check formulas against Python.

Parse once with :class:`Formula`, evaluate with a resolver that returns cell values:
``Formula(text)(resolve)`` where ``resolve(sheet, r1, c1, r2, c2)`` gets 0-based corners
(``sheet`` is None for unqualified references) and returns a list of values in row order.
Semantics follow Excel where perfxl relies on them: IF is lazy, blanks are 0 in arithmetic,
numeric text is coerced, text sorts after every number, comparison of texts ignores case,
SUM/MIN/MAX/AVERAGE skip text and booleans inside references, ROUND is half away from zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

Resolver = Callable[[str | None, int, int, int, int], list[object]]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<ref>(?:'(?:[^']|'')+'!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)
    |(?P<num>\d+(?:\.\d+)?(?:E[+-]?\d+)?)
    |(?P<str>"(?:[^"]|"")*")
    |(?P<func>[A-Z]+)\(
    |(?P<op><=|>=|<>|[-+*/=<>(),{}])
    )""",
    re.VERBOSE,
)
_CORNER = re.compile(r"\$?([A-Z]+)\$?(\d+)")

Node = tuple  # type: ignore[type-arg]


class ExcelError(Exception):
    """An Excel error value (#DIV/0!, #VALUE!) raised by the evaluation."""


class Array(list):  # type: ignore[type-arg]
    """A range or an array constant: its values in row order."""


class Ref:
    """A single-cell reference: SUM/MIN/MAX/AVERAGE skip it when it holds text or a boolean."""

    def __init__(self, value: object) -> None:
        self.value = value


def excel_round(x: float, digits: int) -> float:
    """Excel's ROUND: half away from zero on the 15-significant-digit value Excel shows."""
    return float(D(f"{x:.15g}").quantize(D(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def col_index(letters: str) -> int:
    """'A' → 0, 'AA' → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class Formula:
    """A parsed formula (without the leading '=')."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise AssertionError(f"cannot read {text[pos:]!r} in {text!r}")
            assert m.lastgroup is not None
            self.tokens.append((m.lastgroup, m.group(m.lastgroup)))
            pos = m.end()
        self.i = 0
        self.tree = self._compare()
        assert self.i == len(self.tokens), f"trailing tokens in {text!r}"

    def __call__(self, resolve: Resolver) -> object:
        self._resolve = resolve
        return deref(self._eval(self.tree))

    # parsing: comparison < additive < multiplicative < unary < primary
    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _take(self, text: str | None = None) -> tuple[str, str]:
        tok = self.tokens[self.i]
        assert text is None or tok[1] == text, (tok, text, self.text)
        self.i += 1
        return tok

    def _compare(self) -> Node:
        left = self._additive()
        tok = self._peek()
        if tok and tok[0] == "op" and tok[1] in ("=", "<>", "<", ">", "<=", ">="):
            self._take()
            return ("cmp", tok[1], left, self._additive())
        return left

    def _additive(self) -> Node:
        node = self._term()
        while (tok := self._peek()) and tok[0] == "op" and tok[1] in ("+", "-"):
            self._take()
            node = ("bin", tok[1], node, self._term())
        return node

    def _term(self) -> Node:
        node = self._unary()
        while (tok := self._peek()) and tok[0] == "op" and tok[1] in ("*", "/"):
            self._take()
            node = ("bin", tok[1], node, self._unary())
        return node

    def _unary(self) -> Node:
        if self._peek() == ("op", "-"):
            self._take()
            return ("neg", self._unary())
        if self._peek() == ("op", "+"):
            self._take()
        return self._primary()

    def _primary(self) -> Node:
        kind, text = self._take()
        if kind == "num":
            return ("const", float(text))
        if kind == "str":
            return ("const", text[1:-1].replace('""', '"'))
        if kind == "ref":
            return ("ref", text)
        if (kind, text) == ("op", "("):
            node = self._compare()
            self._take(")")
            return node
        if (kind, text) == ("op", "{"):
            items = [self._unary()]
            while self._peek() == ("op", ","):
                self._take()
                items.append(self._unary())
            self._take("}")
            return ("array", items)
        if kind == "func":
            args = []
            if self._peek() != ("op", ")"):
                args.append(self._compare())
                while self._peek() == ("op", ","):
                    self._take()
                    args.append(self._compare())
            self._take(")")
            return ("call", text, args)
        raise AssertionError((kind, text, self.text))

    # evaluating
    def _eval(self, node: Node) -> object:
        tag = node[0]
        if tag == "const":
            return node[1]
        if tag == "ref":
            return self._reference(node[1])
        if tag == "array":
            return Array(to_number(self._eval(x)) for x in node[1])
        if tag == "neg":
            return -to_number(self._eval(node[1]))
        if tag == "cmp":
            return compare(node[1], self._eval(node[2]), self._eval(node[3]))
        if tag == "bin":
            a, b = to_number(self._eval(node[2])), to_number(self._eval(node[3]))
            if node[1] == "/" and b == 0:
                raise ExcelError("#DIV/0!")
            return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0.0}[node[1]]
        name, args = node[1], node[2]
        if name == "IF":  # lazy, as in Excel
            if truth(self._eval(args[0])):
                return deref(self._eval(args[1]))
            return deref(self._eval(args[2])) if len(args) > 2 else False
        return call(name, [self._eval(a) for a in args])

    def _reference(self, text: str) -> object:
        sheet, _, cells = text.rpartition("!")
        corners = [_CORNER.fullmatch(part) for part in cells.split(":")]
        assert all(corners), text
        (c1, r1), (c2, r2) = [
            (col_index(m.group(1)), int(m.group(2)) - 1) for m in corners * (3 - len(corners))
        ]  # type: ignore[union-attr]
        name = sheet[1:-1].replace("''", "'") if sheet else None
        values = self._resolve(name, r1, c1, r2, c2)
        return Ref(values[0]) if ":" not in cells else Array(values)


def deref(v: object) -> object:
    return v.value if isinstance(v, Ref) else v


def to_number(v: object) -> float:
    v = deref(v)
    if v is None or v == "":
        return 0.0
    if isinstance(v, (bool, int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            raise ExcelError("#VALUE!") from None
    raise ExcelError("#VALUE!")


def truth(v: object) -> bool:
    v = deref(v)
    return v if isinstance(v, bool) else to_number(v) != 0


def compare(op: str, a: object, b: object) -> bool:
    a, b = deref(a), deref(b)
    if a in ("", None) and isinstance(b, (int, float)):
        a = 0.0
    if b in ("", None) and isinstance(a, (int, float)):
        b = 0.0
    if a is None:
        a = ""
    if b is None:
        b = ""
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    elif isinstance(a, str) or isinstance(b, str):  # Excel orders every text after every number
        a, b = int(isinstance(a, str)), int(isinstance(b, str))
    return {"=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]  # type: ignore[operator]


def _numbers(args: list[object]) -> list[float]:
    """Arguments of SUM/MIN/MAX/AVERAGE: text and booleans in references are skipped."""
    out: list[float] = []
    for a in args:
        if isinstance(a, (Array, Ref)):
            items = a if isinstance(a, Array) else [a.value]
            out += [float(x) for x in items if isinstance(x, (int, float)) and not isinstance(x, bool)]
        else:
            out.append(to_number(a))
    return out


def call(name: str, args: list[object]) -> object:
    if name in ("AND", "OR"):
        truths = [truth(v) for v in args]
        return all(truths) if name == "AND" else any(truths)
    if name == "SUM":
        return sum(_numbers(args))
    if name in ("MIN", "MAX"):
        return (min if name == "MIN" else max)(_numbers(args), default=0.0)
    if name == "AVERAGE":
        nums = _numbers(args)
        if not nums:
            raise ExcelError("#DIV/0!")
        return sum(nums) / len(nums)
    if name == "ABS":
        return abs(to_number(args[0]))
    if name == "ROUND":
        return excel_round(to_number(args[0]), int(to_number(args[1])))
    if name == "SUMPRODUCT":
        a, b = args
        assert isinstance(a, Array) and isinstance(b, Array)
        if len(a) != len(b):
            raise ExcelError("#VALUE!")
        return sum(
            to_number(x) * to_number(y) if isinstance(y, (int, float)) else 0.0
            for x, y in zip(a, b, strict=True)
        )
    if name == "COUNTIF":
        rng, crit = args[0], deref(args[1])
        assert isinstance(rng, Array)
        if isinstance(crit, str):
            return float(sum(1 for x in rng if isinstance(x, str) and x.lower() == crit.lower()))
        return float(
            sum(1 for x in rng if isinstance(x, (int, float)) and not isinstance(x, bool) and x == crit)
        )
    raise AssertionError(f"{name} is not in perfxl's formula subset")
