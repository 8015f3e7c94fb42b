"""Read the indicator table (docs/workbook.md) and 项目信息 by name, never by position.

Every value keeps its sheet and 0-based (row, col) so that messages and
formulas can point at the user's cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .book import Book, Sheet
from .cells import a1
from .errors import Finding, PerfxlError
from .numbers import cell_text, normalize
from .sums import evaluate_sum

# canonical column → accepted headers (docs/workbook.md)
COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "指标名称", "三级指标名称"),
    "weight": ("权重", "分值", "权重分", "标准分", "权重分值", "指标权重", "三级指标权重"),
    "explanation": ("指标解释", "指标说明", "指标内涵"),
    "basis": ("评价依据",),
    "target": ("标杆值", "指标值", "年度指标值", "目标值", "预期指标值", "年度目标值", "计划值"),
    "actual": ("业绩值", "实际完成值", "实际值", "完成值", "全年实际值", "实际完成情况"),
    "rule": ("评分标准", "评分规则", "计分标准", "评分方法", "评分标准及方法"),
    "method": ("计分方法",),
    "judgements": ("要点判定",),
    "failures": ("不符合项数", "扣分项数", "扣分次数"),
    "process": ("评分过程", "评分说明", "评分依据及过程"),
    "score": ("得分", "评价得分", "实际得分", "自评得分", "最终得分"),
    "rate": ("得分率",),
    "deviation": ("偏差原因分析", "偏差原因分析及改进措施", "偏差原因"),
}
LABELS = {
    "seq": "序号",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "weight": "权重",
    "explanation": "指标解释",
    "basis": "评价依据",
    "target": "标杆值",
    "actual": "业绩值",
    "rule": "评分标准",
    "method": "计分方法",
    "judgements": "要点判定",
    "failures": "不符合项数",
    "process": "评分过程",
    "score": "得分",
    "rate": "得分率",
    "deviation": "偏差原因分析",
}
_HEADER_LOOKUP = {syn: canon for canon, syns in COLUMNS.items() for syn in syns}
_EXPERT_RE = re.compile(r"^专家(?:(\d+|[一二三四五六七八九十]+)号?)?(?:得分|打分|评分)?$")
_TOTAL_RE = re.compile(r"^(合计|总分|总计|得分合计|总得分|综合得分)$")
_SUBTOTAL_RE = re.compile(r"^(小计)$")
_CODE_RE = re.compile(
    r"^([A-Z][0-9]{0,2})(?=[\s\.、．:：]|[\u4e00-\u9fff“\"「《(（]|\d{3,})[\s\.、．:：]*(.+)$"
)
_DECLARED_WEIGHT_RE = re.compile(r"[（(]\s*(-?\d+(?:\.\d+)?)\s*(?:分|%)?\s*[)）]\s*$")
_INDICATOR_SHEETS = ("指标", "评分表", "指标体系", "评分", "自评表", "绩效自评")
HEADER_SCAN_ROWS = 15


@dataclass(frozen=True)
class Pos:
    """A cell of the user's workbook: sheet and 0-based row/column."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)


@dataclass
class IndicatorRow:
    """One level-3 indicator line of the table."""

    row: int
    name: str
    code: str
    level1: str
    level1_code: str
    level1_weight: str  # the declared "（15）" text, '' if none
    level2: str
    level2_code: str
    level2_weight: str
    level1_row: int  # row where the level-1 text stands (for messages)
    level2_row: int
    values: dict[str, object] = field(default_factory=dict)  # canonical → raw cell value
    experts: list[tuple[int, object]] = field(default_factory=list)  # (col, raw)

    def text(self, key: str) -> str:
        return cell_text(self.values.get(key, ""))


@dataclass
class TotalRow:
    row: int
    label: str
    level1: str  # for 小计 rows: the group they close
    values: dict[str, object] = field(default_factory=dict)
    # columns (score, weight) holding a formula saved without its result: its text, and its
    # value when it is a plain sum over the sheet's cells (perfxl.sums), else None
    formulas: dict[str, tuple[str, Decimal | None]] = field(default_factory=dict)


