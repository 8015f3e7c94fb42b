"""Standard workbooks that evaluators fill offline (docs/workbook.md), written with xlsxwriter.

``write_template(kind, path)`` writes a blank template; ``write_template(kind, path,
example=True)`` one filled with the common indicator system of the reference reports
(:mod:`perfxl.catalog`); ``fill_template(kind, rows, path)`` one holding exactly the given
indicator rows (a CSV/XLSX file or mappings, :mod:`perfxl.template_rows`).
``write_all(folder)`` regenerates ``workbook_templates/`` (``python3 -m perfxl.templates``).
Output is deterministic: fixed document properties and xlsxwriter's fixed zip timestamps.

Layouts follow the readers, not the other way round: every sheet and column is found by
its label (``perfxl.read``, ``perfxl.base``, ``perfxl.rates.read_execution_block``), so a
template filled in WPS or Excel reads back without configuration.  The conventions:

- Blank: no unit's data, year, place, target, weight or rule text; examples live in inputs/.
- Growable: :data:`TABLE_ROWS` indicator rows, none merged; 一级/二级指标 typed on each row
  (or left blank for "same as above"); validations and formats reach :data:`EXTRA_ROWS`
  further rows, and a row inserted inside the table is inside every total's range.
- Yellow = input, white = label; Chinese text in 宋体 (charset GB2312, so a missing 宋体
  falls back to another Chinese font); 标杆值/业绩值/要点判定 formatted as text so that
  ``=20部`` or ``≥90%`` typed in Excel/WPS stays as written.
- Totals: 合计 sums the indicator rows above it (its 权重 leaves out the 加减分项 block below
  it); 总分 adds the 加减分项.  Both are plain SUM formulas that perfxl evaluates when a
  script saved them without results (perfxl.sums).

Kinds: ``project`` / ``department`` (说明, 计分方法, 项目信息, 指标, 基础表);
``self-project`` / ``self-department`` (说明, 计分方法 and the national 自评表, which
holds its own name, unit and year: no 项目信息 sheet); ``survey`` (the 问卷汇总 tally of
:mod:`perfxl.survey`).  Filled self-evaluation examples (``inputs/build_self_examples.py``)
are written by the same code through :func:`write_self_form`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import files
from .catalog import DEPARTMENT_INDICATORS, PROJECT_INDICATORS, CatalogRow
from .errors import PerfxlError
from .numbers import parse_number
from .read import LABELS, header_key

KINDS = ("project", "department", "self-project", "self-department", "survey")

# 评价类型 as written in 项目信息 (perfxl.evaluate.infer_kind reads these words).
EVALUATION_TYPES = {
    "project": "项目支出绩效评价",
    "department": "部门整体支出绩效评价",
    "self-project": "项目支出绩效自评",
    "self-department": "部门整体支出绩效自评",
}
TEMPLATE_FILES = {
    "project": "项目支出绩效评价模板.xlsx",
    "department": "部门整体支出绩效评价模板.xlsx",
    "self-project": "项目支出绩效自评表模板.xlsx",
    "self-department": "部门整体支出绩效自评表模板.xlsx",
    "survey": "问卷汇总模板.xlsx",
}
SELF_SHEETS = {"self-project": "项目支出绩效自评表", "self-department": "部门整体支出绩效自评表"}
README_SHEET = "说明"
METHODS_SHEET = "计分方法"
INFO_SHEET = "项目信息"
INDICATOR_SHEET = "指标"
BASE_SHEET = "基础表"

FONT = "宋体"
FONT_CHARSET = 134  # GB2312: a reader without 宋体 substitutes another Chinese font
DEFAULT_FORMAT = {"font_name": FONT, "font_size": 11, "font_charset": FONT_CHARSET}
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}
CREATED = dt.datetime(2024, 1, 1, 0, 0, 0)
DEFAULT_GRADES = "90,80,60"
EXECUTION_WEIGHT = 10.0
TABLE_ROWS = 80  # blank indicator rows of every template
ADJUSTMENT_ROWS = 5  # blank rows of the 加减分项 block (project / department)
EXTRA_ROWS = 200  # validations and formats reach this many rows below the table, for inserted rows
ADJUSTMENT_GROUP = "加减分项"
YELLOW = "#FFF2CC"
TEXT_FORMAT = "@"

# 计分方法 written out in full (the dropdown of the 计分方法 column lists these; every one
# parses with perfxl.phrases.parse_override, see tests/test_templates.py).
METHOD_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("比率法", "得分 = 权重 × 业绩值/标杆值，最多得满分"),
    ("比率法 上限=120%", "同上，完成比例最多按 120% 计"),
    ("比例法", "得分 = 权重 × 业绩值（完成率）"),
    ("达标法", "达到标杆值得满分，否则不得分"),
    ("达标法 阈值=≤100%", "业绩值不超过 100% 得满分，否则不得分"),
    ("扣分法 步长=5%权重", "达到标杆值得满分；每差 1 个百分点扣权重分的 5%，扣完为止"),
    ("扣分法 阈值=≥95% 步长=0.2分", "不低于 95% 得满分；每降低 1% 扣 0.2 分，扣完为止"),
    (
        "区间法 满分线=100% 零分线=60% 步长=2%权重",
        "100% 得满分，60%–100% 每降低 1% 扣权重分的 2%，低于 60% 不得分",
    ),
    ("容差法 容差=10% 步长=0.1分 基础分=3", "±10% 以内得 3 分，每超出 1% 扣 0.1 分"),
    ("要点法", "评分标准列出的要点各占相同权重，按要点判定得分"),
    ("要点法 项数=4 扣分=25%", "4 个要点，每缺一项扣权重分的 25%"),
    ("要点法 权重=30,30,40 最少=2", "3 个要点分别占 30%、30%、40%，少于 2 项符合不得分"),
    ("要点法 基础=50% 权重=10,10,10,10,10", "基础项占 50%，其后 5 个要点各占 10%（第一个判定是基础项）"),
    ("逐项扣分法 每项=1分", "每一项（次、人）不符合扣 1 分，扣完为止"),
    ("逐项扣分法 每项=3%权重", "每一项不符合扣权重分的 3%，扣完为止"),
    ("满意度法 阈值=90% 步长=1%权重", "满意度不低于 90% 得满分，每下降 1% 扣权重分的 1%"),
    ("分档法 档=90%:5,80%:4,70%:3,60%:2", "≥90% 得 5 分，80%–90% 得 4 分……低于 60% 不得分"),
    (
        "档次法 档=健全:3,基本健全:2,不健全:0",
        "业绩值填写档次文字：健全得 3 分，基本健全得 2 分，不健全不得分",
    ),
    ("是否法", "√ 得满分，× 不得分"),
    ("加分 分值=2", "加分项：√（获得表彰）加 2 分"),
    ("减分 分值=2", "减分项：× （发生违规）扣 2 分，√（合规）不扣分"),
    ("人工", "不按规则计算，保留“得分”列的申报得分"),
)
JUDGEMENT_CHOICES = ("√", "×", "√√", "√×", "√√√", "√√×", "√××", "√√√√", "√√√×", "√√××", "√√√√√", "√√√√×")

# The 指标 sheet of the project / department templates: (header, width, kind of cell).
# Kinds: "text" typed text, "textfmt" typed text kept as text, "num" / "int" typed numbers,
# "rate" the 得分率 formula.
INDICATOR_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("序号", 5, "int"),
    ("一级指标", 10, "text"),
    ("二级指标", 12, "text"),
    ("三级指标", 20, "text"),
    ("权重", 7, "num"),
    ("指标解释", 24, "text"),
    ("评分标准", 44, "text"),
    ("评价依据", 16, "text"),
    ("标杆值", 11, "textfmt"),
    ("业绩值", 11, "textfmt"),
    ("要点判定", 10, "textfmt"),
    ("不符合项数", 8, "int"),
    ("评分过程", 24, "text"),
    ("得分", 8, "num"),
    ("得分率", 8, "rate"),
    ("计分方法", 16, "text"),
    ("专家1", 7, "num"),
    ("专家2", 7, "num"),
    ("专家3", 7, "num"),
)
INDICATOR_HEADER = tuple(name for name, _, _ in INDICATOR_COLUMNS)
INDICATOR_TITLES = {"project": "项目支出绩效评价指标评分表", "department": "部门整体支出绩效评价指标评分表"}

# Group labels offered in the dropdowns (any other text may be typed): the national frameworks
# (财预〔2020〕10号) and their common variants.  No weights in labels: group weights are the
# sums of their rows.
LEVEL1_CHOICES = {
    "project": ("决策", "过程", "产出", "效益", ADJUSTMENT_GROUP),
    "department": ("部门决策", "部门管理", "部门绩效", "投入", "过程", "产出", "效果", ADJUSTMENT_GROUP),
    "self": ("产出指标", "效益指标", "满意度指标"),
}
LEVEL2_CHOICES = {
    "project": (
        "项目立项", "绩效目标", "资金投入", "资金管理", "组织实施", "产出数量", "产出质量", "产出时效",
        "产出成本", "项目效益", "满意度", "加分项", "减分项",
    ),
    "department": (
        "部门规划", "绩效目标", "预算编制", "预算执行", "预算管理", "资产管理", "人员管理", "履职效能",
        "社会效应", "满意度", "加分项", "减分项",
    ),
    "self": (
        "数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
        "可持续影响指标", "满意度指标",
    ),
}  # fmt: skip

# 基础表 (perfxl.base finds every label below wherever it stands; no label appears twice).
BUDGET_HEADER = ("支出科目", "年初预算数", "全年预算数", "实际到位数", "实际支出数", "备注")
BUDGET_ROWS: tuple[tuple[str, str], ...] = (
    ("基本支出", "= 人员经费 + 公用经费"),
    ("其中：人员经费", ""),
    ("其中：公用经费", "日常公用经费"),
    ("项目支出", "= 项目明细的项目合计"),
    ("支出合计", "= 基本支出 + 项目支出（项目评价只填本行即可）"),
    ("“三公”经费", "已含在上述支出中；预算为 0 且未支出时控制率按 100% 计"),
    ("政府采购", "已含在上述支出中"),
)
FUND_ITEMS: tuple[tuple[str, str], ...] = (
    ("财政拨款（万元）", "当年财政拨款到位数"),
    ("其他资金（万元）", "单位自有资金、社会资金等"),
    ("上年结转（万元）", "上年结转到本年使用的资金"),
    ("年末结余（万元）", "年末结转结余资金"),
)
BASE_ITEMS: tuple[tuple[str, str], ...] = (
    ("编制数（人）", "人员在编率 = 实有人数 / 编制数"),
    ("实有人数（人）", ""),
    ("固定资产总额（万元）", "固定资产利用率 = 在用固定资产总额 / 固定资产总额"),
    ("在用固定资产总额（万元）", ""),
    ("计划完成项目数（个）", "项目完成率 = 实际完成项目数 / 计划完成项目数（不填时按项目明细的“是否完成”统计）"),
    ("实际完成项目数（个）", ""),
    ("重点工作数（项）", "重点工作完成率 = 完成重点工作数 / 重点工作数"),
    ("完成重点工作数（项）", ""),
    ("目标人数（人）", "人员到位率 = 月均在岗人数 / 目标人数；人员流动率 = 全年离职人数 / 目标人数"),
)  # fmt: skip
PROJECT_LIST_HEADER = ("项目名称", "年初预算数", "调整后预算数", "实际支出数", "是否完成")
PROJECT_LIST_ROWS = 20
PROJECT_LIST_TOTAL = "项目合计"
STAFF_HEADER = ("月份", "在岗人数", "离职人数", "入职人数")

# Self-evaluation forms: the funds block (the national 项目资金 / 部门资金 rows) and the table.
SELF_FUND_ROWS = {
    "self-project": ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"),
    "self-department": (
        "年度资金总额",
        "其中：当年财政拨款",
        "上年结转资金",
        "其他资金",
        "基本支出",
        "项目支出",
    ),
}
SELF_FUND_HEADER = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
# (header, width, kind of cell) from column B; column A holds the block labels.
SELF_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("一级指标", 18, "text"),
    ("二级指标", 14, "text"),
    ("三级指标", 24, "text"),
    ("年度指标值", 14, "textfmt"),
    ("实际完成值", 14, "textfmt"),
    ("分值", 9, "num"),
    ("得分", 9, "num"),
    ("偏差原因分析及改进措施", 36, "text"),
    ("计分方法（选填）", 20, "text"),
)
SELF_HEADER = tuple(name for name, _, _ in SELF_COLUMNS)
SELF_LABEL_WIDTH = 9


@dataclass(frozen=True)
class Funds:
    """One row of the 资金 block in 万元 (None = blank)."""

    initial: float | None = None
    full: float | None = None
    spent: float | None = None


@dataclass(frozen=True)
class SelfLine:
    """One indicator line of a self-evaluation form; blank fields stay blank cells."""

    level1: str
    level2: str
    name: str = ""
    target: object = None  # 年度指标值
    actual: object = None  # 实际完成值
    weight: float | None = None  # 分值
    score: float | None = None  # 得分 (declared)
    deviation: str = ""  # 偏差原因分析及改进措施
    method: str = ""  # 计分方法


@dataclass(frozen=True)
class SelfForm:
    """Content of a self-evaluation workbook; the defaults give the blank template."""

    kind: str = "self-project"  # or "self-department"
    name: str = ""  # 项目名称 / 部门名称
    department: str = ""  # 主管部门
    unit: str = ""  # 实施单位 (project only)
    year: int | None = None
    grade: str = ""  # declared 自评等级
    funds: Mapping[str, Funds] = field(default_factory=dict)  # by row label of SELF_FUND_ROWS
    exec_weight: float | None = EXECUTION_WEIGHT
    exec_rate: float | None = None  # declared 执行率 (fraction)
    exec_score: float | None = None  # declared 得分
    goal: str = ""  # 年度总体目标：预期目标
    achieved: str = ""  # 实际完成情况
    lines: tuple[SelfLine, ...] = ()  # indicator lines; the table has at least TABLE_ROWS rows


# ---------------------------------------------------------------------- entry points


def write_template(kind: str, path: Path, example: bool = False) -> Path:
    """Write the template of ``kind`` to ``path`` (atomically): blank, or with ``example`` the
    common indicator system of the reference reports (project / department only)."""
    _check_kind(kind)
    if kind == "survey":
        if example:
            raise PerfxlError("问卷汇总模板没有示例，示例见 inputs/ 文件夹")
        return _atomic(Path(path), _write_survey)
    if kind in SELF_SHEETS:
        if example:
            raise PerfxlError("自评表模板没有内置示例，填好的自评表示例见 inputs/ 文件夹")
        return write_self_form(SelfForm(kind=kind), path)
    rows = (
        _catalog_rows(PROJECT_INDICATORS if kind == "project" else DEPARTMENT_INDICATORS) if example else []
    )
    return _atomic(Path(path), lambda tmp: _write_evaluation(kind, tmp, rows, blank=not example))


def fill_template(
    kind: str, rows: str | os.PathLike[str] | Iterable[Mapping[str, object]], path: Path
) -> Path:
    """Write the template of ``kind`` holding exactly ``rows``: a .csv/.xlsx file whose columns
    are named like the sheet's (一级指标, 二级指标, 三级指标, 权重 …), or mappings of those names."""
    from .template_rows import load_rows

    _check_kind(kind)
    if kind == "survey":
        raise PerfxlError("问卷汇总模板没有指标行，不能用指标行填写")
    if kind in SELF_SHEETS:
        loaded = load_rows(rows, SELF_KEYS)
        lines = tuple(_self_line(r) for r in loaded)
        return write_self_form(SelfForm(kind=kind, lines=lines), path, exact=True)
    loaded = load_rows(rows, INDICATOR_KEYS)
    return _atomic(Path(path), lambda tmp: _write_evaluation(kind, tmp, loaded, blank=False))


