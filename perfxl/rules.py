"""Rule kinds (docs/rules.md): each kind's Python scorer and Excel formula side by side.

A :class:`Rule` is a kind plus parameters.  :func:`score` computes the score from
:class:`Facts`; :func:`formula` writes the Excel formula that computes the same
number from cell references (:class:`Refs`).  Both live in one place per kind so
they cannot drift; tests recalculate the formulas in LibreOffice and compare.

Conventions
- Percentages are fractions (0.957).  A shortfall on a percent target is counted
  in percentage points (每偏离1% = one point); on a count or amount it is a percent
  of the target (低于目标值1% = 1% of the target).
- ``deduct_unit`` is ``"weight"`` (a fraction of the weight per step) or
  ``"points"`` (points per step).
- Scores are not rounded here; :func:`final_round` rounds once, half up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from .numbers import (
    EQ,
    GE,
    GT,
    HUNDRED,
    LE,
    LT,
    WITHIN,
    WORD,
    Quantity,
    Target,
    fmt_num,
    fmt_pct,
    round_half_up,
    unit_factor,
)

ZERO = Decimal(0)
ONE = Decimal(1)

KINDS = (
    "ratio",
    "proportional",
    "pass_fail",
    "step",
    "band",
    "tolerance",
    "checklist",
    "deduct_each",
    "threshold",
    "tiers",
    "binary",
    "bonus",
    "penalty",
    "labels",
    "manual",
)

KIND_LABELS = {
    "ratio": "比率法",
    "proportional": "比例法",
    "pass_fail": "达标法",
    "step": "扣分法",
    "band": "区间扣分法",
    "tolerance": "容差法",
    "checklist": "要点法",
    "deduct_each": "逐项扣分法",
    "threshold": "满意度法",
    "tiers": "分档法",
    "binary": "是否法",
    "bonus": "加分项",
    "penalty": "减分项",
    "labels": "档次法",
    "manual": "人工评分",
}


@dataclass
class Rule:
    """A recognized scoring rule: kind, parameters, and how it was found."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    explanation: str = ""
    source: str = "text"  # text | override | default | none
    points_named: int | None = None  # number of points the rule text names

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": _jsonable(self.params), "explanation": self.explanation}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


@dataclass
class Facts:
    """What a rule scores: the weight, the target, the actual, judgements and failures."""

    weight: Decimal
    target: Target | None = None
    actual: Quantity | None = None
    actual_word: str = ""
    judgements: list[bool] | None = None
    failures: int | None = None
    rate_digits: int | None = None  # round a percent actual to N decimals of percent first

    @property
    def actual_value(self) -> Decimal | None:
        if self.actual is None:
            return None
        v = self.actual.value
        if self.rate_digits is not None and self.actual.percent:
            v = round_half_up(v, self.rate_digits + 2)
        return v

    @property
    def words_match(self) -> bool:
        return bool(
            self.target is not None
            and self.target.comparator == WORD
            and self.actual_word
            and self.actual_word == self.target.word
        )


@dataclass
class Outcome:
    """A scorer's answer: score (None = cannot compute, declared stands) and why."""

    score: Decimal | None
    reason: str
    needs: str = ""  # what input was missing, in Chinese


@dataclass(frozen=True)
class Refs:
    """Excel expressions for a row's inputs, for formula emitters.

    ``target`` and ``actual`` are numeric cells; ``judgements`` is a horizontal
    range of 1/0 cells (``count`` of them); ``failures`` a count cell;
    ``target_text``/``actual_text`` the original text cells (word equality);
    ``declared`` the declared score cell.
    """

    weight: str
    target: str | None = None
    actual: str | None = None
    judgements: str | None = None
    count: int = 0
    failures: str | None = None
    target_text: str | None = None
    actual_text: str | None = None
    declared: str | None = None
    rate_digits: int | None = None
    actual_percent: bool = False
    # the 标杆值/业绩值 text cells hold their normalized words exactly (no stray space, no
    # full-width forms), so Excel's "=" on the cells compares what Python compared
    texts_plain: bool = False


def final_round(value: Decimal) -> Decimal:
    return round_half_up(value, 2)


def _num(d: Decimal) -> str:
    """A Decimal as a formula literal."""
    text = format(d.normalize(), "f")
    return text if text not in ("-0",) else "0"


def _deduct_text(params: dict[str, Any]) -> str:
    d = params["deduct"]
    if params.get("deduct_unit") == "points":
        return f"扣{fmt_num(d, 4)}分"
    return f"扣{fmt_num(d * HUNDRED, 4)}%权重分"


def _per_text(params: dict[str, Any]) -> str:
    return f"{fmt_num(params.get('per', ONE), 4)}%"


def _show(value: Decimal, percent: bool, unit: str = "") -> str:
    return fmt_pct(value) if percent else fmt_num(value, 4) + unit


# ------------------------------------------------------------------ helpers


def _threshold(rule: Rule, facts: Facts) -> tuple[str, Decimal, bool, str] | None:
    """(comparator, value, percent, unit) the rule compares against: text first, then 标杆值."""
    p = rule.params
    if p.get("threshold") is not None:
        return p.get("comparator", GE), p["threshold"], bool(p.get("percent", True)), p.get("unit", "")
    t = facts.target
    if t is None or t.value is None or t.comparator == WORD:
        return None
    comp = p.get("comparator") or t.comparator
    if comp == WITHIN:
        comp = LE
    return comp, t.value, t.percent, t.unit


def _measured(rule: Rule, f: Facts) -> tuple[Decimal | None, bool]:
    """The value a rule compares, and whether it was derived from the 标杆值:

    - a rule that speaks of a rate (a percent threshold, percent tiers, a band, a
      proportion) on a row whose target is a quantity or a change compares actual ÷ target
      (完成率达到100% on 标杆值 ≥1000人次, 业绩值 950人次 → 95%; 降低2.8% of 降低4% → 70%);
    - a rule on a deviation on a row whose target is the plan compares
      (actual − plan) ÷ plan (see :func:`_deviation_of`);
    - otherwise the actual itself.
    """
    a = f.actual_value
    mode = _measure_mode(rule, f)
    if rule.params.get("excess") and mode != "excess":
        if f.actual is not None and f.actual.change == "late" and f.target is None and a is not None:
            factor = unit_factor(f.actual.unit, rule.params.get("excess_unit", ""))
            return (a * factor if factor is not None else None), False  # 延期2个月: the delay itself
        return None, False  # a delay needs the planned time in a unit the text's tiers use
    if a is None or not mode:
        return a, False
    assert f.target is not None and f.target.value is not None
    t = f.target.value
    if mode == "excess":  # in the text's unit: 14个月 against ≤1年 is 2 个月
        factor = unit_factor(f.target.unit, rule.params.get("excess_unit", "")) or ONE
        return (a - t) * factor, True
    return (a / t if mode == "ratio" else (a - t) / abs(t)), True


def _measure_mode(rule: Rule, f: Facts) -> str:
    p = rule.params
    speaks_percent = bool(p.get("percent")) if p.get("threshold") is not None else False
    if rule.kind == "tiers":
        speaks_percent = any(t.get("percent") for t in p.get("tiers", ()))
    if rule.kind in ("band", "proportional"):
        speaks_percent = True  # a rate by definition
    t = f.target
    planned = f.actual is not None and t is not None and t.value is not None and not t.percent
    if p.get("excess") and planned and t and unit_factor(t.unit, p.get("excess_unit", "")) is not None:
        return "excess"  # 延期1-3个月: the time past the planned 标杆值
    quantity = f.actual is not None and not f.actual.percent and t is not None and not t.percent
    if speaks_percent and f.actual is not None and t and t.value and (t.change or quantity):
        return "ratio"  # 降低2.8% of 降低4% is a completion of 70%, like 950 of 1000人次
    if f.actual is not None and _deviation_of(rule, f):
        return "deviation"
    return ""


def _deviation_of(rule: Rule, f: Facts) -> bool:
    """A rule on a deviation (偏差在±5%以内 / 偏差率绝对值≤5%) on a row whose 标杆值 is the plan
    (100%, 400套) rather than the deviation bar itself (±5%, ≤5%): the deviation is
    (actual − plan) ÷ plan."""
    t = f.target
    if t is None or not t.value or t.comparator in (WITHIN, WORD):
        return False
    p = rule.params
    if rule.kind == "tolerance":
        bars = {p["tolerance"]}
    elif rule.kind == "tiers" and p.get("abs"):
        bars = {b for tier in p["tiers"] for b in (tier.get("lo"), tier.get("hi")) if b is not None}
    else:
        return False
    return t.value not in bars and (t.percent or f.actual is None or not f.actual.percent)