@dataclass
class IndicatorTable:
    sheet: str
    header_row: int
    columns: dict[str, int]
    expert_cols: list[tuple[str, int]]
    headers: list[str]  # header labels of every column (original text)
    rows: list[IndicatorRow]
    totals: list[TotalRow]
    title: str
    findings: list[Finding] = field(default_factory=list)
    first_row: int = 0  # first data row

    def pos(self, row: int, key: str) -> Pos | None:
        col = self.columns.get(key)
        return None if col is None else Pos(self.sheet, row, col)

    def cell(self, row: int, key: str) -> str:
        p = self.pos(row, key)
        return p.a1 if p else ""


def _clean_header(value: object) -> str:
    text = normalize(cell_text(value))
    text = re.sub(r"[（(][^）)]*[）)]$", "", text)  # 权重（分）, 金额(万元)
    return text.strip("*：:")


def _match_header(label: str) -> str | None:
    if not label:
        return None
    if label in _HEADER_LOOKUP:
        return _HEADER_LOOKUP[label]
    # tolerate suffixes such as 评分标准及说明, but never let 得分率 match 得分
    for syn in sorted(_HEADER_LOOKUP, key=len, reverse=True):
        if len(syn) >= 3 and label.startswith(syn) and not label[len(syn) :].startswith("率"):
            return _HEADER_LOOKUP[syn]
    return None


def header_key(label: object) -> str | None:
    """The canonical column (key of :data:`COLUMNS`) a header text names, or None."""
    return _match_header(_clean_header(label))


def _header_labels(sheet: Sheet, r: int) -> list[str]:
    """Labels of row r; an empty cell takes the label above it (two-row / merged headers)."""
    width = sheet.width
    labels = []
    for c in range(width):
        lab = _clean_header(sheet.value(r, c))
        if not lab and r > 0:
            above = _clean_header(sheet.value(r - 1, c))
            if _match_header(above) or _EXPERT_RE.match(above):
                lab = above
        labels.append(lab)
    return labels


def find_header(sheet: Sheet) -> tuple[int, dict[str, int], list[tuple[str, int]], list[str]] | None:
    """(row, canonical columns, expert columns, labels) of the indicator header, or None."""
    for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
        labels = _header_labels(sheet, r)
        cols: dict[str, int] = {}
        experts: list[tuple[str, int]] = []
        for c, lab in enumerate(labels):
            canon = _match_header(lab)
            if canon and canon not in cols:
                cols[canon] = c
            elif _EXPERT_RE.match(lab) and lab:
                experts.append((lab, c))
        if "name" in cols and "weight" in cols:
            return r, cols, experts, labels
    return None


def split_code(text: str) -> tuple[str, str]:
    """'A11 中长期规划科学合理性' → ('A11', '中长期规划科学合理性'); 'C4112345政务…' → ('C41', '12345政务…')."""
    t = normalize(text) if text else ""
    t = t.strip()
    m = _CODE_RE.match(t)
    if m:
        return m.group(1), m.group(2).strip()
    return "", t


def split_declared_weight(text: str) -> tuple[str, str]:
    """'部门决策（15）' → ('部门决策', '15')."""
    m = _DECLARED_WEIGHT_RE.search(text)
    if m:
        return text[: m.start()].strip(), m.group(1)
    return text, ""


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_table(book: Book) -> IndicatorTable:
    """Find and read the indicator table; raise PerfxlError if there is none."""
    candidates = []
    for pat in _INDICATOR_SHEETS:
        for name in book.sheet_names:
            if (name.strip() == pat or pat in name) and name not in candidates:
                candidates.append(name)
    others = [
        n
        for n in book.sheet_names
        if n not in candidates and not n.startswith(("基础表", "问卷", "项目信息"))
    ]
    for name in candidates + others:
        sheet = book.sheet(name)
        found = find_header(sheet)
        if found:
            return _read_rows(sheet, *found)
    if candidates:
        sheet = book.sheet(candidates[0])
        for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
            labels = [_match_header(_clean_header(v)) for v in sheet.rows[r]]
            if "name" in labels:
                c = labels.index("name")
                raise PerfxlError(
                    "指标表缺少“权重”列（可用表头：权重、分值、权重分、标准分）", sheet=name, cell=a1(r, c)
                )
        raise PerfxlError(
            f"前 {HEADER_SCAN_ROWS} 行中没有找到表头：需要“三级指标”（或“指标名称”）和“权重”（或“分值”）两列",
            sheet=name,
        )
    raise PerfxlError(
        "未找到指标表：需要名为“指标”或“评分表”的工作表，表头含“三级指标”和“权重”；"
        f"本工作簿的工作表为：{'、'.join(book.sheet_names) or '（无）'}"
    )


