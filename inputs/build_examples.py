"""Write the example workbooks of ``inputs/``.

Run ``python3 inputs/build_examples.py [--out DIR]``.  Output is deterministic: fixed
document properties and fixed zip timestamps, so two runs give identical files.

- ``000_政务服务运行维护费_项目评价.xlsx`` — reference 000 (project evaluation) rebuilt from
  its 附件1 and the facts stated in its text.
- ``004_政务服务和公共资源交易中心_部门整体评价.xlsx`` — reference 004 (department-overall
  evaluation) rebuilt from its 附件1, table 4-2, base figures and questionnaire results.
- ``示例_项目评价_规则大全.xlsx`` — invented: one indicator per stock rule phrasing
  (SPEC §6.2), 计分方法 overrides, experts, a bonus and a penalty row, and two declared
  scores that are deliberately wrong (see :data:`RULES_WRONG_SCORES`).
- ``示例_项目自评表_数据瑕疵.xlsx`` — invented: a national-style 自评表 without 评分标准
  (SPEC §6.4 defaults) whose cells carry the untidy data evaluators type (see
  :data:`SELF_FLAWS`).

Text that starts with "=" is stored as text, never as a formula.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, perfxl not installed
    sys.path.insert(0, str(ROOT))

from perfxl.catalog import (  # noqa: E402
    DEPARTMENT_INDICATORS,
    DEPARTMENT_TITLE,
    PROJECT_INDICATORS,
    PROJECT_TITLE,
)

FIXED_TIME = dt.datetime(2024, 7, 31, 9, 0, 0)
ZIP_TIME = (2024, 7, 31, 9, 0, 0)

FILE_000 = "000_政务服务运行维护费_项目评价.xlsx"
FILE_004 = "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
FILE_RULES = "示例_项目评价_规则大全.xlsx"
FILE_SELF = "示例_项目自评表_数据瑕疵.xlsx"
ALL_FILES = (FILE_000, FILE_004, FILE_RULES, FILE_SELF)

SATISFACTION_OPTIONS = ("非常满意", "比较满意", "基本满意", "不太满意", "非常不满意")

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


# ---------------------------------------------------------------------------
# Writing helpers
# ---------------------------------------------------------------------------


def put(ws: Worksheet, row: int, col: int, value: object) -> None:
    """Write one cell (1-based); text starting with "=" stays text."""
    if value is None or value == "":
        return
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def key_values(ws: Worksheet, top: int, pairs: Sequence[tuple[object, ...]]) -> int:
    """Key/value rows from ``top``; returns the next free row."""
    for i, pair in enumerate(pairs):
        for j, value in enumerate(pair):
            put(ws, top + i, 1 + j, value)
        ws.cell(row=top + i, column=1).font = Font(bold=True)
    return top + len(pairs)


def table(ws: Worksheet, top: int, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """A header row and data rows from ``top``; returns the next free row."""
    for j, name in enumerate(header):
        put(ws, top, 1 + j, name)
        cell = ws.cell(row=top, column=1 + j)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = _CENTER
    r = top
    for r, row in enumerate(rows, start=top + 1):
        for j, value in enumerate(row):
            put(ws, r, 1 + j, value)
            ws.cell(row=r, column=1 + j).border = _BORDER
    return r + 1


def widths(ws: Worksheet, sizes: Sequence[float]) -> None:
    for j, size in enumerate(sizes):
        ws.column_dimensions[get_column_letter(1 + j)].width = size


def title(ws: Worksheet, row: int, text: str, ncols: int) -> None:
    put(ws, row, 1, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    ws.cell(row=row, column=1).font = Font(bold=True, size=14)
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center")


def indicator_sheet(
    ws: Worksheet,
    sheet_title: str | None,
    header: Sequence[str],
    rows: Sequence[dict[str, object]],
    merge: Sequence[str] = ("一级指标", "二级指标"),
) -> None:
    """The indicator table: optional title row, header, rows; equal runs of ``merge`` columns merged.

    Each row is a dict keyed by header names; missing keys are blank cells.
    """
    top = 1
    if sheet_title:
        title(ws, 1, sheet_title, len(header))
        top = 2
    cells = [[row.get(name) for name in header] for row in rows]
    table(ws, top, header, cells)
    for name in merge:
        col = header.index(name)
        start = 0
        while start < len(cells):
            value = cells[start][col]
            end = start
            while end + 1 < len(cells) and value not in (None, "") and cells[end + 1][col] == value:
                end += 1
            if end > start:
                for k in range(start + 1, end + 1):
                    ws.cell(row=top + 1 + k, column=col + 1).value = None
                ws.merge_cells(
                    start_row=top + 1 + start, start_column=col + 1, end_row=top + 1 + end, end_column=col + 1
                )
            start = end + 1
    for r in range(top + 1, top + 1 + len(cells)):
        for c in range(1, len(header) + 1):
            ws.cell(row=r, column=c).alignment = _WRAP
    ws.freeze_panes = ws.cell(row=top + 1, column=1)


def survey_sheet(ws: Worksheet, method: str, items: Sequence[tuple[str, Sequence[int]]]) -> None:
    """A questionnaire tally: 计算方法 above a 题目 × option table."""
    key_values(ws, 1, [("计算方法", method)])
    table(ws, 3, ("题目", *SATISFACTION_OPTIONS), [(q, *counts) for q, counts in items])
    widths(ws, (70, 10, 10, 10, 10, 12))


def project_info(wb: Workbook, pairs: Sequence[tuple[str, object]]) -> None:
    ws = wb.create_sheet("项目信息")
    key_values(ws, 1, pairs)
    widths(ws, (14, 44))


def save(wb: Workbook, path: Path) -> None:
    """Save with fixed properties and zip timestamps (byte-for-byte reproducible), atomically."""
    wb.properties.creator = "perfxl inputs/build_examples.py"
    wb.properties.lastModifiedBy = "perfxl"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()  # save() closes the zip
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".~build-", suffix=".xlsx")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(out.getvalue())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def whole(x: float | None) -> float | int | None:
    """3.0 → 3 so that weights look as typed."""
    if x is not None and float(x).is_integer():
        return int(x)
    return x


# ---------------------------------------------------------------------------
# Reference 000: 2023年政务服务运行维护费项目 (project evaluation)
# ---------------------------------------------------------------------------

HEADER_000 = (
    "序号", "一级指标", "二级指标", "三级指标", "权重", "标杆值", "业绩值", "评分标准",
    "要点判定", "不符合项数", "评分过程", "专家得分", "得分",
)  # fmt: skip

# name → facts.  "judge" = 要点判定, "fail" = 不符合项数, "expert" = 专家得分, "score" = final 得分.
# Targets come from the catalog (the rule texts state them).
FACTS_000: dict[str, dict[str, object]] = {
    "立项依据充分性": {
        "score": 3,
        "process": "项目立项依据为《国务院关于加快推进政务服务标准化规范化便利化的指导意见》（国发〔2022〕5号）、"
        "《关于保障市政务服务中心2023年聘用人员经费的情况说明》，有国家级、市级文件通知，项目立项符合国家法律法规、"
        "政策要求。因此，立项依据充分性指标满分3分，得3分。",
    },
    "立项程序规范性": {
        "judge": "√√√",
        "score": 3,
        "process": "市政务服务中心向市数字化发展局提交《关于保障市政务服务中心2023年聘用人员经费的情况说明》请求给予"
        "预算资金支持，提交的文件、材料与项目相关、能够支撑项目的申请设立与批复。故立项程序规范性指标满分3分，得3分。",
    },
    "绩效目标合理性": {
        "judge": "√√×√√×",
        "expert": 2.33,
        "score": 2.33,
        "process": "项目有绩效目标；时效指标“政务大厅进驻窗口信息化办公设备及各类自助终端机维修及时性”难以衡量，"
        "扣除10%权重分；未明确工资发放等实效性较强指标的实现时间，扣除10%权重分。故绩效目标合理性指标满分3分，"
        "得分2.4分；结合专家评分结果，该项最终得分为2.33分。",
    },
    "绩效指标明确性": {
        "judge": "√√√××√",
        "expert": 1.53,
        "score": 1.53,
        "process": "项目目标已细化为具体的绩效指标；人员流动性、人员资质、人员培训等关键绩效未在绩效目标中予以体现，"
        "扣减10%权重；“政务大厅进驻窗口信息化办公设备及各类自助终端机维修及时性”“政务大厅和窗口服务投诉率”难以收集到"
        "相关数据进行佐证，扣除10%权重分。故绩效目标明确性指标满分2分，得分1.6分。结合专家打分结果，该项最终得分为1.53分。",
    },
    "预算编制科学性": {
        "judge": "√√√",
        "score": 3,
        "process": "单位编制了《市政务服务中心聘用人员工资及社保费用测算明细》，按程序申请立项，并获《关于2023年市本级"
        "部门预算的批复》（乌财行〔2023〕3号）批复。故预算编制科学性指标满分3分，最终得分3分。",
    },
    "资金到位率": {
        "actual": "100%",
        "score": 3,
        "process": "市政务服务中心全年预算资金252.49万元，资金到位252.49万元，资金到位率100%。故资金到位率指标得分3分。",
    },
    "预算执行率": {
        "actual": "100%",
        "score": 3,
        "process": "该项目全年预算资金252.49万元，2023年实际支付资金249.99万元，剩余2.5万元已于年底收回财政。"
        "因此，资金执行率为100%，故预算执行率得分为3分。",
    },
    "资金使用合规性": {
        "judge": "√√√√",
        "score": 3,
        "process": "资金使用符合相关管理办法规定，拨付审批程序完整，符合预算批复和合同规定的用途，不存在截留、挤占、"
        "挪用、虚列支出等情况。故资金使用合规性满分3分，得分为3分。",
    },
    "管理制度健全性": {
        "judge": "×√×",
        "expert": 1.14,
        "score": 1.14,
        "process": "聘用人员管理办法中缺失月度、季度等日常考核方面的内容，扣减权重分33%；已建立监督制度；"
        "未建立专门的人员培养机制，扣减权重分33%。故管理制度健全性满分3分，得分为1分。结合专家评审结果，"
        "该项最终得分为1.14分。",
    },
    "管理制度执行有效性": {
        "expert": 0.43,
        "score": 0.43,
        "process": "该单位未实施月度、季度等日常考核，扣减权重分的50%；已定期开展培训，但未开展培训考核，扣减权重分的25%。"
        "故制度执行有效性指标满分2分，得分0.5分。结合专家打分结果，该项最终得分为0.43分。",
    },
    "财务管理制度健全性": {
        "judge": "√√√×",
        "score": 1.5,
        "process": "已有预算和决算制度、资金拨付流程规定、资金使用管理制度，但缺少审计及绩效评价制度，扣减权重分的25%。"
        "故财务管理制度健全性指标满分2分，得分1.5分。",
    },
    "人员薪酬发放规范性": {
        "judge": "√√√√",
        "score": 2,
        "process": "资金审批支付手续齐全，按月将薪酬支付至两个服务单位，服务单位及时按月将资金划转至聘用人员。"
        "故该指标满分2分，得分2分。",
    },
    "合同签订规范性": {
        "judge": "√√×",
        "score": 1.34,
        "process": "两份劳务派遣协议签订规范、权责清晰、时间安排明确；2月、6月、7月、9月、10月、12月费用拨付晚于协议"
        "约定时间，扣除33%权重分。该指标满分2分，得分1.34分。",
    },
    "人员流动率": {
        "actual": "14.3%",
        "score": 1.66,
        "process": "全年岗位流失5人，岗位目标值为35人，人员流动率为：5/35=14.3%，因此扣减17.2%权重分。"
        "根据评价标准，该指标满分2分，得分1.66分。",
    },
    "招聘程序规范性": {
        "judge": "×",
        "score": 0,
        "process": "已发布招聘公告并按面试测评分数确认招录人选，但未将聘用结果进行挂网公示。故该指标满分2分，得分0分。",
    },
    "档案管理规范性": {
        "judge": "×",
        "score": 0,
        "process": "已提交的《教育部学历在线验证报告》仅有37份，而2023年在职及已离职人员总计38人，缺少1份离职人员的"
        "学历验证报告，材料存在缺失。故该指标满分2分，得分0分。",
    },
    "聘用人员到位率": {
        "actual": "95.7%",
        "expert": 4.08,
        "score": 4.08,
        "process": "2023年度12个月的平均编外在岗人数为33.5人，人员到位率为95.7%。该指标满分5分，结合专家评审结果，"
        "最终得分为4.08分。",
    },
    "日均办件量": {
        "actual": "5266件/次",
        "score": 2.5,
        "process": "选取2023年10月27日至11月2日的情况上报，日均办件量约为5266人次；但该指标没有明确的后台统计数据支撑，"
        "扣减50%权重分。故该指标满分5分，得分2.5分。",
    },
    "月接待办事人次": {
        "actual": "100000人次",
        "score": 2.5,
        "process": "选取2023年10月27日至11月2日的情况上报，月接待办事人次约为10万人次；但该指标没有明确的后台统计数据"
        "支撑，扣减50%权重分。故该指标满分5分，得分2.5分。",
    },
    "职能职责履行情况": {
        "judge": "√",
        "score": 4,
        "process": "2023年度人员考核结果为合格，聘用人员均已参加年度考核，且年度绩效考核成果均为合格。"
        "故该指标满分4分，得分4分。",
    },
    "培训上岗率": {
        "judge": "××",
        "score": 0,
        "process": "已提交岗前培训相关资料，但未建立岗前培训制度，且未进行岗前考核，扣除100%权重分数。"
        "故该指标满分4分，得分0分。",
    },
    "人员资质情况": {
        "fail": 1,
        "score": 3.88,
        "process": "工作人员学历均不低于大专学历，但缺少1份离职人员的学历验证报告，扣减权重的3%。"
        "故该指标满分4分，得分3.88分。",
    },
    "非岗情况": {
        "judge": "√",
        "score": 4,
        "process": "聘用人员全部任用为引导员，新聘用人员的职责也均为大厅现场咨询引导服务。故该指标满分4分，得分4分。",
    },
    "成本控制": {
        "actual": "249.99万元",
        "score": 5,
        "process": "两次绩效监控节点中预算执行进度与事项完成进度基本匹配；项目预算252.49万元，全年执行数为249.99万元，"
        "实际支出未超过预算计划。故该指标满分5分，得分5分。",
    },
    "政务服务中心运行情况良好": {
        "actual": "98.8%",
        "score": 5,
        "process": "来访人员问卷有效填写341人，对工作人员业务专业能力评价为不太满意、非常不满意的4人，认为引导员专业能力"
        "足够的比例为98.8%。故该指标满分5分，得分5分。",
    },
    "有责投诉情况": {
        "judge": "√√",
        "score": 5,
        "process": "采用“好差评评价系统”建立了投诉机制；2023年未出现相关有责投诉且不能及时得到有效解决的情况。"
        "故该指标满分5分，得分5分。",
    },
    "长效管理机制建立健全": {
        "judge": "√√√",
        "score": 5,
        "process": "通过工会召开工作例会、摆放意见箱等方式听取职工意见；全年组织开展4次活动；已提交《乌鲁木齐市政务服务中心"
        "关于提升大厅现场管理水平的补充规定（试行）》。故该指标满分5分，得分5分。",
    },
    "聘用人员满意度": {
        "actual": "97.5%",
        "score": 5,
        "process": "聘用人员问卷第10题6个选项共174人次回答，平均得分9.75分（满分10分），满意度为97.5%，高于90%，"
        "得权重分的100%。故该指标满分5分，得分5分。",
    },
    "来访人员满意度": {
        "actual": "99.7%",
        "expert": 3.86,
        "score": 3.86,
        "process": "来访人员问卷第1题填写341人，339人“非常满意”、1人“基本满意”、1人“非常不满意”，满意度为99.7%，"
        "高于90%，得权重分的100%。故该指标满分4分，得分4分。结合专家评审意见及打分结果，该项最终得分3.86分。",
    },
}

# 2023 monthly staffing of 附件11 (在岗, 离职, 入职).
STAFF_000 = (
    (34, 1, 0), (33, 1, 0), (31, 1, 0), (35, 0, 4), (35, 0, 0), (34, 1, 0),
    (34, 0, 0), (34, 0, 0), (33, 1, 0), (33, 0, 0), (33, 0, 0), (33, 0, 0),
)  # fmt: skip

# 来访人员问卷: Q1 as the report counts it; Q2 has 341 answers of which 4 are dissatisfied.
SURVEY_000 = (
    ("您对窗口引导员服务态度的评价", (339, 0, 1, 0, 1)),
    ("您对工作人员的业务专业能力的评价", (320, 12, 5, 3, 1)),
)


def build_000(path: Path) -> None:
    wb = new_workbook()
    project_info(
        wb,
        [
            ("项目名称", "2023年政务服务运行维护费项目"),
            ("单位", "乌鲁木齐市政务服务中心"),
            ("年度", 2023),
            ("评价类型", "项目支出绩效评价"),
            ("评价机构", "中国投资咨询有限责任公司"),
            ("评级标准", "优90,良80,中>70"),
            ("评价等级", "中"),
        ],
    )
    rows: list[dict[str, object]] = []
    for i, ind in enumerate(PROJECT_INDICATORS, start=1):
        facts = FACTS_000[ind.name]
        rows.append(
            {
                "序号": i,
                "一级指标": ind.level1,
                "二级指标": ind.level2,
                "三级指标": ind.name,
                "权重": whole(ind.weight),
                "标杆值": ind.target,
                "业绩值": facts.get("actual"),
                "评分标准": ind.rule,
                "要点判定": facts.get("judge"),
                "不符合项数": facts.get("fail"),
                "评分过程": facts.get("process"),
                "专家得分": facts.get("expert"),
                "得分": facts["score"],
            }
        )
    rows.append({"三级指标": "合计", "权重": 100, "得分": 79.75})
    ws = wb.create_sheet("指标")
    indicator_sheet(ws, PROJECT_TITLE, HEADER_000, rows)
    widths(ws, (6, 8, 10, 16, 7, 12, 12, 48, 10, 8, 48, 9, 8))

    ws = wb.create_sheet("基础表")
    put(ws, 1, 1, "一、项目资金情况（单位：万元）")
    nxt = table(
        ws,
        2,
        ("项目", "年初预算数", "全年预算数", "实际到位数", "实际支出数"),
        [("合计", 252.49, 252.49, 252.49, 249.99)],
    )
    put(ws, nxt + 1, 1, "二、人员情况")
    nxt = key_values(ws, nxt + 2, [("目标人数", 35, "人")])
    put(ws, nxt + 1, 1, "三、2023年月度人员情况（单位：人）")
    table(
        ws,
        nxt + 2,
        ("月份", "在岗人数", "离职人数", "入职人数"),
        [(f"{m}月", on, left, joined) for m, (on, left, joined) in enumerate(STAFF_000, start=1)],
    )
    widths(ws, (34, 12, 12, 12, 12))

    survey_sheet(wb.create_sheet("问卷汇总-来访人员"), "满意率法", SURVEY_000)
    save(wb, path)


# ---------------------------------------------------------------------------
# Reference 004: 奇台县政务服务和公共资源交易中心 2023 (department-overall evaluation)
# ---------------------------------------------------------------------------

HEADER_004 = (
    "序号", "一级指标", "二级指标", "三级指标", "权重", "指标解释", "标杆值", "业绩值",
    "评分标准", "评分过程", "得分", "得分率",
)  # fmt: skip

_SUM_UP = "综上所述，该指标设定分值{w}分，经综合评价得{s}分。"
_ORG = "奇台县政务服务和公共资源交易中心"
_LOOKED = f"根据绩效评价小组查看{_ORG}部门整体相关资料发现："

# code → (业绩值 from table 4-2, 评分过程 from 附件1, 得分).  得分率 follows from 得分.
FACTS_004: dict[str, tuple[str | None, str, int | None]] = {
    "A11": (
        "合理",
        f"1.{_ORG}依据新疆“十四五”规划制定部门中长期规划；2.{_ORG}依据自治区的总体规划，将任务落实到部门中长期规划；"
        f"3.{_ORG}.依据自治区的总体规划对部门总体目标、规划实施内容及时间安排有明确规定；4.{_ORG}中长期规划中对部门"
        "各项职能的履行均进行了完整规划。\n" + _SUM_UP.format(w=3, s=3),
        3,
    ),
    "A12": (
        "科学完整",
        f"{_LOOKED}1.{_ORG}制定了明确的2023年度工作计划；2.2023年度工作计划包含总目标、计划实施内容、责任主体相关内容；"
        "3.2023年度工作计划针对部门全部职能的履行进行了计划安排。\n" + _SUM_UP.format(w=3, s=3),
        3,
    ),
    "A21": (
        "规范",
        f"{_LOOKED}1.{_ORG}部门整体支出绩效目标细化分解为具体的绩效指标；2.可以通过清晰、可衡量的指标值予以体现；"
        "3.与部门年度工作任务无偏差。\n" + _SUM_UP.format(w=2, s=2),
        2,
    ),
    "A22": (
        "合理",
        f"{_LOOKED}1.{_ORG}有部门整体支出绩效目标 2.绩效目标与部门职能、规划计划具有相关性；"
        "3.预期产出效益和效果符合正常的业绩水平。\n" + _SUM_UP.format(w=2, s=2),
        2,
    ),
    "A31": (
        "规范",
        "绩效评价工作组根据项目单位提供的资料核查分析：①预算编制经过科学论证；②预算内容与部门履职及规划计划匹配；"
        "③预算额度测算依据充分，按照标准编制；④预算确定的资金量与工作任务相匹配。" + _SUM_UP.format(w=2, s=2),
        2,
    ),
    "A32": (
        "匹配",
        f"{_LOOKED}{_ORG}专项支出立项依据充分，支出内容与工作计划一一对应；重点工作保障遵循轻重缓急，按顺序保障。\n"
        + _SUM_UP.format(w=3, s=3),
        3,
    ),
    "B11": (
        "健全",
        f"根据绩效评价小组查看相关资料：①{_ORG}专门制定了《{_ORG}管理办法》《{_ORG}内部管理细则》《内部管理制度》"
        f"等制度；②{_ORG}业务管理制度合法、合规、完整。\n" + _SUM_UP.format(w=5, s=5),
        5,
    ),
    "B21": (
        "公开",
        f"根据绩效评价小组查看奇台县人民政府网站发现：{_ORG}在2023年1月23日发布2023年部门预算公开，2023年11月6日"
        "发布2022年部门决算报表，2023年部门决算报表按照财政流程正在做公开准备。" + _SUM_UP.format(w=2, s=2),
        2,
    ),
    "B31": (
        "100%",
        # The PDF table lost the "/" of "718.39/718.39"; the report's text body has it.
        f"根据{_ORG}2023年决算报表及决算分析报告数据显示，{_ORG}2023年全年预算是718.39万元，全年支出718.39万元。"
        f"根据公式：（718.39/718.39）/100%=100%。{_ORG}全年支出预算执行率为100%。该指标设定分值5分，经综合评价得5分。",
        5,
    ),
    "B32": (
        "合规",
        "根据绩效评价小组实地调研查看部门整体资金相关资料发现：①资金使用符合国家财经法规和财务管理制度规定以及有关专项"
        "资金管理办法的规定；②资金的拨付有完整的审批程序和手续；③重大开支是经过党组会议评估论证；④资金支出符合部门"
        "预算批复的用途；⑤不存在截留、挤占、挪用情况。" + _SUM_UP.format(w=3, s=3),
        3,
    ),
    "B33": (
        "公开及时",
        f"{_LOOKED}{_ORG}建立健全责任明确的工作机制、简便顺畅的操作流程和集中统一的发布渠道，确保政府采购信息发布的"
        "及时、完整、准确，实现政府采购信息的全流程公开透明。" + _SUM_UP.format(w=3, s=3),
        3,
    ),
    "B41": (
        "100%",
        f"绩效评价小组实地调研和查看相关资料发现，{_ORG}2023年纳入年初预算项目及年度追加项目共计10个，全年实际完成"
        "项目10个，年度项目完成率100%，具体项目预算安排及完成情况详见“基础表2-3”。"
        + _SUM_UP.format(w=5, s=5),
        5,
    ),
    "B42": (
        "214.97%",
        f"根据{_ORG}决算报表及预算公开情况，2023年部门安排项目资金78.08万元，全年实际完成项目收入245.93万元，"
        "预算调整数为167.85万元；预算调整率=（167.85/78.08）×100%=214.97%；" + _SUM_UP.format(w=3, s=0),
        0,
    ),
    "B51": (
        "规范",
        f"根据绩效评价小组实地调研和查看相关资料：①评价组未发现{_ORG}因管理不当发生严重资产损失和丢失的情况；"
        f"②评价组未发现{_ORG}超标准配置资产情况；③评价组未发现未经批准擅自出租、出借资产的行为；④资产处置规范，"
        "不存在不按要求进行报批或资产不公开处置行为。\n" + _SUM_UP.format(w=5, s=5),
        5,
    ),
    "B52": (
        "100%",
        "根据奇台县政务服务中心和公共资产交易中心2023年部门行政事业性国有资产报表数据显示，奇台县政务服务中心和公共"
        "资产交易中心2023年实际在用固定资产是44.92万元，所有固定资产总额是44.92万元。固定资产利用率"
        "=44.92/44.92*100%=100%。" + _SUM_UP.format(w=4, s=4),
        4,
    ),
    "C11": (
        "500件",
        "根据单位提供相关业务资料，2023年奇台县自治区一体化平台办件数量达到500件，完成绩效指标值，综上所述，此项得满分。",
        5,
    ),
    "C12": (
        "15项",
        "根据单位提供相关业务资料，2023年“线上全流程电子化”支付集中采购项目数量达到15项，完成绩效指标值，"
        "综上所述，此项得满分。",
        5,
    ),
    "C13": (
        "3个",
        "根据单位提供相关业务资料，2023年建设工程项目进场交易数量完成3个，完成绩效指标值，综上所述，此项得满分。",
        4,
    ),
    "C21": (
        "100%",
        "根据单位2023年决算报表，奇台县政务服和公共资源交易中心实际项目资金支出额245.93万元，全年项目预算安排为"
        "245.93万元，项目资金执行率为100%。综上所述，此项得满分。",
        4,
    ),
    "C22": (
        "744.38%",
        f"根据绩效评价小组查看{_ORG}部门2023年决算报表及决算分析报告数据显示，2023年度公用经费年初预算是8万元，"
        "公用经费决算数是59.55万元，根据公式59.55/8*100%=744.38%；公用经费控制率是744.38%。\n"
        + _SUM_UP.format(w=4, s=0),
        0,
    ),
    "C31": (
        "100%",
        f"根据绩效评价小组查看资料及现场访谈得出：2023年{_ORG}重点工作全部完成（详见基础表2-4）。\n"
        + _SUM_UP.format(w=4, s=4),
        4,
    ),
    "C41": (
        "100%",
        "根据单位提供相关业务资料，2023年奇台县12345政务服务便民热线按期签收率为100%，达到绩效指标值。"
        "综上所述，此项得满分。",
        4,
    ),
    "C42": (
        "99.55%",
        "根据单位提供相关业务资料，2023年奇台县12345政务服务便民热线办结率为99.55%。综上所述，此项得满分。",
        4,
    ),
    # The report quotes 93.94% / 98.19% here while 业绩值 says 93.22% / 97.07%: kept (SPEC §9).
    "C43": (
        "93.22%",
        "根据单位提供相关业务资料，2023年奇台县印章备案部门覆盖率为93.94%，综上所述，此项得满分。",
        4,
    ),
    "C44": (
        "97.07%",
        "根据单位提供相关业务资料，2023年奇台县网上政务服务能力调查评估总体指数为98.19%，综上所述，此项得满分。",
        4,
    ),
    "C51": (
        "96.90%",
        "根据问卷调查结果显示，2023年群众对奇台县政务服务工作的满意度为96.90%，综上所述，此项得满分。",
        4,
    ),
    "C52": (
        "97.64%",
        "根据问卷调查结果显示，2023年群众对公共资产交易工作的满意度为97.64%，综上所述，此项得满分。",
        4,
    ),
    "F11": (None, "", None),
    "F21": (None, "", None),
}

# The report numbers 附件1 rows 1…25, leaves C51/C52 unnumbered and gives F11/F21 26/27.
SERIAL_004 = {**{c: i for i, c in enumerate(FACTS_004, start=1) if i <= 25}, "F11": 26, "F21": 27}

BUDGET_004 = (
    (1, "基本支出", 364.23, 472.46, 472.46, "100%"),
    (2, "人员经费", 356.23, 412.91, 412.91, "100%"),
    (3, "公用经费", 8, 59.55, 59.55, "100%"),
    (4, "项目支出", 78.08, 245.93, 245.93, "100%"),
    (5, "“三公”经费", 0, 0, 0, None),
    (6, "政府采购", 3, "—", 45.71, "1523.67%"),
    (7, "本年支出合计", 442.31, 718.39, 718.39, "100%"),
)

PROJECTS_004 = (
    ("2023年政务大厅保安保洁工资项目", 18, 18, 18),
    ("政务大厅装修改造项目", "-", 50, 50),
    ("政务大厅机房空调、照明灯等设施设备维修费用", "-", 5.7, 5.7),
    ("退还政务大厅便民经营场所场地租赁费", "-", 4.4, 4.4),
    ("2023年政务大厅水、电、物业等运转经费", 15, 15, 15),
    ("政资中心会议室空调和幕布经费", "-", 1.4, 1.4),
    ("2023年12月化解资金", "-", 28.5, 28.5),
    ("奇台县便民便企服务中心一体化民生服务平台", "-", 40, 40),
    ("奇台县政务服务和公共资源交易中心装修改造项目资金", "-", 30, 30),
    ("奇台县政务服务和公共资源交易中心2022-2023物流园交易大厅采暖费", "-", 2.7, 2.7),
    ("2022—2023年行政事业单位暖气费", "-", 10.24, 10.24),
    ("2023年中小企业化解资金（第四批）", "-", 40, 40),
)

# Tallies (非常满意…非常不满意) of 71 respondents; Σ score / 355 gives the report's item rates.
SURVEY_004_TRADING = (
    ("您对资源交易中心提供的交易服务设施的便利度等方面的评价。", (66, 1, 3, 1, 0)),  # 345 → 97.183%
    (
        "您对公共资源交易中心在政府采购、建设工程等交易服务保障的服务时效、态度、质量等方面的总体评价。",
        (66, 2, 2, 1, 0),
    ),  # 346 → 97.465%
    (
        "您对公共资源交易中心在交易保障过程中的场地秩序服务、代理机构评审专家抽取、开评标现场管理等方面的总体评价。",
        (66, 3, 0, 2, 0),
    ),  # 346 → 97.465%
    (
        "您对在交易保障过程中的信息化及电子化程度、信息系统的综合保障、弱电硬件设置的维护保障等方面的总体评价。",
        (67, 1, 2, 1, 0),
    ),  # 347 → 97.746%
    (
        "您对公共资源交易中心工作人员在工作人员服务到位情况，服务态度、业务熟练度、是否做到一次告知制、"
        "即办业务当场办结等方面的总体评价。",
        (67, 2, 1, 1, 0),
    ),  # 348 → 98.028%
    (
        "您对奇台县公共资源交易中心在开展延时服务，做好开评标异常问题处理等方面的总体评价。",
        (65, 3, 3, 0, 0),
    ),  # 346 → 97.465%
    (
        "您对奇台县公共资源交易中心信访、投诉处理的时效性、准确性、完整性等方面的总体评价。",
        (67, 3, 0, 0, 1),
    ),  # 348 → 98.028%
    ("您对目前阶段公共资源交易信息公开方面是否满意？", (66, 3, 1, 1, 0)),  # 347 → 97.746%
)
SURVEY_004_SERVICE = (
    ("您对政务服务信息咨询的满意度", (64, 2, 4, 1, 0)),  # 342 → 96.338%
    ("您在政务服务“一次办结”办事过程中的满意度", (66, 3, 2, 0, 0)),  # 348 → 98.028%
    ("您对奇台县政务服务事项办理便利度是否满意", (64, 3, 3, 1, 0)),  # 343 → 96.62%
    ("总体来说您对现行的政务服务满意吗", (65, 2, 3, 0, 1)),  # 343 → 96.62%
)


def build_004(path: Path) -> None:
    wb = new_workbook()
    project_info(
        wb,
        [
            ("部门名称", "奇台县政务服务和公共资源交易中心"),
            ("年度", 2023),
            ("评价类型", "部门整体支出绩效评价"),
            ("评价机构", "新疆财讯睿智信息咨询有限公司"),
            ("评级标准", "90,80,60"),
            ("评价等级", "优"),
        ],
    )
    rows: list[dict[str, object]] = []
    for ind in DEPARTMENT_INDICATORS:
        actual, process, score = FACTS_004[ind.code]
        rate = None
        if score is not None and ind.weight:
            rate = f"{round(100 * score / ind.weight)}%"
        rows.append(
            {
                "序号": SERIAL_004.get(ind.code),
                "一级指标": ind.level1,
                "二级指标": ind.level2,
                "三级指标": ind.label,
                "权重": whole(ind.weight),
                "指标解释": ind.explanation,
                "标杆值": ind.target,
                "业绩值": actual,
                "评分标准": ind.rule,
                "评分过程": process,
                "得分": score,
                "得分率": rate,
            }
        )
    rows.append({"三级指标": "合计", "权重": 100, "得分": 93, "得分率": "93%"})
    ws = wb.create_sheet("指标")
    indicator_sheet(ws, DEPARTMENT_TITLE, HEADER_004, rows)
    widths(ws, (5, 9, 10, 16, 6, 26, 9, 9, 44, 48, 6, 8))

    ws = wb.create_sheet("基础表")
    put(ws, 1, 1, "表2-1 部门财政资金总体使用情况表（单位：万元）")
    nxt = table(
        ws, 2, ("序号", "项目支出类别", "年初预算数", "全年预算数", "决算数", "预算执行率"), BUDGET_004
    )
    put(ws, nxt + 1, 1, "表2-2 人员、资产及工作完成情况")
    nxt = key_values(
        ws,
        nxt + 2,
        [
            ("编制数", 25, "人"),
            ("实有人数", 22, "人"),
            ("固定资产总额", 44.92, "万元"),
            ("在用固定资产总额", 44.92, "万元"),
            ("计划完成项目数", 10, "个"),
            ("实际完成项目数", 10, "个"),
            ("重点工作数", 7, "项"),
            ("完成重点工作数", 7, "项"),
        ],
    )
    put(ws, nxt + 1, 1, "表2-3 项目明细（单位：万元）")
    project_rows: list[tuple[object, ...]] = [
        (i, name, start, adjusted, spent, "是")
        for i, (name, start, adjusted, spent) in enumerate(PROJECTS_004, 1)
    ]
    # 245.94 ≠ 项目支出 245.93 and 33 ≠ 78.08, as in the report
    project_rows.append((None, "合计", 33, 245.94, 245.94, None))
    table(
        ws,
        nxt + 2,
        ("序号", "项目名称", "年初预算数", "调整后预算数", "实际支出数", "是否完成"),
        project_rows,
    )
    widths(ws, (16, 52, 12, 14, 12, 12))

    survey_sheet(wb.create_sheet("问卷汇总-公共资源交易"), "均值法", SURVEY_004_TRADING)
    survey_sheet(wb.create_sheet("问卷汇总-政务服务"), "均值法", SURVEY_004_SERVICE)
    save(wb, path)


# ---------------------------------------------------------------------------
# Invented example 1: one indicator per stock rule phrasing
# ---------------------------------------------------------------------------

HEADER_RULES = (
    "序号", "一级指标", "二级指标", "三级指标", "权重", "标杆值", "业绩值", "评分标准", "计分方法",
    "要点判定", "不符合项数", "评分过程", "专家1", "专家2", "专家3", "得分",
)  # fmt: skip

# Deliberately wrong declared scores, for the audit to find (name → (declared, correct)):
# - 预算执行率: actual 95% (510.72 / 537.6 from 基础表) with "每降低1%扣5%权重分" on weight 5
#   gives 3.75; the evaluator wrote 4.25.
# - 有责投诉情况: one unresolved complaint (要点判定 √×) gives 2.5 of 5; the evaluator wrote 5.
RULES_WRONG_SCORES = {"预算执行率": (4.25, 3.75), "有责投诉情况": (5, 2.5)}

# (一级, 二级, 三级, 权重, 标杆值, 业绩值, 评分标准, 计分方法, 要点判定, 不符合项数, 评分过程, 专家分, 得分)
# Comments give the score the rule yields (the declared 得分 equals it except in RULES_WRONG_SCORES).
_RULE_ROWS: tuple[tuple[object, ...], ...] = (
    # checklist 30/30/40, √√× → 4 × 60% = 2.4
    ("决策", "项目立项", "立项程序规范性", 4, None, None,
     "①项目按照规定的程序申请设立；②提交的文件、材料符合相关要求；③事前已经过必要的可行性研究、专家论证、风险评估、"
     "集体决策。有规定立项、决策流程的项目选择以上三项分别占30%、30%、40%权重分，全部符合得满分，否则扣除相应权重分。",
     None, "√√×", None, "未开展事前专家论证，扣除40%权重分。", None, 2.4),
    # checklist with a 50% base, base √ + 4 of 5 → 4 × 90% = 3.6
    ("决策", "绩效目标", "绩效目标合理性", 4, None, None,
     "有绩效目标得权重分得50%；①明确性：目标指向明确；②可衡量性：是否通过清晰、可衡量的指标值予以体现；"
     "③可实现性：项目预期产出和效果是否能符合正常的业绩水平；④相关性：绩效目标与预算的匹配性；"
     "⑤时限性：是否明确目标实现的时间。以上五项各占10%权重分，符合则得分，否则扣除相应权重分。",
     None, "√√√√×√", None, "绩效目标与预算匹配性不足，扣除10%权重分。", None, 3.6),
    # checklist, equal quarters, √√√× → 3 × 75% = 2.25
    ("决策", "资金投入", "预算编制科学性", 3, None, None,
     "①预算编制经过科学论证；②预算内容与项目内容匹配；③预算额度测算依据充分；④预算确定的资金量与实际工作任务相匹配。"
     "以上4项各占1/4的权重分。",
     None, "√√√×", None, "预算资金量与实际工作任务不完全匹配。", None, 2.25),
    # manual (计分方法 人工) with three experts: mean of 3.5, 3.5, 3.2 = 3.4
    ("决策", "资金投入", "资金分配合理性", 4, None, None,
     "资金分配依据充分、额度合理，由评价组结合实地调研综合判定。",
     "人工", None, None, "资金分配总体合理，个别街道补助额度偏高。", (3.5, 3.5, 3.2), 3.4),
    # band, actual linked from 基础表: 537.6 / 560 = 96% → 4 − 4 × 2% × 4 = 3.68
    ("过程", "资金管理", "资金到位率", 4, "100%", None,
     "资金到位率60%-100%时，每降低一个百分点，扣减权重分的2%；资金到位率低于60%时不得分。",
     None, None, None, "全年预算560万元，实际到位537.6万元，资金到位率96%。", None, 3.68),
    # step, actual linked from 基础表: 510.72 / 537.6 = 95% → 5 − 5 × 5% × 5 = 3.75 (declared 4.25: wrong)
    ("过程", "资金管理", "预算执行率", 5, "100%", None,
     "预算执行率100%得满分，每降低1%扣5%权重分，扣完为止。",
     None, None, None, "实际到位资金537.6万元，实际支出510.72万元，预算执行率95%，得4.25分。", None, 4.25),
    # deduct_each (points), 1 case → 4 − 1 = 3
    ("过程", "资金管理", "资金使用合规性", 4, None, None,
     "每出现一例不符合要求的扣1分，扣完为止。",
     None, None, 1, "1笔餐补发放缺少签领记录。", None, 3),
    # checklist, deduction style "每少一个关键条款，扣减权重分的33%", √×√ → 4 − 4 × 33% = 2.68
    ("过程", "组织实施", "管理制度健全性", 4, None, None,
     "管理制度包括服务人员日常考核、服务质量监督制度与人员培训机制。以上3个相关关键管理内容，实现以上3条关键条款的，"
     "得权重分的100%，每少一个关键条款，扣减权重分的33%。",
     None, "√×√", None, "未建立服务质量监督制度。", None, 2.68),
    # checklist with a minimum: only 1 of 4 (< 2) → 0
    ("过程", "组织实施", "财务管理制度健全性", 4, None, None,
     "财务管理制度包括预算和决算制度、资金拨付流程规定、资金使用管理制度、审计及绩效评价制度等四项制度。"
     "覆盖和执行4项以上的，得权重分的100%；每少一项制度，扣减权重分的25%；覆盖和执行少于2项，此项不得分。",
     None, "√×××", None, "仅有资金拨付流程规定。", None, 0),
    # binary, √ → 4
    ("过程", "组织实施", "档案管理规范性", 4, None, None,
     "原始凭证、服务合同、验收资料齐全。存在缺失不得分。",
     None, "√", None, "档案资料齐全。", None, 4),
    # ratio: 11400 / 12000 × 6 = 5.7
    ("产出", "数量指标", "助餐服务人次", 6, "≥12000人次", "11400人次",
     "该指标得分=实际完成值/标杆值×该指标权重分值",
     None, None, None, "全年助餐服务11400人次。", None, 5.7),
    # step through 计分方法 (the text alone is not a stock phrase): 19 of 20 → 5% short → 5 − 25% × 5 = 3.75
    ("产出", "数量指标", "助餐点建设数量", 5, "≥20个", "19个",
     "未完成建设任务的，按完成情况酌情扣分。",
     "扣分法 步长=5%权重 下限=0", None, None, "建成助餐点19个，1个因选址调整未建成。", None, 3.75),
    # tiers: 86.5% lies in 80%-90% → 4
    ("产出", "质量指标", "服务质量抽查合格率", 5, "≥90%", "86.5%",
     "≥90%得5分，80%-90%得4分，70%-80%得3分，60%-70%得2分，低于60%不得分",
     None, None, None, "抽查200次服务，合格173次，合格率86.5%。", None, 4),
    # deduct_each (% of weight), 2 persons → 4 − 2 × 3% × 4 = 3.76
    ("产出", "质量指标", "服务人员持证情况", 4, None, None,
     "服务人员均应持有养老护理员证书，每一人无证上岗，扣减权重的3%，扣完为止。",
     None, None, 2, "2名服务人员未取得养老护理员证书。", None, 3.76),
    # deduct_each (points) on a quality rate: 1 site failed → 6 − 1 = 5
    ("产出", "质量指标", "设施验收合格率", 6, "100%", "95%",
     "设施验收合格率100%的，得6分；1项不合格，扣1分，扣完为止。",
     None, None, 1, "20个助餐点验收合格19个。", None, 5),
    # tolerance: 12% − 10% = 2 points beyond → 4 − 2 × 0.1 = 3.8
    ("产出", "成本指标", "预算调整率", 4, "±10%以内", "12%",
     "项目支出预算调整率在±10%以内，得4分，每增减1%扣0.1分，扣完为止。",
     None, None, None, "年初预算500万元，调整后560万元，预算调整率12%。", None, 3.8),
    # pass_fail: 510.72 ≤ 560 → 5
    ("产出", "成本指标", "成本控制", 5, "≤560万元", "510.72万元",
     "在预算执行进度与事项完成进度基本匹配的前提下，实际支出未超过预算计划的，得权重分的100%，否则该项不得分",
     None, None, None, "实际支出510.72万元，未超过预算。", None, 5),
    # threshold: 92% is 3 points under 95% → 5 × 97% = 4.85
    ("产出", "时效指标", "补助资金发放及时率", 5, "≥95%", "92%",
     "及时率不低于95%的得权重分的100%，否则每下降1%扣减权重分的1%，扣完为止。",
     None, None, None, "应按月发放的补助中92%按时发放。", None, 4.85),
    # proportional: 5 × 88% = 4.4
    ("效益", "社会效益", "老年人生活质量改善率", 5, "≥85%", "88%",
     "该指标得分=该指标权重分值*生活质量改善率",
     None, None, None, "回访老人中88%认为生活质量有所改善。", None, 4.4),
    # checklist 2 × 50%, √× → 2.5 (declared 5: wrong)
    ("效益", "社会效益", "有责投诉情况", 5, None, None,
     "建立顺畅的投诉机制；2024年未出现相关有责投诉且不能及时得到有效解决的情况，以上2条各得权重分的50%。",
     None, "√×", None, "已建立投诉机制；2024年出现1起有责投诉未及时解决。", None, 5),
    # threshold (satisfaction): 87% is 3 points under 90% → 6 × 97% = 5.82
    ("效益", "满意度", "服务对象满意度", 6, "≥90%", "87%",
     "满意度不低于90%的得权重分的100%，否则每下降1%扣减权重分的1%，扣完为止。",
     None, None, None, "问卷调查满意度87%。", None, 5.82),
    # award-style 3 × 33% with all 3 points satisfied → full 4 (SPEC §6.2 trap)
    ("效益", "满意度", "长效管理机制建立健全", 4, None, None,
     "针对服务人员建立通畅的意见收集措施，开展形式多样的活动提高服务人员归属感，定期进行管理制度更新，"
     "以上3点，每满足一条，得权重分的33%。",
     None, "√√√", None, "三项措施均已落实。", None, 4),
    # bonus, √ = the commendation happened → +2
    ("加减分项", "加分项", "受到省级表彰", 2, None, None,
     "受到省级表彰得2分", None, "√", None, "项目获评省级养老服务示范项目。", None, 2),
    # penalty, √ = compliant → no deduction
    ("加减分项", "减分项", "违法违纪情况", -2, None, None,
     "存在违法违纪情况扣2分", None, "√", None, "未发现违法违纪情况。", None, 0),
)  # fmt: skip

RULES_TOTAL_DECLARED = 86.34  # Σ declared (84.34) + bonus 2; the correct total is 83.34


def build_rules(path: Path) -> None:
    wb = new_workbook()
    project_info(
        wb,
        [
            ("项目名称", "2024年社区养老助餐服务补助项目（示例）"),
            ("单位", "示例市民政局"),
            ("年度", 2024),
            ("评价类型", "项目支出绩效评价"),
            ("评价机构", "示例绩效评价咨询有限公司"),
            ("评级标准", "90,80,60"),
            ("评价等级", "良"),
        ],
    )
    rows: list[dict[str, object]] = []
    for i, rec in enumerate(_RULE_ROWS, start=1):
        l1, l2, name, weight, target, actual, rule, method, judge, fail, process, experts, score = rec
        row: dict[str, object] = {
            "序号": i,
            "一级指标": l1,
            "二级指标": l2,
            "三级指标": name,
            "权重": weight,
            "标杆值": target,
            "业绩值": actual,
            "评分标准": rule,
            "计分方法": method,
            "要点判定": judge,
            "不符合项数": fail,
            "评分过程": process,
            "得分": score,
        }
        if experts:
            row.update(zip(("专家1", "专家2", "专家3"), experts, strict=True))
        rows.append(row)
    rows.append({"三级指标": "合计", "权重": 100, "得分": RULES_TOTAL_DECLARED})
    ws = wb.create_sheet("指标")
    indicator_sheet(ws, "2024年社区养老助餐服务补助项目绩效评价指标体系（示例）", HEADER_RULES, rows)
    widths(ws, (5, 8, 10, 18, 6, 11, 11, 46, 22, 9, 8, 34, 6, 6, 6, 7))

    ws = wb.create_sheet("基础表")
    put(ws, 1, 1, "项目资金情况（单位：万元）")
    table(
        ws,
        2,
        ("项目", "年初预算数", "全年预算数", "实际到位数", "实际支出数"),
        [("合计", 500, 560, 537.6, 510.72)],
    )
    widths(ws, (20, 12, 12, 12, 12))
    save(wb, path)


# ---------------------------------------------------------------------------
# Invented example 2: a national-style 项目支出绩效自评表 with untidy cells
# ---------------------------------------------------------------------------

EXEC_HEADER_SELF = ("项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
HEADER_SELF = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")  # fmt: skip

# What is untidy on purpose, and what a careful reader should make of it:
SELF_FLAWS = (
    "指标表在名为“评分表”的工作表里；上方有标题、项目名称行和预算执行率资金块，指标表头在第8行",
    "预算执行率不是指标行，而是资金块“年度资金总额”：76/80 = 95%，10 × 95% = 9.5；执行率填的是数值 0.95（百分比格式）",
    "没有评分标准列：按 SPEC §6.4 的默认规则计分",
    "年度指标值“≥１２００人次”用全角数字；实际完成值“1,260人次”带千分位",
    "年度指标值“=20部”以等号开头（必须作为文本保存）；分值写成文本“10分”，得分写成“9分”",
    "培训合格率的实际完成值是数值 0.965（单元格格式为百分比），不是文本",
    "受训人员就业率失分（13.5/15）却没有填写偏差原因分析",
    "受训人员满意度的实际完成值“ 93% ”前后带空格，得分为空（由工具计算，应得 10）",
    "总分前有一个空行；总分得分 96.5 填错（正确为 9.5 + 87.5 = 97）",
)

# 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因 (the score each default rule gives in comments)
_SELF_ROWS: tuple[tuple[object, ...], ...] = (
    ("产出指标", "数量指标", "培训人次", "≥１２００人次", "1,260人次", 10, 10, None),  # ratio capped → 10
    ("产出指标", "数量指标", "印发培训手册", "=20部", "18部", "10分", "9分",
     "印刷厂延期交付2部，已于次年1月补齐。"),  # eq → 18/20 × 10 = 9
    ("产出指标", "质量指标", "培训合格率", "≥95%", 0.965, 10, 10, None),  # 96.5% ≥ 95% → 10
    ("产出指标", "时效指标", "培训完成时间", "10月底之前", "10月底之前", 10, 10, None),  # same word → 10
    ("产出指标", "成本指标", "人均培训成本", "≤500元", "480元", 10, 10, None),  # le met → 10
    ("效益指标", "社会效益指标", "受训人员就业率", "≥60%", "54%", 15, 13.5, None),  # 54/60 × 15 = 13.5
    ("效益指标", "可持续影响指标", "培训机制长效运行", "有效保障", "有效保障", 15, 15, None),  # → 15
    ("满意度指标", "服务对象满意度指标", "受训人员满意度", "≥90%", " 93% ", 10, None, None),  # → 10
)  # fmt: skip
SELF_TOTAL_DECLARED = 96.5  # correct: 9.5 + 87.5 = 97


def build_self(path: Path) -> None:
    wb = new_workbook()
    project_info(
        wb,
        [
            ("项目名称", "2024年职业技能培训补助项目（示例）"),
            ("单位", "示例县人力资源和社会保障局"),
            ("年度", 2024),
            ("评价类型", "项目支出绩效自评表"),
            ("评级标准", "90,80,60"),
        ],
    )
    ws = wb.create_sheet("评分表")
    ncols = len(HEADER_SELF)
    title(ws, 1, "项目支出绩效自评表（2024年度）", ncols)
    key_values(
        ws, 2, [("项目名称", "2024年职业技能培训补助项目（示例）", None, "实施单位", "示例县就业服务中心")]
    )
    table(
        ws,
        3,
        EXEC_HEADER_SELF,
        [("年度资金总额", 80, 80, 76, 10, 0.95, 9.5), ("当年财政拨款", 80, 80, 76, None, None, None)],
    )
    ws.cell(row=4, column=6).number_format = "0.00%"
    header_row = 8
    cells: list[Sequence[object]] = [list(r) for r in _SELF_ROWS]
    cells.append([None] * ncols)
    cells.append((None, None, "总分", None, None, 100, SELF_TOTAL_DECLARED, None))
    table(ws, header_row, HEADER_SELF, cells)
    ws.cell(row=header_row + 3, column=5).number_format = "0.0%"  # 培训合格率 0.965
    for first, last in ((1, 5), (6, 7)):  # merged 一级指标: 产出指标 ×5, 效益指标 ×2
        for r in range(first + 1, last + 1):
            ws.cell(row=header_row + r, column=1).value = None
        ws.merge_cells(start_row=header_row + first, start_column=1, end_row=header_row + last, end_column=1)
    for r in range(header_row + 1, header_row + len(cells) + 1):
        for c in range(1, ncols + 1):
            ws.cell(row=r, column=c).alignment = _WRAP
    widths(ws, (16, 16, 18, 14, 14, 8, 8, 36))
    save(wb, path)


BUILDERS = {FILE_000: build_000, FILE_004: build_004, FILE_RULES: build_rules, FILE_SELF: build_self}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成 inputs/ 下的示例工作簿")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent, help="输出目录（默认 inputs/）"
    )
    args = parser.parse_args(argv)
    for name, build in BUILDERS.items():
        build(args.out / name)
        print(args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
