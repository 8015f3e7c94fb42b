"""The sheets 汇总.xlsx gains after 总览, 统计, 汇总 and 失败: analysis, then data.

Analysis (pandas, :mod:`perfxl.analysis`):

- 得分率矩阵 — one row per evaluation (in 总览's order) × the indicators found in most
  evaluations, 得分率 with a red–yellow–green colour scale.
- 失分指标 — the indicators that lost points, most often first: occurrences, failures,
  share, mean and total points lost, mean 得分率; a chart of the first fifteen.
- 等级分布 — grades by 评价类型 and by 评价机构 (live formulas over 总览), with a chart.
- 机构差异 — per 评价机构: declared totals, grades and indicator scores that differ from
  the reviewed ones, counted and in points.
- 总分分布 — a histogram of the reviewed and declared totals (formulas over 总览, chart)
  and statistics of the totals per 评价类型.

Data, for programs (``perfxl compare`` reads them back, :mod:`perfxl.summary_read`):

- 指标得分 — one row per indicator of each scored workbook.
- 审核意见明细 — one row per finding.

Both are split into sheets of :data:`DATA_ROWS` rows (指标得分, 指标得分（2）, …), within what
Excel and perfxl's own reader accept, and written row by row to disk as they go (see
:func:`streamed_sheet`), so that ten thousand workbooks do not need their cells in memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from .analysis import (
    NO_FIRM,
    failed_indicators,
    firm_disagreement,
    grade_counts,
    histogram_bins,
    in_bin,
    rate_matrix,
    total_statistics,
)
from .cells import col_letter, row_height, wrapped_lines
from .errors import SEVERITY_LABELS, code_name
from .numbers import round_half_up
from .tidy import INDICATOR_FIELDS, Tables

MATRIX = "得分率矩阵"
FAILED_INDICATORS = "失分指标"
GRADES = "等级分布"
FIRMS = "机构差异"
TOTALS = "总分分布"
INDICATOR_DATA = "指标得分"
FINDING_DATA = "审核意见明细"
MATRIX_COLUMNS = 100  # indicators in 得分率矩阵
DATA_ROWS = 50_000  # rows of one data sheet (reading one holds its grid in memory)
CHART_BARS = 15  # indicators in the chart of 失分指标
GRADE_COLORS = ("#63BE7B", "#5B9BD5", "#FFC000", "#F8696B", "#A5A5A5")  # best grade first

INDICATOR_HEADER = ("文件", "一级指标", "编码", "三级指标", "类别", "权重", "申报得分", "复核得分", "失分")
FINDING_HEADER = ("文件", "级别", "问题", "代码", "指标", "工作表", "单元格", "说明")
ROLE_LABELS = {"base": "", "bonus": "加分", "penalty": "减分"}
# the colour scale of 得分率: red at 0, yellow at 80 %, green at 100 %
RATE_SCALE = {
    "type": "3_color_scale",
    "min_type": "num",
    "min_value": 0,
    "min_color": "#F8696B",
    "mid_type": "num",
    "mid_value": 0.8,
    "mid_color": "#FFEB84",
    "max_type": "num",
    "max_value": 1,
    "max_color": "#63BE7B",
}

COUNT_LABEL = "0;-0;;"  # data labels of counts: zero shows no label


def count_axis(most: int) -> dict[str, Any]:
    """A value axis of counts up to *most*: whole numbers, about eight steps."""
    return {"min": 0, "major_unit": max(1, math.ceil(most / 8)), "num_format": "0"}


Span = Callable[[str], str]  # a 总览 column's data range for a formula: "'总览'!$I$2:$I$11"


def streamed_sheet(wb: Any, name: str) -> Any:
    """A worksheet whose rows go to a temporary file as they are written (xlsxwriter's
    constant_memory mode, which a workbook gives the sheets added while it is set): rows must
    be written in order, and the cells of a long sheet never pile up in memory.  The workbook
    must not be ``in_memory``."""
    wb.constant_memory = True
    try:
        return wb.add_worksheet(name)
    finally:
        wb.constant_memory = False


def data_sheet_names(base: str, rows: int) -> list[str]:
    """The sheets holding *rows* data rows: 指标得分, 指标得分（2）, … (at least one)."""
    count = max(1, math.ceil(rows / DATA_ROWS))
    return [base] + [f"{base}（{k}）" for k in range(2, count + 1)]


def write_analysis(
    wb: Any,
    fmts: Any,
    tables: Tables,
    order: Sequence[dict[str, Any]],
    grades: Sequence[str],
    kinds: dict[str, str],
    span: Span,
) -> None:
    """The analysis sheets.  *order*: the scored summaries in 总览's order; *grades*: the grade
    labels, best first; *kinds*: 评价类型 code → label as 总览 shows it; *span*: 总览's ranges."""
    _write_matrix(streamed_sheet(wb, MATRIX), fmts, tables, order, kinds)
    _write_failed_indicators(wb, wb.add_worksheet(FAILED_INDICATORS), fmts, tables)
    _write_grades(wb, wb.add_worksheet(GRADES), fmts, tables, grades, kinds, span)
    _write_firms(wb.add_worksheet(FIRMS), fmts, tables)
    _write_totals(wb, wb.add_worksheet(TOTALS), fmts, tables, kinds, span)