def _read_rows(
    sheet: Sheet, header: int, cols: dict[str, int], experts: list[tuple[str, int]], labels: list[str]
) -> IndicatorTable:
    title = ""
    for r in range(header):
        for v in sheet.rows[r] if r < len(sheet.rows) else []:
            t = cell_text(v)
            if t:
                title = _flat(t)
                break
        if title:
            break
    rows: list[IndicatorRow] = []
    totals: list[TotalRow] = []
    l1 = l2 = ""
    l1_row = l2_row = header + 1
    name_col = cols["name"]
    label_cols = sorted({c for k, c in cols.items() if k in ("seq", "level1", "level2", "name")})
    start = header + 1
    # a second header line (e.g. units row "（分）") directly below: skip rows that hold only header words
    while (
        start < len(sheet.rows)
        and all((_match_header(_clean_header(v)) or not cell_text(v)) for v in sheet.rows[start])
        and any(cell_text(v) for v in sheet.rows[start])
    ):
        start += 1
    as_text: list[Finding] = []
    for r in range(start, len(sheet.rows)):
        raw = sheet.rows[r]
        vals = {k: sheet.value(r, c) for k, c in cols.items()}
        for key in ("target", "actual"):
            typed = _typed_as_formula(sheet, r, cols[key]) if key in cols else None
            if typed is not None and key == "actual":
                typed = typed[1:]  # "=120册" as an actual means 120册
            if typed is not None:
                vals[key] = typed
                as_text.append(
                    Finding(
                        "info",
                        "formula.as_text",
                        sheet.name,
                        a1(r, cols[key]),
                        f"{LABELS[key]}“={typed.lstrip('=')}”被保存成了公式（以“=”开头的文字会被 Excel、WPS 和脚本当作公式），"
                        f"已按文字“{typed}”读取；输入前把该列设为文本格式即可避免",
                    )
                )
        if "level1" in cols and cell_text(vals["level1"]):
            new_l1 = _flat(cell_text(vals["level1"]))
            if new_l1 != l1:
                l1, l1_row = new_l1, r
                l2, l2_row = "", r
        if "level2" in cols and cell_text(vals["level2"]):
            l2, l2_row = _flat(cell_text(vals["level2"])), r
        texts = [_flat(cell_text(sheet.value(r, c))) for c in label_cols]
        if any(_TOTAL_RE.match(t) for t in texts if t):
            label = next(t for t in texts if t and _TOTAL_RE.match(t))
            totals.append(TotalRow(r, label, "", vals, _total_formulas(sheet, r, cols)))
            continue
        if any(_SUBTOTAL_RE.match(t) for t in texts if t):
            totals.append(TotalRow(r, "小计", l1, vals, _total_formulas(sheet, r, cols)))
            continue
        name_raw = cell_text(sheet.value(r, name_col))
        weight_raw = cell_text(vals.get("weight", ""))
        if not name_raw and not weight_raw:
            continue
        if not any(cell_text(v) for v in raw):
            continue
        code, name = split_code(_flat(name_raw) if name_raw else "")
        if not name:
            name = split_code(l2)[1] or l2
        c1, n1 = split_code(l1)
        n1, w1 = split_declared_weight(n1)
        c2, n2 = split_code(l2)
        n2, w2 = split_declared_weight(n2)
        rows.append(
            IndicatorRow(
                row=r,
                name=name,
                code=code,
                level1=n1,
                level1_code=c1,
                level1_weight=w1,
                level2=n2,
                level2_code=c2,
                level2_weight=w2,
                level1_row=l1_row,
                level2_row=l2_row,
                values=vals,
                experts=[(c, sheet.value(r, c)) for _lab, c in experts],
            )
        )
    findings = as_text + _uncached(sheet, cols, experts, [r.row for r in rows])
    return IndicatorTable(
        sheet.name, header, cols, experts, labels, rows, totals, title, findings=findings, first_row=start
    )


