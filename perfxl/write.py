"""Write the annotated workbook (docs/architecture.md, output workbook) with xlsxwriter.

Sheets, in this order: 评分表 (the user's table at the same cell positions, plus
perfxl's columns with live formulas and cached values, and the 复核结论 under the
table), 汇总 (groups with SUMIF, total, grade, chart), 审核意见 (findings linked to
their cells), copies of 项目信息 / 基础表 / 问卷 sheets so every reference resolves,
and 问卷分析.  Cells named by a finding are coloured by its level and commented on
whichever of these sheets they are.

Text from inputs is always written with ``write_string``; only perfxl's own
formulas go through ``write_formula``.  The file is written to a temporary file
in the target folder and renamed, so a failure never leaves a partial output.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import zip_longest
from pathlib import Path
from typing import Any

from . import __version__, files
from .book import Book, Sheet
from .cells import a1, col_letter, row_height, sheet_ref, text_width, wrapped_lines
from .errors import SEVERITIES, SEVERITY_LABELS, PerfxlError, code_name
from .evaluate import DeclaredTotal, Evaluation, IndicatorResult
from .numbers import fmt_num, normalize, round_half_up
from .rules import KIND_LABELS, Refs, effective_target, formula

OUT_SHEET = "评分表"
MAX_JUDGEMENT_COLS = 12
NOTE_WIDTH = 30.0  # 扣分说明
# fills of cells named by a finding, by level (the same in 审核意见), and of points lost
LEVEL_FILLS = {"error": "#F4B084", "warning": "#FFEB9C", "info": "#E4DFEC"}
LEVEL_FONTS = {"error": "#9C0006", "warning": "#9C5700", "info": "#3F3151"}
LOST_FILL = "#FFC7CE"


def _xlsx_options() -> dict[str, Any]:
    return {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "in_memory": True,
    }


# Function names xlsxwriter rewrites to _xlfn.… (dynamic arrays; SINGLE is matched loosely, as it does)
_DYNAMIC_FUNCTION_RE = re.compile(
    r"(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|MAP"
    r"|RANDARRAY|REDUCE|SCAN|INGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE"
    r"|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\(|_xlfn\."
)


@cache
def worksheet_class() -> type:
    """xlsxwriter's Worksheet, minus a per-formula cost perfxl does not need.

    xlsxwriter runs ~30 regular expressions over every formula to prefix dynamic-array
    functions (≈ 35 µs each, ≈ 9 ms for the 250 formulas of a scored workbook).  perfxl
    writes Excel 2007 functions only (docs/architecture.md, output workbook), so a formula that names none of them is
    just stripped of its "="; anything else goes through xlsxwriter unchanged.  Set it as
    ``wb.worksheet_class``, the documented hook for Worksheet subclasses.
    """
    from xlsxwriter.worksheet import Worksheet

    class PerfxlWorksheet(Worksheet):  # type: ignore[misc]
        def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
            if (
                expand_future_functions
                or self.use_future_functions
                or formula.startswith("{")
                or formula.endswith("}")
                or _DYNAMIC_FUNCTION_RE.search(formula)
            ):
                return str(super()._prepare_formula(formula, expand_future_functions))
            return formula[1:] if formula.startswith("=") else formula

    return PerfxlWorksheet


class Formats:
    """All cell formats of one workbook, created once."""

    def __init__(self, wb: Any) -> None:
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        border = {**base, "border": 1, "border_color": "#A6A6A6"}
        self.text = wb.add_format({**border, "text_wrap": True})
        self.center = wb.add_format({**border, "text_wrap": True, "align": "center"})
        self.cell = wb.add_format(border)
        self.plain = wb.add_format(base)
        self.date = wb.add_format({**border, "num_format": "yyyy-mm-dd"})
        self.num = wb.add_format({**border, "num_format": "0.00"})
        self.num_general = wb.add_format({**border, "num_format": "General"})
        self.pct = wb.add_format({**border, "num_format": "0.00%"})
        self.int = wb.add_format({**border, "num_format": "0"})
        self.header = wb.add_format(
            {**border, "bold": True, "bg_color": "#D9D9D9", "align": "center", "text_wrap": True}
        )
        self.calc_header = wb.add_format(
            {**border, "bold": True, "bg_color": "#DDEBF7", "align": "center", "text_wrap": True}
        )
        self.calc_num = wb.add_format({**border, "num_format": "0.00", "bg_color": "#F2F8FD"})
        self.calc_pct = wb.add_format({**border, "num_format": "0.00%", "bg_color": "#F2F8FD"})
        self.calc_int = wb.add_format({**border, "num_format": "0", "bg_color": "#F2F8FD"})
        self.calc_text = wb.add_format({**border, "text_wrap": True, "bg_color": "#F2F8FD"})
        self.lost_num = wb.add_format(
            {**border, "num_format": "0.00", "bg_color": LOST_FILL, "font_color": "#9C0006", "bold": True}
        )
        self.lost_text = wb.add_format(
            {**border, "text_wrap": True, "bg_color": LOST_FILL, "font_color": "#9C0006"}
        )
        # cells named by a finding: wrapped in the score sheet (centred in its short columns), plain in copies
        self.mark = {
            s: wb.add_format({**border, "text_wrap": True, "bg_color": f}) for s, f in LEVEL_FILLS.items()
        }
        self.mark_center = {
            s: wb.add_format({**border, "text_wrap": True, "align": "center", "bg_color": f})
            for s, f in LEVEL_FILLS.items()
        }
        self.mark_plain = {s: wb.add_format({**border, "bg_color": f}) for s, f in LEVEL_FILLS.items()}
        self.legend_lost = wb.add_format(
            {**border, "align": "center", "bg_color": LOST_FILL, "font_color": "#9C0006"}
        )
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.verdict_label = wb.add_format({**base, "bold": True, "align": "right"})
        self.verdict_num = wb.add_format({**border, "bold": True, "num_format": "0.00", "align": "center"})
        self.verdict_text = wb.add_format({**border, "bold": True, "align": "center"})
        self.small = wb.add_format({**border, "font_size": 8, "font_color": "#595959"})
        self.bold = wb.add_format({**border, "bold": True})
        self.bold_num = wb.add_format({**border, "bold": True, "num_format": "0.00"})
        self.bold_pct = wb.add_format({**border, "bold": True, "num_format": "0.00%"})
        self.link = wb.add_format({**border, "font_color": "#0563C1", "underline": 1})
        self.sev = {
            s: wb.add_format({**border, "bg_color": f, "font_color": LEVEL_FONTS[s], "align": "center"})
            for s, f in LEVEL_FILLS.items()
        }


def _write_value(ws: Any, r: int, c: int, value: object, fmt: Any, fmts: Formats) -> None:
    """A user's cell value, text always as text."""
    if type(value) is str:  # most cells: skip the isinstance chain
        if value:
            ws.write_string(r, c, value, fmt)
        return
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(r, c, float(value), fmts.num_general if fmt is fmts.text else fmt)
    elif isinstance(value, (_dt.datetime, _dt.date)):
        ws.write_datetime(r, c, value, fmts.date)
    elif isinstance(value, _dt.time):
        ws.write_string(r, c, value.isoformat(), fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _shown_value(sheet: Sheet, r: int, c: int) -> object:
    """What a copied cell shows: its value; for a formula saved without its result (a script
    filled the workbook), the value perfxl computes for a plain sum, else the formula's text."""
    value = sheet.value(r, c)
    if (r, c) not in sheet.uncached:
        return value
    text = sheet.formula_text.get((r, c))
    if not text:
        return value
    from .sums import evaluate_sum

    total = evaluate_sum(text, sheet)
    return total if total is not None else f"={text}"


def copy_sheet(
    wb: Any,
    sheet: Sheet,
    name: str,
    fmts: Formats,
    *,
    header_row: int | None = None,
    col_formats: dict[int, Any] | None = None,
    default_format: Any = None,
    marks: dict[tuple[int, int], Any] | None = None,
) -> Any:
    """Copy a user's sheet at the same positions (values only; merges kept).

    *marks* gives the format of cells named by a finding (top-left cells of merged ranges),
    written even where the cell is empty.
    """
    col_formats = col_formats or {}
    marks = marks or {}
    body = default_format or fmts.text
    ws = wb.add_worksheet(name)
    merged_cells: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in sheet.merged:
        if (r0, c0) == (r1, c1):
            continue
        value = _shown_value(sheet, r0, c0)
        fmt = fmts.header if header_row is not None and r0 <= header_row else body
        fmt = marks.get((r0, c0), fmt)
        if isinstance(value, str):
            ws.merge_range(r0, c0, r1, c1, "", fmt)
            ws.write_string(r0, c0, value, fmt)
        else:
            ws.merge_range(r0, c0, r1, c1, "", fmt)
            _write_value(ws, r0, c0, value, fmt, fmts)
        for rr in range(r0, r1 + 1):
            for cc in range(c0, c1 + 1):
                merged_cells.add((rr, cc))
    for r, row in enumerate(sheet.rows):
        is_header = header_row is not None and r <= header_row
        for c, value in enumerate(row):
            if (r, c) in merged_cells:
                continue
            fmt = fmts.header if is_header else col_formats.get(c, body)
            if (r, c) in sheet.uncached:
                value = _shown_value(sheet, r, c)
            _write_value(ws, r, c, value, fmt, fmts)
    for (r, c), fmt in marks.items():
        if (r, c) in merged_cells:
            continue
        value = _shown_value(sheet, r, c)
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt)
        else:
            _write_value(ws, r, c, value, fmt, fmts)
    return ws


