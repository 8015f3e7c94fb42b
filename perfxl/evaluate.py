"""Score a whole evaluation: facts per row, rule per row, experts, groups, total, grade.

Pure over the parsed workbook: :func:`evaluate_book` reads with :mod:`perfxl.read`
and returns an :class:`Evaluation` (plain data) that the audit, the JSON output
and the workbook writer consume.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from . import phrases, survey_read
from . import rates as rates_mod
from .book import Book
from .errors import Finding, PerfxlError
from .grades import DEFAULT_BANDS, LOWEST_LABEL, Band, grade_of, parse_bands
from .numbers import (
    Quantity,
    Target,
    align_units,
    as_percent_like,
    cell_text,
    fmt_num,
    normalize,
    parse_number,
    parse_target,
    round_half_up,
)
from .rates import match_rate
from .read import IndicatorRow, IndicatorTable, Pos, ProjectInfo, read_goal, read_info, read_table
from .rules import KIND_LABELS, Facts, Outcome, Rule, final_round, score
from .survey import lookup as survey_lookup

ZERO = Decimal(0)
HUNDRED = Decimal(100)

KIND_NAMES = {
    "project": "项目支出绩效评价",
    "department": "部门整体支出绩效评价",
    "self-project": "项目支出绩效自评",
    "self-department": "部门整体支出绩效自评",
}

# findings that mean the workbook cannot be scored as given
BLOCKING_CODES = {
    "number.unparseable",
    "weight.missing",
    "method.invalid",
    "judgements.unparseable",
    "formula.uncached",
}

# ------------------------------------------------------------------ options and grades


@dataclass(frozen=True)
class Options:
    grades: str | None = None  # overrides 项目信息 评级标准
    rate_digits: int | None = None  # round percent actuals to N decimals of percent before scoring
    expert_trim: bool | None = None  # drop highest and lowest with ≥ 5 experts
    expert_weight: Decimal | None = None  # blend: w × expert mean + (1 − w) × computed


# ------------------------------------------------------------------ results


@dataclass
class IndicatorResult:
    row: IndicatorRow
    role: str  # base | bonus | penalty
    weight: Decimal | None
    target: Target | None
    actual: Quantity | None
    actual_word: str
    actual_source: str  # cell | rate | survey | none
    rule: Rule
    facts: Facts
    outcome: Outcome
    computed: Decimal | None
    declared: Decimal | None
    experts: list[Decimal]
    expert_score: Decimal | None
    final: Decimal
    final_source: str  # computed | experts | blend | declared | none
    judgements_text: str = ""
    link: Any = None  # a perfxl.rates Rate when 业绩值 comes from 基础表
    survey_ref: str = ""

    @property
    def lost(self) -> Decimal:
        if self.weight is None or self.role != "base":
            return ZERO
        return max(ZERO, self.weight - self.final)

    @property
    def note(self) -> str:
        """扣分说明 for the output workbook."""
        text = self.outcome.reason
        if self.final_source == "experts":
            text += f"；专家评分均值 {fmt_num(self.expert_score)}，以专家评分为准"
        elif self.final_source == "blend":
            text += f"；与专家评分加权后为 {fmt_num(self.final)}"
        elif self.final_source == "none":  # nothing to keep: say what was done instead
            text = re.sub(r"[，（]?(?:定性指标)?保留申报得分）?", "", text)
            text += "；未填写申报得分，按 0 分计"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.row.code,
            "name": self.row.name,
            "group": self.row.level1,
            "subgroup": self.row.level2,
            "row": self.row.row + 1,
            "weight": _f(self.weight),
            "target": self.target.text if self.target else cell_text(self.row.values.get("target", "")),
            "actual": _f(self.actual.value) if self.actual else (self.actual_word or None),
            "rule": self.rule.kind,
            "rule_params": self.rule.to_json()["params"],
            "rule_explanation": self.rule.explanation,
            "computed_score": _f(self.computed),
            "score": _f(self.final),
            "declared_score": _f(self.declared),
            "expert_scores": [_f(x) for x in self.experts],
            "score_source": self.final_source,
            "lost": _f(final_round(self.lost)) if self.role == "base" and self.weight is not None else None,
            "note": self.note,
        }


@dataclass
class GroupResult:
    name: str
    code: str
    role: str
    weight: Decimal
    score: Decimal
    declared_weight: str
    declared_row: int
    members: list[IndicatorResult]

    @property
    def rate(self) -> Decimal | None:
        return self.score / self.weight if self.weight else None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": self.code,
            "weight": _f(self.weight),
            "score": _f(final_round(self.score)),
            "rate": _f(round_half_up(self.rate, 4)) if self.rate is not None else None,
        }


class DeclaredTotal(NamedTuple):
    """The total an evaluator declared: its value, where it was read (合计行, 项目信息 …), its cell."""

    value: Decimal
    source: str
    pos: Pos | None


@dataclass
class Evaluation:
    file: str
    kind: str
    kind_inferred: bool
    title: str
    unit: str
    year: str
    info: ProjectInfo
    table: IndicatorTable
    indicators: list[IndicatorResult]
    groups: list[GroupResult]
    base_total: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    grade: str
    bands: tuple[Band, ...]
    lowest_label: str
    findings: list[Finding] = field(default_factory=list)
    base: Any = None  # perfxl.rates BaseData
    rates: dict[str, Any] = field(default_factory=dict)
    execution: Any = None  # self-evaluation execution block
    surveys: list[Any] = field(default_factory=list)
    options: Options = field(default_factory=Options)
    # a self-evaluation form's 年度总体目标 实际完成情况: (sheet, cell, text)
    goal: tuple[str, str, str] | None = None
    # the workbook it was read from (for the annotated copy); not part of the result's data
    book: Any = field(default=None, repr=False, compare=False)

    @property
    def firm(self) -> str:
        """评价机构 from 项目信息 ("" when not given)."""
        return self.info.get("evaluator")

    @property
    def scorable(self) -> bool:
        """False when a finding blocks scoring (see :meth:`blocking`)."""
        return not self.blocking()

    def blocking_findings(self) -> list[Finding]:
        """The findings that prevent scoring (a formula saved without result: only that one)."""
        uncached = {(f.sheet, f.cell) for f in self.findings if f.code == "formula.uncached"}
        return [
            f
            for f in self.findings
            if f.severity == "error"
            and f.code in BLOCKING_CODES
            and (f.code == "formula.uncached" or (f.sheet, f.cell) not in uncached)
        ]

    def blocking(self) -> list[str]:
        """One Chinese line per finding that prevents scoring."""
        return [
            f"文件 {self.file}，工作表 {f.sheet}，单元格 {f.cell}：{f.message}"
            for f in self.blocking_findings()
        ]

    def declared_total(self) -> DeclaredTotal | None:
        """The total the evaluator declared, where it was read, and its cell when one holds it.

        In order: the table's 合计/总分 row, 项目信息 总分, the sum of the declared scores
        (with the self-evaluation's 预算执行率 score); None when nothing was declared.
        """
        t = self.table
        for tot in t.totals:
            if tot.label == "小计":
                continue
            raw = tot.values.get("score")
            q = parse_number(cell_text(raw)) if cell_text(raw) else None
            if q is None and "score" in tot.formulas:
                value = tot.formulas["score"][1]
                q = Quantity(value) if value is not None else None
            if q is not None:
                return DeclaredTotal(q.value, f"{tot.label}行", t.pos(tot.row, "score"))
        q = parse_number(self.info.get("declared_total")) if self.info.get("declared_total") else None
        if q is not None:
            return DeclaredTotal(q.value, self.info.sheet, self.info.cells["declared_total"])
        declared = [r.declared for r in self.indicators if r.declared is not None]
        exec_declared = getattr(getattr(self.execution, "declared_score", None), "value", None)
        if not declared and exec_declared is None:
            return None
        return DeclaredTotal(sum(declared, ZERO) + (exec_declared or ZERO), "各指标申报得分之和", None)

    def declared_grade(self) -> str:
        """The grade the evaluator declared in 项目信息, else the grade of the declared total ("" without one)."""
        if self.info.get("declared_grade"):
            return self.info.get("declared_grade")
        declared = self.declared_total()
        return grade_of(declared.value, self.bands, self.lowest_label) if declared else ""

    @property
    def weight_total(self) -> Decimal:
        return sum((g.weight for g in self.groups if g.role == "base"), ZERO)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON data: exactly what ``perfxl score --json`` prints (docs/api.md)."""
        return {
            "file": self.file,
            "kind": self.kind,
            "title": self.title,
            "unit": self.unit,
            "year": self.year,
            "firm": self.firm,
            "total": _f(final_round(self.total)),
            "grade": self.grade,
            "bands": [b.text for b in self.bands] + [self.lowest_label],
            "bonus": _f(self.bonus),
            "penalty": _f(self.penalty),
            "groups": [g.to_json() for g in self.groups],
            "indicators": [i.to_json() for i in self.indicators],
            "findings": [f.to_json() for f in self.findings],
            "rates": {
                key: {"name": rate.name, "value": _f(rate.value), "explanation": rate.explanation}
                for key, rate in self.rates.items()
                if getattr(rate, "value", None) is not None
            },
            "execution": self._execution_json(),
            "surveys": [s.to_json() for s in self.surveys],
        }

    def to_frame(self) -> Any:
        """The indicators as a pandas DataFrame, one row each (columns: docs/api.md)."""
        from .frames import indicators_frame

        return indicators_frame(self)

    def findings_frame(self) -> Any:
        """The findings as a pandas DataFrame, one row each (columns: docs/api.md)."""
        from .frames import findings_frame

        return findings_frame(self)

    def _execution_json(self) -> dict[str, Any] | None:
        ex = self.execution
        if ex is None:
            return None
        weight = getattr(ex.weight, "value", None)
        return {
            "rate": _f(ex.rate),
            "points": _f(weight),
            "score": _f(final_round(ex.score)) if ex.score is not None else None,
        }


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# ------------------------------------------------------------------ judgements

_YES = {
    "√",
    "✓",
    "✔",
    "☑",
    "1",
    "是",
    "符合",
    "有",
    "y",
    "Y",
    "yes",
    "对",
    "满足",
    "合格",
    "达标",
    "完成",
    "齐全",
    "○",
    "o",
    "O",
}
_NO = {
    "×",
    "✗",
    "✘",
    "☒",
    "x",
    "X",
    "0",
    "否",
    "不符合",
    "无",
    "n",
    "N",
    "no",
    "错",
    "不满足",
    "不合格",
    "不达标",
    "未完成",
    "缺失",
}
_MARK_CHARS = set("√✓✔☑×✗✘☒xX01○")


def parse_judgements(text: str) -> list[bool] | None:
    """'√√×√' / '1,1,0,1' / '符合/符合/不符合' → [True, True, False, True]; invalid → None."""
    t = text.strip()
    if not t:
        return None
    t = t.replace("\u3000", " ")
    if re.search(r"[,，、/;；|\s]", t):
        tokens = [x for x in re.split(r"[,，、/;；|\s]+", t) if x]
    elif set(t) <= _MARK_CHARS:
        tokens = list(t)
    else:
        tokens = [t]
    if not tokens:  # only separators, e.g. ","
        return None
    out = []
    for tok in tokens:
        if tok in _YES:
            out.append(True)
        elif tok in _NO:
            out.append(False)
        else:
            return None
    return out


_CN_NUMBER_RE = re.compile(r"^[零〇一二两三四五六七八九十百千万亿点半]+[^\d]{0,4}$")


def _looks_like_cn_number(text: str) -> bool:
    return bool(_CN_NUMBER_RE.match(normalize(text))) and normalize(text) not in {"无", "有"}


# ------------------------------------------------------------------ evaluation


def _num_cell(
    row: IndicatorRow, key: str, table: IndicatorTable, findings: list[Finding], what: str
) -> Decimal | None:
    raw = row.values.get(key, "")
    if cell_text(raw) == "" or cell_text(raw) in ("-", "—", "/"):
        return None
    q = parse_number(raw)
    if q is None:
        findings.append(
            Finding(
                "error",
                "number.unparseable",
                table.sheet,
                table.cell(row.row, key),
                f"{what}“{cell_text(raw)}”不是数字（请填写阿拉伯数字，如 3 或 3分）",
            )
        )
        return None
    return q.value * HUNDRED if (q.percent and key in ("weight", "score")) else q.value


def _role(row: IndicatorRow, weight: Decimal | None) -> str:
    texts = f"{row.level1}{row.level2}{row.name}"
    if "减分" in row.level2 or (weight is not None and weight < 0):
        return "penalty"
    if "加分" in row.level2:
        return "bonus"
    if "加减分" in row.level1 or "加分" in row.level1:
        return "penalty" if "减分" in texts and "加分" not in row.level2 else "bonus"
    if "减分" in row.level1:
        return "penalty"
    return "base"


def infer_kind(info: ProjectInfo, table: IndicatorTable) -> tuple[str, bool]:
    """Kind from 项目信息 评价类型, else from structure (said so by the caller)."""
    declared = normalize(info.get("kind"))
    if declared:
        if declared in KIND_NAMES:
            return declared, False
        if "自评" in declared:
            return ("self-department" if "部门" in declared else "self-project"), False
        if "部门" in declared:
            return "department", False
        if "项目" in declared:
            return "project", False
    sheet = normalize(table.sheet)
    if "自评" in sheet and ("绩效" in sheet or "支出" in sheet):  # the national forms name themselves
        return ("self-department" if "部门" in sheet else "self-project"), False
    heads = set(table.columns)
    groups = "".join(r.level1 for r in table.rows)
    self_like = "deviation" in heads or any(
        normalize(h) in ("年度指标值", "实际完成值") for h in table.headers
    )
    if "部门" in groups and ("部门决策" in groups or "部门管理" in groups or "部门绩效" in groups):
        return ("self-department" if self_like else "department"), True
    if self_like:
        return "self-project", True
    return "project", True


def _facts_for(
    row: IndicatorRow,
    table: IndicatorTable,
    weight: Decimal | None,
    options: Options,
    findings: list[Finding],
    rates: dict[str, Any],
    surveys: list[Any],
) -> tuple[Target | None, Quantity | None, str, str, Any, str, list[bool] | None, int | None, str]:
    target = parse_target(row.values.get("target", ""))
    raw_actual = row.values.get("actual", "")
    text_actual = cell_text(raw_actual)
    actual: Quantity | None = None
    word = ""
    source = "cell"
    link = None
    survey_ref = ""
    if text_actual.startswith(("问卷:", "问卷：")):
        survey_ref = normalize(text_actual)[3:]
        source = "survey"
        value = _survey_lookup(surveys, survey_ref)
        if value is None:
            findings.append(
                Finding(
                    "warning",
                    "survey.not_found",
                    table.sheet,
                    table.cell(row.row, "actual"),
                    f"业绩值引用的问卷结果“{survey_ref}”未找到（需要“问卷汇总”或“问卷明细”工作表）",
                )
            )
        else:
            actual = Quantity(value, True, "", text_actual)
    elif text_actual:
        actual = parse_number(raw_actual)
        if actual is None:
            if _looks_like_cn_number(text_actual):
                findings.append(
                    Finding(
                        "error",
                        "number.unparseable",
                        table.sheet,
                        table.cell(row.row, "actual"),
                        f"业绩值“{text_actual}”不是数字（请填写阿拉伯数字，如 35人）",
                    )
                )
            word = normalize(text_actual)
    else:
        source = "none"
        key = match_rate(row.name)
        if key and key in rates:
            link = rates[key]
            if getattr(link, "value", None) is not None:
                actual = Quantity(link.value, True, "", "")
                source = "rate"
            else:
                findings.extend(getattr(link, "findings", ()))
    if actual is not None:
        actual = as_percent_like(actual, target)
        actual, conflict = align_units(actual, target)
        if conflict:
            findings.append(
                Finding(
                    "warning",
                    "units.conflict",
                    table.sheet,
                    table.cell(row.row, "actual"),
                    f"“{row.name}”{conflict}（标杆值 {table.cell(row.row, 'target')}，业绩值 "
                    f"{table.cell(row.row, 'actual')}），未按规则计分，保留申报得分",
                )
            )
            actual, word = None, ""
    jtext = cell_text(row.values.get("judgements", ""))
    judgements = parse_judgements(jtext) if jtext else None
    if jtext and judgements is None:
        findings.append(
            Finding(
                "error",
                "judgements.unparseable",
                table.sheet,
                table.cell(row.row, "judgements"),
                f"要点判定“{jtext}”无法识别（应为 √√×√、1,1,0,1 或 符合/符合/不符合）",
            )
        )
    failures = None
    fraw = row.values.get("failures", "")
    if cell_text(fraw):
        q = parse_number(fraw)
        if q is None or q.value < 0 or q.value != q.value.to_integral_value():
            findings.append(
                Finding(
                    "error",
                    "number.unparseable",
                    table.sheet,
                    table.cell(row.row, "failures"),
                    f"不符合项数“{cell_text(fraw)}”应为非负整数",
                )
            )
        else:
            failures = int(q.value)
    return target, actual, word, source, link, survey_ref, judgements, failures, jtext


def _survey_lookup(surveys: list[Any], ref: str) -> Decimal | None:
    if not surveys:
        return None
    value: Decimal | None = survey_lookup(surveys, ref)
    return value


def _choose_rule(
    row: IndicatorRow,
    table: IndicatorTable,
    target: Target | None,
    actual: Quantity | None,
    word: str,
    role: str,
    weight: Decimal | None,
    findings: list[Finding],
) -> Rule:
    method = cell_text(row.values.get("method", ""))
    text = cell_text(row.values.get("rule", ""))
    rule: Rule | None = None
    if method:
        try:
            rule = phrases.parse_override(method)
        except phrases.OverrideError as exc:
            findings.append(
                Finding("error", "method.invalid", table.sheet, table.cell(row.row, "method"), str(exc))
            )
    if rule is None and text:
        rule = phrases.recognize(text)
        if rule.kind == "manual" and role == "base":
            findings.append(
                Finding(
                    "info",
                    "rule.unrecognized",
                    table.sheet,
                    table.cell(row.row, "rule"),
                    "评分标准未能识别为标准规则，按人工评分处理，保留申报得分（可在“计分方法”列指定规则）",
                )
            )
    if rule is None:
        rule = phrases.default_rule(target, actual is not None, bool(word))
    if role in ("bonus", "penalty") and rule.kind not in ("bonus", "penalty"):
        pts = abs(weight) if weight is not None else rule.params.get("points")
        rule = Rule(
            role,
            {"points": pts},
            f"{'加分项：发生即加' if role == 'bonus' else '减分项：发生即扣'}{fmt_num(pts) if pts else ''}分",
            source=rule.source,
            points_named=rule.points_named,
        )
    return rule


def _experts(row: IndicatorRow, table: IndicatorTable, findings: list[Finding]) -> list[Decimal]:
    out = []
    for col, raw in row.experts:
        if cell_text(raw) == "":
            continue
        q = parse_number(raw)
        if q is None:
            findings.append(
                Finding(
                    "error",
                    "number.unparseable",
                    table.sheet,
                    Pos(table.sheet, row.row, col).a1,
                    f"专家评分“{cell_text(raw)}”不是数字",
                )
            )
            continue
        out.append(q.value)
    return out


def expert_score(scores: list[Decimal], trim: bool) -> Decimal | None:
    """Mean of expert scores; with trim and ≥ 5 experts the highest and lowest are dropped."""
    if not scores:
        return None
    vals = sorted(scores)
    if trim and len(vals) >= 5:
        vals = vals[1:-1]
    return sum(vals, ZERO) / len(vals)


def _bool_option(text: str) -> bool | None:
    t = normalize(text)
    if t in ("是", "Y", "y", "yes", "1", "true", "TRUE", "√"):
        return True
    if t in ("否", "N", "n", "no", "0", "false", "FALSE", "×"):
        return False
    return None


def evaluate_book(book: Book, options: Options | None = None, file_label: str | None = None) -> Evaluation:
    """Read and score a workbook; raise PerfxlError only when it cannot be used at all."""
    options = options or Options()
    label = file_label or str(book.path)
    try:
        table = read_table(book)
        info = read_info(book, table)
    except PerfxlError as exc:
        raise exc.with_file(label) from None
    findings: list[Finding] = list(table.findings)
    options = _merge_info_options(options, info, findings)
    kind, inferred = infer_kind(info, table)
    if inferred:
        findings.append(
            Finding(
                "info",
                "kind.inferred",
                info.sheet or table.sheet,
                info.cells["kind"].a1 if "kind" in info.cells else "",
                f"未填写评价类型，按表结构推断为“{KIND_NAMES[kind]}”",
            )
        )
    base, rates, base_findings = _load_base(book, kind)
    findings.extend(base_findings)
    surveys, survey_findings = _load_surveys(book)
    findings.extend(survey_findings)
    execution = _load_execution(book, table, options.rate_digits)
    if execution is not None:
        findings.extend(getattr(execution, "findings", ()))

    bands_text = options.grades or info.get("grades")
    bands: tuple[Band, ...] = DEFAULT_BANDS
    lowest = LOWEST_LABEL
    if bands_text:
        try:
            bands, lowest = parse_bands(bands_text)
        except ValueError as exc:
            if options.grades:
                raise PerfxlError(str(exc)) from None
            cell = info.cells["grades"].a1 if "grades" in info.cells else ""
            findings.append(
                Finding("error", "grades.invalid", info.sheet, cell, f"{exc}；已按默认等级 90/80/60 评级")
            )

    results: list[IndicatorResult] = []
    for row in table.rows:
        weight = _num_cell(row, "weight", table, findings, "权重")
        declared = _num_cell(row, "score", table, findings, "得分")
        role = _role(row, weight)
        if (
            role != "base"
            and weight is None
            and declared is None
            and not cell_text(row.values.get("judgements", ""))
        ):
            findings.append(
                Finding(
                    "info",
                    "bonus.blank",
                    table.sheet,
                    table.cell(row.row, "weight") or table.cell(row.row, "name"),
                    f"{'加分项' if role == 'bonus' else '减分项'}“{row.name}”未填写分值和得分，未计入总分",
                )
            )
            continue
        if weight is None and role == "base":
            if cell_text(row.values.get("weight", "")) == "":
                findings.append(
                    Finding(
                        "error",
                        "weight.missing",
                        table.sheet,
                        table.cell(row.row, "weight"),
                        f"指标“{row.name}”未填写权重",
                    )
                )
            continue
        target, actual, word, source, link, sref, judgements, failures, jtext = _facts_for(
            row, table, weight, options, findings, rates, surveys
        )
        rule = _choose_rule(row, table, target, actual, word, role, weight, findings)
        facts = Facts(
            weight=abs(weight) if weight is not None else ZERO,
            target=target,
            actual=actual,
            actual_word=word,
            judgements=judgements,
            failures=failures,
            rate_digits=options.rate_digits,
        )
        outcome = score(rule, facts)
        computed = final_round(outcome.score) if outcome.score is not None else None
        if outcome.score is None and outcome.needs and rule.kind != "manual":
            findings.append(
                Finding(
                    "info",
                    "rule.needs_input",
                    table.sheet,
                    table.cell(row.row, "judgements" if "要点" in outcome.needs else "actual")
                    or table.cell(row.row, "name"),
                    f"“{row.name}”按{KIND_LABELS[rule.kind]}计分需要{outcome.needs}，未提供，保留申报得分"
                    if outcome.reason.startswith("缺少")
                    else f"“{row.name}”按{KIND_LABELS[rule.kind]}计分：{outcome.reason}",
                )
            )
        named = rule.points_named or 0
        count_off = judgements is not None and named and len(judgements) != named
        checks_count = rule.kind in ("checklist", "deduct_each") or (rule.kind == "binary" and named > 1)
        if judgements is not None and count_off and checks_count:
            findings.append(
                Finding(
                    "warning",
                    "judgements.count",
                    table.sheet,
                    table.cell(row.row, "judgements"),
                    f"要点判定有{len(judgements)}项，评分标准列出{named}项，请核对",
                )
            )
        experts = _experts(row, table, findings)
        trim = bool(options.expert_trim)
        ex = expert_score(experts, trim)
        if ex is not None:
            ex = final_round(ex)
        if ex is not None and options.expert_weight is not None and computed is not None:
            w = options.expert_weight
            final, src = final_round(w * ex + (1 - w) * computed), "blend"
        elif ex is not None:
            final, src = ex, "experts"
        elif computed is not None:
            final, src = computed, "computed"
        elif declared is not None:
            final, src = declared, "declared"
        else:
            final, src = ZERO, "none"
            findings.append(
                Finding(
                    "warning",
                    "score.missing",
                    table.sheet,
                    table.cell(row.row, "score") or table.cell(row.row, "name"),
                    f"“{row.name}”既无法按规则计分，也未填写得分，按0分计",
                )
            )
        if src == "declared" and weight is not None and role == "base":
            final = min(max(final, ZERO), weight)
        results.append(
            IndicatorResult(
                row=row,
                role=role,
                weight=weight,
                target=target,
                actual=actual,
                actual_word=word,
                actual_source=source,
                rule=rule,
                facts=facts,
                outcome=outcome,
                computed=computed,
                declared=declared,
                experts=experts,
                expert_score=ex,
                final=final,
                final_source=src,
                judgements_text=jtext,
                link=link,
                survey_ref=sref,
            )
        )

    groups = _groups(results)
    base_total = sum((r.final for r in results if r.role == "base"), ZERO)
    bonus = sum((r.final for r in results if r.role == "bonus"), ZERO)
    penalty = sum((r.final for r in results if r.role == "penalty"), ZERO)
    if execution is not None and getattr(execution, "score", None) is not None:
        base_total += final_round(execution.score)
    total = min(max(base_total + bonus + penalty, ZERO), HUNDRED)
    total = final_round(total)
    ev = Evaluation(
        file=label,
        kind=kind,
        kind_inferred=inferred,
        title=info.get("title") or table.title or Path(label).stem,
        unit=info.get("unit"),
        year=info.get("year"),
        info=info,
        table=table,
        indicators=results,
        groups=groups,
        base_total=base_total,
        bonus=bonus,
        penalty=penalty,
        total=total,
        grade=grade_of(total, bands, lowest),
        bands=bands,
        lowest_label=lowest,
        findings=findings,
        base=base,
        rates=rates,
        execution=execution,
        goal=read_goal(book.sheet(table.sheet)) if kind.startswith("self") else None,
        surveys=surveys,
        options=options,
    )
    ev.findings = dedupe_findings(ev.findings)
    return ev


def dedupe_findings(findings: list[Finding]) -> list[Finding]:
    """Drop repeated findings; errors first, then warnings, then hints (stable within a level)."""
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for f in findings:
        key = (f.code, f.sheet, f.cell, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda f: order.get(f.severity, 3))


def _groups(results: list[IndicatorResult]) -> list[GroupResult]:
    groups: dict[tuple[str, str], GroupResult] = {}
    for r in results:
        name = r.row.level1 or "（未分组）"
        if r.role != "base":
            name = "加分项" if r.role == "bonus" else "减分项"
        key = (name, r.role)
        g = groups.get(key)
        if g is None:
            g = GroupResult(
                name=key[0],
                code=r.row.level1_code,
                role=r.role,
                weight=ZERO,
                score=ZERO,
                declared_weight=r.row.level1_weight,
                declared_row=r.row.level1_row,
                members=[],
            )
            groups[key] = g
        g.members.append(r)
        g.weight += abs(r.weight) if r.weight is not None and r.role == "base" else ZERO
        g.score += r.final
    return list(groups.values())


def _merge_info_options(options: Options, info: ProjectInfo, findings: list[Finding]) -> Options:
    trim = options.expert_trim
    if trim is None and info.get("expert_trim"):
        trim = _bool_option(info.get("expert_trim"))
    weight = options.expert_weight
    if weight is None and info.get("expert_weight"):
        q = parse_number(info.get("expert_weight"))
        if q is not None and ZERO <= q.value <= 1:
            weight = q.value
        else:
            findings.append(
                Finding(
                    "error",
                    "option.invalid",
                    info.sheet,
                    info.cells["expert_weight"].a1,
                    f"专家权重“{info.get('expert_weight')}”应为0到1之间的数或百分数",
                )
            )
    digits = options.rate_digits
    if digits is None and info.get("rate_digits"):
        q = parse_number(info.get("rate_digits"))
        if q is not None and q.value == q.value.to_integral_value() and 0 <= q.value <= 4:
            digits = int(q.value)
    return Options(options.grades, digits, trim, weight)


def _load_base(book: Book, kind: str) -> tuple[Any, dict[str, Any], list[Finding]]:
    base = rates_mod.read_base(book)
    if base is None:
        return None, {}, []
    # the national 自评表 divides by 全年预算数, the project evaluation by 实际到位数
    computed = rates_mod.compute_rates(base, kind="project" if kind == "project" else "department")
    findings = list(getattr(base, "findings", []))
    return base, computed, findings


def _load_surveys(book: Book) -> tuple[list[Any], list[Finding]]:
    if not any(n.startswith(("问卷汇总", "问卷明细")) or "问卷" in n for n in book.sheet_names):
        return [], []
    results = survey_read.analyze_book(book)
    findings = [f for r in results for f in getattr(r, "findings", [])]
    return results, findings


def _load_execution(book: Book, table: IndicatorTable, digits: int | None) -> Any:
    return rates_mod.read_execution_block(book.sheet(table.sheet), digits)