def _is_met(comp: str, actual: Decimal, threshold: Decimal) -> bool:
    if comp in (GE, EQ):
        return actual >= threshold
    if comp == GT:
        return actual > threshold
    if comp == LE:
        return actual <= threshold
    if comp == LT:
        return actual < threshold
    raise ValueError(comp)


_EXCEL_CMP = {GE: ">=", EQ: ">=", GT: ">", LE: "<=", LT: "<"}


def _actual_expr(refs: Refs) -> str:
    assert refs.actual is not None
    if refs.rate_digits is not None and refs.actual_percent:
        return f"ROUND({refs.actual},{refs.rate_digits + 2})"
    return refs.actual


def _step_units_expr(comp: str, a: str, t: str, percent: bool, per: Decimal) -> str:
    """Excel: number of deduction steps of the shortfall (percentage points or % of target)."""
    gap = f"({t}-{a})" if comp in (GE, GT, EQ) else f"({a}-{t})"
    if percent:
        return f"{gap}*100/{_num(per)}"
    return f"{gap}/ABS({t})*100/{_num(per)}"


def _deduct_factor(params: dict[str, Any], weight_expr: str) -> str:
    d = _num(params["deduct"])
    return d if params.get("deduct_unit") == "points" else f"{d}*{weight_expr}"


def _deduct_amount(params: dict[str, Any], weight: Decimal) -> Decimal:
    d: Decimal = params["deduct"]
    return d if params.get("deduct_unit") == "points" else d * weight


def _missing(what: str) -> Outcome:
    return Outcome(None, f"缺少{what}，无法按规则计分，保留申报得分", needs=what)


def _judgement_outcome(facts: Facts) -> tuple[int, int] | None:
    """(satisfied, total) from judgements, or None."""
    if facts.judgements is None:
        return None
    return sum(1 for j in facts.judgements if j), len(facts.judgements)


# ------------------------------------------------------------------ kinds
# Each kind: score_<kind>(rule, facts) -> Outcome ; formula_<kind>(rule, refs, facts) -> str | None


def score_ratio(rule: Rule, f: Facts) -> Outcome:
    th = _threshold(rule, f)
    a = f.actual_value
    if th is None and f.target is None and a is None and rule.params.get("no_task_full"):
        return Outcome(f.weight, "没有该项任务（标杆值、业绩值为空），按评分标准不扣分")
    if th is None:
        return _missing("数值型标杆值")
    if a is None:
        return _missing("业绩值")
    comp, t, _percent, _unit = th
    cap = rule.params.get("cap", ONE)
    if comp in (LE, LT) and rule.params.get("reverse") == "manual":
        if _is_met(comp, a, t):
            shown = f"{_show(a, _percent, _unit)} 达到 {_CMP_CN[comp]}{_show(t, _percent, _unit)}"
            return Outcome(f.weight, f"实际 {shown}，得满分")
        return Outcome(None, "标杆值为反向指标（越低越好），评分标准未说明完成比例如何计算，保留申报得分")
    if comp in (LE, LT):
        if a == 0:
            return Outcome(f.weight * cap, "业绩值为0，反向指标得满分")
        r = t / a
    else:
        if t == 0:
            return Outcome(None, "标杆值为0，无法计算完成比例", needs="非零标杆值")
        r = a / t
    if f.rate_digits is not None:  # --rate-digits rounds the completion ratio itself (113 ÷ 140 → 81%)
        r = round_half_up(r, f.rate_digits + 2)
    floor = rule.params.get("floor")
    if floor is not None and r < floor:
        return Outcome(ZERO, f"完成比例 {fmt_pct(r)} 低于 {fmt_pct(floor)}，不得分")
    raw = r
    r = max(min(r, cap), ZERO)
    s = f.weight * r
    shown = fmt_pct(raw) if raw == r else f"{fmt_pct(raw)}（超过{fmt_pct(cap)}按{fmt_pct(cap)}计）"
    if raw < 0:
        shown = f"{fmt_pct(raw)}（按0计）"
    return Outcome(s, f"完成比例 {shown}，得分 = {fmt_num(f.weight)} × {fmt_pct(r)} = {fmt_num(s)}")


def formula_ratio(rule: Rule, refs: Refs, f: Facts) -> str | None:
    th = _threshold(rule, f)
    if th is None or refs.actual is None or refs.target is None:
        return None
    comp = th[0]
    a, t, w = _actual_expr(refs), refs.target, refs.weight
    cap = _num(rule.params.get("cap", ONE))

    def rounded(x: str) -> str:
        return f"ROUND({x},{refs.rate_digits + 2})" if refs.rate_digits is not None else x

    floor = rule.params.get("floor")
    ratio = rounded(f"{t}/{a}") if comp in (LE, LT) else rounded(f"{a}/{t}")
    body = f"{w}*MAX(0,MIN({ratio},{cap}))"
    if floor is not None:
        body = f"IF({ratio}<{_num(floor)},0,{body})"
    if comp in (LE, LT):
        return f"IF({a}=0,{w}*{cap},{body})"
    return f'IF({t}=0,"",{body})'


def score_proportional(rule: Rule, f: Facts) -> Outcome:
    a, _ = _measured(rule, f)
    if a is None:
        return _missing("业绩值（完成率）")
    floor = rule.params.get("floor")
    if floor is not None and a < floor:
        return Outcome(ZERO, f"完成率 {fmt_pct(a)} 低于 {fmt_pct(floor)}，不得分")
    r = max(ZERO, min(a, rule.params.get("cap", ONE)))
    s = f.weight * r
    return Outcome(s, f"得分 = {fmt_num(f.weight)} × {fmt_pct(r)} = {fmt_num(s)}")


def formula_proportional(rule: Rule, refs: Refs, f: Facts) -> str | None:
    a = _measured_expr(rule, refs, f)
    if a is None:
        return None
    cap = _num(rule.params.get("cap", ONE))
    body = f"{refs.weight}*MAX(0,MIN({a},{cap}))"
    floor = rule.params.get("floor")
    return f"IF({a}<{_num(floor)},0,{body})" if floor is not None else body


def top_points(rule: Rule, weight: Decimal) -> Decimal:
    """The most a rule awards: the full points its text states, capped at the row's weight.

    The one policy for a rule whose own full points differ from the weight (docs/rules.md):
    the text is scored as written, never above the weight — "…得3分" on a 4-point row
    scores at most 3; "…得5分" on a 4-point row at most 4.  audit's rule.points says so.
    """
    full = rule.params.get("full")
    return min(full, weight) if full is not None else weight


def _top_expr(rule: Rule, w: str) -> str:
    full = rule.params.get("full")
    return f"MIN({_num(full)},{w})" if full is not None else w


def score_pass_fail(rule: Rule, f: Facts) -> Outcome:
    th = _threshold(rule, f)
    a = f.actual_value
    if th is not None and a is not None:
        comp, t, percent, unit = th
        if _is_met(comp, a, t):
            top = top_points(rule, f.weight)
            return Outcome(
                top,
                f"实际 {_show(a, percent, unit)} 达到 {_CMP_CN[comp]}{_show(t, percent, unit)}，得{_pts(top, f.weight)}",
            )
        return Outcome(
            ZERO, f"实际 {_show(a, percent, unit)} 未达到 {_CMP_CN[comp]}{_show(t, percent, unit)}，不得分"
        )
    return score_binary(rule, f)


def formula_pass_fail(rule: Rule, refs: Refs, f: Facts) -> str | None:
    th = _threshold(rule, f)
    if th is not None and f.actual_value is not None and refs.actual and refs.target:
        cmp = _EXCEL_CMP[th[0]]
        return f"IF({_actual_expr(refs)}{cmp}{refs.target},{_top_expr(rule, refs.weight)},0)"
    return formula_binary(rule, refs, f)


_CMP_CN = {GE: "≥", EQ: "≥", GT: ">", LE: "≤", LT: "<"}


