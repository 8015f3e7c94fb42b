"""The standard templates (perfxl.templates), the committed copies and the self-evaluation examples.

Every template is generated into a temporary folder, filled with openpyxl *by labels*
(cells are found by their text, never by position) the way an evaluator fills it in WPS,
saved and scored through the command line.  The committed files of workbook_templates/
and inputs/ must be what the generators write today.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from perfxl import phrases, templates
from perfxl.book import open_book
from perfxl.catalog import DEPARTMENT_INDICATORS, PROJECT_INDICATORS
from perfxl.cli import cli
from perfxl.errors import PerfxlError
from perfxl.evaluate import infer_kind
from perfxl.rates import read_execution_block
from perfxl.read import read_info, read_table

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "workbook_templates"
INPUTS = ROOT / "inputs"
OWN_KINDS = ("project", "department", "self-project", "self-department")
YELLOW = "FFFFF2CC"


def _load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


examples = _load_module(INPUTS / "build_self_examples.py")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every template written once into a temporary folder."""
    folder = tmp_path_factory.mktemp("templates")
    return {
        kind: templates.write_template(kind, folder / name) for kind, name in templates.TEMPLATE_FILES.items()
    }


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The project and department templates filled with the reference indicator system."""
    folder = tmp_path_factory.mktemp("examples")
    return {
        k: templates.write_template(k, folder / f"{k}.xlsx", example=True) for k in ("project", "department")
    }


# --- filling by labels ---------------------------------------------------------------------


def _flat(value: object) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def find(ws: Worksheet, text: str, min_row: int = 1) -> Cell:
    """The first cell whose text is ``text`` (spaces ignored)."""
    for row in ws.iter_rows(min_row=min_row):
        for cell in row:
            if _flat(cell.value) == text:
                return cell
    raise AssertionError(f"{ws.title}: no cell “{text}”")


def merged_span(ws: Worksheet, cell: Cell) -> tuple[int, int, int, int]:
    """(min_row, min_col, max_row, max_col) of the merged range holding ``cell`` (the cell alone if none)."""
    for rng in ws.merged_cells.ranges:
        if cell.coordinate in rng:
            return rng.min_row, rng.min_col, rng.max_row, rng.max_col
    return cell.row, cell.column, cell.row, cell.column


def put(ws: Worksheet, row: int, col: int, value: object) -> None:
    """Type a value; text starting with "=" stays text (as in WPS with a leading apostrophe)."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def put_right(ws: Worksheet, label: str, value: object) -> None:
    """Fill the value cell right of a (possibly merged) label."""
    cell = find(ws, label)
    _, _, _, last_col = merged_span(ws, cell)
    put(ws, cell.row, last_col + 1, value)


def header(ws: Worksheet, label: str) -> tuple[int, dict[str, int]]:
    """(row, {header text: column}) of the header row holding ``label``."""
    cell = find(ws, label)
    return cell.row, {_flat(c.value): c.column for c in ws[cell.row] if c.value is not None}


def fill_row(ws: Worksheet, row: int, cols: dict[str, int], values: dict[str, object]) -> None:
    for name, value in values.items():
        put(ws, row, cols[name], value)


def indicator_row(ws: Worksheet, name_col: int, name: str, below: int) -> int:
    """Row of the indicator whose level-3 cell ends with ``name`` (codes such as B31 may precede it)."""
    for r in range(below + 1, ws.max_row + 1):
        if _flat(ws.cell(r, name_col).value).endswith(name):
            return r
    raise AssertionError(f"{ws.title}: no indicator “{name}”")


def rows_of_level2(ws: Worksheet, label: str, min_row: int) -> list[int]:
    """Rows covered by a (merged) 二级指标 cell."""
    first, _, last, _ = merged_span(ws, find(ws, label, min_row))
    return list(range(first, last + 1))


def score(path: Path) -> dict:
    result = CliRunner().invoke(cli, ["score", str(path), "--no-output", "--json"])
    assert result.exit_code == 0, result.output
    data: dict = json.loads(result.stdout)
    return data


def by_name(data: dict) -> dict[str, dict]:
    return {i["name"]: i for i in data["indicators"]}


def check_total(data: dict) -> None:
    """Total = Σ indicator scores (+ execution points), clipped to [0, 100]."""
    parts = sum(i["score"] for i in data["indicators"])
    if data.get("execution"):
        parts += data["execution"]["score"] or 0
    assert data["total"] == pytest.approx(round(min(max(parts, 0), 100), 2), abs=0.006)


# --- API -------------------------------------------------------------------------------------


def test_unknown_kind_is_a_chinese_error(tmp_path: Path) -> None:
    with pytest.raises(PerfxlError, match="未知的模板类型“budget”"):
        templates.write_template("budget", tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


def test_write_is_atomic_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "新建 文件夹" / "模板.xlsx"
    assert templates.write_template("project", target) == target
    target.write_bytes(b"old")
    templates.write_template("department", target)
    assert target.read_bytes()[:2] == b"PK"
    assert [p.name for p in target.parent.iterdir()] == ["模板.xlsx"]  # no temporary file left


def test_unwritable_folder_is_a_perfxl_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PerfxlError, match="路径中有同名的文件"):
        templates.write_template("self-project", blocker / "模板.xlsx")