def write_data(wb: Any, fmts: Any, summaries: Sequence[dict[str, Any]]) -> None:
    """指标得分 and 审核意见明细, in the order of *summaries* (the batch's file order)."""
    _write_chunks(
        wb,
        fmts,
        INDICATOR_DATA,
        INDICATOR_HEADER,
        _indicator_rows(summaries, fmts),
        _count(summaries, "indicators"),
    )
    _write_chunks(
        wb, fmts, FINDING_DATA, FINDING_HEADER, _finding_rows(summaries, fmts), _count(summaries, "findings")
    )


def _count(summaries: Sequence[dict[str, Any]], key: str) -> int:
    return sum(len(s.get(key, ())) for s in summaries)


Cell = tuple[Any, Any]  # (value, format); a None value leaves the cell empty


def _indicator_rows(summaries: Sequence[dict[str, Any]], fmts: Any) -> Iterator[list[Cell]]:
    position = {name: i for i, name in enumerate(INDICATOR_FIELDS)}
    g, c, n, r, w, d, s = (position[k] for k in INDICATOR_FIELDS)
    for summary in summaries:
        file = summary["file"]
        for line in summary.get("indicators", ()):
            weight, score = line[w], line[s]
            lost = None
            if line[r] == "base" and weight is not None:
                lost = max(0.0, round(weight - score, 2))
            yield [
                (file, fmts.cell),
                (line[g], fmts.cell),
                (line[c], fmts.center),
                (line[n], fmts.cell),
                (ROLE_LABELS.get(line[r], line[r]), fmts.center),
                (weight, fmts.num),
                (line[d], fmts.num),
                (score, fmts.num),
                (lost, fmts.num),
            ]


def _finding_rows(summaries: Sequence[dict[str, Any]], fmts: Any) -> Iterator[list[Cell]]:
    for summary in summaries:
        file = summary["file"]
        for severity, code, indicator, sheet, cell, message in summary.get("findings", ()):
            yield [
                (file, fmts.cell),
                (SEVERITY_LABELS.get(severity, severity), fmts.sev.get(severity, fmts.center)),
                (code_name(code), fmts.cell),
                (code, fmts.cell),
                (indicator, fmts.cell),
                (sheet, fmts.cell),
                (cell, fmts.center),
                (message, fmts.cell),
            ]


def _write_chunks(
    wb: Any, fmts: Any, base: str, header: Sequence[str], rows: Iterator[list[Cell]], total: int
) -> None:
    """*rows* on sheets of at most DATA_ROWS rows each, a header on each; filters, frozen header."""
    widths = {"文件": 30, "三级指标": 28, "一级指标": 12, "指标": 24, "说明": 80, "问题": 18, "代码": 20}
    for name in data_sheet_names(base, total):
        ws = streamed_sheet(wb, name)
        for c, h in enumerate(header):
            ws.set_column(c, c, widths.get(h, 9))
        ws.write_row(0, 0, header, fmts.header)
        r = 0
        for r, cells in enumerate(rows, start=1):
            _write_cells(ws, r, cells)
            if r == DATA_ROWS:
                break
        ws.autofilter(0, 0, max(r, 1), len(header) - 1)
        ws.freeze_panes(1, 1)
        ws.repeat_rows(0)
        _print_setup(ws, name)


