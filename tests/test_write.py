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


# --- what the finance bureau sees: print setup, colours, the verdict, 审核意见, 问卷分析 ----------

REF000 = "000_政务服务运行维护费_项目评价.xlsx"
REF004 = "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
FLAWED = "示例_项目自评表_数据瑕疵.xlsx"


def _defined_names(path: Path) -> dict[tuple[str, str], str]:
    """{(name, sheet the name belongs to): value} from workbook.xml, localSheetId resolved to a sheet name."""
    import re

    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/workbook.xml").decode("utf-8")
    sheets = re.findall(r'<sheet name="([^"]+)"', xml)
    names = re.findall(r'<definedName name="([^"]+)" localSheetId="(\d+)"[^>]*>([^<]+)</definedName>', xml)
    return {(name, sheets[int(local)]): value for name, local, value in names}


def _print_area_end(ws) -> tuple[str, int]:
    """(column letters, row) of the bottom-right corner of a sheet's print area."""
    import re

    col, row = re.search(r"\$([A-Z]+)\$(\d+)$", ws.print_area).groups()
    return col, int(row)


def _verdict(ws, final_col: int) -> dict[str, object]:
    """The 复核结论 under the table: {label: value in the 最终得分 column}."""
    out = {}
    for row in ws.iter_rows(min_col=final_col - 1, max_col=final_col - 1):
        label = row[0].value
        if isinstance(label, str) and label in {
            "申报总分",
            "复核总分（perfxl）",
            "差异（申报−复核）",
            "权重合计（不含加减分）",
            "申报等级",
            "复核等级",
        }:
            out[label] = ws.cell(row[0].row, final_col).value
    return out


def test_print_titles_and_filter_belong_to_their_sheets(outputs):
    _ev, dest = outputs[REF004]
    names = _defined_names(dest)
    assert names[("_xlnm._FilterDatabase", "审核意见")].startswith("审核意见!$A$1:$F$")
    assert names[("_xlnm.Print_Titles", "审核意见")] == "审核意见!$1:$1"
    assert ("_xlnm.Print_Area", "评分表") in names and ("_xlnm.Print_Titles", "评分表") in names
    wb = openpyxl.load_workbook(dest)
    assert wb["审核意见"].print_title_rows == "$1:$1" and wb["审核意见"].auto_filter.ref.startswith("A1:F")


def test_the_printed_columns_include_the_difference_under_a_heading(outputs):
    for name, (ev, dest) in outputs.items():
        ws = openpyxl.load_workbook(dest)["评分表"]
        h = ev.table.header_row
        printed_to = openpyxl.utils.column_index_from_string(_print_area_end(ws)[0])
        for label in ("最终得分", "差异（申报−最终）", "最终得分率", "扣分说明"):
            assert _calc_col(ws, h, label) <= printed_to, (name, label)
        assert _calc_col(ws, h, "识别规则") > printed_to  # helper columns are not printed
        if h > 0:  # the banner sits above the printed columns
            banner = ws.cell(h, _calc_col(ws, h, "最终得分")).value
            assert banner == "perfxl 复核结果", name


def test_verdict_under_the_table_is_formulas_recalculated_by_libreoffice(outputs, lo):
    ev, dest = outputs[REF000]
    ws = openpyxl.load_workbook(dest)["评分表"]
    final = _calc_col(ws, ev.table.header_row, "最终得分")
    formulas = _verdict(ws, final)
    assert set(formulas) == {
        "申报总分",
        "复核总分（perfxl）",
        "差异（申报−复核）",
        "权重合计（不含加减分）",
        "申报等级",
        "复核等级",
    }
    assert all(str(v).startswith("=") for v in formulas.values()), formulas
    assert formulas["申报总分"] == "=M32"  # the table's 合计 row
    assert formulas["申报等级"].startswith("='项目信息'!")  # 项目信息 评价等级
    # below the table, and printed
    labels = ws[openpyxl.utils.get_column_letter(final - 1)]
    rows = [c.row for c in labels if c.value in formulas]
    assert min(rows) > len(list(ws.iter_rows(max_row=ev.table.first_row))) and max(rows) <= ws.max_row
    assert _print_area_end(ws)[1] == max(rows) + 1  # the colour legend is the last printed row
    cached = _verdict(openpyxl.load_workbook(dest, data_only=True)["评分表"], final)
    expected = {
        "申报总分": 79.75,
        "复核总分（perfxl）": 84.75,
        "差异（申报−复核）": -5,
        "权重合计（不含加减分）": 100,
        "申报等级": "中",
        "复核等级": "良",
    }
    assert cached == expected
    letter = openpyxl.utils.get_column_letter(final)
    fresh = lo.recalc(dest)["评分表"]
    assert {k: fresh[f"{letter}{c.row}"] for c in labels for k in [c.value] if k in expected} == expected
    # the 合计 row shows the recomputed total and its difference from the declared one
    total_row = ev.table.totals[0].row + 1
    assert ws.cell(total_row, final).value.startswith(f"={letter}")
    diff = _calc_col(ws, ev.table.header_row, "差异（申报−最终）")
    assert fresh[f"{openpyxl.utils.get_column_letter(diff)}{total_row}"] == -5
    # and the printed page header repeats them on the first page
    assert "复核总分 84.75（良）" in ws.oddHeader.right.text and "申报 79.75（中）" in ws.oddHeader.right.text