def test_method_examples_parse_and_cover_every_kind() -> None:
    kinds = {phrases.parse_override(text).kind for text, _ in templates.METHOD_EXAMPLES}
    assert kinds == set(phrases.KINDS)
    words = {phrases._KIND_WORDS[text.split()[0]] for text, _ in templates.METHOD_EXAMPLES}
    assert words == kinds


# --- structure of the blank templates --------------------------------------------------------


def _dv(ws: Worksheet, column_letter: str, row: int) -> list:
    out = []
    for dv in ws.data_validations.dataValidation:
        if f"{column_letter}{row}" in dv.sqref:
            out.append(dv)
    return out


def _method_choices(wb: Workbook, formula: str) -> list[str]:
    m = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert m, formula
    ws = wb[m.group(1)]
    return [ws[f"{m.group(2)}{r}"].value for r in range(int(m.group(3)), int(m.group(5)) + 1)]


@pytest.mark.parametrize("kind", OWN_KINDS)
def test_template_structure(generated: dict[str, Path], kind: str) -> None:
    wb = openpyxl.load_workbook(generated[kind])
    table_sheet = templates.SELF_SHEETS.get(kind, templates.INDICATOR_SHEET)
    self_kind = kind in templates.SELF_SHEETS
    expected = ["说明", "计分方法"] + ([table_sheet] if self_kind else ["项目信息", table_sheet, "基础表"])
    assert wb.sheetnames == expected

    readme = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for piece in ("√", "问卷:总体", "90,80,60", "插入", "文本格式", "增加指标行"):
        assert piece in readme, piece
    if not self_kind:
        assert (
            "加分项：√ 表示获得表彰" in readme
            and "减分项：√ 表示合规" in readme
            and "优90,良80,中>70" in readme
        )
        assert "业绩值留空" in readme and "加减分项" in readme
    # written for an evaluator: no command lines, no grammar notation
    for absent in ("perfxl score", "perfxl check", "perfxl template", "<方法>", "[参数", "perfxl rule"):
        assert absent not in readme, absent
    # the 说明 describes exactly the columns the sheet has
    ws = wb[table_sheet]
    head_row, cols = header(ws, "三级指标")
    described = {line.split("：")[0] for line in readme.split("\n") if "：" in line}
    for name in cols:
        if name not in ("绩效指标", "专家2", "专家3"):
            assert name in described or name.replace("专家1", "专家1～3") in described, name
    assert "评分标准" not in cols or "评分标准" in described
    if self_kind:
        assert "评价依据" not in described and "标杆值" not in described

    methods = "\n".join(str(c.value) for row in wb["计分方法"].iter_rows() for c in row if c.value)
    for text, _meaning in templates.METHOD_EXAMPLES:
        assert text in methods

    if not self_kind:
        info = wb["项目信息"]
        kind_cell = info.cell(find(info, "评价类型").row, find(info, "评价类型").column + 1)
        assert kind_cell.value == templates.EVALUATION_TYPES[kind]
        dvs = _dv(info, kind_cell.column_letter, kind_cell.row)
        assert dvs and dvs[0].type == "list" and "部门整体支出绩效自评" in dvs[0].formula1
        assert info.cell(find(info, "评级标准").row, 2).value == "90,80,60"
        assert info.max_column == 2  # no hint text where read_info looks for values

    first = head_row + 1
    assert ws.freeze_panes is not None and ws[ws.freeze_panes].row == first
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    method_col = next(c for name, c in cols.items() if name.startswith("计分方法"))
    letter = ws.cell(first, method_col).column_letter
    (method_dv,) = _dv(ws, letter, first)
    assert method_dv.type == "list" and not method_dv.showErrorMessage  # any text is allowed
    choices = _method_choices(wb, method_dv.formula1)
    assert choices == [text for text, _ in templates.METHOD_EXAMPLES]
    if "要点判定" in cols:
        (judge,) = _dv(ws, ws.cell(first, cols["要点判定"]).column_letter, first)
        assert "√√×" in judge.formula1 and not judge.showErrorMessage and judge.prompt
    actual_col = cols.get("业绩值") or cols["实际完成值"]
    assert ws.cell(first, actual_col).fill.fgColor.rgb == YELLOW  # input cell
    assert ws.cell(head_row, cols["三级指标"]).fill.fgColor.rgb != YELLOW  # label cell: white
    assert ws.cell(head_row, cols["三级指标"]).fill.fill_type is None
    weight = cols.get("权重") or cols["分值"]
    assert ws.cell(first, weight).number_format == "0.00"
    assert ws.cell(first, cols["得分"]).number_format == "0.00"

    book = open_book(generated[kind])
    table = read_table(book)
    assert table.sheet == table_sheet and table.rows == []
    assert infer_kind(read_info(book, table), table) == (kind, False)


def _table_rows(ws: Worksheet) -> tuple[int, dict[str, int], list[int], list[int]]:
    """(header row, columns, indicator rows, 加减分项 rows) of a template's table (1-based)."""
    head_row, cols = header(ws, "三级指标")
    rows: list[int] = []
    adjustments: list[int] = []
    target = rows
    for r in range(head_row + 1, ws.max_row + 1):
        labels = {_flat(ws.cell(r, c).value) for c in range(1, 5)}
        if "总分" in labels:
            break
        if "合计" in labels:
            target = adjustments
            continue
        if (
            _flat(ws.cell(r, cols["一级指标"]).value) == "加减分项"
            and target is adjustments
            and not adjustments
        ):
            continue  # the block's heading row
        target.append(r)
    return head_row, cols, rows, adjustments