def _write_cells(ws: Any, r: int, cells: list[Cell]) -> None:
    for c, (value, fmt) in enumerate(cells):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            ws.write_string(r, c, value, fmt)
        elif not math.isnan(value):
            ws.write_number(r, c, value, fmt)


def _title(ws: Any, text: str, width: int, fmts: Any) -> None:
    ws.merge_range(0, 0, 0, max(width - 1, 1), text, fmts.bold)


def _print_setup(ws: Any, footer: str) -> None:
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer(f"&C{footer} 第 &P 页，共 &N 页")


def _write_matrix(
    ws: Any, fmts: Any, tables: Tables, order: Sequence[dict[str, Any]], kinds: dict[str, str]
) -> None:
    m = rate_matrix(tables, [s["file"] for s in order], MATRIX_COLUMNS)
    left = ("序号", "单位", "项目", "评价类型", "复核总分")
    first = len(left)
    for c, width in enumerate((5, 16, 22, 10, 7)):
        ws.set_column(c, c, width)
    ws.set_column(first, first + max(len(m.columns), 1) - 1, 7)
    note = "得分率：红 0% → 黄 80% → 绿 100%；空白 = 该评价没有此指标"
    if m.left_out:
        note += f"；列出出现在最多评价中的 {len(m.columns)} 个指标，另有 {m.left_out} 个未列出（见 {INDICATOR_DATA}）"
    ws.merge_range(0, 0, 0, first - 1, note, fmts.text)
    ws.set_row(0, row_height(3))
    c = first
    for group, block in _blocks(list(m.columns["group"])):
        if block > 1:
            ws.merge_range(0, c, 0, c + block - 1, group, fmts.header)
        else:
            ws.write_string(0, c, group, fmts.header)
        c += block
    names = list(m.columns["name"])
    ws.set_row(1, row_height(max([wrapped_lines(n, 7) for n in names] + [1])))
    ws.write_row(1, 0, left, fmts.header)
    for c, name in enumerate(names, start=first):
        ws.write_string(1, c, name, fmts.header)
    ws.write_string(2, first - 1, "评价数", fmts.center)
    for c, count in enumerate(m.columns["evaluations"], start=first):
        ws.write_number(2, c, int(count), fmts.int)
    rates = m.rates.to_numpy()
    for i, s in enumerate(order):
        r = i + 3
        ws.write_number(r, 0, i + 1, fmts.int)
        ws.write_string(r, 1, s.get("unit") or "", fmts.cell)
        ws.write_string(r, 2, s.get("title") or "", fmts.cell)
        ws.write_string(r, 3, kinds.get(s["kind"], s["kind"]), fmts.center)
        ws.write_number(r, 4, s["total"], fmts.num)
        for c, value in enumerate(rates[i], start=first):
            if not math.isnan(value):
                ws.write_number(r, c, value, fmts.pct_short)
    last = len(order) + 2
    if names and order:
        ws.conditional_format(3, first, last, first + len(names) - 1, RATE_SCALE)
    ws.freeze_panes(3, 3)
    ws.repeat_rows(0, 2)
    ws.repeat_columns(0, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_footer(f"&C{MATRIX} 第 &P 页，共 &N 页")


def _blocks(groups: list[str]) -> list[tuple[str, int]]:
    """Runs of equal neighbours: ["产出", "产出", "效益"] → [("产出", 2), ("效益", 1)]."""
    runs: list[tuple[str, int]] = []
    for g in groups:
        if runs and runs[-1][0] == g:
            runs[-1] = (g, runs[-1][1] + 1)
        else:
            runs.append((g, 1))
    return runs


FAILED_HEADER = (
    "序号",
    "一级指标",
    "三级指标",
    "出现次数",
    "失分次数",
    "失分比例",
    "平均失分",
    "合计失分",
    "平均得分率",
)


def _write_failed_indicators(wb: Any, ws: Any, fmts: Any, tables: Tables) -> None:
    df = failed_indicators(tables)
    _title(ws, "失分指标（按失分次数从多到少；平均失分按失分的次数平均）", len(FAILED_HEADER), fmts)
    for c, width in enumerate((5, 14, 28, 8, 8, 8, 8, 8, 9)):
        ws.set_column(c, c, width)
    ws.write_row(1, 0, FAILED_HEADER, fmts.header)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        r = i + 1
        ws.write_number(r, 0, i, fmts.int)
        ws.write_string(r, 1, row.group, fmts.text)
        ws.write_string(r, 2, row.name, fmts.text)
        ws.write_number(r, 3, int(row.lines), fmts.int)
        ws.write_number(r, 4, int(row.failed), fmts.int)
        ws.write_number(r, 5, row.share, fmts.pct)
        ws.write_number(r, 6, row.mean_lost, fmts.num)
        ws.write_number(r, 7, row.total_lost, fmts.num)
        ws.write_number(r, 8, row.mean_rate, fmts.pct)
    n = len(df)
    if not n:
        ws.write_string(2, 0, "没有失分的指标", fmts.text)
        return
    ws.conditional_format(
        2, 4, n + 1, 4, {"type": "data_bar", "bar_color": "#F8696B", "data_bar_2010": False}
    )
    ws.autofilter(1, 0, n + 1, len(FAILED_HEADER) - 1)
    ws.freeze_panes(2, 3)
    bars = min(n, CHART_BARS)
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "失分次数",
            "categories": [ws.name, 2, 2, bars + 1, 2],
            "values": [ws.name, 2, 4, bars + 1, 4],
            "data_labels": {"value": True},
            "fill": {"color": "#F8696B"},
        }
    )
    chart.set_title({"name": f"失分次数最多的 {bars} 个指标", "name_font": {"size": 11}})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis(count_axis(int(df["failed"].max())))
    chart.set_legend({"none": True})
    chart.set_size({"width": 620, "height": 120 + 22 * bars})
    ws.insert_chart(1, len(FAILED_HEADER) + 1, chart)
    _print_setup(ws, FAILED_INDICATORS)


