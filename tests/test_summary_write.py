"""汇总.xlsx (perfxl.summary_write): the printable 总览 first, statistics, the detail sheet, 失败.

The examples of inputs/ plus two workbooks that cannot be scored are batched once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from perfxl.batch import blocking_reason, run_batch
from perfxl.errors import Finding
from perfxl.evaluate import Options
from perfxl.summary_write import CHART_ROWS, KIND_NAMES, OVERVIEW_COLUMNS, write_summary

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
HEADER = [name for name, _width in OVERVIEW_COLUMNS]


def _text_weights(path: Path) -> None:
    """An indicator table whose weights are words: it cannot be scored."""
    with xlsxwriter.Workbook(path, {"strings_to_numbers": False}) as wb:
        ws = wb.add_worksheet("指标")
        ws.write_row(0, 0, ["序号", "一级指标", "三级指标", "权重", "得分"])
        ws.write_row(1, 0, [1, "决策", "立项依据充分性", "三分", 3])
        ws.write_row(2, 0, [2, "决策", "绩效目标合理性", "三分", 3])


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    src = tmp_path_factory.mktemp("summary") / "in"
    src.mkdir()
    for path in INPUTS.glob("*.xlsx"):
        shutil.copyfile(path, src / path.name)
    (src / "空文件.xlsx").write_bytes(b"")
    _text_weights(src / "权重为文字.xlsx")
    out = src.parent / "out"
    report = run_batch(src, out, Options(), jobs=2, details=False)
    return report, out / "汇总.xlsx"


def _rows(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if isinstance(row[0], int)]


def test_overview_is_the_first_sheet_with_the_reviewers_columns(batch: tuple[Any, Path]) -> None:
    report, path = batch
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames == [
        "总览",
        "统计",
        "汇总",
        "失败",
        "得分率矩阵",
        "失分指标",
        "等级分布",
        "机构差异",
        "总分分布",
        "指标得分",
        "审核意见明细",
    ]
    ws = wb["总览"]
    assert [c.value for c in ws[1]] == HEADER
    rows = _rows(ws)
    assert len(rows) == len(report.summaries) + len(report.failed) == 12
    by_file = {r["文件"]: r for r in rows}
    ref = by_file["004_政务服务和公共资源交易中心_部门整体评价.xlsx"]
    assert ref["单位"] == "奇台县政务服务和公共资源交易中心"  # from 部门名称
    assert ref["评价机构"] == "新疆财讯睿智信息咨询有限公司"
    assert (ref["申报总分"], ref["申报等级"], ref["复核总分"], ref["复核等级"]) == (93, "优", 93, "优")
    assert ref["差异（申报−复核）"] == 0 and ref["等级变化"] in (None, "")
    old = by_file["000_政务服务运行维护费_项目评价.xlsx"]
    assert (old["申报总分"], old["复核总分"], old["差异（申报−复核）"], old["等级变化"]) == (
        79.75,
        84.75,
        -5,
        "中→良",
    )
    # print: one A4 width, the header repeated
    ws = openpyxl.load_workbook(path)["总览"]
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    assert str(ws["B2"].value).startswith('=HYPERLINK("')  # the file is a link to its annotated copy
    # the grade change is highlighted whatever its value
    ranges = [str(cf.sqref) for cf in ws.conditional_formatting]
    assert "L2:L13" in ranges


def test_status_tells_errors_and_failures_apart(batch: tuple[Any, Path]) -> None:
    _report, path = batch
    rows = {r["文件"]: r for r in _rows(openpyxl.load_workbook(path, data_only=True)["总览"])}
    assert rows["示例_项目自评表_数据瑕疵.xlsx"]["状态"] == "有错误"  # total.mismatch
    assert rows["示例_项目自评表_数据瑕疵.xlsx"]["错误"] == 1
    assert rows["004_政务服务和公共资源交易中心_部门整体评价.xlsx"]["状态"] == "计分成功"
    assert rows["空文件.xlsx"]["状态"] == rows["权重为文字.xlsx"]["状态"] == "无法计分"
    assert {r["状态"] for r in rows.values()} == {"计分成功", "有错误", "无法计分"}
    details = _rows(openpyxl.load_workbook(path, data_only=True)["汇总"])
    assert {r["文件"]: r["状态"] for r in details} == {f: r["状态"] for f, r in rows.items()}


def test_rank_compares_workbooks_of_the_same_kind(batch: tuple[Any, Path]) -> None:
    _report, path = batch
    rows = [
        r for r in _rows(openpyxl.load_workbook(path, data_only=True)["总览"]) if r["复核总分"] is not None
    ]
    for kind in KIND_NAMES.values():
        mine = [r for r in rows if r["评价类型"] == kind]
        for r in mine:
            assert r["同类排名"] == 1 + sum(1 for o in mine if o["复核总分"] > r["复核总分"]), r
    self_evals = [r for r in rows if r["评价类型"] == "项目自评"]
    assert sorted(r["同类排名"] for r in self_evals) == list(range(1, len(self_evals) + 1))
    assert [r["评价类型"] for r in rows].index("项目自评") > [r["评价类型"] for r in rows].index("项目评价")
    assert openpyxl.load_workbook(path)["总览"]["M2"].value.startswith("=COUNTIFS(")


def test_failed_sheet_names_sheet_and_cells_once(batch: tuple[Any, Path]) -> None:
    _report, path = batch
    ws = openpyxl.load_workbook(path)["失败"]
    assert [c.value for c in ws[1]] == ["序号", "文件", "原因"]
    reasons = {row[1]: row[2] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert "文件为空" in reasons["空文件.xlsx"]
    words = reasons["权重为文字.xlsx"]
    assert words == "工作表 指标：D2、D3 权重“三分”不是数字（请填写阿拉伯数字，如 3 或 3分）"


def test_blocking_reason_groups_cells_and_says_shared_advice_once() -> None:
    advice = "，请在 Excel/WPS 中打开并保存后再处理"
    findings = [
        Finding("error", "formula.uncached", "指标", "E3", "权重单元格是公式但没有保存计算结果" + advice),
        Finding("error", "formula.uncached", "指标", "I4", "得分单元格是公式但没有保存计算结果" + advice),
        Finding("error", "formula.uncached", "指标", "I5", "得分单元格是公式但没有保存计算结果" + advice),
        Finding("error", "number.unparseable", "基础表", "B2", "数字“x”不是数字"),
    ]
    assert blocking_reason(findings) == (
        "工作表 指标：E3 权重单元格是公式但没有保存计算结果；I4、I5 得分单元格是公式但没有保存计算结果；"
        "请在 Excel/WPS 中打开并保存后再处理；工作表 基础表：B2 数字“x”不是数字"
    )
    assert blocking_reason(findings, limit=1) == (
        "工作表 指标：E3 权重单元格是公式但没有保存计算结果；请在 Excel/WPS 中打开并保存后再处理 等 4 处"
    )


def test_summary_formulas_recalculate_and_no_empty_failed_sheet(batch: tuple[Any, Path], lo: Any) -> None:
    report, path = batch
    clean = write_summary(path.parent / "无失败.xlsx", report.summaries, [])
    assert "失败" not in openpyxl.load_workbook(clean).sheetnames
    many = [
        {**s, "file": f"{i:02d}_{s['file']}", "total": round(60 + i * 1.3, 2)}
        for i, s in enumerate(report.summaries * 3)
    ]
    assert len(many) > CHART_ROWS
    large = write_summary(path.parent / "大批量.xlsx", many, report.failed)
    charts = openpyxl.load_workbook(large)["统计"]._charts
    assert [c.tagname for c in charts] == ["barChart"]  # the distribution, not one bar per workbook
    assert charts[0].grouping == "clustered" and charts[0].type == "col"
    results = lo.compare_many([path, clean, large])
    for p, mismatches in results.items():
        assert mismatches == [], f"{p.name}: " + "; ".join(map(str, mismatches[:5]))
    fresh = lo.recalc(path)["总览"]
    assert fresh["L2"] == "中→良" and fresh["K2"] == -5 and fresh["M2"] == 1