def _score_range(rule: Rule, f: Facts) -> Outcome:
    """Full within [lo, hi] (执行率在95%-105%之间得满分); outside, deduct per point of deviation."""
    p = rule.params
    a = f.actual_value
    if a is None:
        return _missing("业绩值")
    lo, hi = p["lo"], p["hi"]
    full = top_points(rule, f.weight)
    if lo <= a <= hi:
        return Outcome(
            full, f"实际 {fmt_pct(a)} 在 {fmt_pct(lo)}–{fmt_pct(hi)} 之间，得{_pts(full, f.weight)}"
        )
    side = p.get("side", "both")
    if (side == "below" and a > hi) or (side == "above" and a < lo):
        where = "高于" if a > hi else "低于"
        return Outcome(None, f"实际 {fmt_pct(a)} {where}满分区间，评分标准只规定了另一侧的扣分，保留申报得分")
    gap = lo - a if a < lo else a - hi
    amount = _deduction(p, gap * HUNDRED / p.get("per", ONE), f.weight)
    s = max(ZERO, full - amount)
    return Outcome(
        s,
        f"实际 {fmt_pct(a)}，偏离 {fmt_pct(lo)}–{fmt_pct(hi)} {fmt_num(gap * HUNDRED)}个百分点，"
        f"每{_per_text(p)}{_deduct_text(p)}，扣{fmt_num(min(amount, full))}分",
    )


def score_step(rule: Rule, f: Facts) -> Outcome:
    if rule.params.get("comparator") == "range":
        return _score_range(rule, f)
    th = _threshold(rule, f)
    a, divided = _measured(rule, f)
    if th is None:
        return _missing("数值型标杆值")
    if a is None:
        return _missing("业绩值")
    comp, t, percent, unit = th
    if divided or (t == 0 and f.actual is not None and f.actual.percent):
        percent, unit = True, ""  # a rate against a target of 0 (偏差率为0): percentage points from 0
    p = rule.params
    full = top_points(rule, f.weight)
    shown_a, shown_t = _show(a, percent, unit), _show(t, percent, unit)
    if divided:
        shown_a = f"{_show(f.actual_value or ZERO, False, f.actual.unit if f.actual else '')}÷{fmt_num(f.target.value if f.target and f.target.value else ZERO, 4)} = {shown_a}"
    both = comp == "both"
    if p.get("bonus") is not None and a > t and _is_met(comp, a, t):
        return _bonus_outcome(p, a, t, percent, unit, f.weight, full, f"实际 {shown_a}，超过 {shown_t}")
    if (both and a == t) or (not both and _is_met(comp, a, t)):
        return Outcome(
            full, f"实际 {shown_a}，达到 {_CMP_CN.get(comp, '=')}{shown_t}，得{_pts(full, f.weight)}"
        )
    floor_at = p.get("floor_at")
    if floor_at is not None and ((comp in (GE, GT) and a < floor_at) or (comp in (LE, LT) and a > floor_at)):
        return Outcome(ZERO, f"实际 {shown_a}，越过不得分线 {_show(floor_at, percent, unit)}，不得分")
    gap = abs(a - t) if both else (t - a) if comp in (GE, GT, EQ) else (a - t)
    side = "偏离" if both else "低于" if comp in (GE, GT, EQ) else "高于"
    per = p.get("per", ONE)
    if p.get("absolute") and p.get("per_unit"):
        factor = _per_factor(p["per_unit"], f.target.unit if f.target else "")
        if factor is None:
            return Outcome(
                None, f"扣分单位“{p['per_unit']}”与标杆值的单位不同，无法计算", needs="同单位的标杆值"
            )
        per = per * factor
    if p.get("absolute"):
        steps = gap / per
        gap_text = f"{side}{shown_t} {fmt_num(gap, 4)}{unit}"
    elif percent:
        steps = gap * HUNDRED / per
        gap_text = f"{side}{shown_t} {fmt_num(gap * HUNDRED)}个百分点"
    else:
        if t == 0:
            return Outcome(None, "标杆值为0，无法计算偏离比例", needs="非零标杆值")
        steps = gap / abs(t) * HUNDRED / per
        gap_text = f"{side}{shown_t} {fmt_num(gap / abs(t) * HUNDRED)}%"
    beyond = p.get("zero_beyond")
    if beyond is not None and not p.get("absolute"):
        # 超过20%的，不得分: the same distance the steps count, past a stated line
        distance = steps * per
        if distance > beyond or (p.get("zero_beyond_incl") and distance == beyond):
            return Outcome(ZERO, f"实际 {shown_a}，{gap_text}，超过 {fmt_num(beyond)}%，不得分")
    if both and a < t and p.get("deduct_below") is not None:
        p = {**p, "deduct": p["deduct_below"]}  # 结余的，每结余1%扣0.1分: its own deduction below
    amount = steps * _deduct_amount(p, f.weight)
    capped = ""
    most = _max_deduct(p, f.weight)
    if most is not None and amount > most:
        amount = most
        capped = f"（最多扣{fmt_num(amount)}分）"
    s = max(ZERO, full - amount)
    return Outcome(
        s,
        f"实际 {shown_a}，{gap_text}，每{_per_text(p)}{_deduct_text(p)}，扣{fmt_num(min(amount, full))}分{capped}",
    )


def _per_factor(per_unit: str, target_unit: str) -> Decimal | None:
    """A step of 10万元 (or 50元 against 元/平方米) in the target's unit: the factor, or None."""
    return unit_factor(per_unit.split("/")[0], target_unit.split("/")[0])


def _bonus_outcome(
    p: dict[str, Any],
    a: Decimal,
    t: Decimal,
    percent: bool,
    unit: str,
    weight: Decimal,
    full: Decimal,
    said: str,
) -> Outcome:
    """每增加1%加1分，最高加2分: the full points and a bonus step per unit above the target."""
    if p.get("bonus_absolute"):
        factor = _per_factor(p.get("bonus_unit", ""), unit)
        if factor is None:
            return Outcome(
                None, f"加分单位“{p['bonus_unit']}”与标杆值的单位不同，无法计算", needs="同单位的标杆值"
            )
        steps = (a - t) / (p["bonus_per"] * factor)
    elif percent:
        steps = (a - t) * HUNDRED / p["bonus_per"]
    elif t:
        steps = (a - t) / abs(t) * HUNDRED / p["bonus_per"]
    else:
        return Outcome(None, "标杆值为0，无法计算超出比例", needs="非零标杆值")
    bonus = steps * p["bonus"]
    most = weight if p.get("bonus_max") == "weight" else p.get("bonus_max")
    capped = ""
    if most is not None and bonus > most:
        bonus, capped = most, f"（最多加{fmt_num(most)}分）"
    return Outcome(
        full + bonus,
        f"{said}，每{fmt_num(p['bonus_per'])}{'' if p.get('bonus_absolute') else '%'}加{fmt_num(p['bonus'])}分，"
        f"加{fmt_num(bonus)}分{capped}，得{fmt_num(full + bonus)}分（评分标准规定的加分，可高于分值）",
    )


def _bonus_expr(p: dict[str, Any], a: str, t: str, percent: bool, weight: str, unit: str) -> str | None:
    if p.get("bonus_absolute"):
        factor = _per_factor(p.get("bonus_unit", ""), unit)
        if factor is None:
            return None
        steps = f"({a}-{t})/{_num(p['bonus_per'] * factor)}"
    elif percent:
        steps = f"({a}-{t})*100/{_num(p['bonus_per'])}"
    else:
        steps = f"({a}-{t})/ABS({t})*100/{_num(p['bonus_per'])}"
    amount = f"{steps}*{_num(p['bonus'])}"
    most = p.get("bonus_max")
    if most == "weight":
        return f"MIN({amount},{weight})"
    return f"MIN({amount},{_num(most)})" if most is not None else amount


def _pts(points: Decimal, weight: Decimal) -> str:
    return "满分" if points == weight else f"{fmt_num(points)}分"


def _measured_expr(rule: Rule, refs: Refs, f: Facts) -> str | None:
    if refs.actual is None:
        return None
    a = _actual_expr(refs)
    mode = _measure_mode(rule, f)
    if not mode:
        return a
    assert f.target is not None and f.target.value is not None
    t = _num(f.target.value)
    if mode == "excess":
        factor = unit_factor(f.target.unit, rule.params.get("excess_unit", "")) or ONE
        return f"({a}-{t})*{_num(factor)}"
    # rounded to 10 places: 0.04/0.05 is 0.7999… in floating point, 0.8 in perfxl's decimals
    if mode == "ratio":
        return f"ROUND({a}/{t},10)"
    return f"ROUND(({a}-{t})/{_num(abs(f.target.value))},10)"


def _deduction(p: dict[str, Any], steps: Decimal | int, weight: Decimal) -> Decimal:
    """Points deducted for *steps* steps (or failures), limited by 最多扣N分 when the rule says so."""
    amount = steps * _deduct_amount(p, weight)
    most = _max_deduct(p, weight)
    return min(amount, most) if most is not None else amount


def _max_deduct(p: dict[str, Any], weight: Decimal) -> Decimal | None:
    """The most a rule deducts (最多扣5分 / 最多扣权重分的50%), or None."""
    most: Decimal | None = p.get("max_deduct")
    if most is not None and p.get("max_deduct_unit") == "weight":
        return most * weight
    return most