@dataclass
class _Cols:
    group: int
    weight: int
    target: int
    actual: int
    failures: int
    judge0: int
    judge_n: int
    computed: int
    expert: int
    final: int
    diff: int
    rate: int
    rule: int
    note: int

    @property
    def last(self) -> int:
        return self.expert


def _layout(ev: Evaluation, sheet: Sheet) -> _Cols:
    """perfxl's columns right of the user's table: the printed verdict first (最终得分 … 扣分说明), helpers after."""
    width = max(len(ev.table.headers), sheet.width)
    k = min(MAX_JUDGEMENT_COLS, max((len(i.facts.judgements or []) for i in ev.indicators), default=0))
    c = width
    return _Cols(
        final=c,
        diff=c + 1,
        rate=c + 2,
        note=c + 3,
        rule=c + 4,
        group=c + 5,
        weight=c + 6,
        target=c + 7,
        actual=c + 8,
        failures=c + 9,
        judge0=c + 10,
        judge_n=k,
        computed=c + 10 + k,
        expert=c + 11 + k,
    )


def _refs(ev: Evaluation, ind: IndicatorResult, r: int, cols: _Cols) -> Refs:
    t = ev.table
    n = len(ind.facts.judgements or [])
    declared_col = t.columns.get("score")
    declared_ok = declared_col is not None and isinstance(ind.row.values.get("score"), (int, float))
    return Refs(
        weight=a1(r, cols.weight),
        target=a1(r, cols.target),
        actual=a1(r, cols.actual),
        judgements=f"{a1(r, cols.judge0)}:{a1(r, cols.judge0 + n - 1)}" if 0 < n <= cols.judge_n else None,
        count=n,
        failures=a1(r, cols.failures),
        target_text=a1(r, t.columns["target"]) if "target" in t.columns else None,
        actual_text=a1(r, t.columns["actual"]) if "actual" in t.columns else None,
        declared=a1(r, declared_col) if declared_ok and declared_col is not None else None,
        rate_digits=ind.facts.rate_digits,
        actual_percent=bool(ind.actual and ind.actual.percent),
        texts_plain=all(
            isinstance(v, str) and v == normalize(v)
            for v in (ind.row.values.get("target"), ind.row.values.get("actual"))
        ),
    )