@pytest.mark.parametrize("kind", OWN_KINDS)
def test_blank_template_is_blank_and_growable(generated: dict[str, Path], kind: str) -> None:
    """No unit's data, no digits in group labels, no merged cell where a user types, every input
    row formatted and covered by a validation, 标杆值/业绩值 kept as text, Chinese font."""
    wb = openpyxl.load_workbook(generated[kind])
    self_kind = kind in templates.SELF_SHEETS
    ws = wb[templates.SELF_SHEETS.get(kind, templates.INDICATOR_SHEET)]
    head_row, cols, rows, adjustments = _table_rows(ws)
    assert len(rows) >= (40 if self_kind else 80)
    if not self_kind:
        assert len(adjustments) >= 3
    table = rows + adjustments
    for r in table:
        for name, c in cols.items():
            cell = ws.cell(r, c)
            if name == "得分率":
                assert (cell.data_type == "f") == (r in rows), cell.coordinate  # none on 加减分 rows
                continue
            assert cell.value is None, (name, cell.coordinate, cell.value)  # blank: no example data
            if name != "绩效指标":
                assert cell.fill.fgColor.rgb == YELLOW, (name, cell.coordinate)
    typed = set(table)
    for m in ws.merged_cells.ranges:  # merges only outside the rows a user types in
        assert not typed & set(range(m.min_row, m.max_row + 1)), str(m)
    text_cols = [
        c for n, c in cols.items() if n in ("标杆值", "业绩值", "年度指标值", "实际完成值", "要点判定")
    ]
    assert len(text_cols) >= 2
    for c in text_cols:
        assert all(ws.cell(r, c).number_format == "@" for r in table)
    for name, c in cols.items():
        if name in ("绩效指标", "得分率"):
            continue
        letter = ws.cell(head_row, c).column_letter
        uncovered = [r for r in table if not _dv(ws, letter, r)]
        assert not uncovered, (name, uncovered[:3])
    # group labels (dropdowns included) carry no weights: group weights are computed from rows
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and dv.formula1 and dv.formula1.startswith('"'):
            assert not re.search(r"\d", dv.formula1) or "√" in dv.formula1, dv.formula1
    assert "服务对象满意度指标" not in str([dv.formula1 for dv in ws.data_validations.dataValidation])
    catalog = {r.name for r in (*PROJECT_INDICATORS, *DEPARTMENT_INDICATORS)}
    for sheet in wb:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and any("\u4e00" <= ch <= "\u9fff" for ch in cell.value):
                    assert cell.font.name == "宋体", (sheet.title, cell.coordinate, cell.font.name)
                if sheet.title in ("说明", "计分方法") or not isinstance(cell.value, str):
                    continue  # the instructions quote examples
                assert not re.search(r"(19|20)\d\d", cell.value), (sheet.title, cell.coordinate, cell.value)
                assert cell.value not in catalog and "示例" not in cell.value, (sheet.title, cell.coordinate)


@pytest.mark.parametrize("kind", ["project", "department"])
def test_totals_leave_out_the_adjustments(generated: dict[str, Path], kind: str) -> None:
    """合计 sums the rows above it (weights without the 加减分项); 总分 adds the 加减分项."""
    ws = openpyxl.load_workbook(generated[kind])["指标"]
    _head, cols, rows, adjustments = _table_rows(ws)
    total = rows[-1] + 1
    w = ws.cell(total, cols["权重"]).column_letter
    s = ws.cell(total, cols["得分"]).column_letter
    assert ws.cell(total, cols["权重"]).value == f"=SUM({w}{rows[0]}:{w}{rows[-1]})"
    assert ws.cell(total, cols["得分"]).value == f"=SUM({s}{rows[0]}:{s}{rows[-1]})"
    grand = adjustments[-1] + 1
    assert ws.cell(grand, 1).value == "总分"
    assert ws.cell(grand, cols["得分"]).value == f"={s}{total}+SUM({s}{adjustments[0]}:{s}{adjustments[-1]})"
    assert ws.cell(adjustments[0], cols["得分率"]).value is None  # no 得分率 on 加分/减分 rows


def test_project_example_holds_the_catalog(example: dict[str, Path]) -> None:
    table = read_table(open_book(example["project"]))
    assert [r.name for r in table.rows] == [r.name for r in PROJECT_INDICATORS]
    assert [float(r.values["weight"]) for r in table.rows] == [r.weight for r in PROJECT_INDICATORS]
    assert [r.text("rule") for r in table.rows] == [r.rule for r in PROJECT_INDICATORS]
    assert all(r.text("actual") == "" and r.text("score") == "" for r in table.rows)
    assert [t.label for t in table.totals] == ["合计"]