def write_self_form(form: SelfForm, path: Path, exact: bool = False) -> Path:
    """Write a (blank or filled) self-evaluation workbook to ``path`` (atomically); with
    ``exact`` the table has exactly ``form.lines``, else blank rows up to :data:`TABLE_ROWS`."""
    if form.kind not in SELF_SHEETS:
        raise PerfxlError(f"自评表类型应为 self-project 或 self-department，而不是“{form.kind}”")
    return _atomic(Path(path), lambda tmp: _write_self(form, tmp, exact))


def write_all(folder: Path) -> list[Path]:
    """Regenerate every blank template into ``folder`` (``workbook_templates/``)."""
    return [write_template(kind, Path(folder) / name) for kind, name in TEMPLATE_FILES.items()]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise PerfxlError(f"未知的模板类型“{kind}”，可选：{'、'.join(KINDS)}")


def _canonical(header: str) -> str:
    key = header_key(header)
    assert key is not None, header
    return key


# the canonical key each fillable column of the 指标 sheet holds (experts and 得分率 are not filled)
INDICATOR_KEY_OF = {h: _canonical(h) for h in INDICATOR_HEADER if not h.startswith("专家") and h != "得分率"}
INDICATOR_KEYS = tuple(INDICATOR_KEY_OF.values())
INDICATOR_COL = {name: i for i, name in enumerate(INDICATOR_HEADER)}
INDICATOR_WIDTH = {name: width for name, width, _ in INDICATOR_COLUMNS}
SELF_KEYS = tuple(_canonical(h) for h in SELF_HEADER)