def _write_scores(
    wb: Any,
    ev: Evaluation,
    sheet: Sheet,
    fmts: Formats,
    marks: dict[tuple[int, int], _Mark],
    declared_refs: tuple[str | None, str | None],
) -> tuple[Any, _Cols]:
    """评分表: the user's table, perfxl's columns, the 复核结论 under it; *declared_refs* are the
    references of the declared total and grade (see :func:`_declared_refs`)."""
    t = ev.table
    short = ("seq", "weight", "target", "actual", "judgements", "failures", "score", "rate")
    centered = {t.columns[k]: fmts.center for k in short if k in t.columns}
    centered.update({c: fmts.center for _lab, c in t.expert_cols})
    mark_formats = {
        rc: (fmts.mark_center if rc[1] in centered else fmts.mark)[m.level] for rc, m in marks.items()
    }
    ws = copy_sheet(
        wb, sheet, OUT_SHEET, fmts, header_row=t.header_row, col_formats=centered, marks=mark_formats
    )
    cols = _layout(ev, sheet)
    h = t.header_row
    for c, label in _headers(cols).items():
        ws.write_string(h, c, label, fmts.calc_header)
    if h > 0:
        ws.merge_range(h - 1, cols.final, h - 1, cols.note, "perfxl 复核结果", fmts.calc_header)
        ws.merge_range(
            h - 1,
            cols.rule,
            h - 1,
            cols.last,
            "perfxl 计算过程（不打印；浅蓝色为计算列，可修改数值列复核）",
            fmts.calc_header,
        )
    for ind in ev.indicators:
        r = ind.row.row
        f = ind.facts
        group = ind.row.level1 or "（未分组）"
        if ind.role != "base":
            group = "加分项" if ind.role == "bonus" else "减分项"
        ws.write_string(r, cols.group, group, fmts.calc_text)
        if ind.weight is not None:
            ws.write_number(r, cols.weight, float(ind.weight), fmts.calc_num)
        tgt = effective_target(ind.rule, f)
        if tgt is not None:
            percent = bool(
                ind.rule.params.get("percent", True)
                if ind.rule.params.get("threshold") is not None
                else (ind.target.percent if ind.target else True)
            ) or ind.rule.kind in ("band", "tolerance")
            ws.write_number(r, cols.target, float(tgt), fmts.calc_pct if percent else fmts.calc_num)
        if ind.actual is not None:
            afmt = fmts.calc_pct if ind.actual.percent else fmts.calc_num
            link = ind.link
            if ind.actual_source == "rate" and link is not None and getattr(link, "formula", None):
                ws.write_formula(r, cols.actual, "=" + link.formula, afmt, float(ind.actual.value))
            else:
                ws.write_number(r, cols.actual, float(ind.actual.value), afmt)
        n = len(f.judgements or [])
        if f.judgements and n <= cols.judge_n:
            for i, ok in enumerate(f.judgements):
                ws.write_number(r, cols.judge0 + i, 1 if ok else 0, fmts.calc_int)
        if f.failures is not None:
            ws.write_number(r, cols.failures, f.failures, fmts.calc_int)
        elif f.judgements and 0 < n <= cols.judge_n:
            fails = sum(1 for j in f.judgements if not j)
            rng = f"{a1(r, cols.judge0)}:{a1(r, cols.judge0 + n - 1)}"
            ws.write_formula(r, cols.failures, f"=COUNTIF({rng},0)", fmts.calc_int, fails)
        refs = _refs(ev, ind, r, cols)
        lost = ind.lost > Decimal("0.005")
        num_fmt = fmts.lost_num if lost else fmts.calc_num
        if ind.computed is not None:
            fx = formula(ind.rule, refs, f) if (not f.judgements or n <= cols.judge_n) else None
            if fx:
                ws.write_formula(r, cols.computed, "=" + fx, fmts.calc_num, float(ind.computed))
            else:
                ws.write_number(r, cols.computed, float(ind.computed), fmts.calc_num)
        if ind.experts:
            ex_cells = [
                a1(r, c)
                for c, raw in ind.row.experts
                if raw not in ("", None) and isinstance(raw, (int, float))
            ]
            if ex_cells and len(ex_cells) == len(ind.experts) and ind.expert_score is not None:
                rng = ",".join(ex_cells)
                if ev.options.expert_trim and len(ex_cells) >= 5:
                    fx = f"=ROUND((SUM({rng})-MAX({rng})-MIN({rng}))/({len(ex_cells)}-2),2)"
                else:
                    fx = f"=ROUND(AVERAGE({rng}),2)"
                ws.write_formula(r, cols.expert, fx, fmts.calc_num, float(ind.expert_score))
            elif ind.expert_score is not None:
                ws.write_number(r, cols.expert, float(ind.expert_score), fmts.calc_num)
        comp, exp = a1(r, cols.computed), a1(r, cols.expert)
        if ind.final_source == "computed":
            ws.write_formula(r, cols.final, f"={comp}", num_fmt, float(ind.final))
        elif ind.final_source == "experts":
            ws.write_formula(r, cols.final, f"={exp}", num_fmt, float(ind.final))
        elif ind.final_source == "blend" and ev.options.expert_weight is not None:
            w = format(ev.options.expert_weight.normalize(), "f")
            ws.write_formula(r, cols.final, f"=ROUND({w}*{exp}+(1-{w})*{comp},2)", num_fmt, float(ind.final))
        else:
            ws.write_number(r, cols.final, float(ind.final), num_fmt)
        if ind.declared is not None:
            sc = t.columns.get("score")
            if sc is not None and isinstance(ind.row.values.get("score"), (int, float)):
                ws.write_formula(
                    r,
                    cols.diff,
                    f"=ROUND({a1(r, sc)}-{a1(r, cols.final)},2)",
                    fmts.calc_num,
                    float(ind.declared - ind.final),
                )
            else:
                ws.write_number(r, cols.diff, float(ind.declared - ind.final), fmts.calc_num)
        if ind.weight and ind.role == "base":  # a bonus or penalty has no rate
            rate = float(ind.final / abs(ind.weight))
            ws.write_formula(
                r,
                cols.rate,
                f'=IF({a1(r, cols.weight)}=0,"",{a1(r, cols.final)}/ABS({a1(r, cols.weight)}))',
                fmts.calc_pct,
                rate,
            )
        src = {"text": "评分标准", "override": "计分方法", "default": "默认规则", "none": "未识别"}[
            ind.rule.source
        ]
        ws.write_string(
            r, cols.rule, f"{KIND_LABELS[ind.rule.kind]}（{src}）：{ind.rule.explanation}", fmts.calc_text
        )
        ws.write_string(r, cols.note, ind.note, fmts.lost_text if lost else fmts.calc_text)
        name_cell = (r, t.columns["name"]) if "name" in t.columns else None
        if lost and name_cell and name_cell not in marks:
            _write_value(ws, r, name_cell[1], sheet.value(*name_cell), fmts.lost_text, fmts)
    _comment(ws, marks)
    top = max(len(sheet.rows), t.first_row) + 1
    verdict = _write_verdict(ws, ev, fmts, cols, top, *declared_refs)
    _write_total_rows(ws, ev, fmts, cols, verdict)
    _sheet_setup(ws, ev, cols, sheet, verdict)
    return ws, cols


