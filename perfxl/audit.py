"""Audit findings (审核意见, codes in docs/audit.md): what the evaluator declared vs what the rules give.

Each check is a small function over an :class:`~perfxl.evaluate.Evaluation`
returning :class:`~perfxl.errors.Finding` records with a stable code, the
user's sheet and A1 cell, and a Chinese message saying what was expected and
what was found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from .cells import a1
from .errors import Finding
from .grades import grade_of
from .numbers import HUNDRED, Quantity, cell_text, fmt_num, fmt_pct, normalize, parse_number, round_half_up
from .phrases import prepare, stated_full_points
from .rates import audit_base, match_rate

if TYPE_CHECKING:
    from .evaluate import Evaluation, IndicatorResult

TOL = Decimal("0.005")
RATE_TOL = Decimal("0.00005")  # 得分率 and quoted rates are compared at 0.01 percentage points
ZERO = Decimal(0)


def _f(sev: str, code: str, sheet: str, cell: str, msg: str) -> Finding:
    return Finding(sev, code, sheet, cell, msg)


def check_bounds(ev: Evaluation) -> Iterator[Finding]:
    """Declared score outside [0, weight] (bonus ≥ 0, penalty ≤ 0)."""
    t = ev.table
    for r in ev.indicators:
        d, w = r.declared, r.weight
        if d is None:
            continue
        cell = t.cell(r.row.row, "score")
        bonus = r.rule.params.get("bonus") is not None
        if bonus and w is not None and d > w and r.computed is not None and abs(d - r.computed) <= TOL:
            continue  # 每超过1个百分点加0.5分: the text awards points above the weight
        if r.role == "base" and w is not None and (d < 0 or d > w):
            yield _f(
                "error",
                "score.out_of_range",
                t.sheet,
                cell,
                f"“{r.row.name}”得分 {fmt_num(d)} 超出 0–{fmt_num(w)}（权重）范围",
            )
        elif r.role == "bonus" and d < 0:
            yield _f(
                "error",
                "score.out_of_range",
                t.sheet,
                cell,
                f"加分项“{r.row.name}”得分 {fmt_num(d)} 不应为负数",
            )
        elif r.role == "penalty" and d > 0:
            yield _f(
                "error",
                "score.out_of_range",
                t.sheet,
                cell,
                f"减分项“{r.row.name}”得分 {fmt_num(d)} 应为0或负数（扣分）",
            )


def check_declared_vs_computed(ev: Evaluation) -> Iterator[Finding]:
    t = ev.table
    for r in ev.indicators:
        if r.declared is None:
            continue
        cell = t.cell(r.row.row, "score")
        reference = r.final if r.final_source in ("experts", "blend") else r.computed
        if reference is None:
            continue
        if abs(r.declared - reference) > TOL:
            basis = "专家评分" if r.final_source == "experts" else "按规则计算"
            yield _f(
                "warning",
                "score.mismatch",
                t.sheet,
                cell,
                f"“{r.row.name}”申报得分 {fmt_num(r.declared)}，{basis}应为 {fmt_num(reference)}"
                f"（差 {fmt_num(r.declared - reference)}）：{r.outcome.reason}",
            )
        elif r.final_source == "experts" and r.computed is not None and abs(r.computed - r.final) > TOL:
            yield _f(
                "info",
                "score.expert_adjusted",
                t.sheet,
                cell,
                f"“{r.row.name}”按规则计算为 {fmt_num(r.computed)}，结合专家评分为 {fmt_num(r.final)}",
            )


def check_weights(ev: Evaluation) -> Iterator[Finding]:
    t = ev.table
    total = ev.weight_total + _exec_points(ev)
    if ev.indicators and abs(total - HUNDRED) > TOL:
        extra = "（含预算执行率分值）" if ev.execution is not None else ""
        yield _f(
            "error",
            "weights.total",
            t.sheet,
            t.cell(t.first_row, "weight"),
            f"基础指标权重合计{extra}为 {fmt_num(total)}，应为 100",
        )
    # declared group weights "（15）" / "（6分）"
    for g in ev.groups:
        if g.role != "base" or not g.declared_weight:
            continue
        declared = Decimal(g.declared_weight)
        if abs(declared - g.weight) > TOL:
            yield _f(
                "warning",
                "weights.group",
                t.sheet,
                t.cell(g.declared_row, "level1"),
                f"一级指标“{g.name}”标注分值 {fmt_num(declared)}，其下三级指标权重合计 {fmt_num(g.weight)}",
            )
    subs: dict[tuple[str, str], list[IndicatorResult]] = {}
    for r in ev.indicators:
        if r.role == "base" and r.row.level2 and r.row.level2_weight:
            subs.setdefault((r.row.level1, r.row.level2), []).append(r)
    for (_l1, l2), members in subs.items():
        declared = Decimal(members[0].row.level2_weight)
        got = sum((m.weight or ZERO for m in members), ZERO)
        if abs(declared - got) > TOL:
            yield _f(
                "warning",
                "weights.subgroup",
                t.sheet,
                t.cell(members[0].row.level2_row, "level2"),
                f"二级指标“{l2}”标注分值 {fmt_num(declared)}，其下三级指标权重合计 {fmt_num(got)}",
            )


def check_declared_rates(ev: Evaluation) -> Iterator[Finding]:
    """Declared 得分率 ≠ declared score / weight."""
    t = ev.table
    if "rate" not in t.columns:
        return
    for r in ev.indicators:
        raw = r.row.values.get("rate", "")
        if cell_text(raw) in ("", "-", "—") or not r.weight or r.declared is None:
            continue
        q = parse_number(raw)
        if q is None:
            yield _f(
                "error",
                "number.unparseable",
                t.sheet,
                t.cell(r.row.row, "rate"),
                f"得分率“{cell_text(raw)}”不是数字",
            )
            continue
        declared_rate = q.value if q.percent or q.value <= Decimal("1.5") else q.value / HUNDRED
        expect = r.declared / abs(r.weight)
        if abs(declared_rate - expect) > Decimal("0.0001"):
            yield _f(
                "warning",
                "rate.mismatch",
                t.sheet,
                t.cell(r.row.row, "rate"),
                f"“{r.row.name}”得分率填为 {fmt_pct(declared_rate)}，得分 {fmt_num(r.declared)} / 权重 "
                f"{fmt_num(r.weight)} 应为 {fmt_pct(expect)}",
            )


def _exec_points(ev: Evaluation) -> Decimal:
    """Points of the self-evaluation 预算执行率 block (0 when there is none)."""
    w = getattr(ev.execution, "weight", None)
    return getattr(w, "value", None) or ZERO


def _exec_declared(ev: Evaluation) -> Decimal:
    d = getattr(ev.execution, "declared_score", None)
    return getattr(d, "value", None) or ZERO


def check_totals(ev: Evaluation) -> Iterator[Finding]:
    """Declared 合计/总分 and 小计 rows vs the sums of declared and computed scores."""
    t = ev.table
    for tot in t.totals:
        if tot.label == "小计":
            members = [r for r in ev.indicators if r.row.level1 and r.row.level1 in tot.level1]
            dsum = sum((r.declared or ZERO for r in members), ZERO)
            wsum = sum((r.weight or ZERO for r in members if r.role == "base"), ZERO)
        else:
            members = _above(ev, tot.row)
            dsum = sum((r.declared or ZERO for r in members), ZERO) + _exec_declared(ev)
            wsum = sum((r.weight or ZERO for r in members if r.role == "base"), ZERO) + _exec_points(ev)
        score_raw = tot.values.get("score", "")
        q = parse_number(score_raw) if cell_text(score_raw) else None
        if "score" in tot.formulas:
            q = yield from _formula_total(t.sheet, t.cell(tot.row, "score"), tot.label, tot.formulas["score"])
        if q is not None and abs(q.value - dsum) > TOL:
            yield _f(
                "error",
                "total.mismatch",
                t.sheet,
                t.cell(tot.row, "score"),
                f"{tot.label}行得分填为 {fmt_num(q.value)}，各指标申报得分之和为 {fmt_num(dsum)}",
            )
        if q is not None and tot.label != "小计":
            computed, what = _computed_total(ev, members)
            if abs(q.value - computed) > TOL:
                yield _f(
                    "warning",
                    "total.recomputed",
                    t.sheet,
                    t.cell(tot.row, "score"),
                    f"{tot.label}行得分 {fmt_num(q.value)}，perfxl 按规则计算的{what}为 {fmt_num(computed)}",
                )
        w_raw = tot.values.get("weight", "")
        qw = parse_number(w_raw) if cell_text(w_raw) else None
        if "weight" in tot.formulas:
            qw = yield from _formula_total(
                t.sheet, t.cell(tot.row, "weight"), tot.label, tot.formulas["weight"]
            )
        if qw is not None and abs(qw.value - wsum) > TOL:
            yield _f(
                "warning",
                "total.weight",
                t.sheet,
                t.cell(tot.row, "weight"),
                f"{tot.label}行权重填为 {fmt_num(qw.value)}，各指标权重之和为 {fmt_num(wsum)}",
            )


def _above(ev: Evaluation, row: int) -> list[IndicatorResult]:
    """The indicators a 合计/总分 row sums: those above it (a 合计 followed by a 加减分项 block
    leaves the block out), or all of them when it stands above the table."""
    above = [r for r in ev.indicators if r.row.row < row]
    return above if any(r.role == "base" for r in above) else list(ev.indicators)


def _computed_total(ev: Evaluation, members: list[IndicatorResult]) -> tuple[Decimal, str]:
    """perfxl's total for a 合计 row over ``members``: the total score when they are all the
    indicators, else the sum of their computed scores (a 合计 above the 加减分项)."""
    if len(members) == len(ev.indicators):
        return ev.total, "总分"
    execution = ev.base_total - sum((r.final for r in ev.indicators if r.role == "base"), ZERO)
    return sum((r.final for r in members), ZERO) + execution, "合计"


def _formula_total(
    sheet: str, cell: str, label: str, formula: tuple[str, Decimal | None]
) -> Generator[Finding, None, Quantity | None]:
    """A declared total saved as a formula without its result: check its value when it is a
    plain sum over the sheet's cells, otherwise say it was not checked (never skip silently)."""
    text, value = formula
    if value is None:
        yield _f(
            "info",
            "total.unchecked",
            sheet,
            cell,
            f"{label}单元格是公式（={text}）且没有保存计算结果，perfxl 无法计算它，未核对该合计；"
            "在 Excel/WPS 中打开并保存后可核对",
        )
        return None
    yield _f(
        "info",
        "total.formula",
        sheet,
        cell,
        f"{label}单元格是没有保存结果的公式 ={text}，perfxl 按表中数值算得 {fmt_num(value)}，据此核对",
    )
    return Quantity(value)


