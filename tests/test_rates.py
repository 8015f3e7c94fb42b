"""基础表 reader, the rates of docs/rules.md, base-table audits and the self-evaluation execution block.

Workbooks are built by label with openpyxl (title rows, a 序号 column, columns in
different orders) and read back through :func:`perfxl.book.open_book`.  Every rate
formula is evaluated by the small evaluator below and must equal the Python value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from excel_formula import ExcelError, Formula
from hypothesis import given, settings
from hypothesis import strategies as st

from perfxl.base import BaseData
from perfxl.book import Book, Sheet, open_book
from perfxl.numbers import fmt_num, fmt_pct
from perfxl.rates import (
    RATE_NAMES,
    Rate,
    audit_base,
    compute_rates,
    match_rate,
    read_base,
    read_base_sheets,
    read_execution_block,
)

Rows = Sequence[Sequence[object]]

# ------------------------------------------------------------------ workbook builders


def write_book(path: Path, sheets: dict[str, Rows]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                cell = ws.cell(r, c, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # openpyxl would save it as a formula
    wb.save(path)
    return path


# Reference 004 (部门整体): the income table (收入情况表) and the expenditure table.
INCOME_004: Rows = [
    ["2023年奇台县政务服务和公共资源交易中心部门收入情况表（万元）"],
    ["序号", "收入来源", "年初预算数", "全年预算数", "调整率"],
    [1, "一般公共预算财政拨款收入", 397.23, 679.39, "71.03%"],
    [2, "政府性基金预算财政拨款收入", "-", "-", "-"],
    [8, "其他收入", 45.08, 39, "-13.49%"],
    [9, "合计", 442.31, 718.39, "62.42%"],
    [],
]
SPENDING_004: Rows = [
    ["2023年奇台县政务服务和公共资源交易中心部门财政资金总体使用情况表"],
    ["", "", "", "", "", "（万元）"],
    ["序号", "项目支出类别", "年初预算数", "全年预算数", "决算数", "预算执行率"],
    [1, "基本支出", 364.23, 472.46, 472.46, 1],
    [2, "其中：人员经费", 356.23, 412.91, 412.91, 1],
    [3, "日常公用经费", 8, 59.55, 59.55, 1],
    [4, "项目支出", 78.08, 245.93, 245.93, 1],
    [5, "上缴上级支出", "-", "-", "-", "-"],
    [6, "经营支出", "-", "-", "-", "-"],
    [7, "对附属单位补助支出", "-", "-", "-", "-"],
    [8, "本年支出合计", 442.31, 718.39, 718.39, 1],
    [9, "结余分配", "-", "-", "-", "-"],
    [10, "“三公”经费", 0, 0, 0, ""],
    [11, "政府采购", 3, "-", 45.71, ""],
    [],
    ["年末部门编制数", "", "", ""],
    ["编制数", 25, "实有在编人数", 22],
    ["所有固定资产总额", 44.92],
    ["实际在用固定资产总额", "44.92万元"],
]
PROJECTS_004: Rows = [
    ["2023年奇台县政务服务和公共资源交易中心项目预决算情况（万元）"],
    ["序号", "项目名称", "年初预算数", "调整后预算数", "实际支出数"],
    [1, "2023年政务大厅保安保洁工资项目", 18, 18, 18],
    [2, "政务大厅装修改造项目", "-", 50, 50],
    [3, "政务大厅机房空调、照明灯等设施设备维修费用", "-", 5.7, 5.7],
    [4, "退还政务大厅便民经营场所场地租赁费", "-", 4.4, 4.4],
    [5, "2023年政务大厅水、电、物业等运转经费", 15, 15, 15],
    [6, "政资中心会议室空调和幕布经费", "-", 1.40, 1.40],
    [7, "2023年12月化解资金", "-", 28.5, 28.5],
    [8, "奇台县便民便企服务中心一体化民生服务平台", "-", 40, 40],
    [9, "奇台县政务服务和公共资源交易中心装修改造项目资金", "-", 30, 30],
    [10, "奇台县政务服务和公共资源交易中心2022-2023物流园交易大厅采暖费", "-", 2.70, 2.70],
    [11, "2022—2023年行政事业单位暖气费", "-", 10.24, 10.24],
    [12, "2023年中小企业化解资金（第四批）", "-", 40, 40],
    ["合计", "", 33, 245.94, 245.94],
]

# Reference 000 (项目): funds and monthly staffing of 35 contracted guides.
ON_DUTY_000 = [34, 33, 31, 35, 35, 34, 34, 34, 33, 33, 33, 33]
LEFT_000 = [1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0]
FUNDS_000: Rows = [
    ["乌鲁木齐市政务服务中心引导员项目资金情况", "", "", "", "单位：万元"],
    ["序号", "项目", "全年预算数", "实际到位数", "实际支出数"],
    [1, "年度资金总额", 252.49, 252.49, 249.99],
    [],
    ["岗位目标值", 35, "人"],
]
STAFF_000: Rows = [
    ["2023年招聘与离职人员表"],
    ["月份", "在岗人数", "离职人数", "入职人数"],
    *[
        [f"{m}月", on, left, 4 if m == 4 else 0]
        for m, on, left in zip(range(1, 13), ON_DUTY_000, LEFT_000, strict=True)
    ],
    ["合计", "", sum(LEFT_000), 4],
]


@pytest.fixture
def book_004(tmp_path: Path) -> Book:
    rows = [*INCOME_004, *SPENDING_004]
    return open_book(
        write_book(tmp_path / "004.xlsx", {"指标": [["x"]], "基础表": rows, "基础表-项目": PROJECTS_004})
    )


@pytest.fixture
def base_004(book_004: Book) -> BaseData:
    base = read_base(book_004)
    assert base is not None
    return base


@pytest.fixture
def book_000(tmp_path: Path) -> Book:
    return open_book(write_book(tmp_path / "000.xlsx", {"基础表": FUNDS_000, "基础表-人员": STAFF_000}))


@pytest.fixture
def base_000(book_000: Book) -> BaseData:
    base = read_base(book_000)
    assert base is not None
    return base


def base_of(tmp_path: Path, sheets: dict[str, Rows]) -> tuple[Book, BaseData]:
    book = open_book(write_book(tmp_path / "b.xlsx", sheets))
    base = read_base(book)
    assert base is not None
    return book, base


# ------------------------------------------------------------------ a small formula evaluator


class Evaluator:
    """Runs rate formulas against a workbook's sheets; tests/excel_formula.py has the Excel semantics."""

    def __init__(self, book: Book) -> None:
        self.book = book

    def run(self, formula: str) -> object:
        return Formula(formula)(self._resolve)

    def _resolve(self, sheet: str | None, r1: int, c1: int, r2: int, c2: int) -> list[object]:
        assert sheet is not None, "rate formulas name their sheet"
        grid = self.book.sheet(sheet)
        return [grid.value(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def assert_formula(book: Book, rate: Rate) -> None:
    """The Excel formula of a rate computes what Python computed ('' where Python has None)."""
    if rate.formula is None:
        assert rate.value is None
        return
    assert not rate.formula.startswith("=")
    result = Evaluator(book).run(rate.formula)
    if rate.value is None:
        assert result == "", (rate.key, rate.formula, result)
    else:
        assert isinstance(result, float), (rate.key, rate.formula, result)
        # floats carry ~16 significant digits: compare relatively for large rates
        assert abs(result - float(rate.value)) <= 1e-9 * max(1.0, abs(float(rate.value))), (
            rate.key,
            rate.formula,
            result,
            rate.value,
        )


def assert_all_formulas(book: Book, rates: dict[str, Rate]) -> None:
    for rate in rates.values():
        assert_formula(book, rate)


# ------------------------------------------------------------------ reference 004

REF_004 = [
    ("budget_adjustment", "62.42%"),
    ("project_adjustment", "214.97%"),
    ("public_control", "744.38%"),
    ("public_adjustment", "644.38%"),
    ("procurement_execution", "1523.67%"),
    ("staffing_rate", "88.00%"),
    ("asset_utilization", "100.00%"),
    ("budget_execution", "100.00%"),
    ("project_execution", "100.00%"),
    ("share_basic", "65.77%"),
    ("share_project", "34.23%"),
    ("three_public_control", "100.00%"),
    ("budget_final_gap", "0.00%"),
]


@pytest.mark.parametrize(("key", "shown"), REF_004)
def test_reference_004_rates(book_004: Book, base_004: BaseData, key: str, shown: str) -> None:
    rate = compute_rates(base_004)[key]
    assert rate.display == shown, rate.explanation
    assert not rate.findings
    assert_formula(book_004, rate)


def test_004_exact_values_and_explanations(base_004: BaseData) -> None:
    rates = compute_rates(base_004)
    assert rates["budget_adjustment"].value == (Decimal("718.39") - Decimal("442.31")) / Decimal("442.31")
    assert rates["staffing_rate"].value == Decimal("0.88")
    assert rates["budget_execution"].explanation == "实际支出数 718.39 / 全年预算数 718.39 = 100.00%"
    assert (
        rates["public_control"].explanation == "公用经费 实际支出数 59.55 / 公用经费 年初预算数 8 = 744.38%"
    )
    assert rates["three_public_control"].value == 1
    # Inputs name label, sheet and cell, so a reader can check them.
    inputs = {(i.label, i.cell) for i in rates["public_control"].inputs}
    assert inputs == {("公用经费 实际支出数", "E13"), ("公用经费 年初预算数", "C13")}
    assert all(i.sheet == "基础表" for i in rates["public_control"].inputs)


def test_004_formulas_reference_base_cells(base_004: BaseData) -> None:
    rates = compute_rates(base_004)
    assert rates["public_control"].formula == "IF('基础表'!$C$13=0,\"\",'基础表'!$E$13/'基础表'!$C$13)"
    # "44.92万元" is text Excel cannot compute with: its value goes in as a literal.
    assert rates["asset_utilization"].formula == "IF('基础表'!$B$25=0,\"\",44.92/'基础表'!$B$25)"


def test_004_reads_the_expenditure_table_not_the_income_table(base_004: BaseData) -> None:
    # Both tables have 年初预算数 / 全年预算数 and a 合计 row; the one with 基本支出 … wins.
    assert base_004.budget_rows["total"] == ("基础表", 17)
    assert base_004.get("total", "spent").value == Decimal("718.39")  # type: ignore[union-attr]
    assert base_004.get("public", "initial").cell == "C13"  # type: ignore[union-attr]
    assert base_004.get("remit", "spent").value is None  # type: ignore[union-attr]  # "-" is empty
    assert not base_004.findings
    assert len(base_004.projects) == 12
    assert base_004.project_total is not None and base_004.project_total.values["full"].value == Decimal(
        "245.94"
    )


def test_all_004_formulas_agree(book_004: Book, base_004: BaseData) -> None:
    assert_all_formulas(book_004, compute_rates(base_004))


def test_004_audit_flags_the_project_list(base_004: BaseData) -> None:
    findings = audit_base(base_004)
    assert {f.code for f in findings} == {"base.project_list"}
    assert all(f.severity == "warning" for f in findings)
    text = "\n".join(f.message for f in findings)
    assert "245.94" in text and "245.93" in text
    assert "33" in text and "78.08" in text
    assert len(findings) == 3  # 年初预算数, 调整后预算数, 实际支出数


# ------------------------------------------------------------------ reference 000


def test_reference_000_staffing(book_000: Book, base_000: BaseData) -> None:
    rates = compute_rates(base_000, kind="project")
    arrival, turnover = rates["staff_arrival"], rates["staff_turnover"]
    assert arrival.value == Decimal("33.5") / 35
    assert arrival.display == "95.71%" and fmt_pct(arrival.value, 1) == "95.7%"
    assert arrival.formula == "IF('基础表'!$B$5=0,\"\",AVERAGE('基础表-人员'!$B$3:$B$14)/'基础表'!$B$5)"
    assert arrival.explanation == "月均在岗人数 33.5 / 目标人数 35 = 95.71%"
    assert turnover.value == Decimal(5) / 35
    assert turnover.display == "14.29%" and fmt_pct(turnover.value, 1) == "14.3%"
    assert not arrival.findings and not turnover.findings
    assert_all_formulas(book_000, rates)


def test_reference_000_funds(book_000: Book, base_000: BaseData) -> None:
    project = compute_rates(base_000, kind="project")
    assert project["funds_arrival"].value == 1
    execution = project["budget_execution"]
    assert execution.value == Decimal("249.99") / Decimal("252.49")
    assert execution.display == "99.01%"
    assert "$D$3" in (execution.formula or "")  # over 实际到位数
    department = compute_rates(base_000)["budget_execution"]
    assert "$C$3" in (department.formula or "")  # over 全年预算数
    assert_formula(book_000, execution)
    assert_formula(book_000, department)


def test_months_other_than_twelve_get_an_info(tmp_path: Path) -> None:
    staff = [
        ["月份", "在岗人数", "离职人数"],
        ["1月", 30, 1],
        ["2月", "-", 0],
        ["3月", 32, 0],
        ["目标人数", 32],
    ]
    book, base = base_of(tmp_path, {"基础表": staff})
    rate = compute_rates(base)["staff_arrival"]
    assert rate.value == Decimal(31) / 32
    assert [f.code for f in rate.findings] == ["base.months"]
    assert_formula(book, rate)


def test_months_across_a_row(tmp_path: Path) -> None:
    rows: Rows = [
        ["2023年引导员在岗情况"],
        ["月份", *[f"{m}月" for m in range(1, 13)], "合计"],
        ["在岗人数", *ON_DUTY_000, ""],
        ["离职人数", *LEFT_000, 5],
        [],
        ["目标人数", "35人"],
    ]
    book, base = base_of(tmp_path, {"基础表-人员": rows})
    assert len(base.months) == 12
    rates = compute_rates(base)
    assert rates["staff_arrival"].display == "95.71%"
    assert rates["staff_turnover"].display == "14.29%"
    assert rates["staff_turnover"].formula == "IF(35=0,\"\",SUM('基础表-人员'!$B$4:$M$4)/35)"
    assert_all_formulas(book, rates)


def test_text_numbers_in_months_use_literals(tmp_path: Path) -> None:
    # AVERAGE over a range skips text, so "33" typed as text must not be in a range.
    staff = [["目标人数", 35], ["月份", "在岗人数"], ["1月", 34], ["2月", "33"], ["3月", 35]]
    book, base = base_of(tmp_path, {"基础表": staff})
    rate = compute_rates(base)["staff_arrival"]
    assert rate.value == Decimal(34) / 35
    assert "AVERAGE('基础表'!$B$3,33,'基础表'!$B$5)" in (rate.formula or "")
    assert_formula(book, rate)


# ------------------------------------------------------------------ layouts, units, bad input

REORDERED: Rows = [
    ["部门支出情况表"],
    ["单位：元"],
    ["决算数", "调整后预算数", "序号", "项目", "年初预算数"],
    [7184000 - 100, 7184000 - 100, 1, "本年支出合计", 4423100],
    [2459300, 2459300, 2, "项目支出", 780800],
    [595500, 595500, 3, "日常公用经费", 80000],
    [4129100, 4129100, 4, "人员经费", 3562300],
    [4724600, 4724600, 5, "基本支出", 3642300],
    ["", "", 6, "政府采购", 30000],
]


def test_labels_right_of_the_numbers_and_amounts_in_yuan(tmp_path: Path) -> None:
    book, base = base_of(tmp_path, {"基础表": REORDERED})
    assert base.get("project", "initial").value == Decimal("78.08")  # type: ignore[union-attr]
    assert base.get("public", "spent").cell == "A6"  # type: ignore[union-attr]
    assert base.notes and "元" in base.notes[0]
    rates = compute_rates(base)
    assert [rates[k].display for k in ("budget_adjustment", "project_adjustment", "public_control")] == [
        "62.42%",
        "214.97%",
        "744.38%",
    ]
    assert rates["procurement_execution"].value is None  # 实际支出数 is empty
    assert not audit_base(base)
    assert_all_formulas(book, rates)


def test_label_column_first_then_columns_in_another_order(tmp_path: Path) -> None:
    rows: Rows = [
        ["基础表（金额单位：元）"],
        ["项目", "实际支出数", "序号", "调整后预算数", "年初预算数"],
        ["合计", 7183900, 1, 7183900, 4423100],
        ["项目支出", 2459300, 2, 2459300, 780800],
        ["公用经费", 595500, 3, 595500, 80000],
        ["人员经费", 4129100, 4, 4129100, 3562300],
        ["基本支出", 4724600, 5, 4724600, 3642300],
        ["政府采购", 457100, 6, "", 30000],
        ["“三公”经费", "-", 7, "-", "-"],
    ]
    book, base = base_of(tmp_path, {"基础表": rows})
    assert base.get("public", "spent").value == Decimal("59.55")  # type: ignore[union-attr]
    rates = compute_rates(base)
    assert rates["budget_adjustment"].display == "62.42%"
    assert rates["project_adjustment"].display == "214.97%"
    assert rates["public_control"].display == "744.38%"
    assert rates["procurement_execution"].display == "1523.67%"
    assert rates["share_basic"].display == "65.77%"
    # Dashes for 三公: budget 0 and spend 0 → 100%, and the formula uses literal zeros.
    assert rates["three_public_control"].value == 1
    assert rates["three_public_control"].formula == 'IF(0=0,IF(0=0,1,""),0/0)'
    assert not audit_base(base)
    assert_all_formulas(book, rates)


def test_mixed_units_scale_in_the_formula(tmp_path: Path) -> None:
    rows: Rows = [["固定资产总额（元）", 449200], ["在用固定资产总额", 40.428]]
    book, base = base_of(tmp_path, {"基础表": rows})
    rate = compute_rates(base)["asset_utilization"]
    assert rate.value == Decimal("0.9")
    assert "/10000" in (rate.formula or "")
    assert_formula(book, rate)


def test_key_values_under_a_row_of_labels(tmp_path: Path) -> None:
    rows: Rows = [
        ["人员情况"],
        ["编制数", "实有人数", "重点工作数", "完成重点工作数", "计划完成项目数", "实际完成项目数"],
        [25, 22, 6, 5, 4, 4],
    ]
    book, base = base_of(tmp_path, {"基础表": rows})
    rates = compute_rates(base)
    assert rates["staffing_rate"].value == Decimal("0.88")
    assert rates["key_work_completion"].display == "83.33%"
    assert rates["project_completion"].value == 1
    assert base.items["staff_quota"].cell == "A3"
    assert_all_formulas(book, rates)


def test_missing_labels_and_zero_divisors_are_findings(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "项目", "全年预算数", "实际支出数"],
        [1, "公用经费", 10, 9],
        [2, "政府采购", 0, 5],
        [3, "合计", 10, 9],
    ]
    book, base = base_of(tmp_path, {"基础表": rows})
    rates = compute_rates(base)
    control = rates["public_control"]
    assert control.value is None and control.formula is None
    assert [f.code for f in control.findings] == ["base.missing"]
    assert control.findings[0].message == "基础表缺少“公用经费 年初预算数”，无法计算日常公用经费控制率"
    procurement = rates["procurement_execution"]  # falls back to 全年预算数, which is 0
    assert procurement.value is None
    assert [f.code for f in procurement.findings] == ["base.div_zero"]
    assert procurement.findings[0].cell == "C3"
    assert_formula(book, procurement)  # the guard gives "" in Excel too
    staffing = rates["staffing_rate"]
    assert staffing.value is None and {f.code for f in staffing.findings} == {"base.missing"}
    assert rates["staff_arrival"].value is None
    assert_all_formulas(book, rates)


def test_three_public_zero_budget_with_spending_is_div_zero(tmp_path: Path) -> None:
    rows: Rows = [["项目", "年初预算数", "实际支出数"], ["三公经费", 0, 1.2]]
    book, base = base_of(tmp_path, {"基础表": rows})
    rate = compute_rates(base)["three_public_control"]
    assert rate.value is None and rate.findings[0].code == "base.div_zero"
    assert_formula(book, rate)


def test_bad_number_is_a_finding(tmp_path: Path) -> None:
    rows: Rows = [
        ["项目", "年初预算数", "全年预算数", "实际支出数"],
        ["合计", "三百万", 300, 290],
        ["编制数", "二十五"],
    ]
    book, base = base_of(tmp_path, {"基础表": rows})
    bad = [f for f in base.findings if f.code == "base.bad_number"]
    assert {(f.cell, f.severity) for f in bad} == {("B2", "error"), ("B3", "error")}
    assert any("三百万" in f.message for f in bad)
    rates = compute_rates(base)
    assert rates["budget_adjustment"].value is None
    assert "不是数字" in rates["budget_adjustment"].findings[0].message
    assert rates["budget_execution"].display == "96.67%"
    assert_all_formulas(book, rates)


def test_no_base_sheet(tmp_path: Path) -> None:
    sheets: dict[str, Rows] = {"指标": [["三级指标", "权重"]], "基础表说明": [["编制数", "填年末编制人数"]]}
    book = open_book(write_book(tmp_path / "x.xlsx", sheets))
    assert read_base(book) is None


def test_project_completion_from_the_project_list(tmp_path: Path) -> None:
    rows: Rows = [
        ["项目名称", "调整后预算数", "实际支出数", "是否完成"],
        ["甲", 10, 10, "是"],
        ["乙", 5, 4, "否"],
        ["丙", 5, 5, "已完成"],
        ["合计", 20, 19, ""],
    ]
    book, base = base_of(tmp_path, {"基础表": rows})
    rate = compute_rates(base)["project_completion"]
    assert rate.value == Decimal(2) / 3
    assert_formula(book, rate)
    assert not audit_base(base)


def test_year_on_year(tmp_path: Path) -> None:
    rows: Rows = [["项目", "全年预算数", "实际支出数"], ["合计", 120, 110], ["上年支出数", 100]]
    book, base = base_of(tmp_path, {"基础表": rows})
    rates = compute_rates(base)
    assert rates["yoy_change"].value == Decimal("0.1")
    assert rates["budget_final_gap"].value == Decimal(10) / 120
    assert_all_formulas(book, rates)


# ------------------------------------------------------------------ audits


def test_audit_sums(tmp_path: Path) -> None:
    rows: Rows = [
        ["项目", "年初预算数", "实际支出数"],
        ["基本支出", 100, 90],
        ["人员经费", 80, 70],
        ["公用经费", 20, 25],
        ["项目支出", 50, 40],
        ["合计", 150, 131],
        [],
        ["项目名称", "年初预算数", "实际支出数"],
        ["甲", 30, 20],
        ["乙", 20, 20],
        ["合计", 50, 41],
    ]
    _, base = base_of(tmp_path, {"基础表": rows})
    found = {(f.code, f.cell) for f in audit_base(base)}
    assert found == {
        ("base.sum_basic", "C2"),  # 70 + 25 = 95 ≠ 90
        ("base.sum_total", "C6"),  # 90 + 40 = 130 ≠ 131
        ("base.project_total", "C11"),  # 20 + 20 = 40 ≠ 41
    }
    message = next(f.message for f in audit_base(base) if f.code == "base.sum_basic")
    assert "95" in message and "90" in message and "C3" in message


def test_audit_tolerance(tmp_path: Path) -> None:
    rows: Rows = [
        ["项目", "实际支出数"],
        ["基本支出", 10.004],
        ["人员经费", 6],
        ["公用经费", 4],
        ["合计", 10.004],
    ]
    _, base = base_of(tmp_path, {"基础表": rows})
    assert audit_base(base) == []


# ------------------------------------------------------------------ linking


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("B31 支出预算执行率", "budget_execution"),
        ("支出预算执行率", "budget_execution"),
        ("预算执行率", "budget_execution"),
        ("部门预算执行率（%）", "budget_execution"),
        ("项目资金执行率", "project_execution"),
        ("项目支出执行率", "project_execution"),
        ("资金到位率", "funds_arrival"),
        ("预算调整率", "budget_adjustment"),
        ("B42项目支出预算调整率", "project_adjustment"),
        ("C22日常公用经费控制率", "public_control"),
        ("日常“公用经费控制率”", "public_control"),
        ("公用经费控制率", "public_control"),
        ("公用经费调整率", "public_adjustment"),
        ('"三公"经费控制率', "three_public_control"),
        ("三公经费控制率", "three_public_control"),
        ("固定资产利用率", "asset_utilization"),
        ("人员在编率", "staffing_rate"),
        ("在职人员控制率", "staffing_rate"),
        ("人员流动率", "staff_turnover"),
        ("人员到位率", "staff_arrival"),
        ("聘用人员到位率", "staff_arrival"),
        ("项目完成率", "project_completion"),
        ("项目质量达标率", "project_completion"),
        ("重点工作完成率", "key_work_completion"),
        ("政府采购执行率", "procurement_execution"),
        ("预决算差异率", "budget_final_gap"),
        ("基本支出占比", "share_basic"),
        ("部门年度预算执行率", "budget_execution"),
        ("全年预算执行率", "budget_execution"),
        ("年度项目完成率", "project_completion"),
        ("C21 项目资金执行率", "project_execution"),
        ("B52 固定资产利用率", "asset_utilization"),
        ("基本支出预算执行率", None),
        ("执行率", None),
        ("中长期规划科学合理性", None),
        ("", None),
    ],
)
def test_match_rate(name: str, key: str | None) -> None:
    assert match_rate(name) == key