def _write_grades(
    wb: Any,
    ws: Any,
    fmts: Any,
    tables: Tables,
    grades: Sequence[str],
    kinds: dict[str, str],
    span: Span,
) -> None:
    """Counts by 评价类型, then by 评价机构 with the mean reviewed total: live formulas over 总览."""
    present = [k for k in kinds if (tables.scored()["kind"] == k).any()]
    by_kind = grade_counts(tables, "kind", grades, present)
    labels = [c for c in by_kind.columns if c != "合计"]
    width = len(labels) + 3
    ws.set_column(0, 0, 26)
    ws.set_column(1, width, 8)
    _title(ws, "等级分布（按评价类型；数字为公式，按 总览 的评价类型、复核等级计数）", width, fmts)
    top = 1
    names = [kinds[k] for k in present]
    end = _count_table(ws, fmts, top, ("评价类型", "评价类型"), by_kind.set_axis(names), span)
    height = 110 + 40 * max(len(present), 1)
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for c in range(1, len(labels) + 1):
        chart.add_series(
            {
                "name": [ws.name, top, c],
                "categories": [ws.name, top + 1, 0, top + len(present), 0],
                "values": [ws.name, top + 1, c, top + len(present), c],
                "data_labels": {"value": True, "num_format": COUNT_LABEL},
                "fill": {"color": GRADE_COLORS[(c - 1) % len(GRADE_COLORS)]},
            }
        )
    chart.set_title({"name": "各评价类型的等级分布", "name_font": {"size": 11}})
    chart.set_legend({"position": "top"})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis(count_axis(int(by_kind["合计"].max()) if len(by_kind) else 0))
    chart.set_size({"width": 560, "height": height})
    ws.insert_chart(top, width + 1, chart)
    top = max(end + 2, top + 2 + height // 20)
    ws.merge_range(top, 0, top, width - 1, "等级分布（按评价机构，评价数从多到少）", fmts.bold)
    by_firm = grade_counts(tables, "firm", grades).reindex(columns=by_kind.columns, fill_value=0)
    ev = tables.scored()
    firms = ev["firm"].fillna("").replace("", NO_FIRM)
    means = {firm: _mean(list(ev.loc[firms == firm, "total"])) for firm in by_firm.index}
    _count_table(ws, fmts, top + 1, ("评价机构", "评价机构"), by_firm, span, means)
    ws.freeze_panes(0, 1)
    _print_setup(ws, GRADES)


def _mean(values: Sequence[float]) -> float:
    """The mean to two decimals as ROUND(…,2) gives it: summed in decimal, rounded half up."""
    return float(round_half_up(sum(Decimal(repr(v)) for v in values) / len(values), 2))


def _count_table(
    ws: Any,
    fmts: Any,
    top: int,
    head: tuple[str, str],
    counts: Any,
    span: Span,
    means: dict[str, float] | None = None,
) -> int:
    """Rows (``counts``' index) × grades (its columns but 合计) of SUMPRODUCT counts over 总览's
    column ``head[1]`` and 复核等级, a 合计 column and row, and with *means* the mean reviewed
    total of each row; returns the last row written.  Comparisons are exact: a grade or a
    firm's name is user text, never a criterion."""
    grades = [c for c in counts.columns if c != "合计"]
    headers = [head[0], *grades, "合计"] + (["平均复核总分"] if means is not None else [])
    ws.write_row(top, 0, headers, fmts.header)
    labels = list(counts.index)
    total_col = col_letter(len(grades) + 1)
    for i, label in enumerate(labels):
        r = top + 1 + i
        x = r + 1
        ws.write_string(r, 0, label, fmts.text)
        key = '""' if label == NO_FIRM and head[1] == "评价机构" else f"$A{x}"
        match = f"({span(head[1])}={key})"
        for c, grade in enumerate(grades, start=1):
            formula = f"=SUMPRODUCT({match}*({span('复核等级')}={col_letter(c)}${top + 1}))"
            ws.write_formula(r, c, formula, fmts.int, int(counts.iloc[i][grade]))
        ws.write_formula(
            r,
            len(grades) + 1,
            f"=SUM(B{x}:{col_letter(len(grades))}{x})",
            fmts.int,
            int(counts.iloc[i]["合计"]),
        )
        if means is not None:
            formula = (
                f'=IF({total_col}{x}=0,"",ROUND(SUMPRODUCT({match}*{span("复核总分")})/{total_col}{x},2))'
            )
            ws.write_formula(r, len(grades) + 2, formula, fmts.num, means[label])
    r = top + 1 + len(labels)
    ws.write_string(r, 0, "合计", fmts.bold)
    for c in range(1, len(grades) + 2):
        letter = col_letter(c)
        cached = int(counts.iloc[:, c - 1].sum())
        ws.write_formula(r, c, f"=SUM({letter}{top + 2}:{letter}{r})", fmts.int, cached)
    return r


FIRM_HEADER = (
    "序号",
    "评价机构",
    "评价数",
    "申报总分数",
    "总分不一致数",
    "总分差异合计",
    "平均差异（申报−复核）",
    "等级不一致数",
    "申报指标得分数",
    "指标得分不一致数",
    "指标差异合计",
    "多报分合计",
    "少报分合计",
)


def _write_firms(ws: Any, fmts: Any, tables: Tables) -> None:
    """Per 评价机构: what was declared and how much of it differs from the review (values)."""
    df = firm_disagreement(tables)
    _title(
        ws,
        "申报与复核的差异（按评价机构，指标差异合计从多到少；相差超过 0.005 分为不一致）",
        len(FIRM_HEADER),
        fmts,
    )
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 26)
    ws.set_column(2, len(FIRM_HEADER) - 1, 9)
    ws.set_row(1, row_height(2))
    ws.write_row(1, 0, FIRM_HEADER, fmts.header)
    columns = (
        ("evaluations", fmts.int),
        ("totals_declared", fmts.int),
        ("totals_differ", fmts.int),
        ("total_points", fmts.num),
        ("mean_gap", fmts.num),
        ("grades_differ", fmts.int),
        ("indicators_declared", fmts.int),
        ("indicators_differ", fmts.int),
        ("indicator_points", fmts.num),
        ("over_points", fmts.num),
        ("under_points", fmts.num),
    )
    for i, row in enumerate(df.to_dict("records"), start=1):
        r = i + 1
        ws.write_number(r, 0, i, fmts.int)
        ws.write_string(r, 1, row["firm"], fmts.text)
        for c, (key, fmt) in enumerate(columns, start=2):
            value = float(row[key])
            if math.isnan(value):
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write_number(r, c, value, fmt)
    n = len(df)
    if n:
        c = FIRM_HEADER.index("指标差异合计")
        ws.conditional_format(
            2, c, n + 1, c, {"type": "data_bar", "bar_color": "#F4B084", "data_bar_2010": False}
        )
    ws.freeze_panes(2, 2)
    _print_setup(ws, FIRMS)


