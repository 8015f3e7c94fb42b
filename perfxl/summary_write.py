"""汇总.xlsx of a batch (README.md, 命令): what a reviewer prints first, the details after.

Sheets:

- 总览 — one row per workbook: file (a link to its annotated copy), unit, project, kind,
  evaluator, declared and reviewed totals and grades, their difference, the grade change
  (highlighted), the rank among workbooks of the same kind, error and warning counts and
  the status (计分成功 / 有错误 / 无法计分).  Fits one A4 width.
- 统计 — counts per kind, the score distribution and a chart of the scores (each
  workbook's declared and reviewed totals, or the distribution for large batches).
- 汇总 — the detail columns other tools read (groups' scores and rates, counts, status,
  reason, link), sorted by total; statistics and the grade distribution below.  It prints
  across several pages with 序号 and 文件 repeated, never squeezed onto one.
- 失败 — the workbooks that could not be scored and why (sheet and cells); written only
  when there are some.
- then the analysis sheets (得分率矩阵, 失分指标, 等级分布, 机构差异, 总分分布) and the data
  sheets (指标得分, 审核意见明细) of :mod:`perfxl.summary_sheets`.

Every derived number (difference, grade change, rank, statistics) is a live formula with
its cached value.  The file is written through :mod:`perfxl.files` (a temporary file next to
*path*, then renamed).
"""

from __future__ import annotations

import datetime as _dt
import os
from bisect import bisect_left
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import files
from .cells import col_letter, row_height, wrapped_lines
from .numbers import round_half_up
from .write import Formats, _xlsx_options, worksheet_class

OVERVIEW = "总览"
STATISTICS = "统计"
DETAILS = "汇总"
FAILED = "失败"
SCORED, WITH_ERRORS, UNSCORED = "计分成功", "有错误", "无法计分"
KIND_ORDER = ("project", "department", "self-project", "self-department")
KIND_NAMES = {
    "project": "项目评价",
    "department": "部门整体评价",
    "self-project": "项目自评",
    "self-department": "部门整体自评",
}
CHART_ROWS = 25  # up to this many scored workbooks the chart shows each one; above, the distribution
# 总览: (header, width)
OVERVIEW_COLUMNS = (
    ("序号", 5),
    ("文件", 24),
    ("单位", 16),
    ("项目", 22),
    ("评价类型", 10),
    ("评价机构", 14),
    ("申报总分", 7),
    ("申报等级", 6),
    ("复核总分", 7),
    ("复核等级", 6),
    ("差异（申报−复核）", 8),
    ("等级变化", 7),
    ("同类排名", 6),
    ("错误", 5),
    ("警告", 5),
    ("状态", 8),
)
COL = {name: i for i, (name, _w) in enumerate(OVERVIEW_COLUMNS)}
WIDTHS = dict(OVERVIEW_COLUMNS)
_WRAPPED = (("文件", "file"), ("单位", "unit"), ("项目", "title"), ("评价机构", "firm"))  # 总览's long texts
# the score bands of the distribution: (label, lowest score, highest score excluded)
BINS = (
    ("95–100", 95, None),
    ("90–95", 90, 95),
    ("85–90", 85, 90),
    ("80–85", 80, 85),
    ("70–80", 70, 80),
    ("60–70", 60, 70),
    ("60以下", None, 60),
)


def status(summary: dict[str, Any]) -> str:
    """计分成功, or 有错误 when the scored workbook has findings of level error."""
    return WITH_ERRORS if summary["counts"].get("error") else SCORED


