"""Every template takes a real unit's table: 5, 30 and 80 indicator rows in varied group
structures, filled three ways — by a script through openpyxl, through ``perfxl template
--rows``, and in LibreOffice inserting rows into the table — then scored: the declared totals
(the templates' own formulas) equal the sums, and no error or warning is false.

The expected scores are worked out from the rule texts, not by running perfxl: a met target
scores the weight, a quantity at 90% of its target scores 90% of the weight (the ratio rule,
or the self-evaluation default rule for a ≥ target).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.worksheet import Worksheet

from perfxl import templates
from perfxl.cli import cli

HERE = Path(__file__).resolve().parent
SIZES = (5, 30, 80)
EVAL_KINDS = ("project", "department")
SELF_KINDS = ("self-project", "self-department")
FULL_RULE = "实际完成值达到标杆值的得满分，否则不得分。"
RATIO_RULE = "得分=实际完成值/计划值×该指标分值，最高不超过该指标分值。"
BONUS = {
    "一级指标": "加减分项",
    "二级指标": "加分项",
    "三级指标": "获得省级以上表彰",
    "权重": 1,
    "评分标准": "获得省级及以上表彰的加1分。",
    "要点判定": "√",
    "得分": 1,
}
LEVELS = {
    "project": (("决策", "项目立项"), ("过程", "资金管理"), ("产出", "产出数量"), ("效益", "项目效益")),
    "department": (("部门决策", "绩效目标"), ("部门管理", "预算执行"), ("部门绩效", "履职效能")),
    "self": (("产出指标", "数量指标"), ("产出指标", "质量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "满意度指标")),
}  # fmt: skip


def _money(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def indicator_rows(kind: str, n: int) -> list[dict[str, object]]:
    """``n`` indicators named by the sheet's own headers, weights summing to the base points.

    Group structures vary with ``n``: long groups written on every row (5), groups of 3 with
    the labels only on their first row ("same as above", 30), single-row groups and runs (80).
    """
    self_kind = kind in SELF_KINDS
    points = Decimal(90 if self_kind else 100)
    weights = [_money(points / n)] * n
    weights[-1] += points - sum(weights)
    levels = LEVELS["self" if self_kind else kind]
    size = {5: 2, 30: 3}.get(n, 1)
    rows: list[dict[str, object]] = []
    for i, w in enumerate(weights):
        group = (i // size) % len(levels)
        first_of_group = i % size == 0
        l1, l2 = levels[group]
        if n == 30 and not first_of_group:
            l1 = l2 = ""  # blank = same as above
        ratio = i % 3 == 1
        declared = _money(w * Decimal("0.9")) if ratio else w
        target, actual = ("≥200人次", "180人次") if ratio else ("≥100件", "120件")
        if i % 3 == 2:
            target, actual = ("≥95%", "96.5%")
        if self_kind:
            rows.append({"一级指标": l1, "二级指标": l2, "三级指标": f"指标{i + 1}", "年度指标值": target,
                         "实际完成值": actual, "分值": float(w), "得分": float(declared)})  # fmt: skip
            if ratio:
                rows[-1]["偏差原因分析及改进措施"] = "受天气影响，已调整实施计划"
        else:
            rows.append({"一级指标": l1, "二级指标": l2, "三级指标": f"指标{i + 1}", "权重": float(w),
                         "评分标准": RATIO_RULE if ratio else FULL_RULE, "标杆值": target, "业绩值": actual,
                         "得分": float(declared)})  # fmt: skip
    return rows


def expected_total(kind: str, rows: list[dict[str, object]]) -> Decimal:
    total = sum(Decimal(str(r.get("得分", 0))) for r in rows)
    if kind in SELF_KINDS:
        return total + 10  # the 预算执行率 block: 100% executed
    return min(total + BONUS["得分"], Decimal(100))  # type: ignore[operator]


def score(path: Path) -> dict:
    result = CliRunner().invoke(cli, ["score", str(path), "--no-output", "--json"])
    assert result.exit_code == 0, result.output
    data: dict = json.loads(result.stdout)
    return data


def check(kind: str, path: Path, rows: list[dict[str, object]]) -> None:
    data = score(path)
    assert data["kind"] == kind
    assert len(data["indicators"]) == len(rows) + (0 if kind in SELF_KINDS else 1)
    assert Decimal(str(data["total"])) == expected_total(kind, rows), path.name
    wrong = [f for f in data["findings"] if f["severity"] in ("error", "warning")]
    assert not wrong, wrong
    unchecked = [f for f in data["findings"] if f["code"] == "total.unchecked"]
    assert not unchecked, unchecked  # the templates' totals are always checked


# --- locating the table by its labels ---------------------------------------------------------


def layout(ws: Worksheet) -> tuple[int, dict[str, int], list[int], int | None]:
    """(header row, {header: column}, the table's blank rows, first 加减分项 row) — 1-based."""
    header = next(c.row for row in ws.iter_rows() for c in row if c.value == "三级指标")
    cols = {str(c.value): c.column for c in ws[header] if c.value}
    rows: list[int] = []
    adjustment = None
    for r in range(header + 1, ws.max_row + 1):
        labels = {str(ws.cell(r, c).value or "") for c in range(1, 5)}
        if labels & {"合计", "总分"}:
            if (
                adjustment is None
                and "合计" in labels
                and ws.cell(r + 1, cols["一级指标"]).value == "加减分项"
            ):
                adjustment = r + 2
            break
        rows.append(r)
    return header, cols, rows, adjustment


def fill_info(ws_info: Worksheet | None, ws: Worksheet, kind: str) -> None:
    """The unit's name (and for self forms the 资金 block: 100 万元 budgeted, all spent)."""
    if ws_info is not None:
        for row in ws_info.iter_rows():
            if row[0].value in ("项目名称", "部门名称"):
                ws_info.cell(row[0].row, 2, "模板测试单位")
        return
    for row in ws.iter_rows(max_row=12):
        for c in row:
            if c.value in ("项目名称", "部门名称"):
                ws.cell(c.row, 3, "模板测试单位")
            if c.value == "年度资金总额":
                # 年初预算数, 全年预算数, 全年执行数, 执行率, 得分 (分值 10 is the template's)
                for col, value in ((3, 100), (4, 100), (5, 100), (7, 1), (8, 10)):
                    ws.cell(c.row, col, value)


# --- the three ways --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("blank")
    return {k: templates.write_template(k, folder / f"{k}.xlsx") for k in (*EVAL_KINDS, *SELF_KINDS)}


def _typed(ws: Worksheet, r: int, c: int, value: object) -> None:
    cell = ws.cell(r, c, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kind", [*EVAL_KINDS, *SELF_KINDS])
def test_filled_by_a_script(blank: dict[str, Path], tmp_path: Path, kind: str, n: int) -> None:
    """openpyxl writes into the template's rows, as a script would; no row is inserted."""
    rows = indicator_rows(kind, n)
    wb = openpyxl.load_workbook(blank[kind])
    ws = wb[templates.SELF_SHEETS.get(kind, templates.INDICATOR_SHEET)]
    fill_info(wb["项目信息"] if "项目信息" in wb.sheetnames else None, ws, kind)
    _header, cols, table_rows, adjustment = layout(ws)
    assert len(table_rows) >= n
    for r, values in zip(table_rows, rows, strict=False):
        for name, value in values.items():
            _typed(ws, r, cols[name], value)
    if kind in EVAL_KINDS:
        assert adjustment is not None
        for name, value in BONUS.items():
            _typed(ws, adjustment, cols[name], value)
    path = tmp_path / f"{kind}-{n}.xlsx"
    wb.save(path)
    check(kind, path, rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kind", [*EVAL_KINDS, *SELF_KINDS])
def test_filled_through_rows(tmp_path: Path, kind: str, n: int, suffix: str) -> None:
    """``perfxl template KIND --rows 指标.csv|xlsx``: exactly the given rows."""
    rows = indicator_rows(kind, n)
    given = rows + ([BONUS] if kind in EVAL_KINDS else [])
    header = list(dict.fromkeys(k for r in given for k in r))
    source = tmp_path / f"指标{suffix}"
    if suffix == ".csv":
        with source.open("w", encoding="gb18030" if n == 30 else "utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows([[r.get(h, "") for h in header] for r in given])
    else:
        wb = openpyxl.Workbook()
        wb.active.append(header)
        for r in given:
            wb.active.append([r.get(h) for h in header])
        wb.save(source)
    out = tmp_path / f"{kind}.xlsx"
    result = CliRunner().invoke(cli, ["template", kind, "--rows", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    ws = wb[templates.SELF_SHEETS.get(kind, templates.INDICATOR_SHEET)]
    _header, cols, table_rows, adjustment = layout(ws)
    assert len(table_rows) == n  # exactly the given rows
    if kind in EVAL_KINDS:
        assert adjustment is not None and ws.cell(adjustment, cols["三级指标"]).value == BONUS["三级指标"]
    fill_info(wb["项目信息"] if "项目信息" in wb.sheetnames else None, ws, kind)
    wb.save(out)
    check(kind, out, rows)


def _uno_python() -> str | None:
    for python in ("/usr/bin/python3", shutil.which("python3") or ""):
        if python and subprocess.run([python, "-c", "import uno"], capture_output=True).returncode == 0:
            return python
    return None


def test_filled_in_libreoffice_inserting_rows(lo: object, blank: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice inserts 12 rows inside each table (as a user's "insert rows"), then the
    rows are typed: every total formula, format and validation moves and grows with them."""
    python = _uno_python()
    if python is None:
        message = "LibreOffice 的 Python 接口 (python3-uno) 未安装：apt-get install python3-uno"
        if os.environ.get("PERFXL_REQUIRE_LO") == "1":
            pytest.fail(message)
        pytest.skip(message)
    jobs, cases = [], []
    for kind in (*EVAL_KINDS, *SELF_KINDS):
        src = blank[kind]
        wb = openpyxl.load_workbook(src)
        ws = wb[templates.SELF_SHEETS.get(kind, templates.INDICATOR_SHEET)]
        fill_info(wb["项目信息"] if "项目信息" in wb.sheetnames else None, ws, kind)
        prepared = tmp_path / f"{kind}-info.xlsx"
        wb.save(prepared)
        _header, cols, table_rows, adjustment = layout(ws)
        inserted = 12
        for n in SIZES:
            rows = indicator_rows(kind, n)
            cells: list[list[object]] = []
            first = table_rows[0]
            for i, values in enumerate(rows):
                r = first + i  # the table now has len(table_rows) + 12 rows from ``first``
                cells += [[r - 1, cols[name] - 1, value] for name, value in values.items() if value != ""]
            if adjustment is not None:
                cells += [[adjustment + inserted - 1, cols[k] - 1, v] for k, v in BONUS.items()]
            dest = tmp_path / f"{kind}-lo-{n}.xlsx"
            jobs.append({"src": str(prepared), "dest": str(dest), "sheet": ws.title,
                         "insert": [[first + 2 - 1, inserted]], "cells": cells})  # fmt: skip
            cases.append((kind, dest, rows))
    job = tmp_path / "job.json"
    job.write_text(
        json.dumps({"profile": str(tmp_path / "profile"), "jobs": jobs}, ensure_ascii=False), "utf-8"
    )
    done = subprocess.run(
        [python, str(HERE / "lo_fill.py"), str(job)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    for kind, dest, rows in cases:
        check(kind, dest, rows)
        ws = openpyxl.load_workbook(dest)[templates.SELF_SHEETS.get(kind, templates.INDICATOR_SHEET)]
        _header, cols, table_rows, _adj = layout(ws)
        assert len(table_rows) == templates.TABLE_ROWS + 12
        inserted_row = table_rows[3]
        target = cols.get("标杆值") or cols["年度指标值"]
        assert ws.cell(inserted_row, target).number_format == "@"  # the text format came along
        covered = [
            d
            for d in ws.data_validations.dataValidation
            if ws.cell(table_rows[-1], target).coordinate in d.sqref
        ]
        assert covered, "validations grow with inserted rows"


# --- the rows file: what a user gets wrong ------------------------------------------------------


def test_rows_from_a_dataframe_and_synonyms(tmp_path: Path) -> None:
    """A DataFrame (an export of another system) whose columns say 指标名称 and 分值."""
    import pandas as pd

    import perfxl

    frame = pd.DataFrame(
        {"一级指标": ["产出指标", ""], "二级指标": ["数量指标", "质量指标"], "指标名称": ["培训人次", "合格率"],
         "年度指标值": ["≥500人次", "≥95%"], "分值": [45, 45]}
    )  # fmt: skip
    path = perfxl.fill_template("self-project", frame, tmp_path / "自评.xlsx")
    ws = openpyxl.load_workbook(path)["项目支出绩效自评表"]
    _header, cols, rows, _adj = layout(ws)
    assert [ws.cell(r, cols["三级指标"]).value for r in rows] == ["培训人次", "合格率"]
    assert [ws.cell(r, cols["分值"]).value for r in rows] == [45, 45]
    assert ws.cell(rows[1], cols["一级指标"]).value is None  # blank stays blank: same as above


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("三级指标,权重,备注\n培训,5,x\n", "第 3 列“备注”不是模板的列"),
        ("一级指标,权重\n产出,5\n", "缺少“三级指标”"),
        ("三级指标,指标名称\n培训,培训\n", "是同一列"),
        ("三级指标,权重\n", "没有指标行"),
        ("三级指标,权重\n培训,五分\n", "“权重”应为数字"),
    ],
)
def test_rows_file_mistakes_are_one_chinese_line(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "指标.csv"
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(cli, ["template", "project", "--rows", str(source), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()  # never a partial output
