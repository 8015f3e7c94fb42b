"""Rates computed from the 基础表 (docs/rules.md, rates), the self-evaluation execution block, and linking.

Each rate is a :class:`Rate`: its value (a Decimal fraction, or None), an Excel
formula over the base-table cells that computes the same number (the output
workbook copies every 基础表 sheet at the same positions, so the references stay
valid), the inputs used and a Chinese explanation.  A missing input or a zero
divisor gives value None and a finding on the rate, never an exception; the
evaluator reports those findings only for rates an indicator actually uses.

Formulas use only IF, SUM, AVERAGE, MIN and COUNTIF and guard every division
with ``IF(x=0,"",…)``, so Excel shows "" exactly where Python has None.

Public API (reading lives in :mod:`perfxl.base` and is re-exported here):
``read_base(book)``, ``compute_rates(base, kind)``, ``match_rate(name)``,
``audit_base(base)``, ``read_execution_block(sheet)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from .base import (
    BUDGET_COLUMNS,
    BUDGET_ROWS,
    EMPTY_MARKS,
    ITEMS,
    ONE,
    STAFF_COLUMNS,
    BaseData,
    BaseValue,
    audit_base,
    norm_label,
    read_base,
    read_base_sheets,
)
from .base import _Reader as Reader
from .book import Sheet
from .cells import a1, sheet_ref
from .errors import Finding
from .numbers import HUNDRED, fmt_num, fmt_pct, normalize, parse_number, round_half_up

__all__ = [
    "RATE_NAMES",
    "BaseData",
    "BaseValue",
    "ExecutionBlock",
    "Rate",
    "RateInput",
    "audit_base",
    "compute_rates",
    "match_rate",
    "read_base",
    "read_base_sheets",
    "read_execution_block",
]

ZERO = Decimal(0)

# Rate key → (display name, names an indicator may carry).  Order matters only for
# reading; matching tries the longest name first.
RATE_NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "funds_arrival": ("资金到位率", ("资金到位率", "预算资金到位率", "项目资金到位率", "财政资金到位率")),
    "budget_execution": (
        "预算执行率",
        (
            "预算执行率",
            "支出预算执行率",
            "部门预算执行率",
            "预算支出执行率",
            "支出预算完成率",
            "预算完成率",
            "资金执行率",
            "财政资金执行率",
            "整体预算执行率",
        ),
    ),
    "budget_adjustment": ("预算调整率", ("预算调整率", "部门预算调整率", "年度预算调整率")),
    "project_adjustment": (
        "项目支出预算调整率",
        ("项目支出预算调整率", "项目预算调整率", "项目支出调整率", "项目资金调整率"),
    ),
    "public_control": ("日常公用经费控制率", ("日常公用经费控制率", "公用经费控制率")),
    "public_adjustment": ("公用经费调整率", ("公用经费调整率", "日常公用经费调整率")),
    "three_public_control": (
        "“三公”经费控制率",
        ("三公经费控制率", "三公经费支出控制率", "三公经费预算控制率"),
    ),
    "project_execution": (
        "项目资金执行率",
        ("项目资金执行率", "项目支出执行率", "项目预算执行率", "项目支出预算执行率", "项目资金支出率"),
    ),
    "procurement_execution": ("政府采购执行率", ("政府采购执行率", "政府采购预算执行率")),
    "asset_utilization": ("固定资产利用率", ("固定资产利用率", "固定资产使用率")),
    "staffing_rate": (
        "人员在编率",
        ("人员在编率", "在编率", "在职人员控制率", "人员编制控制率", "编制控制率", "人员控制率"),
    ),
    "project_completion": ("项目完成率", ("项目完成率", "项目质量达标率", "项目按期完成率")),
    "key_work_completion": ("重点工作完成率", ("重点工作完成率", "重点工作任务完成率")),
    "staff_arrival": ("人员到位率", ("人员到位率", "聘用人员到位率", "岗位人员到位率")),
    "staff_turnover": ("人员流动率", ("人员流动率", "聘用人员流动率", "人员流失率")),
    "budget_final_gap": ("预决算差异率", ("预决算差异率", "预决算偏差率", "预算决算差异率")),
    "yoy_change": ("同比增减率", ("同比增减率", "支出同比增减率", "同比增长率")),
    "share_basic": ("基本支出占比", ("基本支出占比", "基本支出占总支出比例", "基本支出构成占比")),
    "share_project": ("项目支出占比", ("项目支出占比", "项目支出占总支出比例", "项目支出构成占比")),
    "share_personnel": ("人员经费占比", ("人员经费占比", "人员经费占总支出比例")),
    "share_public": ("公用经费占比", ("公用经费占比", "公用经费占总支出比例")),
}

# Words in a rate name that narrow it to one part of the budget: a name that
# contains one of them outside the matched synonym is about another quantity
# (基本支出预算执行率 is not 预算执行率).
_QUALIFIERS = ("基本", "人员经费", "公用经费", "项目", "三公", "政府采购", "专项", "人员")
_CODE = re.compile(r"^[A-Za-z]{1,3}\d{0,4}(?:\.\d+)*[.、:]?")
_DONE_WORDS = ("是", "已完成", "完成", "√", "✓")


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class RateInput:
    """One input of a rate: label, sheet, A1 cell (or range), value (万元 for amounts)."""

    label: str
    sheet: str
    cell: str
    value: Decimal | None


@dataclass(frozen=True)
class Rate:
    """A rate of the 基础表 (docs/rules.md, rates): value is a Decimal fraction (0.9795) or None when not computable.

    ``formula`` has no leading '=' and is None when an input cell does not exist;
    with a zero divisor it is still given and yields "" in Excel, as value is None here.
    """

    key: str
    name: str
    names: tuple[str, ...]
    value: Decimal | None
    formula: str | None
    inputs: tuple[RateInput, ...]
    explanation: str
    findings: tuple[Finding, ...] = ()

    @property
    def display(self) -> str:
        return fmt_pct(self.value)


# ------------------------------------------------------------------ operands


def _literal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f"({text})" if value < 0 else text


def _range(cells: Sequence[BaseValue]) -> str:
    first, last = cells[0], cells[-1]
    return f"{first.ref}:{a1(last.row, last.col, absolute=True)}"


@dataclass(frozen=True)
class _Op:
    """An operand: its label, value, formula text, the inputs behind it, why it is missing."""

    label: str
    value: Decimal | None
    formula: str
    inputs: tuple[RateInput, ...]
    missing: str = ""  # non-empty: the reason the rate cannot be computed
    anchor: BaseValue | None = None


def _cell_op(label: str, v: BaseValue | None, scaled: bool, zero_if_empty: bool = False) -> _Op:
    """An operand from one cell.

    ``scaled``: the rate mixes 元 and 万元 cells, so 元 references are divided by
    10,000 in the formula; otherwise every term stays in its own unit, which a
    ratio of amounts does not notice.
    """
    if v is None:
        return _Op(label, None, "", (), f"基础表缺少“{label}”")
    value = v.value
    if value is None and zero_if_empty and v.raw is not None and v.raw != "" and not v.numeric:
        # A dash: Excel would read text, so the formula takes the literal 0.
        return _Op(label, ZERO, "0", (RateInput(label, v.sheet, v.cell, ZERO),), anchor=v)
    if value is None and zero_if_empty:
        return _Op(label, ZERO, v.ref, (RateInput(label, v.sheet, v.cell, ZERO),), anchor=v)
    if value is None:
        why = "为空" if v.blank or normalize(str(v.raw)) in EMPTY_MARKS else "不是数字"
        return _Op(label, None, "", (), f"“{label}”（{v.where}）{why}", v)
    if v.numeric:
        formula = f"({v.ref}/10000)" if scaled and v.scale != ONE else v.ref
    else:
        # Text like "59.55万元": Excel cannot compute with it, so its value goes in as a literal.
        formula = _literal(value if scaled else value / v.scale)
    return _Op(label, value, formula, (RateInput(label, v.sheet, v.cell, value),), anchor=v)


def _aggregate_op(label: str, func: str, cells: Sequence[BaseValue]) -> _Op:
    """AVERAGE or SUM over a column of counts (monthly staffing); blanks and dashes are skipped."""
    present = [c for c in cells if c.value is not None]
    if not present:
        return _Op(label, None, "", (), f"基础表缺少“{label}”（月度人员表无数据）")
    total = sum((c.value for c in present if c.value is not None), ZERO)
    value = total / len(present) if func == "AVERAGE" else total
    down = len({(c.sheet, c.col) for c in cells}) == 1 and all(b.row == a.row + 1 for a, b in pairwise(cells))
    across = len({(c.sheet, c.row) for c in cells}) == 1 and all(
        b.col == a.col + 1 for a, b in pairwise(cells)
    )
    # A range is fine when Excel skips exactly what Python skips: text numbers are
    # read by Python but ignored by AVERAGE/SUM over a range, so those force a list.
    if (down or across) and all(c.numeric or c.value is None for c in cells):
        args = _range(cells)
    else:
        args = ",".join(c.ref if c.numeric else _literal(c.value) for c in present if c.value is not None)
    where = f"{cells[0].cell}:{cells[-1].cell}"
    return _Op(
        label, value, f"{func}({args})", (RateInput(label, cells[0].sheet, where, value),), anchor=cells[0]
    )


# ------------------------------------------------------------------ shapes


def _result(
    key: str,
    value: Decimal | None,
    formula: str | None,
    ops: Iterable[_Op],
    explanation: str,
    findings: Iterable[Finding] = (),
) -> Rate:
    name, names = RATE_NAMES[key]
    inputs = tuple(i for op in ops for i in op.inputs)
    return Rate(key, name, names, value, formula, inputs, explanation, tuple(findings))


def _missing(key: str, ops: Sequence[_Op], default_sheet: str) -> Rate | None:
    name = RATE_NAMES[key][0]
    gone = [op for op in ops if op.missing]
    if not gone:
        return None
    findings = [
        Finding(
            "warning",
            "base.missing",
            op.anchor.sheet if op.anchor else default_sheet,
            op.anchor.cell if op.anchor else "",
            f"{op.missing}，无法计算{name}",
        )
        for op in gone
    ]
    explanation = "；".join(op.missing for op in gone) + f"，无法计算{name}"
    return _result(key, None, None, [op for op in ops if not op.missing], explanation, findings)


def _div_zero(key: str, den: _Op, ops: Sequence[_Op], formula: str, default_sheet: str) -> Rate:
    name = RATE_NAMES[key][0]
    where = f"（{den.anchor.where}）" if den.anchor else ""
    msg = f"“{den.label}”为 0{where}，除数为零，无法计算{name}"
    anchor = den.anchor
    finding = Finding(
        "warning",
        "base.div_zero",
        anchor.sheet if anchor else default_sheet,
        anchor.cell if anchor else "",
        msg,
    )
    return _result(key, None, formula, ops, msg, [finding])


def _shown(op: _Op) -> str:
    label = op.label.removeprefix("合计 ")
    return f"{label} {fmt_num(op.value, 4)}"


def _ratio(key: str, num: _Op, den: _Op, sheet: str, *, zero_zero_full: bool = False) -> Rate:
    ops = (num, den)
    gone = _missing(key, ops, sheet)
    if gone:
        return gone
    assert num.value is not None and den.value is not None
    if zero_zero_full:
        formula = f'IF({den.formula}=0,IF({num.formula}=0,1,""),{num.formula}/{den.formula})'
    else:
        formula = f'IF({den.formula}=0,"",{num.formula}/{den.formula})'
    if den.value == 0:
        if zero_zero_full and num.value == 0:
            text = f"{_shown(num)}，{_shown(den)}，预算与支出均为 0，视为 100.00%"
            return _result(key, ONE, formula, ops, text)
        return _div_zero(key, den, ops, formula, sheet)
    value = num.value / den.value
    return _result(key, value, formula, ops, f"{_shown(num)} / {_shown(den)} = {fmt_pct(value)}")


def _change(key: str, new: _Op, old: _Op, sheet: str) -> Rate:
    """(new − old) / old."""
    ops = (new, old)
    gone = _missing(key, ops, sheet)
    if gone:
        return gone
    assert new.value is not None and old.value is not None
    formula = f'IF({old.formula}=0,"",({new.formula}-{old.formula})/{old.formula})'
    if old.value == 0:
        return _div_zero(key, old, ops, formula, sheet)
    value = (new.value - old.value) / old.value
    text = f"({_shown(new)} − {_shown(old)}) / {_shown(old)} = {fmt_pct(value)}"
    return _result(key, value, formula, ops, text)


def _gap(key: str, budget: _Op, final: _Op, sheet: str) -> Rate:
    """(budget − final) / budget."""
    ops = (budget, final)
    gone = _missing(key, ops, sheet)
    if gone:
        return gone
    assert budget.value is not None and final.value is not None
    formula = f'IF({budget.formula}=0,"",({budget.formula}-{final.formula})/{budget.formula})'
    if budget.value == 0:
        return _div_zero(key, budget, ops, formula, sheet)
    value = (budget.value - final.value) / budget.value
    text = f"({_shown(budget)} − {_shown(final)}) / {_shown(budget)} = {fmt_pct(value)}"
    return _result(key, value, formula, ops, text)


# ------------------------------------------------------------------ the rates


def _label(row: str, col: str) -> str:
    return f"{BUDGET_ROWS[row][0]} {BUDGET_COLUMNS[col][0]}"


def compute_rates(base: BaseData, kind: str = "department") -> dict[str, Rate]:
    """Every 基础表 rate by key (see ``RATE_NAMES``); uncomputable ones have value None.

    ``kind="project"`` computes 预算执行率 as 实际支出数 / 实际到位数 (falling back to
    全年预算数, with an info finding, when the table has no 实际到位数).
    """
    sheet = base.sheets[0] if base.sheets else "基础表"

    def budget_ops(
        num: tuple[str, str], den: tuple[str, str], zero_if_empty: bool = False
    ) -> tuple[_Op, _Op]:
        return _pair(_label(*num), base.get(*num), _label(*den), base.get(*den), zero_if_empty)

    def ratio(key: str, num: tuple[str, str], den: tuple[str, str], zero_zero_full: bool = False) -> Rate:
        n, d = budget_ops(num, den, zero_if_empty=zero_zero_full)
        return _ratio(key, n, d, sheet, zero_zero_full=zero_zero_full)

    def change(key: str, new: tuple[str, str], old: tuple[str, str]) -> Rate:
        return _change(key, *budget_ops(new, old), sheet)

    def item_ops(num: str, den: str) -> tuple[_Op, _Op]:
        return _pair(ITEMS[num][0], base.items.get(num), ITEMS[den][0], base.items.get(den))

    def budget_col(row: str, *cols: str) -> str:
        """The first column present for a row (e.g. 年初预算数, else 全年预算数)."""
        for col in cols:
            if base.get(row, col) is not None:
                return col
        return cols[0]

    rates: dict[str, Rate] = {}
    rates["funds_arrival"] = ratio("funds_arrival", ("total", "funded"), ("total", "full"))

    execution = ratio("budget_execution", ("total", "spent"), ("total", "full"))
    if kind == "project":
        funded = base.get("total", "funded")
        if funded is not None and funded.value is not None:
            execution = ratio("budget_execution", ("total", "spent"), ("total", "funded"))
        else:
            note = Finding(
                "info",
                "base.fallback",
                sheet,
                "",
                "基础表没有“合计 实际到位数”，项目支出预算执行率按 实际支出数 / 全年预算数 计算",
            )
            execution = _with_finding(execution, note)
    rates["budget_execution"] = execution
    rates["budget_adjustment"] = change("budget_adjustment", ("total", "full"), ("total", "initial"))
    rates["project_adjustment"] = change("project_adjustment", ("project", "full"), ("project", "initial"))
    rates["public_control"] = ratio("public_control", ("public", "spent"), ("public", "initial"))
    rates["public_adjustment"] = change("public_adjustment", ("public", "spent"), ("public", "initial"))
    rates["three_public_control"] = ratio(
        "three_public_control",
        ("three_public", "spent"),
        ("three_public", budget_col("three_public", "initial", "full")),
        zero_zero_full=True,
    )
    rates["project_execution"] = ratio("project_execution", ("project", "spent"), ("project", "full"))
    rates["procurement_execution"] = ratio(
        "procurement_execution",
        ("procurement", "spent"),
        ("procurement", budget_col("procurement", "initial", "full")),
    )
    rates["asset_utilization"] = _ratio(
        "asset_utilization", *item_ops("assets_in_use", "assets_total"), sheet
    )
    rates["staffing_rate"] = _ratio("staffing_rate", *item_ops("staff_actual", "staff_quota"), sheet)
    rates["project_completion"] = _project_completion(base, sheet, item_ops)
    rates["key_work_completion"] = _ratio(
        "key_work_completion", *item_ops("key_tasks_done", "key_tasks"), sheet
    )
    rates["staff_arrival"] = _staff_rate(base, "staff_arrival", "on_duty", "AVERAGE", sheet)
    rates["staff_turnover"] = _staff_rate(base, "staff_turnover", "left", "SUM", sheet)
    rates["budget_final_gap"] = _gap(
        "budget_final_gap", *budget_ops(("total", "full"), ("total", "spent")), sheet
    )
    rates["yoy_change"] = _yoy(base, sheet)
    for key, row in (
        ("share_basic", "basic"),
        ("share_project", "project"),
        ("share_personnel", "personnel"),
        ("share_public", "public"),
    ):
        rates[key] = ratio(key, (row, "spent"), ("total", "spent"))
    return rates


def _pair(
    num_label: str,
    num: BaseValue | None,
    den_label: str,
    den: BaseValue | None,
    zero_if_empty: bool = False,
) -> tuple[_Op, _Op]:
    """Two operands; 元 cells are scaled in the formula only when the pair mixes units."""
    scaled = len({v.scale for v in (num, den) if v is not None}) > 1
    return (
        _cell_op(num_label, num, scaled, zero_if_empty),
        _cell_op(den_label, den, scaled, zero_if_empty),
    )


def _with_finding(rate: Rate, finding: Finding) -> Rate:
    return Rate(
        rate.key, rate.name, rate.names, rate.value, rate.formula, rate.inputs, rate.explanation,
        (*rate.findings, finding),
    )  # fmt: skip


def _staff_rate(base: BaseData, key: str, col: str, func: str, sheet: str) -> Rate:
    cells = [m.values[col] for m in base.months if col in m.values]
    label = ("月均" if func == "AVERAGE" else "合计") + STAFF_COLUMNS[col][0]
    if cells:
        num = _aggregate_op(label, func, cells)
    else:
        num = _Op(label, None, "", (), f"基础表缺少月度人员表的“{STAFF_COLUMNS[col][0]}”列")
    target = base.items.get("staff_target")
    den = _cell_op(ITEMS["staff_target"][0], target, scaled=False)
    rate = _ratio(key, num, den, sheet)
    months = sum(1 for c in cells if c.value is not None)
    if func == "AVERAGE" and cells and months != 12:
        rate = _with_finding(
            rate,
            Finding(
                "info",
                "base.months",
                cells[0].sheet,
                cells[0].cell,
                f"月度人员表有 {months} 个月的在岗人数（通常为 12 个月），人员到位率按这 {months} 个月平均",
            ),
        )
    return rate


def _project_completion(base: BaseData, sheet: str, item_ops: Callable[[str, str], tuple[_Op, _Op]]) -> Rate:
    """实际完成项目数 / 计划完成项目数; without them, the project list's 是否完成 column."""
    key = "project_completion"
    # labels with blank values (as in every template) do not count: fall back to 是否完成
    filled = any(
        getattr(base.items.get(k), "value", None) is not None for k in ("projects_done", "projects_planned")
    )
    if filled or not (base.projects and base.project_done_col):
        return _ratio(key, *item_ops("projects_done", "projects_planned"), sheet)
    sheet_name, col = base.project_done_col
    rows = [p.row for p in base.projects]
    rng = f"{sheet_ref(sheet_name, rows[0], col, absolute=True)}:{a1(rows[-1], col, absolute=True)}"
    planned = len(base.projects)
    done = sum(1 for p in base.projects if p.done in _DONE_WORDS)
    counts = "+".join(f'COUNTIF({rng},"{w}")' for w in _DONE_WORDS)
    formula = f"({counts})/{planned}"
    value = Decimal(done) / Decimal(planned)
    where = f"{a1(rows[0], col)}:{a1(rows[-1], col)}"
    inputs = (
        RateInput("项目明细 已完成项目数", sheet_name, where, Decimal(done)),
        RateInput("项目明细 项目个数", sheet_name, where, Decimal(planned)),
    )
    name, names = RATE_NAMES[key]
    text = f"项目明细中“是否完成”为已完成的项目 {done} 个 / 项目共 {planned} 个 = {fmt_pct(value)}"
    return Rate(key, name, names, value, formula, inputs, text)