def _cap_expr(rule: Rule, amount: str, weight: str = "") -> str:
    cap = rule.params.get("max_deduct")
    if cap is None:
        return amount
    if rule.params.get("max_deduct_unit") == "weight":
        return f"MIN({amount},{_num(cap)}*{weight})"
    return f"MIN({amount},{_num(cap)})"


def formula_step(rule: Rule, refs: Refs, f: Facts) -> str | None:
    p = rule.params
    if p.get("comparator") == "range":
        if refs.actual is None:
            return None
        ax, wx = _actual_expr(refs), refs.weight
        lo, hi = _num(p["lo"]), _num(p["hi"])
        top = _top_expr(rule, wx)
        amount = _cap_expr(
            rule, f"MAX({lo}-{ax},{ax}-{hi})*100/{_num(p.get('per', ONE))}*{_deduct_factor(p, wx)}", wx
        )
        return f"IF(AND({ax}>={lo},{ax}<={hi}),{top},MAX(0,{top}-{amount}))"
    th = _threshold(rule, f)
    a = _measured_expr(rule, refs, f)
    if th is None or a is None or refs.target is None:
        return None
    comp, t_value, percent, _ = th
    divided = _measured(rule, f)[1] or (t_value == 0 and f.actual is not None and f.actual.percent)
    p = rule.params
    w = refs.weight
    t = refs.target  # the 目标值 helper cell: the text's threshold, else the 标杆值 (effective_target)
    full = f"MIN({_num(p['full'])},{w})" if p.get("full") is not None else w
    per_value = p.get("per", ONE)
    if p.get("absolute") and p.get("per_unit"):
        factor = _per_factor(p["per_unit"], f.target.unit if f.target else "")
        if factor is None:
            return None
        per_value = per_value * factor
    per = _num(per_value)
    gap = f"ABS({a}-{t})" if comp == "both" else f"({t}-{a})" if comp in (GE, GT, EQ) else f"({a}-{t})"
    if p.get("absolute"):
        units = f"{gap}/{per}"
    elif percent or divided:
        units = f"{gap}*100/{per}"
    else:
        units = f"{gap}/ABS({t})*100/{per}"
    ded = _deduct_factor(p, w)
    if comp == "both" and p.get("deduct_below") is not None:
        ded = f"IF({a}<{t},{_deduct_factor({**p, 'deduct': p['deduct_below']}, w)},{ded})"
    body = f"MAX(0,{full}-{_cap_expr(rule, f'{units}*{ded}', w)})"
    floor_at = p.get("floor_at")
    if floor_at is not None:
        op = "<" if comp in (GE, GT) else ">"
        body = f"IF({a}{op}{_num(floor_at)},0,{body})"
    beyond = p.get("zero_beyond")
    if beyond is not None and not p.get("absolute"):
        op = ">=" if p.get("zero_beyond_incl") else ">"
        body = f"IF({units}*{per}{op}{_num(beyond)},0,{body})"
    met = f"{a}={t}" if comp == "both" else f"{a}{_EXCEL_CMP[comp]}{t}"
    if p.get("bonus") is not None:
        bonus = _bonus_expr(p, a, t, percent or divided, w, f.target.unit if f.target else "")
        if bonus is None:
            return None
        full = f"{full}+MAX(0,{bonus})"
    return f"IF({met},{full},{body})"


score_threshold = score_step
formula_threshold = formula_step


def score_band(rule: Rule, f: Facts) -> Outcome:
    a, _ = _measured(rule, f)
    if a is None:
        return _missing("业绩值")
    p = rule.params
    top, floor = p["top"], p["floor"]
    best = top_points(rule, f.weight)
    if a >= top:
        return Outcome(best, f"实际 {fmt_pct(a)} ≥ {fmt_pct(top)}，得{_pts(best, f.weight)}")
    if a < floor or (p.get("floor_incl") and a == floor):
        at = "不高于" if p.get("floor_incl") else "低于"
        return Outcome(ZERO, f"实际 {fmt_pct(a)} {at} {fmt_pct(floor)}，不得分")
    steps = (top - a) * HUNDRED / p.get("per", ONE)
    amount = _deduction(p, steps, f.weight)
    s = max(ZERO, best - amount)
    return Outcome(
        s,
        f"实际 {fmt_pct(a)}，低于{fmt_pct(top)} {fmt_num((top - a) * HUNDRED)}个百分点，"
        f"每{_per_text(p)}{_deduct_text(p)}，扣{fmt_num(min(amount, best))}分",
    )


def formula_band(rule: Rule, refs: Refs, f: Facts) -> str | None:
    a = _measured_expr(rule, refs, f)
    if a is None:
        return None
    p = rule.params
    w = refs.weight
    top, floor = _num(p["top"]), _num(p["floor"])
    ded = _deduct_factor(p, w)
    per = _num(p.get("per", ONE))
    amount = _cap_expr(rule, f"({top}-{a})*100/{per}*{ded}", w)
    best = _top_expr(rule, w)
    below = "<=" if p.get("floor_incl") else "<"
    return f"IF({a}>={top},{best},IF({a}{below}{floor},0,MAX(0,{best}-{amount})))"


def score_tolerance(rule: Rule, f: Facts) -> Outcome:
    a, _ = _measured(rule, f)
    if a is None:
        return _missing("业绩值")
    p = rule.params
    tol = p["tolerance"]
    base = min(p.get("base") or f.weight, f.weight)
    if abs(a) <= tol:
        return Outcome(base, f"实际 {fmt_pct(a)} 在 ±{fmt_pct(tol)} 以内，得{fmt_num(base)}分")
    over = (abs(a) - tol) * HUNDRED
    amount = _deduction(p, over / p.get("per", ONE), f.weight)
    s = max(ZERO, base - amount)
    return Outcome(
        s,
        f"实际 {fmt_pct(a)}，超出 ±{fmt_pct(tol)} {fmt_num(over)}个百分点，"
        f"每{_per_text(p)}{_deduct_text(p)}，扣{fmt_num(min(amount, base))}分",
    )


def formula_tolerance(rule: Rule, refs: Refs, f: Facts) -> str | None:
    a = _measured_expr(rule, refs, f)
    if a is None:
        return None
    p = rule.params
    w = refs.weight
    tol = _num(p["tolerance"])
    base = f"MIN({_num(p['base'])},{w})" if p.get("base") else w
    ded = _deduct_factor(p, w)
    per = _num(p.get("per", ONE))
    amount = _cap_expr(rule, f"(ABS({a})-{tol})*100/{per}*{ded}", w)
    return f"IF(ABS({a})<={tol},{base},MAX(0,{base}-{amount}))"


def _checklist_shares(p: dict[str, Any], n: int) -> list[Decimal]:
    alt = p.get("alt_shares")
    if alt and len(alt) == n and p.get("base") is None:
        return list(alt)  # the text's second scheme for fewer points (前两项分别占50%)
    shares = list(p.get("shares") or [])
    if not shares:
        share = p.get("share")
        shares = [share] * n if share is not None else [ONE / n] * n if n > 0 else []
    if p.get("base") is not None:
        shares = [p["base"], *shares]
    return shares


def _score_deduct_points(rule: Rule, f: Facts) -> Outcome:
    """Items that each cost their own points when not met (机构不健全扣2分，人员不落实扣2分 …)."""
    deducts: list[Decimal] = rule.params["deducts"]
    if f.judgements is None:
        if f.failures is not None and len(set(deducts)) == 1:
            amount = f.failures * deducts[0]
            return Outcome(
                max(ZERO, f.weight - amount), f"不符合{f.failures}项，扣{fmt_num(min(amount, f.weight))}分"
            )
        if f.words_match:
            return Outcome(f.weight, f"业绩值“{f.actual_word}”与标杆值一致，视为全部要点符合，得满分")
        return _missing("要点判定")
    if len(f.judgements) != len(deducts):
        return Outcome(
            None,
            f"要点判定有{len(f.judgements)}项，评分标准列出{len(deducts)}项，无法逐项计分，保留申报得分",
            needs="要点判定",
        )
    amount = sum((d for d, ok in zip(deducts, f.judgements, strict=True) if not ok), ZERO)
    if amount == 0:
        return Outcome(f.weight, f"{len(deducts)}项全部符合，得满分")
    lost = "、".join(f"第{i + 1}项" for i, ok in enumerate(f.judgements) if not ok)
    return Outcome(max(ZERO, f.weight - amount), f"{lost}不符合，扣{fmt_num(min(amount, f.weight))}分")