def test_department_example_labels_every_row(example: dict[str, Path]) -> None:
    table = read_table(open_book(example["department"]))
    assert [(r.code, r.name) for r in table.rows] == [(r.code, r.name) for r in DEPARTMENT_INDICATORS]
    assert [r.level1 for r in table.rows][:6] == ["部门决策"] * 6
    assert table.rows[0].level1_weight == "15" and table.rows[0].level2_weight == "6"
    assert [t.label for t in table.totals] == ["合计", "总分"]
    ws = openpyxl.load_workbook(example["department"])["指标"]
    head_row, cols, rows, adjustments = _table_rows(ws)
    assert all(ws.cell(r, cols["一级指标"]).value for r in rows)  # written on each row, not merged
    assert len(adjustments) == sum(1 for r in DEPARTMENT_INDICATORS if r.role != "base")
    f21 = indicator_row(ws, cols["三级指标"], "部门或工作人员违法违纪情况", head_row)
    assert f21 in adjustments
    assert ws.cell(f21, cols["权重"]).value is None and ws.cell(f21, cols["权重"]).fill.fgColor.rgb == YELLOW


def test_examples_only_for_evaluation_kinds(tmp_path: Path) -> None:
    for kind in ("self-project", "survey"):
        with pytest.raises(PerfxlError, match="示例"):
            templates.write_template(kind, tmp_path / "x.xlsx", example=True)


@pytest.mark.parametrize("kind", ["project", "department"])
def test_base_sheet_labels_are_all_found(generated: dict[str, Path], kind: str) -> None:
    from perfxl.base import read_base

    base = read_base(open_book(generated[kind]))
    assert base is not None and not base.findings
    assert set(base.budget_rows) == {
        "basic",
        "personnel",
        "public",
        "project",
        "three_public",
        "procurement",
        "total",
    }
    assert {col for _, col in base.budget} == {"initial", "full", "funded", "spent"}
    assert set(base.items) >= {
        "staff_quota", "staff_actual", "assets_total", "assets_in_use", "projects_planned",
        "projects_done", "key_tasks", "key_tasks_done", "staff_target",
        "fund_grant", "fund_other", "carryover", "balance",
    }  # fmt: skip
    assert all(v.value is None for v in base.items.values())  # blank stays blank (hints are not values)
    assert base.project_columns == ("initial", "full", "spent") and base.project_done_col is not None
    assert base.project_total is not None
    assert [m.label for m in base.months] == [f"{m}月" for m in range(1, 13)]
    ws = openpyxl.load_workbook(generated[kind])["基础表"]
    done = find(ws, "是否完成")
    (dv,) = _dv(ws, done.column_letter, done.row + 1)
    assert dv.formula1 == '"是,否"'
    labels = [_flat(c.value) for row in ws.iter_rows(max_col=1) for c in row if c.value]
    assert len(labels) == len(set(labels)), "every label once"


