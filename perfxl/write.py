"""Write the annotated workbook (docs/architecture.md, output workbook) with xlsxwriter.

Sheets: 评分表 (the user's table at the same cell positions, plus perfxl's
columns with live formulas and cached values), 汇总 (groups with SUMIF, total,
grade, chart), 审核意见 (findings linked to their cells), and copies of
项目信息 / 基础表 / 问卷 sheets so every reference resolves.

Text from inputs is always written with ``write_string``; only perfxl's own
formulas go through ``write_formula``.  The file is written to a temporary file
in the target folder and renamed, so a failure never leaves a partial output.
"""

from __future__ import annotations

import datetime as _dt
import math
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
from .cells import a1, col_letter
from .errors import SEVERITY_LABELS, PerfxlError
from .evaluate import Evaluation, IndicatorResult
from .numbers import fmt_num, normalize, round_half_up
from .rules import KIND_LABELS, Refs, effective_target, formula

OUT_SHEET = "评分表"
MAX_JUDGEMENT_COLS = 12


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
            {**border, "num_format": "0.00", "bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True}
        )
        self.lost_text = wb.add_format(
            {**border, "text_wrap": True, "bg_color": "#FFC7CE", "font_color": "#9C0006"}
        )
        self.finding_text = wb.add_format({**border, "text_wrap": True, "bg_color": "#FFEB9C"})
        self.finding_num = wb.add_format({**border, "num_format": "General", "bg_color": "#FFEB9C"})
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.bold = wb.add_format({**border, "bold": True})
        self.bold_num = wb.add_format({**border, "bold": True, "num_format": "0.00"})
        self.bold_pct = wb.add_format({**border, "bold": True, "num_format": "0.00%"})
        self.link = wb.add_format({**border, "font_color": "#0563C1", "underline": 1})
        self.sev = {
            "error": wb.add_format(
                {**border, "bg_color": "#FFC7CE", "font_color": "#9C0006", "align": "center"}
            ),
            "warning": wb.add_format(
                {**border, "bg_color": "#FFEB9C", "font_color": "#9C5700", "align": "center"}
            ),
            "info": wb.add_format({**border, "bg_color": "#DDEBF7", "align": "center"}),
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


def copy_sheet(
    wb: Any,
    sheet: Sheet,
    name: str,
    fmts: Formats,
    *,
    header_row: int | None = None,
    col_formats: dict[int, Any] | None = None,
    default_format: Any = None,
) -> Any:
    """Copy a user's sheet at the same positions (values only; merges kept)."""
    col_formats = col_formats or {}
    body = default_format or fmts.text
    ws = wb.add_worksheet(name)
    merged_cells: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in sheet.merged:
        if (r0, c0) == (r1, c1):
            continue
        value = sheet.value(r0, c0)
        fmt = fmts.header if header_row is not None and r0 <= header_row else body
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
    """perfxl's columns right of the user's table: what a reader prints first, helpers after."""
    width = max(len(ev.table.headers), sheet.width)
    k = min(MAX_JUDGEMENT_COLS, max((len(i.facts.judgements or []) for i in ev.indicators), default=0))
    c = width
    return _Cols(
        final=c,
        rate=c + 1,
        note=c + 2,
        diff=c + 3,
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


def _write_scores(wb: Any, ev: Evaluation, sheet: Sheet, fmts: Formats) -> tuple[Any, _Cols, dict[int, int]]:
    t = ev.table
    short = ("seq", "weight", "target", "actual", "judgements", "failures", "score", "rate")
    centered = {t.columns[k]: fmts.center for k in short if k in t.columns}
    centered.update({c: fmts.center for _lab, c in t.expert_cols})
    ws = copy_sheet(wb, sheet, OUT_SHEET, fmts, header_row=t.header_row, col_formats=centered)
    cols = _layout(ev, sheet)
    h = t.header_row
    headers = [
        (cols.group, "一级指标（归类）"),
        (cols.weight, "权重（数值）"),
        (cols.target, "目标值（数值）"),
        (cols.actual, "实际值（数值）"),
        (cols.failures, "不符合项数（数值）"),
        *[(cols.judge0 + i, f"要点{i + 1}") for i in range(cols.judge_n)],
        (cols.computed, "计算得分"),
        (cols.expert, "专家评分"),
        (cols.final, "最终得分"),
        (cols.diff, "差异（申报−最终）"),
        (cols.rate, "最终得分率"),
        (cols.rule, "识别规则"),
        (cols.note, "扣分说明"),
    ]
    for c, label in headers:
        ws.write_string(h, c, label, fmts.calc_header)
    if h > 0:
        ws.merge_range(
            h - 1,
            cols.group,
            h - 1,
            cols.last,
            "perfxl 计算（浅蓝色为计算列，可修改数值列复核）",
            fmts.calc_header,
        )
    finding_cells = _finding_cells(ev)
    row_of: dict[int, int] = {}
    for ind in ev.indicators:
        r = ind.row.row
        row_of[id(ind)] = r
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
        if ind.weight:
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
        if lost and "name" in t.columns:
            name_val = sheet.value(r, t.columns["name"])
            _write_value(ws, r, t.columns["name"], name_val, fmts.lost_text, fmts)
    # findings: mark cells and comment them
    merged = _merged_cells(sheet)
    for (r, c), msgs in finding_cells.items():
        if c >= len(sheet.rows[r]) if r < len(sheet.rows) else True:
            val: object = ""
        else:
            val = sheet.value(r, c)
        if (r, c) not in merged:
            _write_value(
                ws, r, c, val, fmts.finding_num if isinstance(val, (int, float)) else fmts.finding_text, fmts
            )
        ws.write_comment(r, c, "\n".join(msgs), {"author": "perfxl", "x_scale": 2.5, "y_scale": 2})
    _sheet_setup(ws, t, cols, sheet, {i.row.row: i.note for i in ev.indicators})
    return ws, cols, row_of


def _merged_cells(sheet: Sheet) -> set[tuple[int, int]]:
    out = set()
    for (r0, c0), (r1, c1) in sheet.merged:
        for rr in range(r0, r1 + 1):
            for cc in range(c0, c1 + 1):
                out.add((rr, cc))
    return out


def _finding_cells(ev: Evaluation) -> dict[tuple[int, int], list[str]]:
    out: dict[tuple[int, int], list[str]] = {}
    for f in ev.findings:
        if f.sheet != ev.table.sheet or not f.cell:
            continue
        rc = _parse_a1(f.cell)
        if rc:
            out.setdefault(rc, []).append(f"[{SEVERITY_LABELS[f.severity]}] {f.message}")
    return out


def _parse_a1(text: str) -> tuple[int, int] | None:
    letters = "".join(ch for ch in text if ch.isalpha())
    digits = "".join(ch for ch in text if ch.isdigit())
    if not letters or not digits:
        return None
    col = 0
    for ch in letters.upper():
        col = col * 26 + (ord(ch) - 64)
    return int(digits) - 1, col - 1


def _sheet_setup(ws: Any, table: Any, cols: _Cols, sheet: Sheet, notes: dict[int, str]) -> None:
    header_row, name_col = table.header_row, table.columns.get("name", 0)
    ws.freeze_panes(header_row + 1, name_col + 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&C第 &P 页，共 &N 页")
    widths = _column_widths(table, sheet)
    widths.update({cols.final: 8.0, cols.rate: 8.0, cols.note: 30.0, cols.diff: 8.0, cols.rule: 30.0})
    for c in range(cols.group, cols.expert + 1):
        widths.setdefault(c, 9.0)
    for c in range(cols.judge0, cols.judge0 + cols.judge_n):
        widths[c] = 5.0
    for c, w in widths.items():
        ws.set_column(c, c, w)
    # print the user's table and the verdict columns; the helper columns stay on screen only
    ws.print_area(0, 0, max(len(sheet.rows) - 1, header_row), cols.note)
    for r in range(table.first_row, len(sheet.rows)):
        texts = [(c, sheet.value(r, c)) for c in range(len(sheet.rows[r]))]
        notes[r] = notes.get(r, "")
        lines = max(
            [_lines(v, widths.get(c, 8.43)) for c, v in texts if isinstance(v, str)]
            + [_lines(notes[r], widths[cols.note])]
        )
        if lines > 1:
            ws.set_row(r, min(409, 12.75 * lines + 3))


def _fit_copy(ws: Any, sheet: Sheet) -> None:
    """Column widths from content for a copied sheet, and a printable page."""
    widths: dict[int, float] = {}
    # column by column, each distinct text once: answers and labels repeat thousands of times
    for c, column in enumerate(zip_longest(*sheet.rows[:2000], fillvalue="")):
        texts = {v for v in column if type(v) is str}
        best = max((_text_width(v) for v in texts if v), default=0.0)
        for v in column:
            if type(v) is not str and v is not None:
                best = max(best, _text_width(str(v) if not isinstance(v, float) else f"{v:g}"))
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


def _lines(value: object, width: float) -> int:
    """Wrapped lines a text needs in a column of ``width`` characters (CJK counts double)."""
    if not isinstance(value, str) or not value:
        return 1
    units = max(1.0, width - 1)
    total = 0
    for part in value.split("\n"):
        total += max(1, math.ceil(_text_width(part) / units))
    return total


_NARROW_RE = re.compile("[\x00-\u2e80]+")


def _text_width(text: str) -> float:
    """Display width in Excel character units: CJK and other wide characters count 1.75."""
    if text.isascii():
        return len(text)
    return len(text) + 0.75 * len(_NARROW_RE.sub("", text))  # what is left are the wide characters


def _write_summary(wb: Any, ev: Evaluation, fmts: Formats, cols: _Cols) -> None:
    ws = wb.add_worksheet("汇总")
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
        ("评级标准", "，".join(b.text for b in ev.bands) + f"，其余为{ev.lowest_label}"),
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
    grade_fx = f'"{ev.lowest_label}"'
    for band in reversed(ev.bands):
        op = ">" if band.strict else ">="
        grade_fx = f'IF(C{total_row + 1}{op}{fmt_num(band.threshold)},"{band.label}",{grade_fx})'
    ws.write_formula(r, 2, "=" + grade_fx, fmts.bold, ev.grade)
    r += 2
    counts = {s: sum(1 for f in ev.findings if f.severity == s) for s in ("error", "warning", "info")}
    ws.write_string(r, 0, "审核意见", fmts.bold)
    ws.write_string(
        r, 1, f"错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}", fmts.text
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


def _write_findings(wb: Any, ev: Evaluation, fmts: Formats, sheet_map: dict[str, str]) -> None:
    ws = wb.add_worksheet("审核意见")
    ws.write_row(0, 0, ["序号", "级别", "代码", "位置", "说明"], fmts.header)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 22)
    ws.set_column(3, 3, 14)
    ws.set_column(4, 4, 90)
    for i, f in enumerate(ev.findings, start=1):
        ws.write_number(i, 0, i, fmts.int)
        ws.write_string(
            i, 1, SEVERITY_LABELS.get(f.severity, f.severity), fmts.sev.get(f.severity, fmts.text)
        )
        ws.write_string(i, 2, f.code, fmts.text)
        shown = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
        target = sheet_map.get(f.sheet)
        if target and f.cell:
            quoted = "'" + target.replace("'", "''") + "'"
            ws.write_url(i, 3, f"internal:{quoted}!{f.cell}", fmts.link, shown)
        else:
            ws.write_string(i, 3, shown, fmts.text)
        ws.write_string(i, 4, f.message, fmts.text)
        lines = _lines(f.message, 90.0)
        if lines > 1:
            ws.set_row(i, 12.75 * lines + 3)
    if not ev.findings:
        ws.write_string(1, 4, "未发现问题", fmts.text)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, len(ev.findings)), 4)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


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


def build_workbook(path: Path, ev: Evaluation, book: Book) -> None:
    """Write the annotated workbook to ``path`` (which must not exist yet or will be replaced)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), _xlsx_options())
    wb.worksheet_class = worksheet_class()
    fmts = Formats(wb)
    used: set[str] = {OUT_SHEET}
    sheet = book.sheet(ev.table.sheet)
    ws_scores, cols, _rows = _write_scores(wb, ev, sheet, fmts)
    sheet_map = {ev.table.sheet: OUT_SHEET}
    used.update({"汇总", "审核意见"})
    _write_summary(wb, ev, fmts, cols)
    # copies of the other user sheets (so formulas and links resolve); raw responses (问卷明细)
    # stay in the input: 问卷分析 carries their counts, and copying hundreds of rows into
    # every output would double the cost of a batch
    from .base import base_sheet_names
    from .survey_read import is_raw_sheet

    base_names = set(base_sheet_names(book.sheet_names))
    for name in book.sheet_names:
        if name == ev.table.sheet or is_raw_sheet(name):
            continue
        if not (name.startswith(("项目信息", "问卷")) or name in base_names):
            continue
        out_name = name if name not in used else _safe_name(name, used)
        used.add(out_name)
        src_sheet = book.sheet(name)
        copy = copy_sheet(wb, src_sheet, out_name, fmts, default_format=fmts.cell)
        _fit_copy(copy, src_sheet)
        sheet_map[name] = out_name
    if ev.surveys:
        from .survey_write import write_survey_sheet

        write_survey_sheet(wb, ev.surveys)
    _write_findings(wb, ev, fmts, sheet_map)
    wb.worksheets_objs.insert(
        1, wb.worksheets_objs.pop(wb.worksheets_objs.index(wb.get_worksheet_by_name("汇总")))
    )
    findings_ws = wb.get_worksheet_by_name("审核意见")
    wb.worksheets_objs.insert(2, wb.worksheets_objs.pop(wb.worksheets_objs.index(findings_ws)))
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