def _catalog_rows(catalog: Sequence[CatalogRow]) -> list[dict[str, object]]:
    """The example indicator system as rows keyed like :data:`INDICATOR_KEYS`."""
    rows: list[dict[str, object]] = []
    for i, row in enumerate(catalog, start=1):
        values: dict[str, object] = {
            "seq": i,
            "level1": row.level1,
            "level2": row.level2,
            "name": row.label,
            "weight": row.weight,
            "explanation": row.explanation,
            "target": row.target,
            "rule": row.rule,
        }
        rows.append({k: v for k, v in values.items() if v not in (None, "")})
    return rows


def _self_line(row: Mapping[str, object]) -> SelfLine:
    def num(key: str) -> float | None:
        return _number(row.get(key), LABELS[key])

    return SelfLine(
        level1=str(row.get("level1", "")),
        level2=str(row.get("level2", "")),
        name=str(row.get("name", "")),
        target=row.get("target"),
        actual=row.get("actual"),
        weight=num("weight"),
        score=num("score"),
        deviation=str(row.get("deviation", "")),
        method=str(row.get("method", "")),
    )


def _number(value: object, label: str) -> float | None:
    """A number column's value (5, "5", "5分", "1,000"): the reader's own number parsing; text
    that is no number (or a percentage in a points column) is an error."""
    if value is None or value == "":
        return None
    q = None if isinstance(value, bool) else parse_number(value)
    if q is None or q.percent:
        raise PerfxlError(f"“{label}”应为数字，而不是“{value}”")
    return float(q.value)


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Write through a temporary file in the target folder, then rename: never a half file."""
    from xlsxwriter.exceptions import XlsxWriterException

    if path.is_dir():
        raise PerfxlError("输出路径是一个文件夹，请指定 .xlsx 文件名", file=str(path))
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise PerfxlError("输出目录不是文件夹（路径中有同名的文件）", file=str(path))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = files.new_temp(folder, prefix=".perfxl-template-", suffix=".xlsx")
    except OSError as exc:
        raise PerfxlError(f"无法写入（{files.reason(exc)}）", file=str(path)) from None
    try:
        write(tmp)
        files.commit(tmp, path)
    except (OSError, XlsxWriterException) as exc:
        files.discard(tmp)
        cause = exc if isinstance(exc, OSError) else exc.args[0] if exc.args else None
        why = files.reason(cause) if isinstance(cause, OSError) else "无法生成工作簿"
        raise PerfxlError(f"无法写入（{why}）", file=str(path)) from None
    except BaseException:
        files.discard(tmp)
        raise
    return path


def _write_survey(path: Path) -> None:
    bk = _Book(path, "survey")
    try:
        _write_tally(bk)
    finally:
        bk.close()


# ---------------------------------------------------------------------- workbook and formats


class _Book:
    """An xlsxwriter workbook with the formats every template uses: yellow = input, white = label."""

    def __init__(self, path: Path, kind: str) -> None:
        import xlsxwriter

        # a fresh copy: xlsxwriter writes into the default format properties it is given
        options = {**WORKBOOK_OPTIONS, "default_format_properties": dict(DEFAULT_FORMAT)}
        self.wb = xlsxwriter.Workbook(str(path), options)
        self.wb.set_properties(
            {
                "title": f"{EVALUATION_TYPES.get(kind, kind)}模板",
                "subject": "预算绩效评价",
                "author": "perfxl",
                "company": "",
                "comments": f"perfxl template {kind}",
                "created": CREATED,
            }
        )
        add = self.wb.add_format
        border = {"border": 1, "border_color": "#808080", "valign": "vcenter", "text_wrap": True}
        yellow = {**border, "bg_color": YELLOW}
        grey = {**border, "font_color": "#808080", "align": "center"}
        self.f: dict[str, Any] = {
            "title": add({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            "h1": add({"bold": True, "font_size": 14}),
            "h2": add({"bold": True, "font_size": 11, "font_color": "#1F4E78"}),
            "para": add({"text_wrap": True, "valign": "top"}),
            "head": add({**border, "bold": True, "align": "center"}),
            "label": add({**border, "bold": True}),
            "text": add(border),
            "center": add({**border, "align": "center"}),
            "num": add({**border, "num_format": "0.00", "align": "center"}),
            "pct": add({**border, "num_format": "0.00%", "align": "center"}),
            "input": add(yellow),
            "input_line": add({**yellow, "text_wrap": False}),
            "input_text": add({**yellow, "num_format": TEXT_FORMAT, "align": "center"}),
            "input_num": add({**yellow, "num_format": "0.00", "align": "center"}),
            "input_int": add({**yellow, "num_format": "0", "align": "center"}),
            "input_pct": add({**yellow, "num_format": "0.00%", "align": "center"}),
            "input_center": add({**yellow, "align": "center"}),
            "dash": add(grey),
            "total": add({**border, "bold": True, "align": "center"}),
            "total_num": add({**border, "bold": True, "num_format": "0.00", "align": "center"}),
            "total_pct": add({**border, "bold": True, "num_format": "0.00%", "align": "center"}),
            "note": add({"font_color": "#595959", "text_wrap": True, "valign": "vcenter"}),
            "swatch": add({**yellow}),
        }
        # the style of a table cell by its kind (INDICATOR_COLUMNS / SELF_COLUMNS)
        self.cell = {
            "text": self.f["input"],
            "textfmt": self.f["input_text"],
            "num": self.f["input_num"],
            "int": self.f["input_int"],
            "rate": self.f["pct"],
        }

    def sheet(self, name: str) -> Any:
        return self.wb.add_worksheet(name)

    def close(self) -> None:
        self.wb.close()


def _put(ws: Any, r: int, c: int, value: object, fmt: Any) -> None:
    """A cell as typed: numbers as numbers, everything else as text (never a formula)."""
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _merge(ws: Any, r1: int, c1: int, r2: int, c2: int, value: object, fmt: Any) -> None:
    if (r1, c1) == (r2, c2):
        _put(ws, r1, c1, value, fmt)
        return
    ws.merge_range(r1, c1, r2, c2, "", fmt)
    _put(ws, r1, c1, value, fmt)


def _lines_needed(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column of ``width`` characters (CJK counts double)."""
    per_line = max(width - 1, 1)
    lines = 0
    for para in str(text).split("\n"):
        size = sum(1.8 if ord(ch) > 0x2E80 else 1 for ch in para)
        lines += max(1, math.ceil(size / per_line))
    return lines


def _row_height(texts: Sequence[tuple[object, float]], minimum: float = 20) -> float:
    lines = max((_lines_needed(str(t), w) for t, w in texts if t not in (None, "")), default=1)
    return min(max(minimum, 14.5 * lines + 5), 409)


