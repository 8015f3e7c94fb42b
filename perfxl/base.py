"""Read the 基础表 sheets by their labels (docs/workbook.md, 基础表) and audit their sums (docs/audit.md).

Four kinds of content are recognized wherever they sit in a sheet whose name
contains 基础表 (or 基础数据):

- the budget table: a header row with at least two of 年初预算数 / 全年预算数 /
  实际到位数 / 实际支出数 (and synonyms), rows labelled 基本支出, 人员经费, … 合计;
- key/value items: a label cell (编制数, 实有人数, …) and a number to its right
  (or below it, when the labels form a header row);
- the project list (项目明细): a header with 项目名称, ending at its 合计 row;
- monthly staffing (月度人员): a header with 月份 and 在岗人数.

Every value keeps its sheet and 0-based position so that formulas can point at
it.  Text where a number belongs is a finding (``base.bad_number``), never an
exception.  Amounts are 万元; a table whose header, title or a unit cell says 元
is divided by 10,000 (and a note says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .book import Book, Sheet
from .cells import a1, sheet_ref
from .errors import Finding
from .numbers import cell_text, fmt_num, normalize, parse_number, to_decimal

ONE = Decimal(1)
YUAN = Decimal("0.0001")  # 元 → 万元
TOLERANCE = Decimal("0.005")  # 万元, for sums that should agree

# ------------------------------------------------------------------ vocabulary

# Budget table columns: canonical key → (display name, accepted headers).
BUDGET_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "initial": ("年初预算数", ("年初预算数", "年初预算", "年初预算金额", "年初预算安排", "年初预算安排数")),
    "full": (
        "全年预算数",
        (
            "全年预算数",
            "全年预算",
            "调整后预算数",
            "调整后预算",
            "调整后全年预算数",
            "全年预算金额",
            "预算数",
        ),
    ),
    "funded": (
        "实际到位数",
        ("实际到位数", "到位资金", "实际到位资金", "到位数", "资金到位数", "实际到位金额"),
    ),
    "spent": (
        "实际支出数",
        (
            "实际支出数",
            "决算数",
            "全年执行数",
            "实际支出",
            "实际支出金额",
            "执行数",
            "全年支出数",
            "实际执行数",
        ),
    ),
    "previous": ("上年支出数", ("上年支出数", "上年数", "上年决算数", "上年实际支出数")),
}

# Budget table rows: canonical key → (display name, accepted labels).  Quotes are
# stripped before matching, so "三公"经费 and “三公”经费 are 三公经费.
BUDGET_ROWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "basic": ("基本支出", ("基本支出", "基本支出合计")),
    "personnel": ("人员经费", ("人员经费", "人员经费支出", "人员支出")),
    "public": ("公用经费", ("公用经费", "日常公用经费", "公用经费支出", "日常公用经费支出", "日常公用支出")),
    "project": ("项目支出", ("项目支出", "项目支出合计")),
    "three_public": ("三公经费", ("三公经费", "三公经费支出", "三公支出")),
    "procurement": ("政府采购", ("政府采购", "政府采购支出", "政府采购金额", "政府采购资金")),
    # Outlays besides 基本/项目 that a 决算 table lists before its 合计.
    "remit": ("上缴上级支出", ("上缴上级支出",)),
    "business": ("经营支出", ("经营支出",)),
    "subsidiary": ("对附属单位补助支出", ("对附属单位补助支出",)),
    "total": (
        "合计",
        (
            "合计",
            "本年支出合计",
            "支出合计",
            "年度资金总额",
            "资金总额",
            "项目资金总额",
            "总计",
            "本年支出总计",
        ),
    ),
}

# Key/value items: canonical key → (display name, accepted labels, is an amount in 万元).
ITEMS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "staff_quota": ("编制数", ("编制数", "编制人数", "核定编制数", "年末编制数"), False),
    "staff_actual": (
        "实有人数",
        ("实有人数", "实有在编人数", "在编人数", "实有在编人员数", "年末实有人数"),
        False,
    ),
    "assets_total": (
        "固定资产总额",
        ("固定资产总额", "所有固定资产总额", "固定资产总值", "固定资产原值"),
        True,
    ),
    "assets_in_use": (
        "在用固定资产总额",
        ("在用固定资产总额", "实际在用固定资产总额", "在用固定资产", "在用固定资产原值"),
        True,
    ),
    "projects_planned": ("计划完成项目数", ("计划完成项目数", "计划项目数", "计划实施项目数"), False),
    "projects_done": ("实际完成项目数", ("实际完成项目数", "完成项目数", "已完成项目数"), False),
    "key_tasks": ("重点工作数", ("重点工作数", "重点工作任务数", "计划重点工作数"), False),
    "key_tasks_done": ("完成重点工作数", ("完成重点工作数", "实际完成重点工作数", "已完成重点工作数"), False),
    "staff_target": ("目标人数", ("目标人数", "岗位目标值", "目标岗位人数", "聘用人员目标人数"), False),
    "previous_spent": ("上年支出数", ("上年支出数", "上年数", "上年实际支出数", "上年决算数"), True),
    # 资金来源: read and shown, not used by any rate
    "fund_grant": ("财政拨款", ("财政拨款", "当年财政拨款", "本年财政拨款", "财政拨款资金"), True),
    "fund_other": ("其他资金", ("其他资金", "其他来源资金", "自有资金"), True),
    "carryover": ("上年结转", ("上年结转", "上年结转资金", "上年结转结余", "年初结转结余"), True),
    "balance": ("年末结余", ("年末结余", "年末结转结余", "结余资金"), True),
}

PROJECT_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "initial": BUDGET_COLUMNS["initial"],
    "full": ("调整后预算数", BUDGET_COLUMNS["full"][1]),
    "funded": BUDGET_COLUMNS["funded"],
    "spent": BUDGET_COLUMNS["spent"],
}
PROJECT_NAME = ("项目名称", "项目名")
PROJECT_DONE = ("是否完成", "完成情况", "是否完成项目", "完成状态")

STAFF_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "on_duty": ("在岗人数", ("在岗人数", "在岗", "月末在岗人数", "实际在岗人数")),
    "left": ("离职人数", ("离职人数", "离职", "流失人数")),
    "joined": ("入职人数", ("入职人数", "入职", "招聘人数", "新入职人数")),
}
MONTH = ("月份", "月度", "月")

TOTAL_LABELS = ("合计", "总计", "小计", "合计数", "项目合计")
STAFF_END_LABELS = (*TOTAL_LABELS, "平均", "月平均", "平均数")
EMPTY_MARKS = frozenset({"-", "--", "—", "——", "/", "\\", "无"})
BASE_SHEET_PATTERNS = ("基础表", "基础数据")

_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")
_NUMBERING = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*[.、)]|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|[①-⑳])"
)
_UNIT_PAREN = re.compile(r"\(([^()]*)\)$")
_YUAN_UNIT = re.compile(r"单位[:]?元|\(元\)$|^元$")


def norm_label(value: object) -> tuple[str, str | None]:
    """A cell as a label to match: ('公用经费', None); '年初预算数（元）' → ('年初预算数', '元').

    Drops spaces, quotes, leading numbering (1. （一） ①), a leading 其中： and a
    trailing parenthesis, whose unit (元 / 万元) is returned separately.
    """
    if not isinstance(value, str) or len(value) > 60:  # labels are short; skip prose cheaply
        return "", None
    text = normalize(value).translate(_QUOTES)
    text = _NUMBERING.sub("", text)
    if text.startswith("其中"):
        text = text[2:].lstrip(":")
    unit = None
    m = _UNIT_PAREN.search(text)
    if m and m.start() > 0:
        inner = m.group(1).removeprefix("单位").lstrip(":")
        unit = inner if inner in ("元", "万元") else None
        text = text[: m.start()]
    return text, unit


def _lookup(label: str, table: dict[str, tuple[str, tuple[str, ...]]]) -> str | None:
    for key, (_, names) in table.items():
        if label in names:
            return key
    return None


def _item_key(label: str) -> str | None:
    for key, (_, names, _) in ITEMS.items():
        if label in names:
            return key
    return None


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class BaseValue:
    """One number of the 基础表 with its position.

    ``value`` is in 万元 for amounts (already divided by 10,000 when the cell is in
    元), None when the cell is empty or not a number.  ``numeric`` says the cell holds
    a real number, so a formula may reference it; otherwise formulas use the value as
    a literal.
    """

    label: str
    sheet: str
    row: int
    col: int
    value: Decimal | None
    raw: object = ""
    scale: Decimal = ONE
    numeric: bool = False

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"

    @property
    def ref(self) -> str:
        return sheet_ref(self.sheet, self.row, self.col, absolute=True)

    @property
    def blank(self) -> bool:
        """Empty in Excel's eyes (a reference to it reads as 0)."""
        return self.raw == "" or self.raw is None


