"""The annotated workbook (docs/architecture.md): live formulas that LibreOffice recomputes to perfxl's numbers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

import perfxl

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
EXAMPLES = sorted(INPUTS.glob("*.xlsx"))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("annotated")
    made = {}
    for src in EXAMPLES:
        ev = perfxl.score(src)
        dest = out_dir / src.name
        perfxl.write_annotated(ev, dest)
        made[src.name] = (ev, dest)
    return made


def _calc_col(ws, header_row: int, label: str) -> int:
    return next(c.column for c in ws[header_row + 1] if c.value == label)


def test_every_example_recalculates_to_the_cached_values(outputs, lo):
    results = lo.compare_many([dest for _ev, dest in outputs.values()])
    assert len(results) == len(outputs) >= 4
    for path, mismatches in results.items():
        assert mismatches == [], f"{path.name}: " + "; ".join(map(str, mismatches[:5]))


def test_formula_expressible_scores_are_live_formulas(outputs):
    for name, (ev, dest) in outputs.items():
        ws = openpyxl.load_workbook(dest)["评分表"]
        col = _calc_col(ws, ev.table.header_row, "计算得分")
        final = _calc_col(ws, ev.table.header_row, "最终得分")
        rate = _calc_col(ws, ev.table.header_row, "最终得分率")
        for ind in ev.indicators:
            r = ind.row.row + 1
            if ind.computed is not None:
                value = ws.cell(r, col).value
                assert isinstance(value, str) and value.startswith("=ROUND("), (name, ind.row.name, value)
            if ind.final_source in ("computed", "experts", "blend"):
                assert str(ws.cell(r, final).value).startswith("="), (name, ind.row.name)
            if ind.weight and ind.role == "base":
                assert str(ws.cell(r, rate).value).startswith("=IF("), (name, ind.row.name)
            elif ind.role != "base":  # a bonus or penalty has no rate
                assert ws.cell(r, rate).value is None, (name, ind.row.name)


def test_linked_rates_point_at_the_copied_base_table(tmp_path, lo):
    wb = openpyxl.load_workbook(INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx")
    ws = wb["指标"]
    ws["H15"] = None  # B42 项目支出预算调整率: blank 业绩值 → computed from 基础表
    ws["H22"] = None  # C22 日常公用经费控制率
    src = tmp_path / "blank.xlsx"
    wb.save(src)
    ev = perfxl.score(src)
    dest = tmp_path / "out.xlsx"
    perfxl.write_annotated(ev, dest)
    out = openpyxl.load_workbook(dest)["评分表"]
    actual = _calc_col(out, ev.table.header_row, "实际值（数值）")
    assert "'基础表'!" in out.cell(15, actual).value and "'基础表'!" in out.cell(22, actual).value
    recalculated = lo.recalc(dest)
    assert recalculated["评分表"][f"{openpyxl.utils.get_column_letter(actual)}15"] == pytest.approx(
        2.149718, abs=1e-6
    )
    assert recalculated["评分表"][f"{openpyxl.utils.get_column_letter(actual)}22"] == pytest.approx(
        7.44375, abs=1e-9
    )
    assert lo.compare(dest) == []


def test_summary_sheet(outputs):
    _ev, dest = outputs["004_政务服务和公共资源交易中心_部门整体评价.xlsx"]
    wb = openpyxl.load_workbook(dest)
    ws = wb["汇总"]
    values = {row[0].value: row for row in ws.iter_rows(min_col=1, max_col=4) if row[0].value}
    assert str(values["部门决策"][1].value).startswith("=SUMIF(")
    assert str(values["合计"][2].value).startswith("=ROUND(MIN(100,MAX(0,SUM(")
    assert str(values["评价等级"][2].value).startswith("=IF(")
    cached = openpyxl.load_workbook(dest, data_only=True)["汇总"]
    got = {
        row[0].value: (row[1].value, row[2].value)
        for row in cached.iter_rows(min_col=1, max_col=4)
        if row[0].value
    }
    assert got["部门管理"] == (35, 32) and got["合计"][1] == 93 and got["评价等级"][1] == "优"
    with zipfile.ZipFile(dest) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())


def test_findings_sheet_links_to_cells(outputs):
    ev, dest = outputs["004_政务服务和公共资源交易中心_部门整体评价.xlsx"]
    ws = openpyxl.load_workbook(dest)["审核意见"]
    rows = list(ws.iter_rows(min_row=2, values_only=False))
    assert len(rows) == len(ev.findings)
    c43 = next(r for r in rows if "93.94%" in str(r[4].value))
    assert c43[3].hyperlink is not None and c43[3].hyperlink.location == "'评分表'!J26"
    assert c43[1].value == "警告"


def test_highlights_comments_and_text_stays_text(outputs):
    ev, dest = outputs["004_政务服务和公共资源交易中心_部门整体评价.xlsx"]
    ws = openpyxl.load_workbook(dest)["评分表"]
    final = _calc_col(ws, ev.table.header_row, "最终得分")
    b42 = next(i for i in ev.indicators if i.row.code == "B42")
    a11 = next(i for i in ev.indicators if i.row.code == "A11")
    assert ws.cell(b42.row.row + 1, final).fill.fgColor.rgb.endswith("FFC7CE")  # lost points: red
    assert not ws.cell(a11.row.row + 1, final).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["J26"].comment is not None and "93.94%" in ws["J26"].comment.text
    # input text is text, never a formula
    for row in ws.iter_rows(min_row=ev.table.first_row + 1, max_col=ev.table.columns["score"]):
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s", cell.coordinate
    assert ws.freeze_panes is not None
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
    assert ws.print_title_rows is not None


def test_formula_looking_input_text_stays_text(tmp_path):
    wb = openpyxl.load_workbook(INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx")
    ws = wb["指标"]
    for cell, text in (
        ("F3", '=HYPERLINK("http://x","y")'),
        ("J3", "@SUM(A1)"),
        ("I4", "+cmd|' /C calc'!A0"),
    ):
        ws[cell] = text
        ws[cell].data_type = "s"
    src = tmp_path / "evil.xlsx"
    wb.save(src)
    dest = tmp_path / "out.xlsx"
    perfxl.write_annotated(perfxl.score(src), dest)
    out = openpyxl.load_workbook(dest)["评分表"]
    assert out["F3"].value == '=HYPERLINK("http://x","y")' and out["F3"].data_type == "s"
    assert out["J3"].data_type == "s" and out["I4"].data_type == "s"
    assert out["F3"].hyperlink is None


def test_document_properties(outputs):
    _ev, dest = outputs["000_政务服务运行维护费_项目评价.xlsx"]
    props = openpyxl.load_workbook(dest).properties
    assert props.creator == "perfxl" and "2023年政务服务运行维护费项目" in props.title


def test_new_rule_shapes_recalculate_in_the_annotated_workbook(tmp_path, lo):
    """Rows read by the clause grammar — levels, a deviation range, a count from 标杆值/业绩值,
    costed tiers, a cap, a rate on a quantity row, a per-day deduction with a zero point — scored,
    written with live formulas, and recalculated by LibreOffice to the same values."""
    import xlsxwriter

    rows = [
        ("制度健全性", 3, "健全", "基本健全", "健全得3分，基本健全得2分，不健全不得分", 2.0),
        (
            "政府采购执行率",
            4,
            "95%-105%",
            "92%",
            "执行率在95%-105%之间得满分，超出该区间的，每偏离1个百分点扣权重分的10%，扣完为止",
            2.8,
        ),
        ("驻村工作队员在岗", 3, "=12人", "11人", "驻村工作队员应全部在岗，每少一人扣0.5分，扣完为止", 2.5),
        ("数据差错率", 5, "0%", "7%", "差错率5%以内扣1分，5%-10%之间扣3分，10%以上不得分", 2.0),
        ("问题整改", 10, "0个", "8个", "每发现一项问题扣1分，最多扣6分", 4.0),
        ("培训人次完成率", 5, "≥1000人次", "950人次", "完成率达到100%得满分，每降低1%扣0.5分", 2.5),
        (
            "三公经费变动率",
            8,
            "≤0",
            "2.5%",
            "“三公经费”变动率≦0，计8分；每超过一个百分点扣0.8分，扣完为止",
            6.0,
        ),
    ]
    path = tmp_path / "grammar.xlsx"
    with xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False}) as wb:
        ws = wb.add_worksheet("指标")
        for c, head in enumerate(["一级指标", "三级指标", "权重", "标杆值", "业绩值", "评分标准", "得分"]):
            ws.write_string(0, c, head)
        for r, (name, weight, target, actual, rule, expected) in enumerate(rows, start=1):
            ws.write_string(r, 0, "产出")
            ws.write_string(r, 1, name)
            ws.write_number(r, 2, weight)
            ws.write_string(r, 3, target)
            ws.write_string(r, 4, actual)
            ws.write_string(r, 5, rule)
            ws.write_number(r, 6, expected)
    ev = perfxl.score(path)
    got = {r.row.name: float(r.final) for r in ev.indicators}
    assert got == {name: expected for name, _w, _t, _a, _r, expected in rows}
    assert not [f for f in ev.findings if f.code == "score.mismatch"]
    dest = perfxl.write_annotated(ev, tmp_path / "out.xlsx")
    assert lo.compare(dest) == []
    sheet = openpyxl.load_workbook(dest)["评分表"]
    formulas = [
        c.value
        for row in sheet.iter_rows(min_row=2, max_row=8)
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=ROUND(")
    ]
    assert len(formulas) >= 6  # the computed scores are live formulas, not numbers