def score_checklist(rule: Rule, f: Facts) -> Outcome:
    p = rule.params
    if p.get("mode") == "deduct_points":
        return _score_deduct_points(rule, f)
    jo = _judgement_outcome(f)
    n = p.get("n")
    if jo is None:
        if f.failures is not None and p.get("mode") == "deduct" and n:
            satisfied, total = n - f.failures, n
            marks = None
        elif f.words_match:
            return Outcome(f.weight, f"业绩值“{f.actual_word}”与标杆值一致，视为全部要点符合，得满分")
        else:
            return _missing("要点判定")
    else:
        satisfied, total = jo
        marks = f.judgements
        expected = (n + (1 if p.get("base") is not None else 0)) if n else None
        if p.get("alt_shares") and total == len(p["alt_shares"]):
            expected = total
        if expected and total != expected:
            return Outcome(
                None,
                f"要点判定有{total}项，评分标准列出{expected}项，无法逐项计分，保留申报得分",
                needs="要点判定",
            )
    min_count = p.get("min_count")
    if min_count and satisfied < min_count:
        return Outcome(ZERO, f"符合{satisfied}项，少于{min_count}项，不得分")
    if p.get("mode") == "deduct":
        misses = total - satisfied
        amount = misses * p["deduct"] * f.weight
        s = max(ZERO, f.weight - amount)
        if misses == 0:
            return Outcome(s, f"{total}项全部符合，得满分")
        return Outcome(
            s,
            f"{total}项中{misses}项不符合，每项扣{fmt_num(p['deduct'] * HUNDRED, 4)}%权重分，扣{fmt_num(min(amount, f.weight))}分",
        )
    if marks is None:
        return _missing("要点判定")
    shares = _checklist_shares(p, total - (1 if p.get("base") is not None else 0))
    got = sum((sh for sh, ok in zip(shares, marks, strict=False) if ok), ZERO)
    got = min(got, ONE)
    if p.get("full_when_all") and all(marks):
        got = ONE
    s = f.weight * got
    lost = [str(i + (0 if p.get("base") is not None else 1)) for i, ok in enumerate(marks) if not ok]
    if not lost and got >= ONE:
        return Outcome(s, f"{total}项全部符合，得满分")
    if not lost:
        # every judged point is met but the judged shares do not add up to the whole weight
        return Outcome(
            s, f"判定的{total}项均符合，合计占权重分的{fmt_num(got * HUNDRED)}%，扣{fmt_num(f.weight - s)}分"
        )
    names = "、".join("基础项" if x == "0" else f"第{x}项" for x in lost)
    return Outcome(s, f"{names}不符合，得权重分的{fmt_num(got * HUNDRED)}%，扣{fmt_num(f.weight - s)}分")


def formula_checklist(rule: Rule, refs: Refs, f: Facts) -> str | None:
    p = rule.params
    w = refs.weight
    if p.get("mode") == "deduct_points":
        deducts: list[Decimal] = p["deducts"]
        if f.judgements is not None and refs.judgements is not None and len(f.judgements) == len(deducts):
            const = ",".join(_num(d) for d in deducts)
            all_points = _num(sum(deducts, ZERO))
            return f"MAX(0,{w}-({all_points}-SUMPRODUCT({{{const}}},{refs.judgements})))"
        if f.judgements is None and f.failures is not None and refs.failures and len(set(deducts)) == 1:
            return f"MAX(0,{w}-{refs.failures}*{_num(deducts[0])})"
        return None
    if refs.judgements is None or f.judgements is None:
        if f.judgements is None and f.failures is not None and p.get("mode") == "deduct" and p.get("n"):
            if refs.failures is None:
                return None
            body = f"MAX(0,{w}*(1-{_num(p['deduct'])}*{refs.failures}))"
            mc = p.get("min_count")
            if mc:
                body = f"IF({_num(Decimal(p['n']))}-{refs.failures}<{mc},0,{body})"
            return body
        if f.judgements is None and f.words_match:
            return _fallback_formula(rule, refs, f)
        return None
    total = len(f.judgements)
    expected = (p["n"] + (1 if p.get("base") is not None else 0)) if p.get("n") else None
    if p.get("alt_shares") and total == len(p["alt_shares"]):
        expected = total
    if expected and total != expected:
        return None
    j = refs.judgements
    if p.get("mode") == "deduct":
        body = f"MAX(0,{w}*(1-{_num(p['deduct'])}*({total}-SUM({j}))))"
    else:
        shares = _checklist_shares(p, total - (1 if p.get("base") is not None else 0))
        if len(set(shares)) == 1:
            body = f"{w}*MIN(1,SUM({j})*{_share_literal(shares[0])})"
        else:
            const = ",".join(_num(s) for s in shares)
            body = f"{w}*MIN(1,SUMPRODUCT({{{const}}},{j}))"
        if p.get("full_when_all"):
            body = f"IF(SUM({j})={total},{w},{body})"
    mc = p.get("min_count")
    if mc:
        body = f"IF(SUM({j})<{mc},0,{body})"
    return body


def _share_literal(share: Decimal) -> str:
    """Equal shares like 1/3 stay an exact fraction in the formula."""
    if share == 0:
        return "0"
    inv = ONE / share
    if inv == inv.to_integral_value():
        return _num(share)
    rounded = inv.quantize(ONE)
    if abs(inv - rounded) < Decimal("1e-20"):
        return f"(1/{rounded})"
    return _num(share)


def score_deduct_each(rule: Rule, f: Facts) -> Outcome:
    p = rule.params
    failures = f.failures
    if failures is None and f.judgements is not None:
        failures = sum(1 for j in f.judgements if not j)
    full = top_points(rule, f.weight)
    if failures is None:
        if f.words_match:
            return Outcome(full, f"业绩值“{f.actual_word}”与标杆值一致，无扣分项，得{_pts(full, f.weight)}")
        th = _threshold(rule, f)
        a = f.actual_value
        if th is not None and a is not None and _count_met(th[0], a, th[1]):
            return Outcome(
                full, f"实际 {_show(a, th[2], th[3])} 达到标杆值，无扣分项，得{_pts(full, f.weight)}"
            )
        gap = _count_gap(rule, f)
        if gap is None:
            return _missing("不符合项数或要点判定")
        if p.get("zero_at") is not None and gap >= p["zero_at"]:
            return Outcome(
                ZERO,
                f"比标杆值差{fmt_num(gap, 4)}{p.get('unit') or '项'}，达到{fmt_num(p['zero_at'])}，不得分",
            )
        unit = p.get("unit") or "项"
        amount = _deduction(p, gap, f.weight)
        s = max(ZERO, full - amount)
        side = "少" if p.get("direction") == "below" else "多"
        return Outcome(
            s,
            f"实际 {_show(a or ZERO, False, f.actual.unit if f.actual else '')}，比标杆值{side}{fmt_num(gap, 4)}{unit}，"
            f"每{unit}{_deduct_text(p)}，扣{fmt_num(min(amount, full))}分",
        )
    if p.get("zero_at") is not None and failures >= p["zero_at"]:
        return Outcome(ZERO, f"不符合{failures}项，达到{fmt_num(p['zero_at'])}项，不得分")
    amount = _deduction(p, failures, f.weight)
    s = max(ZERO, full - amount)
    if failures == 0:
        return Outcome(s, f"无不符合项，得{_pts(full, f.weight)}")
    unit = "项"
    return Outcome(
        s, f"不符合{failures}{unit}，每{unit}{_deduct_text(p)}，扣{fmt_num(min(amount, f.weight))}分"
    )


def _count_met(comp: str, actual: Decimal, threshold: Decimal) -> bool:
    """A deduct-per-item row's target reached: a target of 0 (0个问题, 0起事故) is met by none at
    all, not by "at least 0"."""
    if comp == EQ and threshold == 0:
        return actual <= 0
    return _is_met(comp, actual, threshold)


def _late_alone(f: Facts) -> bool:
    """业绩值 written as the delay itself (延期2个月, 滞后2年) with no numeric 标杆值."""
    late = f.actual is not None and f.actual.change == "late"
    return late and (f.target is None or f.target.value is None)