@dataclass(frozen=True)
class ProjectRow:
    """A row of the project list (项目明细); ``values`` by column key (initial/full/funded/spent)."""

    name: str
    sheet: str
    row: int
    values: dict[str, BaseValue]
    done: str = ""


@dataclass(frozen=True)
class MonthRow:
    """A row of monthly staffing; ``values`` by column key (on_duty/left/joined)."""

    label: str
    sheet: str
    row: int
    values: dict[str, BaseValue]


@dataclass(frozen=True)
class BaseData:
    """Everything read from the 基础表 sheets.

    ``budget`` maps (row key, column key) → value for every cell where a recognized
    row meets a recognized column (value None when empty); a missing key means the
    table has no such row or column.  ``items`` holds key/value items by key.
    """

    sheets: tuple[str, ...]
    budget: dict[tuple[str, str], BaseValue] = field(default_factory=dict)
    budget_rows: dict[str, tuple[str, int]] = field(default_factory=dict)  # row key → (sheet, row)
    items: dict[str, BaseValue] = field(default_factory=dict)
    projects: tuple[ProjectRow, ...] = ()
    project_total: ProjectRow | None = None
    project_columns: tuple[str, ...] = ()
    project_done_col: tuple[str, int] | None = None  # (sheet, col) of 是否完成
    months: tuple[MonthRow, ...] = ()
    notes: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    def get(self, row: str, col: str) -> BaseValue | None:
        return self.budget.get((row, col))

    def amount(self, row: str, col: str) -> Decimal | None:
        v = self.budget.get((row, col))
        return v.value if v else None