def write_summary(path: Path, summaries: Sequence[dict[str, Any]], failed: Sequence[dict[str, str]]) -> Path:
    """Write 汇总.xlsx for the scored workbooks' *summaries* (``perfxl.batch.summarize``) and the
    *failed* ones (``{"file", "error"}``); returns *path*."""
    import xlsxwriter

    tmp = files.new_temp(path.parent, suffix=".xlsx.tmp")
    try:
        # not in memory: the long data sheets are streamed to disk (summary_sheets.streamed_sheet)
        wb = xlsxwriter.Workbook(str(tmp), {**_xlsx_options(), "in_memory": False})
        wb.worksheet_class = worksheet_class()
        fmts = _SummaryFormats(wb)
        failed = sorted(failed, key=lambda f: f["file"])
        _write_overview(wb.add_worksheet(OVERVIEW), path.parent, summaries, failed, fmts)
        _write_statistics(wb, wb.add_worksheet(STATISTICS), _order(summaries), failed, fmts)
        _write_details(wb, wb.add_worksheet(DETAILS), path.parent, summaries, failed, fmts)
        if failed:
            _write_failed(wb.add_worksheet(FAILED), failed, fmts)
        _write_analysis(wb, summaries, failed, fmts)
        wb.set_properties(
            {"title": "perfxl 批量评分汇总", "author": "perfxl", "created": _dt.datetime(2000, 1, 1)}
        )
        wb.close()
        files.commit(tmp, path)
    except BaseException:
        files.discard(tmp)
        raise
    return path


def _write_analysis(
    wb: Any, summaries: Sequence[dict[str, Any]], failed: Sequence[dict[str, str]], fmts: _SummaryFormats
) -> None:
    """The analysis and data sheets (pandas is imported here, on this path only)."""
    from .summary_sheets import write_analysis, write_data
    from .tidy import from_summaries

    _col, own = _columns(len(summaries) + len(failed))
    span = lambda name: f"'{OVERVIEW}'!{own(name)}"  # noqa: E731
    tables = from_summaries(summaries, failed)
    write_analysis(wb, fmts, tables, _order(summaries), grade_labels(summaries), KIND_NAMES, span)
    write_data(wb, fmts, summaries)


def grade_labels(summaries: Sequence[dict[str, Any]]) -> list[str]:
    """The grade labels of the workbooks' 评级标准, best first (优 良 中 差 when none say), then
    any other grade given."""
    labels: list[str] = []
    for s in summaries:
        for b in s.get("bands", []):
            lab = b.rstrip("0123456789.>≥")
            if lab and lab not in labels:
                labels.append(lab)
    if not labels:
        labels = ["优", "良", "中", "差"]
    for s in summaries:
        if s["grade"] not in labels:
            labels.append(s["grade"])
    return labels


class _SummaryFormats(Formats):
    """The annotated workbook's formats plus those of the overview."""

    def __init__(self, wb: Any) -> None:
        super().__init__(wb)
        base = {
            "font_name": "宋体",
            "font_size": 10,
            "valign": "vcenter",
            "border": 1,
            "border_color": "#A6A6A6",
        }
        self.status = {
            SCORED: wb.add_format({**base, "align": "center"}),
            WITH_ERRORS: self.sev["error"],
            UNSCORED: wb.add_format(
                {**base, "align": "center", "bold": True, "bg_color": "#C00000", "font_color": "#FFFFFF"}
            ),
        }
        self.link_wrap = wb.add_format({**base, "font_color": "#0563C1", "underline": 1, "text_wrap": True})
        self.change = wb.add_format({"bold": True, "bg_color": "#F4B084", "font_color": "#9C0006"})
        self.note = wb.add_format({"font_name": "宋体", "font_size": 9, "font_color": "#595959"})
        self.pct_short = wb.add_format({**base, "num_format": "0%", "align": "center"})


