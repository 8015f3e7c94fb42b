"""The clause grammar of 评分标准 texts: split a rule into clauses, read each, compose a Rule.

A rule text is built from a handful of clause types combined freely (docs/rules.md):

- ``definition``  某某率=（实际数/预算数）×100%       — what is measured; carries no points
- ``condition``   ≥90%，计5分 / 80%（含）-90%，计4分   — a numeric condition and its points
- ``label``       健全得3分 / 相符程度高：4分 / 是，得满分 — a word the evaluator writes, its points
- ``step``        每降低1个百分点扣0.5分 / 每少一项扣1分 — a deduction per unit of shortfall
- ``cap``         扣完为止 / 最多扣5分 / 扣满10分为止     — a limit on deductions
- ``item``        ①制度健全，1分 / 设有目标（1分）       — an enumerated point with its points
- ``ratio``       得分=实际完成值/计划值×分值             — score in proportion
- ``judgement``   不符合要求的视具体情况扣分               — a person decides
- ``other``       anything that carries no points

The lexicon (comparators, step verbs, units, points and cap phrases) is data at the top
of this module; :func:`read_clauses` is the tokenizer and classifier; :func:`compose`
maps the clauses onto the rule kinds of :mod:`perfxl.rules`.  Every clause that carries
points must be consumed by the composed rule: when one is not understood, or two
contradict each other, the result is ``manual`` with the clause quoted — never a score
from part of the text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .numbers import GE, GT, HUNDRED, LE, LT, cn_int, fmt_num, fmt_pct, parse_number
from .rules import NONE_OF_THESE, NOT_AS_STATED, NOT_MET, ONE, Rule

NUM = r"\d+(?:\.\d+)?"
CN = "一二两三四五六七八九十"
COUNT = rf"(?:\d+|[{CN}]+)"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# ------------------------------------------------------------------ lexicon (data)

# comparator words → (comparator, side): side "lo" means a lower bound
COMPARATORS: dict[str, str] = {
    "≥": GE, "大于等于": GE, "大于或等于": GE, "不低于": GE, "不少于": GE, "达到": GE, "高于或等于": GE,
    "不得低于": GE, "不应低于": GE, "以上": GE, "及以上": GE, "(含)以上": GE,
    ">": GT, "大于": GT, "高于": GT, "超过": GT, "超出": GT,
    "≤": LE, "小于等于": LE, "小于或等于": LE, "不高于": LE, "不超过": LE, "不大于": LE, "控制在": LE,
    "不得高于": LE, "不得超过": LE, "以下": LE, "及以下": LE, "以内": LE, "(含)以下": LE, "未超过": LE,
    "<": LT, "小于": LT, "低于": LT, "不足": LT, "不到": LT, "少于": LT, "未达到": LT, "达不到": LT,
    "没有达到": LT, "未满": LT, "不满": LT, "多于": GT, "不多于": LE, "不得少于": GE, "不应少于": GE,
    "不能少于": GE, "不得多于": LE, "不应多于": LE, "不能多于": LE, "不低于或等于": GT,
    "=": "eq", "等于": "eq", "为": "eq",
}  # fmt: skip
_PREFIX_CMP = sorted(
    (w for w in COMPARATORS if w not in ("以上", "及以上", "以下", "及以下", "以内", "(含)以上", "(含)以下")),
    key=len,
    reverse=True,
)
_SUFFIX_CMP = {"(含)以上": GE, "及以上": GE, "以上": GE, "(含)以下": LE, "及以下": LE, "以下": LE, "以内": LE}

STEP_BELOW = ("降低", "下降", "减少", "低于", "少", "不足", "缺少", "缺")
# lateness counts time beyond the deadline: above the target
STEP_ABOVE = (
    "超过",
    "超出",
    "高于",
    "增加",
    "多",
    "超支",
    "提高",
    "上升",
    "增长",
    "延迟",
    "延期",
    "推迟",
    "滞后",
    "延误",
    "逾期",
)
STEP_BOTH = ("相差", "偏离", "增减", "变动", "偏差", "差")
STEP_EVENT = ("发现", "出现", "发生", "存在", "有")
COUNT_UNITS = "项个次人例处条份件名起家所篇批场户台辆天日月年周类种套期张"
_AMOUNT_UNITS = "(?:万元|元|公顷|亩|平方米|公里|吨|公斤|千克)"  # amounts, not counts of failures
MEASURE_UNITS = "(?:公斤|千克|万元|元|小时|个工作日|工作日|个月|公顷|亩|平方米|公里|吨|分钟)"

# points phrases: (pattern, meaning) — meaning "pts" (group 1 points), "wpct" (group 1 % of weight),
# "full", "zero"
POINTS: list[tuple[str, str]] = [
    (rf"(?:得|计|给|记|赋)?(?:权重分?|分值|满分)的?({NUM})%(?:的?权重分?)?", "wpct"),
    (rf"(?:得|计|给|记|赋)({NUM})%的?(?:权重分?|分值)", "wpct"),
    (r"(?:得|计|给|记)?(?:一半|半数)的?(?:分值|权重分?|分数)", "half"),
    (
        r"(?:得|计|给|记)?(?:满分|全分|权重分的?100%|全部分值|该项分值|该指标分值|该项指标分值|指标分值)|不扣分"
        r"|得(?:各项)?基本分"
        r"|(?:(?<=以上)|(?<=以下)|(?<=以内)|(?<=达标)|(?<=合格)|(?<=的)|(?<=者))得分$",  # 2000元以上得分
        "full",
    ),
    (r"(?:不得分|不计分|不给分|(?<![\d.])0分|零分|不予计分)", "zero"),
    (rf"(?:得|计|给|记|赋|加)({NUM}(?:/\d+)?)分", "pts"),
    (rf"({NUM})分$", "pts"),
    (rf"\(({NUM})分\)$", "pts"),
    (rf"\(({NUM})%\)$", "wpct"),
    (rf"按({NUM})分计", "pts"),
]
CAPS: list[tuple[str, str]] = [
    (rf"(?:最多|最高|累计|合计|共)?扣满({NUM})分为?止", "max"),
    (rf"(?:最多|最高|累计最多|累计|合计)扣({NUM})分", "max"),
    (rf"扣分(?:最多|最高|不超过|上限为?)({NUM})分", "max"),
    (rf"总扣分数?(?:为|不超过|最多)?({NUM})分", "max"),
    (rf"加分(?:不超过|最多|最高|上限为?)({NUM})分|最多加({NUM})分", "bonus_max"),
    (
        rf"(?:最多|最高)得({NUM})分|累计(?:得分)?不超过({NUM})分|(?:最多|最高)不超过({NUM})分|以({NUM})分为限",
        "award_max",
    ),
    (rf"(?:最多|最高|累计最多|累计)扣(?:该项|该指标|本项)?(?:权重分|分值|权重)的?({NUM})%", "max_weight"),
    (
        rf"扣完(?:{NUM}分)?为止|直至扣为[0零]分|扣为[0零]分为?止|扣到[0零]分为?止|扣至0分为止|扣至零分为止|直至扣完|扣完即止|最低0分|最低为0分|最低得0分|扣分不超过(?:该项|该指标|本项)?(?:分值|权重分?)",
        "floor",
    ),
    (
        r"不超过(?:该项|该指标|本项)?(?:分值|权重分?)|满分为止|最高不超过(?:该项|本项)?(?:分值|满分)|得满分为止|最多得满分|封顶",
        "ceiling",
    ),
]
JUDGEMENT = r"视(?:具体)?情况|按[^,;。]{0,8}?情况(?:计分|打分|评分|赋分|给分)|酌情|由专家|专家评[分议判]|综合评[判定价]|适当扣分|相应扣分|视[^,;。]{0,6}扣分"
RATIO_PATTERNS = [
    r"得分=.*(?:实际|完成|业绩|目标|计划)[^/÷]*?[/÷][^×*x]*?[×*x].*(?:分值|权重)",
    r"(?:实际|完成|业绩)[^/]*?/[^×*x]*?[×*x](?:该项|该指标|本项)?(?:指标)?(?:分值|权重)",
    r"比[例值率]\*?[×*x](?:该项|该指标|本项)?(?:指标)?(?:分值|权重)",
    r"按(?:实际)?完成(?:比例|比率|率|程度)(?:计算|计|折算)?(?:得分|计分|给分)",
    r"(?:分值|权重分?)[×*x][^,;。]{0,10}?(?:率|比例)",
    rf"得分值?[=(].*?(?:{NUM}分?[×*x][^,;。]*率|率[^,;。]*[×*x]{NUM})",
    r"占[^,;。]*?的?(?:比重|比例|比值)计算得分",
    r"按(?:照)?[^,;。]*?(?:百分比|完成比例|完成率)[^,;。]*?(?:赋分|计分|得分)",
    r"乘以[^,;。]*?占[^,;。]*?的?比(?:例|值|率|重)?",
    r"(?:未达到|未完成|不足)[^,;。]{0,8}?按比例(?:计算|折算)?(?:得分|计分|给分|赋分)",
    r"率[×*x](?:该项|该指标|本项)?(?:指标)?(?:分值|权重分?|满分)",
]


# ------------------------------------------------------------------ clauses


@dataclass
class Clause:
    """One clause of a rule text, read: its type and what it says."""

    text: str
    kind: str = "other"  # definition condition label step cap item ratio judgement other
    points: Decimal | None = None  # the points it awards (None: no points)
    points_unit: str = "points"  # points | weight (a fraction of the weight)
    full: bool = False  # awards the full weight
    cond: dict[str, Any] = field(default_factory=dict)  # lo/hi/lo_incl/hi_incl/percent/abs
    label: str = ""
    step: dict[str, Any] = field(default_factory=dict)  # per, unit, direction, deduct, deduct_unit
    cap: tuple[str, Decimal | None] | None = None
    region: dict[str, Any] = field(default_factory=dict)  # a step's range (60%-100%时，每降低…)
    start: dict[str, Any] = field(default_factory=dict)  # where a step's deductions start (90%以下，每降低…)
    cost: Decimal | None = None  # a level that costs points from the full weight (发生一般事故的扣2分)

    @property
    def carries_points(self) -> bool:
        return self.kind in ("condition", "label", "step", "item", "ratio", "judgement", "award") or (
            self.kind == "cap" and self.cap is not None and self.cap[0] in ("max", "max_weight")
        )


def _dec(text: str) -> Decimal:
    if "/" in text:
        a, b = text.split("/", 1)
        return Decimal(a) / Decimal(b)
    return Decimal(text)


_POINTS_RES = [(re.compile(p), meaning) for p, meaning in POINTS]
_CAPS_RES = [(re.compile(p), meaning) for p, meaning in CAPS]
_RATIO_RES = [re.compile(p) for p in RATIO_PATTERNS]
_JUDGEMENT_RE = re.compile(JUDGEMENT)
# an award the lexicon may not know (得一半分值, 得相应分): a clause ends there all the same
_AWARD_WORDS = re.compile(r"(?:得|计|给)[^,;。\d]{1,8}?分")
_TERMINAL_RE = re.compile(
    "|".join(f"(?:{p})" for p, _ in POINTS + CAPS) + "|扣|" + JUDGEMENT + "|" + _AWARD_WORDS.pattern
)


def split(t: str) -> list[str]:
    """Clauses of a prepared text: sentences, then comma pieces grouped so that each clause
    ends at the piece that awards, deducts or caps points."""
    t = re.sub(rf"([{CIRCLED}])", r";\1", t)
    # (1)…(2)…(3) enumerations anywhere in the text, counting up from 1, become ① ② ③
    paren = [int(n) for n in re.findall(r"\(([1-9])\)", t)]
    if len(paren) >= 2 and paren == list(range(1, len(paren) + 1)):
        t = re.sub(r"\(([1-9])\)", lambda m: ";" + CIRCLED[int(m.group(1)) - 1], t)
    # 1. 2、 3) list markers (at the start or after a separator) become ① ② ③
    t = re.sub(
        r"(?:^|(?<=[;。,:]))\(?([1-9]|1[0-9])[.、)](?!\d)",
        lambda m: ";" + CIRCLED[int(m.group(1)) - 1],
        t,
    )
    out: list[str] = []
    for sentence in re.split(r"[;。\n]+", t):
        pieces = [p for p in re.split(r"[,]", sentence) if p]
        acc = ""
        for piece in pieces:
            acc = f"{acc},{piece}" if acc else piece
            if _terminal(piece):
                out.append(acc)
                acc = ""
        if acc:
            if out and not re.search(r"\d", acc) and not _starts_new(acc):
                out[-1] = out[-1] + "," + acc
            else:
                out.append(acc)
    return [c.strip(",:") for c in out if c.strip(",:")]


def _is_definition(piece: str) -> bool:
    """某某率=(实际数/预算数)×100%: what is measured, never a condition."""
    return bool(re.search(r"=.*(?:/|÷|×100%|\*100%)", piece)) and not re.search(r"得分=|扣|得\d", piece)


def _terminal(piece: str) -> bool:
    if _TERMINAL_RE.search(piece):
        return True
    return _is_definition(piece) or any(rx.search(piece) for rx in _RATIO_RES)


def _starts_new(piece: str) -> bool:
    return bool(re.match(r"(?:否则|其他|其余|未|没有|不)", piece))


def _points(text: str) -> tuple[str, Decimal | None, int] | None:
    """(meaning, value, start) of the last points phrase of a clause."""
    best: tuple[str, Decimal | None, int] | None = None
    best_end = -1
    for rx, meaning in _POINTS_RES:
        for m in rx.finditer(text):
            if meaning == "pts" and re.search(r"扣$", text[: m.start()]):
                continue  # 扣1分 is a deduction
            if meaning == "pts" and text[max(0, m.start() - 1) : m.start()] == "扣":
                continue
            value: Decimal | None
            if meaning == "pts":
                value = _dec(m.group(1))
            elif meaning == "wpct":
                value = Decimal(m.group(1)) / HUNDRED
            elif meaning == "half":
                value, meaning = Decimal("0.5"), "wpct"
            elif meaning == "full":
                value = ONE
            else:
                value = Decimal(0)
            # the last phrase; of two readings of the same phrase (计1分 / 1分) the longer one
            if best is None or m.end() > best_end or (m.end() == best_end and m.start() < best[2]):
                best, best_end = (meaning, value, m.start()), m.end()
    return best


def _cap(text: str) -> tuple[str, Decimal | None] | None:
    for rx, meaning in _CAPS_RES:
        m = rx.search(text)
        if m:
            if meaning == "max_weight":
                return meaning, Decimal(m.group(1)) / HUNDRED
            if meaning in ("bonus_max", "award_max"):
                return meaning, Decimal(next(g for g in m.groups() if g))
            return meaning, (Decimal(m.group(1)) if meaning == "max" else None)
    return None


_STEP_RE = re.compile(
    rf"(?:每|与[^,;。]*?每|较[^,;。]*?每)(?P<verb>(?:(?!减[\d.])[^\d{CN},;。扣]){{0,8}})(?P<n>{NUM}|[{CN}]+)?"
    rf"(?P<unit>个百分点|百分点|%|{MEASURE_UNITS}|[{COUNT_UNITS}])?[^,;。]*?[,]?(?:则|的)?(?:扣|减)"
)
_DEDUCT_RE = [
    (
        re.compile(rf"(?:扣|减)(?:减|除)?(?:该项|该指标|本项)?(?:权重分值|权重分|权重|分值|满分)的?({NUM})%"),
        "weight",
    ),
    (re.compile(rf"(?:扣|减)(?:减|除)?({NUM})%的?(?:权重分值|权重分|权重|分值)"), "weight"),
    (re.compile(rf"(?:扣|减)(?:减|除)?({NUM}(?:/\d+)?)分"), "points"),
]
_NOEACH_STEP = re.compile(
    rf"(?P<verb>低于|高于|偏离|超过|超出)(?:目标值|标杆值|指标值|计划值|预期值|标准)?(?P<n>{NUM})(?P<unit>%|个百分点)则?(?:扣|减)"
)


def _deduction(text: str) -> tuple[Decimal, str] | None:
    for rx, unit in _DEDUCT_RE:
        m = rx.search(text)
        if m:
            return (Decimal(m.group(1)) / HUNDRED if unit == "weight" else _dec(m.group(1))), unit
    return None


_ONE_EACH = re.compile(
    rf"(?:发现|出现|存在|有|缺失|缺少|不符合|未完成|未达到)(?P<verb>)(?P<n>一|1)(?P<unit>[{COUNT_UNITS}])[^,;。]*?[,]?(?:则|的)?(?:扣|减)"
)


def _step(text: str) -> dict[str, Any] | None:
    # 发现一项不规范扣0.5分: one occurrence, each deducted
    m = _STEP_RE.search(text) or _NOEACH_STEP.search(text) or _ONE_EACH.search(text)
    if not m:
        return None
    ded = _deduction(text[m.start() :])
    if ded is None:
        return None
    verb = m.group("verb") or ""
    n_text = m.group("n")
    n = (
        (Decimal(cn_int(n_text) or 1) if re.fullmatch(f"[{CN}]+", n_text) else Decimal(n_text))
        if n_text
        else ONE
    )
    unit = m.group("unit") or ""
    if unit in ("个百分点", "百分点", "%"):
        unit = "%"
    elif not unit:
        # 每少一项 / 每一人 … : the count word may sit in the verb
        um = re.search(rf"[{COUNT_UNITS}]", verb)
        unit = um.group(0) if um else ""
    direction = "below"
    if any(w in verb for w in STEP_BOTH):
        direction = "both"
    elif any(w in verb for w in STEP_ABOVE):
        direction = "above"
    elif any(w in verb for w in STEP_EVENT) or (unit in COUNT_UNITS and unit and unit != "%"):
        direction = "event" if not any(w in verb for w in STEP_BELOW) else "below"
    return {
        "per": n,
        "unit": unit,
        "direction": direction,
        "deduct": ded[0],
        "deduct_unit": ded[1],
        "verb": verb,
    }


_RANGE_RE = re.compile(
    rf"±?(?P<a>-?{NUM})(?P<ap>%)?(?P<ai>\(含\))?(?:-|~|至|到)±?(?P<b>-?{NUM})(?P<bp>%)?(?P<bi>\(含\))?(?P<tail>之间|区间)?"
)


_BETWEEN_RE = re.compile(
    rf"(?P<a>-?{NUM})(?P<ap>%)?(?P<c1>≤|<)[^\d≤<≥>]{{1,12}}?(?P<c2>≤|<)(?P<b>-?{NUM})(?P<bp>%)?"
)


def _condition(text: str) -> dict[str, Any] | None:
    """A numeric condition: bounds (fractions when percent) — the part before the points."""
    absolute = bool(re.search(r"\|[^|]*\||绝对值|±", text))
    between = _BETWEEN_RE.search(text)
    if between:  # 80%≤满意度<90%
        return {
            "lo": Decimal(between.group("a")),
            "lo_incl": between.group("c1") == "≤",
            "hi": Decimal(between.group("b")),
            "hi_incl": between.group("c2") == "≤",
            "percent": bool(between.group("ap") or between.group("bp")),
            "abs": absolute,
        }
    m = _RANGE_RE.search(text)
    if m and not re.search(r"\d\s*月", text[m.start() : m.end() + 1]):
        a, b = Decimal(m.group("a")), Decimal(m.group("b"))
        percent = bool(m.group("ap") or m.group("bp"))
        lo, hi = sorted((a, b))
        # "80%-90%" is [80, 90); "(含)" after a bound includes it; "0-10%(含)" is (0, 10]
        lo_incl, hi_incl = True, False
        if m.group("bi"):
            hi_incl, lo_incl = True, bool(m.group("ai"))
        elif m.group("ai"):
            lo_incl = True
        rest = text[m.end() :]
        if re.match(r"[^\d,;:]{0,4}?\(含\)", rest):
            hi_incl, lo_incl = True, False
        return {
            "lo": lo,
            "hi": hi,
            "lo_incl": lo_incl,
            "hi_incl": hi_incl,
            "percent": percent,
            "abs": absolute,
        }
    both = re.search(r"(?P<a>.+?)(?:且|并且|、)(?P<b>.+)", text)
    if both and not m:
        first, second = _one_bound(both.group("a"), absolute), _one_bound(both.group("b"), absolute)
        if first and second and ("lo" in first) != ("lo" in second):
            return {**first, **second}
    return _one_bound(text, absolute)


_PREFIX_RES = [
    (
        word,
        re.compile(
            re.escape(word)
            + rf"±?(?P<v>-?{NUM})(?P<p>%)?(?P<i>\(含(?:{NUM}%?)?\))?(?P<suf>(?:\(含\))?以上|及以上|以上|及以下|以下|以内)?"
        ),
    )
    for word in _PREFIX_CMP
]


def _one_bound(text: str, absolute: bool) -> dict[str, Any] | None:
    for word, rx in _PREFIX_RES:
        if word not in text:
            continue
        for mm in rx.finditer(text):
            comp = COMPARATORS[word]
            if word == "为" and not mm.group("p"):
                continue
            if mm.group("i"):  # 低于80%(含80%): the bound itself is included
                comp = {LT: LE, GT: GE}.get(comp, comp)
            return _bound(comp, Decimal(mm.group("v")), bool(mm.group("p")), absolute, mm.group("suf") or "")
    sm = re.search(
        rf"(?:^|[^\d.])(?P<v>-?{NUM})(?P<p>%)?(?:[^\d,;:%(]{{0,4}}?)(?P<suf>\(含\)以上|\(含\)以下|及以上|及以下|以上|以下|以内)",
        text,
    )
    if sm:
        comp = _SUFFIX_CMP[sm.group("suf")]
        return _bound(comp, Decimal(sm.group("v")), bool(sm.group("p")), absolute, "")
    cm = re.fullmatch(rf"[^\d]{{0,6}}?(?P<v>{NUM})(?P<u>[{COUNT_UNITS}])(?:的|时)?", text.rstrip(",:"))
    if cm and not absolute:
        return _bound("eq", Decimal(cm.group("v")), False, absolute, "")
    em = re.search(rf"^[^\d]*?(?:为|=)?(?P<v>{NUM})(?P<p>%)(?:的|时)?[,:]?", text)
    if em:
        # 达到可种面积的90% / 完成计划的100%: at least that share
        before = text[: em.start("v")]
        comp = "eq"
        if re.search(r"达到|完成|不低于|不少于", before):
            comp = GE
        elif re.search(r"超过|超出|高于|大于|多于", before):
            comp = GT  # 整合财政资金超过项目投资50%
        elif re.search(r"不足|低于|少于|小于|不到", before):
            comp = LT  # 整合资金不足项目投资50%
        return _bound(comp, Decimal(em.group("v")), True, absolute, "")
    return None


def _bound(comp: str, v: Decimal, percent: bool, absolute: bool, suffix: str) -> dict[str, Any]:
    if suffix:
        comp = _SUFFIX_CMP.get(suffix, comp) if comp == "eq" else comp
    c: dict[str, Any] = {"percent": percent, "abs": absolute}
    if comp == GE:
        c.update(lo=v, lo_incl=True)
    elif comp == GT:
        c.update(lo=v, lo_incl=False)
    elif comp == LE:
        c.update(hi=v, hi_incl=True)
    elif comp == LT:
        c.update(hi=v, hi_incl=False)
    else:
        c.update(lo=v, lo_incl=True, hi=v, hi_incl=True)
    return c


_LABEL_STRIP = re.compile(r"(?:的|者|则|,|:|得|计|给|记|为)+$")


def _label(text: str, start: int) -> str:
    head = text[:start]
    head = re.sub(r"^(?:评分标准|标准|评分|计分)[:]?", "", head)
    head = _LABEL_STRIP.sub("", head)
    head = re.sub(r"^[,:]+", "", head)
    return head


_PER_ITEM_AWARD = re.compile(
    rf"(?:每|有一|按件|按次|按项)[^,;。]{{0,16}}?(?:的)?[,]?(?:得|加|给予?|奖励)({NUM})分"
)
_AWARD_CAP = re.compile(
    rf"(?:最多|最高|累计|合计|总计)(?:得分)?(?:得|加|不超过|为)?({NUM})分|加分(?:不超过|最多|最高)({NUM})分"
    rf"|以({NUM})分为限"
)
# 每完成1000亩加0.1分: points for each whole N units
_PER_COUNT = re.compile(rf"每[^,;。\d]{{0,6}}?({NUM})")


# 13-15分 / 得8～12分: a range of points, within which a person decides
_POINT_RANGE = re.compile(rf"(?:得|计|给)?({NUM})分?(?:-|~|至|到)({NUM})分\)?$")


def classify(text: str) -> Clause:
    """Read one clause."""
    c = Clause(text)
    ranged = _POINT_RANGE.search(text)
    if ranged and Decimal(ranged.group(1)) < Decimal(ranged.group(2)):
        # A.符合要求…，13-15分: a level whose points a person chooses within the range
        c.kind, c.label = "label", _label(text, ranged.start())
        return c
    award = _PER_ITEM_AWARD.search(text)
    if award and re.match(r"每[^,;。]{0,3}?[都均]", text[award.start() :]):
        award = None  # 每月都按时报送得6分: every month, not per occurrence
    if award and not re.search(r"扣|减", text):
        # 每获得一项表彰加0.5分，最多加2分 / 有一次会议纪要的得1分，最多得2分
        c.kind, c.points = "award", Decimal(award.group(1))
        limit = _AWARD_CAP.search(text[award.end() :])
        if limit:
            c.cap = ("award_max", Decimal(next(g for g in limit.groups() if g)))
        per = _PER_COUNT.match(text, award.start())
        if per and per.end() <= award.start(1):
            c.step = {"per": _dec(per.group(1))}
        return c
    lead = re.match(rf"^[{CIRCLED}]?(?:评分标准:)?({NUM})分[:](.+)$", text)
    if lead:
        c.points, c.label = Decimal(lead.group(1)), lead.group(2)
        found = _condition(lead.group(2)) if re.search(r"\d", lead.group(2)) else None
        c.kind, c.cond = ("condition", found) if found else ("label", {})
        return c
    if any(rx.search(text) for rx in _RATIO_RES):
        c.kind = "ratio"
        return c
    step = _step(text)
    pts = _points(text)
    cap = _cap(text)
    if step is not None:
        c.kind, c.step, c.cap = "step", step, cap
        # a step clause may open with the full-score condition: 达到100%得满分,每降低1%扣…
        head = text[: text.find("每")] if "每" in text else ""
        if head and pts is not None and pts[2] < len(head):
            c.points, c.full = pts[1], pts[0] == "full"
            c.points_unit = "weight" if pts[0] in ("wpct", "full", "zero") and pts[0] != "zero" else "points"
            c.cond = _condition(head) or {}
        elif head:
            # 人员流动率不得高于10%，每偏离1%扣…: an inclusive bound is the full-score line;
            # a strict one (超过10%的，每超过…) only says where deductions start
            cond = _condition(head) or {}
            deduct_side = (step["direction"] == "below" and "hi" in cond and "lo" not in cond) or (
                step["direction"] == "above" and "lo" in cond and "hi" not in cond
            )
            if cond.get("lo") is not None and cond.get("hi") is not None and cond["lo"] != cond["hi"]:
                c.region = cond  # 资金到位率60%-100%时，每降低1%…: the band deductions apply in
            elif cond and not deduct_side and cond.get("lo_incl", True) and cond.get("hi_incl", True):
                c.cond, c.full = cond, True  # 不得高于10%，每偏离1%…: the full-score line
            elif cond and deduct_side:
                c.start = cond  # 90%以下，每降低1%…: where the deductions start
        base = re.search(rf"在({NUM})分(?:的)?基础上", text)
        if base:
            step["base"] = Decimal(base.group(1))  # 每降低1%在4分基础上扣0.5分
        return c
    judged = _JUDGEMENT_RE.search(text)
    if judged:
        c.kind = "judgement"
        c.label = _label(text, judged.start())
        return c
    if cap is not None and cap[0] in ("bonus_max", "award_max"):
        pts = None  # 加分不超过2分 / 最多得2分: a limit on points per occurrence, not a level
    if cap is not None and cap[0] in ("max", "max_weight") and pts is not None and "扣" in text[: pts[2]]:
        pts = None  # 最多扣权重分的50%: a limit on deductions, not points awarded
    if (
        cap is not None
        and cap[0] == "floor"
        and pts is not None
        and pts[0] == "zero"
        and "扣" in text[: pts[2]]
    ):
        pts = None  # 直至扣为零分: the floor of the deductions, not a level worth 0
    if (
        pts is None
        and cap is None
        and _AWARD_WORDS.search(text)
        and not re.search(
            r"扣|减|该项分|相应分|对应分|各项分|得分[=为]|给予加分|予以加分", text
        )  # 每完成1项取得该项分数 restates the items
    ):
        c.kind = "unread"  # it awards something the lexicon does not know: no partial reading
        return c
    if pts is None:
        if cap is not None:
            c.kind, c.cap = "cap", cap
        elif _is_definition(text):
            c.kind = "definition"
        elif (
            (ded := re.fullmatch(rf"(.+?)的?(?:扣|减)({NUM})分", text))
            and "每" not in text
            and (cost_cond := _condition(ded.group(1))) is not None
        ):
            # 5%以内扣1分，5%-10%之间扣3分: a tier worth the weight less the cost
            c.kind, c.cond, c.cost = "condition", cost_cond, Decimal(ded.group(2))
        elif (ded := re.fullmatch(rf"(.+?)的?(?:扣|减)({NUM})分", text)) and "每" not in text:
            # 不齐全的扣2分 / 机构不健全扣1分: a level (or an item) that costs points
            c.kind, c.label, c.step = "label", ded.group(1), {"deduct": Decimal(ded.group(2))}
        elif re.search(r"扣", text):
            c.kind = "unread"  # deducts something in a way not understood
        return c
    meaning, value, start = pts
    if re.search(r"每(?:满足|符合|实现|完成|达到|具备)一?(?:项|条|点|个)", text):
        c.kind = "unread"  # 每满足一项得33%: a share per item, read by the 要点 phrases
        return c
    c.points = value
    c.full = meaning == "full"
    c.points_unit = "weight" if meaning in ("wpct", "full") else "points"
    if cap is not None and cap[0] == "ceiling":
        c.cap = cap
    head = text[:start]
    if re.match(rf"^[{CIRCLED}]", text) or re.search(rf"\({NUM}(?:分|%)\)$", text):
        c.kind = "item"
        c.label = _label(text, start).lstrip(CIRCLED)
        return c
    found = _condition(head)
    if found is not None:
        c.kind, c.cond = "condition", found
        return c
    c.kind = "label"
    c.label = _label(text, start)
    return c


def read_clauses(t: str) -> list[Clause]:
    """Split a prepared text and read every clause (the tokenizer + classifier)."""
    out = []
    for piece in split(t):
        # "设有目标（1分）目标明确（1分）": items marked by points in brackets, no separators
        items = re.findall(rf"([^()]+?)\(({NUM})分\)", piece)
        if len(items) >= 2 and re.sub(rf"[^()]+?\({NUM}分\)", "", piece).strip(",") == "":
            for label, pts in items:
                out.append(Clause(f"{label}({pts}分)", "item", Decimal(pts), label=label.strip(",")))
            continue
        # "其中:提高灌溉水利用系数2分、新增节水灌溉面积2分、…": items listed with 、
        listed = re.findall(rf"(?:^|[、:])([^、:,\d]+?)({NUM})分(?=、|,|$)", piece)
        if len(listed) >= 2 and piece.count("、") >= len(listed) - 1 and "扣" not in piece:
            for label, pts in listed:
                out.append(Clause(f"{label}{pts}分", "item", Decimal(pts), label=label))
            continue
        spread = _respectively(piece)
        if spread:
            out.extend(spread)
            continue
        if re.search(rf"分别[^,;。]*?{NUM}[^,;。]*?{NUM}", piece):
            out.append(
                Clause(piece, "unread")
            )  # 分别加20、10、6、3分 over levels not understood: no partial reading
            continue
        out.append(classify(piece))
    return out


def _respectively(piece: str) -> list[Clause]:
    """明确、基本明确、不明确，分别计3分、2分、0分 → one level clause per word."""
    m = re.search(rf"分别(?:计|得|给|记|赋|加)?((?:{NUM}分?[、,和及]?)+)", piece)
    if not m:
        return []
    points = [Decimal(x) for x in re.findall(NUM, m.group(1))]
    head = piece[: m.start()]
    head = re.sub(r"(?:按照?|分为|四个等次|三个等次|等次|档次|的|[,:\"“”])+$", "", head)
    words = [
        w.strip('“”"按照')
        for w in re.split(r"[、和及]", head.split(":")[-1].split("按照")[-1])
        if w.strip('“”"')
    ]
    words = [re.sub(r"(?:四个|三个|五个|两个)?(?:等次|档次|等级)$", "", w) for w in words]
    words = [w for w in words if w]
    if len(words) != len(points) or len(points) < 2 or any(re.search(r"\d", w) for w in words):
        return []
    return [Clause(f"{w}:{fmt_num(p)}分", "label", p, label=w) for w, p in zip(words, points, strict=True)]


# ------------------------------------------------------------------ composition


@dataclass
class Reading:
    """What the grammar made of a text: a rule, or why it is left to a person."""

    rule: Rule | None
    clauses: list[Clause]


def _manual(clauses: list[Clause], clause: Clause | str, why: str, final: bool = True) -> Reading:
    """A refusal quoting the clause.  *final*: the text says something no partial reading may
    ignore (a second deduction, a judgement, a contradiction); otherwise the clause was only
    not understood, and a stock-phrase reading that accounts for it may stand."""
    text = clause.text if isinstance(clause, Clause) else clause
    rule = Rule(
        "manual",
        {"clause": text, "final": final},
        f"评分标准中“{text}”{why}，按人工评分处理（保留申报得分）",
        source="text",
    )
    return Reading(rule, clauses)


def _tier_of(c: Clause) -> dict[str, Any]:
    tier = {k: v for k, v in c.cond.items() if k in ("lo", "hi", "lo_incl", "hi_incl")}
    scale = HUNDRED if c.cond.get("percent") else ONE
    for key in ("lo", "hi"):
        if key in tier:
            tier[key] = tier[key] / scale
    tier["points"] = c.points
    tier["unit"] = "weight" if c.points_unit == "weight" else "points"
    if c.cost is not None:
        tier["points"], tier["unit"] = c.cost, "cost"  # the weight less this many points
    tier["label"] = c.text
    tier["percent"] = bool(c.cond.get("percent"))
    return tier


def compose(text: str, clauses: list[Clause]) -> Reading | None:
    """Map clauses onto a rule kind; None when the grammar has nothing to say (no points)."""
    scoring = [c for c in clauses if c.carries_points or c.kind == "unread"]
    if not scoring:
        return None
    # a clause that deducts in words only (应根据超计划时间的百分比扣分) describes the numeric step
    # that follows; it is unread only when no numeric step says what it means
    has_step = any(c.kind == "step" for c in clauses)
    unread = next(
        (c for c in clauses if c.kind == "unread" and (re.search(r"\d", c.text) or not has_step)), None
    )
    if unread is not None:
        return _manual(clauses, unread, "的扣分方式无法识别", final=False)
    caps = [c.cap for c in clauses if c.cap is not None]
    max_deduct = next((cap[1] for cap in caps if cap[0] in ("max", "max_weight")), None)
    max_unit = next((cap[0] for cap in caps if cap[0] in ("max", "max_weight")), "max")
    steps = [c for c in clauses if c.kind == "step"]
    conds = [c for c in clauses if c.kind == "condition"] + [c for c in steps if c.cond]
    labels = [c for c in clauses if c.kind == "label"]
    items = [c for c in clauses if c.kind == "item"]
    judgements = [c for c in clauses if c.kind == "judgement"]
    if steps:
        # 未完成下达指标按未完成比例相应扣分，每降低10%扣1分: the words announce the step that follows
        judgements = [c for c in judgements if not _PROPORTIONAL_WORDS.search(c.text)]
    ratios = [c for c in clauses if c.kind == "ratio"]
    awards = [c for c in clauses if c.kind == "award"]
    bonus_step = _bonus_step(text, clauses, awards)
    if bonus_step is not None:
        return bonus_step
    if awards:
        # 每新增1家得1分，未新增不得分: none at all is the count 0, nothing more
        scoring = [
            c
            for c in scoring
            if not (c.kind == "label" and c.points == 0 and re.match(r"(?:未|没有|无)", c.label or c.text))
        ]
        if len(awards) > 1 or any(c.kind not in ("award", "cap", "other", "definition") for c in scoring):
            others = [c for c in scoring if c is not awards[0]]
            return _manual(clauses, others[0] if others else awards[1], "与按次计分的条款同时出现")
        limit = next(
            (
                c.cap[1]
                for c in clauses
                if c.cap is not None and c.cap[0] in ("award_max", "bonus_max", "max")
            ),
            None,
        )
        award_params: dict[str, Any] = {"per_item": awards[0].points}
        if limit is not None:
            award_params["max"] = limit
        per = awards[0].step.get("per")
        if per is not None and per != ONE:
            award_params["per"] = per  # 每完成1000亩加0.1分: each whole 1000
            return Reading(
                Rule(
                    "bonus",
                    award_params,
                    f"按量计分：每满{fmt_num(per)}计{fmt_num(awards[0].points)}分"
                    + (f"，最多{fmt_num(limit)}分" if limit is not None else "，不超过分值"),
                ),
                clauses,
            )
        tail = f"，最多{fmt_num(limit)}分" if limit is not None else "，不超过分值"
        return Reading(
            Rule("bonus", award_params, f"按次计分：每次（项）{fmt_num(awards[0].points)}分{tail}"), clauses
        )
    absolute = any(c.cond.get("abs") for c in conds) or bool(re.search(r"\|[^|]*\||绝对值", text))

    if ratios:
        floors = [
            c
            for c in conds
            if c.points == 0 and not c.full and c.cond.get("percent") and c.cond.get("hi") is not None
        ]
        floors = floors if len(floors) == 1 and "lo" not in floors[0].cond else []
        others = [
            c
            for c in scoring
            if c.kind not in ("ratio", "cap")
            and not (c.full and c.kind in ("label", "item", "condition"))
            and c not in floors
        ]
        if others:
            return _manual(clauses, others[0], "与按比例计分的条款同时出现")
        floor = floors[0].cond["hi"] / HUNDRED if floors else None
        if re.search(r"率", ratios[0].text) and not re.search(r"/|÷|比值|比例|占.*比", ratios[0].text):
            rule = Rule("proportional", {"cap": ONE}, "比例法：得分 = 分值 × 完成率（执行率），最高得满分")
            if floor is not None:
                rule.params["floor"] = floor
                rule.explanation += f"；完成率低于{fmt_pct(floor)}不得分"
            return Reading(rule, clauses)
        if re.search(r"(?:目标|计划|标杆|预算)[^/÷×*]*[/÷][^×*]*实际", ratios[0].text):
            # 得分=目标成本/实际成本×分值: a lower-is-better ratio the text defines
            rule = Rule("ratio", {"cap": ONE}, "比率法（反向）：得分 = 目标值 / 实际值 × 分值，最高得满分")
        else:
            rule = Rule(
                "ratio",
                {"cap": ONE, "reverse": "manual"},
                "比率法：得分 = 实际值 / 目标值 × 分值，最高得满分",
            )
        if floor is not None:
            rule.params["floor"] = floor
            rule.explanation += f"；完成比例低于{fmt_pct(floor)}不得分"
        if any(c.full and re.search(r"没有|无", c.text) for c in clauses if c.kind in ("label", "item")):
            rule.params["no_task_full"] = True  # 若实施方案没有该项建设任务的，不扣分
            rule.explanation += "；没有该项任务（标杆值为空）的不扣分"
        return Reading(rule, clauses)

    costs = [c for c in labels if c.points is None and c.step.get("deduct") is not None]
    if costs and len(costs) == len(labels) and len(costs) == 1 and not conds and not steps and not items:
        # 未及时发现并予以制止扣1分，总扣分数2分: each occurrence costs the points
        d = costs[0].step["deduct"]
        each: dict[str, Any] = {"deduct": d, "deduct_unit": "points"}
        if max_deduct is not None:
            each["max_deduct"] = max_deduct
        return Reading(
            Rule("deduct_each", each, f"逐项扣分法：{costs[0].label}，每次扣{fmt_num(d)}分"), clauses
        )
    per_time = [c for c in costs if _PER_OCCURRENCE.search(c.text)]
    if per_time and len(costs) >= 2:
        # 不出勤一天扣5分；未佩带标志的一次扣2分: deductions per occurrence of two kinds, one count
        return _manual(
            clauses,
            per_time[-1] if per_time[-1] is not costs[0] else costs[1],
            "是另一条按次扣分规则，无法与前一条合并",
        )
    if costs and len(costs) == len(labels) and len(costs) >= 2 and not conds:
        # 机构不健全扣2分，人员不落实扣2分，…: each failed item costs its points
        deducts = [c.step["deduct"] for c in costs]
        return Reading(
            Rule(
                "checklist",
                {"mode": "deduct_points", "deducts": deducts, "n": len(deducts)},
                "要点法（扣分式）：" + "；".join(f"{c.label}扣{fmt_num(c.step['deduct'])}分" for c in costs),
                points_named=len(deducts),
            ),
            clauses,
        )
    if costs:
        known = [c for c in labels if c.points is not None]
        if not known:
            return _manual(clauses, costs[0], "扣分的基数不明确", final=False)
        top = max(known, key=lambda c: c.points or Decimal(0))
        for c in costs:
            if top.points_unit == "weight":
                c.cost = c.step["deduct"]  # 未发生事故的得满分，发生一般事故的扣2分: full weight − 2
            else:
                c.points = max(Decimal(0), (top.points or Decimal(0)) - c.step["deduct"])
    if judgements:
        awarded = [c for c in labels + conds if c.points is not None]
        if not awarded:
            return _manual(clauses, judgements[0], "需要评价人员判断")
        pairs = [(c.label or c.text, c.points, c.points_unit) for c in labels]
        pairs += [(j.label or j.text, None, "points") for j in judgements]
        if conds and not labels:
            return _manual(clauses, judgements[0], "需要评价人员判断")
        return Reading(_labels_rule(pairs), clauses)

    if steps and len(items) == 1 and items[0].points is not None:
        # ①评分标准:符合全部3项指标的按100分计；每不符合1项扣40分: the one item is the full score
        labels, items = [*labels, items[0]], []
    if steps:
        return _compose_step(text, clauses, steps, conds, labels, items, max_deduct, absolute, max_unit)

    if items and any(c.points is None and c.cost is None and not c.step for c in labels):
        # 服务对象是农业、农村、农民(2分)，其他(0-1分): levels, one of them a range for a person
        labels, items = [*items, *labels], []
        for c in labels:
            c.label = c.label or re.sub(rf"\({NUM}分\)$", "", c.text).strip("。,;: ")
    zero_items = [c for c in items if c.points == 0]
    level_zero = [
        c
        for c in labels
        if c.points == 0
        and not c.full
        and not re.match(r"(?:否则|其他|其余|未|没有|无)", c.label or c.text)
        and not re.search(r"上述|以上|均不|都不|全部不|均未|都未|全部未", c.text)
    ]
    if len(items) >= 2 and not zero_items and level_zero and len(level_zero) == len(labels) and not conds:
        # (1)近2年净资产增值15分(2)…保值9分(3)…一年减少6分，两年都减少0分: levels, the last worth 0
        labels, items = [*items, *labels], []
        for c in labels:
            c.label = c.label or _label(c.text, len(c.text))
    if len(items) >= 2 and zero_items and not labels:
        if all(re.search(r"上述|以上|均不|都不|全部不", c.text) for c in zero_items):
            # (1)…5分(2)…5分(3)上述两项均不符合0分: items to add up; the last restates "none met"
            items = [c for c in items if c.points != 0]
        else:
            # (1)有独立办公用房15分(2)与其他单位共用9分(3)无办公用房0分: levels, not items to add up
            labels, items = [*items], []
            for c in labels:
                c.label = c.label or _label(c.text, len(c.text))
    if len(items) == 1 and not conds and not labels:
        # 出台了…实施办法(3分): one item, earned or not
        item = items[0]
        name = item.label or re.sub(rf"[(]{NUM}分[)]", "", item.text).strip("。,;: ")
        if not name and clauses.index(item) > 0:  # 有制度、有台账。(10分): the sentence before names it
            name = clauses[clauses.index(item) - 1].text.strip("。,;: ")
        levels = [(name, item.points, item.points_unit), (NOT_MET, Decimal(0), "points")]
        return Reading(_labels_rule(levels), clauses)
    if items and not conds:
        if labels and not all(c.full or c.points == 0 for c in labels):
            return _manual(clauses, labels[0], "与逐项计分的要点同时出现", final=False)
        pts = [c.points or Decimal(0) for c in items]
        if all(c.points_unit == "weight" for c in items) and sum(pts, Decimal(0)) == ONE:
            # ①实施方案完整（40%）；②进度安排合理（30%）；③保障措施到位（30%）
            shown = "、".join(f"{fmt_num(p * HUNDRED)}%" for p in pts)
            return Reading(
                Rule(
                    "checklist",
                    {"mode": "award", "shares": pts, "n": len(pts)},
                    f"要点法：{len(pts)}项分别占权重分的{shown}，符合则得分",
                    points_named=len(pts),
                ),
                clauses,
            )
        if any(c.points_unit == "weight" for c in items):
            return _manual(clauses, items[0], "要点分值以权重比例表示", final=False)
        total = sum(pts, Decimal(0))
        if total <= 0:
            return _manual(clauses, items[0], "要点分值为0")
        shares = [p / total for p in pts]
        shown = "、".join(fmt_num(p) for p in pts)
        return Reading(
            Rule(
                "checklist",
                {"mode": "award", "shares": shares, "n": len(pts), "full": total},
                f"要点法：{len(pts)}项分别计{shown}分（共{fmt_num(total)}分），符合则得分",
                points_named=len(pts),
            ),
            clauses,
        )

    if conds and all(c.cond.get("percent") for c in conds):
        for lab in list(labels):
            if lab.points and re.search(
                r"全部(?:或超额)?完成|超额完成|完成(?:年度)?(?:计划|目标|任务)+$", lab.label
            ):
                # 计划建成面积数全部或超额完成，得20分 beside 80-100%得10分: the ≥100% tier
                lab.kind, lab.cond = (
                    "condition",
                    {"lo": HUNDRED, "lo_incl": True, "percent": True, "abs": False},
                )
                labels.remove(lab)
                conds.append(lab)
    delay = _on_time_tier(labels, conds) if not steps and not items else None
    if delay is not None:  # 按时完成的计3分…延期1-3个月(含)的计1分: tiers of the delay past the target
        labels.remove(delay)
        conds.insert(0, delay)
    every = _every_time(labels, conds)
    if every is not None:  # 每月都按时报送得6分 beside 有1-3次未按时…得4分: the count 0
        every.kind, every.cond = "condition", {"lo": Decimal(0), "lo_incl": True, "hi": Decimal(0),
                                                "hi_incl": True, "percent": False, "abs": False}  # fmt: skip
        labels.remove(every)
        conds.append(every)
    # 无结余，3分；有结余但不超过上年结转，2分 — words mixed with numbers: a person reads them
    if conds and labels and not all(c.points == 0 or c.full for c in labels):
        if not all(c.points == 0 and not c.full and c.cost is None for c in conds) or steps or items:
            return _manual(clauses, labels[0], "以文字描述的档次与数值档次同时出现", final=False)
        # 各分户均符合标准得3分；差错率超过20%不得分: a value past the numeric line scores 0,
        # anything else is the words' level, a person's call
        tiers = [_tier_of(c) for c in conds]
        shown = "；".join(str(t["label"]) for t in tiers)
        zero_line = {"tiers": tiers, "abs": absolute, "otherwise": "manual"}
        return Reading(Rule("tiers", zero_line, f"分档法：{shown}；其余按文字档次由评价人员判断"), clauses)
    if conds and items:
        # (1)资产增值得6分（2）…（3）资产减值2%以内得2分，减值超过2%得0分: the items carry points the
        # numeric tiers do not account for
        return _manual(clauses, items[0], "与数值档次同时出现", final=False)
    if conds:
        tiers = [_tier_of(c) for c in conds]
        # a value no tier covers is 0 only where the text says so (否则/其余…不得分); a gap
        # between listed tiers or below the lowest is left to a person
        # a bonus (…以上的加30分) gives nothing otherwise
        explicit_else = bool(re.search(r"否则|其他|其余|以外|未达到(?!\d)|达不到(?!\d)|加\d", text)) or any(
            c.points == 0 and not c.full for c in labels
        )
        for lab in labels:  # 否则不得分
            if lab.points not in (None, Decimal(0)):
                return _manual(clauses, lab, "无法与数值档次对应")
        _close_integer_ranges(tiers)
        _shared_bounds(tiers)
        if _overlap(tiers) or _contradicting_nests(tiers):
            return _manual(clauses, conds[0], "各档区间重叠")
        tiers.sort(key=_tier_order)
        if _ONWARDS.search(text):
            extended = _extend_tiers(tiers)
            if extended is None:
                return _manual(clauses, conds[-1], "的“依次类推”无法确定后续各档")
            tiers, explicit_else = extended, True
        params: dict[str, Any] = {"tiers": tiers, "abs": absolute}
        if delay is not None:
            params["excess"] = True  # measured as actual − target (14个月 against ≤12个月: 2)
            unit = re.search(r"个工作日|工作日|个月|月|天|日|年|周", " ".join(c.text for c in conds[1:]))
            if unit is None:
                return _manual(clauses, conds[-1], "的时间单位不明确", final=False)
            params["excess_unit"] = unit.group(0)
        if _counts_failures(tiers, conds):
            params["count_failures"] = True  # 有1-3次未按时报送: the 不符合项数 when 业绩值 is blank
        if not explicit_else:
            params["otherwise"] = "manual"
        shown = "；".join(str(t["label"]) for t in tiers)
        tail = "；其余不得分" if params.get("otherwise") != "manual" else "；未达到时由评价人员判断"
        return Reading(Rule("tiers", params, f"分档法：{shown}{tail}"), clauses)

    yes_no_items = _yes_no_items(labels)
    if yes_no_items and not conds and not steps and not items:
        pts = [c.points or Decimal(0) for c in yes_no_items]
        total = sum(pts, Decimal(0))
        if total > 0 and all(c.points_unit == "points" for c in yes_no_items):
            return Reading(
                Rule(
                    "checklist",
                    {"mode": "award", "shares": [p / total for p in pts], "n": len(pts), "full": total},
                    "要点法："
                    + "；".join(f"{c.label}得{fmt_num(c.points)}分" for c in yes_no_items)
                    + "，未完成不得分",
                    points_named=len(pts),
                ),
                clauses,
            )
    if labels:
        pairs = [(c.label or c.text, c.points, c.points_unit) for c in labels]
        level_costs = {c.label or c.text: c.cost for c in labels if c.cost is not None}
        if len({p[0] for p in pairs}) != len(pairs) or any(not p[0] for p in pairs):
            return _manual(clauses, labels[0], "的档次文字无法区分")
        if len(pairs) == 1 and pairs[0][1] == 0:
            # 存在缺失不得分: the one stated level is the failure; otherwise full marks
            pairs.insert(0, (NONE_OF_THESE, ONE, "weight"))
        elif len(pairs) == 1 and re.search(r"加\d", labels[0].text):
            pairs.append((NOT_AS_STATED, Decimal(0), "points"))  # 是的加20分: a bonus, else nothing
        elif len(pairs) == 1:
            # one awarding phrase (…得3分): met → its points; not met is not stated → a person
            pairs.append((NOT_AS_STATED, None, "points"))
        rule = _labels_rule(pairs)
        for lab in rule.params["labels"]:
            if lab["label"] in level_costs:
                lab["cost"] = level_costs[lab["label"]]
                lab["points"] = None
        return Reading(rule, clauses)
    if max_deduct is not None:
        return _manual(
            clauses, next(c for c in clauses if c.kind == "cap"), "没有可对应的扣分条款", final=False
        )
    return None


# a cost per occurrence (一天扣5分, 一次扣2分), not a level that costs points once
_PER_OCCURRENCE = re.compile(r"(?:^|[^\d第])(?:一|1)(?:天|日|次|处|起|人|例|户|件)[^,;。]{0,3}?扣")
_FAILURE_WORDS = re.compile(r"未|没有|不[能按合符]|迟|差错|错误|违[规纪法]|问题|投诉|事故")


def _integer_tiers(tiers: list[dict[str, Any]]) -> bool:
    return bool(tiers) and all(
        not t.get("percent")
        and all(t.get(k) is None or t[k] == t[k].to_integral_value() for k in ("lo", "hi"))
        for t in tiers
    )


def _close_integer_ranges(tiers: list[dict[str, Any]]) -> None:
    """1-3次得4分；4-6次得2分: counts tile the integers, so each range includes its upper end
    (3 is in 1-3) wherever the next range starts one above it."""
    if not _integer_tiers(tiers):
        return
    starts = {t["lo"] for t in tiers if t.get("lo") is not None and t.get("lo_incl", True)}
    for t in tiers:
        if t.get("hi") is not None and not t.get("hi_incl") and t["hi"] + 1 in starts:
            t["hi_incl"] = True


def _every_time(labels: list[Clause], conds: list[Clause]) -> Clause | None:
    """The level "every time" (每月都按时报送得6分) beside tiers over a count of failures that
    start at 1 (有1-3次未按时…得4分) and all give less: it is the count 0."""
    tiers = [_tier_of(c) for c in conds]
    starts = [t["lo"] for t in tiers if t.get("lo") is not None]
    if not _counts_failures(tiers, conds) or min(starts, default=None) != 1:
        return None
    every = [lab for lab in labels if lab.points and re.search(r"[都均]|全部", lab.text)]
    if len(every) != 1 or every[0].points_unit != "points" or every[0].cost is not None:
        return None
    if any(t.get("unit") != "points" or t["points"] >= (every[0].points or 0) for t in tiers):
        return None
    return every[0]


def _counts_failures(tiers: list[dict[str, Any]], conds: list[Clause]) -> bool:
    """Tiers over a count of failures (迟报1-3次 / 出现2次差错): scored from 不符合项数 as well."""
    counted = [c for c in conds if c.cond.get("hi") != 0]  # the count 0 (每月都按时) names no failure
    return _integer_tiers(tiers) and bool(counted) and all(_FAILURE_WORDS.search(c.text) for c in counted)


_ONWARDS = re.compile(r"[依以]次类推|[依以]此类推")


def _extend_tiers(tiers: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """完成目标得10分，完成90%得9分，完成80%得8分，依次类推: continue an evenly spaced run of
    "at least" tiers (same step in the bound and in the points) until the points reach 0;
    below the last tier nothing.  None when the listed tiers are not such a run."""
    run = [t for t in tiers if "hi" not in t]
    if len(run) < 2 or len(run) != len(tiers) or any(t["unit"] != "points" for t in run):
        return None
    run.sort(key=lambda t: t["lo"], reverse=True)
    bound_steps = {run[i]["lo"] - run[i + 1]["lo"] for i in range(len(run) - 1)}
    point_steps = {run[i]["points"] - run[i + 1]["points"] for i in range(len(run) - 1)}
    if len(bound_steps) != 1 or len(point_steps) != 1:
        return None
    d_bound, d_points = bound_steps.pop(), point_steps.pop()
    if d_bound <= 0 or d_points <= 0:
        return None
    out = list(run)
    while out[-1]["points"] - d_points > 0 and out[-1]["lo"] - d_bound > 0:
        last = out[-1]
        lo, pts = last["lo"] - d_bound, last["points"] - d_points
        shown = f"{fmt_pct(lo, 0)}" if last["percent"] else fmt_num(lo)
        out.append({**last, "lo": lo, "points": pts, "label": f"（依次类推）{shown}得{fmt_num(pts)}分"})
    return out


_PROPORTIONAL_WORDS = re.compile(r"按[^,;。]{0,6}比例[^,;。]{0,4}扣分$")


def _yes_no_items(labels: list[Clause]) -> list[Clause]:
    """全部完成A得5分，未完成不得分；全部完成B得5分，未完成不得分: two items, each earned or not
    (the positive levels), when every positive level is followed by a zero level."""
    if len(labels) < 4 or len(labels) % 2:
        return []
    positives = labels[0::2]
    zeros = labels[1::2]
    if all(p.points and p.points > 0 for p in positives) and all(
        z.points == 0 and re.match(r"(?:未|不|没有|否则|无)", z.label) for z in zeros
    ):
        return positives
    return []


_DELAY = re.compile(r"延期|延迟|逾期|超期|推迟|滞后|拖期")
_ON_TIME = re.compile(r"按时|按期|如期|提前")


def _on_time_tier(labels: list[Clause], conds: list[Clause]) -> Clause | None:
    """按时完成的计3分，提前完成的计3分 beside 延期1个月以内(含)的计2分…: the on-time levels are the
    tier "no delay" (≤ 0), and each delay tier starts above 0.  None when the text is not that."""
    if not conds or not labels or not all(_DELAY.search(c.text) for c in conds):
        return None
    if any(c.cond.get("percent") or c.cond.get("abs") for c in conds):
        return None
    if not all(_ON_TIME.search(lab.label or lab.text) and lab.points is not None for lab in labels):
        return None
    if len({(lab.points, lab.points_unit, lab.full) for lab in labels}) != 1:
        return None  # 提前完成 worth more than 按时: a person reads it
    for c in conds:
        if c.cond.get("lo") is None:
            c.cond.update(lo=Decimal(0), lo_incl=False)  # 延期1个月以内: more than 0, up to 1
    on_time = labels[0]
    on_time.kind = "condition"
    on_time.cond = {"hi": Decimal(0), "hi_incl": True, "percent": False, "abs": False}
    for lab in labels[1:]:
        lab.kind = "other"  # the same level said twice (按时 / 提前)
    del labels[1:]
    return on_time


def _shared_bounds(tiers: list[dict[str, Any]]) -> None:
    """1-3个月(含)的计1分 beside 3个月以上的不计分: a bound both tiers claim belongs to the one that
    says (含)."""
    for t in tiers:
        for u in tiers:
            if u is t or "(含)" not in str(u["label"]) or "(含)" in str(t["label"]):
                continue
            if (
                t.get("lo") is not None
                and t.get("lo_incl", True)
                and u.get("hi") == t["lo"]
                and u.get("hi_incl")
            ):
                t["lo_incl"] = False
            if (
                t.get("hi") is not None
                and t.get("hi_incl")
                and u.get("lo") == t["hi"]
                and u.get("lo_incl", True)
            ):
                t["hi_incl"] = False


def _overlap(tiers: list[dict[str, Any]]) -> bool:
    """Two ranges with both bounds that overlap (nested one-sided tiers are fine: the
    tightest is tried first, ≥100% before ≥90%)."""
    spans = sorted((t["lo"], t["hi"]) for t in tiers if t.get("lo") is not None and t.get("hi") is not None)
    return any(b[0] < a[1] for a, b in itertools.pairwise(spans))


def _contradicting_nests(tiers: list[dict[str, Any]]) -> bool:
    """Nested one-sided tiers that do not step down together (低于65%不得分；低于55%的扣10分):
    the tighter tier would win, so a worse value would score more — a person reads such a text."""
    lows = [t for t in tiers if t.get("hi") is not None and t.get("lo") is None]
    highs = [t for t in tiers if t.get("lo") is not None and t.get("hi") is None]
    for group in (lows, highs):
        if len(group) < 2:
            continue
        if any(t.get("unit") == "cost" for t in group) or len({t.get("unit") for t in group}) > 1:
            return True
        ordered = sorted(group, key=lambda t: t["hi"] if "hi" in t else -t["lo"])
        worse_first = group is lows  # the tightest low tier is the worst value
        pts = [t["points"] for t in ordered]
        if worse_first and any(a > b for a, b in itertools.pairwise(pts)):
            return True
        if not worse_first and any(a < b for a, b in itertools.pairwise(pts)):
            return True
    return False


def _tier_order(t: dict[str, Any]) -> tuple[int, Decimal, Decimal]:
    big = Decimal("1e18")
    if t.get("lo") is not None:
        return (0, -t["lo"], t.get("hi", big))
    return (1, t.get("hi", big), Decimal(0))


def _labels_rule(pairs: list[tuple[str, Decimal | None, str]]) -> Rule:
    shown = "；".join(
        f"{label}：{'人工判断' if pts is None else ('满分' if unit == 'weight' and pts == ONE else fmt_num(pts) + '分')}"
        for label, pts, unit in pairs
    )
    labels = [{"label": label, "points": pts, "unit": unit} for label, pts, unit in pairs]
    return Rule("labels", {"labels": labels}, f"档次法：业绩值（或要点判定）写明档次，{shown}")


def _compose_step(
    text: str,
    clauses: list[Clause],
    steps: list[Clause],
    conds: list[Clause],
    labels: list[Clause],
    items: list[Clause],
    max_deduct: Decimal | None,
    absolute: bool,
    max_unit: str = "max",
) -> Reading:
    if items:
        return _manual(clauses, items[0], "与扣分条款同时出现")
    costed = next((c for c in conds if c.cost is not None), None)
    if costed is not None:
        return _manual(clauses, costed, "是另一条扣分规则，无法与前一条合并")
    tail = _stepped_tail(text, clauses, steps, conds, labels, max_deduct)
    if tail is not None:
        return tail
    sides = _two_sides(steps)
    if len(steps) > 1 and sides is None:
        first = steps[0].step
        if any(s.step != first for s in steps[1:]):
            return _manual(clauses, steps[1], "是第二条扣分规则，无法与前一条合并")
    s = sides or steps[0].step
    full_conds = [
        c for c in conds if c.full or (c.points is not None and c.points_unit == "points" and c.points > 0)
    ]
    zero_conds = [c for c in conds if c.points == 0 and not c.full]
    partial = [c for c in full_conds if not c.full]
    if len(full_conds) > 1:
        return _manual(clauses, full_conds[1], "与扣分条款同时给出多个得分档")
    full_points = partial[0].points if partial else None
    count_step = bool(s["unit"]) and s["unit"] != "%"
    for lab in labels:
        if count_step and lab.points == 0 and re.match(r"(?:无|没有|未)", lab.label):
            continue  # 无计划，不得分 beside 缺失一项扣1分: nothing at all is the last failure
        if (
            lab.points == 0
            and not lab.full
            and not re.search(r"^(?:否则|其他|其余|未达到|达不到)", lab.label)
        ):
            return _manual(clauses, lab, "是另一条不得分条件，无法与扣分条款合并", final=False)
        if lab.points == 0 or lab.full:
            continue
        if full_points is None:
            full_points = lab.points
        elif lab.points != full_points:
            return _manual(clauses, lab, "与其他得分条款矛盾")
    params: dict[str, Any] = {
        "per": s["per"],
        "deduct": s["deduct"],
        "deduct_unit": s["deduct_unit"],
    }
    if s.get("deduct_below") is not None:
        params["deduct_below"] = s["deduct_below"]  # 超支的每1%扣0.3分；结余的每1%扣0.1分
    if max_deduct is not None:
        params["max_deduct"] = max_deduct
        if max_unit == "max_weight":
            params["max_deduct_unit"] = "weight"
    if full_points is not None:
        params["full"] = full_points
    unit = s["unit"]
    if (
        re.fullmatch(_AMOUNT_UNITS, unit)
        and s["direction"] in ("below", "above")
        and not zero_conds
        and not full_conds
    ):
        # 每少10万元扣1分: steps of an amount in its own unit from the 标杆值
        params.update(absolute=True, per_unit=unit)
        if s["direction"] == "above":
            params["comparator"] = LE
        word = "超过" if s["direction"] == "above" else "少"
        return Reading(
            Rule(
                "step", params, f"扣分法：以标杆值为满分线，每{word}{fmt_num(s['per'])}{unit}{_ded_text(s)}"
            ),
            clauses,
        )
    if unit and unit != "%" and not full_conds:
        # 每少一项/每发现一次 扣N分: a count of failures
        if zero_conds:
            # 每迟报一天扣1分；迟报四天及以上不得分: a count at which the row scores nothing
            bounds = [z.cond.get("lo") for z in zero_conds]
            if any(b is None for b in bounds) or any(
                z.cond.get("percent") or "hi" in z.cond for z in zero_conds
            ):
                return _manual(clauses, zero_conds[0], "与逐项扣分同时出现", final=False)
            first = zero_conds[0].cond
            lowest = min(b for b in bounds if b is not None)
            params["zero_at"] = lowest + (0 if first.get("lo_incl", True) else 1)
        kind_text = f"逐项扣分法：每{s['verb']}{fmt_num(s['per'])}{unit}{_ded_text(s)}"
        if max_deduct is not None:
            kind_text += f"，最多扣{fmt_num(max_deduct)}分"
        if s["per"] != ONE:
            return _manual(clauses, steps[0], f"按每{fmt_num(s['per'])}{unit}扣分需要换算")
        if s["direction"] in ("below", "above", "event"):
            # 每少一人 / 每延迟一天 / 每发现一项: also scored from 标杆值 and 业绩值 when no failure count is given
            params.update(unit=unit, direction=s["direction"])
        return Reading(Rule("deduct_each", params, kind_text + "，扣完为止"), clauses)
    if absolute:
        if full_conds and full_conds[0].cond.get("hi") is not None and full_conds[0].cond.get("lo") is None:
            tol = full_conds[0].cond["hi"] / (HUNDRED if full_conds[0].cond.get("percent") else ONE)
            params.update(tolerance=tol, base=full_points)
            return Reading(
                Rule(
                    "tolerance",
                    params,
                    f"容差法：绝对值≤{fmt_pct(tol)}得满分，超出部分每{fmt_num(s['per'])}%{_ded_text(s)}",
                ),
                clauses,
            )
        return _manual(clauses, steps[0], "的绝对值条件无法与扣分条款对应")
    within_deadline = any(lab.full and re.search(r"内完成|按期|按时|以内|之内", lab.text) for lab in labels)
    if (
        s["direction"] == "both"
        and within_deadline
        and re.search(r"超过|超出|超计划|延迟|延期", text)
        and not re.search(r"低于|不足|减少|未完成", text)
    ):
        s = {**s, "direction": "above"}  # 超过计划时间的…每相差4%扣1分: only the excess is deducted
        params["comparator"] = LE
    if s["direction"] == "both" and not full_conds:
        params["comparator"] = "both"
        if s.get("deduct_below") is not None:
            low = {**s, "deduct": s["deduct_below"]}
            return Reading(
                Rule(
                    "step",
                    params,
                    f"扣分法：高于标杆值每{fmt_num(s['per'])}%{_ded_text(s)}，低于标杆值每{fmt_num(s['per'])}%{_ded_text(low)}",
                ),
                clauses,
            )
        return Reading(
            Rule("step", params, f"扣分法：与标杆值每相差{fmt_num(s['per'])}%{_ded_text(s)}"), clauses
        )
    if full_conds:
        c = full_conds[0].cond
        percent = bool(c.get("percent"))
        scale = HUNDRED if percent else ONE
        if c.get("lo") is not None and c.get("hi") is not None and c["lo"] != c["hi"]:
            if not percent or zero_conds:
                return _manual(clauses, full_conds[0], "的满分区间有上下两个界限")
            # 执行率在95%-105%之间得满分，超出该区间的，每偏离1个百分点扣…
            lo, hi = c["lo"] / scale, c["hi"] / scale
            params.update(comparator="range", lo=lo, hi=hi, percent=True, side=s["direction"])
            return Reading(
                Rule(
                    "step",
                    params,
                    f"扣分法：{fmt_pct(lo)}–{fmt_pct(hi)}之间得满分，超出区间每偏离{fmt_num(s['per'])}%{_ded_text(s)}",
                ),
                clauses,
            )
        if c.get("lo") is not None:
            comp = GE if c.get("lo_incl", True) else GT
            th = c["lo"] / scale
        else:
            comp = LE if c.get("hi_incl", True) else LT
            th = c["hi"] / scale
        if c.get("lo") is not None and c.get("hi") is not None:
            comp = LE if s["direction"] == "above" else GE
        if s["direction"] == "above" and comp in (GE, GT) and c.get("hi") is None:
            return _manual(clauses, steps[0], "的扣分方向与满分条件矛盾")
        params.update(comparator=comp, threshold=th, percent=percent or (unit == "%" and th == 0), unit="")
        if unit and unit != "%" and not percent:
            params["absolute"] = True  # 每少100公斤 / 每超过5日: steps in the threshold's own unit
        if zero_conds:
            z = zero_conds[0].cond
            floor = z.get("hi") if comp in (GE, GT) else z.get("lo")
            if floor is None:
                return _manual(clauses, zero_conds[0], "与扣分条款的方向不一致")
            floor = floor / (HUNDRED if z.get("percent") else ONE)
            if comp in (GE, GT) and percent:
                params.update(top=th, floor=floor)
                return Reading(
                    Rule(
                        "band",
                        params,
                        f"区间扣分法：≥{fmt_pct(th)}得满分；每降低{fmt_num(s['per'])}%{_ded_text(s)}；低于{fmt_pct(floor)}不得分",
                    ),
                    clauses,
                )
            params["floor_at"] = floor
        line = f"{'≤' if comp in (LE, LT) else '≥'}{fmt_pct(th) if params['percent'] else fmt_num(th)}"
        word = "超过" if comp in (LE, LT) else "降低"
        return Reading(
            Rule(
                "step",
                params,
                f"扣分法：以{line}为满分线，每{word}{fmt_num(s['per'])}{'%' if unit == '%' else unit}{_ded_text(s)}",
            ),
            clauses,
        )
    region = steps[0].region
    if region and s["direction"] == "below" and region.get("percent"):
        top, floor = region["hi"] / HUNDRED, region["lo"] / HUNDRED
        z = zero_conds[0].cond if zero_conds else {}
        if not zero_conds or (z.get("hi") is not None and z["hi"] / HUNDRED == floor and z.get("lo") is None):
            params.update(top=top, floor=floor)
            return Reading(
                Rule(
                    "band",
                    params,
                    f"区间扣分法：≥{fmt_pct(top)}得满分；{fmt_pct(floor)}–{fmt_pct(top)}之间每降低"
                    f"{fmt_num(s['per'])}%{_ded_text(s)}；低于{fmt_pct(floor)}不得分",
                ),
                clauses,
            )
    band = _band_from_zero(clauses, s, zero_conds, labels, params)
    if band is not None:
        return band
    if _zero_beyond(s, zero_conds, labels, params):
        zero_conds = []
    if zero_conds:
        return _manual(clauses, zero_conds[0], "的不得分条件无法与扣分条款对应", final=False)
    if s["direction"] == "above":
        params["comparator"] = LE
    word = {"above": "超过", "below": "降低", "event": "出现"}.get(s["direction"], "偏离")
    return Reading(
        Rule(
            "step",
            params,
            f"扣分法：以标杆值为满分线，每{word}{fmt_num(s['per'])}{'%' if unit == '%' else unit}{_ded_text(s)}",
        ),
        clauses,
    )


_ABOVE_WORDS = re.compile(r"增加|超额|超过|超出|大于|高于|上升|提高|增长|多")
_BONUS_MAX_LABEL = re.compile(rf"^(?:最高|最多|加分最高|加分最多|加分不超过)加?({NUM})分$")


def _bonus_step(text: str, clauses: list[Clause], awards: list[Clause]) -> Reading | None:
    """完成得基本分；大于目标值的，每增加1%加1分，最高加2分；小于目标值的，每少1%扣1分: the
    weight at the target, a step down below it and a bonus step up above it (the one case where a
    row scores above its weight: the text awards it, capped where it says so)."""
    steps = [c for c in clauses if c.kind == "step"]
    if len(awards) != 1 or len(steps) != 1 or steps[0].step["direction"] != "below":
        return None
    award = awards[0]
    if not _ABOVE_WORDS.search(award.text) or award.step.get("per") is None:
        return None
    base = [c for c in clauses if c.kind == "label" and c.full]
    limits = [c for c in clauses if c.kind == "label" and _BONUS_MAX_LABEL.match(c.text)]
    rest = [
        c
        for c in clauses
        if c.carries_points and c not in (award, steps[0], *base, *limits) and c.kind != "cap"
    ]
    if len(base) != 1 or rest or len(limits) > 1:
        return None
    unit = re.search(rf"每[^,;。\d]{{0,6}}?({NUM}(?:%|[^\d,;。加得]{{1,3}}))", award.text)
    if unit is None:
        return None
    per_q = parse_number(unit.group(1))
    if per_q is None or not per_q.value:
        return None
    most: Decimal | str | None = None
    if limits:
        most = Decimal(_BONUS_MAX_LABEL.match(limits[0].text).group(1))  # type: ignore[union-attr]
    elif award.cap is not None and award.cap[1] is not None:
        most = award.cap[1]
    elif bonus_caps := [c.cap[1] for c in clauses if c.cap is not None and c.cap[0] == "bonus_max"]:
        most = bonus_caps[0]  # 最多加1分 as a clause of its own
    elif any(c.cap is not None and c.cap[0] == "ceiling" and "加分" in c.text for c in clauses):
        most = "weight"  # 加分至基本分值封顶: at most the weight again
    rule = _compose_step(text, clauses, steps, [], base, [], None, False).rule
    if (
        rule is None
        or rule.kind != "step"
        or rule.params.get("comparator") not in (None, LE)
        or "threshold" in rule.params
    ):
        return None
    rule.params.pop("comparator", None)
    rule.params.update(bonus=award.points, bonus_per=award.step["per"], bonus_max=most)
    if not per_q.percent:
        # 每增加10万元 / 每增加0.1万人: in the target's unit (converted when scored)
        rule.params.update(bonus_absolute=True, bonus_per=per_q.value, bonus_unit=per_q.unit)
    shown = f"每超过{unit.group(1)}加{fmt_num(award.points)}分"
    tail = (
        "，加分不超过分值"
        if most == "weight"
        else ""
        if most is None
        else f"，最多加{fmt_num(Decimal(most))}分"
    )
    rule.explanation = f"基本分加减法：达到标杆值得基本分（分值）；{shown}{tail}；低于标杆值{rule.explanation.split('，', 1)[-1]}"
    return Reading(rule, clauses)


def _two_sides(steps: list[Clause]) -> dict[str, Any] | None:
    """超支的，每超支1%扣0.3分；结余的，每结余1%扣0.1分: one step each way from the target, as one
    step in both directions with its own deduction below (``deduct_below``)."""
    if len(steps) != 2:
        return None
    by_side = {c.step["direction"]: c.step for c in steps}
    above, below = by_side.get("above"), by_side.get("below")
    if above is None or below is None:
        return None
    if above["per"] != below["per"] or above["unit"] != below["unit"] or above["unit"] != "%":
        return None
    if above["deduct_unit"] != below["deduct_unit"] or steps[0].start or steps[1].start:
        return None
    return {**above, "direction": "both", "deduct_below": below["deduct"], "verb": "偏离"}


def _stepped_tail(
    text: str,
    clauses: list[Clause],
    steps: list[Clause],
    conds: list[Clause],
    labels: list[Clause],
    max_deduct: Decimal | None,
) -> Reading | None:
    """≥100%计5分；90%（含）-100%计4分；90%以下，每降低1个百分点在4分基础上扣0.5分: tiers, and
    below the lowest a step down from a base (the adjacent tier's points unless the text names one)."""
    if len(steps) != 1 or not steps[0].start or not conds or labels:
        return None
    step, start = steps[0].step, steps[0].start
    if step["direction"] != "below" or start.get("hi") is None or start.get("lo") is not None:
        return None
    if step["unit"] != "%" or not start.get("percent") or any(not c.cond.get("percent") for c in conds):
        return None
    if any(c.cond.get("abs") or c.cost is not None or c.points is None for c in conds):
        return None
    tiers = [_tier_of(c) for c in conds]
    edge = start["hi"] / HUNDRED
    above = [t for t in tiers if t.get("lo") == edge and t.get("lo_incl", True)]
    if any(t.get("lo") is None or t["lo"] < edge for t in tiers) or len(above) != 1:
        return None  # a tier below the start, or none that the step continues from
    base = step.get("base", above[0]["points"] if above[0]["unit"] == "points" else None)
    if base is None:
        return None
    tail: dict[str, Any] = {
        "hi": edge,
        "hi_incl": False,
        "points": base,
        "unit": "points",
        "label": steps[0].text,
        "percent": True,
        "step": {"per": step["per"], "deduct": step["deduct"], "deduct_unit": step["deduct_unit"]},
    }
    if max_deduct is not None:
        tail["step"]["max_deduct"] = max_deduct
    tiers.sort(key=_tier_order)
    if _overlap(tiers):
        return None
    tiers.append(tail)
    shown = "；".join(str(t["label"]) for t in tiers)
    params: dict[str, Any] = {"tiers": tiers, "abs": False}
    if not any(t.get("hi") is None for t in tiers):
        params["otherwise"] = "manual"  # ≤100%且≥95%给4分；<95%每低1%减0.4分: above 100% it is silent
    return Reading(Rule("tiers", params, f"分档法：{shown}"), clauses)


def _zero_beyond(
    s: dict[str, Any], zero_conds: list[Clause], labels: list[Clause], params: dict[str, Any]
) -> bool:
    """不超过目标值得5分；每超过1%扣0.5分；超过20%的，不得分: the zero line is a distance past the
    target counted like the steps (``zero_beyond``, in percent).  True when it applies."""
    if len(zero_conds) != 1 or s["direction"] != "above" or s["unit"] != "%":
        return False
    z = zero_conds[0].cond
    if not z.get("percent") or z.get("lo") is None or z.get("hi") is not None or z["lo"] <= 0:
        return False
    if not re.search(r"超过|超出|高于", zero_conds[0].text):
        return False
    if not any(
        (lab.full or lab.points) and re.search(r"不超过|未超过|不高于|以内", lab.label or lab.text)
        for lab in labels
    ):
        return False
    params["zero_beyond"] = z["lo"]
    if z.get("lo_incl"):
        params["zero_beyond_incl"] = True
    return True


def _band_from_zero(
    clauses: list[Clause],
    s: dict[str, Any],
    zero_conds: list[Clause],
    labels: list[Clause],
    params: dict[str, Any],
) -> Reading | None:
    """完成下达指标得基本分，每降低10%扣1分，完成率低于80%(含80%)不得分: full at 100% completion,
    steps below it, nothing at or under a stated completion rate."""
    if len(zero_conds) != 1 or s["direction"] != "below" or s["unit"] != "%":
        return None
    z = zero_conds[0].cond
    if not z.get("percent") or z.get("hi") is None or z.get("lo") is not None:
        return None
    if not any(lab.full and re.search(r"完成|达到", lab.label or lab.text) for lab in labels):
        return None
    floor = z["hi"] / HUNDRED
    if floor >= ONE:
        return None
    params.update(top=ONE, floor=floor)
    if z.get("hi_incl"):
        params["floor_incl"] = True
    at = "及以下" if z.get("hi_incl") else "以下"
    return Reading(
        Rule(
            "band",
            params,
            f"区间扣分法：完成率≥100%得满分；每降低{fmt_num(s['per'])}%{_ded_text(s)}；{fmt_pct(floor)}{at}不得分",
        ),
        clauses,
    )


def _ded_text(s: dict[str, Any]) -> str:
    if s["deduct_unit"] == "points":
        return f"扣{fmt_num(s['deduct'], 4)}分"
    return f"扣{fmt_num(s['deduct'] * HUNDRED, 4)}%权重分"


def read_rule(t: str) -> Reading | None:
    """The grammar's reading of a prepared rule text (None: no clause carries points)."""
    clauses = read_clauses(t)
    return compose(t, clauses)


def clause_types(t: str) -> list[str]:
    """The clause types of a prepared text, in order (for docs and the corpus report)."""
    return [c.kind for c in read_clauses(t)]