# ------------------------------------------------------------------ numbers


def _read_number(raw: object) -> tuple[Decimal | None, bool, str | None]:
    """(value, numeric cell, unit) of a number cell; value None and unit '!' when it is bad text."""
    dec = to_decimal(raw)
    if dec is not None:
        return dec, True, None
    if raw is None or raw == "":
        return None, False, None
    if not isinstance(raw, str):
        return None, False, "!"  # a date or a boolean where a number belongs
    text = raw.strip()
    if not text or normalize(text) in EMPTY_MARKS:
        return None, False, None
    q = parse_number(text)
    if q is None or q.percent:
        return None, False, "!"
    return q.value, False, q.unit or None


class _Reader:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.notes: list[str] = []

    def value(self, sheet: Sheet, r: int, c: int, label: str, scale: Decimal = ONE) -> BaseValue:
        raw = sheet.value(r, c)
        value, numeric, unit = _read_number(raw)
        if unit == "!":
            self.findings.append(
                Finding(
                    "error",
                    "base.bad_number",
                    sheet.name,
                    a1(r, c),
                    f"{label}“{cell_text(raw)}”不是数字，已按空值处理",
                )
            )
            return BaseValue(label, sheet.name, r, c, None, raw, scale, False)
        if unit == "元":
            scale = YUAN
        elif unit == "万元":
            scale = ONE
        if value is not None and scale != ONE:
            value = value * scale
        return BaseValue(label, sheet.name, r, c, value, raw, scale, numeric)


# ------------------------------------------------------------------ headers


@dataclass(frozen=True)
class _Header:
    kind: str  # budget | project | staff | staff_across (months across, one row per measure)
    row: int
    cols: dict[str, int]  # column key → column; for staff_across, measure key → row
    scales: dict[str, Decimal]
    extra: dict[str, int] = field(default_factory=dict)  # name / done / month columns