def test_project_list_total_is_checked_with_blank_rows_above_it(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    """Two projects in a 20-row list, the 项目合计 typed wrong: the list reaches its 合计 and the
    sum is checked."""
    wb = openpyxl.load_workbook(generated["project"])
    base = wb["基础表"]
    prow, pcols = header(base, "项目名称")
    fill_row(base, prow + 1, pcols, {"项目名称": "甲", "调整后预算数": 10, "实际支出数": 9})
    fill_row(base, prow + 2, pcols, {"项目名称": "乙", "调整后预算数": 20, "实际支出数": 20})
    total = find(base, "项目合计", prow).row
    fill_row(base, total, pcols, {"调整后预算数": 30, "实际支出数": 28})
    path = tmp_path / "list.xlsx"
    wb.save(path)
    from perfxl.base import audit_base, read_base

    parsed = read_base(open_book(path))
    assert parsed is not None and parsed.project_total is not None and len(parsed.projects) == 2
    findings = audit_base(parsed)
    assert any("项目明细" in f.message and "29" in f.message for f in findings), findings


def test_self_project_is_the_national_layout(generated: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(generated["self-project"])
    ws = wb["项目支出绩效自评表"]
    for label in ("项目名称", "主管部门", "实施单位", "年度"):
        find(ws, label)
    row, cols = header(ws, "全年预算数")
    assert [n for n in cols if n in templates.SELF_FUND_HEADER] == list(templates.SELF_FUND_HEADER)
    labels = [_flat(ws.cell(row + i, cols["年初预算数"] - 1).value) for i in range(1, 5)]
    assert labels == ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    assert ws.cell(row + 1, cols["分值"]).value == 10
    assert ws.cell(row + 1, cols["执行率"]).value is None and ws.cell(row + 1, cols["得分"]).value is None
    find(ws, "年度总体目标")
    find(ws, "预期目标")
    find(ws, "实际完成情况")
    find(ws, "自评等级")
    _, icols = header(ws, "三级指标")
    assert list(icols)[:9] == ["绩效指标", *templates.SELF_HEADER[:8]]
    block = read_execution_block(open_book(generated["self-project"]).sheet("项目支出绩效自评表"))
    assert block is not None and block.weight is not None and float(block.weight.value) == 10


def test_self_form_is_entered_once(generated: dict[str, Path], tmp_path: Path) -> None:
    """Without a 项目信息 sheet the name, unit, year and 自评等级 come from the form's own cells."""
    wb = openpyxl.load_workbook(generated["self-project"])
    ws = wb["项目支出绩效自评表"]
    put_right(ws, "项目名称", "高标准农田建设项目")
    put_right(ws, "年度", 2024)
    put_right(ws, "主管部门", "某县农业农村局")
    put_right(ws, "实施单位", "某县农田建设服务中心")
    put_right(ws, "自评等级", "优")
    path = tmp_path / "self.xlsx"
    wb.save(path)
    book = open_book(path)
    info = read_info(book, read_table(book))
    assert info.sheet == "项目支出绩效自评表"
    assert info.values["title"] == "高标准农田建设项目" and info.values["year"] == "2024"
    assert info.values["unit"] == "某县农田建设服务中心" and info.values["declared_grade"] == "优"


# --- committed copies --------------------------------------------------------------------------


def _snapshot(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path)
    out: dict[str, object] = {"sheets": wb.sheetnames}
    for ws in wb:
        out[f"{ws.title}!merged"] = sorted(str(m) for m in ws.merged_cells.ranges)
        out[f"{ws.title}!dv"] = sorted(
            (str(d.sqref), d.type, d.formula1, d.showErrorMessage) for d in ws.data_validations.dataValidation
        )
        out[f"{ws.title}!freeze"] = ws.freeze_panes
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    out[f"{ws.title}!{cell.coordinate}"] = (cell.value, cell.data_type, cell.number_format)
    return out


@pytest.mark.parametrize("kind", templates.KINDS)
def test_committed_templates_match_the_generator(generated: dict[str, Path], kind: str) -> None:
    committed = COMMITTED / templates.TEMPLATE_FILES[kind]
    assert committed.exists(), "run: python3 -m perfxl.templates"
    assert _snapshot(committed) == _snapshot(generated[kind]), "run: python3 -m perfxl.templates"
    assert committed.read_bytes() == generated[kind].read_bytes()


def test_generator_is_deterministic(generated: dict[str, Path], tmp_path: Path) -> None:
    again = templates.write_template("department", tmp_path / "again.xlsx")
    assert again.read_bytes() == generated["department"].read_bytes()


# --- filled templates, scored ------------------------------------------------------------------


def test_fill_project_template(example: dict[str, Path], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(example["project"])
    info = wb["项目信息"]
    put_right(info, "项目名称", "2023年政务服务运行维护费项目（模板测试）")
    put_right(info, "单位", "示例市政务服务中心")
    put_right(info, "年度", 2023)
    put_right(info, "评级标准", "优90,良80,中>70")

    base = wb["基础表"]
    row, cols = header(base, "全年预算数")
    total = find(base, "支出合计", row).row
    fill_row(
        base,
        total,
        cols,
        {"年初预算数": 252.49, "全年预算数": 252.49, "实际到位数": 252.49, "实际支出数": 252.49},
    )
    put_right(base, "目标人数（人）", 35)
    mrow, mcols = header(base, "在岗人数")
    on_duty = (35, 34, 33, 33, 34, 33, 33, 33, 34, 33, 33, 34)  # mean 33.5
    left = (1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0)  # 5
    for month, (n, gone) in enumerate(zip(on_duty, left, strict=True), start=1):
        r = find(base, f"{month}月", mrow).row
        fill_row(base, r, mcols, {"在岗人数": n, "离职人数": gone, "入职人数": 0})

    ws = wb["指标"]
    head_row, cols = header(ws, "三级指标")
    facts: dict[str, dict[str, object]] = {
        "立项程序规范性": {"要点判定": "√√×"},  # 30/30/40% of 3 → 1.8
        "日均办件量": {"业绩值": "4800件/次", "计分方法": "比率法"},  # 5 × 96% = 4.8
        "来访人员满意度": {"业绩值": "问卷:总体"},  # 96% ≥ 90% → 4
        "非岗情况": {"要点判定": "×"},  # 存在非岗 → 0
    }
    linked = ("资金到位率", "预算执行率", "人员流动率", "聘用人员到位率")
    for r in range(head_row + 1, ws.max_row + 1):
        name = _flat(ws.cell(r, cols["三级指标"]).value)
        if not name or name == "合计":
            continue
        if name in facts:
            fill_row(ws, r, cols, facts[name])
        elif name not in linked:
            put(ws, r, cols["得分"], ws.cell(r, cols["权重"]).value)  # the evaluator's declared score
    tally = wb.create_sheet("问卷汇总")
    tally.append(["题目", "非常满意", "比较满意", "基本满意", "不太满意", "非常不满意"])
    tally.append(["您对引导员服务的满意程度", 8, 2, 0, 0, 0])
    path = tmp_path / "project.xlsx"
    wb.save(path)

    data = score(path)
    assert data["kind"] == "project" and data["title"].startswith("2023年政务服务运行维护费项目")
    got = by_name(data)
    assert got["资金到位率"]["score"] == 3 and got["资金到位率"]["actual"] == pytest.approx(1)
    assert got["预算执行率"]["score"] == 3
    assert got["人员流动率"]["actual"] == pytest.approx(5 / 35) and got["人员流动率"]["score"] == 1.66
    assert got["聘用人员到位率"]["actual"] == pytest.approx(33.5 / 35)
    assert got["聘用人员到位率"]["score"] == 3.93  # 5 × (1 − 5% × 4.29), before experts
    assert got["立项程序规范性"]["score"] == 1.8
    assert got["日均办件量"]["score"] == 4.8
    assert got["来访人员满意度"]["actual"] == pytest.approx(0.96) and got["来访人员满意度"]["score"] == 4
    assert got["非岗情况"]["score"] == 0
    assert data["total"] == pytest.approx(100 - 1.2 - 0.34 - 1.07 - 0.2 - 4, abs=0.006)
    check_total(data)
    assert data["grade"] == "优"
    assert not [f for f in data["findings"] if f["code"].startswith("base.") and f["severity"] != "info"]


def test_fill_department_template(example: dict[str, Path], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(example["department"])
    put_right(wb["项目信息"], "部门名称", "示例县政务服务和公共资源交易中心")
    put_right(wb["项目信息"], "年度", 2023)

    base = wb["基础表"]
    row, cols = header(base, "全年预算数")
    budget = {  # reference 004, 万元
        "基本支出": (364.23, 472.46, 472.46, 472.46),
        "其中：人员经费": (356.23, 412.91, 412.91, 412.91),
        "其中：公用经费": (8, 59.55, 59.55, 59.55),
        "项目支出": (78.08, 245.93, 245.93, 245.93),
        "“三公”经费": (0, 0, 0, 0),
        "政府采购": (3, None, None, 45.71),
        "支出合计": (442.31, 718.39, 718.39, 718.39),
    }
    for label, values in budget.items():
        r = find(base, label, row).row
        for name, value in zip(("年初预算数", "全年预算数", "实际到位数", "实际支出数"), values, strict=True):
            if value is not None:
                put(base, r, cols[name], value)
    for label, value in (("编制数（人）", 25), ("实有人数（人）", 22), ("固定资产总额（万元）", 44.92),
                         ("在用固定资产总额（万元）", 44.92), ("重点工作数（项）", 6), ("完成重点工作数（项）", 6),
                         ("计划完成项目数（个）", 2), ("实际完成项目数（个）", 2)):  # fmt: skip
        put_right(base, label, value)
    prow, pcols = header(base, "项目名称")
    for i, (name, initial, full, spent) in enumerate(
        (("政务大厅运行保障项目", 78.08, 200.00, 200.00), ("政务大厅装修改造项目", None, 45.93, 45.93))
    ):
        values: dict[str, object] = {
            "项目名称": name,
            "调整后预算数": full,
            "实际支出数": spent,
            "是否完成": "是",
        }
        if initial is not None:
            values["年初预算数"] = initial
        fill_row(base, prow + 1 + i, pcols, values)
    ptotal = find(base, "项目合计", prow).row
    fill_row(base, ptotal, pcols, {"年初预算数": 78.08, "调整后预算数": 245.93, "实际支出数": 245.93})

    ws = wb["指标"]
    head_row, cols = header(ws, "三级指标")
    computed = (
        "支出预算执行率",
        "日常公用经费控制率",
        "项目支出预算调整率",
        "固定资产利用率",
        "项目资金执行率",
    )
    for r in range(head_row + 1, ws.max_row + 1):
        name = _flat(ws.cell(r, cols["三级指标"]).value)
        if not name or name == "合计" or any(name.endswith(c) for c in computed):
            continue
        if name.endswith("部门受到国务院、省级嘉奖情况"):
            fill_row(ws, r, cols, {"权重": 2, "要点判定": "√"})  # commended: +2
        elif name.endswith("部门或工作人员违法违纪情况"):
            fill_row(ws, r, cols, {"权重": 2, "要点判定": "×"})  # a violation: −2
        else:
            put(ws, r, cols["得分"], ws.cell(r, cols["权重"]).value)
    path = tmp_path / "department.xlsx"
    wb.save(path)

    data = score(path)
    assert data["kind"] == "department" and data["title"] == "示例县政务服务和公共资源交易中心"
    got = {i["code"]: i for i in data["indicators"]}
    assert got["B31"]["actual"] == pytest.approx(1) and got["B31"]["score"] == 5
    assert got["C22"]["actual"] == pytest.approx(59.55 / 8) and got["C22"]["score"] == 0
    assert got["B42"]["actual"] == pytest.approx((245.93 - 78.08) / 78.08) and got["B42"]["score"] == 0
    assert got["B52"]["actual"] == pytest.approx(1) and got["B52"]["score"] == 4
    assert got["C21"]["score"] == 4
    assert got["F11"]["score"] == 2 and got["F21"]["score"] == -2
    assert data["bonus"] == 2 and data["penalty"] == -2
    assert data["total"] == pytest.approx(100 - 4 - 3 + 2 - 2)
    check_total(data)
    assert not [f for f in data["findings"] if f["code"].startswith("base.") and f["severity"] != "info"]


def _fill_self(ws: Worksheet, lines: dict[str, list[tuple[object, ...]]]) -> None:
    """Type the lines into the blank rows from the top, 一级/二级指标 on each group's first row
    (blank below it means "same as above")."""
    level1 = {"数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标", "成本指标": "产出指标",
              "经济效益指标": "效益指标", "社会效益指标": "效益指标", "生态效益指标": "效益指标",
              "可持续影响指标": "效益指标", "满意度指标": "满意度指标"}  # fmt: skip
    head_row, cols = header(ws, "三级指标")
    r = head_row + 1
    for level2, items in lines.items():
        for i, (name, target, actual, weight, declared, *deviation) in enumerate(items):
            values: dict[str, object] = {
                "三级指标": name,
                "年度指标值": target,
                "实际完成值": actual,
                "分值": weight,
                "得分": declared,
            }
            if i == 0:
                values.update({"一级指标": level1[level2], "二级指标": level2})
            if deviation:
                values["偏差原因分析及改进措施"] = deviation[0]
            fill_row(ws, r, cols, {k: v for k, v in values.items() if v is not None})
            r += 1


def _fill_funds(ws: Worksheet, full: float, spent: float) -> None:
    row, cols = header(ws, "全年预算数")
    total = find(ws, "年度资金总额", row).row
    fill_row(ws, total, cols, {"年初预算数": full, "全年预算数": full, "全年执行数": spent})
    grant = find(ws, "其中：当年财政拨款", row).row
    fill_row(ws, grant, cols, {"年初预算数": full, "全年预算数": full, "全年执行数": spent})


def test_fill_self_project_template(generated: dict[str, Path], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(generated["self-project"])
    ws = wb["项目支出绩效自评表"]
    put_right(ws, "项目名称", "农村人居环境整治提升项目（模板测试）")
    put_right(ws, "主管部门", "示例县农业农村局")
    _fill_funds(ws, 187.84, 183.99)
    _fill_self(
        ws,
        {
            "数量指标": [
                ("农村户厕改造数量", "≥1200户", "1236户", 10, 10),
                ("新建垃圾收集点", "≥60个", "57个", 10, 9.5),
            ],
            "质量指标": [("改厕验收合格率", "≥88%", "83.22%", 10, 9.46, "施工不规范，已整改")],
            "时效指标": [("项目完成时间", "按期完成", "按期完成", 10, 10)],
            "成本指标": [("设备购置成本", "≤165万元", "198万元", 10, 0, "设备型号升级")],
            "社会效益指标": [("农村人居环境改善", "明显改善", "有所改善", 15, 12, "转运频次不足")],
            "可持续影响指标": [("长效管护机制", "建立", "建立", 10, 10)],
            "经济效益指标": [("带动就业人数", "=20人", "20人", 5, 5)],
            "满意度指标": [("农户满意度", "≥90%", 0.925, 10, 10)],
        },
    )
    path = tmp_path / "self-project.xlsx"
    wb.save(path)

    data = score(path)
    assert data["kind"] == "self-project"
    assert data["execution"]["rate"] == pytest.approx(183.99 / 187.84) and data["execution"]["score"] == 9.8
    got = by_name(data)
    assert got["改厕验收合格率"]["score"] == 9.46  # 83.22 / 88 × 10
    assert got["新建垃圾收集点"]["score"] == 9.5
    assert got["设备购置成本"]["score"] == 0  # ≤165万元 exceeded
    assert got["农村人居环境改善"]["score"] == 12  # qualitative, words differ: declared score kept
    assert got["项目完成时间"]["score"] == 10 and got["带动就业人数"]["score"] == 5
    assert got["农户满意度"]["score"] == 10
    assert data["total"] == pytest.approx(9.8 + 10 + 9.5 + 9.46 + 10 + 0 + 12 + 10 + 5 + 10)
    check_total(data)
    missing = [f["cell"] for f in data["findings"] if f["code"] == "self.no_deviation"]
    assert len(missing) == 1  # 新建垃圾收集点 lost 0.5 without 偏差原因分析
    assert not [f for f in data["findings"] if f["code"].startswith("weights")]


def test_fill_self_department_template(generated: dict[str, Path], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(generated["self-department"])
    ws = wb["部门整体支出绩效自评表"]
    put_right(ws, "部门名称", "示例县农业农村局")
    _fill_funds(ws, 2680.45, 2596.31)
    basic = find(ws, "基本支出")
    _row, cols = header(ws, "全年预算数")
    fill_row(ws, basic.row, cols, {"全年预算数": 1165.23, "全年执行数": 1160.08})
    _fill_self(
        ws,
        {
            "数量指标": [
                ("重点工作任务完成数", "≥12项", "12项", 20, 20),
                ("项目实施个数", "=5个", "4个", 10, 8, "1个项目延期"),
            ],
            "时效指标": [("项目按期完成率", "≥95%", "80%", 10, 8.42, "旱情影响")],
            "成本指标": [("日常公用经费支出", "≤120万元", "126.5万元", 10, 0, "新增办公场所")],
            "社会效益指标": [("农村人居环境", "明显改善", "明显改善", 30, 30)],
            "满意度指标": [("服务对象满意度", "≥90%", "92.3%", 10, 10)],
        },
    )
    path = tmp_path / "self-department.xlsx"
    wb.save(path)

    data = score(path)
    assert data["kind"] == "self-department"
    assert data["execution"]["score"] == 9.69  # 2596.31 / 2680.45 = 96.86%
    got = by_name(data)
    assert got["项目实施个数"]["score"] == 8  # "=" → ratio
    assert got["项目按期完成率"]["score"] == 8.42  # 80 / 95 × 10
    assert got["日常公用经费支出"]["score"] == 0
    assert data["total"] == pytest.approx(9.69 + 20 + 8 + 8.42 + 0 + 30 + 10)
    check_total(data)
    assert not [f for f in data["findings"] if f["code"] == "self.no_deviation"]


def test_fill_survey_template(generated: dict[str, Path], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(generated["survey"])
    ws = wb.worksheets[0]
    row, cols = header(ws, "题目")
    blank_rows = range(row + 1, row + 1 + templates.TALLY_ROWS)
    assert all(ws.cell(r, cols["题目"]).value is None for r in blank_rows)  # no example question
    assert all(ws.cell(r, cols["非常满意"]).fill.fgColor.rgb == YELLOW for r in blank_rows)  # input
    assert ws.cell(row, cols["题目"]).fill.fill_type is None  # label: white
    assert (
        find(ws, "计算方法").fill.fill_type is None
        and ws.cell(find(ws, "计算方法").row, 2).fill.fgColor.rgb == YELLOW
    )
    fill_row(
        ws, row + 1, cols, {"题目": "您对服务态度的满意程度", "非常满意": 66, "比较满意": 4, "基本满意": 1}
    )
    path = tmp_path / "survey.xlsx"
    wb.save(path)
    result = CliRunner().invoke(cli, ["survey", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    overall = data["overall"] if "overall" in data else data["results"][0]["overall"]
    assert overall == pytest.approx((66 * 5 + 4 * 4 + 3) / (71 * 5), abs=1e-4)


# --- self-evaluation examples of inputs/ ----------------------------------------------------------


def test_examples_are_current(tmp_path: Path) -> None:
    assert examples.main(["--out", str(tmp_path)]) == 0
    for name in examples.EXAMPLES:
        assert (INPUTS / name).read_bytes() == (tmp_path / name).read_bytes(), (
            f"{name}: run python3 inputs/build_self_examples.py"
        )


@pytest.mark.parametrize("name", list(examples.EXPECTED))
def test_example_scores(name: str) -> None:
    data = score(INPUTS / name)
    exec_score, total = examples.EXPECTED[name]
    assert data["kind"] == examples.EXAMPLES[name].kind
    assert data["execution"]["score"] == exec_score
    assert data["total"] == pytest.approx(total)
    check_total(data)
    declared = {line.name: line.score for line in examples.EXAMPLES[name].lines or () if line.name}
    assert {i["name"]: i["score"] for i in data["indicators"]} == pytest.approx(declared)
    assert not [f for f in data["findings"] if f["severity"] == "error"]


def test_example_two_has_the_textbook_numbers() -> None:
    data = score(INPUTS / "示例_部门项目自评2_农村人居环境整治.xlsx")
    assert data["execution"]["rate"] == pytest.approx(0.97950, abs=5e-6) and data["execution"]["score"] == 9.8
    got = by_name(data)
    assert got["改厕验收合格率"]["score"] == 9.46
    assert got["农村人居环境改善情况"]["score"] == got["农村人居环境改善情况"]["declared_score"] == 12
    (finding,) = [f for f in data["findings"] if f["code"] == "self.no_deviation"]
    assert "新建垃圾收集点" in finding["message"]
    cost = by_name(score(INPUTS / "示例_部门项目自评3_农产品质量安全监管.xlsx"))["检测设备购置成本"]
    assert cost["target"] == "≤165万元" and cost["score"] == 0


# --- scorer bugs found while filling the templates, now fixed ------------------------------------------


def test_checklist_override_with_base_share() -> None:
    rule = phrases.parse_override("要点法 基础=50% 项数=5")
    result = CliRunner().invoke(cli, ["rule", "x", "-m", "要点法 基础=50% 项数=5", "--weight", "3",
                                      "--judgements", "√√√√××", "--json"])  # fmt: skip
    assert rule.kind == "checklist"
    assert json.loads(result.stdout)["score"] == pytest.approx(2.4)  # 50% + 3 × 10%


def test_self_default_rule_with_unlisted_unit(tmp_path: Path) -> None:
    form = templates.SelfForm(
        name="单位测试",
        lines=(templates.SelfLine("产出指标", "数量指标", "抽检批次", "≥1500批次", "1350批次", 10, 10),),
    )
    data = score(templates.write_self_form(form, tmp_path / "unit.xlsx"))
    assert by_name(data)["抽检批次"]["score"] == 9  # 1350 / 1500 × 10


def test_project_completion_falls_back_to_the_project_list(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    from perfxl.rates import compute_rates, read_base

    wb = openpyxl.load_workbook(generated["department"])
    base = wb["基础表"]
    prow, pcols = header(base, "项目名称")
    fill_row(
        base, prow + 1, pcols, {"项目名称": "甲项目", "调整后预算数": 10, "实际支出数": 10, "是否完成": "是"}
    )
    fill_row(
        base, prow + 2, pcols, {"项目名称": "乙项目", "调整后预算数": 5, "实际支出数": 4, "是否完成": "否"}
    )
    path = tmp_path / "completion.xlsx"
    wb.save(path)
    data = read_base(open_book(path))
    assert data is not None
    assert compute_rates(data)["project_completion"].value == pytest.approx(
        0.5
    )  # 计划/实际完成项目数 left blank