def _yoy(base: BaseData, sheet: str) -> Rate:
    current = base.get("total", "spent")
    previous = base.get("total", "previous")
    if previous is None or previous.value is None:
        previous = base.items.get("previous_spent") or previous
    new, old = _pair(_label("total", "spent"), current, ITEMS["previous_spent"][0], previous)
    return _change("yoy_change", new, old, sheet)


# ------------------------------------------------------------------ linking


def _norm_name(name: str) -> str:
    text = normalize(name).translate(str.maketrans("", "", "\"'“”‘’「」『』"))
    text = re.sub(r"\([^()]*\)", "", text)
    text = _CODE.sub("", text)
    return norm_label(text)[0] or text


_BY_LENGTH = sorted(
    ((syn, key) for key, (_, names) in RATE_NAMES.items() for syn in names), key=lambda p: -len(p[0])
)


def match_rate(indicator_name: str) -> str | None:
    """The rate key an indicator's level-3 name refers to ('C22日常公用经费控制率' → 'public_control').

    Exact names first, then the longest known name contained in it, unless the
    rest of the name narrows it to another part of the budget (项目, 公用经费, …).
    """
    text = _norm_name(indicator_name)
    if not text:
        return None
    for syn, key in _BY_LENGTH:
        if text == syn:
            return key
    for syn, key in _BY_LENGTH:
        if syn in text:
            rest = text.replace(syn, "", 1)
            if any(q in rest for q in _QUALIFIERS):
                return None
            return key
    return None