def check_grade(ev: Evaluation) -> Iterator[Finding]:
    info = ev.info
    declared = info.values.get("declared_grade", "")
    if not declared:
        return
    total_cell = info.cells.get("declared_total")
    if total_cell is not None:
        q = parse_number(info.values.get("declared_total", ""))
        if q is not None:
            expected = grade_of(q.value, ev.bands, ev.lowest_label)
            if expected != declared:
                yield _f(
                    "error",
                    "grade.mismatch",
                    info.sheet,
                    info.cells["declared_grade"].a1,
                    f"申报等级“{declared}”与申报总分 {fmt_num(q.value)} 按评级标准应得的“{expected}”不符",
                )
    if declared != ev.grade:
        yield _f(
            "warning",
            "grade.recomputed",
            info.sheet,
            info.cells["declared_grade"].a1,
            f"申报等级“{declared}”，perfxl 计算总分 {fmt_num(ev.total)} 对应等级“{ev.grade}”",
        )


_STATED_SCORE = [
    # arithmetic: 得分=3×100%=3分, 得分=4×93.22%=3.73分, 该项得分=4*0.9322=3.73 (the result counts)
    re.compile(
        r"得分\s*[=为:]\s*[-\d.%×*xX÷/+()（）\s]*?[×*xX÷/+][-\d.%×*xX÷/+()（）\s]*=\s*(-?\d+(?:\.\d+)?)\s*分?"
    ),
    re.compile(r"得分\s*[=＝为:：]?\s*(-?\d+(?:\.\d+)?)\s*分"),
    re.compile(r"(?:最终|综合评价|经综合评价|最终得分为|该项最终)\s*得\s*(?:分为)?\s*(-?\d+(?:\.\d+)?)\s*分"),
    re.compile(r"得\s*(-?\d+(?:\.\d+)?)\s*分"),
]
_PERCENT_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*%")