def test_every_rate_has_its_own_names() -> None:
    for key, (name, names) in RATE_NAMES.items():
        assert match_rate(name) == key
        for syn in names:
            assert match_rate(syn) == key, syn


def test_compute_rates_returns_every_key(base_000: BaseData) -> None:
    assert set(compute_rates(base_000)) == set(RATE_NAMES)


# ------------------------------------------------------------------ self-evaluation execution block

SELF_EVAL: Rows = [
    ["项目支出绩效自评表"],
    ["（2023年度）"],
    ["项目名称", "政务服务引导员项目"],
    ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", 187.84, 187.84, 183.99, 10, "97.95%", 9.8],
    ["", "其中：当年财政拨款", 187.84, 187.84, 183.99, "—", "", "—"],
    ["", "上年结转资金", "", "", "", "—", "", "—"],
    ["", "其他资金", "", "", "", "—", "", "—"],
    ["年度总体目标", "预期目标", "", "", "实际完成情况"],
]


def test_execution_block(tmp_path: Path) -> None:
    book = open_book(write_book(tmp_path / "self.xlsx", {"自评表": SELF_EVAL}))
    block = read_execution_block(book.sheet("自评表"))
    assert block is not None
    assert block.rate == Decimal("183.99") / Decimal("187.84")
    assert str(block.rate).startswith("0.979503833")
    assert block.score is not None and fmt_num(block.score) == "9.8"
    assert f"{block.score:.2f}" != "" and fmt_pct(block.rate) == "97.95%"
    assert block.full is not None and block.full.cell == "D5"
    assert block.declared_score is not None and block.declared_score.value == Decimal("9.8")
    assert [s[0] for s in block.sources] == ["当年财政拨款", "上年结转资金", "其他资金"]
    assert not block.findings
    ev = Evaluator(book)
    assert block.score_formula and block.rate_formula
    assert abs(ev.run(block.score_formula) - float(block.score)) < 1e-9  # type: ignore[operator]
    assert abs(ev.run(block.rate_formula) - float(block.rate)) < 1e-9  # type: ignore[operator]
    assert block.as_rate().display == "97.95%"