def _count_gap(rule: Rule, f: Facts) -> Decimal | None:
    """每少一人/每延迟一天/每减少一项 with a numeric 标杆值 and 业绩值 instead of a failure count:
    the shortfall (or excess) in the step's unit (年 → 月 converted)."""
    p = rule.params
    direction = p.get("direction")
    t, a = f.target, f.actual
    if _late_alone(f) and direction in ("above", "event") and a is not None:
        factor = unit_factor(a.unit, p.get("unit", ""))  # 滞后2年 for 每滞后一年: 2
        return a.value * factor if factor is not None else None
    if direction == "event" and a is not None and not a.percent and (t is None or t.value in (None, 0)):
        # 每发现一项问题扣1分 with 业绩值 "8个": the actual counts the occurrences
        return a.value if a.value >= 0 and a.value == a.value.to_integral_value() else None
    if (
        direction not in ("below", "above")
        or t is None
        or t.value is None
        or a is None
        or a.percent
        or t.percent
    ):
        return None
    factor = unit_factor(t.unit, p.get("unit", ""))
    if factor is None:
        return None
    gap = (t.value - a.value) if direction == "below" else (a.value - t.value)
    return max(ZERO, gap) * factor


def _fallback_formula(rule: Rule, refs: Refs, f: Facts) -> str | None:
    """Full marks when the word/threshold condition holds, else the declared score stands."""
    if refs.declared is None:
        return None
    cond = _condition_expr(refs, f)
    return None if cond is None else f"IF({cond},{refs.weight},{refs.declared})"


def formula_deduct_each(rule: Rule, refs: Refs, f: Facts) -> str | None:
    w = refs.weight
    if f.failures is None and f.judgements is None:
        gap = _count_gap(rule, f)
        th = _threshold(rule, f)
        met = th is not None and f.actual_value is not None and _count_met(th[0], f.actual_value, th[1])
        p = rule.params
        event = p.get("direction") == "event"
        late = _late_alone(f) and f.actual is not None
        if (
            gap is not None
            and not met
            and refs.actual
            and (event or late or (refs.target and f.target is not None))
        ):
            factor = (
                _num(unit_factor(f.actual.unit, p.get("unit", "")) or ONE)
                if late and f.actual is not None
                else "1"
                if event or f.target is None
                else _num(unit_factor(f.target.unit, p.get("unit", "")) or ONE)
            )
            if event or late:
                diff = refs.actual  # 每发现一项: the actual counts the occurrences
            elif p["direction"] == "below":
                diff = f"({refs.target}-{refs.actual})"
            else:
                diff = f"({refs.actual}-{refs.target})"
            amount = _cap_expr(rule, f"MAX(0,{diff})*{factor}*{_deduct_factor(p, w)}", w)
            body = f"MAX(0,{_top_expr(rule, w)}-{amount})"
            if p.get("zero_at") is not None:
                body = f"IF(MAX(0,{diff})*{factor}>={_num(p['zero_at'])},0,{body})"
            return body
        return _fallback_formula(rule, refs, f)
    if refs.failures is None:
        return None
    p = rule.params
    full = f"MIN({_num(p['full'])},{w})" if p.get("full") is not None else w
    body = f"MAX(0,{full}-{_cap_expr(rule, f'{refs.failures}*{_deduct_factor(p, w)}', w)})"
    if p.get("zero_at") is not None:
        body = f"IF({refs.failures}>={_num(p['zero_at'])},0,{body})"
    return body


def _tier_matches(tier: dict[str, Any], a: Decimal) -> bool:
    lo, hi = tier.get("lo"), tier.get("hi")
    if lo is not None and (a < lo or (a == lo and not tier.get("lo_incl", True))):
        return False
    return not (hi is not None and (a > hi or (a == hi and not tier.get("hi_incl", False))))


def _tier_points(tier: dict[str, Any], weight: Decimal) -> Decimal:
    pts: Decimal = tier["points"]
    if tier.get("unit") == "cost":  # 5%以内扣1分: the weight less the cost
        return max(ZERO, weight - pts)
    return pts * weight if tier.get("unit") == "weight" else pts


def score_tiers(rule: Rule, f: Facts) -> Outcome:
    a, _ = _measured(rule, f)
    what = "实际"
    if rule.params.get("excess") and a is not None:
        what = f"超出标杆值（{rule.params.get('excess_unit', '')}）"
    if a is None and rule.params.get("count_failures") and f.failures is not None:
        a, what = Decimal(f.failures), "不符合项数"  # 有1-3次未按时报送: the count of failures
    if a is None:
        return _missing("业绩值")
    v = abs(a) if rule.params.get("abs") else a
    for tier in rule.params["tiers"]:
        if _tier_matches(tier, v) and tier.get("step"):
            return _stepped_tier(tier, v, what, f.weight)
        if _tier_matches(tier, v):
            s = min(_tier_points(tier, f.weight), f.weight)
            return Outcome(
                s,
                f"{what} {fmt_pct(a) if tier.get('percent', True) else fmt_num(a)} 落在“{tier['label']}”档，得{fmt_num(s)}分",
            )
    if rule.params.get("otherwise") == "manual":
        return Outcome(
            None, f"实际 {fmt_pct(a)} 未达到评分标准所列的档次，评分标准未说明此时如何计分，保留申报得分"
        )
    return Outcome(ZERO, f"实际 {fmt_pct(a)} 不在任何得分档内，不得分")


def _stepped_tier(tier: dict[str, Any], v: Decimal, what: str, weight: Decimal) -> Outcome:
    """90%以下，每降低1个百分点在4分基础上扣0.5分: the tier's points less a step per point below its edge."""
    step = tier["step"]
    gap = (tier["hi"] - v) * HUNDRED
    amount = gap / step["per"] * _deduct_amount(step, weight)
    most = _max_deduct(step, weight)
    capped = ""
    if most is not None and amount > most:
        amount, capped = most, f"（最多扣{fmt_num(most)}分）"
    base = min(tier["points"], weight)
    s = max(ZERO, base - amount)
    return Outcome(
        s,
        f"{what} {fmt_pct(v)}，低于{fmt_pct(tier['hi'])} {fmt_num(gap)}个百分点，在{fmt_num(base)}分基础上"
        f"每{fmt_num(step['per'])}个百分点{_deduct_text(step)}，扣{fmt_num(min(amount, base))}分{capped}",
    )


def _stepped_tier_expr(tier: dict[str, Any], v: str, weight: str) -> str:
    step = tier["step"]
    amount = f"({_num(tier['hi'])}-{v})*100/{_num(step['per'])}*{_deduct_factor(step, weight)}"
    if step.get("max_deduct") is not None:
        amount = f"MIN({_num(step['max_deduct'])},{amount})"
    return f"MAX(0,MIN({_num(tier['points'])},{weight})-{amount})"


def formula_tiers(rule: Rule, refs: Refs, f: Facts) -> str | None:
    a = _measured_expr(rule, refs, f) if f.actual_value is not None else None
    if a is None and rule.params.get("count_failures") and f.failures is not None:
        a = refs.failures
    if a is None:
        return None
    v = f"ABS({a})" if rule.params.get("abs") else a
    expr = "0"
    for tier in reversed(rule.params["tiers"]):
        conds = []
        if tier.get("lo") is not None:
            conds.append(f"{v}{'>=' if tier.get('lo_incl', True) else '>'}{_num(tier['lo'])}")
        if tier.get("hi") is not None:
            conds.append(f"{v}{'<=' if tier.get('hi_incl', False) else '<'}{_num(tier['hi'])}")
        pts = _num(tier["points"])
        pts_expr = f"{pts}*{refs.weight}" if tier.get("unit") == "weight" else pts
        if tier.get("unit") == "cost":
            pts_expr = f"MAX(0,{refs.weight}-{pts})"
        if tier.get("step"):
            pts_expr = _stepped_tier_expr(tier, v, refs.weight)
        cond = conds[0] if len(conds) == 1 else f"AND({','.join(conds)})"
        expr = f"IF({cond},MIN({pts_expr},{refs.weight}),{expr})"
    return expr


# What a self-evaluation writes as the 实际完成值 of a qualitative line when it met the target
# (年度指标值 "效果明显", 实际完成值 "达成预期指标"): the national forms' own wording.
MET_WORDS = (
    "达成预期指标",
    "达成预期目标",
    "达到预期指标",
    "达到预期目标",
    "达到预期",
    "达成预期",
    "已达成",
    "已达到",
)


def _holds(f: Facts) -> tuple[bool | None, str]:
    """Does a yes/no condition hold (good for the unit)?  None = unknown."""
    if f.judgements:
        ok = all(f.judgements)
        return ok, "要点判定全部符合" if ok else "要点判定存在不符合"
    if f.failures is not None:
        return f.failures == 0, "无不符合项" if f.failures == 0 else f"不符合{f.failures}项"
    if f.target is not None and f.target.comparator == WORD and f.actual_word:
        if f.actual_word in MET_WORDS and f.actual_word != f.target.word:
            return True, f"业绩值“{f.actual_word}”表示达到标杆值“{f.target.word}”"
        ok = f.actual_word == f.target.word
        return ok, f"业绩值“{f.actual_word}”{'与' if ok else '不同于'}标杆值“{f.target.word}”"
    if f.target is not None and f.target.value is not None and f.actual_value is not None:
        ok = _is_met(
            f.target.comparator if f.target.comparator != WITHIN else LE, f.actual_value, f.target.value
        )
        return ok, "实际值达到标杆值" if ok else "实际值未达到标杆值"
    return None, ""