def _print_setup(ws: Any, repeat: tuple[int, int] | None = None, landscape: bool = True) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if repeat:
        ws.repeat_rows(*repeat)
    ws.set_footer("&C第 &P 页，共 &N 页")


# ---------------------------------------------------------------------- 说明 and 计分方法

# What each column holds, in the evaluator's words (the 说明 lists the columns its sheet has).
COLUMN_NOTES = {
    "序号": "可选，指标的顺序号。",
    "一级指标": "每行填写，或只在每组第一行填写、下面留空表示“同上”。下拉框列出常用写法，也可以直接输入。"
    "不要在名称里写分值，各级分值由 perfxl 按行汇总。",
    "二级指标": "同一级指标。",
    "三级指标": "指标名称，可带编号（如 A11 中长期规划科学合理性）。三级指标和权重都为空的行不计分。",
    "权重": "该指标的分值（满分）。",
    "分值": "该指标的分值（满分）。",
    "指标解释": "指标的含义或计算公式，如 资金到位率 = 实际到位资金 ÷ 预算资金 × 100%。",
    "评分标准": "照录评分标准原文，perfxl 按文字识别计分规则。",
    "评价依据": "可选，评分所依据的材料（文件、台账、问卷等）。",
    "标杆值": "目标值，照原文填写，如 ≥90%、=20部、1-2月、≤2万元。本列是文本格式，输入的内容保持原样。",
    "年度指标值": "年度目标值，照原文填写，如 ≥1200户、=100%、2024年12月底前。本列是文本格式，输入的内容保持原样。",
    "业绩值": "实际完成值，带单位填写，如 95.6%、18部、950人次；比率类指标可留空，由基础表计算；"
    "满意度可写 问卷:总体 引用问卷汇总。本列是文本格式。",
    "实际完成值": "实际完成值，带单位填写，如 1236户、98.6%；定性指标写实际情况（如 按期完成）。本列是文本格式。",
    "要点判定": "评分标准列出要点时，按顺序逐项填写 √（做到了）或 ×（没做到），如 √√×√；也可写 1,1,0,1 或 "
    "符合/符合/不符合。档次类评分标准（健全/基本健全/不健全）把档次文字填在业绩值。",
    "不符合项数": "逐项扣分的指标：不符合的项数（人数、次数），非负整数。",
    "评分过程": "可选，扣分理由或计算过程，如 得分=4×93.22%=3.73分；写了算式的，perfxl 会核对算式结果。",
    "得分": "申报（评分）得分；可以留空，由 perfxl 计算。",
    "得分率": "自动计算（得分 ÷ 权重），不用填写；加减分项不计算。",
    "计分方法": "选填。留空时按评分标准文字自动识别；需要指定时从下拉框选择，写法见“计分方法”工作表。",
    "计分方法（选填）": "选填。留空时按默认规则计分；需要指定时从下拉框选择，写法见“计分方法”工作表。",
    "专家1": "可选，专家打分（专家1、专家2、专家3）；填写后按专家平均分计。",
    "偏差原因分析及改进措施": "未完成年度指标值（失分）的指标必须说明原因和改进措施，否则列入审核意见。",
}


def _readme_lines(kind: str) -> list[tuple[str, str]]:
    """(style, text) paragraphs of the 说明 sheet, written for an evaluator."""
    name = EVALUATION_TYPES[kind]
    self_kind = kind in SELF_SHEETS
    table = SELF_SHEETS.get(kind, INDICATOR_SHEET)
    out: list[tuple[str, str]] = [
        ("h1", f"{name}表 填写说明"),
        ("para", "浅黄色单元格需要填写，白色单元格是表头和标签。perfxl 按工作表名称和表头文字识别内容，不看位置："
                 "可以插入或删除行、调整列宽和格式，但请保留工作表名称和表头文字。perfxl 不会修改本文件，评分结果另存为新文件。"),
        ("h2", "工作表"),
    ]  # fmt: skip
    if self_kind:
        out += [
            ("para", f"{table}：全国统一的自评表格式。最上方填写{'部门名称、主管部门' if kind == 'self-department' else '项目名称、主管部门、实施单位'}"
                     "和年度，下面依次是资金情况（预算执行率）、年度总体目标和绩效指标表。不需要另填项目信息表。"),
        ]  # fmt: skip
    else:
        need = "必须填写" if kind == "department" else "可选，填写后比率类指标自动计算"
        out += [
            ("para", "项目信息：名称、单位、年度、评价类型（下拉选择）、评价机构、评级标准、申报的评价等级。"),
            ("para", f"{table}：三级指标评分表，每行一个指标。表中预留 {TABLE_ROWS} 行，用不完的空行可以保留或删除。"),
            ("para", f"{BASE_SHEET}（{need}）：支出情况、资金来源、人员与资产、项目明细、月度人员，金额单位为万元"
                     "（表头写“（元）”的按元换算）。"),
        ]  # fmt: skip
    out.append(("para", f"{METHODS_SHEET}：“计分方法”列可以选用的写法（选填）。"))
    out.append(("h2", f"{table}的各列"))
    columns = SELF_HEADER if self_kind else INDICATOR_HEADER
    for col in columns:
        if col in ("专家2", "专家3"):
            continue
        note = COLUMN_NOTES.get(col, "")
        if note:
            out.append(("para", f"{col.replace('专家1', '专家1～3')}：{note}"))
    out += [
        ("h2", "增加指标行"),
        ("para", "需要更多行时，在表格中间任选一行，右键“插入”行（Excel、WPS、LibreOffice 都可以），"
                 "新行自动带有格式和下拉框，合计公式自动包含新行。请不要把指标写在合计行的下方"
                 + ("（加减分项除外）" if not self_kind else "") + "：合计只统计它上方的行。"),
    ]  # fmt: skip
    if not self_kind:
        out += [
            ("h2", "合计、加减分项与总分"),
            ("para", "合计行的权重和得分是公式，统计合计行上方的全部指标。加分、减分项目写在合计行下方的“加减分项”区域，"
                     "分值写在权重列，不计入合计的权重（基础指标权重合计应为 100）；总分 = 合计 + 加减分。"
                     "perfxl 会核对申报得分、合计、总分和得分率，不一致的列入审核意见。"),
        ]  # fmt: skip
    else:
        out += [
            ("h2", "总分与自评等级"),
            ("para", "总分行是公式：预算执行率得分加各指标得分。自评等级填在总分行右侧（优/良/中/差），可留空。"
                     "perfxl 会核对申报得分、总分和等级，不一致的列入审核意见。"),
            ("h2", "预算执行率（10 分）"),
            ("para", "在“年度资金总额”行填写全年预算数和全年执行数，分值默认 10 分。执行率 = 全年执行数 ÷ 全年预算数，"
                     "得分 = 分值 × 执行率（超过 100% 按 100% 计），如 183.99 ÷ 187.84 = 97.95%，得 9.80 分。"
                     "执行率和得分可以留空，由 perfxl 计算；填写了的会与计算结果核对。"),
            ("h2", "没有评分标准时的计分（自评默认规则）"),
            ("para", "正向指标（≥、＞、不低于）：达到年度指标值得满分，未达到按 实际完成值 ÷ 年度指标值 × 分值 计分；"
                     "反向指标（≤、＜、不超过）：未超出得满分，超出不得分；“=”指标按完成比例计分；"
                     "定性指标：实际完成值与年度指标值文字相同得满分，不同时保留填写的得分。"),
        ]  # fmt: skip
    out += [
        ("h2", "要点判定（√ 表示“做到了”）"),
        ("para", "√（1、是、符合、有）表示该要点对被评价单位而言是好的、已经做到；×（0、否、不符合、无）表示没有做到。"
                 "判定个数应与评分标准列出的要点数一致。有基础分的评分标准（如“有绩效目标得权重分的50%；①…⑤各占10%”）："
                 "第一个判定是基础项，其后依次是①②③…。“存在问题不得分”一类的标准：√ 表示没有问题，× 表示存在问题。"),
    ]  # fmt: skip
    if not self_kind:
        out.append(
            ("para", "加分项：√ 表示获得表彰，加分；减分项：√ 表示合规，不扣分，× 表示发生违规，扣分。")
        )
    out += [
        ("h2", "评级标准"),
        ("para", ("在项目信息的“评级标准”" if not self_kind else "默认按 ")
                 + "90,80,60 表示 优≥90、良≥80、中≥60、其余为差"
                 + ("；也可以写明等级和比较符号，如 优90,良80,中>70。留空按 90,80,60。" if not self_kind else "。")),
        ("h2", "业绩值引用问卷"),
        ("para", "满意度指标的业绩值可以填写 问卷:总体，引用本工作簿“问卷汇总”工作表的总体满意度；"
                 "也可以写 问卷:题目文字（某一题）或 问卷:工作表名:总体（有多份问卷时）。"),
    ]  # fmt: skip
    if not self_kind:
        from .rates import RATE_NAMES

        names = "、".join(display for display, _ in RATE_NAMES.values())
        out += [
            ("h2", "业绩值留空：按基础表计算"),
            ("para", f"指标名称是比率（{names}）且业绩值留空时，perfxl 按基础表计算业绩值，并在评分结果中写成指向基础表的公式；"
                     "填写了业绩值而与计算结果不一致的，列入审核意见。"),
            ("para", "基础表自身也会核对：人员经费 + 公用经费 = 基本支出，基本支出 + 项目支出 = 支出合计，"
                     "项目明细的项目合计 = 各项目之和 = 项目支出。"),
        ]  # fmt: skip
    return out