def stated_score(text: str) -> Decimal | None:
    """The score a 评分过程 text states last: '得分=3分', '经综合评价得 3分', '最终得分为4.08分'."""
    t = normalize(text)
    # scores stated against the full points ("满分3分，得3分") — the last 得…分 is the verdict
    stated = [(m.end(), m.group(1)) for pat in _STATED_SCORE[:3] for m in pat.finditer(t)]
    if stated:
        return Decimal(max(stated)[1])  # the last stated result counts
    found = [
        m
        for m in _STATED_SCORE[3].finditer(t)
        if not t[max(0, m.start() - 2) : m.start()].endswith(("满分", "值"))
    ]
    if found:
        return Decimal(found[-1].group(1))
    return None


def check_process_text(ev: Evaluation) -> Iterator[Finding]:
    """评分过程 stating a score or a rate different from the table."""
    t = ev.table
    if "process" not in t.columns:
        return
    for r in ev.indicators:
        text = cell_text(r.row.values.get("process", ""))
        if not text:
            continue
        cell = t.cell(r.row.row, "process")
        said = stated_score(text)
        if said is not None and r.declared is not None and abs(said - r.declared) > TOL:
            yield _f(
                "warning",
                "process.score",
                t.sheet,
                cell,
                f"“{r.row.name}”评分过程写得分 {fmt_num(said)} 分，得分栏为 {fmt_num(r.declared)}",
            )
        # a rate quoted in the text vs 业绩值 or the base-table rate
        if r.actual is not None and r.actual.percent:
            ref = r.actual.value
            source = "基础表计算值" if r.actual_source == "rate" else "业绩值"
            quoted = [Decimal(x) / HUNDRED for x in _PERCENT_RE.findall(normalize(text))]
            target = r.target.value if r.target is not None and r.target.percent else None
            candidates = [q for q in quoted if q != target and q not in (Decimal(1), ZERO)]
            if candidates and all(abs(q - ref) > RATE_TOL for q in candidates):
                close = min(candidates, key=lambda q: abs(q - ref))
                if abs(close - ref) < Decimal("0.2"):
                    yield _f(
                        "warning",
                        "process.rate",
                        t.sheet,
                        cell,
                        f"“{r.row.name}”评分过程引用 {fmt_pct(close)}，{source}为 {fmt_pct(ref)}",
                    )