_VALUE_KEYS = ("weight", "target", "actual", "score", "failures")


def _uncached(
    sheet: Sheet, cols: dict[str, int], experts: list[tuple[str, int]], rows: list[int]
) -> list[Finding]:
    """Formula cells saved without their result (openpyxl and scripts write them) read as empty: say so."""
    if not sheet.uncached:
        return []
    where = [(c, LABELS[k]) for k, c in cols.items() if k in _VALUE_KEYS] + [
        (c, "专家评分") for _l, c in experts
    ]
    return [
        Finding(
            "error",
            "formula.uncached",
            sheet.name,
            a1(r, c),
            f"{label}单元格是公式但没有保存计算结果，请在 Excel/WPS 中打开并保存后再处理",
        )
        for r in rows
        for c, label in where
        if (r, c) in sheet.uncached and _typed_as_formula(sheet, r, c) is None
    ]


def _total_formulas(sheet: Sheet, r: int, cols: dict[str, int]) -> dict[str, tuple[str, Decimal | None]]:
    out = {}
    for key in ("score", "weight"):
        c = cols.get(key)
        if c is not None and (r, c) in sheet.uncached:
            text = sheet.formula_text.get((r, c), "")
            out[key] = (text, evaluate_sum(text, sheet) if text else None)
    return out


_CELL_ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#N/A", "#NUM!", "#NULL!", "#DIV/0!")
# text no spreadsheet formula can be: Chinese words, or a bare comparator and number (=20部, =≥90%, =1年)
_TEXT_LIKE = re.compile(r'^(?!.*["(])(?:.*[\u4e00-\u9fff].*|[≥≤<>]?\s*-?\d+(?:\.\d+)?\s*%?)$')


def _typed_as_formula(sheet: Sheet, r: int, c: int) -> str | None:
    """A 标杆值/业绩值 typed as "=20部" that a tool stored as a formula (no result, or #NAME?):
    the text the evaluator meant, or None."""
    text = sheet.formula_text.get((r, c))
    if text is None or not _TEXT_LIKE.match(text.strip()):
        return None
    value = sheet.value(r, c)
    if (r, c) in sheet.uncached or str(value).strip() in _CELL_ERRORS or not cell_text(value):
        return "=" + text.strip()
    return None


# ---------------------------------------------------------------- 项目信息

INFO_KEYS = {
    "title": ("项目名称", "部门名称", "单位名称", "名称", "评价对象"),
    "unit": ("单位", "实施单位", "被评价单位", "主管部门", "预算单位"),
    "year": ("年度", "评价年度", "预算年度"),
    "kind": ("评价类型", "类型"),
    "evaluator": ("评价机构", "第三方机构", "评价单位"),
    "grades": ("评级标准", "等级标准", "分级标准", "等级划分"),
    "declared_total": ("总分", "评价总分", "总得分", "评价得分"),
    "declared_grade": ("等级", "评价等级", "绩效评级", "绩效等级", "评价结论"),
    "expert_trim": ("专家去极值", "去掉最高最低分"),
    "expert_weight": ("专家权重", "专家评分权重"),
    "rate_digits": ("得分率取整", "完成率先取整", "比率保留位数"),
}
_INFO_LOOKUP = {syn: key for key, syns in INFO_KEYS.items() for syn in syns}
UNIT_TITLES = ("部门名称", "单位名称")


@dataclass
class ProjectInfo:
    values: dict[str, str] = field(default_factory=dict)
    cells: dict[str, Pos] = field(default_factory=dict)
    sheet: str = ""

    def get(self, key: str) -> str:
        return self.values.get(key, "")


