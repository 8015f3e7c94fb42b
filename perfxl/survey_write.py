"""Writing survey results: the 问卷分析 sheet and the blank 问卷汇总 template (xlsxwriter).

In 问卷分析 the counts are values and everything derived from them is a live formula with
its cached value (so the sheet shows numbers without recalculation and stays right when a
reviewer edits a count): 有效数 = SUM, 均值 = SUMPRODUCT over the 分值 row, 满意度 by the
survey's method over the 分值 / 计入满意 / 权重 row, 总体 = AVERAGE.  α and the item–total
correlations need the raw rows, so they are values.  Only Excel 2007 / WPS functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .cells import a1, row_height, text_width, wrapped_lines
from .survey import (
    MEAN,
    METHOD_EXPLAIN,
    SHARE,
    TALLY,
    WEIGHTED,
    Item,
    SurveyResult,
    option_weights,
    satisfied_flags,
)

_FORMATS: dict[str, dict[str, object]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"bold": True, "font_size": 12, "font_color": "#1F4E79"},
    "header": {
        "bold": True,
        "bg_color": "#DDEBF7",
        "border": 1,
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
    },
    "text": {"border": 1, "valign": "vcenter"},
    "wrap": {"border": 1, "text_wrap": True, "valign": "vcenter"},
    "wrap_bold": {"border": 1, "text_wrap": True, "valign": "vcenter", "bold": True},
    "option": {"border": 1, "text_wrap": True, "valign": "vcenter", "indent": 1},
    "int": {"border": 1, "num_format": "0", "align": "center", "valign": "vcenter"},
    "num": {"border": 1, "num_format": "0.000", "align": "center", "valign": "vcenter"},
    "pct": {"border": 1, "num_format": "0.00%", "align": "center", "valign": "vcenter"},
    "aux": {"border": 1, "italic": True, "font_color": "#595959", "align": "center", "bg_color": "#F2F2F2"},
    "note": {"font_color": "#595959"},
    "note_wrap": {"font_color": "#595959", "text_wrap": True, "valign": "top"},
    "plain": {},
}
_FONT = {"font_name": "宋体", "font_size": 10}  # as in the annotated workbook
_NO_FORMULAS = {"strings_to_formulas": False, "strings_to_urls": False}
_OTHERS_SHOWN = 10  # "other" texts listed under a choice question; the JSON has them all
_QUESTION_WIDTH = 46  # column B: questions and option labels
_NUMBER_WIDTH = 11  # columns C onwards
_ROW_PIXELS = 20  # a row of the default height
_LABEL_WIDTH = 36  # the longest question a chart shows as its label


def _formats(workbook: Any, given: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(given or {})
    for key, props in _FORMATS.items():
        if key not in out:
            out[key] = workbook.add_format({**_FONT, **props})
    return out


def _fit_row(ws: Any, row: int, texts: Sequence[tuple[str, float]]) -> None:
    """Give *row* the height its wrapped texts need ((text, column width) pairs): rows do not
    grow by themselves in print, and a wrapped text would be cut or overprint the next row."""
    lines = max(wrapped_lines(text, width) for text, width in texts)
    if lines > 1:
        ws.set_row(row, row_height(lines))


def _groups(items: Sequence[Item]) -> list[list[Item]]:
    """Items sharing one option set (labels + scores) go into one table, in order of appearance."""
    groups: dict[tuple[tuple[str, ...], tuple[float, ...]], list[Item]] = {}
    for it in items:
        groups.setdefault((it.labels, it.scores), []).append(it)
    return list(groups.values())


def write_survey_sheet(
    workbook: Any,
    results: Sequence[SurveyResult],
    formats: Mapping[str, Any] | None = None,
    *,
    sheet_name: str = "问卷分析",
) -> Any:
    """Add *sheet_name* to an open xlsxwriter Workbook; returns the worksheet (None without results).

    *formats* may supply xlsxwriter Formats under the keys title, subtitle, header, text, wrap,
    wrap_bold, option, int, num, pct, aux, note, note_wrap; missing ones are created.  The workbook should be created with
    ``{'strings_to_formulas': False, 'strings_to_urls': False}``; texts are written with
    ``write_string`` anyway, so a question starting with "=" stays text.
    """
    if not results:
        return None
    fmt = _formats(workbook, formats)
    ws = workbook.add_worksheet(sheet_name)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, _QUESTION_WIDTH)
    ws.set_column(2, 14, _NUMBER_WIDTH)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, "问卷分析", fmt["title"])
    ws.write_string(
        1, 0, "人数为数值，有效数、均值、满意度、占比与总体满意度为公式，修改人数后自动重算。", fmt["note"]
    )
    row = 3
    for res in results:
        row = _write_survey(workbook, ws, res, fmt, row) + 2
    return ws


def _write_survey(workbook: Any, ws: Any, res: SurveyResult, fmt: dict[str, Any], row: int) -> int:
    title = f"问卷：{res.name}" + (f"（工作表 {res.sheet}）" if res.sheet != res.name else "")
    ws.write_string(row, 0, title, fmt["subtitle"])
    row += 1
    facts: list[tuple[str, object, str]] = [
        ("回收问卷（份）", res.respondents, "int"),
        ("有效问卷（份）", res.valid, "int"),
        ("计算方法", METHOD_EXPLAIN.get(res.method, res.method), "text"),
    ]
    if res.source == TALLY:
        facts.append(("信度系数 α", "汇总表无逐份答卷，无法计算", "text"))
    elif res.cronbach_alpha is None:
        facts.append(("信度系数 α", "无法计算", "text"))
    else:
        facts.append(("信度系数 α（克朗巴哈）", res.cronbach_alpha, "num"))
        facts.append(("参与信度计算的问卷（份）", res.alpha_n, "int"))
    for d in res.dropped:
        facts.append((f"剔除：{d.reason}", d.count, "int"))
    for label, value, kind in facts:
        ws.write_string(row, 1, label, fmt["text"])
        if isinstance(value, str):
            ws.write_string(row, 2, value, fmt["plain"])
        else:
            ws.write_number(row, 2, value, fmt[kind])
        row += 1
    row += 1

    sat_cells: list[tuple[int, int, int]] = []  # (first row, last row, column) of 满意度 per table
    q_cells: list[tuple[int, int, int]] = []
    for group in _groups(res.items):
        row, sat, qs = _write_items(ws, res, group, fmt, row)
        sat_cells.append(sat)
        q_cells.append(qs)
        row += 1
    if res.items:
        ws.write_string(row, 1, "总体满意度（各题满意度的平均值）", fmt["header"])
        col = sat_cells[0][2]
        if res.overall is None:
            ws.write_string(row, col, "—", fmt["text"])
        else:
            refs = ",".join(f"{a1(r1, c)}:{a1(r2, c)}" for r1, r2, c in sat_cells)
            ws.write_formula(row, col, f"=AVERAGE({refs})", fmt["pct"], res.overall)
        row = _chart(workbook, ws, res, sat_cells, q_cells, row + 2) + 1
    else:
        ws.write_string(row, 1, "没有满意度题", fmt["note"])
        row += 2
    if res.choices:
        row = _write_choices(ws, res, fmt, row)
    return row


def _write_items(
    ws: Any, res: SurveyResult, items: list[Item], fmt: dict[str, Any], row: int
) -> tuple[int, tuple[int, int, int], tuple[int, int, int]]:
    labels, scores = items[0].labels, items[0].scores
    k = len(labels)
    c0 = 3  # first option column (D)
    c_n, c_mean, c_sat, c_r, c_rr = 2, c0 + k, c0 + k + 1, c0 + k + 2, c0 + k + 3
    headers = ["序号", "题目", "有效数", *labels, "均值", "满意度", "题总相关", "校正题总相关"]
    for c, h in enumerate(headers):
        ws.write_string(row, c, h, fmt["header"])
    _fit_row(ws, row, [(h, _NUMBER_WIDTH) for h in headers[2:]])
    row += 1

    # helper rows the formulas read: 分值, and 计入满意 or 权重 for the other methods
    score_row = row
    ws.write_string(row, 1, "分值", fmt["aux"])
    for i, s in enumerate(scores):
        ws.write_number(row, c0 + i, s, fmt["aux"])
    row += 1
    weights = option_weights(scores, res.weights) if res.method == WEIGHTED else None
    method = res.method if res.method != WEIGHTED or weights is not None else MEAN
    aux_row = None
    if method == SHARE:
        aux_row = row
        ws.write_string(row, 1, "计入满意（1=是）", fmt["aux"])
        for i, ok in enumerate(satisfied_flags(labels, scores)):
            ws.write_number(row, c0 + i, 1 if ok else 0, fmt["aux"])
        row += 1
    elif method == WEIGHTED and weights is not None:
        aux_row = row
        ws.write_string(row, 1, "权重（选项分值）", fmt["aux"])
        for i, w in enumerate(weights):
            ws.write_number(row, c0 + i, w, fmt["aux"])
        row += 1
    divisor = 100 if weights is not None and max(weights) > 1 else 1

    first = row
    span_s = f"{a1(score_row, c0, absolute=True)}:{a1(score_row, c0 + k - 1, absolute=True)}"
    span_a = f"{a1(aux_row, c0, absolute=True)}:{a1(aux_row, c0 + k - 1, absolute=True)}" if aux_row else ""
    for idx, it in enumerate(items, start=1):
        counts = f"{a1(row, c0)}:{a1(row, c0 + k - 1)}"
        n = a1(row, c_n)
        ws.write_number(row, 0, idx, fmt["int"])
        ws.write_string(row, 1, it.question, fmt["wrap"])
        _fit_row(ws, row, [(it.question, _QUESTION_WIDTH)])
        ws.write_formula(row, c_n, f"=SUM({counts})", fmt["int"], it.n)
        for i, cnt in enumerate(it.counts):
            ws.write_number(row, c0 + i, cnt, fmt["int"])
        ws.write_formula(
            row, c_mean, f'=IF({n}=0,"",SUMPRODUCT({counts},{span_s})/{n})', fmt["num"], _cached(it.mean)
        )
        if method == SHARE:
            sat = f'=IF({n}=0,"",SUMPRODUCT({counts},{span_a})/{n})'
        elif method == WEIGHTED:
            sat = f'=IF({n}=0,"",SUMPRODUCT({counts},{span_a})/{n}/{divisor})'
        else:
            sat = f'=IF({n}=0,"",SUMPRODUCT({counts},{span_s})/{n}/MAX({span_s}))'
        ws.write_formula(row, c_sat, sat, fmt["pct"], _cached(it.satisfaction))
        for c, value in ((c_r, it.item_total_r), (c_rr, it.item_rest_r)):
            if value is None:
                ws.write_string(row, c, "—", fmt["int"])
            else:
                ws.write_number(row, c, value, fmt["num"])
        row += 1
    return row, (first, row - 1, c_sat), (first, row - 1, 1)


def _cached(value: float | None) -> float | str:
    return "" if value is None else value


def _chart(
    workbook: Any,
    ws: Any,
    res: SurveyResult,
    sat_cells: list[tuple[int, int, int]],
    q_cells: list[tuple[int, int, int]],
    top: int,
) -> int:
    """A native bar chart of item satisfaction below the tables (beside them it would shrink the
    printed page); returns the last row it covers."""
    chart = workbook.add_chart({"type": "bar"})
    # long questions as labels would squeeze the bars to a sliver: then the table's 序号 names them
    numbered = max(text_width(it.question) for it in res.items) > _LABEL_WIDTH
    for (r1, r2, c), (q1, q2, qc) in zip(sat_cells, q_cells, strict=True):
        chart.add_series(
            {
                "name": "满意度",
                "categories": [ws.name, q1, 0 if numbered else qc, q2, 0 if numbered else qc],
                "values": [ws.name, r1, c, r2, c],
                "data_labels": {"value": True, "num_format": "0.00%"},
                "fill": {"color": "#5B9BD5"},
                "gap": 60,
            }
        )
    title = f"{res.name} 各题满意度" + ("（按上表序号）" if numbered else "")
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})  # first question on top, as in the table
    chart.set_legend({"none": True})
    height = min(120 + 34 * len(res.items), 900)
    chart.set_size({"width": 720, "height": height})
    ws.insert_chart(top, 1, chart, {"y_offset": 5})
    return top + -(-(height + 5) // _ROW_PIXELS)


def _write_choices(ws: Any, res: SurveyResult, fmt: dict[str, Any], row: int) -> int:
    """One block per question: a question row (题型, 答题人数), then one row per option."""
    ws.write_string(
        row, 1, "选择题（单选：选择人数 ÷ 答题人数；多选：选择次数 ÷ 全部选择次数）", fmt["subtitle"]
    )
    row += 1
    headers = ["序号", "题目 / 选项", "题型", "答题人数", "选择次数", "占比", "占答题人数比例"]
    for c, h in enumerate(headers):
        ws.write_string(row, c, h, fmt["header"])
    row += 1
    for idx, ch in enumerate(res.choices, start=1):
        ws.write_number(row, 0, idx, fmt["int"])
        ws.write_string(row, 1, ch.question, fmt["wrap_bold"])
        _fit_row(ws, row, [(ch.question, _QUESTION_WIDTH)])
        ws.write_string(row, 2, "多选" if ch.multi else "单选", fmt["int"])
        ws.write_number(row, 3, ch.respondents, fmt["int"])
        for c in range(4, 7):
            ws.write_blank(row, c, None, fmt["text"])
        n_cell = a1(row, 3, absolute=True)
        first, last = row + 1, row + len(ch.labels)
        span = f"{a1(first, 4, absolute=True)}:{a1(last, 4, absolute=True)}"
        shares, of_resp = ch.shares, ch.shares_of_respondents
        for i, (lab, cnt) in enumerate(zip(ch.labels, ch.counts, strict=True)):
            r = first + i
            for c in (0, 2, 3):
                ws.write_blank(r, c, None, fmt["text"])
            ws.write_string(r, 1, lab, fmt["option"])
            _fit_row(ws, r, [(lab, _QUESTION_WIDTH - 2)])
            ws.write_number(r, 4, cnt, fmt["int"])
            cnt_cell = a1(r, 4)
            if ch.multi:
                ws.write_formula(
                    r, 5, f'=IF(SUM({span})=0,"",{cnt_cell}/SUM({span}))', fmt["pct"], shares[lab]
                )
                ws.write_formula(r, 6, f'=IF({n_cell}=0,"",{cnt_cell}/{n_cell})', fmt["pct"], of_resp[lab])
            else:
                ws.write_formula(r, 5, f'=IF({n_cell}=0,"",{cnt_cell}/{n_cell})', fmt["pct"], shares[lab])
                ws.write_blank(r, 6, None, fmt["text"])
        row = last + 1
        if ch.others:
            shown = "；".join(ch.others[:_OTHERS_SHOWN])
            more = f" 等 {len(ch.others)} 条" if len(ch.others) > _OTHERS_SHOWN else ""
            text = f"“其他”填写内容：{shown}{more}"
            ws.write_string(row, 1, text, fmt["note_wrap"])
            _fit_row(ws, row, [(text, _QUESTION_WIDTH)])
            row += 1
    return row