def _classify(sheet: Sheet, r: int) -> _Header | None:
    labels: dict[int, tuple[str, str | None]] = {}
    for c, raw in enumerate(sheet.rows[r]):
        lab, unit = norm_label(raw)
        if lab:
            labels[c] = (lab, unit)
    if not labels:
        return None

    def find(table: dict[str, tuple[str, tuple[str, ...]]]) -> tuple[dict[str, int], dict[str, Decimal]]:
        cols: dict[str, int] = {}
        scales: dict[str, Decimal] = {}
        for c, (lab, unit) in labels.items():
            key = _lookup(lab, table)
            if key and key not in cols:
                cols[key] = c
                if unit == "元":
                    scales[key] = YUAN
        return cols, scales

    names = [c for c, (lab, _) in labels.items() if lab in PROJECT_NAME]
    if names:
        cols, scales = find(PROJECT_COLUMNS)
        done = [c for c, (lab, _) in labels.items() if lab in PROJECT_DONE]
        if cols or done:
            extra = {"name": names[0]}
            if done:
                extra["done"] = done[0]
            return _Header("project", r, cols, scales, extra)
    months = [c for c, (lab, _) in labels.items() if lab in MONTH]
    if months:
        cols, scales = find(STAFF_COLUMNS)
        if "on_duty" in cols or "left" in cols:
            return _Header("staff", r, cols, {}, {"month": months[0]})
        # Months across the row (月份 | 1月 | 2月 …) with 在岗人数 / 离职人数 rows below.
        below: dict[str, int] = {}
        for rr in range(r + 1, min(r + 6, len(sheet.rows))):
            key = _lookup(norm_label(sheet.value(rr, months[0]))[0], STAFF_COLUMNS)
            if key and key not in below:
                below[key] = rr
        if "on_duty" in below or "left" in below:
            return _Header("staff_across", r, below, {}, {"month": months[0]})
    cols, scales = find(BUDGET_COLUMNS)
    if len(cols) >= 2:
        return _Header("budget", r, cols, scales)
    return None


def _title_says_yuan(sheet: Sheet, header_row: int, top: int) -> bool:
    """Does the header row or a title/unit cell just above it say amounts are in 元?"""
    for r in range(max(top, header_row - 3), header_row + 1):
        for raw in sheet.rows[r]:
            if isinstance(raw, str) and "万元" not in raw and _YUAN_UNIT.search(normalize(raw)):
                return True
    return False


# ------------------------------------------------------------------ tables


def _row_label(
    sheet: Sheet, r: int, value_cols: Iterable[int], table: dict[str, tuple[str, tuple[str, ...]]]
) -> str | None:
    """The row key of the first label cell outside the value columns (usually left of them)."""
    skip = set(value_cols)
    for c, raw in enumerate(sheet.rows[r]):
        if c in skip:
            continue
        key = _lookup(norm_label(raw)[0], table)
        if key:
            return key
    return None


def _is_total(sheet: Sheet, r: int, before: int) -> bool:
    return any(norm_label(sheet.value(r, c))[0] in TOTAL_LABELS for c in range(before))


def _known_label(value: object) -> bool:
    lab = norm_label(value)[0]
    return bool(lab) and (_item_key(lab) is not None or _lookup(lab, BUDGET_ROWS) is not None)


@dataclass(frozen=True)
class _BudgetTable:
    sheet: Sheet
    header: _Header
    rows: dict[str, int]  # row key → row index
    yuan: bool

    @property
    def strength(self) -> int:
        return sum(1 for k in self.rows if k != "total")


def _find_budget(sheet: Sheet, h: _Header, end: int, yuan: bool) -> _BudgetTable:
    rows: dict[str, int] = {}
    for r in range(h.row + 1, end):
        key = _row_label(sheet, r, h.cols.values(), BUDGET_ROWS)
        if key and key not in rows:
            rows[key] = r
    return _BudgetTable(sheet, h, rows, yuan)


def _read_budget(rd: _Reader, t: _BudgetTable) -> dict[str, dict[str, BaseValue]]:
    table_scale = YUAN if t.yuan else ONE
    out: dict[str, dict[str, BaseValue]] = {}
    for key, r in t.rows.items():
        out[key] = {
            col: rd.value(
                t.sheet,
                r,
                c,
                f"{BUDGET_ROWS[key][0]} {BUDGET_COLUMNS[col][0]}",
                t.header.scales.get(col, table_scale),
            )
            for col, c in t.header.cols.items()
        }
    return out