def test_findings_are_coloured_by_level_on_every_sheet_with_a_legend(outputs):
    from perfxl.write import LEVEL_FILLS, LOST_FILL

    assert len({*LEVEL_FILLS.values(), LOST_FILL}) == 4
    fill = lambda cell: cell.fill.fgColor.rgb[-6:]  # noqa: E731
    for name, (_ev, dest) in outputs.items():
        wb = openpyxl.load_workbook(dest)
        for sheet in ("评分表", "项目信息", "基础表"):
            if sheet not in wb.sheetnames:
                continue
            for row in wb[sheet].iter_rows():
                for cell in row:
                    if cell.comment is not None and cell.comment.author == "perfxl":
                        level = next(s for s, f in LEVEL_FILLS.items() if fill(cell) == f[1:])
                        label = {"error": "错误", "warning": "警告", "info": "提示"}[level]
                        assert f"[{label}]" in cell.comment.text, (name, sheet, cell.coordinate)
    ws = openpyxl.load_workbook(outputs[FLAWED][1])["评分表"]
    assert (
        fill(ws["G18"]) == LEVEL_FILLS["error"][1:]
    )  # total.mismatch (error) and total.recomputed (warning)
    assert "合计与各项之和不符" in ws["G18"].comment.text and "合计与复核总分不符" in ws["G18"].comment.text
    ws = openpyxl.load_workbook(outputs[REF004][1])["评分表"]
    assert fill(ws["J26"]) == LEVEL_FILLS["warning"][1:]
    assert (
        fill(ws["E30"]) == LEVEL_FILLS["info"][1:] and ws["E30"].value is None
    )  # an empty cell is marked too
    legend = next(row for row in ws.iter_rows() if any(str(c.value).startswith("颜色说明") for c in row))
    shown = {c.value: fill(c) for c in legend if c.value in ("失分", "错误", "警告", "提示")}
    assert shown == {
        "失分": LOST_FILL[1:],
        "错误": LEVEL_FILLS["error"][1:],
        "警告": LEVEL_FILLS["warning"][1:],
        "提示": LEVEL_FILLS["info"][1:],
    }
    findings = openpyxl.load_workbook(outputs[REF004][1])["审核意见"]
    for row in findings.iter_rows(min_row=2):
        level = {"错误": "error", "警告": "warning", "提示": "info"}[row[1].value]
        assert fill(row[1]) == LEVEL_FILLS[level][1:]


def test_cells_of_project_info_and_base_table_are_marked_and_commented(outputs):
    from perfxl.write import LEVEL_FILLS

    wb = openpyxl.load_workbook(outputs[REF000][1])
    cell = wb["项目信息"]["B7"]  # grade.recomputed: 申报等级 中, computed 良
    assert "申报等级与复核等级不同" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith(LEVEL_FILLS["warning"][1:])
    wb = openpyxl.load_workbook(outputs[REF004][1])
    for a1 in ("C35", "D35", "E35"):  # base.project_list
        cell = wb["基础表"][a1]
        assert "项目明细与预算表不符" in cell.comment.text, a1
        assert cell.fill.fgColor.rgb.endswith(LEVEL_FILLS["warning"][1:]), a1


def test_findings_sheet_names_codes_in_chinese_and_sheets_as_in_the_output(outputs):
    from perfxl.errors import CODE_NAMES

    for _name, (ev, dest) in outputs.items():
        ws = openpyxl.load_workbook(dest)["审核意见"]
        header = [c.value for c in ws[1]]
        assert header == ["序号", "级别", "问题", "位置", "说明", "代码"]
        for row, f in zip(ws.iter_rows(min_row=2, values_only=True), ev.findings, strict=False):
            assert row[2] == CODE_NAMES[f.code] and row[5] == f.code
            if f.sheet == ev.table.sheet:
                assert row[3] == f"评分表!{f.cell}", row
    ws = openpyxl.load_workbook(outputs[REF004][1])["审核意见"]
    assert not any(str(c.value).startswith("指标!") for c in ws["D"])