def _order(summaries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Kinds apart (evaluations first, then self-evaluations), each by reviewed total, highest first."""
    kind_rank = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(
        summaries, key=lambda s: (kind_rank.get(s["kind"], len(KIND_ORDER)), -(s["total"] or 0), s["file"])
    )


def _ranks(rows: Sequence[dict[str, Any]]) -> list[int]:
    """Each row's rank: 1 + the number of workbooks of the same kind with a higher reviewed total
    (as COUNTIFS(…,">"&total)+1 and RANK give it: ties share a rank)."""
    totals: dict[str, list[float]] = {}
    for r in rows:
        totals.setdefault(r["kind"], []).append(-(r["total"] or 0))
    for values in totals.values():
        values.sort()
    return [1 + bisect_left(totals[r["kind"]], -(r["total"] or 0)) for r in rows]


def _link(folder: Path, output: str) -> str:
    return os.path.relpath(output, folder).replace(os.sep, "/")


def _write_overview(
    ws: Any,
    folder: Path,
    summaries: Sequence[dict[str, Any]],
    failed: Sequence[dict[str, str]],
    fmts: _SummaryFormats,
) -> None:
    rows = _order(summaries)
    n = len(rows)
    col, span = _columns(n + len(failed))
    ranks = _ranks(rows)
    for c, (name, width) in enumerate(OVERVIEW_COLUMNS):
        ws.write_string(0, c, name, fmts.header)
        ws.set_column(c, c, width)
    _fit_row(ws, 0, OVERVIEW_COLUMNS)
    for i, s in enumerate(rows, start=1):
        x = i + 1  # A1 row
        ws.write_number(i, COL["序号"], i, fmts.int)
        if s.get("output"):
            _file_link(ws, i, _link(folder, s["output"]), s["file"], fmts)
        else:  # api.write_summary for results without an annotated workbook
            ws.write_string(i, COL["文件"], s["file"], fmts.text)
        for name, key in (("单位", "unit"), ("项目", "title"), ("评价机构", "firm")):
            ws.write_string(i, COL[name], s.get(key) or "", fmts.text)
        ws.write_string(i, COL["评价类型"], KIND_NAMES.get(s["kind"], s["kind"]), fmts.center)
        declared = s.get("declared_total")
        if declared is None:
            ws.write_string(i, COL["申报总分"], "—", fmts.center)
        else:
            ws.write_number(i, COL["申报总分"], declared, fmts.num)
        ws.write_string(i, COL["申报等级"], s.get("declared_grade") or "—", fmts.center)
        ws.write_number(i, COL["复核总分"], s["total"], fmts.num)
        ws.write_string(i, COL["复核等级"], s["grade"], fmts.center)
        g, dg, t, tg = (f"{col(k)}{x}" for k in ("申报总分", "申报等级", "复核总分", "复核等级"))
        ws.write_formula(
            i,
            COL["差异（申报−复核）"],
            f'=IF(ISNUMBER({g}),ROUND({g}-{t},2),"")',
            fmts.num,
            _round(declared - s["total"]) if declared is not None else "",
        )
        changed = s.get("declared_grade") and s["declared_grade"] != s["grade"]
        ws.write_formula(
            i,
            COL["等级变化"],
            f'=IF(OR({dg}="—",{dg}={tg}),"",{dg}&"→"&{tg})',
            fmts.center,
            f"{s['declared_grade']}→{s['grade']}" if changed else "",
        )
        ws.write_formula(
            i,
            COL["同类排名"],
            f'=COUNTIFS({span("评价类型")},{col("评价类型")}{x},{span("复核总分")},">"&{t})+1',
            fmts.int,
            ranks[i - 1],
        )
        ws.write_number(i, COL["错误"], s["counts"].get("error", 0), fmts.int)
        ws.write_number(i, COL["警告"], s["counts"].get("warning", 0), fmts.int)
        ws.write_string(i, COL["状态"], status(s), fmts.status[status(s)])
        _fit_row(ws, i, [(s.get(key) or "", WIDTHS[name]) for name, key in _WRAPPED])
    for k, f in enumerate(failed, start=n + 1):
        ws.write_number(k, COL["序号"], k, fmts.int)
        ws.write_string(k, COL["文件"], f["file"], fmts.text)
        for c in range(COL["单位"], COL["状态"]):
            ws.write_blank(k, c, None, fmts.cell)
        # a HYPERLINK formula keeps the cell's colours in LibreOffice too (a cell link turns blue)
        link = f'=HYPERLINK("#\'{FAILED}\'!C{k - n + 1}","{UNSCORED}")'
        ws.write_formula(k, COL["状态"], link, fmts.status[UNSCORED], UNSCORED)
        _fit_row(ws, k, [(f["file"], WIDTHS["文件"])])
    total_rows = n + len(failed)
    ws.conditional_format(
        1, COL["等级变化"], max(total_rows, 1), COL["等级变化"], {"type": "no_blanks", "format": fmts.change}
    )
    ws.autofilter(0, 0, max(total_rows, 1), len(OVERVIEW_COLUMNS) - 1)
    ws.freeze_panes(1, 2)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.set_header(
        f'&L&"宋体,Bold"perfxl 批量复核汇总&R共 {n + len(failed)} 个工作簿：{_counts_text(rows, failed)}'
    )
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.activate()


def _file_link(ws: Any, r: int, target: str, text: str, fmts: _SummaryFormats) -> None:
    """A link to the annotated workbook: a HYPERLINK formula, whose text wraps in LibreOffice as
    well as in Excel (a cell link does not wrap in LibreOffice); a plain link when too long for one."""
    if max(len(target), len(text)) > 200:  # a formula's text literals hold at most 255 characters
        ws.write_url(r, COL["文件"], f"external:{target}", fmts.link_wrap, text)
        return
    quote = lambda t: '"' + t.replace('"', '""') + '"'  # noqa: E731
    ws.write_formula(r, COL["文件"], f"=HYPERLINK({quote(target)},{quote(text)})", fmts.link_wrap, text)


def _round(value: float) -> float:
    """Two decimals, half up, as Excel's ROUND (Python's round() would give 96.09 for 96.095)."""
    return float(round_half_up(value, 2))


def _mean(values: Sequence[float]) -> float:
    """The mean to two decimals as ROUND(AVERAGE(…),2) gives it: summed in decimal, not in binary."""
    return float(round_half_up(sum(Decimal(repr(v)) for v in values) / len(values), 2))


def _columns(n: int) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """For 总览 with *n* rows (scored and failed): a column's letter, and its data range ("$E$2:$E$11")."""
    last = max(n, 1) + 1  # the last data row in A1 numbering (a formula range is never empty)

    def letter(name: str) -> str:
        return col_letter(COL[name])

    def span(name: str) -> str:
        return f"${letter(name)}$2:${letter(name)}${last}"

    return letter, span