def score_binary(rule: Rule, f: Facts) -> Outcome:
    ok, why = _holds(f)
    if ok is None and f.actual_word and rule.params.get("levels"):
        # 出台…得5分，未出台…不得分 with 业绩值 已出台: the word names one of the text's two levels
        levels = Rule("labels", {"labels": rule.params["levels"]})
        lab, _ = _pick_label(levels, f)
        if lab is not None and _has_points(lab):
            ok = _label_points(lab, f.weight) > 0
            why = f"业绩值“{f.actual_word}”为“{lab['label']}”"
    if ok is None:
        return _missing("要点判定")
    if rule.params.get("words_only") and not ok and not f.judgements and f.failures is None:
        # a qualitative line whose words differ is the evaluator's judgement, not a zero
        return Outcome(None, f"{why}，定性指标保留申报得分")
    top = top_points(rule, f.weight)
    return Outcome(top if ok else ZERO, f"{why}，{'得' + _pts(top, f.weight) if ok else '不得分'}")


def _condition_expr(refs: Refs, f: Facts) -> str | None:
    if f.judgements and refs.judgements:
        return f"COUNTIF({refs.judgements},0)=0"
    if f.failures is not None and refs.failures:
        return f"{refs.failures}=0"
    if f.target is not None and f.target.comparator == WORD and f.actual_word and refs.actual_text:
        # Excel's "=" ignores case; Python's comparison does not: only emit it where both agree
        same_verdict = (f.actual_word == f.target.word) == (f.actual_word.lower() == f.target.word.lower())
        if refs.texts_plain and same_verdict and refs.target_text:
            met = "".join(f',{refs.actual_text}="{w}"' for w in MET_WORDS)
            return f"OR({refs.actual_text}={refs.target_text}{met})"
        return None
    if (
        f.target is not None
        and f.target.value is not None
        and f.actual_value is not None
        and refs.actual
        and refs.target
    ):
        comp = f.target.comparator if f.target.comparator != WITHIN else LE
        return f"{_actual_expr(refs)}{_EXCEL_CMP[comp]}{refs.target}"
    return None


def formula_binary(rule: Rule, refs: Refs, f: Facts) -> str | None:
    cond = _condition_expr(refs, f)
    return None if cond is None else f"IF({cond},{_top_expr(rule, refs.weight)},0)"


def _occurrences(f: Facts) -> Decimal | None:
    """How many times something happened: 业绩值 "3次"/"3项"/3, else a 不符合项数-style count."""
    if f.actual is not None and not f.actual.percent and f.actual.value >= 0:
        if f.actual.value == f.actual.value.to_integral_value():
            return f.actual.value
        return None
    return Decimal(f.failures) if f.failures is not None else None


def _score_per_item(rule: Rule, f: Facts) -> Outcome:
    """每获得一项表彰加0.5分，最多加2分 / 有一次…得1分，最多得2分: points per occurrence, capped."""
    p = rule.params
    per = p.get("per")
    if per is not None:  # 每完成1000亩加0.1分: each whole 1000 of the actual
        if f.actual is None or f.actual.percent or f.actual.value < 0:
            return _missing("业绩值（完成数量）")
        n = (f.actual.value / per).to_integral_value(rounding=ROUND_FLOOR)
        counted = f"{fmt_num(f.actual.value, 4)}{f.actual.unit}，满{fmt_num(per)}的{fmt_num(n)}份"
    else:
        found = _occurrences(f)
        if found is None:
            return _missing("业绩值（次数或项数）")
        n, counted = found, f"{fmt_num(found)}次（项）"
    most = min(p["max"], abs(f.weight)) if p.get("max") is not None else abs(f.weight)
    got = min(n * p["per_item"], most)
    return Outcome(
        got,
        f"{counted}，每{'份' if per is not None else '次'}{fmt_num(p['per_item'])}分，得{fmt_num(got)}分（最多{fmt_num(most)}分）",
    )


def score_bonus(rule: Rule, f: Facts) -> Outcome:
    if rule.params.get("per_item") is not None:
        return _score_per_item(rule, f)
    pts = abs(rule.params.get("points") or f.weight)
    ok, why = _holds(f)
    if ok is None:
        return _missing("要点判定（是否获得表彰）")
    return Outcome(pts if ok else ZERO, f"{why}，{'加' + fmt_num(pts) + '分' if ok else '不加分'}")


def formula_bonus(rule: Rule, refs: Refs, f: Facts) -> str | None:
    p = rule.params
    if p.get("per_item") is not None:
        count = refs.actual if f.actual is not None and not f.actual.percent else refs.failures
        if p.get("per") is not None:
            count = f"INT(ROUND({refs.actual}/{_num(p['per'])},10))" if refs.actual is not None else None
        if count is None:
            return None
        most = (
            f"MIN({_num(p['max'])},ABS({refs.weight}))" if p.get("max") is not None else f"ABS({refs.weight})"
        )
        return f"MIN({count}*{_num(p['per_item'])},{most})"
    cond = _condition_expr(refs, f)
    pts = _num(abs(rule.params.get("points") or f.weight))
    return None if cond is None else f"IF({cond},{pts},0)"


def score_penalty(rule: Rule, f: Facts) -> Outcome:
    pts = abs(rule.params.get("points") or f.weight)
    ok, why = _holds(f)  # √ = compliant
    if ok is None:
        return _missing("要点判定（是否存在违规）")
    return Outcome(ZERO if ok else -pts, f"{why}，{'不扣分' if ok else '扣' + fmt_num(pts) + '分'}")


def formula_penalty(rule: Rule, refs: Refs, f: Facts) -> str | None:
    cond = _condition_expr(refs, f)
    pts = _num(abs(rule.params.get("points") or f.weight))
    return None if cond is None else f"IF({cond},0,-{pts})"


# words that change a level's meaning: 健全 is not 基本健全 or 不健全
_QUALIFIERS = r"(?:基本|不|较|比较|部分|未|没有|无|一般|欠|不够|尚未|有待)"


def _label_key(text: str) -> str:
    return re.sub(r"[的者,:：，。;；\s]", "", text)


# words that answer a yes/no rule (a 业绩值 of 是 picks the rule's positive level)
_YES_WORDS = {
    "是",
    "有",
    "√",
    "✓",
    "符合",
    "完成",
    "已完成",
    "达到",
    "达标",
    "合格",
    "齐全",
    "到位",
    "及时",
    "规范",
    "健全",
}
_NO_WORDS = {
    "否",
    "无",
    "没有",
    "×",
    "✗",
    "不符合",
    "未完成",
    "未达到",
    "不达标",
    "不合格",
    "不齐全",
    "不到位",
    "不及时",
    "不规范",
    "不健全",
}


def _matches(label: str, key: str) -> bool:
    """The word occurs in the label, not behind a qualifier (符合要求 is not in 不符合要求)."""
    start = label.find(key)
    while start >= 0:
        if not re.search(_QUALIFIERS + "$", label[:start]):
            return True
        start = label.find(key, start + 1)
    return False


# the levels the clause grammar adds to a rule that names only one level
NOT_MET = "未达到"  # an item earned or not: (3分) → otherwise 0
NOT_AS_STATED = "未达到上述要求"  # …得3分 → otherwise a person (or 0 for a bonus)
NONE_OF_THESE = "不存在上述情况"  # 存在缺失不得分 → otherwise full marks
_IMPLIED_LEVELS = (NOT_MET, NOT_AS_STATED, NONE_OF_THESE)