def test_survey_sheet_rows_fit_their_text_and_charts_sit_below(outputs):
    ev, dest = outputs[REF004]
    ws = openpyxl.load_workbook(dest)["问卷分析"]
    questions = [c for c in ws["B"] if isinstance(c.value, str) and c.value.startswith("您对")]
    assert questions
    for c in questions:
        if len(c.value) * 1.75 > 45:  # wraps in the 46-wide column
            assert (ws.row_dimensions[c.row].height or 0) >= 28, c.value
        assert c.font.name == "宋体"
    assert len(ws._charts) == len(ev.surveys) == 2
    last_question = max(c.row for c in questions)
    for chart in ws._charts:
        assert chart.anchor._from.col == 1  # under the table, in its columns
    assert max(chart.anchor._from.row for chart in ws._charts) > last_question


def test_a_finding_on_a_merged_cell_colours_the_merged_range(tmp_path):
    """The 合计 row's 得分 merged across two columns: the wrong total is marked where Excel shows it."""
    import xlsxwriter

    from perfxl.write import LEVEL_FILLS

    src = tmp_path / "merged.xlsx"
    with xlsxwriter.Workbook(src, {"strings_to_numbers": False}) as wb:
        ws = wb.add_worksheet("指标")
        ws.write_row(0, 0, ["一级指标", "三级指标", "权重", "标杆值", "业绩值", "得分", "备注"])
        ws.write_row(1, 0, ["产出", "完成率", 60, "100%", "100%", 60])
        ws.write_row(2, 0, ["效益", "满意度", 40, "≥90%", "95%", 40])
        ws.write_string(3, 1, "合计")
        ws.write_number(3, 2, 100)
        ws.merge_range(3, 5, 3, 6, None)
        ws.write_number(3, 5, 99)
    ev = perfxl.score(src)
    assert ("error", "total.mismatch", "F4") in {(f.severity, f.code, f.cell) for f in ev.findings}
    dest = perfxl.write_annotated(ev, tmp_path / "out.xlsx")
    out = openpyxl.load_workbook(dest)["评分表"]
    assert "F4:G4" in {str(r) for r in out.merged_cells.ranges}
    assert out["F4"].value == 99 and out["F4"].fill.fgColor.rgb.endswith(LEVEL_FILLS["error"][1:])
    assert "合计与各项之和不符" in out["F4"].comment.text


def test_totals_saved_without_results_are_shown_in_the_copy(tmp_path: Path) -> None:
    """A form filled by a script keeps its 总分 formulas without results: the annotated copy
    shows the sums perfxl computes (a new user saw the declared total vanish)."""
    import perfxl
    from perfxl.templates import Funds, SelfForm, SelfLine, write_self_form

    form = SelfForm(
        funds={"年度资金总额": Funds(100, 100, 90)},
        exec_score=9,
        lines=(SelfLine("产出指标", "数量指标", "培训", "≥10次", "10次", 90, 90),),
    )
    path = write_self_form(form, tmp_path / "form.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.save(tmp_path / "script.xlsx")  # openpyxl keeps formulas, drops their results
    out = perfxl.write_annotated(perfxl.score(tmp_path / "script.xlsx"), tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(out)["评分表"]
    row = next(c.row for r in ws.iter_rows() for c in r if c.value == "总分")
    assert [ws.cell(row, c).value for c in (7, 8)] == [100, 99]


def test_count_tiers_from_the_failures_column_recalculate(tmp_path, lo):
    """每月都按时报送得6分；有1-3次未按时得4分；4-6次得2分…: tiers over the 不符合项数, 3 in 1-3,
    the formula reads the 不符合项数 cell, and LibreOffice computes the same."""
    import xlsxwriter

    rule = (
        "每月都能够在8日前报送快报数据,得6分;期间有1-3次未能够在当月8日前报送快报数据,得4分;"
        "期间有4-6次未能够在当月8日前报送快报数据,得2分;期间有7-9次未能够在当月8日前报送快报数据,得1分;"
        "期间有10次及10次以上未在当月8日前报送快报数据,不得分。"
    )
    path = tmp_path / "counts.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("指标")
        for c, head in enumerate(["三级指标", "权重", "评分标准", "不符合项数", "得分"]):
            ws.write_string(0, c, head)
        for r, (failures, declared) in enumerate([(0, 6), (3, 4), (4, 2), (12, 0)], start=1):
            ws.write_string(r, 0, f"快报报送{r}")
            ws.write_number(r, 1, 6)
            ws.write_string(r, 2, rule)
            ws.write_number(r, 3, failures)
            ws.write_number(r, 4, declared)
    ev = perfxl.score(path)
    assert [float(r.final) for r in ev.indicators] == [6, 4, 2, 0]
    assert {r.rule.kind for r in ev.indicators} == {"tiers"}
    dest = perfxl.write_annotated(ev, tmp_path / "out.xlsx")
    assert lo.compare(dest) == []