def _write_paragraphs(
    ws: Any, f: Mapping[str, Any], lines: Sequence[tuple[str, str]], r: int, width: float
) -> int:
    """Write (style, text) paragraphs into columns A:B from row ``r``; returns the next row."""
    for style, text in lines:
        if style == "para":
            ws.merge_range(r, 0, r, 1, "", f[style])
            ws.write_string(r, 0, text, f[style])
            ws.set_row(r, _row_height([(text, width)]))
        else:
            if style == "h2":
                r += 1
            ws.write_string(r, 0, text, f[style])
            ws.set_row(r, 26 if style == "h1" else 20)
        r += 1
    return r


def _write_readme(bk: _Book, kind: str) -> None:
    ws = bk.sheet(README_SHEET)
    f = bk.f
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 76)
    r = _write_paragraphs(ws, f, _readme_lines(kind), 0, 112)
    r += 1
    ws.write_blank(r, 0, None, f["swatch"])
    ws.write_string(r, 1, "浅黄色：需要填写的单元格", f["note"])
    ws.write_blank(r + 1, 0, None, f["text"])
    ws.write_string(r + 1, 1, "白色：表头、标签和公式，不用填写", f["note"])
    _print_setup(ws, landscape=False)
    ws.activate()


METHOD_INTRO = (
    "“计分方法”列是选填的。留空时 perfxl 按评分标准的文字识别计分规则，识别不了的指标保留填写的得分（人工评分），"
    "并在审核意见中说明。评分标准的写法 perfxl 读不懂、或需要与文字不同的计分时，在该指标的“计分方法”格填写一种写法："
    "先写方法名称，后面可以跟几个参数，参数写成 名称=值，用空格隔开。可从下拉框选择下表中的写法，再按需要修改数字。"
)
METHOD_PARAMS: tuple[tuple[str, str], ...] = (
    ("上限=120%", "比率法：完成比例最多按 120% 计（默认 100%）"),
    ("阈值=≥95%", "达到该值得满分；≤ 表示不超过该值得满分"),
    ("步长=0.2分 / 步长=5%权重", "每差一个单位扣的分数，或扣权重分的百分之几"),
    ("单位=1%", "步长的计量单位，默认 1 个百分点"),
    ("满分线=100% 零分线=60%", "区间法：满分线及以上得满分，低于零分线不得分"),
    ("容差=10% 基础分=3", "容差法：偏差在容差以内得基础分"),
    (
        "项数=4 / 权重=30,30,40 / 基础=50% / 最少=2 / 扣分=25%",
        "要点法：要点个数、各要点权重、基础项、最少符合项数、每缺一项扣分",
    ),
    ("每项=1分 / 每项=3%权重", "逐项扣分法：每一项不符合扣的分数"),
    ("档=90%:5,80%:4", "分档法：达到各档得的分；档次法：档=健全:3,基本健全:2,不健全:0"),
    ("分值=2", "加分、减分：发生时加或扣的分数"),
)


def _write_methods(bk: _Book) -> str:
    """The 计分方法 sheet; returns the range of the written-out methods (the dropdown's source)."""
    ws = bk.sheet(METHODS_SHEET)
    f = bk.f
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 72)
    r = _write_paragraphs(ws, f, [("h1", "计分方法（选填）的写法"), ("para", METHOD_INTRO)], 0, 112)
    r += 1
    ws.write_string(r, 0, "写法", f["head"])
    ws.write_string(r, 1, "含义", f["head"])
    first = r + 1
    for i, (method, meaning) in enumerate(METHOD_EXAMPLES, start=first):
        ws.write_string(i, 0, method, f["text"])
        ws.write_string(i, 1, meaning, f["text"])
        ws.set_row(i, _row_height([(method, 44), (meaning, 72)]))
    last = first + len(METHOD_EXAMPLES) - 1
    r = last + 2
    ws.write_string(r, 0, "参数", f["head"])
    ws.write_string(r, 1, "含义", f["head"])
    for i, (param, meaning) in enumerate(METHOD_PARAMS, start=r + 1):
        ws.write_string(i, 0, param, f["text"])
        ws.write_string(i, 1, meaning, f["text"])
        ws.set_row(i, _row_height([(param, 44), (meaning, 72)]))
    _print_setup(ws, landscape=False)
    return f"='{METHODS_SHEET}'!$A${first + 1}:$A${last + 1}"


def _list_validation(ws: Any, ranges: str, choices: Sequence[str] | str, title: str, message: str) -> None:
    """A dropdown that still accepts any typed text (perfxl checks what it reads)."""
    first = ranges.split()[0].split(":")
    r1, c1 = _rowcol(first[0])
    r2, c2 = _rowcol(first[-1])
    ws.data_validation(
        r1, c1, r2, c2,
        {"validate": "list", "source": choices if isinstance(choices, str) else list(choices), "show_error": False,
         "input_title": title, "input_message": message, "multi_range": ranges},
    )  # fmt: skip


def _hint_validation(
    ws: Any, ranges: str, title: str, message: str, rule: Mapping[str, Any] | None = None
) -> None:
    """An input message (and optionally a soft check) on every cell of ``ranges``."""
    first = ranges.split()[0].split(":")
    r1, c1 = _rowcol(first[0])
    r2, c2 = _rowcol(first[-1])
    options: dict[str, Any] = {"validate": "any", "input_title": title[:32], "input_message": message[:255]}
    if rule:
        options.update(rule)
        options.update(error_type="warning", error_title=title[:32])
    options["multi_range"] = ranges
    ws.data_validation(r1, c1, r2, c2, options)


def _rowcol(cell: str) -> tuple[int, int]:
    from xlsxwriter.utility import xl_cell_to_rowcol

    r, c = xl_cell_to_rowcol(cell)
    return int(r), int(c)


def _ranges(c: int, spans: Sequence[tuple[int, int]]) -> str:
    """Column ``c`` over each (first, last) row span, as xlsxwriter's multi_range text."""
    return " ".join(f"{_cell(a, c)}:{_cell(b, c)}" for a, b in spans if b >= a)


JUDGEMENT_HINT = "按评分标准要点顺序填写：√ 做到了，× 没做到；也可写 1,1,0 或 符合/符合/不符合。"
METHOD_HINT = "选填。留空则按评分标准文字自动识别；可从下拉框选择写法并修改参数，写法见“计分方法”工作表。"