# A self-evaluation form names itself above its table: 项目名称/部门名称, 主管部门, 实施单位,
# 年度 (or a title "（2024年度）"), and its 自评等级 beside the 总分 row.
_FORM_KEYS = {
    "title": ("项目名称", "部门名称", "单位名称"),
    "unit": ("实施单位", "主管部门"),  # in this order of preference
    "year": ("年度", "评价年度", "预算年度", "自评年度"),
    "declared_grade": ("自评等级", "评价等级"),
}
_FORM_LOOKUP = {syn: key for key, syns in _FORM_KEYS.items() for syn in syns}
_YEAR_TITLE_RE = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*年度?\s*[)）]")


def read_info(book: Book, table: IndicatorTable | None = None) -> ProjectInfo:
    """Key/value rows of the 项目信息 sheet; without one, the fields a self-evaluation form
    holds on its own sheet (``table``'s, above the table and beside its totals)."""
    name = book.find("项目信息", "基本信息", "评价信息")
    if not name:
        return _form_info(book.sheet(table.sheet), table) if table is not None else ProjectInfo()
    info = ProjectInfo(sheet=name)
    sheet = book.sheet(name)
    title_label = ""
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row):
            label = _clean_header(v)
            key = _INFO_LOOKUP.get(label)
            if not key or key in info.values:
                continue
            for c2 in range(c + 1, len(row)):
                val = cell_text(row[c2])
                if val:
                    info.values[key] = val
                    info.cells[key] = Pos(name, r, c2)
                    title_label = label if key == "title" else title_label
                    break
    # 部门名称 / 单位名称 name the evaluated unit itself: it is the 单位 unless one is given
    if title_label in UNIT_TITLES and "unit" not in info.values:
        info.values["unit"] = info.values["title"]
        info.cells["unit"] = info.cells["title"]
    return info


def _form_info(sheet: Sheet, table: IndicatorTable) -> ProjectInfo:
    info = ProjectInfo(sheet=sheet.name)
    rows = list(range(min(table.header_row, len(sheet.rows)))) + [t.row for t in table.totals]
    found: dict[str, tuple[str, str, Pos]] = {}  # key → (label, value, cell)
    for r in rows:
        row = sheet.rows[r]
        for c, v in enumerate(row):
            label = normalize(cell_text(v)).rstrip(":：")
            key = _FORM_LOOKUP.get(label)
            if key is None:
                match = _YEAR_TITLE_RE.search(cell_text(v))
                if match and "year" not in found:
                    found["year"] = ("", match.group(1), Pos(sheet.name, r, c))
                continue
            beside = _form_value(sheet, r, c)
            if beside is None:
                continue
            rank = _FORM_KEYS[key].index(label)
            if key not in found or rank < _FORM_KEYS[key].index(found[key][0] or _FORM_KEYS[key][-1]):
                found[key] = (label, *beside)
    if (
        "title" in found
        and found["title"][0] == "部门名称"
        and "实施单位" not in {v[0] for v in found.values()}
    ):
        found["unit"] = found["title"]  # a department's own form: the department is the unit
    for key, (_label, text, pos) in found.items():
        info.values[key] = text
        info.cells[key] = pos
    return info


def _form_value(sheet: Sheet, r: int, c: int) -> tuple[str, Pos] | None:
    """The first text right of a label on its row, unless another label comes first."""
    row = sheet.rows[r]
    for c2 in range(c + 1, len(row)):
        text = cell_text(row[c2])
        if not text:
            continue
        if normalize(text).rstrip(":：") in _FORM_LOOKUP:
            return None
        return text, Pos(sheet.name, r, c2)
    return None


def read_goal(sheet: Sheet) -> tuple[str, str, str] | None:
    """The 年度总体目标 block of a self-evaluation form: (sheet, cell, 实际完成情况 text), or None.

    The form puts "年度总体目标" in a label cell, the headers 预期目标 | 实际完成情况 beside it and
    the texts in the row below.
    """
    for r, row in enumerate(sheet.rows[:40]):
        if not any(normalize(cell_text(v)) == "年度总体目标" for v in row):
            continue
        for hr in range(r, min(r + 3, len(sheet.rows))):
            for c, v in enumerate(sheet.rows[hr]):
                if normalize(cell_text(v)) == "实际完成情况":
                    vr = hr + 1
                    return sheet.name, a1(vr, c), cell_text(sheet.value(vr, c))
        return None
    return None