def _headers(cols: _Cols) -> dict[int, str]:
    """The headers of perfxl's columns by column."""
    return {
        cols.group: "一级指标（归类）",
        cols.weight: "权重（数值）",
        cols.target: "目标值（数值）",
        cols.actual: "实际值（数值）",
        cols.failures: "不符合项数（数值）",
        **{cols.judge0 + i: f"要点{i + 1}" for i in range(cols.judge_n)},
        cols.computed: "计算得分",
        cols.expert: "专家评分",
        cols.final: "最终得分",
        cols.diff: "差异（申报−最终）",
        cols.rate: "最终得分率",
        cols.rule: "识别规则",
        cols.note: "扣分说明",
    }


_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # the most severe level first


@dataclass
class _Mark:
    """A cell named by findings: the most severe level and one comment line per finding."""

    level: str
    lines: list[str]


def _marks(ev: Evaluation, sheet_map: dict[str, str]) -> dict[str, dict[tuple[int, int], _Mark]]:
    """Cells named by findings, per output sheet (a finding on a sheet that is not copied names none)."""
    out: dict[str, dict[tuple[int, int], _Mark]] = {}
    for f in ev.findings:
        target = sheet_map.get(f.sheet)
        rc = _parse_a1(f.cell) if target else None
        if target is None or rc is None:
            continue
        mark = out.setdefault(target, {}).setdefault(rc, _Mark(f.severity, []))
        mark.level = min(mark.level, f.severity, key=_RANK.__getitem__)
        mark.lines.append(f"[{SEVERITY_LABELS[f.severity]}] {code_name(f.code)}：{f.message}")
    return out


def _anchored(marks: dict[tuple[int, int], _Mark], sheet: Sheet) -> dict[tuple[int, int], _Mark]:
    """Marks of cells inside a merged range moved to its top-left cell, the one Excel shows."""
    out: dict[tuple[int, int], _Mark] = {}
    for (r, c), mark in marks.items():
        for (r0, c0), (r1, c1) in sheet.merged:
            if r0 <= r <= r1 and c0 <= c <= c1:
                r, c = r0, c0
                break
        if (r, c) in out:
            kept = out[(r, c)]
            out[(r, c)] = _Mark(min(kept.level, mark.level, key=_RANK.__getitem__), kept.lines + mark.lines)
        else:
            out[(r, c)] = mark
    return out


def _comment(ws: Any, marks: dict[tuple[int, int], _Mark]) -> None:
    for (r, c), mark in marks.items():
        ws.write_comment(r, c, "\n".join(mark.lines), {"author": "perfxl", "x_scale": 2.5, "y_scale": 2})


_A1_RE = re.compile(r"\$?([A-Z]{1,3})\$?([1-9][0-9]*)(?::|$)")


def _parse_a1(text: str) -> tuple[int, int] | None:
    """(row, col) of an A1 name, or of the first cell of a range such as C23:C34; None otherwise."""
    m = _A1_RE.match(text)
    if m is None:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)) - 1, col - 1


@dataclass
class _Verdict:
    """Cells of the 复核结论 under the table that the 合计 rows and the page header repeat."""

    total: str  # A1 of the recomputed total
    weight: str  # A1 of the weight total
    declared: DeclaredTotal | None
    declared_ref: str | None  # a reference to the declared total as a number, when a cell holds it
    declared_grade: str
    last_row: int


def _declared_refs(ev: Evaluation, book: Book, sheet_map: dict[str, str]) -> tuple[str | None, str | None]:
    """Formula references to the declared total and to 项目信息's 等级 in the output workbook, each
    None unless its cell holds the value as Excel sees it (the total a number, the grade its text)."""
    found = ev.declared_total()
    total_pos = found.pos if found else None
    grade_pos = ev.info.cells.get("declared_grade") if ev.info.get("declared_grade") else None
    total = _ref(
        book, sheet_map, total_pos, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    )
    grade = _ref(book, sheet_map, grade_pos, lambda v: v == ev.declared_grade())
    return total, grade


def _ref(book: Book, sheet_map: dict[str, str], pos: Any, holds: Any) -> str | None:
    """A reference to the output's copy of the user's cell *pos* when its value ``holds``."""
    if pos is None or pos.sheet not in sheet_map or not holds(book.sheet(pos.sheet).value(pos.row, pos.col)):
        return None
    out = sheet_map[pos.sheet]
    return a1(pos.row, pos.col) if out == OUT_SHEET else sheet_ref(out, pos.row, pos.col)


def _runs(rows: list[int], col: int) -> str:
    """A1 ranges of column *col* over *rows* (0-based), contiguous rows as one range: "M3:M20,M22"."""
    parts: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if parts and parts[-1][1] == r - 1:
            parts[-1] = (parts[-1][0], r)
        else:
            parts.append((r, r))
    return ",".join(a1(lo, col) if lo == hi else f"{a1(lo, col)}:{a1(hi, col)}" for lo, hi in parts)


def _grade_formula(ev: Evaluation, cell: str) -> str:
    """The grade of the score in *cell* by the evaluation's 评级标准, as nested IFs (no leading "=")."""
    fx = f'"{ev.lowest_label}"'
    for band in reversed(ev.bands):
        op = ">" if band.strict else ">="
        fx = f'IF({cell}{op}{fmt_num(band.threshold)},"{band.label}",{fx})'
    return fx


def _bands_text(ev: Evaluation) -> str:
    """The evaluation's 评级标准 as the reader wrote it: 优≥90，良≥80，中≥60，其余为差."""
    return "，".join(b.text for b in ev.bands) + f"，其余为{ev.lowest_label}"


@dataclass
class _Line:
    """One line of the 复核结论: a label, a formula (None: the value as written) and its value, a note."""

    label: str
    formula: str | None
    value: float | str
    fmt: Any
    note: str = ""