# ------------------------------------------------------------------ execution block

_EXEC_COLUMNS: dict[str, tuple[str, ...]] = {
    "initial": ("年初预算数", "年初预算"),
    "full": ("全年预算数", "全年预算", "调整后预算数"),
    "spent": ("全年执行数", "实际执行数", "实际支出数", "执行数"),
    "weight": ("分值", "权重", "权重分"),
    "rate": ("执行率", "预算执行率"),
    "score": ("得分", "自评得分"),
}
_EXEC_TOTAL = ("年度资金总额", "资金总额", "项目资金总额", "合计")
_EXEC_SOURCES = ("当年财政拨款", "上年结转资金", "其他资金", "上年结转", "财政拨款")
EXEC_TOLERANCE = Decimal("0.005")
RATE_TOLERANCE = Decimal("0.00005")


@dataclass(frozen=True)
class ExecutionBlock:
    """The 预算执行率 block of a national 项目支出绩效自评表.

    ``rate`` = 全年执行数 / 全年预算数 (uncapped); ``score`` = 分值 × min(rate, 100%).
    ``declared_rate`` / ``declared_score`` are the cells as filled in, for audit.
    """

    sheet: str
    header_row: int
    total_row: int
    initial: BaseValue | None
    full: BaseValue | None
    spent: BaseValue | None
    weight: BaseValue | None
    declared_rate: BaseValue | None
    declared_score: BaseValue | None
    sources: tuple[tuple[str, dict[str, BaseValue]], ...]
    rate: Decimal | None
    score: Decimal | None
    rate_formula: str | None
    score_formula: str | None
    explanation: str
    findings: tuple[Finding, ...] = ()
    digits: int | None = None  # --rate-digits: the rate rounded to N decimals of percent before scoring

    def formulas(self, ref: Callable[[BaseValue], str]) -> tuple[str, str] | None:
        """(rate formula, score formula) with cell references made by ``ref`` (e.g. for a copied sheet)."""
        if self.full is None or self.spent is None or self.weight is None or self.rate is None:
            return None
        f, s, w = ref(self.full), ref(self.spent), ref(self.weight)
        return _exec_formulas(f, s, w, self.digits)

    def as_rate(self) -> Rate:
        """The execution rate as a :class:`Rate` (key ``budget_execution``)."""
        name, names = RATE_NAMES["budget_execution"]
        inputs = tuple(
            RateInput(v.label, v.sheet, v.cell, v.value) for v in (self.spent, self.full) if v is not None
        )
        return Rate("budget_execution", name, names, self.rate, self.rate_formula, inputs, self.explanation,
                    self.findings)  # fmt: skip