def test_execution_block_caps_and_audits(tmp_path: Path) -> None:
    rows = [list(r) for r in SELF_EVAL]
    rows[4] = ["", "年度资金总额", 100, 100, 110, 10, 1.1, 9]
    book = open_book(write_book(tmp_path / "self.xlsx", {"自评表": rows}))
    block = read_execution_block(book.sheet("自评表"))
    assert block is not None
    assert block.rate == Decimal("1.1") and block.score == 10
    codes = {f.code for f in block.findings}
    assert codes == {"exec.score_mismatch", "exec.sum"}  # 9 ≠ 10; 其中 187.84 ≠ 100
    assert block.score_formula is not None
    assert Evaluator(book).run(block.score_formula) == 10


def test_no_execution_block(tmp_path: Path) -> None:
    book = open_book(write_book(tmp_path / "x.xlsx", {"指标": [["三级指标", "权重", "得分"], ["a", 1, 1]]}))
    assert read_execution_block(book.sheet("指标")) is None


def test_execution_block_formula_with_a_ref_function(tmp_path: Path) -> None:
    book = open_book(write_book(tmp_path / "self.xlsx", {"自评表": SELF_EVAL}))
    block = read_execution_block(book.sheet("自评表"))
    assert block is not None
    ref: Callable[..., str] = lambda v: v.cell  # noqa: E731 - a copied sheet on the same positions
    assert block.formulas(ref) == ('IF(D5=0,"",E5/D5)', 'IF(D5=0,"",F5*MIN(E5/D5,1))')