def _write_verdict(
    ws: Any,
    ev: Evaluation,
    fmts: Formats,
    cols: _Cols,
    top: int,
    declared_ref: str | None,
    grade_ref: str | None,
) -> _Verdict:
    """复核结论 right under the table: declared and recomputed totals, their difference, the weight
    total, both grades (formulas) and the colour legend, in the printed columns."""
    cell = lambda row: a1(row, cols.final)  # noqa: E731
    declared_cell, total_cell, weight_cell = cell(top), cell(top + 1), cell(top + 3)
    rows_all = [i.row.row for i in ev.indicators]
    rows_base = [i.row.row for i in ev.indicators if i.role == "base"]
    exec_score, exec_weight, exec_points = _exec_terms(ev)
    sum_all = f"SUM({_runs(rows_all, cols.final)})" if rows_all else "0"
    sum_weight = f"SUM({_runs(rows_base, cols.weight)})" if rows_base else "0"
    declared = ev.declared_total()
    declared_line, grade_line = _declared_lines(ev, fmts, declared_cell, declared_ref, grade_ref)
    with_bonus = "（含加减分）" if len(rows_base) < len(rows_all) else ""
    lines = [
        declared_line,
        _Line(
            "复核总分（perfxl）",
            f"=ROUND(MIN(100,MAX(0,{sum_all}{exec_score})),2)",
            float(ev.total),
            fmts.verdict_num,
            f"各指标最终得分之和{with_bonus}，限 0–100 分",
        ),
        _Line(
            "差异（申报−复核）",
            f'=IF(ISNUMBER({declared_cell}),ROUND({declared_cell}-{total_cell},2),"")',
            float(declared.value - ev.total) if declared is not None else "",
            fmts.verdict_num,
        ),
        _Line(
            "权重合计（不含加减分）",
            f"={sum_weight}{exec_weight}",
            float(ev.weight_total + exec_points),
            fmts.verdict_num,
        ),
        grade_line,
        _Line("复核等级", "=" + _grade_formula(ev, total_cell), ev.grade, fmts.verdict_text, _bands_text(ev)),
    ]
    for r, line in enumerate(lines, start=top):
        _write_line(ws, r, cols, line, fmts)
    r = top + len(lines)
    _label(ws, r, cols, "颜色说明（浅蓝色底为 perfxl 计算列；有批注的单元格按审核意见的级别着色）", fmts)
    ws.write_string(r, cols.final, "失分", fmts.legend_lost)
    for c, level in zip((cols.diff, cols.rate, cols.note), SEVERITIES, strict=True):
        ws.write_string(r, c, SEVERITY_LABELS[level], fmts.sev[level])
    return _Verdict(total_cell, weight_cell, declared, declared_ref, ev.declared_grade(), r)


def _exec_terms(ev: Evaluation) -> tuple[str, str, Decimal]:
    """A self-evaluation's 预算执行率 in the totals: the score and weight terms ("+…") and its points."""
    ex = ev.execution
    if ex is None or ex.score is None:
        return "", "", Decimal(0)
    fx = ex.formulas(lambda v: a1(v.row, v.col))
    score = f"+ROUND({fx[1]},2)" if fx else f"+{fmt_num(round_half_up(ex.score, 2))}"
    weight = f"+{a1(ex.weight.row, ex.weight.col)}" if ex.weight is not None else ""
    return score, weight, Decimal(getattr(ex.weight, "value", None) or 0)


def _declared_lines(
    ev: Evaluation, fmts: Formats, declared_cell: str, declared_ref: str | None, grade_ref: str | None
) -> tuple[_Line, _Line]:
    """申报总分 (a reference to the cell it was read from, when one holds it) and 申报等级 (项目信息's,
    else the grade of the declared total by the 评级标准)."""
    declared, grade = ev.declared_total(), ev.declared_grade()
    if declared is None:
        total = _Line("申报总分", None, "—", fmts.verdict_num, _source(None))
    else:
        ref = f"={declared_ref}" if declared_ref else None
        total = _Line("申报总分", ref, float(declared.value), fmts.verdict_num, _source(declared))
    if ev.info.get("declared_grade"):
        ref = f"={grade_ref}" if grade_ref else None
        return total, _Line("申报等级", ref, grade, fmts.verdict_text, "取自项目信息")
    if declared is not None:
        fx = "=" + _grade_formula(ev, declared_cell)
        return total, _Line("申报等级", fx, grade, fmts.verdict_text, "按评级标准由申报总分得出")
    return total, _Line("申报等级", None, "—", fmts.verdict_text)


def _write_line(ws: Any, r: int, cols: _Cols, line: _Line, fmts: Formats) -> None:
    _label(ws, r, cols, line.label, fmts)
    ws.merge_range(r, cols.final, r, cols.rate, "", line.fmt)
    if line.formula is not None:
        ws.write_formula(r, cols.final, line.formula, line.fmt, line.value)
    elif isinstance(line.value, float):
        ws.write_number(r, cols.final, line.value, line.fmt)
    else:
        ws.write_string(r, cols.final, line.value, line.fmt)
    ws.write_string(r, cols.note, line.note, fmts.text)
    lines = wrapped_lines(line.note, NOTE_WIDTH)
    if lines > 1:
        ws.set_row(r, row_height(lines))


def _source(declared: DeclaredTotal | None) -> str:
    if declared is None:
        return "未申报总分"
    where = f" {declared.pos.a1}" if declared.pos is not None else ""
    return f"取自{declared.source}{where}" if where else declared.source


def _label(ws: Any, r: int, cols: _Cols, text: str, fmts: Formats) -> None:
    """A label just left of the verdict's values, right-aligned: it runs left over the empty cells."""
    ws.write_string(r, cols.final - 1, text, fmts.verdict_label)


def _write_total_rows(ws: Any, ev: Evaluation, fmts: Formats, cols: _Cols, verdict: _Verdict) -> None:
    """The table's 合计/总分 rows show the recomputed total, its difference from the declared one and the rate."""
    t = ev.table
    weight_total = ev.weight_total + Decimal(
        getattr(getattr(ev.execution, "weight", None), "value", None) or 0
    )
    for tot in t.totals:
        if tot.label == "小计":
            continue
        r = tot.row
        ws.write_formula(r, cols.final, f"={verdict.total}", fmts.bold_num, float(ev.total))
        declared_here = verdict.declared is not None and verdict.declared.pos == t.pos(r, "score")
        if declared_here and verdict.declared_ref is not None and verdict.declared is not None:
            ws.write_formula(
                r,
                cols.diff,
                f"=ROUND({verdict.declared_ref}-{a1(r, cols.final)},2)",
                fmts.bold_num,
                float(verdict.declared.value - ev.total),
            )
        ws.write_formula(
            r,
            cols.rate,
            f'=IF({verdict.weight}=0,"",{a1(r, cols.final)}/{verdict.weight})',
            fmts.bold_pct,
            float(ev.total / weight_total) if weight_total else "",
        )
        ws.write_string(r, cols.note, "复核总分，等级见表下“复核结论”", fmts.calc_text)