def _exec_formulas(full: str, spent: str, weight: str, digits: int | None = None) -> tuple[str, str]:
    ratio = f"{spent}/{full}" if digits is None else f"ROUND({spent}/{full},{digits + 2})"
    return (
        f'IF({full}=0,"",{spent}/{full})',
        f'IF({full}=0,"",{weight}*MIN({ratio},1))',
    )


def _ref_or_literal(v: BaseValue) -> str:
    """A reference to a number cell; the value itself when the cell holds text Excel cannot compute with."""
    if v.numeric or v.value is None:
        return v.ref
    return _literal(v.value)


def _exec_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(sheet.rows):
        cols: dict[str, int] = {}
        for c, raw in enumerate(row):
            lab = norm_label(raw)[0]
            for key, names in _EXEC_COLUMNS.items():
                if lab in names and key not in cols:
                    cols[key] = c
        if {"full", "spent", "weight"} <= cols.keys():
            return r, cols
    return None


def _percent_value(v: BaseValue) -> Decimal | None:
    """A declared 执行率: '97.95%' / 0.9795 / 97.95 all mean 97.95%."""
    q = parse_number(v.raw)
    if q is None:
        return None
    if q.percent or abs(q.value) <= Decimal("1.5"):
        return q.value
    return q.value / HUNDRED