def _counts_text(rows: Sequence[dict[str, Any]], failed: Sequence[dict[str, str]]) -> str:
    with_errors = sum(1 for s in rows if status(s) == WITH_ERRORS)
    return f"{SCORED} {len(rows) - with_errors}，{WITH_ERRORS} {with_errors}，{UNSCORED} {len(failed)}"


def _fit_row(ws: Any, r: int, texts: Sequence[tuple[str, float]]) -> None:
    """Row *r* as tall as the longest of its wrapped texts ((text, column width) pairs)."""
    lines = max(wrapped_lines(text, width) for text, width in texts)
    if lines > 1:
        ws.set_row(r, row_height(lines))


def _write_statistics(
    wb: Any, ws: Any, rows: Sequence[dict[str, Any]], failed: Sequence[dict[str, str]], fmts: _SummaryFormats
) -> None:
    """统计: counts per kind and the score distribution side by side (formulas over 总览), a chart
    of the scores below."""
    _col, own = _columns(len(rows) + len(failed))
    span = lambda name: f"'{OVERVIEW}'!{own(name)}"  # noqa: E731
    for c, width in enumerate((2, 14, 7, 12, 12, 8, 8, 3, 9, 7, 7)):
        ws.set_column(c, c, width)
    ws.merge_range(0, 1, 0, 6, "按评价类型统计（同类排名只在同一评价类型内比较）", fmts.bold)
    heads = ["评价类型", "数量", "平均申报总分", "平均复核总分", "等级变化", "有错误"]
    for c, h in enumerate(heads, start=1):
        ws.write_string(1, c, h, fmts.header)
    r = 1
    kinds = [k for k in KIND_ORDER if any(s["kind"] == k for s in rows)]
    for kind in kinds:
        r += 1
        mine = [s for s in rows if s["kind"] == kind]
        label = f"B{r + 1}"
        ws.write_string(r, 1, KIND_NAMES[kind], fmts.text)
        ws.write_formula(r, 2, f"=COUNTIF({span('评价类型')},{label})", fmts.int, len(mine))
        declared = [s["declared_total"] for s in mine if s.get("declared_total") is not None]
        for c, column, values in ((3, "申报总分", declared), (4, "复核总分", [s["total"] for s in mine])):
            ws.write_formula(
                r,
                c,
                f'=IFERROR(ROUND(AVERAGEIF({span("评价类型")},{label},{span(column)}),2),"")',
                fmts.num,
                _mean(values) if values else "",
            )
        ws.write_formula(
            r,
            5,
            f'=SUMPRODUCT(({span("评价类型")}={label})*({span("等级变化")}<>""))',
            fmts.int,
            sum(1 for s in mine if s.get("declared_grade") and s["declared_grade"] != s["grade"]),
        )
        ws.write_formula(
            r,
            6,
            f'=COUNTIFS({span("评价类型")},{label},{span("状态")},"{WITH_ERRORS}")',
            fmts.int,
            sum(1 for s in mine if status(s) == WITH_ERRORS),
        )
    r += 1
    ws.write_string(r, 1, UNSCORED, fmts.text)
    ws.write_formula(r, 2, f'=COUNTIF({span("状态")},"{UNSCORED}")', fmts.int, len(failed))
    bins = _distribution(ws, rows, fmts, 8, span)
    end = max(r, bins[1]) + 2
    if rows:
        end = _score_chart(wb, ws, rows, end, bins)
    ws.print_area(0, 0, end, 10)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C统计 第 &P 页，共 &N 页")


