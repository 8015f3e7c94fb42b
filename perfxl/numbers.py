"""Numbers and targets as evaluators write them (docs/rules.md, targets and units).

Everything returns plain values and never raises on odd text: a failed parse is
``None`` (numbers) or a word target (targets); callers turn that into a finding
with the cell reference.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

HUNDRED = Decimal(100)

# Characters NFKC does not fold the way evaluators mean them.
_EXTRA_FOLD = str.maketrans(
    {
        "≦": "≤",
        "≧": "≥",
        "⩽": "≤",
        "⩾": "≥",
        "－": "-",
        "—": "-",
        "–": "-",
        "～": "~",
        "〜": "~",
        "﹪": "%",
        "％": "%",
        "，": ",",
        "：": ":",
        "（": "(",
        "）": ")",
        "\u3000": " ",
        "\xa0": " ",
    }
)


@lru_cache(maxsize=16384)  # labels, headers and rule texts repeat across rows and workbooks
def normalize(text: str) -> str:
    """Fold full-width forms (１２３％ ＞＝) to ASCII, unify comparators, drop spaces.

    Circled numbers (①②…) are kept as they are: NFKC would turn them into
    digits and rules count them as points.
    """
    out = []
    for ch in text.translate(_EXTRA_FOLD):
        if "\u2460" <= ch <= "\u2473":  # ①..⑳
            out.append(ch)
        else:
            out.append(unicodedata.normalize("NFKC", ch))
    folded = "".join(out).translate(_EXTRA_FOLD)
    folded = folded.replace(">=", "≥").replace("<=", "≤").replace("=>", "≥").replace("=<", "≤")
    return re.sub(r"\s+", "", folded)


def to_decimal(value: object) -> Decimal | None:
    """A cell value that is already numeric (int/float/Decimal) as Decimal."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    return None


def round_half_up(value: Decimal | float, places: int = 2) -> Decimal:
    """四舍五入 like Excel's ROUND (Python's round() is banker's rounding)."""
    dec = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return dec.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_num(value: Decimal | float | None, places: int = 2) -> str:
    """2 → '2', 1.5 → '1.5', 1.655 → '1.66' (half up, trailing zeros dropped)."""
    if value is None:
        return "—"
    text = f"{round_half_up(value, places):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_pct(fraction: Decimal | float | None, places: int = 2) -> str:
    """0.9795 → '97.95%'."""
    if fraction is None:
        return "—"
    dec = fraction if isinstance(fraction, Decimal) else Decimal(repr(float(fraction)))
    return f"{round_half_up(dec * HUNDRED, places):f}%"


# Units evaluators attach to numbers; longest first so 万元 wins over 元.
UNITS = (
    "个工作日",
    "工作日",
    "万人次",
    "人次",
    "场次",
    "万元",
    "亿元",
    "元",
    "人",
    "个",
    "件",
    "次",
    "部",
    "册",
    "项",
    "套",
    "盆",
    "种",
    "块",
    "天",
    "年",
    "条",
    "箱",
    "分",
    "户",
    "家",
    "所",
    "台",
    "辆",
    "间",
    "平方米",
    "米",
    "公里",
    "吨",
    "小时",
    "月",
    "笔",
    "张",
    "份",
    "批",
    "处",
    "座",
    "名",
    "期",
    "分钟",
    "秒",
    "周",
    "季度",
    "倍",
    "亩",
    "公顷",
    "万册",
    "平方公里",
)