def _column_validations(
    ws: Any, columns: Sequence[tuple[str, float, str]], offset: int, spans: Sequence[tuple[int, int]],
    methods: str, group: str,
) -> None:  # fmt: skip
    """Every input column of an indicator table gets a dropdown or an input message over ``spans``."""
    for i, (name, _width, cell) in enumerate(columns):
        c = offset + i
        rng = _ranges(c, spans)
        if cell == "rate" or not rng:
            continue
        key = name.removesuffix("（选填）")
        if key == "一级指标":
            _list_validation(ws, rng, LEVEL1_CHOICES[group], key, COLUMN_NOTES[key][:200])
        elif key == "二级指标":
            _list_validation(
                ws, rng, LEVEL2_CHOICES[group], key, "下拉框列出常用写法，也可以直接输入；留空表示同上。"
            )
        elif key == "计分方法":
            _list_validation(ws, rng, methods, key, METHOD_HINT)
        elif key == "要点判定":
            _list_validation(ws, rng, JUDGEMENT_CHOICES, key, JUDGEMENT_HINT)
        elif key == "不符合项数":
            _hint_validation(ws, rng, key, COLUMN_NOTES[key],
                             {"validate": "integer", "criteria": ">=", "value": 0, "error_message": "应为非负整数"})  # fmt: skip
        else:
            note = COLUMN_NOTES.get(key) or COLUMN_NOTES.get(name) or ""
            _hint_validation(ws, rng, key, note or f"填写{key}")


# ---------------------------------------------------------------------- 项目信息


def _write_info(bk: _Book, kind: str) -> None:
    """Key/value rows read by perfxl.read.read_info; the value column is the only input."""
    f = bk.f
    ws = bk.sheet(INFO_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 48)
    department = kind == "department"
    rows: list[tuple[str, object, str]] = [
        ("部门名称" if department else "项目名称", None, "被评价的部门或项目的全称"),
        ("单位", None, "被评价单位（预算单位、实施单位）"),
        ("年度", None, "评价年度，如 2024"),
        ("评价类型", EVALUATION_TYPES[kind], "决定计分方式，请从下拉框选择"),
        ("评价机构", None, "第三方评价机构；自评填写本单位"),
        ("评级标准", DEFAULT_GRADES, "如 90,80,60 或 优90,良80,中>70"),
        ("评价等级", None, "申报的等级（优/良/中/差），留空则不核对"),
    ]
    ws.merge_range(0, 0, 0, 1, "", f["title"])
    ws.write_string(0, 0, f"{EVALUATION_TYPES[kind]} 基本信息", f["title"])
    ws.set_row(0, 30)
    for i, (label, value, hint) in enumerate(rows, start=1):
        ws.write_string(i, 0, label, f["label"])
        _put(ws, i, 1, value, f["input"])
        ws.set_row(i, 22)
        options: dict[str, Any] = {"input_title": label, "input_message": hint}
        if label == "评价类型":
            options.update(validate="list", source=list(EVALUATION_TYPES.values()), error_type="warning",
                           error_message="请从下拉框选择评价类型")  # fmt: skip
        elif label == "年度":
            options.update(validate="integer", criteria="between", minimum=1990, maximum=2100,
                           error_type="warning", error_message="年度应为四位数字，如 2024")  # fmt: skip
        else:
            options.update(validate="any")
        ws.data_validation(i, 1, i, 1, options)
    _print_setup(ws, landscape=False)


# ---------------------------------------------------------------------- 指标 (project / department)


def _adjustment(row: Mapping[str, object]) -> bool:
    """A 加分/减分 row: its group labels say so (perfxl.evaluate reads roles the same way)."""
    labels = f"{row.get('level1', '')}{row.get('level2', '')}"
    return "加分" in labels or "减分" in labels


def _write_indicators(
    bk: _Book, kind: str, methods: str, rows: Sequence[Mapping[str, object]], blank: bool
) -> None:
    f = bk.f
    ws = bk.sheet(INDICATOR_SHEET)
    col = INDICATOR_COL
    ncols = len(INDICATOR_COLUMNS)
    for i, (_name, width, _kind) in enumerate(INDICATOR_COLUMNS):
        ws.set_column(i, i, width)
    ws.merge_range(0, 0, 0, ncols - 1, "", f["title"])
    ws.write_string(0, 0, INDICATOR_TITLES[kind], f["title"])
    ws.set_row(0, 32)
    header = 1
    for c, name in enumerate(INDICATOR_HEADER):
        ws.write_string(header, c, name, f["head"])
    ws.set_row(header, 30)
    base_rows = [r for r in rows if not _adjustment(r)]
    adjustments = [r for r in rows if _adjustment(r)]
    n_base = TABLE_ROWS if blank else len(base_rows)
    n_adj = ADJUSTMENT_ROWS if blank else len(adjustments)
    first = header + 1
    for i in range(n_base):
        _indicator_row(bk, ws, first + i, base_rows[i] if i < len(base_rows) else {}, rate=True)
    last = first + n_base - 1
    total = last + 1
    w, s, rate = col["权重"], col["得分"], col["得分率"]
    _total_row(bk, ws, total, "合计", ncols, col)
    weights = sum(_number(r.get("weight"), "权重") or 0 for r in base_rows)
    scores = sum(_number(r.get("score"), "得分") or 0 for r in base_rows)
    span = (first, last)
    ws.write_formula(total, w, f"=SUM({_cell(first, w)}:{_cell(last, w)})", f["total_num"], _whole(weights))
    ws.write_formula(total, s, f"=SUM({_cell(first, s)}:{_cell(last, s)})", f["total_num"], _whole(scores))
    ws.write_formula(
        total, rate, f'=IF(N({_cell(total, w)})=0,"",{_cell(total, s)}/{_cell(total, w)})', f["total_pct"],
        round(scores / weights, 6) if weights else "",
    )  # fmt: skip
    spans = [span]
    end = total
    if n_adj:
        block = total + 1
        ws.write_string(block, col["一级指标"], ADJUSTMENT_GROUP, f["label"])
        ws.merge_range(block, col["二级指标"], block, ncols - 1, "", f["note"])
        ws.write_string(block, col["二级指标"], "以下为加分、减分项目：分值填在权重列，不计入合计的权重；二级指标写 加分项 或 减分项。",
                        f["note"])  # fmt: skip
        a_first = block + 1
        for i in range(n_adj):
            _indicator_row(bk, ws, a_first + i, adjustments[i] if i < len(adjustments) else {}, rate=False)
        a_last = a_first + n_adj - 1
        grand = a_last + 1
        _total_row(bk, ws, grand, "总分", ncols, col)
        extra = sum(_number(r.get("score"), "得分") or 0 for r in adjustments)
        ws.write_formula(
            grand, s, f"={_cell(total, s)}+SUM({_cell(a_first, s)}:{_cell(a_last, s)})", f["total_num"],
            _whole(round(scores + extra, 2)),
        )  # fmt: skip
        spans.append((a_first, a_last))
        end = grand
    _column_validations(ws, INDICATOR_COLUMNS, 0, spans, methods, kind)
    ws.freeze_panes(first, col["三级指标"] + 1)
    ws.autofilter(header, 0, last, ncols - 1)
    _print_setup(ws, repeat=(header, header))
    ws.print_area(0, 0, end, ncols - 1)


def _indicator_row(bk: _Book, ws: Any, r: int, values: Mapping[str, object], rate: bool) -> None:
    """One row of the 指标 sheet: input cells (filled from ``values`` by canonical key) and 得分率."""
    for c, (name, _width, cell) in enumerate(INDICATOR_COLUMNS):
        if cell == "rate":
            if rate:
                w, s = _cell(r, INDICATOR_COL["权重"]), _cell(r, INDICATOR_COL["得分"])
                weight, score = _number(values.get("weight"), "权重"), _number(values.get("score"), "得分")
                cached = round(score / weight, 6) if weight and score is not None else ""
                ws.write_formula(r, c, f'=IF(OR(N({w})=0,{s}=""),"",{s}/{w})', bk.f["pct"], cached)
            else:
                ws.write_blank(r, c, None, bk.f["text"])
            continue
        key = INDICATOR_KEY_OF.get(name)
        value = values.get(key) if key else None
        if cell in ("num", "int") and value is not None:
            value = _number(value, name)
        _put(ws, r, c, value, bk.cell[cell])
    widths = [(values.get(k), INDICATOR_WIDTH[LABELS[k]]) for k in ("name", "explanation", "rule")]
    ws.set_row(r, _row_height(widths, 20))