def _read_projects(
    rd: _Reader, sheet: Sheet, h: _Header, end: int, yuan: bool
) -> tuple[list[ProjectRow], ProjectRow | None]:
    name_col = h.extra["name"]
    first = min([*h.cols.values(), name_col + 1])
    table_scale = YUAN if yuan else ONE
    rows: list[ProjectRow] = []
    blanks = 0

    def read_row(r: int, name: str) -> ProjectRow:
        values = {}
        for col, c in h.cols.items():
            label = f"项目明细“{name}” {PROJECT_COLUMNS[col][0]}"
            values[col] = rd.value(sheet, r, c, label, h.scales.get(col, table_scale))
        done = cell_text(sheet.value(r, h.extra["done"])) if "done" in h.extra else ""
        return ProjectRow(name, sheet.name, r, values, done)

    total_row = next(
        (r for r in range(h.row + 1, end) if _is_total(sheet, r, max(first, name_col + 1))), None
    )
    for r in range(h.row + 1, end):
        if r == total_row:
            return rows, read_row(r, "合计")
        name = cell_text(sheet.value(r, name_col))
        has_numbers = any(sheet.value(r, c) not in ("", None) for c in h.cols.values())
        if not name and not has_numbers:
            blanks += 1
            if (
                blanks >= 2
                and rows
                and (total_row is None or _known_label_between(sheet, name_col, r, total_row))
            ):
                break  # blank rows inside a list that ends in its 合计 row are still the list
            continue
        blanks = 0
        if _known_label(sheet.value(r, name_col)):
            break  # key/value items below a list that has no 合计 row
        rows.append(read_row(r, name or f"第{r + 1}行"))
    return rows, None


def _known_label_between(sheet: Sheet, col: int, start: int, stop: int) -> bool:
    """True when a key/value label (编制数 …) stands in ``col`` between two rows: the 合计 below
    belongs to another table."""
    return any(_known_label(sheet.value(r, col)) for r in range(start, stop))


def _read_months(rd: _Reader, sheet: Sheet, h: _Header, end: int) -> list[MonthRow]:
    mcol = h.extra["month"]
    out: list[MonthRow] = []
    for r in range(h.row + 1, end):
        label = cell_text(sheet.value(r, mcol))
        if norm_label(sheet.value(r, mcol))[0] in STAFF_END_LABELS or _known_label(sheet.value(r, mcol)):
            break
        has_numbers = any(sheet.value(r, c) not in ("", None) for c in h.cols.values())
        if not label and not has_numbers:
            if out:
                break
            continue
        values = {
            col: rd.value(sheet, r, c, f"{label or f'第{r + 1}行'} {STAFF_COLUMNS[col][0]}")
            for col, c in h.cols.items()
        }
        out.append(MonthRow(label, sheet.name, r, values))
    return out


def _read_months_across(rd: _Reader, sheet: Sheet, h: _Header) -> list[MonthRow]:
    mcol = h.extra["month"]
    out: list[MonthRow] = []
    for c in range(mcol + 1, len(sheet.rows[h.row])):
        head = sheet.value(h.row, c)
        if norm_label(head)[0] in STAFF_END_LABELS:
            break
        label = cell_text(head)
        if not label and all(sheet.value(r, c) in ("", None) for r in h.cols.values()):
            if out:
                break
            continue
        values = {
            key: rd.value(sheet, r, c, f"{label or f'第{c + 1}列'} {STAFF_COLUMNS[key][0]}")
            for key, r in h.cols.items()
        }
        out.append(MonthRow(label, sheet.name, h.row, values))
    return out


def _read_items(rd: _Reader, sheet: Sheet, skip_rows: set[int], items: dict[str, BaseValue]) -> None:
    for r, row in enumerate(sheet.rows):
        if r in skip_rows:
            continue
        for c, raw in enumerate(row):
            lab, unit = norm_label(raw)
            key = _item_key(lab) if lab else None
            if key is None:
                continue
            name, _, is_amount = ITEMS[key]
            scale = YUAN if (is_amount and unit == "元") else ONE
            pos = _item_position(sheet, r, c)
            if pos is None:
                v = BaseValue(name, sheet.name, r, c + 1, None, "", scale, False)
            else:
                v = rd.value(sheet, pos[0], pos[1], name, scale)
                if not is_amount:
                    v = BaseValue(name, v.sheet, v.row, v.col, v.value, v.raw, ONE, v.numeric)
            old = items.get(key)
            if old is None or (old.value is None and v.value is not None):
                items[key] = v
            elif v.value is not None and v.value != old.value:
                rd.findings.append(
                    Finding(
                        "warning",
                        "base.duplicate",
                        v.sheet,
                        v.cell,
                        f"“{name}”出现两次：{old.where} 为 {fmt_num(old.value, 4)}，{v.where} 为 "
                        f"{fmt_num(v.value, 4)}；按 {old.where} 计算",
                    )
                )