def _sheet_setup(ws: Any, ev: Evaluation, cols: _Cols, sheet: Sheet, verdict: _Verdict) -> None:
    table = ev.table
    header_row, name_col = table.header_row, table.columns.get("name", 0)
    ws.freeze_panes(header_row + 1, name_col + 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.5)
    ws.set_header(_page_header(ev, verdict))
    ws.set_footer("&C第 &P 页，共 &N 页")
    widths = _column_widths(table, sheet)
    widths.update({cols.final: 8.0, cols.rate: 8.0, cols.note: NOTE_WIDTH, cols.diff: 8.0, cols.rule: 30.0})
    for c in range(cols.group, cols.expert + 1):
        widths.setdefault(c, 9.0)
    for c in range(cols.judge0, cols.judge0 + cols.judge_n):
        widths[c] = 5.0
    for c, w in widths.items():
        ws.set_column(c, c, w)
    # print the user's table, the verdict columns and the 复核结论; the helper columns stay on screen only
    ws.print_area(0, 0, verdict.last_row, cols.note)
    _fit_rows(ws, ev, cols, sheet, widths)


def _fit_rows(ws: Any, ev: Evaluation, cols: _Cols, sheet: Sheet, widths: dict[int, float]) -> None:
    """Rows as tall as their wrapped texts (titles above the table, headers, indicators and the
    扣分说明 beside them): rows do not grow by themselves in print, so text would be cut or overprint.
    A text merged across columns wraps in their joint width; one merged down several rows does not
    make its first row grow."""
    joint: dict[tuple[int, int], float] = {}
    tall: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in sheet.merged:
        if r1 > r0:
            tall.add((r0, c0))
        else:
            joint[(r0, c0)] = sum(widths.get(c, 8.43) for c in range(c0, c1 + 1))
    notes = {i.row.row: i.note for i in ev.indicators}
    for r, row in enumerate(sheet.rows):
        texts = [
            (v, joint.get((r, c), widths.get(c, 8.43)))
            for c, v in enumerate(row)
            if type(v) is str and v and (r, c) not in tall
        ]
        if r == ev.table.header_row:
            texts += [(label, widths[c]) for c, label in _headers(cols).items()]
        if r in notes:
            texts.append((notes[r], widths[cols.note]))
        lines = max((wrapped_lines(v, w) for v, w in texts), default=1)
        if lines > 1:
            ws.set_row(r, row_height(lines))


def _page_header(ev: Evaluation, verdict: _Verdict) -> str:
    """The printed page header: the title, and the verdict as written (the sheet's formulas stay live)."""
    declared = verdict.declared
    said = f"申报 {fmt_num(declared.value)}" if declared else "未申报总分"
    if verdict.declared_grade:
        said += f"（{verdict.declared_grade}）"
    right = f"perfxl 复核总分 {fmt_num(ev.total)}（{ev.grade}），{said}"
    title = ev.title if len(ev.title) <= 60 else ev.title[:59] + "…"
    return f"&L{title.replace('&', '&&')}&R{right}"


def _fit_copy(ws: Any, sheet: Sheet) -> None:
    """Column widths from content for a copied sheet, and a printable page."""
    widths: dict[int, float] = {}
    # column by column, each distinct text once: answers and labels repeat thousands of times
    for c, column in enumerate(zip_longest(*sheet.rows[:2000], fillvalue="")):
        texts = {v for v in column if type(v) is str}
        best = max((text_width(v) for v in texts if v), default=0.0)
        for v in column:
            if type(v) is not str and v is not None:
                best = max(best, text_width(str(v) if not isinstance(v, float) else f"{v:g}"))
        if best:
            widths[c] = max(6.0, min(best + 1.5, 50.0))
    for c, w in widths.items():
        ws.set_column(c, c, w)
    ws.set_paper(9)
    if sum(widths.values()) > 100:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)


_WIDTHS = {
    "seq": 5.0,
    "level1": 10.0,
    "level2": 10.0,
    "name": 16.0,
    "weight": 6.0,
    "explanation": 20.0,
    "basis": 16.0,
    "target": 9.0,
    "actual": 9.0,
    "rule": 30.0,
    "method": 12.0,
    "judgements": 8.0,
    "failures": 6.0,
    "process": 30.0,
    "score": 7.0,
    "rate": 7.0,
    "deviation": 20.0,
}


def _column_widths(table: Any, sheet: Sheet) -> dict[int, float]:
    widths: dict[int, float] = {}
    for key, col in table.columns.items():
        widths[col] = _WIDTHS.get(key, 10.0)
    for _label, col in table.expert_cols:
        widths[col] = 6.0
    for col in range(sheet.width):
        widths.setdefault(col, 10.0)
    return widths