def _total_row(bk: _Book, ws: Any, r: int, label: str, ncols: int, col: Mapping[str, int]) -> None:
    """A label across 序号…三级指标 and bordered blanks; the caller writes the formulas."""
    f = bk.f
    ws.merge_range(r, 0, r, col["三级指标"], "", f["total"])
    ws.write_string(r, 0, label, f["total"])
    for c in range(col["三级指标"] + 1, ncols):
        ws.write_blank(r, c, None, f["total"])
    ws.set_row(r, 24)


def _cell(r: int, c: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    result: str = xl_rowcol_to_cell(r, c)
    return result


def _whole(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


# ---------------------------------------------------------------------- 问卷汇总

TALLY_SHEET = "问卷汇总"
TALLY_ROWS = 40
TALLY_OPTIONS = ("非常满意", "比较满意", "基本满意", "不太满意", "非常不满意")
TALLY_NOTES = (
    "每行一道满意度题，在各选项列填写选择该选项的人数；“合计”列自动求和。需要更多行时在表中间插入行。",
    "计算方法可在下拉框中选择——均值法（默认：平均得分 ÷ 满分）；满意率法（不满意排除：不太满意、非常不满意以外的人数 ÷ 有效数）；"
    "加权法（按“选项分值”加权）。",
    "“选项分值”仅用于加权法，按从最好到最差的顺序填写，如 100,80,60,40,20。",
    "非五级量表（如 10 分制）请在表头下方插入一行，首格写“分值”，在各选项列填写该选项的分值。",
    "多个问卷请复制本表，命名为“问卷汇总-来访人员”“问卷汇总-聘用人员”等；逐份答卷（含问卷星导出）请放在“问卷明细-…”表中。",
    "评分表中满意度指标的业绩值写 问卷:总体，即引用本表的总体满意度。",
)


def _write_tally(bk: _Book) -> None:
    """The 问卷汇总 sheet that perfxl.survey_read.read_tally reads back: blank rows to type counts in."""
    from .survey import DEFAULT_WEIGHTS, MEAN, METHOD_LABELS, SHARE, WEIGHTED

    f = bk.f
    ws = bk.sheet(TALLY_SHEET)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 50)
    ws.set_column(2, 7, 11)
    ws.merge_range(0, 0, 0, 7, "", f["title"])
    ws.write_string(0, 0, "满意度问卷汇总表", f["title"])
    ws.set_row(0, 30)
    r = 1
    for note in TALLY_NOTES:
        ws.merge_range(r, 0, r, 7, "", f["note"])
        ws.write_string(r, 0, f"说明{r}：{note}", f["note"])
        ws.set_row(r, _row_height([(note, 120)], 18))
        r += 1
    r += 1
    ws.write_string(r, 0, "计算方法", f["label"])
    ws.write_string(r, 1, METHOD_LABELS[MEAN], f["input"])
    methods = [METHOD_LABELS[MEAN], METHOD_LABELS[SHARE], METHOD_LABELS[WEIGHTED]]
    ws.data_validation(
        r, 1, r, 1,
        {"validate": "list", "source": methods, "input_title": "满意度计算方法", "input_message": "均值法 / 满意率法 / 加权法"},
    )  # fmt: skip
    ws.write_string(r + 1, 0, "选项分值", f["label"])
    ws.write_string(r + 1, 1, ",".join(f"{w:g}" for w in DEFAULT_WEIGHTS), f["input"])
    header = r + 3
    for c, name in enumerate(("序号", "题目", *TALLY_OPTIONS, "合计")):
        ws.write_string(header, c, name, f["head"])
    first, last = header + 1, header + TALLY_ROWS
    for row in range(first, last + 1):
        ws.write_blank(row, 0, None, f["input_int"])
        ws.write_blank(row, 1, None, f["input"])
        for c in range(2, 7):
            ws.write_blank(row, c, None, f["input_int"])
        counts = f"{_cell(row, 2)}:{_cell(row, 6)}"
        ws.write_formula(row, 7, f'=IF(COUNT({counts})=0,"",SUM({counts}))', f["center"], "")
    ws.data_validation(
        first, 2, last, 6,
        {"validate": "integer", "criteria": ">=", "value": 0, "error_type": "warning",
         "input_title": "人数", "input_message": "选择该选项的人数，非负整数"},
    )  # fmt: skip
    ws.freeze_panes(first, 2)
    _print_setup(ws, repeat=(header, header))


# ---------------------------------------------------------------------- 基础表


def _write_base(bk: _Book, kind: str) -> None:
    f = bk.f
    ws = bk.sheet(BASE_SHEET)
    for c, width in enumerate((26, 14, 14, 14, 14, 44)):
        ws.set_column(c, c, width)
    ws.set_default_row(20)
    need = "部门整体评价必须填写" if kind == "department" else "项目评价可选，填写后比率类指标自动计算"
    ws.merge_range(0, 0, 0, 5, "", f["title"])
    ws.write_string(0, 0, "基础表（金额单位：万元）", f["title"])
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 5, "", f["note"])
    ws.write_string(1, 0, f"{need}。只填写浅黄色单元格，不适用的留空。perfxl 按左侧和表头的文字识别数据，请勿修改这些文字；"
                          "项目明细需要更多行时在表中间插入行。", f["note"])  # fmt: skip
    ws.set_row(1, 34)
    r = 3
    ws.write_string(r, 0, "一、支出情况", f["h2"])
    r += 1
    for c, name in enumerate(BUDGET_HEADER):
        ws.write_string(r, c, name, f["head"])
    for label, note in BUDGET_ROWS:
        r += 1
        ws.write_string(r, 0, label, f["total"] if label == "支出合计" else f["label"])
        for c in range(1, 5):
            ws.write_blank(r, c, None, f["input_num"])
        if note:
            ws.write_string(r, 5, note, f["note"])
    r += 2
    r = _base_items(bk, ws, r, "二、资金来源", FUND_ITEMS)
    r += 2  # a blank row: the reader may look below a label whose value is blank
    r = _base_items(bk, ws, r, "三、人员与资产情况", BASE_ITEMS)
    r += 2
    ws.write_string(r, 0, "四、项目明细", f["h2"])
    r += 1
    header = r
    for c, name in enumerate(PROJECT_LIST_HEADER):
        ws.write_string(r, c, name, f["head"])
    for _ in range(PROJECT_LIST_ROWS):
        r += 1
        ws.write_blank(r, 0, None, f["input"])
        for c in range(1, 4):
            ws.write_blank(r, c, None, f["input_num"])
        ws.write_blank(r, 4, None, f["input_center"])
    ws.data_validation(
        header + 1, 4, r, 4,
        {"validate": "list", "source": ["是", "否"], "input_title": "是否完成", "input_message": "是 / 否"},
    )  # fmt: skip
    r += 1
    ws.write_string(r, 0, PROJECT_LIST_TOTAL, f["total"])
    for c in range(1, 4):
        ws.write_blank(r, c, None, f["input_num"])
    ws.write_blank(r, 4, None, f["total"])
    ws.write_string(r, 5, "各项目之和，perfxl 会核对", f["note"])
    r += 2
    ws.write_string(r, 0, "五、月度人员（聘用人员）", f["h2"])
    r += 1
    for c, name in enumerate(STAFF_HEADER):
        ws.write_string(r, c, name, f["head"])
    for month in range(1, 13):
        r += 1
        ws.write_string(r, 0, f"{month}月", f["center"])
        for c in range(1, 4):
            ws.write_blank(r, c, None, f["input_int"])
    ws.freeze_panes(2, 0)
    _print_setup(ws, landscape=False)


def _base_items(bk: _Book, ws: Any, r: int, heading: str, items: Sequence[tuple[str, str]]) -> int:
    """Key/value items under a heading; the hint stands in column F (the reader takes the
    first value within 3 cells right of a label, and a value left blank must read as blank)."""
    f = bk.f
    ws.write_string(r, 0, heading, f["h2"])
    for label, note in items:
        r += 1
        ws.write_string(r, 0, label, f["label"])
        ws.write_blank(r, 1, None, f["input_num"] if "万元" in label else f["input_int"])
        if note:
            ws.write_string(r, 5, note, f["note"])
    return r