def read_execution_block(sheet: Sheet, digits: int | None = None) -> ExecutionBlock | None:
    """Find and score the 年度资金总额 block of an indicator sheet; None when there is none.

    ``digits`` (--rate-digits) rounds the execution rate to N decimals of percent before
    scoring, as every other completion ratio (37.24 ÷ 43.2 = 86.20% → 86% → 8.60 分)."""
    found = _exec_header(sheet)
    if found is None:
        return None
    header_row, cols = found
    first = min(cols.values())
    total_row = None
    sources_rows: list[tuple[str, int]] = []
    for r in range(header_row + 1, min(header_row + 12, len(sheet.rows))):
        for c in range(first):
            lab = norm_label(sheet.value(r, c))[0]
            if total_row is None and lab in _EXEC_TOTAL:
                total_row = r
                break
            if total_row is not None and lab in _EXEC_SOURCES:
                sources_rows.append((lab, r))
                break
    if total_row is None:
        return None

    rd = Reader()
    names = {"initial": "年初预算数", "full": "全年预算数", "spent": "全年执行数", "weight": "分值"}
    cells = {
        key: rd.value(
            sheet, total_row, cols[key], f"年度资金总额 {names[key]}" if key != "weight" else "分值"
        )
        for key in names
        if key in cols
    }
    declared_rate = BaseValue("执行率", sheet.name, total_row, cols["rate"], None, sheet.value(total_row, cols["rate"])) \
        if "rate" in cols else None  # fmt: skip
    declared_score = rd.value(sheet, total_row, cols["score"], "得分") if "score" in cols else None
    sources: tuple[tuple[str, dict[str, BaseValue]], ...] = tuple(
        (
            lab,
            {
                k: rd.value(sheet, r, cols[k], f"{lab} {names[k]}")
                for k in ("initial", "full", "spent")
                if k in cols
            },
        )
        for lab, r in sources_rows
    )
    findings = list(rd.findings)
    full, spent, weight = cells.get("full"), cells.get("spent"), cells.get("weight")

    rate = score = None
    rate_formula = score_formula = None
    missing = [
        label
        for label, v in (("全年预算数", full), ("全年执行数", spent), ("分值", weight))
        if v is None or v.value is None
    ]
    if missing:
        explanation = f"年度资金总额的“{'、'.join(missing)}”为空，无法计算预算执行率得分"
        findings.append(Finding("warning", "exec.missing", sheet.name, a1(total_row, first), explanation))
    else:
        assert full is not None and spent is not None and weight is not None
        assert full.value is not None and spent.value is not None and weight.value is not None
        rate_formula, score_formula = _exec_formulas(
            _ref_or_literal(full), _ref_or_literal(spent), _ref_or_literal(weight), digits
        )
        if full.value == 0:
            explanation = f"全年预算数为 0（{full.where}），无法计算执行率"
            findings.append(Finding("warning", "exec.div_zero", full.sheet, full.cell, explanation))
        else:
            rate = spent.value / full.value
            used = rate if digits is None else round_half_up(rate, digits + 2)
            score = weight.value * min(used, ONE)
            capped = "（超过 100% 按 100% 计）" if rate > 1 else ""
            rounded = "" if digits is None else f"，先取 {fmt_pct(used, digits)}"
            explanation = (
                f"执行率 = 全年执行数 {fmt_num(spent.value, 4)} / 全年预算数 {fmt_num(full.value, 4)} = "
                f"{fmt_pct(rate)}{rounded}{capped}；得分 = 分值 {fmt_num(weight.value, 4)} × {fmt_pct(min(used, ONE), 2 if digits is None else digits)} = "
                f"{fmt_num(score)}"
            )
            findings.extend(_exec_audit(declared_rate, declared_score, rate, score))
    findings.extend(_exec_sources(cells, sources))
    return ExecutionBlock(
        sheet.name, header_row, total_row,
        cells.get("initial"), full, spent, weight, declared_rate, declared_score, sources,
        rate, score, rate_formula, score_formula, explanation, tuple(findings), digits,
    )  # fmt: skip