def _distribution(
    ws: Any, rows: Sequence[dict[str, Any]], fmts: _SummaryFormats, left: int, span: Callable[[str], str]
) -> tuple[int, int]:
    """How many declared and reviewed totals fall in each score band (COUNTIFS); returns its rows."""
    top = 0
    ws.merge_range(top, left, top, left + 2, "总分分布（工作簿数）", fmts.bold)
    heads = ["分数段", "申报", "复核"]
    for c, h in enumerate(heads, start=left):
        ws.write_string(top + 1, c, h, fmts.header)
    r = top + 1
    for label, lo, hi in BINS:
        r += 1
        ws.write_string(r, left, label, fmts.center)
        for c, column, key in ((left + 1, "申报总分", "declared_total"), (left + 2, "复核总分", "total")):
            criteria = [f'{span(column)},">={lo}"'] * (lo is not None) + [f'{span(column)},"<{hi}"'] * (
                hi is not None
            )
            values = [s[key] for s in rows if s.get(key) is not None]
            cached = sum(1 for v in values if (lo is None or v >= lo) and (hi is None or v < hi))
            ws.write_formula(r, c, f"=COUNTIFS({','.join(criteria)})", fmts.int, cached)
    return top + 2, r


def _score_chart(wb: Any, ws: Any, rows: Sequence[dict[str, Any]], top: int, bins: tuple[int, int]) -> int:
    """Each workbook's declared and reviewed totals (up to CHART_ROWS workbooks), else how many
    fall in each score band; returns the last row the chart covers."""
    left = 8  # the distribution's first column
    if len(rows) <= CHART_ROWS:
        chart = wb.add_chart({"type": "bar"})
        for column, color in (("申报总分", "#BFBFBF"), ("复核总分", "#5B9BD5")):
            chart.add_series(
                {
                    "name": column,
                    "categories": [OVERVIEW, 1, COL["序号"], len(rows), COL["序号"]],
                    "values": [OVERVIEW, 1, COL[column], len(rows), COL[column]],
                    "data_labels": {"value": True, "num_format": "0.00", "font": {"size": 7}},
                    "fill": {"color": color},
                }
            )
        chart.set_title({"name": "各工作簿申报总分与复核总分（按总览序号）", "name_font": {"size": 11}})
        chart.set_x_axis({"min": 0, "max": 100, "major_unit": 10, "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True})
        height = 90 + 22 * len(rows)
    else:
        chart = wb.add_chart({"type": "column"})
        for c, (column, color) in enumerate((("申报", "#BFBFBF"), ("复核", "#5B9BD5")), start=left + 1):
            chart.add_series(
                {
                    "name": f"{column}总分",
                    "categories": [ws.name, bins[0], left, bins[1], left],
                    "values": [ws.name, bins[0], c, bins[1], c],
                    "data_labels": {"value": True},
                    "fill": {"color": color},
                }
            )
        chart.set_title({"name": "总分分布（工作簿数）", "name_font": {"size": 11}})
        height = 320
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 640, "height": height})
    ws.insert_chart(top, 1, chart)
    return top + -(-height // 20)


def _write_details(
    wb: Any,
    ws: Any,
    folder: Path,
    summaries: Sequence[dict[str, Any]],
    failed: Sequence[dict[str, str]],
    fmts: _SummaryFormats,
) -> None:
    """The detail sheet: one row per workbook sorted by total, then the failed ones."""
    results = sorted(summaries, key=lambda r: (-(r["total"] or 0), r["file"]))
    group_names: list[str] = []
    for r in results:
        for g in r["groups"]:
            if g["name"] not in group_names:
                group_names.append(g["name"])
    headers = ["序号", "文件", "名称", "单位", "年度", "评价类型", "总分", "等级"]
    for name in group_names:
        headers += [f"{name}得分", f"{name}得分率"]
    headers += ["扣分指标数", "错误", "警告", "提示", "状态", "原因", "评分表"]
    ws.write_row(0, 0, headers, fmts.header)
    kinds = {
        "project": "项目",
        "department": "部门整体",
        "self-project": "项目自评",
        "self-department": "部门自评",
    }
    for i, r in enumerate(results, start=1):
        row = i
        ws.write_number(row, 0, i, fmts.int)
        ws.write_string(row, 1, r["file"], fmts.text)
        ws.write_string(row, 2, r.get("title") or "", fmts.text)
        ws.write_string(row, 3, r.get("unit") or "", fmts.text)
        ws.write_string(row, 4, str(r.get("year") or ""), fmts.text)
        ws.write_string(row, 5, kinds.get(r["kind"], r["kind"]), fmts.text)
        ws.write_number(row, 6, r["total"], fmts.num)
        ws.write_string(row, 7, r["grade"], fmts.text)
        _fit_row(ws, row, [(r["file"], 30), (r.get("title") or "", 30), (r.get("unit") or "", 20)])
        groups = {g["name"]: g for g in r["groups"]}
        c = 8
        for name in group_names:
            g = groups.get(name)
            if g:
                ws.write_number(row, c, g["score"], fmts.num)
                if g["rate"] is not None:
                    ws.write_number(row, c + 1, g["rate"], fmts.pct)
            c += 2
        ws.write_number(row, c, r["deducted"], fmts.int)
        for k, sev in enumerate(("error", "warning", "info")):
            ws.write_number(row, c + 1 + k, r["counts"][sev], fmts.int)
        ws.write_string(row, c + 4, status(r), fmts.status[status(r)])
        if r.get("output"):
            rel = _link(folder, r["output"])
            ws.write_url(row, c + 6, f"external:{rel}", fmts.link, rel)
    n = len(results)
    status_col = len(headers) - 3
    # failed files are listed too, below the scored ones, with the reason
    for k, f in enumerate(failed, start=n + 1):
        ws.write_number(k, 0, k, fmts.int)
        ws.write_string(k, 1, f["file"], fmts.text)
        ws.write_string(k, status_col, UNSCORED, fmts.status[UNSCORED])
        ws.write_string(k, status_col + 1, f["error"], fmts.text)
        _fit_row(ws, k, [(f["file"], 30), (f["error"], 36)])
    rows_used = n + len(failed)
    last_col = len(headers) - 1
    ws.freeze_panes(1, 3)
    ws.autofilter(0, 0, max(rows_used, 1), last_col)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 2, 30)
    ws.set_column(3, 3, 20)
    ws.set_column(4, last_col, 9)
    ws.set_column(status_col + 1, status_col + 1, 36)
    ws.set_column(last_col, last_col, 30)
    _fit_row(ws, 0, [(h, 30 if c in (1, 2) else 20 if c == 3 else 9) for c, h in enumerate(headers)])
    # many columns: printed across pages with 序号 and 文件 repeated, not squeezed onto one width
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_print_scale(75)
    ws.repeat_rows(0)
    ws.repeat_columns(0, 1)
    ws.set_footer("&C汇总（明细） 第 &P 页，共 &N 页")
    # statistics with formulas
    r0 = rows_used + 2
    ws.write_string(r0, 1, "统计", fmts.bold)
    ws.write_string(r0 + 1, 1, "平均总分", fmts.text)
    ws.write_string(r0 + 2, 1, "最高总分", fmts.text)
    ws.write_string(r0 + 3, 1, "最低总分", fmts.text)
    totals = [r["total"] for r in results]
    rng = f"G2:G{n + 1}"
    if n:
        ws.write_formula(r0 + 1, 6, f"=ROUND(AVERAGE({rng}),2)", fmts.num, _mean(totals))
        ws.write_formula(r0 + 2, 6, f"=MAX({rng})", fmts.num, max(totals))
        ws.write_formula(r0 + 3, 6, f"=MIN({rng})", fmts.num, min(totals))
    # grade distribution
    g0 = r0 + 5
    ws.write_row(g0, 1, ["等级", "数量", "占比"], fmts.header)
    labels = grade_labels(results)
    for k, lab in enumerate(labels, start=1):
        cnt = sum(1 for r in results if r["grade"] == lab)
        ws.write_string(g0 + k, 1, lab, fmts.text)
        # exact comparison: a grade label is user text (评级标准), never a criterion
        ws.write_formula(g0 + k, 2, f"=SUMPRODUCT((H$2:H${max(n, 1) + 1}=B{g0 + k + 1})*1)", fmts.int, cnt)
        ws.write_formula(g0 + k, 3, f"=IF({n}=0,0,C{g0 + k + 1}/{max(n, 1)})", fmts.pct, cnt / n if n else 0)
    ws.write_string(g0 + len(labels) + 1, 1, "失败", fmts.text)
    ws.write_number(g0 + len(labels) + 1, 2, len(failed), fmts.int)
    if labels:
        chart = wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "数量",
                "categories": [DETAILS, g0 + 1, 1, g0 + len(labels), 1],
                "values": [DETAILS, g0 + 1, 2, g0 + len(labels), 2],
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": "等级分布"})
        chart.set_legend({"none": True})
        ws.insert_chart(g0, 5, chart)


def _write_failed(ws: Any, failed: Sequence[dict[str, str]], fmts: _SummaryFormats) -> None:
    """失败: each workbook that could not be scored, with the sheet and cells of the reason."""
    ws.write_row(0, 0, ["序号", "文件", "原因"], fmts.header)
    for i, f in enumerate(failed, start=1):
        ws.write_number(i, 0, i, fmts.int)
        ws.write_string(i, 1, f["file"], fmts.text)
        ws.write_string(i, 2, f["error"], fmts.text)
        lines = max(wrapped_lines(f["file"], 30), wrapped_lines(f["error"], 90))
        if lines > 1:
            ws.set_row(i, row_height(lines))
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 90)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_footer("&C无法计分的工作簿 第 &P 页，共 &N 页")