# ------------------------------------------------------------------ property: formulas equal Python

_amount = st.one_of(
    st.just(0),
    st.just(""),
    st.just("-"),
    st.decimals(min_value=-50, max_value=5000, places=2, allow_nan=False).map(float),
    st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False).map(lambda d: f"{d}万元"),
)


class _Grids:
    """A Book stand-in over in-memory sheets, for the evaluator."""

    def __init__(self, sheets: list[Sheet]) -> None:
        self.sheets = {s.name: s for s in sheets}

    def sheet(self, name: str) -> Sheet:
        return self.sheets[name]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.lists(_amount, min_size=4, max_size=4), min_size=8, max_size=8),
    on_duty=st.lists(st.one_of(st.integers(0, 40), st.just(""), st.just("-")), min_size=1, max_size=12),
    target=st.one_of(st.integers(0, 40), st.just("35人")),
    yuan=st.booleans(),
)
def test_formulas_equal_python(
    values: list[list[object]], on_duty: list[object], target: object, yuan: bool
) -> None:
    labels = ["基本支出", "人员经费", "公用经费", "项目支出", "三公经费", "政府采购", "合计", "上年支出数"]
    rows: list[list[object]] = [
        ["单位：元" if yuan else "单位：万元"],
        ["项目", "年初预算数", "全年预算数", "实际到位数", "实际支出数"],
    ]
    rows += [[label, *vals] for label, vals in zip(labels[:7], values, strict=False)]
    rows += [
        ["上年支出数", values[7][0]],
        ["固定资产总额（元）", values[7][1]],
        ["在用固定资产总额", values[7][2]],
    ]
    rows += [["目标人数", target], ["月份", "在岗人数", "离职人数"]]
    rows += [[f"{i + 1}月", n, 1] for i, n in enumerate(on_duty)]
    sheet = Sheet("基础表", rows)
    base = read_base_sheets([sheet])
    grids = _Grids([sheet])
    for kind in ("department", "project"):
        rates = compute_rates(base, kind=kind)
        for rate in rates.values():
            try:
                assert_formula(grids, rate)  # type: ignore[arg-type]
            except ExcelError as exc:  # pragma: no cover - shown on failure
                raise AssertionError((rate.key, rate.formula, exc)) from None
    audit_base(base)  # never raises


def test_rate_digits_round_the_execution_rate_too(tmp_path):
    """--rate-digits 0: 37.24 ÷ 43.2 = 86.20% → 86% → 10 × 86% = 8.60, as for every other ratio
    (a user saw 8.62 beside indicator rows rounded to whole percent)."""
    import perfxl
    from perfxl.templates import Funds, SelfForm, SelfLine, write_self_form

    form = SelfForm(
        funds={"年度资金总额": Funds(43.2, 43.2, 37.24)},
        lines=(SelfLine("产出指标", "数量指标", "培训人次", "≥100人次", "100人次", 90, 90),),
    )
    path = write_self_form(form, tmp_path / "self.xlsx")
    plain = perfxl.score(path)
    assert plain.execution.score is not None and round(plain.execution.score, 2) == Decimal("8.62")
    rounded = perfxl.score(path, perfxl.make_options(rate_digits=0))
    assert rounded.execution.score == Decimal("8.60") and rounded.total == Decimal("98.60")
    assert "先取 86%" in rounded.execution.explanation
    _rate, score = rounded.execution.formulas(lambda v: v.ref)
    assert "ROUND(" in score and ",2)" in score