STAT_HEADER = ("评价类型", "数量", "平均", "中位数", "标准差", "最低", "下四分位", "上四分位", "最高")


def _write_totals(wb: Any, ws: Any, fmts: Any, tables: Tables, kinds: dict[str, str], span: Span) -> None:
    """The histogram of the totals (COUNTIFS over 总览, chart) and statistics per 评价类型 (values)."""
    ev = tables.scored()
    declared = [v for v in ev["declared_total"] if not math.isnan(v)]
    bins = histogram_bins(list(ev["total"]) + declared)
    _title(ws, "总分分布（每 2 分一段，含下限不含上限，最后一段含 100；数量为公式，按 总览 计数）", 9, fmts)
    for c, width in enumerate((12, 6, 6, 8, 8)):
        ws.set_column(c, c, width)
    ws.write_row(1, 0, ("分数段", "下限", "上限", "复核总分", "申报总分"), fmts.header)
    for i, band in enumerate(bins):
        r, x = i + 2, i + 3
        low, high = band
        ws.write_string(r, 0, f"{low:g}–{high:g}", fmts.center)
        ws.write_number(r, 1, low, fmts.int)
        ws.write_number(r, 2, high, fmts.int)
        upper = '"<="' if high == 100 else '"<"'
        for c, column, values in ((3, "复核总分", list(ev["total"])), (4, "申报总分", declared)):
            formula = f'=COUNTIFS({span(column)},">="&B{x},{span(column)},{upper}&C{x})'
            ws.write_formula(r, c, formula, fmts.int, sum(1 for v in values if in_bin(v, band)))
    r = len(bins) + 2
    ws.write_string(r, 0, "合计", fmts.bold)
    for c, cached in ((3, len(ev)), (4, len(declared))):
        letter = col_letter(c)
        ws.write_formula(r, c, f"=SUM({letter}3:{letter}{r})", fmts.int, cached)
    chart = wb.add_chart({"type": "column"})
    for c, color in ((3, "#5B9BD5"), (4, "#BFBFBF")):
        chart.add_series(
            {
                "name": [ws.name, 1, c],
                "categories": [ws.name, 2, 0, len(bins) + 1, 0],
                "values": [ws.name, 2, c, len(bins) + 1, c],
                "fill": {"color": color},
                "gap": 20,
            }
        )
    chart.set_title({"name": "总分分布（工作簿数）", "name_font": {"size": 11}})
    chart.set_legend({"position": "top"})
    chart.set_x_axis({"name": "总分"})
    most = max(
        (
            sum(1 for v in values if in_bin(v, band))
            for band in bins
            for values in (list(ev["total"]), declared)
        ),
        default=0,
    )
    chart.set_y_axis(count_axis(most))
    chart.set_size({"width": 640, "height": 320})
    ws.insert_chart(1, 6, chart)
    top = max(r + 2, 18)
    ws.merge_range(
        top, 0, top, len(STAT_HEADER) - 1, "复核总分统计（按评价类型；标准差为样本标准差）", fmts.bold
    )
    ws.write_row(top + 1, 0, STAT_HEADER, fmts.header)
    stats = total_statistics(tables, list(kinds))
    for i, row in enumerate(stats.to_dict("records"), start=top + 2):
        ws.write_string(i, 0, "全部" if row["kind"] == "all" else kinds[row["kind"]], fmts.text)
        ws.write_number(i, 1, row["count"], fmts.int)
        for c, key in enumerate(("mean", "median", "std", "min", "q1", "q3", "max"), start=2):
            if math.isnan(row[key]):
                ws.write_blank(i, c, None, fmts.num)
            else:
                ws.write_number(i, c, row[key], fmts.num)
    ws.set_column(5, 8, 8)
    _print_setup(ws, TOTALS)
