"""Recognize stock 评分标准 phrasings (docs/rules.md) — deterministic, no model.

:func:`recognize` turns rule text into a :class:`~perfxl.rules.Rule`.  It tries
a table of detectors from the most specific to the most general; each detector
either returns a rule it is sure of or ``None``.  Text nothing matches becomes
``manual`` — a wrong guess presented as certain is worse than no guess.

:func:`parse_override` reads the structured ``计分方法`` cell (docs/rules.md, 计分方法), and
:func:`default_rule` gives the rule for a blank 评分标准 (docs/rules.md, defaults).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .clauses import JUDGEMENT, read_rule
from .numbers import EQ, GE, GT, HUNDRED, LE, LT, WITHIN, WORD, Target, cn_int, fmt_num, fmt_pct, normalize
from .rules import KIND_LABELS, KINDS, ONE, Rule

NUM = r"\d+(?:\.\d+)?"
CN = "一二两三四五六七八九十"
COUNT = rf"(?:\d+|[{CN}]+)"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _dec(text: str) -> Decimal:
    if "/" in text:
        a, b = text.split("/", 1)
        return Decimal(a) / Decimal(b)
    return Decimal(text)


def prepare(text: str) -> str:
    """Normalize rule text: widths, spaces, Chinese fractions and 百分点, common typos."""
    t = normalize(text)
    t = t.replace("“", "").replace("”", "").replace('"', "").replace("‘", "").replace("’", "")

    def frac(m: re.Match[str]) -> str:
        den, num = cn_int(m.group(1)), cn_int(m.group(2))
        return f"{num}/{den}" if den and num is not None else m.group(0)

    t = re.sub(rf"({COUNT})分之({COUNT})", frac, t)

    def points(m: re.Match[str]) -> str:
        n = cn_int(m.group(1))
        return f"{n}%" if n is not None else m.group(0)

    t = re.sub(rf"([{CN}]+)个?百分点", points, t)
    # 迟报四天及以上 / 五处及以上: a count written in words, where it bounds something
    t = re.sub(
        rf"([{CN}]+)(?=[天日处次项个人年月周家件条](?:\(含\))?(?:及以上|以上|及以下|以下))",
        lambda m: str(cn_int(m.group(1))) if cn_int(m.group(1)) is not None else m.group(0),
        t,
    )
    # 少于六次 / 超过三个月: a count in words after a comparator
    t = re.sub(
        rf"(?<=少于|多于|低于|高于|超过|不足|不到|达到|未满|不满)([{CN}]+)(?=个?[天日处次项个人年月周家件条])",
        lambda m: str(cn_int(m.group(1))) if cn_int(m.group(1)) is not None else m.group(0),
        t,
    )
    t = re.sub(rf"({NUM})%?个?百分点", r"\1%", t)
    t = t.replace("权重分得", "权重分的").replace("权重的分", "权重分")
    t = t.replace("扣减", "扣").replace("扣除", "扣").replace("减去", "扣")
    t = t.replace("＝", "=")
    return t


def count_points(text: str) -> int | None:
    """How many points a rule text enumerates: ①②③ or 1.2.3. lists."""
    circled = {ch for ch in text if ch in CIRCLED}
    if circled:
        return max(CIRCLED.index(ch) for ch in circled) + 1
    nums = re.findall(r"(?:^|[\n;；。])\s*(\d{1,2})[\.、．)）]", text)
    seq = [int(n) for n in nums]
    if len(seq) >= 2 and seq[0] == 1:
        k = 1
        for n in seq[1:]:
            if n == k + 1:
                k = n
        return k
    return None


# ------------------------------------------------------------- phrase atoms

_DEDUCT_WEIGHT = [
    rf"扣(?:该项|该指标)?(?:权重分值|权重分|权重|分值)的?({NUM})%",
    rf"扣({NUM})%的?(?:权重分值|权重分|权重|分值)",
]
_DEDUCT_POINTS = rf"扣({NUM}(?:/\d+)?)分"
_PER = rf"每(?:降低|下降|减少|偏离|低于|超过|超出|增减|增加|高于|提高|少|多)?({NUM})%"
_PER_NOEACH = rf"(?:低于|高于|偏离|超过|超出)(?:目标值|标杆值|指标值|计划值)?({NUM})%则?"


def _find_deduction(t: str) -> tuple[Decimal, str] | None:
    for pat in _DEDUCT_WEIGHT:
        m = re.search(pat, t)
        if m:
            return Decimal(m.group(1)) / HUNDRED, "weight"
    m = re.search(_DEDUCT_POINTS, t)
    if m:
        return _dec(m.group(1)), "points"
    return None


def _deduction_after(t: str, pos: int) -> tuple[Decimal, str] | None:
    return _find_deduction(t[pos:])


def _full_points(t: str) -> Decimal | None:
    m = re.search(rf"(?:得|计)({NUM})分", t)
    return Decimal(m.group(1)) if m else None


def _deduct_phrase(d: Decimal, unit: str) -> str:
    return f"扣{fmt_num(d, 4)}分" if unit == "points" else f"扣{fmt_num(d * HUNDRED, 4)}%权重分"


def _pct(text: str) -> Decimal:
    return Decimal(text) / HUNDRED


# ------------------------------------------------------------- detectors
# Each takes (prepared text, original text) and returns a Rule or None.


def _formula_kinds(t: str, raw: str) -> Rule | None:
    if "得分=" not in t and "得分为" not in t:
        return None
    m = re.search(r"得分=(.+)", t)
    expr = m.group(1) if m else ""
    if re.search(r"(实际完成值|实际值|完成值|业绩值)/(标杆值|目标值|指标值|计划值)", expr):
        return Rule("ratio", {"cap": ONE}, "比率法：得分 = 实际值 / 标杆值 × 权重，最高得满分")
    if re.search(r"(权重分值?|分值|权重)[*×x]?.*率", expr) or re.search(r"率[*×x].*(权重|分值)", expr):
        return Rule("proportional", {"cap": ONE}, "比例法：得分 = 权重 × 完成率，最高得满分")
    return None


_BONUS_WORDS = r"(嘉奖|表彰|评优|奖励|荣誉|表扬|先进|获奖|示范)"
_PENALTY_WORDS = r"(违法|违纪|违规|处分|通报批评|问责|事故|处罚|审计发现|巡视|被约谈)"


def _bonus_penalty(t: str, raw: str) -> Rule | None:
    if re.search(_PER, t):
        return None
    if re.search(_BONUS_WORDS, t):
        m = re.search(rf"(?:得|加)({NUM})分", t)
        if m:
            pts = Decimal(m.group(1))
            return Rule("bonus", {"points": pts}, f"加分项：发生即加{fmt_num(pts)}分（要点判定√=已获表彰）")
    if re.search(_PENALTY_WORDS, t):
        m = re.search(rf"(?:扣|减)({NUM})分", t)
        if m and not re.search(r"扣完为止", t):
            pts = Decimal(m.group(1))
            return Rule(
                "penalty",
                {"points": pts},
                f"减分项：发生即扣{fmt_num(pts)}分（要点判定√=合规，×=存在该情况）",
            )
    return None


def _tolerance(t: str, raw: str) -> Rule | None:
    m = re.search(rf"±({NUM})%", t)
    if not m:
        return None
    tol = _pct(m.group(1))
    per = re.search(_PER, t[m.end() :])
    ded = _deduction_after(t, m.end())
    if not ded:
        return None
    base = _full_points(t[m.end() :])
    params: dict[str, Any] = {
        "tolerance": tol,
        "per": Decimal(per.group(1)) if per else ONE,
        "deduct": ded[0],
        "deduct_unit": ded[1],
        "base": base,
    }
    expl = (
        f"容差法：在±{fmt_pct(tol)}以内得{fmt_num(base) + '分' if base else '满分'}，"
        f"超出部分每{fmt_num(params['per'])}%{_deduct_phrase(*ded)}，扣完为止"
    )
    return Rule("tolerance", params, expl)


def _band(t: str, raw: str) -> Rule | None:
    m = re.search(rf"({NUM})%?(?:-|~|至|到)({NUM})%(?:时|之间|区间)?", t)
    if not m:
        return None
    lo, hi = sorted((_pct(m.group(1)), _pct(m.group(2))))
    per = re.search(_PER, t)
    ded = _find_deduction(t)
    floor = re.search(rf"(?:低于|小于|不足|<)({NUM})%(?:时|的)?[,，]?(?:此项|该项|该指标)?不得分", t)
    if not (per and ded and floor) or _pct(floor.group(1)) != lo:
        return None
    params: dict[str, Any] = {
        "top": hi,
        "floor": lo,
        "per": Decimal(per.group(1)),
        "deduct": ded[0],
        "deduct_unit": ded[1],
    }
    expl = (
        f"区间扣分法：≥{fmt_pct(hi)}得满分；{fmt_pct(lo)}–{fmt_pct(hi)}之间每降低{fmt_num(params['per'])}%"
        f"{_deduct_phrase(*ded)}；低于{fmt_pct(lo)}不得分"
    )
    return Rule("band", params, expl)


_TIER_CLAUSE = re.compile(
    rf"""^(?:[^\d≥≤<>=]*?)
    (?:
      (?P<cmp>≥|≤|>|<|=|大于等于|大于或等于|小于等于|小于或等于|不低于|不高于|高于|低于|大于|小于|超过|达到)?
      (?P<a>{NUM})%?(?:\(含\))?(?P<suf>以上|以下|及以上|及以下)?
      (?:(?:-|~|至|到)(?P<b>{NUM})%?)?
      (?P<incl>\(含\)|（含）)?
    )
    (?:的|时|之间)?[,，]?(?:则|可)?
    (?:(?:得|计)(?P<pts>{NUM})分|(?:此项|该项)?(?P<zero>不得分)|得满分(?P<full>)
      |得(?:权重分?的?)?(?P<wpct>{NUM})%(?:的?权重分?)?)$""",
    re.VERBOSE,
)


def _tiers(t: str, raw: str) -> Rule | None:
    if re.search(_PER, t) or re.search(_PER_NOEACH + "扣", t):
        return None
    clauses = [c for c in re.split(r"[,，;；。\n]", t) if c]
    tiers = []
    percent_seen = False
    for clause in clauses:
        m = _TIER_CLAUSE.match(clause)
        if not m:
            # a clause that awards something for a number but is not understood: no guess
            if re.search(r"\d", clause) and re.search(r"得|不得分|计", clause):
                return None
            continue
        percent_seen = percent_seen or "%" in clause
        a = Decimal(m.group("a"))
        b = Decimal(m.group("b")) if m.group("b") else None
        pts = Decimal(m.group("pts")) if m.group("pts") else (Decimal(0) if m.group("zero") else None)
        unit = "points" if pts is not None else "weight"
        if m.group("wpct"):
            pts = Decimal(m.group("wpct")) / HUNDRED  # 得80%权重分
        elif pts is None:
            pts = ONE  # 得满分 = the full weight
        cmp_ = m.group("cmp") or ""
        suf = m.group("suf") or ""
        tier: dict[str, Any] = {"points": pts, "unit": unit, "label": clause}
        if b is not None:
            lo, hi = sorted((a, b))
            # "80%-90%" is [80, 90); "0-10%(含)" is (0, 10]
            if m.group("incl"):
                tier.update(lo=lo, lo_incl=False, hi=hi, hi_incl=True)
            else:
                tier.update(lo=lo, lo_incl=True, hi=hi, hi_incl=False)
        elif cmp_ in ("≥", "大于等于", "大于或等于", "不低于", "达到") or suf in ("以上", "及以上"):
            tier.update(lo=a, lo_incl=True)
        elif cmp_ in (">", "高于", "大于", "超过"):
            tier.update(lo=a, lo_incl=False)
        elif cmp_ in ("≤", "小于等于", "小于或等于", "不高于") or suf in ("以下", "及以下"):
            tier.update(hi=a, hi_incl=True)
        elif cmp_ in ("<", "低于", "小于"):
            tier.update(hi=a, hi_incl=False)
        elif cmp_ == "=":
            tier.update(lo=a, lo_incl=True, hi=a, hi_incl=True)
        else:
            continue
        tiers.append(tier)
    if len(tiers) < 2:
        return None
    scale = HUNDRED if percent_seen else ONE
    for tier in tiers:
        for key in ("lo", "hi"):
            if tier.get(key) is not None:
                tier[key] = Decimal(str(tier[key])) / scale
        tier["percent"] = percent_seen
    shown = "；".join(str(tr["label"]) for tr in tiers)
    return Rule("tiers", {"tiers": tiers, "abs": False}, f"分档法：{shown}；其余不得分")


def _step_threshold(t: str) -> tuple[str, Decimal, bool, str] | None:
    """A threshold stated in the rule text: (comparator, value, percent, unit)."""
    full = rf"(?:时|的)?[,，]?(?:则)?(?:得满分|得权重分的100%|得{NUM}分|计{NUM}分)"
    le_words = r"(?:≤|<|小于或等于|小于等于|不高于|不超过|不得高于|不得超过|不应高于|不应超过|控制在)"
    ge_words = r"(?:达到|≥|大于或等于|大于等于|不低于|不少于|不得低于|不应低于)"
    pats: list[tuple[str, str]] = [
        (rf"{le_words}({NUM})%(?:以内)?{full}", LE),
        (rf"(?<![≤<\d.]){ge_words}?({NUM})%(?:及以上)?{full}", GE),
        (rf"(?:不得高于|不得超过|不应高于|不应超过|不高于|不超过|≤|小于或等于|控制在)({NUM})%", LE),
        (rf"(?:不低于|不少于|不得低于|不应低于|≥|大于或等于|大于等于|达到)({NUM})%", GE),
    ]
    for pat, comp in pats:
        m = re.search(pat, t)
        if m:
            return comp, _pct(m.group(1)), True, ""
    m = re.search(rf"(?:不低于|不少于|不得低于|≥|达到)({NUM})([^\d,，;；。%]{{1,5}}?)(?:时|的)?[,，]", t)
    if m and not re.search(r"率", t[: m.start()]):
        return GE, Decimal(m.group(1)), False, m.group(2)
    return None


def _threshold_kind(t: str, raw: str) -> Rule | None:
    if not re.search(r"满意|比例|认可", t) or not re.search(r"否则|低于|下降", t):
        return None
    m = re.search(rf"(?:不低于|≥|达到|大于或等于|高于)({NUM})%", t)
    per = re.search(_PER, t)
    ded = _find_deduction(t[per.end() :]) if per else None
    if not (m and per and ded):
        return None
    params: dict[str, Any] = {
        "comparator": GE,
        "threshold": _pct(m.group(1)),
        "percent": True,
        "per": Decimal(per.group(1)),
        "deduct": ded[0],
        "deduct_unit": ded[1],
    }
    expl = f"满意度法：不低于{fmt_pct(params['threshold'])}得满分，否则每下降{fmt_num(params['per'])}%{_deduct_phrase(*ded)}，扣完为止"
    return Rule("threshold", params, expl)


def _step(t: str, raw: str) -> Rule | None:
    per = re.search(_PER, t) or re.search(_PER_NOEACH + "(?=扣)", t)
    if not per:
        return None
    ded = _deduction_after(t, per.end())
    if not ded:
        return None
    th = _step_threshold(t[: per.start()]) or _step_threshold(t)
    params: dict[str, Any] = {"per": Decimal(per.group(1)), "deduct": ded[0], "deduct_unit": ded[1]}
    direction = "降低"
    if th:
        comp, value, percent, unit = th
        params.update(comparator=comp, threshold=value, percent=percent, unit=unit)
        line = f"{'≤' if comp == LE else '≥'}{fmt_pct(value) if percent else fmt_num(value) + unit}"
        direction = "超过" if comp == LE else "降低"
        basis = f"以{line}为满分线"
    else:
        if re.search(r"每(超过|超出|高于|增加|多)", t):
            params["comparator"] = LE
            direction = "超过"
        basis = "以标杆值为满分线"
    expl = f"扣分法：{basis}，每{direction}{fmt_num(params['per'])}%{_deduct_phrase(*ded)}，扣完为止"
    return Rule("step", params, expl)


def _named_count(t: str) -> int | None:
    """A count the text names: 以上3个/以上五项/4项以上/以上两个指标/前两项."""
    pats = [
        rf"({COUNT})(?:项|个|条|点)各(?:占|得)",
        rf"以[上下]({COUNT})(?:个|项|条|点|方面|环节)",
        rf"({COUNT})(?:项|个|条)(?:以上|均|全部)",
        rf"(?:覆盖和执行|包括|共)({COUNT})(?:项|个|条)",
        rf"({COUNT})项(?:制度|内容|要求|要点)",
    ]
    for pat in pats:
        m = re.search(pat, t)
        if m:
            n = cn_int(m.group(1))
            if n:
                return n
    return None


def _checklist(t: str, raw: str) -> Rule | None:
    n_named = _named_count(t)
    circled = count_points(raw)
    # base share: 有绩效目标得权重分的50%；…以上五项各占10%
    base = None
    mb = re.search(rf"^(?:[^①②③④⑤;；]*?)得权重分的?({NUM})%[;；,，]", t)
    # given shares: 分别占30%、30%、40%
    ms = re.search(rf"分别占({NUM}%(?:[、,，和及]{NUM}%)+)", t)
    if ms:
        shares = [_pct(x) for x in re.findall(NUM, ms.group(1))]
        params: dict[str, Any] = {"mode": "award", "shares": shares, "n": len(shares)}
        shown = "/".join(fmt_num(s * HUNDRED) for s in shares)
        text = f"要点法：{len(shares)}项分别占{shown}%权重分，符合则得分"
        # reference 000: "项目未规定立项、决策流程，则前两项分别占50%权重分" — a second scheme
        # for fewer points, chosen by how many judgements the row gives
        alt = re.search(rf"则?前({COUNT})项(?:分别|各)占({NUM}%(?:[、,，和及]{NUM}%)*)", t[ms.end() :])
        if alt and cn_int(alt.group(1)):
            k = cn_int(alt.group(1)) or 0
            alt_shares = [_pct(x) for x in re.findall(NUM, alt.group(2))]
            alt_shares = alt_shares * k if len(alt_shares) == 1 else alt_shares
            if len(alt_shares) == k < len(shares):
                params["alt_shares"] = alt_shares
                text += f"；只判定前{k}项时各占{'/'.join(fmt_num(x * HUNDRED) for x in alt_shares)}%"
        return Rule("checklist", params, text, points_named=len(shares))
    # equal shares: 各占10% / 各占1/4 / 各得权重分的50% / 每满足一条得33%
    me = re.search(rf"各(?:占|得)(?:权重分?的?)?({NUM}(?:/\d+)?)(%?)(?:的)?(?:权重)?", t) or re.search(
        rf"每(?:满足|符合|实现|完成)一(?:条|项|点|个)[^,，;；。]*?[,，]?得(?:权重分?的?)?({NUM})(%)", t
    )
    if me:
        raw_share = _dec(me.group(1))
        share = raw_share / HUNDRED if me.group(2) == "%" else raw_share
        if mb and mb.start(1) < me.start() and _pct(mb.group(1)) + share <= ONE:
            base = _pct(mb.group(1))
        n = n_named or circled
        if n is None and share > 0:
            inv = ONE / share
            n = int(inv) if inv == inv.to_integral_value() else None
        if n is None:
            return None
        total = share * n + (base or 0)
        # award style "每满足一条得33%": all 3 met is full marks (99% is meant as 100%), fewer
        # are literal (2 × 33% = 66%)
        full_when_all = base is None and Decimal("0.98") <= total < ONE
        mc = _min_count(t)
        params = {"mode": "award", "share": share, "n": n, "base": base, "min_count": mc}
        if full_when_all:
            params["full_when_all"] = True
        text = f"要点法：{n}项各占{fmt_num(share * HUNDRED, 2)}%权重分"
        if base is not None:
            text = f"要点法：基础项占{fmt_num(base * HUNDRED)}%（第一个判定），{n}项各占{fmt_num(share * HUNDRED, 2)}%"
        if mc:
            text += f"；少于{mc}项不得分"
        return Rule(
            "checklist", params, text + "，符合则得分", points_named=n + (1 if base is not None else 0)
        )
    # deduction style: 缺失一项扣权重分的25% / 每少一项制度扣权重分的25% / 每少一个关键条款扣33%
    md = re.search(r"(?:缺失|缺少|每少|少|不符合|未实现)一(?:项|个|条|点)", t)
    if md:
        ded = _deduction_after(t, md.end())
        if ded and ded[1] == "weight":
            n = n_named or circled
            if n is None:
                return None
            mc = _min_count(t)
            params = {"mode": "deduct", "deduct": ded[0], "n": n, "min_count": mc}
            text = f"要点法（扣分式）：{n}项，每缺一项扣{fmt_num(ded[0] * HUNDRED)}%权重分"
            if mc:
                text += f"；少于{mc}项不得分"
            return Rule("checklist", params, text + "，扣完为止", points_named=n)
    return None


def _min_count(t: str) -> int | None:
    m = re.search(rf"少于({COUNT})(?:项|个|条)[^,，;；。]*?[,，]?(?:此项|该项|则)?不得分", t)
    return cn_int(m.group(1)) if m else None


def _deduct_each(t: str, raw: str) -> Rule | None:
    pats = [
        rf"(?:每|一|1|每一)(?:项|人|例|个|次|处|条|份|件|名|起)[^,，;；。]*?[,，]?{_DEDUCT_POINTS}",
        rf"(?:不符合|缺失|缺少|不达标|未完成|没有完成)(?:一|1)(?:项|个|条|处)[,，]?{_DEDUCT_POINTS}",
    ]
    for pat in pats:
        m = re.search(pat, t)
        if m:
            d = _dec(m.group(1))
            return _de_rule(t, raw, d, "points")
    for wp in _DEDUCT_WEIGHT:
        m = re.search(rf"(?:每|一|1|每一)(?:项|人|例|个|次|处|条|份|件|名|起)[^;；。]*?{wp}", t)
        if m:
            return _de_rule(t, raw, Decimal(m.group(1)) / HUNDRED, "weight")
    m = re.search(rf"一(?:项|个)[^,，;；。]*?(?:没有|未)完成[,，]?(?:扣)?({NUM})分", t)
    if m:
        return _de_rule(t, raw, Decimal(m.group(1)), "points")
    return None


def _de_rule(t: str, raw: str, d: Decimal, unit: str) -> Rule:
    full = _full_points(t)
    params = {"deduct": d, "deduct_unit": unit, "full": full}
    expl = f"逐项扣分法：{'满分' + fmt_num(full) + '分，' if full else ''}每出现一项不符合{_deduct_phrase(d, unit)}，扣完为止"
    return Rule("deduct_each", params, expl, points_named=count_points(raw))


_PF_FULL = rf"(?:得满分|得权重分的100%|得{NUM}分|计{NUM}分|得分)"


def _pass_fail(t: str, raw: str) -> Rule | None:
    if "不得分" not in t and "0分" not in t:
        return None
    m = re.search(rf"(≤|≥|<|>|不超过|未超过|不高于|不低于|达到)({NUM})%(?:的|时)?[,，]?{_PF_FULL}", t)
    partial = re.search(rf"得(?:权重分?的?)?(?!100%)({NUM})%(?:的?权重分?)?", t) or re.search(
        rf"{NUM}%?(?:\(含\))?(?:-|~|至|到){NUM}%",
        t,  # a middle band: tiers, not pass/fail
    )
    if (
        m
        and len(re.findall(rf"得{NUM}分|计{NUM}分|得满分", t)) == 1
        and not re.search(_PER, t)
        and not partial
    ):
        sym = m.group(1)
        comp = {
            "≤": LE,
            "不超过": LE,
            "未超过": LE,
            "不高于": LE,
            "<": LT,
            "≥": GE,
            "不低于": GE,
            "达到": GE,
            ">": GT,
        }[sym]
        th = _pct(m.group(2))
        return Rule(
            "pass_fail",
            {"comparator": comp, "threshold": th, "percent": True},
            f"达标法：{'≤' if comp in (LE, LT) else '≥'}{fmt_pct(th)}得满分，否则不得分",
        )
    if re.search(
        r"(未超过|不超过|不高于|没有超过|未超出|控制在)[^,，;；。]*?(?:的)?[,，]?" + _PF_FULL, t
    ) and re.search(r"否则|超过.*不得分|超出.*不得分", t):
        return Rule("pass_fail", {"comparator": LE}, "达标法：实际值未超过标杆值（计划值）得满分，否则不得分")
    if re.search(r"(达到|完成|不低于)[^,，;；。]*?(?:的)?[,，]?" + _PF_FULL, t) and re.search(
        r"否则|未达到.*不得分", t
    ):
        return Rule("pass_fail", {"comparator": GE}, "达标法：达到标杆值得满分，否则不得分")
    return None


def _binary(t: str, raw: str) -> Rule | None:
    if re.search(_PER, t) or re.search(_DEDUCT_POINTS, t):
        return None
    # partial credit levels (得权重分的50%, 得2分 …) are not yes/no: leave them to a person
    if re.search(rf"得权重分?的?(?!100%)({NUM})%", t) or len(re.findall(rf"得{NUM}分|得满分", t)) > 1:
        return None
    if re.search(
        r"(存在|出现|发生|有)[^,，;；。]*?(?:的)?[,，]?(?:此项|该项|该指标|则)?不得分", t
    ) or re.search(r"(未|没有|不|无)[^,，;；。]*?[,，]?(?:此项|该项|则)?不得分", t):
        return Rule("binary", {}, "是否法：条件满足得满分，否则不得分（要点判定√=满足）")
    return None


_DETECTORS: list[tuple[str, Callable[[str, str], Rule | None]]] = [
    ("formula", _formula_kinds),
    ("bonus_penalty", _bonus_penalty),
    ("tolerance", _tolerance),
    ("band", _band),
    ("threshold", _threshold_kind),
    ("checklist", _checklist),
    ("deduct_each", _deduct_each),
    ("step", _step),
    ("pass_fail", _pass_fail),
    ("tiers", _tiers),
    ("binary", _binary),
]


def recognize(text: str) -> Rule:
    """Rule text → Rule; unrecognized → ``manual`` (source ``none``)."""
    # a batch meets the same rule texts (templates, the standard indicator systems) thousands
    # of times: recognize each once per process, hand out copies
    rule = _recognize(text)
    return replace(rule, params=dict(rule.params))


@lru_cache(maxsize=4096)
def _recognize(text: str) -> Rule:
    if not text or not text.strip():
        return Rule("manual", {}, "评分标准为空", source="none")
    t = prepare(text)
    try:
        reading = read_rule(t)
    except (InvalidOperation, ZeroDivisionError, ValueError):
        reading = None
    grammar = reading.rule if reading is not None else None
    found: Rule | None = None
    for _name, detect in _DETECTORS:
        try:
            found = detect(t, text)
        except (InvalidOperation, ZeroDivisionError, ValueError):
            found = None
        if found is not None:
            break
    rule = _arbitrate(found, grammar, reading)
    if rule is None:
        return Rule("manual", {}, "未识别的评分标准，按人工评分处理（保留申报得分）", source="none")
    rule.source = "none" if rule.kind == "manual" else "text"
    if rule.points_named is None:
        rule.points_named = count_points(text)
    if rule.kind in _STATED_FULL_KINDS and rule.params.get("full") is None:
        full = stated_full_points(t)
        awards = re.findall(rf"(?:得|计|给)({NUM})分", t)
        if full is None and rule.kind in ("binary", "pass_fail") and len(awards) == 1:
            full = Decimal(awards[0])  # 资金支付及时得2分，不及时不得分: the one amount it awards
        if full is not None:
            rule.params["full"] = full
    return rule


# kinds whose whole-row award the text may state in points ("…全部合规得3分")
_STATED_FULL_KINDS = ("step", "threshold", "band", "pass_fail", "binary", "deduct_each")


def stated_full_points(t: str) -> Decimal | None:
    """The full points a prepared rule text awards for the whole row ("全部符合得3分"), if it says."""
    m = re.search(
        rf"(?:全部|均|完整|规范|合规|达到|认定|完成|满足|符合|齐全|到位)[^,;。]{{0,12}}?(?:得|计)({NUM})分", t
    )
    return Decimal(m.group(1)) if m else None


def _arbitrate(phrase: Rule | None, grammar: Rule | None, reading: Any) -> Rule | None:
    """Choose between the stock-phrase detectors and the clause grammar.

    The phrase detectors know the reference phrasings and their traps; the grammar
    knows which clauses carry points.  The grammar wins whenever the phrase rule would
    leave a point-carrying clause unused: a cap (最多扣N分), a second deduction, a word
    scale, a judgement clause, an absolute value.  When the grammar refuses a clause
    (manual), no partial reading is scored.
    """
    if grammar is None:
        return phrase
    if phrase is None:
        return grammar
    if grammar.params.get("per_item") is not None:
        return grammar  # 每获得一项表彰加0.5分，最多加2分: points per occurrence
    if any(c.kind == "judgement" for c in reading.clauses):
        return grammar  # a person decides part of it (酌情加分): no stock reading may give a number
    if grammar.kind == "manual":
        # the grammar refuses only what it saw carry points and could not place
        clause = grammar.params.get("clause", "")
        if not grammar.params.get("final") and _consumed_by(phrase, clause):
            return phrase
        return grammar
    if (
        grammar.kind in ("step", "band", "threshold", "tolerance", "deduct_each")
        and phrase.kind in ("pass_fail", "binary", "bonus", "penalty", "tiers")
        and any(c.kind == "step" for c in reading.clauses)
    ):
        return grammar  # the phrase reading dropped a deduction (每低1个百分点扣0.5分)
    if grammar.kind == "step" and grammar.params.get("absolute") and phrase.kind == "deduct_each":
        return grammar  # 开展培训≥10次得满分，每少1次扣0.5分: steps from the threshold
    if grammar.kind == "checklist" and phrase.kind in ("binary", "pass_fail", "labels"):
        return grammar  # items with their own points (①…1分；②…2分) are not all-or-nothing
    if (grammar.kind == "band" or grammar.params.get("floor_at") is not None) and phrase.kind in (
        "step",
        "threshold",
    ):
        return grammar  # a floor (低于80%不得分) the phrase reading dropped
    if (
        grammar.kind == "deduct_each"
        and grammar.params.get("direction")
        and phrase.kind in ("deduct_each", "step")
    ):
        return grammar  # 每少一人扣0.5分: it also scores from 标杆值 and 业绩值
    if grammar.kind == "tolerance" and phrase.kind != "tolerance":
        return grammar  # an absolute-value bar (绝对值不超过10%) the phrase reading dropped
    if grammar.kind == "ratio" and phrase.kind in ("ratio", "proportional"):
        return grammar
    if grammar.kind == "tiers" and (
        phrase.kind == "binary"
        or (phrase.kind == "pass_fail" and any(t.get("lo") == t.get("hi") for t in grammar.params["tiers"]))
    ):
        return grammar  # 建设周期=1年…得3分: the number decides, not a yes/no reading
    if grammar.kind == "tiers" and any(t.get("step") for t in grammar.params["tiers"]):
        return grammar  # 90%以下，每降低1个百分点在4分基础上扣0.5分: tiers and a step below them
    if grammar.kind == "step" and grammar.params.get("bonus") is not None:
        return grammar  # 每增加1%加1分，最高加2分: a bonus step above the target as well
    if grammar.kind == "step" and grammar.params.get("deduct_below") is not None:
        return grammar  # 超支的每1%扣0.3分；结余的每1%扣0.1分: a deduction on each side
    if grammar.kind == "tiers" and phrase.kind == "tiers":
        return grammar  # the grammar also knows which values no tier covers
    if (
        grammar.kind == "tiers"
        and phrase.kind in ("threshold", "pass_fail")
        and grammar.params.get("otherwise") == "manual"
        and len(grammar.params["tiers"]) > 1
        and not _complementary(grammar.params["tiers"])
    ):
        return grammar  # 达到100%得5分；未达到90%的不得分: 90%–100% is not "otherwise"
    if grammar.params.get("max_deduct") is not None and phrase.params.get("max_deduct") is None:
        return grammar
    if grammar.kind == "labels" and (
        len(grammar.params["labels"]) >= 3 or any(lab.get("cost") for lab in grammar.params["labels"])
    ):
        return grammar  # a scale of three or more levels, or a level that costs points
    if grammar.kind == "labels" and phrase.kind in ("binary", "pass_fail", "tiers"):
        levels = grammar.params["labels"]
        pts = sorted((lab["points"] for lab in levels if lab["points"] is not None), reverse=True)
        yes_no = len(levels) == 2 and len(pts) == 2 and pts[1] == 0 and pts[0] > 0
        if not yes_no:
            return grammar
        if phrase.kind == "binary":
            phrase.params["levels"] = [dict(lab) for lab in levels]  # 已出台 / 未出台 name a level
    if grammar.kind == "tiers" and grammar.params.get("abs") and not phrase.params.get("abs"):
        return grammar
    if (
        grammar.kind == "step"
        and grammar.params.get("comparator") in ("both", "range")
        and phrase.kind == "step"
    ):
        return grammar
    if grammar.kind == "step" and grammar.params.get("threshold") == 0 and phrase.kind == "step":
        return grammar
    if grammar.kind == "step" and grammar.params.get("full") is not None and phrase.kind == "step":
        return grammar
    return phrase


def _complementary(tiers: list[dict[str, Any]]) -> bool:
    """Two tiers that split the line at one value (≤100%得4分，＞100%不得分): no gap between them."""
    if len(tiers) != 2:
        return False
    up = next((t for t in tiers if t.get("lo") is not None and t.get("hi") is None), None)
    down = next((t for t in tiers if t.get("hi") is not None and t.get("lo") is None), None)
    return (
        up is not None
        and down is not None
        and up["lo"] == down["hi"]
        and bool(up.get("lo_incl")) != bool(down.get("hi_incl"))
    )


def _consumed_by(rule: Rule, clause: str) -> bool:
    """Does a phrase rule account for the clause the grammar could not place?

    Only a deduction the rule itself carries (the same amount) or a 要点 list, which
    names its points in free text the grammar does not enumerate."""
    if re.search(r"分别(?:扣|减)", clause) or len(set(re.findall(rf"({NUM})分", clause))) > 1:
        return False  # 分别扣5分、6分、7分: several amounts, no stock reading holds them all
    ded = _find_deduction(prepare(clause))
    if ded is None:
        return rule.kind in ("band", "checklist") and not re.search(JUDGEMENT, clause)
    amount, unit = ded
    p = rule.params
    if p.get("deduct") is not None and p["deduct"] == amount:
        return p.get("deduct_unit", "weight") == unit or rule.kind == "checklist"
    return rule.kind in ("bonus", "penalty") and p.get("points") == amount


# ------------------------------------------------------------- 计分方法 override

_KIND_WORDS = {
    "比率法": "ratio",
    "比率": "ratio",
    "比例法": "proportional",
    "完成率法": "proportional",
    "达标法": "pass_fail",
    "扣分法": "step",
    "区间法": "band",
    "区间扣分法": "band",
    "容差法": "tolerance",
    "要点法": "checklist",
    "逐项扣分法": "deduct_each",
    "逐项扣分": "deduct_each",
    "满意度法": "threshold",
    "分档法": "tiers",
    "档次法": "labels",
    "是否法": "binary",
    "加分": "bonus",
    "加分项": "bonus",
    "减分": "penalty",
    "减分项": "penalty",
    "人工": "manual",
    "人工评分": "manual",
}
OVERRIDE_SYNTAX = (
    "计分方法语法：<方法> [参数=值 …]。方法：比率法 上限=100%；比例法；达标法 阈值=≤100%；"
    "扣分法 阈值=≥95% 步长=5%权重|0.2分 单位=1%；区间法 满分线=100% 零分线=60% 步长=2%权重；"
    "容差法 容差=10% 步长=0.1分 基础分=3；要点法 项数=4 | 权重=30,30,40 基础=50% 最少=2 扣分=25%；"
    "逐项扣分法 每项=1分|3%权重；满意度法 阈值=90% 步长=1%权重；分档法 档=90%:5,80%:4,70%:3,60%:2；"
    "档次法 档=健全:3,基本健全:2,不健全:0；"
    "是否法；加分 分值=2；减分 分值=2；人工"
)


# the parameter names a 计分方法 cell may use (下限 is accepted and always 0: scores never go negative)
OVERRIDE_PARAMS = (
    "上限", "阈值", "步长", "单位", "满分线", "零分线", "容差", "基础分", "权重",
    "扣分", "项数", "基础", "最少", "每项", "档", "分值", "下限",
)  # fmt: skip


class OverrideError(ValueError):
    """A 计分方法 cell that does not follow the syntax (message in Chinese)."""


def _amount(value: str) -> tuple[Decimal, str]:
    v = normalize(value)
    m = re.fullmatch(rf"({NUM})%(?:权重分?|权重)?", v)
    if m:
        return _pct(m.group(1)), "weight"
    m = re.fullmatch(rf"({NUM}(?:/\d+)?)分?", v)
    if m:
        return _dec(m.group(1)), "points"
    raise OverrideError(f"“{value}”不是扣分量（应为如 5%权重 或 0.2分）")


def _threshold_param(value: str, default: str = GE) -> tuple[str, Decimal, bool]:
    v = normalize(value)
    comp = default
    for sym, c in (("≥", GE), ("≤", LE), (">", GT), ("<", LT)):
        if v.startswith(sym):
            comp, v = c, v[len(sym) :]
            break
    m = re.fullmatch(rf"({NUM})(%?)\S*", v)
    if not m:
        raise OverrideError(f"“{value}”不是阈值（应为如 ≥95% 或 ≤100%）")
    if m.group(2):
        return comp, _pct(m.group(1)), True
    return comp, Decimal(m.group(1)), False


def _per_param(value: str) -> Decimal:
    """单位= (the step of a deduction) in percentage points: 1, 1%, 1个百分点 all mean one point."""
    v = normalize(value)
    m = re.fullmatch(rf"({NUM})(?:%|个百分点|百分点)?", v)
    if not m or Decimal(m.group(1)) == 0:
        raise OverrideError(f"“{value}”不是扣分单位（应为如 1% 或 5%，表示每 1 或 5 个百分点）")
    return Decimal(m.group(1))


def _pct_param(value: str) -> Decimal:
    v = normalize(value)
    m = re.fullmatch(rf"({NUM})(%?)", v)
    if not m:
        raise OverrideError(f"“{value}”不是百分数")
    return _pct(m.group(1)) if m.group(2) else Decimal(m.group(1))


def parse_override(text: str) -> Rule:
    """Parse a 计分方法 cell such as ``扣分法 步长=5%权重 下限=0``; raise OverrideError if malformed."""
    try:
        rule = _parse_override(text)
    except OverrideError:
        raise
    except (ValueError, ArithmeticError, IndexError) as exc:  # 项数=三, 基础分=abc, 档=90%:x, 分值=x
        raise OverrideError(f"计分方法“{text.strip()}”中有无法识别的数值。{OVERRIDE_SYNTAX}") from exc
    if rule.params.get("per", ONE) <= 0:
        raise OverrideError(f"计分方法“{text.strip()}”中的 单位 应大于 0")
    return rule


def _parse_override(text: str) -> Rule:
    t = normalize(text.replace("，", " ").replace(",", ",")) if text else ""
    parts = re.split(r"\s+", text.strip().replace("\u3000", " "))
    head = normalize(parts[0]) if parts else ""
    kind = _KIND_WORDS.get(head) or (head if head in KINDS else None)
    if kind is None:
        raise OverrideError(f"不认识的计分方法“{parts[0] if parts else t}”。{OVERRIDE_SYNTAX}")
    kv: dict[str, str] = {}
    for part in parts[1:]:
        if not part:
            continue
        if "=" not in normalize(part):
            raise OverrideError(f"参数“{part}”应写成 名称=值")
        k, v = normalize(part).split("=", 1)
        kv[k] = v
    p: dict[str, Any] = {}
    if kind in ("ratio", "proportional"):
        p["cap"] = _pct_param(kv.get("上限", "100%"))
    elif kind == "pass_fail":
        if "阈值" in kv:
            comp, val, pct = _threshold_param(kv["阈值"])
            p.update(comparator=comp, threshold=val, percent=pct)
    elif kind in ("step", "threshold"):
        if "阈值" in kv:
            comp, val, pct = _threshold_param(kv["阈值"])
            p.update(comparator=comp, threshold=val, percent=pct)
        elif kind == "threshold":
            raise OverrideError("满意度法需要 阈值=…，如 阈值=90%")
        d, unit = _amount(kv.get("步长", "5%权重"))
        p.update(deduct=d, deduct_unit=unit, per=_per_param(kv.get("单位", "1")))
    elif kind == "band":
        d, unit = _amount(kv.get("步长", "2%权重"))
        p.update(
            top=_pct_param(kv.get("满分线", "100%")),
            floor=_pct_param(kv.get("零分线", "60%")),
            per=_per_param(kv.get("单位", "1")),
            deduct=d,
            deduct_unit=unit,
        )
    elif kind == "tolerance":
        d, unit = _amount(kv.get("步长", "0.1分"))
        base = kv.get("基础分")
        p.update(
            tolerance=_pct_param(kv.get("容差", "10%")),
            per=_per_param(kv.get("单位", "1")),
            deduct=d,
            deduct_unit=unit,
            base=Decimal(base) if base else None,
        )
    elif kind == "checklist":
        if "权重" in kv:
            shares = [Decimal(x) / HUNDRED for x in re.findall(NUM, kv["权重"])]
            p.update(mode="award", shares=shares, n=len(shares))
        elif "扣分" in kv:
            d, unit = _amount(kv["扣分"])
            if "项数" not in kv:
                raise OverrideError("扣分式要点法需要 项数=…")
            n_items = int(kv["项数"])
            if unit == "points":  # 扣分=1分: each missing point costs one point, not the weight
                p.update(mode="deduct_points", deducts=[d] * n_items, n=n_items)
            else:
                p.update(mode="deduct", deduct=d, n=n_items)
        else:
            n = int(kv["项数"]) if "项数" in kv else None
            base_share = _pct_param(kv["基础"]) if "基础" in kv else Decimal(0)
            # the items share what the base share leaves: 基础=50% 项数=5 → 10% each
            p.update(mode="award", n=n, share=((ONE - base_share) / n) if n else None)
        if "基础" in kv:
            p["base"] = _pct_param(kv["基础"])
        if "最少" in kv:
            p["min_count"] = int(kv["最少"])
    elif kind == "deduct_each":
        d, unit = _amount(kv.get("每项", "1分"))
        p.update(deduct=d, deduct_unit=unit)
    elif kind == "tiers":
        if "档" not in kv:
            raise OverrideError("分档法需要 档=阈值:分值,…，如 档=90%:5,80%:4")
        tiers = []
        bounds = []
        for item in kv["档"].split(","):
            if ":" not in item:
                raise OverrideError(f"档“{item}”应写成 阈值:分值")
            lo_s, pts_s = item.split(":", 1)
            bounds.append((_pct_param(lo_s), Decimal(pts_s)))
        bounds.sort(key=lambda x: x[0], reverse=True)
        prev = None
        for lo, pts in bounds:
            tier: dict[str, Any] = {
                "lo": lo,
                "lo_incl": True,
                "points": pts,
                "unit": "points",
                "percent": True,
            }
            if prev is not None:
                tier.update(hi=prev, hi_incl=False)
            tier["label"] = f"≥{fmt_pct(lo)}" + (f"且<{fmt_pct(prev)}" if prev is not None else "")
            tiers.append(tier)
            prev = lo
        p.update(tiers=tiers, abs=False)
    elif kind == "labels":
        if "档" not in kv:
            raise OverrideError("档次法需要 档=档次:分值,…，如 档=健全:3,基本健全:2,不健全:0")
        levels = []
        for item in kv["档"].split(","):
            if ":" not in item:
                raise OverrideError(f"档“{item}”应写成 档次:分值")
            label, pts_s = item.split(":", 1)
            levels.append({"label": label, "points": Decimal(pts_s), "unit": "points"})
        p["labels"] = levels
    elif kind in ("bonus", "penalty") and "分值" in kv:
        p["points"] = abs(Decimal(re.findall(NUM, kv["分值"])[0]))
    unknown = set(kv) - set(OVERRIDE_PARAMS)
    if unknown:
        raise OverrideError(f"计分方法中有不认识的参数：{'、'.join(sorted(unknown))}。{OVERRIDE_SYNTAX}")
    return Rule(
        kind, p, f"计分方法指定：{KIND_LABELS[kind]} {' '.join(parts[1:])}".strip(), source="override"
    )


def default_rule(target: Target | None, actual_numeric: bool, actual_word: bool) -> Rule:
    """Rule for a blank 评分标准 (docs/rules.md, defaults): ≥ → ratio; ≤ → pass_fail; = → ratio; ± → tolerance; word → met/not met."""
    if target is not None and target.comparator == WITHIN and target.value is not None:
        return Rule(
            "tolerance",
            {
                "tolerance": target.value,
                "per": ONE,
                "deduct": Decimal("0.1"),
                "deduct_unit": "weight",
                "base": None,
            },
            f"默认规则：±{fmt_pct(target.value)}以内得满分，超出部分每1%扣10%权重分",
            source="default",
        )
    if target is not None and target.value is not None and actual_numeric:
        if target.comparator in (GE, GT, EQ):
            return Rule(
                "ratio", {"cap": ONE}, "默认规则：达到指标值记满分，未达到按完成比例记分", source="default"
            )
        if target.comparator in (LE, LT):
            return Rule("pass_fail", {}, "默认规则：反向指标未超出指标值记满分，超出不得分", source="default")
    if target is not None and target.comparator == WORD and actual_word:
        return Rule(
            "binary",
            {"words_only": True},
            "默认规则：业绩值与标杆值文字一致记满分；不一致的定性指标保留申报得分",
            source="default",
        )
    return Rule("manual", {}, "评分标准为空且无法按标杆值推断，按人工评分处理", source="none")