_NUM_RE = re.compile(
    r"""^(?P<sign>[+-])?
        (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
        (?P<mult>万(?!元)|亿(?!元))?
        (?P<pct>%|‰|个百分点)?
        (?P<unit>[^\d%]{0,6})$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Quantity:
    """A number as written: value (percent as a fraction), percent flag, unit, text."""

    value: Decimal
    percent: bool = False
    unit: str = ""
    text: str = ""
    change: str = ""  # "down" for 降低2.8%, "up" for 增长3%, "late" for 延期2个月: written as a word

    @property
    def display(self) -> str:
        if self.percent:
            return fmt_pct(self.value)
        return fmt_num(self.value, 4) + self.unit


# units not in the list: up to three letters (批次, 公斤, 立方米, km) — but not time words
# such as "10月底之前", which are qualitative targets
_OTHER_UNIT = re.compile(
    r"^(?![^/]*[之前后底内外左右约余多])[\u4e00-\u9fffA-Za-z]{1,3}(?:/[\u4e00-\u9fff]{1,3})?$"
)
_UNIT_OK = re.compile(
    "^(?:" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")?(?:/[\u4e00-\u9fff]{1,3})?$"
)


# a change written as a word before its size: 降低4%, 同比下降5%, 较上年增长10%, 增加2人
_CHANGE_RE = re.compile(
    r"^(?:同比|环比|较上年|比上年|较去年|比去年|较上年度)?(?P<word>降低|下降|减少|压减|缩减|提高|提升|增长|增加|新增|上升)了?(?=\d)"
)
_DOWN_WORDS = ("降低", "下降", "减少", "压减", "缩减")
# a delay written with its verb (延期2个月, 滞后2年, 迟报3天): the time late itself
_LATE_RE = re.compile(r"^(?:延期|延迟|逾期|超期|推迟|滞后|拖期|迟报|晚报)了?(?=\d)")


def change_word(text: str) -> tuple[str, str]:
    """("down"/"up", the rest) for a change written as a word (降低4% → ("down", "4%")),
    ("", text) otherwise."""
    late = _LATE_RE.match(text)
    if late:
        return "late", text[late.end() :]
    m = _CHANGE_RE.match(text)
    if not m:
        return "", text
    return ("down" if m.group("word") in _DOWN_WORDS else "up"), text[m.end() :]


def parse_number(value: object) -> Quantity | None:
    """'95.7%' → 0.957 percent; '661,263' → 661263; '35人' → 35 人; '五分' → None;
    '降低2.8%' → 0.028 percent with change "down"."""
    dec = to_decimal(value)
    if dec is not None:
        return Quantity(dec, text=str(value))
    if not isinstance(value, str):
        return None
    change, text = change_word(normalize(value))
    if change:
        q = parse_number(text)
        return replace(q, text=value, change=change) if q is not None else None
    if text.startswith("约") or text.startswith("~"):
        text = text[1:]
    text = text.rstrip("。.") if not re.search(r"\d\.$", text) else text
    m = _NUM_RE.match(text)
    if not m:
        return None
    unit = m.group("unit") or ""
    if unit and not (_UNIT_OK.match(unit) or _OTHER_UNIT.match(unit)):
        return None
    try:
        num = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:  # pragma: no cover - regex admits only digits
        return None
    if m.group("sign") == "-":
        num = -num
    mult = m.group("mult")
    if mult == "万":
        num *= 10000
    elif mult == "亿":
        num *= 100000000
    pct = m.group("pct")
    if pct in ("%", "个百分点"):
        return Quantity(num / HUNDRED, True, unit, value)
    if pct == "‰":
        return Quantity(num / 1000, True, unit, value)
    return Quantity(num, False, unit, value)


def cell_text(value: object) -> str:
    """A cell value as the text a person sees (floats without trailing .0)."""
    if type(value) is str:  # the common case first: called for every cell of every sheet
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------- targets

GE, LE, GT, LT, EQ, WITHIN, WORD = "ge", "le", "gt", "lt", "eq", "within", "word"
COMPARATOR_SIGNS = {GE: "≥", LE: "≤", GT: ">", LT: "<", EQ: "=", WITHIN: "±"}

_PREFIXES = (
    ("大于或等于", GE),
    ("大于等于", GE),
    ("不低于", GE),
    ("不少于", GE),
    ("不小于", GE),
    ("达到", GE),
    ("≥", GE),
    ("小于或等于", LE),
    ("小于等于", LE),
    ("不高于", LE),
    ("不超过", LE),
    ("不大于", LE),
    ("不多于", LE),
    ("控制在", LE),
    ("≤", LE),
    ("大于", GT),
    ("高于", GT),
    ("超过", GT),
    (">", GT),
    ("小于", LT),
    ("低于", LT),
    ("<", LT),
    ("=", EQ),
    ("等于", EQ),
)
# longest first: "5人及以下" must not leave "及" in the unit
_SUFFIXES = (
    ("(含)以上", GE),
    ("及以上", GE),
    ("以上", GE),
    ("以内", LE),
    ("(含)以下", LE),
    ("及以下", LE),
    ("以下", LE),
)


@dataclass(frozen=True)
class Target:
    """A parsed 标杆值/指标值: comparator, value (percent as fraction), unit, word, text."""

    comparator: str
    value: Decimal | None = None
    percent: bool = False
    unit: str = ""
    word: str = ""
    text: str = ""
    change: str = ""  # "down" for 降低4% (a fall of at least 4%), "up" for 提高10%

    @property
    def numeric(self) -> bool:
        return self.value is not None

    @property
    def display(self) -> str:
        if self.comparator == WORD:
            return self.word
        if self.change:
            return normalize(self.text)
        assert self.value is not None
        shown = fmt_pct(self.value) if self.percent else fmt_num(self.value, 4) + self.unit
        if self.comparator == WITHIN:
            return f"±{shown}以内"
        if self.comparator == EQ:
            return shown
        return COMPARATOR_SIGNS[self.comparator] + shown


def parse_target(value: object) -> Target | None:
    """'≥90%' → ge 0.9 percent; '±10%以内' → within 0.1; '合理' → word; blank → None."""
    if value is None:
        return None
    if not isinstance(value, str):
        q = parse_number(value)
        return Target(EQ, q.value, False, "", "", cell_text(value)) if q else None
    raw = value.strip()
    if not raw:
        return None
    text = normalize(raw)
    m = re.match(r"^(?:在)?±(.+?)(?:以内|之内|内)?$", text)
    if m:
        q = parse_number(m.group(1))
        if q is not None:
            return Target(WITHIN, abs(q.value), q.percent, q.unit, "", raw)
    change, body = change_word(text)
    if (
        change and change != "late"
    ):  # 降低4%: a fall of at least 4 per cent, compared as ≥4% with the actual's fall
        q = parse_number(body)
        if q is not None:
            return Target(GE, q.value, q.percent, q.unit, "", raw, change)
    comparator = EQ
    body = text
    for prefix, comp in _PREFIXES:
        if body.startswith(prefix):
            comparator, body = comp, body[len(prefix) :]
            break
    for suffix, comp in _SUFFIXES:
        if body.endswith(suffix) and comparator == EQ:
            comparator, body = comp, body[: -len(suffix)]
            break
    q = parse_number(body)
    if q is None and (note := re.match(r"^(.+?)\([^()]*\)$", body)):
        q = parse_number(note.group(1))  # ≤50人(编制数): a note in brackets after the number
    if q is None or q.change == "late":  # a 标杆值 of 延期2个月 is words, not a plan
        return Target(WORD, word=text, text=raw)
    return Target(comparator, q.value, q.percent, q.unit, "", raw)


def as_percent_like(actual: Quantity, target: Target | None) -> Quantity:
    """Read a bare number as a percent when the target is a percent ("≥90%" vs "100").

    A bare value above 1.5 is percentage points (100 → 100%); at or below 1.5 it
    is already a fraction, as Excel stores a cell formatted 0.00%.
    """
    if target is None or not target.percent or actual.percent:
        return actual
    if abs(actual.value) > Decimal("1.5"):
        return Quantity(actual.value / HUNDRED, True, actual.unit, actual.text)
    return Quantity(actual.value, True, actual.unit, actual.text)


def met(target: Target, actual: Decimal) -> bool:
    """Is a numeric target met?  ``eq`` counts as reached (达到指标值) when actual ≥ target."""
    assert target.value is not None
    t = target.value
    if target.comparator in (GE, EQ):
        return actual >= t
    if target.comparator == GT:
        return actual > t
    if target.comparator == LE:
        return actual <= t
    if target.comparator == LT:
        return actual < t
    if target.comparator == WITHIN:
        return abs(actual) <= t
    raise ValueError(target.comparator)


_CN_NUM = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_int(text: str) -> int | None:
    """'三' → 3, '十二' → 12, '4' → 4 (small counts in rule text)."""
    text = normalize(text)
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_NUM and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_NUM[tens] if tens else 1) * 10 + (_CN_NUM[ones] if ones else 0)
    if len(text) == 1:
        return _CN_NUM[text]
    return None


# ------------------------------------------------------------------ units of one quantity

# unit → (family, factor to the family's base unit); a bare number takes the target's unit
_UNIT_FACTORS: dict[str, tuple[str, Decimal]] = {
    "元": ("money", Decimal(1)),
    "万元": ("money", Decimal(10000)),
    "亿元": ("money", Decimal(100000000)),
    "分钟": ("time", Decimal(1) / 60),
    "小时": ("time", Decimal(1)),
    "月": ("months", Decimal(1)),
    "个月": ("months", Decimal(1)),
    "季度": ("months", Decimal(3)),
    "年": ("months", Decimal(12)),
    "公斤": ("mass", Decimal(1)),
    "千克": ("mass", Decimal(1)),
    "吨": ("mass", Decimal(1000)),
    "平方米": ("area", Decimal(1)),
    "亩": ("area", Decimal(10000) / 15),
    "公顷": ("area", Decimal(10000)),
    "人次": ("visits", Decimal(1)),
    "万人次": ("visits", Decimal(10000)),
    "册": ("volumes", Decimal(1)),
    "万册": ("volumes", Decimal(10000)),
    "天": ("days", Decimal(1)),
    "日": ("days", Decimal(1)),
    "周": ("days", Decimal(7)),
}


def unit_factor(from_unit: str, to_unit: str) -> Decimal | None:
    """How many *to_unit* one *from_unit* is (年 → 月: 12); 1 for the same or a bare unit;
    None when they measure different things."""
    if not from_unit or not to_unit or from_unit == to_unit:
        return Decimal(1)
    a, b = _UNIT_FACTORS.get(from_unit), _UNIT_FACTORS.get(to_unit)
    if a and b and a[0] == b[0]:
        return a[1] / b[1]
    if {from_unit, to_unit} <= _COUNT_WORDS:
        return Decimal(1)
    return None


# measure words that count the same thing (3个 meets ≥3项 only when one of them is bare)
_COUNT_WORDS = {
    "个",
    "项",
    "件",
    "次",
    "条",
    "份",
    "处",
    "家",
    "所",
    "户",
    "人",
    "名",
    "套",
    "台",
    "辆",
    "座",
    "批",
}


def align_units(actual: Quantity, target: Target | None) -> tuple[Quantity, str]:
    """The actual in the target's unit, and "" — or the actual unchanged and a Chinese
    description of the conflict (≤1500册 vs 500份; 人 vs 元).

    1.67万, 1.67万元, 16700元 and a bare 1.67 all meet ≤2万元; 12个月 meets =1年; 90分钟 is
    1.5 of ≤2小时.  A bare number takes the target's unit; percentages are left alone.
    """
    if actual.change == "late" and target is not None and target.value is not None:
        # 延期2个月 against 标杆值 ≤12个月: the delay is not the duration the target measures
        return actual, f"业绩值“{actual.text}”是延期时长，标杆值“{target.text}”是计划值，请填写实际用时"
    if target is not None and target.change and actual.change and actual.change != target.change:
        actual = replace(actual, value=-actual.value)  # 增长2% against 降低4%: a fall of −2%
    if target is None or target.value is None or actual.percent or target.percent:
        return actual, ""
    t_unit, a_unit = target.unit, actual.unit
    text = normalize(actual.text) if isinstance(actual.text, str) else ""
    if not a_unit and re.search(r"\d万$", text):
        a_unit = "元" if t_unit in ("万元", "元", "亿元") else a_unit  # "1.67万" was read as 16700
        if t_unit == "万人次":
            a_unit = "人次"
    if not a_unit or not t_unit or a_unit == t_unit:
        return actual, ""
    if "/" in a_unit and "/" in t_unit and a_unit.split("/", 1)[1] == t_unit.split("/", 1)[1]:
        # 0.15万元/平方米 against ≤1500元/平方米: the same denominator, convert the numerator
        factor = unit_factor(a_unit.split("/", 1)[0], t_unit.split("/", 1)[0])
        if factor is not None:
            return Quantity(actual.value * factor, False, t_unit, actual.text), ""
    ta, tt = _UNIT_FACTORS.get(a_unit), _UNIT_FACTORS.get(t_unit)
    if ta and tt and ta[0] == tt[0]:
        value = actual.value * ta[1] / tt[1]
        return Quantity(value, False, t_unit, actual.text), ""
    if a_unit in _COUNT_WORDS and t_unit in _COUNT_WORDS and {a_unit, t_unit} <= {"个", "项", "件"}:
        return Quantity(actual.value, False, t_unit, actual.text), ""
    return actual, f"业绩值的单位“{a_unit}”与标杆值的单位“{t_unit}”不同，无法比较"