def _exec_audit(
    declared_rate: BaseValue | None, declared_score: BaseValue | None, rate: Decimal, score: Decimal
) -> list[Finding]:
    out = []
    if declared_rate is not None and declared_rate.raw not in ("", None):
        d = _percent_value(declared_rate)
        if d is None:
            out.append(
                Finding("error", "base.bad_number", declared_rate.sheet, declared_rate.cell,
                        f"执行率“{declared_rate.raw}”不是数字")
            )  # fmt: skip
        elif abs(d - rate) > RATE_TOLERANCE:
            out.append(
                Finding(
                    "warning",
                    "exec.rate_mismatch",
                    declared_rate.sheet,
                    declared_rate.cell,
                    f"执行率应为 全年执行数 / 全年预算数 = {fmt_pct(rate)}，表中填报 {fmt_pct(d)}",
                )
            )
    if (
        declared_score is not None
        and declared_score.value is not None
        and abs(declared_score.value - score) > EXEC_TOLERANCE
    ):
        out.append(
            Finding(
                "warning",
                "exec.score_mismatch",
                declared_score.sheet,
                declared_score.cell,
                f"预算执行率得分应为 分值 × 执行率 = {fmt_num(score)}，表中填报 {fmt_num(declared_score.value)}",
            )
        )
    return out


def _exec_sources(
    cells: dict[str, BaseValue], sources: tuple[tuple[str, dict[str, BaseValue]], ...]
) -> list[Finding]:
    """当年财政拨款 + 上年结转资金 + 其他资金 should add up to 年度资金总额, column by column."""
    out = []
    for key, total in cells.items():
        if key == "weight" or total.value is None:
            continue
        parts = [s[1][key] for s in sources if key in s[1] and s[1][key].value is not None]
        if not parts:
            continue
        expected = sum((p.value for p in parts if p.value is not None), ZERO)
        if abs(expected - total.value) > EXEC_TOLERANCE:
            out.append(
                Finding(
                    "warning",
                    "exec.sum",
                    total.sheet,
                    total.cell,
                    f"{total.label}应等于其中各项之和 {fmt_num(expected, 4)}（{'、'.join(p.cell for p in parts)}），"
                    f"表中为 {fmt_num(total.value, 4)}",
                )
            )
    return out