def _write_evaluation(kind: str, path: Path, rows: Sequence[Mapping[str, object]], blank: bool) -> None:
    bk = _Book(path, kind)
    try:
        _write_readme(bk, kind)
        methods = _write_methods(bk)
        _write_info(bk, kind)
        _write_indicators(bk, kind, methods, rows, blank)
        _write_base(bk, kind)
    finally:
        bk.close()


# ---------------------------------------------------------------------- 自评表


def _write_self(form: SelfForm, path: Path, exact: bool) -> None:
    bk = _Book(path, form.kind)
    try:
        _write_readme(bk, form.kind)
        methods = _write_methods(bk)
        _write_self_sheet(bk, form, methods, exact)
    finally:
        bk.close()


def _write_self_sheet(bk: _Book, form: SelfForm, methods: str, exact: bool) -> None:
    f = bk.f
    kind = form.kind
    department = kind == "self-department"
    ws = bk.sheet(SELF_SHEETS[kind])
    last_col = len(SELF_COLUMNS) - 1  # the national form ends at 偏差原因; 计分方法 is an extra column
    ws.set_column(0, 0, SELF_LABEL_WIDTH)
    for c, (_name, width, _cell_kind) in enumerate(SELF_COLUMNS, start=1):
        ws.set_column(c, c, width)
    ws.merge_range(0, 0, 0, last_col, "", f["title"])
    ws.write_string(0, 0, SELF_SHEETS[kind], f["title"])
    ws.set_row(0, 30)
    # the header fields, one input cell each (perfxl.read.read_info reads them from this sheet)
    fields: list[tuple[str, object, str, object]] = (
        [("部门名称", form.name, "主管部门", form.department)]
        if department
        else [
            ("项目名称", form.name, "年度", form.year),
            ("主管部门", form.department, "实施单位", form.unit),
        ]
    )
    if department:
        fields.append(("年度", form.year, "", None))
    r = 1
    for left, left_value, right, right_value in fields:
        ws.merge_range(r, 0, r, 1, "", f["label"])
        ws.write_string(r, 0, left, f["label"])
        _merge(ws, r, 2, r, 4, left_value, f["input_line"])
        if right:
            ws.write_string(r, 5, right, f["label"])
            _merge(ws, r, 6, r, last_col, right_value, f["input_int"] if right == "年度" else f["input_line"])
        ws.set_row(r, 22)
        r += 1

    # 资金 block: read by perfxl.rates.read_execution_block (年度资金总额 row, 分值 column)
    funds_rows = SELF_FUND_ROWS[kind]
    fund_head = r
    ws.write_string(r, 0, "部门资金（万元）" if department else "项目资金（万元）", f["label"])
    ws.write_blank(r, 1, None, f["head"])
    for c, name in enumerate(SELF_FUND_HEADER, start=2):
        ws.write_string(r, c, name, f["head"])
    ws.set_row(r, 30)
    exec_row = r + 1
    for i, label in enumerate(funds_rows):
        rr = r + 1 + i
        ws.set_row(rr, 20)
        ws.write_blank(rr, 0, None, f["label"])
        ws.write_string(rr, 1, label, f["label"])
        money = form.funds.get(label, Funds())
        for c, value in enumerate((money.initial, money.full, money.spent), start=2):
            _put(ws, rr, c, value, f["input_num"])
        if i == 0:
            _put(ws, rr, 5, form.exec_weight, f["input_num"])
            _put(ws, rr, 6, form.exec_rate, f["input_pct"])
            _put(ws, rr, 7, form.exec_score, f["input_num"])
        else:
            for c in (5, 6, 7):
                ws.write_string(rr, c, "—", f["dash"])
    r = fund_head + len(funds_rows) + 1
    ws.data_validation(
        exec_row, 6, exec_row, 7,
        {"validate": "any", "input_title": "可留空", "input_message": "执行率 = 全年执行数 ÷ 全年预算数；"
         "得分 = 分值 × 执行率（最多 100%）。留空由 perfxl 计算。"},
    )  # fmt: skip

    # 年度总体目标 (two text cells: merged, but a single cell each, not part of the growable table)
    ws.write_string(r, 0, "年度总体目标", f["label"])
    ws.merge_range(r, 1, r, 4, "", f["head"])
    ws.write_string(r, 1, "预期目标", f["head"])
    ws.merge_range(r, 5, r, last_col, "", f["head"])
    ws.write_string(r, 5, "实际完成情况", f["head"])
    ws.write_blank(r + 1, 0, None, f["label"])
    _merge(ws, r + 1, 1, r + 1, 4, form.goal, f["input"])
    _merge(ws, r + 1, 5, r + 1, last_col, form.achieved, f["input"])
    ws.set_row(r + 1, max(60, _row_height([(form.goal, 60), (form.achieved, 100)])))
    r += 2

    # indicator table (perfxl.read.read_table: 三级指标 + 分值 header within the first 15 rows)
    header = r
    ws.write_string(header, 0, "绩效指标", f["label"])
    for c, name in enumerate(SELF_HEADER, start=1):
        ws.write_string(header, c, name, f["head"])
    ws.set_row(header, 30)
    lines = form.lines
    n = len(lines) if exact else max(TABLE_ROWS, len(lines))
    first = header + 1
    last = header + n
    for i in range(n):
        rr = first + i
        line = lines[i] if i < len(lines) else SelfLine("", "")
        values: tuple[object, ...] = (line.level1, line.level2, line.name, line.target, line.actual, line.weight, line.score,
                  line.deviation, line.method)  # fmt: skip
        ws.write_blank(rr, 0, None, f["label"])
        for c, ((_name, _width, cell_kind), cell_value) in enumerate(
            zip(SELF_COLUMNS, values, strict=True), start=1
        ):
            _put(ws, rr, c, cell_value, bk.cell[cell_kind])
        ws.set_row(rr, _row_height([(line.name, 24), (line.deviation, 36), (line.method, 20)], 20))
    total = last + 1
    ws.write_blank(total, 0, None, f["total"])
    ws.merge_range(total, 1, total, 5, "", f["total"])  # the label in a column the reader reads
    ws.write_string(total, 1, "总分", f["total"])
    weights = (form.exec_weight or 0) + sum(line.weight or 0 for line in lines)
    scores = (form.exec_score or 0) + sum(line.score or 0 for line in lines)
    ws.write_formula(
        total, 6, f"={_cell(exec_row, 5)}+SUM({_cell(first, 6)}:{_cell(last, 6)})", f["total_num"],
        _whole(round(weights, 2)),
    )  # fmt: skip
    ws.write_formula(
        total, 7, f"={_cell(exec_row, 7)}+SUM({_cell(first, 7)}:{_cell(last, 7)})", f["total_num"],
        _whole(round(scores, 2)),
    )  # fmt: skip
    ws.write_string(total, 8, "自评等级", f["total"])
    _put(ws, total, 9, form.grade, f["input_center"])
    ws.data_validation(
        total, 9, total, 9,
        {"validate": "list", "source": ["优", "良", "中", "差"], "show_error": False,
         "input_title": "自评等级", "input_message": "优/良/中/差，可留空；perfxl 按总分核对"},
    )  # fmt: skip
    ws.set_row(total, 24)
    _column_validations(ws, SELF_COLUMNS, 1, [(first, last)], methods, "self")
    ws.freeze_panes(first, 0)
    _print_setup(ws, repeat=(header, header))
    ws.print_area(0, 0, total, last_col)


# ---------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python3 -m perfxl.templates [--out DIR]``: regenerate workbook_templates/."""
    default = Path(__file__).resolve().parent.parent / "workbook_templates"
    parser = argparse.ArgumentParser(description="生成标准模板（workbook_templates/）")
    parser.add_argument("--out", type=Path, default=default, help="输出目录（默认 workbook_templates/）")
    args = parser.parse_args(argv)
    for path in write_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