def _yes_no(labels: list[dict[str, Any]], weight: Decimal) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(positive, negative) of a two-level rule whose levels are "points" and "not those points"."""
    if len(labels) != 2:
        return None
    known = [lab for lab in labels if _has_points(lab)]
    if not known:
        return None
    best = max(known, key=lambda lab: _label_points(lab, weight))
    other = next(lab for lab in labels if lab is not best)
    if _has_points(other) and _label_points(other, weight) >= _label_points(best, weight):
        return None
    return best, other


def _has_points(lab: dict[str, Any]) -> bool:
    return lab["points"] is not None or lab.get("cost") is not None


def _pick_label(rule: Rule, f: Facts) -> tuple[dict[str, Any] | None, str]:
    """The level the evaluator chose: the 业绩值 word (exactly, or the one level that contains
    it), or for a two-level rule a yes/no answer, a √/× judgement or a failure count."""
    labels: list[dict[str, Any]] = rule.params["labels"]
    pair = _yes_no(labels, f.weight)
    if f.actual_word:
        key = _label_key(f.actual_word)
        exact = [lab for lab in labels if _label_key(lab["label"]) == key]
        if len(exact) == 1:
            return exact[0], f"业绩值“{f.actual_word}”"
        within = [lab for lab in labels if key and _matches(_label_key(lab["label"]), key)]
        if not within and key.startswith("已") and len(key) > 2:
            # 已出台 for the level 出台可操作细化政策 (not 未出台…): done, as the level says
            within = [lab for lab in labels if _matches(_label_key(lab["label"]), key[1:])]
        if len(within) == 1:
            return within[0], f"业绩值“{f.actual_word}”"
        # the word names a level and a category word (民生类 for the level 民生)
        around = [
            lab
            for lab in labels
            if _label_key(lab["label"])
            and re.fullmatch(re.escape(_label_key(lab["label"])) + r"(?:类|级|型|档|等|等次|水平)", key)
        ]
        if not within and len(around) == 1:
            return around[0], f"业绩值“{f.actual_word}”"
        if pair is not None and key in _YES_WORDS | _NO_WORDS and not within:
            return (pair[0] if key in _YES_WORDS else pair[1]), f"业绩值“{f.actual_word}”"
        return None, ""
    if pair is not None and f.judgements:
        # 全部符合 picks the positive level; any × the other (制度健全、执行有效、监督到位，得满分) —
        # unless the other level is only implied and several points were judged: partly met is a
        # person's call (有制度、有台账、有经费、有网络。(10分) with √√×√); none met is not
        if (
            any(f.judgements)
            and not all(f.judgements)
            and len(f.judgements) > 1
            and pair[1]["label"] in _IMPLIED_LEVELS
        ):
            return None, ""  # ×××× (none of them) is the implied level itself
        return (pair[0] if all(f.judgements) else pair[1]), "要点判定"
    if pair is not None and f.failures is not None:
        return (pair[0] if f.failures == 0 else pair[1]), f"不符合项数 {f.failures}"
    known = [lab for lab in labels if _has_points(lab)]
    if f.judgements and all(f.judgements) and known:
        # every point met: the top level (资料真实、完整的，得满分); a × among several levels is a person's call
        return max(known, key=lambda lab: _label_points(lab, f.weight)), "要点判定全部符合"
    return None, ""


def _label_points(lab: dict[str, Any], weight: Decimal) -> Decimal:
    if lab.get("cost") is not None:  # 发生一般事故的扣2分: the full weight less the cost
        cost: Decimal = lab["cost"]
        return max(ZERO, weight - cost)
    pts: Decimal = lab["points"]
    return min(pts * weight if lab.get("unit") == "weight" else pts, weight)


def _judged_items(rule: Rule, f: Facts) -> list[Decimal] | None:
    """Levels judged one by one: 财务制度健全得1分，执行严格得1分，会计核算规范得1分 with √×√ — the
    judgements name each level in turn, so each is an item earned or not (all levels worth points)."""
    labels: list[dict[str, Any]] = [
        lab
        for lab in rule.params["labels"]
        if not (lab["points"] == 0 and re.match(r"(?:否则|否$|其他|其余|以上均未|均未)", lab["label"]))
    ]  # 召开工作会得1分，有工作方案得1分，否则不得分: the "otherwise" is no item of its own
    if not f.judgements or len(f.judgements) != len(labels) or len(labels) < 2:
        return None
    if any(lab["points"] is None or lab["points"] <= 0 or lab.get("unit") == "weight" for lab in labels):
        return None
    pts: list[Decimal] = [lab["points"] for lab in labels]
    return pts


def score_labels(rule: Rule, f: Facts) -> Outcome:
    items = _judged_items(rule, f)
    if items is not None and f.judgements is not None:
        got = min(sum((p for p, ok in zip(items, f.judgements, strict=True) if ok), ZERO), f.weight)
        named = [lab for lab in rule.params["labels"] if lab["points"]]
        missed = "、".join(lab["label"] for lab, ok in zip(named, f.judgements, strict=True) if not ok)
        return Outcome(got, f"逐项判定：{missed + '不符合，' if missed else '全部符合，'}得{fmt_num(got)}分")
    lab, source = _pick_label(rule, f)
    names = "、".join(f"“{x['label']}”" for x in rule.params["labels"])
    if lab is None:
        if not f.actual_word and f.judgements is None:
            return _missing("业绩值（档次文字）")
        return Outcome(
            None,
            f"业绩值“{f.actual_word}”不是评分标准列出的档次（{names}），保留申报得分",
            needs="业绩值（档次文字）",
        )
    if not _has_points(lab):
        return Outcome(None, f"{source}为“{lab['label']}”，评分标准要求视具体情况扣分，保留申报得分")
    s = _label_points(lab, f.weight)
    return Outcome(s, f"{source}为“{lab['label']}”档，得{fmt_num(s)}分")


def formula_labels(rule: Rule, refs: Refs, f: Facts) -> str | None:
    items = _judged_items(rule, f)
    if items is not None:
        if refs.judgements is None:
            return None
        const = ",".join(_num(p) for p in items)
        return f"MIN({refs.weight},SUMPRODUCT({{{const}}},{refs.judgements}))"
    if not (f.actual_word and refs.actual_text and refs.texts_plain):
        return None
    lab, _ = _pick_label(rule, f)
    if lab is None or _label_key(f.actual_word) != f.actual_word or f.actual_word != lab["label"]:
        return None  # Excel compares the cell's text exactly: only the exact label is live
    expr = _num(_label_points(lab, f.weight))
    return f'IF({refs.actual_text}="{lab["label"]}",{expr},{refs.declared or 0})'


def score_manual(rule: Rule, f: Facts) -> Outcome:
    return Outcome(None, "人工评分，保留申报得分")


def formula_manual(rule: Rule, refs: Refs, f: Facts) -> str | None:
    return None


_SCORERS: dict[str, Callable[[Rule, Facts], Outcome]] = {
    "ratio": score_ratio,
    "proportional": score_proportional,
    "pass_fail": score_pass_fail,
    "step": score_step,
    "threshold": score_threshold,
    "band": score_band,
    "tolerance": score_tolerance,
    "checklist": score_checklist,
    "deduct_each": score_deduct_each,
    "tiers": score_tiers,
    "binary": score_binary,
    "bonus": score_bonus,
    "penalty": score_penalty,
    "labels": score_labels,
    "manual": score_manual,
}

_EMITTERS: dict[str, Callable[[Rule, Refs, Facts], str | None]] = {
    "ratio": formula_ratio,
    "proportional": formula_proportional,
    "pass_fail": formula_pass_fail,
    "step": formula_step,
    "threshold": formula_threshold,
    "band": formula_band,
    "tolerance": formula_tolerance,
    "checklist": formula_checklist,
    "deduct_each": formula_deduct_each,
    "tiers": formula_tiers,
    "binary": formula_binary,
    "bonus": formula_bonus,
    "penalty": formula_penalty,
    "labels": formula_labels,
    "manual": formula_manual,
}


def score(rule: Rule, facts: Facts) -> Outcome:
    """Score by the rule (unrounded); ``Outcome.score`` None means the declared score stands."""
    return _SCORERS[rule.kind](rule, facts)


def formula(rule: Rule, refs: Refs, facts: Facts) -> str | None:
    """The Excel formula (without '=') computing the rounded score, or None if not expressible.

    It is emitted only when the Python scorer computes a score from the same
    inputs, so the two agree by construction of each kind's pair.
    """
    if score(rule, facts).score is None:
        return None
    body = _EMITTERS[rule.kind](rule, refs, facts)
    return None if body is None else f"ROUND({body},2)"


def effective_target(rule: Rule, facts: Facts) -> Decimal | None:
    """The number a formula compares the actual against (the 目标值 helper cell)."""
    if rule.kind == "band":
        top: Decimal = rule.params["top"]
        return top
    if rule.kind == "tolerance":
        tol: Decimal = rule.params["tolerance"]
        return tol
    if rule.params.get("comparator") == "range":
        lo: Decimal = rule.params["lo"]
        return lo
    th = _threshold(rule, facts)
    if th is not None:
        return th[1]
    if facts.target is not None and facts.target.value is not None:
        return facts.target.value
    return None
