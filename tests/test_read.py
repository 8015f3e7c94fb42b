"""Indicator table and 项目信息 are found by name, never by position (docs/workbook.md)."""

from __future__ import annotations

import openpyxl
import pytest

from perfxl.book import open_book
from perfxl.errors import PerfxlError
from perfxl.read import find_header, read_info, read_table, split_code, split_declared_weight


def _save(tmp_path, sheets, name="t.xlsx", merges=()):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    for title, rng in merges:
        wb[title].merge_cells(rng)
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("A11中长期规划科学合理性", "A11", "中长期规划科学合理性"),
        ("A11 中长期规划科学合理性", "A11", "中长期规划科学合理性"),
        ("C41 12345政务服务便民热线按期签收率", "C41", "12345政务服务便民热线按期签收率"),
        ("C4112345政务服务便民热线按期签收率", "C41", "12345政务服务便民热线按期签收率"),
        ("C12“线上全流程电子化”支付集中采购项目数量", "C12", "“线上全流程电子化”支付集中采购项目数量"),
        ("A部门决策", "A", "部门决策"),
        ("资金到位率", "", "资金到位率"),
    ],
)
def test_split_code(text, code, name):
    assert split_code(text) == (code, name)


def test_split_declared_weight():
    assert split_declared_weight("部门决策（15）") == ("部门决策", "15")
    assert split_declared_weight("部门规划计划（6分）") == ("部门规划计划", "6")
    assert split_declared_weight("产出") == ("产出", "")


def test_title_rows_synonyms_merged_cells_and_totals(tmp_path):
    rows = [
        ["部门整体绩效评价指标体系评分表"],
        ["说明：由评价机构填写"],
        ["序号", "一级指标", "二级指标", "指标名称", "分值", "指标值", "实际完成值", "评分规则", "评价得分"],
        [
            1,
            "A部门决策（5）",
            "A1规划（5分）",
            "A11 中长期规划",
            3,
            "合理",
            "合理",
            "得3分，缺失一项扣1分",
            3,
        ],
        [2, None, None, "A12年度计划", 2, "≥90%", "95%", "", 2],
        [3, "B部门管理（5）", "B1制度", "B11制度健全性", "5分", "健全", "健全", "", 5],
        [None, None, None, None, None, None, None, None, None],
        ["合计", None, None, None, 10, None, None, None, 10],
    ]
    path = _save(tmp_path, {"评分表": rows}, merges=[("评分表", "B4:B5"), ("评分表", "C4:C5")])
    table = read_table(open_book(path))
    assert table.sheet == "评分表" and table.header_row == 2
    assert table.columns["name"] == 3 and table.columns["weight"] == 4 and table.columns["target"] == 5
    assert [r.code for r in table.rows] == ["A11", "A12", "B11"]
    assert [r.level1 for r in table.rows] == ["部门决策", "部门决策", "部门管理"]
    assert (
        table.rows[1].level2 == "规划"
        and table.rows[0].level1_weight == "5"
        and table.rows[0].level2_weight == "5"
    )
    assert [t.label for t in table.totals] == ["合计"]
    assert table.cell(table.rows[2].row, "weight") == "E6"
    assert "评分表" in table.title


def test_two_row_header(tmp_path):
    rows = [
        ["评价指标", None, None, "权重", "评分标准", "得分"],
        ["一级指标", "二级指标", "三级指标", None, None, None],
        ["产出", "数量", "培训人次", 10, "", 9],
    ]
    path = _save(tmp_path, {"指标": rows}, merges=[("指标", "A1:C1"), ("指标", "D1:D2")])
    sheet = open_book(path).sheet("指标")
    found = find_header(sheet)
    assert found is not None and found[0] == 1
    table = read_table(open_book(path))
    assert table.rows[0].name == "培训人次" and table.columns["weight"] == 3


def test_missing_indicator_sheet_and_weight_column(tmp_path):
    path = _save(tmp_path, {"Sheet1": [["a", "b"]]})
    with pytest.raises(PerfxlError, match="未找到指标表"):
        read_table(open_book(path))
    path = _save(tmp_path, {"指标": [["三级指标", "评分标准"], ["x", "y"]]}, name="nw.xlsx")
    with pytest.raises(PerfxlError, match="缺少“权重”列") as exc:
        read_table(open_book(path))
    assert exc.value.sheet == "指标" and exc.value.cell == "A1"


def test_project_info(tmp_path):
    path = _save(
        tmp_path,
        {
            "项目信息": [["项目名称", "某项目"], ["年度", 2023], ["评级标准", "优90,良80,中>70"]],
            "指标": [["三级指标", "权重"], ["x", 100]],
        },
    )
    info = read_info(open_book(path))
    assert (
        info.get("title") == "某项目"
        and info.get("year") == "2023"
        and info.get("grades") == "优90,良80,中>70"
    )
    assert info.cells["grades"].a1 == "B3"


def test_a_target_typed_as_a_formula_is_read_as_the_text_meant(tmp_path):
    """openpyxl (and other tools) store a typed "=20部" as a formula; Excel/WPS then show #NAME?."""
    import openpyxl

    import perfxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(["一级指标", "三级指标", "权重", "标杆值", "业绩值", "评分标准", "得分"])
    ws.append(["产出", "培训次数", 5, "=20部", "18部", "", 4.5])  # openpyxl: a formula, no result
    ws.append(["产出", "宣传册", 5, "≥100册", "=120册", "", 5])
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    ev = perfxl.score(path)
    assert ev.scorable, ev.blocking()
    first, second = ev.indicators
    assert first.target is not None and (first.target.value, first.target.unit) == (20, "部")
    assert float(first.final) == 4.5  # 18 of 20 by the default ratio rule
    assert second.actual is not None and second.actual.value == 120 and float(second.final) == 5
    hints = [f for f in ev.findings if f.code == "formula.as_text"]
    assert [(f.severity, f.cell) for f in hints] == [("info", "D2"), ("info", "E3")]
    assert "已按文字“=20部”读取" in hints[0].message
    assert not any(f.code == "formula.uncached" for f in ev.findings)


def test_a_formula_that_a_spreadsheet_turned_into_name_error_is_read_as_text(make_xlsx):
    import perfxl

    path = make_xlsx(
        {
            "指标": {
                "A1": "三级指标", "B1": "权重", "C1": "标杆值", "D1": "业绩值", "E1": "得分",
                "A2": "培训次数", "B2": 5, "C2": ("=20部", "#NAME?"), "D2": "18部", "E2": 4.5,
            }
        }
    )  # fmt: skip
    ev = perfxl.score(path)
    [row] = ev.indicators
    assert row.target is not None and (row.target.value, row.target.unit) == (20, "部")
    assert [f.code for f in ev.findings if f.cell == "C2"] == ["formula.as_text"]