def _item_position(sheet: Sheet, r: int, c: int) -> tuple[int, int] | None:
    """Where the value of a label sits: the next non-empty cell to the right, else below."""
    for cc in range(c + 1, c + 4):
        raw = sheet.value(r, cc)
        if raw in ("", None):
            continue
        if _known_label(raw):
            break  # a row of labels: the values are below
        return r, cc
    below = sheet.value(r + 1, c)
    if below not in ("", None) and not _known_label(below):
        return r + 1, c
    return None


# ------------------------------------------------------------------ entry points


def base_sheet_names(names: Iterable[str]) -> list[str]:
    """The sheets holding base data: names containing 基础表 (or 基础数据), in workbook order.

    A 基础表说明 sheet explains the labels in prose next to them; reading it would
    turn every explanation into a bad number, so 说明 sheets are left out.
    """
    return [n for n in names if any(p in n for p in BASE_SHEET_PATTERNS) and "说明" not in n]


def read_base(book: Book) -> BaseData | None:
    """Read every 基础表 sheet of a workbook; None when there is none."""
    names = base_sheet_names(book.sheet_names)
    if not names:
        return None
    return read_base_sheets([book.sheet(n) for n in names])


def read_base_sheets(sheets: Iterable[Sheet]) -> BaseData:
    """Read base data from already loaded sheets (see :func:`read_base`)."""
    rd = _Reader()
    sheets = list(sheets)
    budget_tables: list[_BudgetTable] = []
    items: dict[str, BaseValue] = {}
    projects: list[ProjectRow] = []
    project_total: ProjectRow | None = None
    project_columns: tuple[str, ...] = ()
    project_done_col: tuple[str, int] | None = None
    months: list[MonthRow] = []

    for sheet in sheets:
        headers = [h for r in range(len(sheet.rows)) if (h := _classify(sheet, r))]
        for i, h in enumerate(headers):
            end = headers[i + 1].row if i + 1 < len(headers) else len(sheet.rows)
            top = headers[i - 1].row + 1 if i else 0
            yuan = _title_says_yuan(sheet, h.row, top)
            if yuan and not h.kind.startswith("staff"):
                rd.notes.append(f"{sheet.name}!{a1(h.row, 0)} 起的表格金额单位为元，已除以 10000 换算为万元")
            if h.kind == "budget":
                budget_tables.append(_find_budget(sheet, h, end, yuan))
            elif h.kind == "project":
                if projects or project_total:
                    continue  # one project list; a second one is most likely a copy
                projects, project_total = _read_projects(rd, sheet, h, end, yuan)
                project_columns = tuple(h.cols)
                if "done" in h.extra:
                    project_done_col = (sheet.name, h.extra["done"])
            elif h.kind == "staff" and not months:
                months = _read_months(rd, sheet, h, end)
            elif h.kind == "staff_across" and not months:
                months = _read_months_across(rd, sheet, h)
        _read_items(rd, sheet, {h.row for h in headers}, items)

    budget, budget_rows = _merge_budget(rd, budget_tables)
    return BaseData(
        sheets=tuple(s.name for s in sheets),
        budget=budget,
        budget_rows=budget_rows,
        items=items,
        projects=tuple(projects),
        project_total=project_total,
        project_columns=project_columns,
        project_done_col=project_done_col,
        months=tuple(months),
        notes=tuple(rd.notes),
        findings=tuple(rd.findings),
    )


def _merge_budget(
    rd: _Reader, tables: list[_BudgetTable]
) -> tuple[dict[tuple[str, str], BaseValue], dict[str, tuple[str, int]]]:
    """Combine budget tables: those with expenditure rows; else the first with a 合计 row.

    An income table (收入情况表) shares the budget columns and a 合计 row but no
    expenditure rows, so it loses to the expenditure table.
    """
    used = [t for t in tables if t.strength > 0]
    if not used:
        used = [t for t in tables if t.rows][:1]
    used.sort(key=lambda t: -t.strength)  # stable: the strongest table first, then sheet order
    budget: dict[tuple[str, str], BaseValue] = {}
    rows: dict[str, tuple[str, int]] = {}
    # Values are read only for the tables used, so that a table that loses (an
    # income table) reports no bad numbers.
    for t in used:
        for key, cells in _read_budget(rd, t).items():
            rows.setdefault(key, (t.sheet.name, t.rows[key]))
            for col, v in cells.items():
                old = budget.get((key, col))
                if old is None or (old.value is None and v.value is not None):
                    budget[(key, col)] = v
    return budget, rows