def _write_summary(wb: Any, ws: Any, ev: Evaluation, fmts: Formats, cols: _Cols) -> None:
    ws.set_column(0, 0, 22)
    ws.set_column(1, 3, 12)
    ws.merge_range(0, 0, 0, 3, f"{ev.title} 评价得分汇总", fmts.title)
    info = [
        ("名称", ev.title),
        ("单位", ev.unit),
        ("年度", ev.year),
        (
            "评价类型",
            {
                "project": "项目支出绩效评价",
                "department": "部门整体支出绩效评价",
                "self-project": "项目支出绩效自评",
                "self-department": "部门整体支出绩效自评",
            }[ev.kind]
            + ("（按表结构推断）" if ev.kind_inferred else ""),
        ),
        ("评级标准", _bands_text(ev)),
    ]
    r = 1
    for k, v in info:
        ws.write_string(r, 0, k, fmts.bold)
        ws.merge_range(r, 1, r, 3, "", fmts.text)
        ws.write_string(r, 1, str(v or ""), fmts.text)
        r += 1
    r += 1
    ws.write_row(r, 0, ["指标类型", "分值", "评价得分", "得分率"], fmts.header)
    first = r + 1
    src = f"'{OUT_SHEET}'"
    gcol, wcol, fcol = col_letter(cols.group), col_letter(cols.weight), col_letter(cols.final)
    lo, hi = ev.table.first_row + 1, max((i.row.row for i in ev.indicators), default=ev.table.first_row) + 1
    rng = lambda c: f"{src}!${c}${lo}:${c}${hi}"  # noqa: E731
    base_groups = [g for g in ev.groups if g.role == "base"]
    for g in base_groups:
        r += 1
        ws.write_string(r, 0, g.name, fmts.text)
        crit = exact_criterion(g.name)
        ws.write_formula(r, 1, f"=SUMIF({rng(gcol)},{crit},{rng(wcol)})", fmts.num, float(g.weight))
        ws.write_formula(r, 2, f"=SUMIF({rng(gcol)},{crit},{rng(fcol)})", fmts.num, float(g.score))
        ws.write_formula(
            r,
            3,
            f'=IF(B{r + 1}=0,"",C{r + 1}/B{r + 1})',
            fmts.pct,
            float(g.score / g.weight) if g.weight else "",
        )
    last = r
    extra = [g for g in ev.groups if g.role != "base"]
    for g in extra:
        r += 1
        ws.write_string(r, 0, g.name, fmts.text)
        crit = exact_criterion(g.name)
        ws.write_formula(r, 2, f"=SUMIF({rng(gcol)},{crit},{rng(fcol)})", fmts.num, float(g.score))
    execution_row = None
    ex = ev.execution
    exec_points = float(getattr(getattr(ex, "weight", None), "value", None) or 0)
    if ex is not None and ex.score is not None:
        r += 1
        execution_row = r
        ws.write_string(r, 0, "预算执行率", fmts.text)
        ref = lambda v: f"{src}!{a1(v.row, v.col)}"  # noqa: E731
        fx = ex.formulas(ref)
        ws.write_formula(r, 1, f"={ref(ex.weight)}", fmts.num, exec_points)
        score = float(round_half_up(ex.score, 2))
        if fx:
            ws.write_formula(r, 2, f"=ROUND({fx[1]},2)", fmts.num, score)
        else:
            ws.write_number(r, 2, score, fmts.num)
        ws.write_formula(
            r,
            3,
            f'=IF(B{r + 1}=0,"",C{r + 1}/B{r + 1})',
            fmts.pct,
            score / exec_points if exec_points else "",
        )
    r += 1
    total_row = r
    ws.write_string(r, 0, "合计", fmts.bold)
    weight_total = float(ev.weight_total) + (exec_points if execution_row else 0)
    ws.write_formula(
        r,
        1,
        f"=SUM(B{first + 1}:B{last + 1}){f'+B{execution_row + 1}' if execution_row else ''}",
        fmts.bold_num,
        weight_total,
    )
    ws.write_formula(
        r, 2, f"=ROUND(MIN(100,MAX(0,SUM(C{first + 1}:C{r}))),2)", fmts.bold_num, float(ev.total)
    )
    ws.write_formula(
        r,
        3,
        f'=IF(B{r + 1}=0,"",C{r + 1}/B{r + 1})',
        fmts.bold_pct,
        float(ev.total) / weight_total if weight_total else "",
    )
    r += 1
    ws.write_string(r, 0, "评价等级", fmts.bold)
    ws.write_formula(r, 2, "=" + _grade_formula(ev, f"C{total_row + 1}"), fmts.bold, ev.grade)
    r += 2
    counts = {s: sum(1 for f in ev.findings if f.severity == s) for s in ("error", "warning", "info")}
    ws.write_string(r, 0, "审核意见", fmts.bold)
    ws.merge_range(
        r, 1, r, 3, f"错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}", fmts.text
    )
    r += 1
    deducted = sum(1 for i in ev.indicators if i.lost > Decimal("0.005"))
    ws.write_string(r, 0, "扣分指标数", fmts.bold)
    ws.write_number(r, 1, deducted, fmts.int)
    r += 1
    ws.write_string(r, 0, "生成", fmts.bold)
    ws.merge_range(r, 1, r, 3, f"perfxl {__version__}", fmts.text)
    if base_groups:
        chart = wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "得分率",
                "categories": ["汇总", first, 0, last, 0],
                "values": ["汇总", first, 3, last, 3],
                "data_labels": {"value": True, "num_format": "0.0%"},
                "fill": {"color": "#5B9BD5"},
            }
        )
        chart.set_title({"name": "各一级指标得分率"})
        chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        ws.insert_chart(1, 5, chart, {"x_scale": 1.2, "y_scale": 1.1})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)


def _write_findings(ws: Any, ev: Evaluation, fmts: Formats, sheet_map: dict[str, str]) -> None:
    """审核意见: one row per finding, the level coloured as in 评分表, the location named as the
    sheet is named in this workbook (a link), the code's Chinese name, and the code itself."""
    ws.write_row(0, 0, ["序号", "级别", "问题", "位置", "说明", "代码"], fmts.header)
    for c, width in enumerate((5, 6, 20, 15, 80, 18)):
        ws.set_column(c, c, width)
    for i, f in enumerate(ev.findings, start=1):
        ws.write_number(i, 0, i, fmts.int)
        ws.write_string(
            i, 1, SEVERITY_LABELS.get(f.severity, f.severity), fmts.sev.get(f.severity, fmts.text)
        )
        ws.write_string(i, 2, code_name(f.code), fmts.text)
        target = sheet_map.get(f.sheet)
        shown = (target or f.sheet) + (f"!{f.cell}" if f.cell else "")
        if target and f.cell:
            quoted = "'" + target.replace("'", "''") + "'"
            ws.write_url(i, 3, f"internal:{quoted}!{f.cell}", fmts.link, shown)
        elif f.sheet and not target:
            ws.write_string(i, 3, f"{shown}（原工作簿）", fmts.text)
        else:
            ws.write_string(i, 3, shown, fmts.text)
        ws.write_string(i, 4, f.message, fmts.text)
        ws.write_string(i, 5, f.code, fmts.small)
        lines = max(wrapped_lines(f.message, 80.0), wrapped_lines(code_name(f.code), 20.0))
        if lines > 1:
            ws.set_row(i, row_height(lines))
    if not ev.findings:
        ws.write_string(1, 4, "未发现问题", fmts.text)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, len(ev.findings)), 5)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_footer("&C审核意见 第 &P 页，共 &N 页")


def exact_criterion(text: str) -> str:
    """A SUMIF/COUNTIF criterion literal matching exactly ``text`` (user text: a group name).

    Quotes are doubled (a bare one breaks the formula), wildcards are escaped with ~ and a
    leading "=" makes text such as "=HYPERLINK(…)" or ">5" a value, not an operator.
    """
    escaped = text.replace("~", "~~").replace("*", "~*").replace("?", "~?").replace('"', '""')
    return f'"={escaped}"'