def check_rule_points(ev: Evaluation) -> Iterator[Finding]:
    """A rule text whose own full points differ from the weight ("得5分" on weight 4), whatever
    was declared: the rule is scored as written and never above the weight (docs/rules.md)."""
    t = ev.table
    for r in ev.indicators:
        if r.role != "base" or r.weight is None:
            continue
        full = _rule_full_points(r)
        if not isinstance(full, Decimal) or abs(full - r.weight) <= TOL:
            continue
        if full < r.weight:
            done = f"按评分标准计分，本行最高得 {fmt_num(full)} 分"
        else:
            done = f"按评分标准计分，超过权重的部分不计，本行最高得 {fmt_num(r.weight)} 分"
        yield _f(
            "warning",
            "rule.points",
            t.sheet,
            t.cell(r.row.row, "rule"),
            f"“{r.row.name}”评分标准写满分 {fmt_num(full)} 分，但权重为 {fmt_num(r.weight)} 分：{done}；"
            "请核对指标体系",
        )


def _rule_full_points(r: IndicatorResult) -> Decimal | None:
    """The full points a rule's text states (None: it states none, or shares of the weight)."""
    p = r.rule.params
    kind = r.rule.kind
    if kind == "checklist":
        return p.get("full") if p.get("mode") == "award" and p.get("shares") and p.get("full") else None
    if kind == "tiers":
        pts = [t["points"] for t in p.get("tiers", ()) if t.get("unit") not in ("weight", "cost")]
        return max(pts) if pts and len(pts) == len(p["tiers"]) else None
    if kind == "labels":
        labels = p.get("labels", ())
        pts = [lab["points"] for lab in labels if lab["points"] is not None and lab.get("unit") != "weight"]
        # a scale in shares of the weight (得满分 / 得权重分的50% / 不得分) states no points of its own
        return max(pts) if pts and len(pts) == len(labels) else None
    if kind == "manual":
        return stated_full_points(prepare(cell_text(r.row.values.get("rule", ""))))
    full: Decimal | None = p.get("full") or p.get("base")
    return full


def check_linked_rates(ev: Evaluation) -> Iterator[Finding]:
    """A given 业绩值 that differs from the rate computed from 基础表."""
    if not ev.rates:
        return
    t = ev.table
    for r in ev.indicators:
        if r.actual_source != "cell" or r.actual is None:
            continue
        key = match_rate(r.row.name)
        rate = ev.rates.get(key) if key else None
        value = getattr(rate, "value", None)
        if value is None:
            continue
        given = r.actual.value
        if abs(given - value) > RATE_TOL and not same_at_shown_precision(r.actual.text, given, value):
            yield _f(
                "warning",
                "actual.rate_mismatch",
                t.sheet,
                t.cell(r.row.row, "actual"),
                f"“{r.row.name}”业绩值填为 {fmt_pct(given)}，按基础表计算为 {fmt_pct(value)}"
                f"（{getattr(rate, 'explanation', '')}）",
            )