# ------------------------------------------------------------------ audits


def _sum(values: Iterable[BaseValue]) -> Decimal:
    return sum((v.value for v in values if v.value is not None), Decimal(0))


def _cells(values: Iterable[BaseValue]) -> str:
    return "、".join(v.cell for v in values)


def audit_base(base: BaseData) -> list[Finding]:
    """Sums of the 基础表 that should agree (docs/audit.md), within 0.005 万元; warnings."""
    out: list[Finding] = []

    def check(target: BaseValue, parts: list[BaseValue], what: str, code: str) -> None:
        if target.value is None or not any(p.value is not None for p in parts):
            return
        expected = _sum(parts)
        if abs(expected - target.value) > TOLERANCE:
            shown = " + ".join(fmt_num(p.value or 0, 4) for p in parts)
            out.append(
                Finding(
                    "warning",
                    code,
                    target.sheet,
                    target.cell,
                    f"{target.label}应等于{what} = {shown} = {fmt_num(expected, 4)}（{_cells(parts)}），"
                    f"表中为 {fmt_num(target.value, 4)}（{target.cell}），相差 "
                    f"{fmt_num(abs(expected - target.value), 4)} 万元",
                )
            )

    cols = {col for (_, col) in base.budget}
    for col in BUDGET_COLUMNS:
        if col not in cols:
            continue
        basic = base.get("basic", col)
        pers, pub = base.get("personnel", col), base.get("public", col)
        if basic and pers and pub:
            check(basic, [pers, pub], "人员经费 + 公用经费", "base.sum_basic")
        total = base.get("total", col)
        parts = [base.get(k, col) for k in ("basic", "project", "remit", "business", "subsidiary")]
        present = [p for p in parts if p is not None]
        if total and base.get("basic", col) and base.get("project", col):
            names = " + ".join(
                BUDGET_ROWS[k][0]
                for k in ("basic", "project", "remit", "business", "subsidiary")
                if base.get(k, col)
            )
            check(total, present, names, "base.sum_total")

    out.extend(_audit_projects(base))
    return out


def _audit_projects(base: BaseData) -> list[Finding]:
    out: list[Finding] = []
    budget_col = {"initial": "initial", "full": "full", "funded": "funded", "spent": "spent"}
    for col in base.project_columns:
        cells = [p.values[col] for p in base.projects if col in p.values]
        if not any(v.value is not None for v in cells):
            continue
        listed = _sum(cells)
        name = PROJECT_COLUMNS[col][0]
        declared = base.project_total.values.get(col) if base.project_total else None
        if declared is not None and declared.value is not None and abs(declared.value - listed) > TOLERANCE:
            out.append(
                Finding(
                    "warning",
                    "base.project_total",
                    declared.sheet,
                    declared.cell,
                    f"项目明细“{name}”合计应为各项目之和 {fmt_num(listed, 4)}（{cells[0].cell}:{cells[-1].cell}），"
                    f"表中合计为 {fmt_num(declared.value, 4)}，相差 {fmt_num(abs(declared.value - listed), 4)} 万元",
                )
            )
        proj = base.get("project", budget_col[col])
        if proj is None or proj.value is None:
            continue
        if abs(proj.value - listed) > TOLERANCE:
            anchor = declared if declared is not None else proj
            out.append(
                Finding(
                    "warning",
                    "base.project_list",
                    anchor.sheet,
                    anchor.cell,
                    f"项目明细“{name}”各项目合计 {fmt_num(listed, 4)}（{cells[0].where}:{cells[-1].cell}）"
                    f"与预算表“{proj.label}” {fmt_num(proj.value, 4)}（{proj.where}）不一致，相差 "
                    f"{fmt_num(abs(proj.value - listed), 4)} 万元",
                )
            )
    return out