def _safe_name(name: str, used: set[str]) -> str:
    bad = "[]:*?/\\"
    clean = "".join("_" if ch in bad else ch for ch in name)[:31] or "Sheet"
    base, i = clean, 2
    while clean.lower() in {u.lower() for u in used}:
        suffix = f"({i})"
        clean = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(clean)
    return clean


def _copies(ev: Evaluation, book: Book) -> list[tuple[str, str]]:
    """(input name, output name) of the user's sheets copied after 审核意见, in the input's order.

    项目信息, 基础表 and questionnaire sheets are copied so formulas and links resolve; raw
    responses (问卷明细) stay in the input: 问卷分析 carries their counts, and copying hundreds of
    rows into every output would double the cost of a batch.
    """
    from .base import base_sheet_names
    from .survey_read import is_raw_sheet

    base_names = set(base_sheet_names(book.sheet_names))
    used = {OUT_SHEET, "汇总", "审核意见"} | ({"问卷分析"} if ev.surveys else set())
    out = []
    for name in book.sheet_names:
        if name == ev.table.sheet or is_raw_sheet(name):
            continue
        if not (name.startswith(("项目信息", "问卷")) or name == ev.info.sheet or name in base_names):
            continue
        out_name = name if name not in used else _safe_name(name, used)
        used.add(out_name)
        out.append((name, out_name))
    return out


def build_workbook(path: Path, ev: Evaluation, book: Book) -> None:
    """Write the annotated workbook to ``path`` (which must not exist yet or will be replaced).

    Sheets are added in their final order: print titles, print areas and filters are tied to a
    sheet's position when it is added.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), _xlsx_options())
    wb.worksheet_class = worksheet_class()
    fmts = Formats(wb)
    copies = _copies(ev, book)
    sheet_map = {ev.table.sheet: OUT_SHEET, **dict(copies)}
    marks = _marks(ev, sheet_map)
    sheet = book.sheet(ev.table.sheet)
    refs = _declared_refs(ev, book, sheet_map)
    ws_scores, cols = _write_scores(wb, ev, sheet, fmts, _anchored(marks.get(OUT_SHEET, {}), sheet), refs)
    _write_summary(wb, wb.add_worksheet("汇总"), ev, fmts, cols)
    _write_findings(wb.add_worksheet("审核意见"), ev, fmts, sheet_map)
    for name, out_name in copies:
        src_sheet = book.sheet(name)
        sheet_marks = _anchored(marks.get(out_name, {}), src_sheet)
        copy = copy_sheet(
            wb,
            src_sheet,
            out_name,
            fmts,
            default_format=fmts.cell,
            marks={rc: fmts.mark_plain[m.level] for rc, m in sheet_marks.items()},
        )
        _comment(copy, sheet_marks)
        _fit_copy(copy, src_sheet)
    if ev.surveys:
        from .survey_write import write_survey_sheet

        write_survey_sheet(wb, ev.surveys)
    ws_scores.activate()
    wb.set_properties(
        {
            "title": f"{ev.title} 绩效评价评分表（perfxl 复核）",
            "subject": "预算绩效评价评分复核",
            "author": "perfxl",
            "company": ev.info.get("evaluator") or "",
            "comments": f"由 perfxl {__version__} 根据 {Path(ev.file).name} 生成；总分 {fmt_num(ev.total)}，等级 {ev.grade}",
            "keywords": "预算绩效评价, 评分表, perfxl",
            "created": _dt.datetime(2000, 1, 1),
        }
    )
    wb.close()


def write_output(out: str | os.PathLike[str], ev: Evaluation, book: Book) -> Path:
    """Write the annotated workbook atomically: a temporary file in the target folder, then rename."""
    return _atomic(out, book, lambda tmp: build_workbook(tmp, ev, book))


def build_survey_workbook(path: Path, results: Any, book: Book) -> None:
    """问卷分析 plus copies of the questionnaire sheets (for ``perfxl survey -o``)."""
    import xlsxwriter

    from .survey_write import write_survey_sheet

    wb = xlsxwriter.Workbook(str(path), _xlsx_options())
    fmts = Formats(wb)
    write_survey_sheet(wb, results)
    used = {"问卷分析"}
    for name in book.sheet_names:
        if name.startswith("问卷") and name not in used:
            used.add(name)
            src = book.sheet(name)
            _fit_copy(copy_sheet(wb, src, name, fmts, default_format=fmts.cell), src)
    wb.set_properties(
        {"title": "问卷分析（perfxl）", "author": "perfxl", "created": _dt.datetime(2000, 1, 1)}
    )
    wb.close()


def write_survey_output(out: str | os.PathLike[str], results: Any, book: Book) -> Path:
    return _atomic(out, book, lambda tmp: build_survey_workbook(tmp, results, book))


def _atomic(out: str | os.PathLike[str], book: Book, build: Any) -> Path:
    target = Path(out)
    if target.resolve() == Path(book.path).resolve():
        raise PerfxlError("输出文件不能与输入文件相同（perfxl 从不修改输入文件）", file=str(out))
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise PerfxlError("输出路径是一个文件夹，请指定 .xlsx 文件名", file=str(out))
    if not folder.exists():
        raise PerfxlError("输出目录不存在", file=str(out))
    if not folder.is_dir():
        raise PerfxlError("输出目录不是文件夹（路径中有同名的文件）", file=str(out))
    if not os.access(folder, os.W_OK):
        raise PerfxlError("输出目录不可写（没有写入权限）", file=str(out))
    try:  # root passes os.access everywhere; /sys, /proc or a read-only mount still refuse
        tmp = files.new_temp(folder, suffix=".xlsx.tmp")
    except OSError as exc:
        raise PerfxlError(f"输出目录不可写（{files.reason(exc)}）", file=str(out)) from exc
    try:
        build(tmp)
        files.commit(tmp, target)
    except PermissionError as exc:
        files.discard(tmp)
        raise PerfxlError("无法写入输出文件（可能正被 WPS/Excel 打开）", file=str(out)) from exc
    except OSError as exc:  # disk full, read-only file system, …
        files.discard(tmp)
        raise PerfxlError(f"无法写入输出文件（{files.reason(exc)}）", file=str(out)) from exc
    except BaseException:
        files.discard(tmp)
        raise
    return target


__all__ = ["Formats", "build_workbook", "copy_sheet", "write_output"]