def _percent_places(text: str, value: Decimal) -> int:
    """Decimals of percent the evaluator wrote: '14.3%' → 1; a cell 0.957 → 1."""
    t = normalize(text)
    m = re.search(r"(\d+)(?:\.(\d+))?%", t)
    if m:
        return len(m.group(2) or "")
    exp = value.normalize().as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return max(0, places - 2)


def same_at_shown_precision(text: str, given: Decimal, computed: Decimal) -> bool:
    """14.3% given for 14.2857% computed is the same number rounded as written — not a finding."""
    places = _percent_places(text, given)
    return round_half_up(computed * HUNDRED, places) == round_half_up(given * HUNDRED, places)


def check_self_deviation(ev: Evaluation) -> Iterator[Finding]:
    """Self-evaluation lines that lost points need 偏差原因分析."""
    if not ev.kind.startswith("self") or "deviation" not in ev.table.columns:
        return
    t = ev.table
    for r in ev.indicators:
        if r.role == "base" and r.lost > TOL and not cell_text(r.row.values.get("deviation", "")):
            yield _f(
                "warning",
                "self.no_deviation",
                t.sheet,
                t.cell(r.row.row, "deviation"),
                f"“{r.row.name}”扣 {fmt_num(r.lost)} 分，但未填写偏差原因分析及改进措施",
            )


def check_base(ev: Evaluation) -> Iterator[Finding]:
    if ev.base is None:
        return
    yield from audit_base(ev.base)


def check_unverified(ev: Evaluation) -> Iterator[Finding]:
    """Rows whose declared score stands unchecked (人工, qualitative words, missing inputs): one
    summary line, so that a reviewer sees how many points nobody recomputed."""
    kept = [
        r
        for r in ev.indicators
        if r.role == "base" and r.final_source == "declared" and r.declared is not None and r.computed is None
    ]
    if not kept:
        return
    t = ev.table
    points = sum((r.declared or ZERO for r in kept), ZERO)
    names = "、".join(r.row.name for r in kept[:8]) + ("等" if len(kept) > 8 else "")
    yield _f(
        "info",
        "score.unverified",
        t.sheet,
        t.cell(kept[0].row.row, "score"),
        f"{len(kept)} 个指标共 {fmt_num(points)} 分保留申报得分，未经核验（定性或无法按规则计算）：{names}",
    )


# the whole cost of the project (not a unit cost such as 人均培训成本 or a part such as 设备购置成本)
_COST_NAME = re.compile(r"总成本|成本总额|项目成本$|项目总投入|总支出成本")


def check_cost_vs_execution(ev: Evaluation) -> Iterator[Finding]:
    """A self-evaluation cost indicator (成本指标, 项目总成本) whose amount differs from the
    form's own 全年执行数."""
    ex = ev.execution
    spent = getattr(getattr(ex, "spent", None), "value", None)
    if not ev.kind.startswith("self") or spent is None:
        return
    t = ev.table
    for r in ev.indicators:
        if r.actual is None or r.actual.percent or not _COST_NAME.search(r.row.name):
            continue
        unit = r.actual.unit or (r.target.unit if r.target else "")
        if unit not in ("万元", "元", ""):
            continue
        amount = r.actual.value / 10000 if unit == "元" else r.actual.value
        if abs(amount - spent) > TOL:
            yield _f(
                "warning",
                "cost.execution",
                t.sheet,
                t.cell(r.row.row, "actual"),
                f"成本指标“{r.row.name}”实际为 {fmt_num(amount, 4)} 万元，与本表全年执行数 {fmt_num(spent, 4)} 万元"
                f"（{ex.spent.sheet}!{a1(ex.spent.row, ex.spent.col)}）不一致",
            )


def check_self_goal(ev: Evaluation) -> Iterator[Finding]:
    """A self-evaluation form whose 年度总体目标 实际完成情况 is empty."""
    if ev.goal is not None and not ev.goal[2]:
        sheet, cell, _text = ev.goal
        yield _f("info", "self.goal_empty", sheet, cell, "年度总体目标的“实际完成情况”未填写")


CHECKS: list[Callable[[Evaluation], Iterator[Finding]]] = [
    check_weights,
    check_bounds,
    check_declared_vs_computed,
    check_declared_rates,
    check_totals,
    check_grade,
    check_process_text,
    check_rule_points,
    check_linked_rates,
    check_self_deviation,
    check_cost_vs_execution,
    check_self_goal,
    check_base,
    check_unverified,
]


def audit(ev: Evaluation) -> list[Finding]:
    out: list[Finding] = []
    for check in CHECKS:
        out.extend(check(ev))
    return out
