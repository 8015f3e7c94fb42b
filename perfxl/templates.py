"""Blank standard workbooks that evaluators fill offline (docs/workbook.md), written with xlsxwriter.

``write_template(kind, path)`` writes one template atomically; ``write_all(folder)``
regenerates ``workbook_templates/`` (``python3 -m perfxl.templates``).  Output is
deterministic: fixed document properties, and xlsxwriter's fixed zip timestamps, so
the same code gives the same bytes.

Layouts follow the readers, not the other way round: every sheet and column is found
by its label (``perfxl.read``, ``perfxl.base``, ``perfxl.rates.read_execution_block``),
so a template filled in WPS or Excel reads back without configuration.

- ``project`` / ``department``: 说明, 项目信息, 指标 (the common indicator system of
  the reference reports, ``perfxl.catalog``), 基础表.
- ``self-project``: 说明, 项目信息, 项目支出绩效自评表 (the national layout: 项目资金
  block with 预算执行率 10 分, 年度总体目标, 产出/效益/满意度 indicators).
- ``self-department``: the same vocabulary for a department (部门资金 block with the
  income and expenditure breakdown, department-level indicators).
- ``survey``: the 问卷汇总 tally of :mod:`perfxl.survey`.

Filled self-evaluation forms (``inputs/build_self_examples.py``) are written by the same
code through :func:`write_self_form`, so examples and templates cannot drift apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import files
from .catalog import DEPARTMENT_INDICATORS, DEPARTMENT_TITLE, PROJECT_INDICATORS, CatalogRow
from .errors import PerfxlError
from .phrases import OVERRIDE_SYNTAX

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
INFO_SHEET = "项目信息"
INDICATOR_SHEET = "指标"
BASE_SHEET = "基础表"

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}
CREATED = dt.datetime(2024, 1, 1, 0, 0, 0)
DEFAULT_GRADES = "90,80,60"
EXECUTION_WEIGHT = 10.0

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

# The 指标 sheet of the project / department templates (canonical names of perfxl.read).
INDICATOR_HEADER = (
    "序号", "一级指标", "二级指标", "三级指标", "权重", "指标解释", "标杆值", "业绩值", "评分标准",
    "计分方法", "要点判定", "不符合项数", "评分过程", "得分", "专家1", "专家2", "专家3",
)  # fmt: skip
INDICATOR_WIDTHS = (5, 12, 13, 20, 7, 28, 11, 11, 50, 18, 10, 8, 26, 8, 7, 7, 7)
# Columns the evaluator fills (yellow); the others come from the indicator system.
INDICATOR_INPUTS = frozenset(
    {"标杆值", "业绩值", "计分方法", "要点判定", "不符合项数", "评分过程", "得分", "专家1", "专家2", "专家3"}
)
INDICATOR_TITLES = {"project": "项目支出绩效评价指标体系评分表", "department": DEPARTMENT_TITLE}
EXTRA_ROWS = 200  # data validations reach this many rows below the table, for inserted rows

# 基础表 (perfxl.base finds every label below wherever it stands).
BUDGET_HEADER = ("支出科目", "年初预算数", "全年预算数", "实际到位数", "实际支出数", "备注")
BUDGET_ROWS: tuple[tuple[str, str], ...] = (
    ("基本支出", "= 人员经费 + 公用经费"),
    ("其中：人员经费", ""),
    ("其中：公用经费", "日常公用经费"),
    ("项目支出", "= 项目明细合计"),
    ("合计", "= 基本支出 + 项目支出（项目评价只填本行即可）"),
    ("“三公”经费", "已含在上述支出中；预算为 0 且未支出时控制率按 100% 计"),
    ("政府采购", "已含在上述支出中"),
)
BASE_ITEMS: tuple[tuple[str, str], ...] = (
    ("编制数（人）", "人员在编率 = 实有人数 / 编制数"),
    ("实有人数（人）", ""),
    ("固定资产总额（万元）", "固定资产利用率 = 在用固定资产总额 / 固定资产总额"),
    ("在用固定资产总额（万元）", ""),
    (
        "计划完成项目数（个）",
        "项目完成率 = 实际完成项目数 / 计划完成项目数（不填时按项目明细的“是否完成”统计）",
    ),
    ("实际完成项目数（个）", ""),
    ("重点工作数（项）", "重点工作完成率 = 完成重点工作数 / 重点工作数"),
    ("完成重点工作数（项）", ""),
    ("目标人数（人）", "人员到位率 = 月均在岗人数 / 目标人数；人员流动率 = 全年离职人数 / 目标人数"),
)
PROJECT_LIST_HEADER = ("项目名称", "年初预算数", "调整后预算数", "实际支出数", "是否完成")
PROJECT_LIST_ROWS = 10
STAFF_HEADER = ("月份", "在岗人数", "离职人数", "入职人数")

# Self-evaluation forms: the funds block and the indicator lines of the blank templates.
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
SELF_HEADER = (
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
    "计分方法（选填）",
)  # fmt: skip
SELF_WIDTHS = (9, 18, 14, 24, 14, 14, 9, 9, 36, 20)
_OUTPUT, _BENEFIT, _SATISFACTION = "产出指标（50分）", "效益指标（30分）", "满意度指标（10分）"


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


def _lines(spec: Sequence[tuple[str, str, int]]) -> tuple[SelfLine, ...]:
    return tuple(SelfLine(l1, l2) for l1, l2, n in spec for _ in range(n))


SELF_LINES = {
    "self-project": _lines(
        (
            (_OUTPUT, "数量指标", 3),
            (_OUTPUT, "质量指标", 2),
            (_OUTPUT, "时效指标", 1),
            (_OUTPUT, "成本指标", 1),
            (_BENEFIT, "经济效益指标", 1),
            (_BENEFIT, "社会效益指标", 2),
            (_BENEFIT, "生态效益指标", 1),
            (_BENEFIT, "可持续影响指标", 1),
            (_SATISFACTION, "服务对象满意度指标", 2),
        )
    ),
    "self-department": _lines(
        (
            (_OUTPUT, "数量指标", 3),
            (_OUTPUT, "质量指标", 2),
            (_OUTPUT, "时效指标", 1),
            (_OUTPUT, "成本指标", 2),
            (_BENEFIT, "经济效益指标", 1),
            (_BENEFIT, "社会效益指标", 2),
            (_BENEFIT, "生态效益指标", 1),
            (_BENEFIT, "可持续影响指标", 2),
            (_SATISFACTION, "服务对象满意度指标", 2),
        )
    ),
}


@dataclass(frozen=True)
class SelfForm:
    """Content of a self-evaluation workbook; the defaults give the blank template."""

    kind: str = "self-project"  # or "self-department"
    name: str = ""  # 项目名称 / 部门名称
    department: str = ""  # 主管部门
    unit: str = ""  # 实施单位 (project) / 单位 (项目信息)
    year: int | None = None
    evaluator: str = ""  # 评价机构 (自评: the unit itself)
    grade: str = ""  # declared 评价等级
    funds: Mapping[str, Funds] = field(default_factory=dict)  # by row label of SELF_FUND_ROWS
    exec_weight: float = EXECUTION_WEIGHT
    exec_rate: float | None = None  # declared 执行率 (fraction)
    exec_score: float | None = None  # declared 得分
    goal: str = ""  # 年度总体目标：预期目标
    achieved: str = ""  # 实际完成情况
    lines: tuple[SelfLine, ...] | None = None  # None → the blank lines of SELF_LINES


# ---------------------------------------------------------------------- entry points


def write_template(kind: str, path: Path) -> Path:
    """Write the blank template of ``kind`` to ``path`` (atomically); returns the path."""
    if kind not in KINDS:
        raise PerfxlError(f"未知的模板类型“{kind}”，可选：{'、'.join(KINDS)}")
    if kind == "survey":
        return _atomic(Path(path), _write_survey)
    if kind in SELF_SHEETS:
        return write_self_form(SelfForm(kind=kind), path)
    return _atomic(Path(path), lambda tmp: _write_evaluation(kind, tmp))


def write_self_form(form: SelfForm, path: Path) -> Path:
    """Write a (blank or filled) self-evaluation workbook to ``path`` (atomically)."""
    if form.kind not in SELF_SHEETS:
        raise PerfxlError(f"自评表类型应为 self-project 或 self-department，而不是“{form.kind}”")
    return _atomic(Path(path), lambda tmp: _write_self(form, tmp))


def write_all(folder: Path) -> list[Path]:
    """Regenerate every template into ``folder`` (``workbook_templates/``)."""
    return [write_template(kind, Path(folder) / name) for kind, name in TEMPLATE_FILES.items()]


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
    try:
        from .survey_write import write_tally_template
    except ImportError as exc:  # pragma: no cover - perfxl.survey ships with perfxl
        raise PerfxlError("问卷汇总模板需要 perfxl.survey 模块") from exc
    write_tally_template(path)


# ---------------------------------------------------------------------- workbook and formats


class _Book:
    """An xlsxwriter workbook with the formats every template uses."""

    def __init__(self, path: Path, kind: str) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
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
        yellow = {**border, "bg_color": "#FFF2CC"}
        grey = {**border, "bg_color": "#F2F2F2", "font_color": "#808080", "align": "center"}
        self.f: dict[str, Any] = {
            "title": add({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            "subtitle": add({"align": "center", "valign": "vcenter"}),
            "h1": add({"bold": True, "font_size": 13}),
            "h2": add({"bold": True, "font_size": 11, "font_color": "#1F4E78"}),
            "para": add({"text_wrap": True, "valign": "top"}),
            "code": add({"text_wrap": True, "valign": "top", "font_name": "Consolas", "bg_color": "#F2F2F2"}),
            "head": add({**border, "bold": True, "align": "center", "bg_color": "#D9E1F2"}),
            "label": add({**border, "bold": True, "bg_color": "#D9E1F2"}),
            "text": add(border),
            "center": add({**border, "align": "center"}),
            "num": add({**border, "num_format": "0.00", "align": "center"}),
            "input": add(yellow),
            "input_num": add({**yellow, "num_format": "0.00", "align": "center"}),
            "input_int": add({**yellow, "num_format": "0", "align": "center"}),
            "input_pct": add({**yellow, "num_format": "0.00%", "align": "center"}),
            "input_center": add({**yellow, "align": "center"}),
            "dash": add(grey),
            "total": add({**border, "bold": True, "align": "center", "bg_color": "#D9E1F2"}),
            "total_num": add(
                {**border, "bold": True, "num_format": "0.00", "align": "center", "bg_color": "#D9E1F2"}
            ),
            "note": add({"font_color": "#808080", "text_wrap": True, "valign": "vcenter"}),
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


def _runs(values: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal non-empty values."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[i] and values[j + 1] == values[i]:
            j += 1
        out.append((i, j))
        i = j + 1
    return out


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


# ---------------------------------------------------------------------- 说明


def _readme_lines(kind: str) -> list[tuple[str, str]]:
    """(style, text) paragraphs of the 说明 sheet."""
    name = EVALUATION_TYPES[kind]
    self_kind = kind in SELF_SHEETS
    table_sheet = SELF_SHEETS.get(kind, INDICATOR_SHEET)
    out: list[tuple[str, str]] = [
        ("h1", f"{name}模板 填写说明"),
        ("para", f"本模板由 perfxl 生成（perfxl template {kind}）。浅黄色单元格需要填写；白色单元格是预置的表头和指标体系，"
                 "可以按实际情况修改、插入或删除行。"),
        ("para", "perfxl 按工作表名称和表头文字识别内容，不看位置：可以插入行、删除多余的空行、调整列宽和格式，"
                 "但请保留工作表名称和表头文字。"),
        ("para", "填好后计分：perfxl score 本文件.xlsx -o 评分结果.xlsx；只审核：perfxl check 本文件.xlsx；"
                 "批量：perfxl batch 文件夹 -o 输出文件夹。输入文件不会被修改。"),
        ("h2", "工作表"),
        ("para", "项目信息：名称、单位、年度、评价类型（下拉选择）、评价机构、评级标准、评价等级。评价类型决定按哪类评价计分。"),
    ]  # fmt: skip
    if self_kind:
        out.append(("para", f"{table_sheet}：上方是资金情况（预算执行率），中间是年度总体目标，下方是绩效指标表。"
                            "未用到的空白指标行可以保留或删除，“三级指标”和“分值”都为空的行不计分。"))  # fmt: skip
    else:
        out.append(("para", f"{INDICATOR_SHEET}：三级指标评分表，已预置常用指标体系（名称、权重、评分标准），"
                            "请填写标杆值、业绩值、要点判定等浅黄色列，不适用的指标可删除并调整权重（基础指标权重合计应为 100）。"))  # fmt: skip
        need = "必须填写" if kind == "department" else "可选"
        out.append(("para", f"{BASE_SHEET}（{need}）：预算收支、人员与资产、项目明细、月度人员四块，金额单位为万元"
                            "（表头写“（元）”的按元换算）。"))  # fmt: skip
    out += [
        ("h2", "得分与合计"),
        ("para", "“得分”列填写申报（自评）得分；可以留空，由 perfxl 计算。perfxl 会核对申报得分、合计、得分率与计算结果，"
                 "不一致的列入审核意见。合计行已写好求和公式。"),
    ]  # fmt: skip
    if self_kind:
        out += [
            ("h2", "预算执行率（10 分）"),
            ("para", "在“年度资金总额”行填写全年预算数和全年执行数，分值默认 10 分。执行率 = 全年执行数 ÷ 全年预算数，"
                     "得分 = 分值 × 执行率（超过 100% 按 100% 计），如 183.99 ÷ 187.84 = 97.95%，得 9.80 分。"
                     "执行率和得分可以留空由 perfxl 计算；填写了的会与计算结果核对。"),
            ("h2", "未填写评分标准时的计分（自评默认规则）"),
            ("para", "正向指标（≥、＞、不低于）：达到年度指标值得满分，未达到按 实际完成值 ÷ 年度指标值 × 分值 计分；"
                     "反向指标（≤、＜、不超过）：未超出得满分，超出不得分；“=”指标按完成比例计分；"
                     "定性指标：实际完成值与年度指标值文字相同得满分，不同时保留填写的得分。"),
            ("para", "失分的指标请填写“偏差原因分析及改进措施”，否则列入审核意见。"),
        ]  # fmt: skip
    out += [
        ("h2", "要点判定（√ 表示“做到了”）"),
        ("para", "按评分标准列出要点的顺序逐项填写，如 √√×√、1,1,0,1 或 符合/符合/不符合。√（1、是、符合、有）表示该要点"
                 "对被评价单位而言是好的、已经做到；×（0、否、不符合、无）表示没有做到。判定个数应与评分标准列出的要点数一致。"),
        ("para", "有基础分的要点法（如“有绩效目标得权重分的50%；①…⑤各占10%”）：第一个判定是基础项，其后依次是①②③…。"),
        ("para", "是否法（如“存在缺失不得分”）：√ 表示没有问题（得满分），× 表示存在问题（不得分）。"
                 "逐项扣分的指标：在“不符合项数”填写不符合的项数（人数、次数），或在要点判定中用 × 标出。"),
        ("para", "加分项：√ 表示获得表彰，加分；减分项：√ 表示合规，不扣分，× 表示发生违规，扣分。加减分项的分值填在“权重”列，"
                 "不计入 100 分的基础权重。"),
        ("h2", "计分方法（选填）"),
        ("para", "留空时 perfxl 按“评分标准”文字自动识别规则（可用 perfxl rule \"评分标准文字\" 查看识别结果）；"
                 "识别不了的按人工评分，保留“得分”列的申报得分。需要指定规则时在“计分方法”列填写，"
                 "可从下拉框选择下表中的写法，再按需修改参数。"),
    ]  # fmt: skip
    head, _, methods = OVERRIDE_SYNTAX.partition("方法：")
    out.append(("code", head.rstrip("。；")))
    out += [("code", piece) for piece in methods.split("；") if piece]
    return out


def _write_readme(bk: _Book, kind: str) -> str:
    """The 说明 sheet; returns the range of the 计分方法 examples (the dropdown's source)."""
    ws = bk.sheet(README_SHEET)
    f = bk.f
    ws.set_column(0, 0, 46)
    ws.set_column(1, 1, 70)
    r = 0
    for style, text in _readme_lines(kind):
        if style in ("para", "code"):
            ws.merge_range(r, 0, r, 1, "", f[style])
            ws.write_string(r, 0, text, f[style])
            ws.set_row(r, _row_height([(text, 116)]))
        else:
            if style == "h2":
                r += 1
            ws.write_string(r, 0, text, f[style])
            ws.set_row(r, 24 if style == "h1" else 18)
        r += 1
    r += 1
    ws.write_string(r, 0, "计分方法写法", f["head"])
    ws.write_string(r, 1, "含义", f["head"])
    first = r + 1
    for i, (method, meaning) in enumerate(METHOD_EXAMPLES, start=first):
        ws.write_string(i, 0, method, f["text"])
        ws.write_string(i, 1, meaning, f["text"])
    last = first + len(METHOD_EXAMPLES) - 1
    r = last + 2
    rest: list[tuple[str, str]] = [
        ("h2", "评级标准"),
        ("para", "在项目信息的“评级标准”填写从高到低的分数线：90,80,60 表示 优≥90、良≥80、中≥60、其余为差；"
                 "也可以写明等级和比较符号，如 优90,良80,中>70（中为高于 70 分，70 分及以下为差）。留空按 90,80,60。"),
        ("h2", "业绩值引用问卷"),
        ("para", "满意度指标的业绩值可以填写 问卷:总体，引用本工作簿“问卷汇总”（或“问卷明细”）工作表的总体满意度；"
                 "也可以写 问卷:题目文字（某一题）或 问卷:工作表名:总体（有多份问卷时）。问卷汇总表可用 perfxl template survey 生成。"),
    ]  # fmt: skip
    if kind not in SELF_SHEETS:
        from .rates import RATE_NAMES

        names = "、".join(display for display, _ in RATE_NAMES.values())
        rest += [
            ("h2", "业绩值留空：按基础表计算"),
            ("para", f"指标名称是比率（{names}）且业绩值留空时，perfxl 按基础表计算业绩值，并在输出中写成指向基础表单元格的公式；"
                     "填写了业绩值而与计算结果不一致的，列入审核意见。项目评价的预算执行率 = 实际支出数 ÷ 实际到位数，"
                     "部门评价的支出预算执行率 = 实际支出数 ÷ 全年预算数。"),
            ("para", "基础表自身也会核对：人员经费 + 公用经费 = 基本支出，基本支出 + 项目支出 = 合计，项目明细合计 = 项目支出。"),
        ]  # fmt: skip
    for style, text in rest:
        if style == "para":
            ws.merge_range(r, 0, r, 1, "", f[style])
            ws.write_string(r, 0, text, f[style])
            ws.set_row(r, _row_height([(text, 116)]))
        else:
            r += 1
            ws.write_string(r, 0, text, f[style])
            ws.set_row(r, 18)
        r += 1
    _print_setup(ws, landscape=False)
    ws.activate()
    return f"='{README_SHEET}'!$A${first + 1}:$A${last + 1}"


def _method_validation(ws: Any, r1: int, c: int, r2: int, source: str) -> None:
    ws.data_validation(
        r1, c, r2, c,
        {
            "validate": "list",
            "source": source,
            "show_error": False,  # parameters vary: any text is allowed, perfxl checks the syntax
            "input_title": "计分方法（选填）",
            "input_message": "留空则按评分标准文字自动识别。可从下拉框选择写法并修改参数，语法见“说明”工作表。",
        },
    )  # fmt: skip


def _judgement_validation(ws: Any, r1: int, c: int, r2: int) -> None:
    ws.data_validation(
        r1, c, r2, c,
        {
            "validate": "list",
            "source": list(JUDGEMENT_CHOICES),
            "show_error": False,
            "input_title": "要点判定",
            "input_message": "按评分标准要点顺序填写：√ 做到了，× 没做到；也可写 1,1,0 或 符合/符合/不符合。"
                             "加分项 √ = 获得表彰；减分项 √ = 合规。",
        },
    )  # fmt: skip


# ---------------------------------------------------------------------- 项目信息


def _write_info(bk: _Book, kind: str, values: Mapping[str, object] | None = None) -> None:
    """Key/value rows read by perfxl.read.read_info; the value column is the only input."""
    values = values or {}
    f = bk.f
    ws = bk.sheet(INFO_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 48)
    department = kind in ("department", "self-department")
    rows: list[tuple[str, object, str]] = [
        ("部门名称" if department else "项目名称", values.get("name"), "被评价的部门或项目的全称"),
        ("单位", values.get("unit"), "被评价单位（预算单位、实施单位）"),
        ("年度", values.get("year"), "评价年度，如 2024"),
        ("评价类型", EVALUATION_TYPES[kind], "决定计分方式，请从下拉框选择"),
        ("评价机构", values.get("evaluator"), "第三方评价机构；自评填写本单位"),
        ("评级标准", values.get("grades") or DEFAULT_GRADES, "如 90,80,60 或 优90,良80,中>70"),
        ("评价等级", values.get("grade"), "申报的等级（优/良/中/差），留空则不核对"),
    ]
    ws.merge_range(0, 0, 0, 1, "", f["title"])
    ws.write_string(0, 0, f"{EVALUATION_TYPES[kind]} 基本信息", f["title"])
    ws.set_row(0, 30)
    for i, (label, value, hint) in enumerate(rows, start=1):
        ws.write_string(i, 0, label, f["label"])
        _put(ws, i, 1, value, f["input_int"] if isinstance(value, int) else f["input"])
        ws.set_row(i, 22)
        options: dict[str, Any] = {"input_title": label, "input_message": hint}
        if label == "评价类型":
            options.update(validate="list", source=list(EVALUATION_TYPES.values()), error_type="warning",
                           error_message="请从下拉框选择评价类型")  # fmt: skip
        else:
            options.update(validate="any")
        ws.data_validation(i, 1, i, 1, options)
    ws.merge_range(len(rows) + 2, 0, len(rows) + 2, 1, "", f["note"])
    ws.write_string(
        len(rows) + 2, 0, "说明：只填写浅黄色单元格；本表的名称、单位会显示在评分结果中。", f["note"]
    )
    _print_setup(ws, landscape=False)


# ---------------------------------------------------------------------- 指标 (project / department)


def _write_indicators(bk: _Book, kind: str, methods: str) -> None:
    f = bk.f
    ws = bk.sheet(INDICATOR_SHEET)
    catalog: Sequence[CatalogRow] = PROJECT_INDICATORS if kind == "project" else DEPARTMENT_INDICATORS
    col = {name: i for i, name in enumerate(INDICATOR_HEADER)}
    ncols = len(INDICATOR_HEADER)
    for i, width in enumerate(INDICATOR_WIDTHS):
        ws.set_column(i, i, width)
    ws.merge_range(0, 0, 0, ncols - 1, "", f["title"])
    ws.write_string(0, 0, INDICATOR_TITLES[kind], f["title"])
    ws.set_row(0, 32)
    header = 1
    for c, name in enumerate(INDICATOR_HEADER):
        ws.write_string(header, c, name, f["head"])
    ws.set_row(header, 30)
    first = header + 1
    for i, row in enumerate(catalog):
        r = first + i
        values: dict[str, object] = {
            "序号": i + 1,
            "三级指标": row.label,
            "权重": row.weight,
            "指标解释": row.explanation,
            "标杆值": row.target,
            "评分标准": row.rule,
        }
        for name in INDICATOR_HEADER:
            if name in ("一级指标", "二级指标"):
                continue
            value = values.get(name)
            if name in INDICATOR_INPUTS or (name == "权重" and value is None):
                style = "input_num" if name in ("得分", "权重") or name.startswith("专家") else "input"
                if name == "不符合项数":
                    style = "input_int"
                if name == "要点判定":
                    style = "input_center"
            else:
                style = {"序号": "center", "权重": "num"}.get(name, "text")
            _put(ws, r, col[name], value, f[style])
        widths = [(values.get(n), INDICATOR_WIDTHS[col[n]]) for n in ("三级指标", "指标解释", "评分标准")]
        ws.set_row(r, _row_height(widths, 30))
    last = first + len(catalog) - 1
    for name, attr in (("一级指标", "level1"), ("二级指标", "level2")):
        labels = [getattr(row, attr) for row in catalog]
        for a, b in _runs(labels):
            _merge(ws, first + a, col[name], first + b, col[name], labels[a], f["center"])
    total = last + 1
    ws.merge_range(total, 0, total, col["三级指标"], "", f["total"])
    ws.write_string(total, 0, "合计", f["total"])
    w = col["权重"]
    base_weight = sum(row.weight or 0 for row in catalog if row.role == "base")
    span = f"{_cell(first, w)}:{_cell(last, w)}"
    ws.write_formula(total, w, f'=SUMIF({span},">0")', f["total_num"], _whole(base_weight))
    s = col["得分"]
    ws.write_formula(total, s, f"=SUM({_cell(first, s)}:{_cell(last, s)})", f["total_num"], 0)
    for c in range(ncols):
        if c not in (w, s) and c > col["三级指标"]:
            ws.write_blank(total, c, None, f["total"])
    _method_validation(ws, first, col["计分方法"], last + EXTRA_ROWS, methods)
    _judgement_validation(ws, first, col["要点判定"], last + EXTRA_ROWS)
    ws.data_validation(
        first, col["不符合项数"], last + EXTRA_ROWS, col["不符合项数"],
        {"validate": "integer", "criteria": ">=", "value": 0, "error_type": "warning",
         "input_title": "不符合项数", "input_message": "逐项扣分指标：不符合的项数（人数、次数），非负整数"},
    )  # fmt: skip
    ws.freeze_panes(first, col["三级指标"] + 1)
    ws.autofilter(header, 0, last, ncols - 1)
    _print_setup(ws, repeat=(header, header))
    ws.print_area(0, 0, total, ncols - 1)


def _cell(r: int, c: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    result: str = xl_rowcol_to_cell(r, c)
    return result


def _whole(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


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
    ws.write_string(1, 0, f"{need}。只填写浅黄色单元格；不适用的留空。perfxl 按左侧和表头的文字识别数据，请勿修改这些文字。",
                    f["note"])  # fmt: skip
    ws.set_row(1, 32)
    r = 3
    ws.write_string(r, 0, "一、预算收支情况", f["h2"])
    r += 1
    for c, name in enumerate(BUDGET_HEADER):
        ws.write_string(r, c, name, f["head"])
    for label, note in BUDGET_ROWS:
        r += 1
        ws.write_string(r, 0, label, f["total"] if label == "合计" else f["label"])
        for c in range(1, 5):
            ws.write_blank(r, c, None, f["input_num"])
        if note:
            ws.write_string(r, 5, note, f["note"])
    r += 2
    ws.write_string(r, 0, "二、人员与资产情况", f["h2"])
    for label, note in BASE_ITEMS:
        r += 1
        ws.write_string(r, 0, label, f["label"])
        amount = "万元" in label
        ws.write_blank(r, 1, None, f["input_num"] if amount else f["input_int"])
        # the hint stands in column F: the reader takes the first value within 3 cells to
        # the right of a label, and a value left blank must read as blank, not as the hint
        if note:
            ws.write_string(r, 5, note, f["note"])
    r += 2
    ws.write_string(r, 0, "三、项目明细", f["h2"])
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
    ws.write_string(r, 0, "合计", f["total"])
    for c in range(1, 4):
        ws.write_blank(r, c, None, f["input_num"])
    ws.write_blank(r, 4, None, f["total"])
    r += 2
    ws.write_string(r, 0, "四、月度人员（聘用人员）", f["h2"])
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


def _write_evaluation(kind: str, path: Path) -> None:
    bk = _Book(path, kind)
    try:
        methods = _write_readme(bk, kind)
        _write_info(bk, kind)
        _write_indicators(bk, kind, methods)
        _write_base(bk, kind)
    finally:
        bk.close()


# ---------------------------------------------------------------------- 自评表


def _write_self(form: SelfForm, path: Path) -> None:
    bk = _Book(path, form.kind)
    try:
        methods = _write_readme(bk, form.kind)
        info = {
            "name": form.name,
            "unit": form.unit or form.department,
            "year": form.year,
            "evaluator": form.evaluator,
            "grade": form.grade,
        }
        _write_info(bk, form.kind, info)
        _write_self_sheet(bk, form, methods)
    finally:
        bk.close()


def _write_self_sheet(bk: _Book, form: SelfForm, methods: str) -> None:
    f = bk.f
    kind = form.kind
    department = kind == "self-department"
    ws = bk.sheet(SELF_SHEETS[kind])
    ncols = len(SELF_HEADER) + 1  # column A holds the vertical block labels
    last_col = ncols - 2  # the national form ends at 偏差原因; 计分方法 is an extra column
    for c, width in enumerate(SELF_WIDTHS):
        ws.set_column(c, c, width)
    ws.merge_range(0, 0, 0, last_col, "", f["title"])
    ws.write_string(0, 0, SELF_SHEETS[kind], f["title"])
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last_col, "", f["subtitle"])
    ws.write_string(1, 0, f"（{form.year or '　　　　'}年度）", f["subtitle"])
    r = 2
    if department:
        ws.merge_range(r, 0, r, 1, "", f["label"])
        ws.write_string(r, 0, "部门名称", f["label"])
        _merge(ws, r, 2, r, 4, form.name, f["input"])
        ws.write_string(r, 5, "主管部门", f["label"])
        _merge(ws, r, 6, r, last_col, form.department, f["input"])
        ws.set_row(r, 22)
        r += 1
    else:
        ws.merge_range(r, 0, r, 1, "", f["label"])
        ws.write_string(r, 0, "项目名称", f["label"])
        _merge(ws, r, 2, r, last_col, form.name, f["input"])
        ws.set_row(r, 22)
        r += 1
        ws.merge_range(r, 0, r, 1, "", f["label"])
        ws.write_string(r, 0, "主管部门", f["label"])
        _merge(ws, r, 2, r, 4, form.department, f["input"])
        ws.write_string(r, 5, "实施单位", f["label"])
        _merge(ws, r, 6, r, last_col, form.unit, f["input"])
        ws.set_row(r, 22)
        r += 1

    # 资金 block: read by perfxl.rates.read_execution_block (年度资金总额 row, 分值 column)
    funds_rows = SELF_FUND_ROWS[kind]
    fund_head = r
    block = "部门资金（万元）" if department else "项目资金（万元）"
    ws.merge_range(r, 0, r + len(funds_rows), 0, "", f["label"])
    ws.write_string(r, 0, block, f["label"])
    ws.write_blank(r, 1, None, f["head"])
    for c, name in enumerate(SELF_FUND_HEADER, start=2):
        ws.write_string(r, c, name, f["head"])
    ws.write_blank(r, last_col, None, f["head"])
    exec_row = r + 1
    for i, label in enumerate(funds_rows):
        rr = r + 1 + i
        ws.set_row(rr, 20)
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
        ws.write_blank(rr, last_col, None, f["text"])
    r = fund_head + len(funds_rows) + 1
    ws.data_validation(
        exec_row, 6, exec_row, 7,
        {"validate": "any", "input_title": "可留空", "input_message": "执行率 = 全年执行数 ÷ 全年预算数；"
         "得分 = 分值 × 执行率（最多 100%）。留空由 perfxl 计算。"},
    )  # fmt: skip

    # 年度总体目标
    ws.merge_range(r, 0, r + 1, 0, "", f["label"])
    ws.write_string(r, 0, "年度总体目标", f["label"])
    ws.merge_range(r, 1, r, 4, "", f["head"])
    ws.write_string(r, 1, "预期目标", f["head"])
    ws.merge_range(r, 5, r, last_col, "", f["head"])
    ws.write_string(r, 5, "实际完成情况", f["head"])
    _merge(ws, r + 1, 1, r + 1, 4, form.goal, f["input"])
    _merge(ws, r + 1, 5, r + 1, last_col, form.achieved, f["input"])
    ws.set_row(r + 1, max(60, _row_height([(form.goal, 60), (form.achieved, 72)])))
    r += 2

    # indicator table (perfxl.read.read_table: 三级指标 + 分值 header within the first 15 rows)
    header = r
    lines = form.lines if form.lines is not None else SELF_LINES[kind]
    for c, name in enumerate(SELF_HEADER, start=1):
        ws.write_string(header, c, name, f["head"])
    ws.set_row(header, 30)
    first = header + 1
    last = header + len(lines)
    ws.merge_range(header, 0, last, 0, "", f["label"])
    ws.write_string(header, 0, "绩效指标", f["label"])
    for i, line in enumerate(lines):
        rr = first + i
        _put(ws, rr, 3, line.name, f["input"])
        _put(ws, rr, 4, line.target, f["input_center"])
        _put(ws, rr, 5, line.actual, f["input_center"])
        _put(ws, rr, 6, line.weight, f["input_num"])
        _put(ws, rr, 7, line.score, f["input_num"])
        _put(ws, rr, 8, line.deviation, f["input"])
        _put(ws, rr, 9, line.method, f["input"])
        ws.set_row(rr, _row_height([(line.name, 24), (line.deviation, 36), (line.method, 20)], 22))
    for c, attr in ((1, "level1"), (2, "level2")):
        labels = [getattr(line, attr) for line in lines]
        for a, b in _runs(labels):
            _merge(ws, first + a, c, first + b, c, labels[a], f["center"])
    total = last + 1
    ws.merge_range(total, 1, total, 5, "", f["total"])
    ws.write_string(total, 1, "总分", f["total"])
    ws.write_blank(total, 0, None, f["total"])
    weights = form.exec_weight + sum(line.weight or 0 for line in lines)
    scores = (form.exec_score or 0) + sum(line.score or 0 for line in lines)
    ws.write_formula(
        total, 6, f"={_cell(exec_row, 5)}+SUM({_cell(first, 6)}:{_cell(last, 6)})", f["total_num"],
        _whole(round(weights, 2)),
    )  # fmt: skip
    ws.write_formula(
        total, 7, f"={_cell(exec_row, 7)}+SUM({_cell(first, 7)}:{_cell(last, 7)})", f["total_num"],
        _whole(round(scores, 2)),
    )  # fmt: skip
    ws.write_blank(total, 8, None, f["total"])
    ws.set_row(total, 24)
    ws.merge_range(total + 1, 0, total + 1, last_col, "", f["note"])
    ws.write_string(
        total + 1, 0,
        "说明：浅黄色单元格需要填写。分值：预算执行率 10 分，产出指标 50 分，效益指标 30 分，满意度指标 10 分，合计 100 分"
        "（可按实际调整各三级指标分值）。未用到的空白行可保留或删除；需要更多指标时插入行并填写一级、二级指标。",
        f["note"],
    )  # fmt: skip
    ws.set_row(total + 1, 34)
    _method_validation(ws, first, 9, last + EXTRA_ROWS, methods)
    ws.data_validation(
        first, 8, last, 8,
        {"validate": "any", "input_title": "偏差原因分析及改进措施",
         "input_message": "未完成年度指标值（失分）的指标必须说明原因和改进措施。"},
    )  # fmt: skip
    ws.freeze_panes(first, 0)
    _print_setup(ws, repeat=(header, header))
    ws.print_area(0, 0, total + 1, last_col)


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
