"""对比.xlsx (``perfxl compare``): two seasons of evaluations side by side.

Sheets (docs/compare.md):

- 对比 — one row per matched pair: totals, their change (arrows), grades and the grade
  change (highlighted), indicators newly losing points, findings new and resolved.
- 统计 — how many matched, rose, fell; mean totals; the grade transition matrix, the grade
  distribution of both seasons and the distribution of the changes, with two charts.
- 一级指标 — pair × 一级指标: scores and 得分率 of both seasons, changes (colour scale).
- 指标变化 — pair × indicator, for the indicators whose score changed or that exist in one
  season only; biggest fall first within each pair (colour scale).
- 指标汇总 — per indicator over all pairs: falls, rises, mean change, newly lost.
- 审核意见变化 — the findings new in this season (新增) and those gone (已解决).
- 未匹配 — evaluations without a partner, and those that could not be scored.

Changes and counts are live formulas with their cached values (the per-pair counts read
that pair's rows of 指标变化 and 审核意见变化, which are contiguous); the long sheets are
streamed to disk as they are written.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from . import files
from .cells import col_letter, row_height, wrapped_lines
from .comparison import (
    ADDED,
    NEW,
    NEWLY_LOST,
    NO_LONGER_LOST,
    OLD,
    ONLY_NEW,
    ONLY_OLD,
    RESOLVED,
    Comparison,
    indicator_summary,
)
from .errors import SEVERITY_LABELS, PerfxlError, code_name
from .numbers import round_half_up
from .summary_sheets import COUNT_LABEL, count_axis, streamed_sheet
from .write import Formats, _xlsx_options, worksheet_class

PAIRS = "对比"
STATISTICS = "统计"
GROUPS = "一级指标"
INDICATORS = "指标变化"
INDICATOR_SUMMARY = "指标汇总"
FINDINGS = "审核意见变化"
UNMATCHED = "未匹配"
KIND_NAMES = {
    "project": "项目评价",
    "department": "部门整体评价",
    "self-project": "项目自评",
    "self-department": "部门整体自评",
}
PAIR_COLUMNS = (
    ("序号", 5),
    ("评价类型", 10),
    ("单位", 16),
    ("项目", 22),
    ("上期年度", 6),
    ("本期年度", 6),
    ("上期总分", 7),
    ("本期总分", 7),
    ("变化", 7),
    ("上期等级", 6),
    ("本期等级", 6),
    ("等级变化", 7),
    ("新失分指标", 7),
    ("新增问题", 6),
    ("已解决问题", 6),
    ("上期文件", 24),
    ("本期文件", 24),
)
P = {name: i for i, (name, _w) in enumerate(PAIR_COLUMNS)}
GROUP_HEADER = (
    "序号",
    "单位",
    "一级指标",
    "上期得分",
    "本期得分",
    "变化",
    "上期得分率",
    "本期得分率",
    "得分率变化",
)
INDICATOR_HEADER = (
    "序号",
    "单位",
    "一级指标",
    "三级指标",
    "上期权重",
    "本期权重",
    "上期得分",
    "本期得分",
    "变化",
    "上期失分",
    "本期失分",
    "情况",
)
SUMMARY_HEADER = (
    "序号",
    "一级指标",
    "三级指标",
    "对比数",
    "下降数",
    "上升数",
    "平均变化",
    "新失分数",
    "不再失分数",
    "本期失分数",
)
FINDING_HEADER = ("序号", "单位", "变化", "级别", "问题", "代码", "指标", "位置", "说明")
UNMATCHED_HEADER = ("序号", "情况", "评价类型", "单位", "项目", "年度", "总分", "等级", "文件", "原因")
# the distribution of the changes of totals: (label, criteria for COUNTIFS, test)
CHANGE_BINS = (
    ("下降10分以上", ('"<=-10"',), lambda d: d <= -10),
    ("下降5–10分", ('">-10"', '"<=-5"'), lambda d: -10 < d <= -5),
    ("下降2–5分", ('">-5"', '"<=-2"'), lambda d: -5 < d <= -2),
    ("下降2分以内", ('">-2"', '"<0"'), lambda d: -2 < d < 0),
    ("持平", ("0",), lambda d: d == 0),
    ("上升2分以内", ('">0"', '"<2"'), lambda d: 0 < d < 2),
    ("上升2–5分", ('">=2"', '"<5"'), lambda d: 2 <= d < 5),
    ("上升5–10分", ('">=5"', '"<10"'), lambda d: 5 <= d < 10),
    ("上升10分以上", ('">=10"',), lambda d: d >= 10),
)
# arrows on a change: up from +0.005, level within ±0.005, down below
ARROWS = {
    "type": "icon_set",
    "icon_style": "3_arrows",
    "icons": [
        {"criteria": ">=", "type": "number", "value": 0.005},
        {"criteria": ">", "type": "number", "value": -0.005},
    ],
}
# red (fall) – white (no change) – green (rise)
CHANGE_SCALE = {
    "type": "3_color_scale",
    "min_color": "#F8696B",
    "mid_type": "num",
    "mid_value": 0,
    "mid_color": "#FFFFFF",
    "max_color": "#63BE7B",
}


class _Formats(Formats):
    def __init__(self, wb: Any) -> None:
        super().__init__(wb)
        self.change = wb.add_format({"bold": True, "bg_color": "#F4B084", "font_color": "#9C0006"})
        self.fell = wb.add_format({"font_color": "#C00000"})
        self.rose = wb.add_format({"font_color": "#00803C"})
        self.newly = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.fixed = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.title_left = wb.add_format({"font_name": "宋体", "font_size": 12, "bold": True})


def write_comparison(path: str | Path, c: Comparison) -> Path:
    """Write 对比.xlsx atomically (a temporary file beside *path*, then renamed)."""
    import xlsxwriter

    target = Path(path)
    try:
        tmp = files.new_temp(target.parent, suffix=".xlsx.tmp")
    except OSError as exc:
        raise PerfxlError(f"无法写入（{files.reason(exc)}）", file=str(target)) from exc
    try:
        wb = xlsxwriter.Workbook(str(tmp), {**_xlsx_options(), "in_memory": False})
        wb.worksheet_class = worksheet_class()
        fmts = _Formats(wb)
        shown = c.indicators[c.indicators["status"] != ""].reset_index(drop=True)
        blocks = {"indicators": _blocks(shown), "findings": _blocks(c.findings)}
        units = {int(p): _text(u) for p, u in zip(c.pairs["pair"], c.pairs["unit"], strict=True)}
        _write_pairs(wb.add_worksheet(PAIRS), c, blocks, fmts)
        _write_statistics(wb, wb.add_worksheet(STATISTICS), c, fmts)
        _write_groups(streamed_sheet(wb, GROUPS), c.groups, units, fmts)
        _write_indicators(streamed_sheet(wb, INDICATORS), shown, units, fmts)
        _write_indicator_summary(wb.add_worksheet(INDICATOR_SUMMARY), indicator_summary(c), fmts)
        _write_findings(streamed_sheet(wb, FINDINGS), c.findings, units, fmts)
        _write_unmatched(wb.add_worksheet(UNMATCHED), c.unmatched, fmts)
        wb.set_properties({"title": "perfxl 对比", "author": "perfxl", "created": _dt.datetime(2000, 1, 1)})
        wb.close()
        files.commit(tmp, target)
    except OSError as exc:
        files.discard(tmp)
        raise PerfxlError(f"无法写入（{files.reason(exc)}）", file=str(target)) from exc
    except BaseException:
        files.discard(tmp)
        raise
    return target


def _blocks(df: pd.DataFrame) -> dict[int, tuple[int, int]]:
    """Per pair, the first and last A1 row of its rows in a sheet with one header row."""
    if df.empty:
        return {}
    rows = pd.Series(range(2, len(df) + 2), index=df.index)
    grouped = rows.groupby(df["pair"])
    return {
        int(p): (int(lo), int(hi))
        for p, lo, hi in zip(grouped.min().index, grouped.min(), grouped.max(), strict=True)
    }


def _num(ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
    """A number, or an empty cell for a missing one."""
    if value is None or value != value:  # NaN
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, float(value), fmt)


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _count_formula(sheet: str, column: int, block: tuple[int, int] | None, word: str) -> str | None:
    if block is None:
        return None
    letter = col_letter(column)
    return f"=COUNTIF('{sheet}'!${letter}${block[0]}:${letter}${block[1]},\"{word}\")"


def _write_pairs(
    ws: Any, c: Comparison, blocks: dict[str, dict[int, tuple[int, int]]], fmts: _Formats
) -> None:
    for col, (_name, width) in enumerate(PAIR_COLUMNS):
        ws.set_column(col, col, width)
    ws.set_row(0, row_height(2))
    ws.write_row(0, 0, [name for name, _w in PAIR_COLUMNS], fmts.header)
    letter = {name: col_letter(i) for name, i in P.items()}
    for i, row in enumerate(c.pairs.to_dict("records"), start=1):
        x = i + 1
        ws.write_number(i, P["序号"], row["pair"], fmts.int)
        ws.write_string(i, P["评价类型"], KIND_NAMES.get(row["kind"], row["kind"]), fmts.center)
        ws.write_string(i, P["单位"], _text(row["unit"]), fmts.text)
        ws.write_string(i, P["项目"], _text(row["title"]), fmts.text)
        ws.write_string(i, P["上期年度"], _text(row["old_year"]), fmts.center)
        ws.write_string(i, P["本期年度"], _text(row["new_year"]), fmts.center)
        ws.write_number(i, P["上期总分"], row["old_total"], fmts.num)
        ws.write_number(i, P["本期总分"], row["new_total"], fmts.num)
        old, new = f"{letter['上期总分']}{x}", f"{letter['本期总分']}{x}"
        ws.write_formula(i, P["变化"], f"=ROUND({new}-{old},2)", fmts.num, row["change"])
        ws.write_string(i, P["上期等级"], row["old_grade"], fmts.center)
        ws.write_string(i, P["本期等级"], row["new_grade"], fmts.center)
        og, ng = f"{letter['上期等级']}{x}", f"{letter['本期等级']}{x}"
        ws.write_formula(
            i, P["等级变化"], f'=IF({og}={ng},"",{og}&"→"&{ng})', fmts.center, row["grade_change"]
        )
        counts = (
            (
                "新失分指标",
                INDICATORS,
                INDICATOR_HEADER.index("情况"),
                "indicators",
                NEWLY_LOST,
                "newly_lost",
            ),
            ("新增问题", FINDINGS, FINDING_HEADER.index("变化"), "findings", ADDED, "new_findings"),
            ("已解决问题", FINDINGS, FINDING_HEADER.index("变化"), "findings", RESOLVED, "resolved_findings"),
        )
        for column, sheet, col, kind, word, key in counts:
            formula = _count_formula(sheet, col, blocks[kind].get(row["pair"]), word)
            if formula is None:
                ws.write_number(i, P[column], 0, fmts.int)
            else:
                ws.write_formula(i, P[column], formula, fmts.int, int(row[key]))
        ws.write_string(i, P["上期文件"], row["old_file"], fmts.text)
        ws.write_string(i, P["本期文件"], row["new_file"], fmts.text)
        texts = [(row["unit"], 16), (row["title"], 22), (row["old_file"], 24), (row["new_file"], 24)]
        lines = max(wrapped_lines(_text(t), w) for t, w in texts)
        if lines > 1:
            ws.set_row(i, row_height(lines))
    n = len(c.pairs)
    if n:
        ws.conditional_format(1, P["变化"], n, P["变化"], ARROWS)
        ws.conditional_format(
            1, P["等级变化"], n, P["等级变化"], {"type": "no_blanks", "format": fmts.change}
        )
        ws.conditional_format(
            1,
            P["新失分指标"],
            n,
            P["新失分指标"],
            {"type": "cell", "criteria": ">", "value": 0, "format": fmts.newly},
        )
    ws.autofilter(0, 0, max(n, 1), len(PAIR_COLUMNS) - 1)
    ws.freeze_panes(1, 4)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.set_header(f'&L&"宋体,Bold"perfxl 对比：{OLD} → {NEW}&R共 {n} 对')
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.activate()


def grade_order(c: Comparison) -> list[str]:
    """The grades met, best first: by the highest total that has each grade."""
    best: dict[str, float] = {}
    pairs = c.pairs
    values = list(zip(pairs["old_grade"], pairs["old_total"], strict=True))
    values += list(zip(pairs["new_grade"], pairs["new_total"], strict=True))
    scored = c.unmatched[c.unmatched["side"].isin([ONLY_OLD, ONLY_NEW])]
    values += list(zip(scored["grade"], scored["total"], strict=True))
    for grade, total in values:
        if isinstance(grade, str) and grade and not pd.isna(total):
            best[grade] = max(best.get(grade, total), total)
    return sorted(best, key=lambda g: -best[g])


def _mean(values: Sequence[float]) -> float | str:
    """The mean to two decimals as ROUND(AVERAGE(…),2) gives it ("" for none)."""
    if not values:
        return ""
    return float(round_half_up(sum(Decimal(repr(float(v))) for v in values) / len(values), 2))


def _write_statistics(wb: Any, ws: Any, c: Comparison, fmts: _Formats) -> None:
    """Counts and means over 对比 and 未匹配 (formulas), three tables of grades and changes, two charts."""
    n, u = len(c.pairs), len(c.unmatched)
    pair_col = lambda name: f"'{PAIRS}'!${col_letter(P[name])}$2:${col_letter(P[name])}${max(n, 1) + 1}"  # noqa: E731
    side_range = f"'{UNMATCHED}'!$B$2:$B${max(u, 1) + 1}"
    grade_range = f"'{UNMATCHED}'!$H$2:$H${max(u, 1) + 1}"
    for col, width in enumerate((20, 10, 10, 10, 10, 10, 10, 10)):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "对比统计", fmts.title_left)
    ws.write_string(1, 0, f"{OLD}：{c.old_source}", fmts.plain)
    ws.write_string(2, 0, f"{NEW}：{c.new_source}", fmts.plain)
    changes = list(c.pairs["change"])
    sides = list(c.unmatched["side"])
    rows: list[tuple[str, str, Any, Any]] = [
        ("匹配的评价（对）", f"=COUNT({pair_col('序号')})", n, fmts.int),
        (ONLY_OLD, f'=COUNTIF({side_range},"{ONLY_OLD}")', sides.count(ONLY_OLD), fmts.int),
        (ONLY_NEW, f'=COUNTIF({side_range},"{ONLY_NEW}")', sides.count(ONLY_NEW), fmts.int),
        (
            f"{OLD}无法计分",
            f'=COUNTIF({side_range},"{OLD}无法计分")',
            sides.count(f"{OLD}无法计分"),
            fmts.int,
        ),
        ("本期无法计分", f'=COUNTIF({side_range},"本期无法计分")', sides.count("本期无法计分"), fmts.int),
        ("总分上升", f'=COUNTIF({pair_col("变化")},">0")', sum(1 for d in changes if d > 0), fmts.int),
        ("总分下降", f'=COUNTIF({pair_col("变化")},"<0")', sum(1 for d in changes if d < 0), fmts.int),
        ("总分持平", f"=COUNTIF({pair_col('变化')},0)", sum(1 for d in changes if d == 0), fmts.int),
        (
            "等级变化",
            f'=SUMPRODUCT(({pair_col("等级变化")}<>"")*1)',
            sum(1 for g in c.pairs["grade_change"] if g),
            fmts.int,
        ),
        (
            f"平均{OLD}总分",
            f'=IFERROR(ROUND(AVERAGE({pair_col("上期总分")}),2),"")',
            _mean(list(c.pairs["old_total"])),
            fmts.num,
        ),
        (
            "平均本期总分",
            f'=IFERROR(ROUND(AVERAGE({pair_col("本期总分")}),2),"")',
            _mean(list(c.pairs["new_total"])),
            fmts.num,
        ),
        ("平均变化", f'=IFERROR(ROUND(AVERAGE({pair_col("变化")}),2),"")', _mean(changes), fmts.num),
    ]
    ws.write_row(4, 0, ("项目", "数值"), fmts.header)
    for r, (label, formula, cached, fmt) in enumerate(rows, start=5):
        ws.write_string(r, 0, label, fmts.text)
        ws.write_formula(r, 1, formula, fmt, cached)
    grades = grade_order(c)
    top = 5 + len(rows) + 1
    top = _transition(ws, c, grades, top, pair_col, fmts) + 2
    dist_top, most = top, 0
    ws.merge_range(top, 0, top, 2, "等级分布（含未匹配的评价）", fmts.bold)
    ws.write_row(top + 1, 0, ("等级", OLD, "本期"), fmts.header)
    for k, grade in enumerate(grades):
        r = top + 2 + k
        ws.write_string(r, 0, grade, fmts.center)
        for col, (side_word, column, key) in enumerate(
            ((ONLY_OLD, "上期等级", "old_grade"), (ONLY_NEW, "本期等级", "new_grade")), start=1
        ):
            formula = f'=SUMPRODUCT(({pair_col(column)}=$A{r + 1})*1)+SUMPRODUCT(({side_range}="{side_word}")*({grade_range}=$A{r + 1}))'
            cached = sum(1 for g in c.pairs[key] if g == grade)
            cached += sum(
                1
                for s, g in zip(c.unmatched["side"], c.unmatched["grade"], strict=True)
                if s == side_word and g == grade
            )
            ws.write_formula(r, col, formula, fmts.int, cached)
            most = max(most, cached)
    top = top + 2 + len(grades) + 1
    bins_top = top
    ws.merge_range(top, 0, top, 1, "总分变化分布（对）", fmts.bold)
    ws.write_row(top + 1, 0, ("变化", "对数"), fmts.header)
    for k, (label, criteria, test) in enumerate(CHANGE_BINS):
        r = top + 2 + k
        ws.write_string(r, 0, label, fmts.center)
        formula = "=COUNTIFS(" + ",".join(f"{pair_col('变化')},{cr}" for cr in criteria) + ")"
        ws.write_formula(r, 1, formula, fmts.int, sum(1 for d in changes if test(d)))
    _charts(wb, ws, (dist_top, grades, most), bins_top, changes)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C统计 第 &P 页，共 &N 页")


def _transition(ws: Any, c: Comparison, grades: list[str], top: int, pair_col: Any, fmts: _Formats) -> int:
    """The grade transition matrix (上期 rows × 本期 columns); returns its last row."""
    ws.merge_range(top, 0, top, len(grades) + 1, f"等级变化（行：{OLD}等级，列：本期等级）", fmts.bold)
    ws.write_row(top + 1, 0, [f"{OLD}＼本期", *grades, "合计"], fmts.header)
    for k, old in enumerate(grades):
        r = top + 2 + k
        ws.write_string(r, 0, old, fmts.center)
        for j, new in enumerate(grades, start=1):
            formula = f"=SUMPRODUCT(({pair_col('上期等级')}=$A{r + 1})*({pair_col('本期等级')}={col_letter(j)}${top + 2}))"
            cached = sum(
                1
                for a, b in zip(c.pairs["old_grade"], c.pairs["new_grade"], strict=True)
                if a == old and b == new
            )
            ws.write_formula(r, j, formula, fmts.int, cached)
        last = col_letter(len(grades))
        ws.write_formula(
            r,
            len(grades) + 1,
            f"=SUM(B{r + 1}:{last}{r + 1})",
            fmts.int,
            int((c.pairs["old_grade"] == old).sum()),
        )
    return top + 1 + len(grades)


def _charts(
    wb: Any, ws: Any, distribution: tuple[int, list[str], int], bins_top: int, changes: list[float]
) -> None:
    """Grade distribution of both seasons (its table's top row, the grades, the largest count),
    and the distribution of the changes, right of the tables."""
    dist_top, grades, most = distribution
    left = max(4, len(grades) + 3)
    if grades:
        chart = wb.add_chart({"type": "column"})
        for col, color in ((1, "#BFBFBF"), (2, "#5B9BD5")):
            chart.add_series(
                {
                    "name": [ws.name, dist_top + 1, col],
                    "categories": [ws.name, dist_top + 2, 0, dist_top + 1 + len(grades), 0],
                    "values": [ws.name, dist_top + 2, col, dist_top + 1 + len(grades), col],
                    "data_labels": {"value": True, "num_format": COUNT_LABEL},
                    "fill": {"color": color},
                }
            )
        chart.set_title({"name": f"等级分布：{OLD}与{NEW}", "name_font": {"size": 11}})
        chart.set_legend({"position": "top"})
        chart.set_y_axis(count_axis(most))
        chart.set_size({"width": 460, "height": 260})
        ws.insert_chart(4, left, chart)
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "对数",
            "categories": [ws.name, bins_top + 2, 0, bins_top + 1 + len(CHANGE_BINS), 0],
            "values": [ws.name, bins_top + 2, 1, bins_top + 1 + len(CHANGE_BINS), 1],
            "data_labels": {"value": True, "num_format": COUNT_LABEL},
            "points": [{"fill": {"color": "#F8696B"}}] * 4
            + [{"fill": {"color": "#BFBFBF"}}]
            + [{"fill": {"color": "#63BE7B"}}] * 4,
        }
    )
    chart.set_title({"name": "总分变化分布（对）", "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    most = max((sum(1 for d in changes if test(d)) for _l, _c, test in CHANGE_BINS), default=0)
    chart.set_y_axis(count_axis(most))
    chart.set_size({"width": 460, "height": 260})
    ws.insert_chart(18, left, chart)


def _write_groups(ws: Any, groups: pd.DataFrame, units: dict[int, str], fmts: _Formats) -> None:
    for col, width in enumerate((5, 20, 12, 8, 8, 8, 9, 9, 9)):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, GROUP_HEADER, fmts.header)
    columns = ["pair", "group", "old_score", "new_score", "change", "old_rate", "new_rate", "rate_change"]
    for i, (pair, group, old, new, change, old_rate, new_rate, rate_change) in enumerate(
        groups[columns].itertuples(index=False, name=None), start=1
    ):
        x = i + 1
        _pair_cells(ws, i, pair, units, fmts)
        ws.write_string(i, 2, _text(group), fmts.cell)
        _num(ws, i, 3, old, fmts.num)
        _num(ws, i, 4, new, fmts.num)
        _difference(ws, i, 5, f"D{x}", f"E{x}", 2, change, fmts.num)
        _num(ws, i, 6, old_rate, fmts.pct)
        _num(ws, i, 7, new_rate, fmts.pct)
        _difference(ws, i, 8, f"G{x}", f"H{x}", 4, rate_change, fmts.pct)
    n = len(groups)
    if n:
        ws.conditional_format(1, 5, n, 5, CHANGE_SCALE)
        ws.conditional_format(1, 8, n, 8, CHANGE_SCALE)
    ws.autofilter(0, 0, max(n, 1), len(GROUP_HEADER) - 1)
    ws.freeze_panes(1, 3)
    _print(ws, GROUPS)


def _pair_cells(ws: Any, r: int, pair: int, units: dict[int, str], fmts: _Formats) -> None:
    """序号 of the pair (as in 对比, which names the project too) and its unit, on one line."""
    ws.write_number(r, 0, pair, fmts.int)
    ws.write_string(r, 1, units[pair], fmts.cell)


def _difference(ws: Any, r: int, c: int, old: str, new: str, digits: int, cached: Any, fmt: Any) -> None:
    """new − old rounded, or "" when either is missing."""
    formula = f'=IF(AND(ISNUMBER({old}),ISNUMBER({new})),ROUND({new}-{old},{digits}),"")'
    ws.write_formula(r, c, formula, fmt, "" if cached != cached else float(cached))  # NaN: missing


def _write_indicators(ws: Any, df: pd.DataFrame, units: dict[int, str], fmts: _Formats) -> None:
    for col, width in enumerate((5, 20, 12, 26, 7, 7, 7, 7, 7, 7, 7, 9)):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, INDICATOR_HEADER, fmts.header)
    columns = ["pair", "group", "name", "old_weight", "new_weight", "old_score", "new_score", "change"]
    columns += ["old_lost", "new_lost", "status"]
    for i, row in enumerate(df[columns].itertuples(index=False, name=None), start=1):
        pair, group, name, *numbers, change, old_lost, new_lost, status = row
        x = i + 1
        _pair_cells(ws, i, pair, units, fmts)
        ws.write_string(i, 2, _text(group), fmts.cell)
        ws.write_string(i, 3, _text(name), fmts.cell)
        for col, value in enumerate(numbers, start=4):
            _num(ws, i, col, value, fmts.num)
        _difference(ws, i, 8, f"G{x}", f"H{x}", 2, change, fmts.num)
        _num(ws, i, 9, old_lost, fmts.num)
        _num(ws, i, 10, new_lost, fmts.num)
        ws.write_string(i, 11, status, fmts.center)
    n = len(df)
    if n:
        ws.conditional_format(1, 8, n, 8, CHANGE_SCALE)
        for word, fmt in ((NEWLY_LOST, fmts.newly), (NO_LONGER_LOST, fmts.fixed)):
            rule = {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt}
            ws.conditional_format(1, 11, n, 11, rule)
    ws.autofilter(0, 0, max(n, 1), len(INDICATOR_HEADER) - 1)
    ws.freeze_panes(1, 4)
    _print(ws, INDICATORS)


def _write_indicator_summary(ws: Any, df: pd.DataFrame, fmts: _Formats) -> None:
    for col, width in enumerate((5, 12, 28, 7, 7, 7, 8, 8, 9, 9)):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, SUMMARY_HEADER, fmts.header)
    for i, row in enumerate(df.to_dict("records"), start=1):
        ws.write_number(i, 0, i, fmts.int)
        ws.write_string(i, 1, _text(row["group"]), fmts.cell)
        ws.write_string(i, 2, _text(row["name"]), fmts.cell)
        for col, key in enumerate(("pairs", "fell", "rose"), start=3):
            ws.write_number(i, col, int(row[key]), fmts.int)
        _num(ws, i, 6, row["mean_change"], fmts.num)
        for col, key in enumerate(("newly_lost", "no_longer_lost", "lost_now"), start=7):
            ws.write_number(i, col, int(row[key]), fmts.int)
    n = len(df)
    if n:
        ws.conditional_format(1, 6, n, 6, CHANGE_SCALE)
        ws.conditional_format(
            1, 7, n, 7, {"type": "data_bar", "bar_color": "#F8696B", "data_bar_2010": False}
        )
    ws.autofilter(0, 0, max(n, 1), len(SUMMARY_HEADER) - 1)
    ws.freeze_panes(1, 3)
    _print(ws, INDICATOR_SUMMARY)


def _write_findings(ws: Any, df: pd.DataFrame, units: dict[int, str], fmts: _Formats) -> None:
    for col, width in enumerate((5, 20, 7, 6, 18, 20, 20, 12, 70)):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, FINDING_HEADER, fmts.header)
    columns = ["pair", "change", "severity", "code", "indicator", "sheet", "cell", "message"]
    for i, (pair, change, severity, code, indicator, sheet, cell, message) in enumerate(
        df[columns].itertuples(index=False, name=None), start=1
    ):
        _pair_cells(ws, i, pair, units, fmts)
        ws.write_string(i, 2, change, fmts.newly if change == ADDED else fmts.fixed)
        ws.write_string(i, 3, SEVERITY_LABELS.get(severity, severity), fmts.sev.get(severity, fmts.center))
        ws.write_string(i, 4, code_name(code), fmts.cell)
        ws.write_string(i, 5, code, fmts.cell)
        ws.write_string(i, 6, _text(indicator), fmts.cell)
        ws.write_string(i, 7, f"{sheet}!{cell}" if _text(cell) else _text(sheet), fmts.cell)
        ws.write_string(i, 8, _text(message), fmts.cell)
    ws.autofilter(0, 0, max(len(df), 1), len(FINDING_HEADER) - 1)
    ws.freeze_panes(1, 3)
    _print(ws, FINDINGS)


def _write_unmatched(ws: Any, df: pd.DataFrame, fmts: _Formats) -> None:
    for col, width in enumerate((5, 10, 10, 16, 22, 6, 7, 6, 26, 40)):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, UNMATCHED_HEADER, fmts.header)
    for i, row in enumerate(df.to_dict("records"), start=1):
        ws.write_number(i, 0, i, fmts.int)
        ws.write_string(i, 1, row["side"], fmts.center)
        ws.write_string(i, 2, KIND_NAMES.get(_text(row["kind"]), _text(row["kind"])), fmts.center)
        ws.write_string(i, 3, _text(row["unit"]), fmts.text)
        ws.write_string(i, 4, _text(row["title"]), fmts.text)
        ws.write_string(i, 5, _text(row["year"]), fmts.center)
        _num(ws, i, 6, row["total"], fmts.num)
        ws.write_string(i, 7, _text(row["grade"]), fmts.center)
        ws.write_string(i, 8, row["file"], fmts.text)
        ws.write_string(i, 9, _text(row["reason"]), fmts.text)
        texts = [
            (_text(row["unit"]), 16),
            (_text(row["title"]), 22),
            (row["file"], 26),
            (_text(row["reason"]), 40),
        ]
        lines = max(wrapped_lines(t, w) for t, w in texts)
        if lines > 1:
            ws.set_row(i, row_height(lines))
    ws.autofilter(0, 0, max(len(df), 1), len(UNMATCHED_HEADER) - 1)
    ws.freeze_panes(1, 2)
    _print(ws, UNMATCHED)


def _print(ws: Any, name: str) -> None:
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer(f"&C{name} 第 &P 页，共 &N 页")
