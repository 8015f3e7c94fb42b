"""The example workbooks of inputs/ and the catalog they are built from.

The workbooks are read back with openpyxl (full mode, for merged ranges); the builder
is run twice (once as ``python3 inputs/build_examples.py --out DIR``, once in-process)
to check that it is deterministic and that the committed files are up to date.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from perfxl.catalog import DEPARTMENT_INDICATORS, INDICATORS_BY_KIND, PROJECT_INDICATORS, CatalogRow

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs"
BUILDER = INPUTS / "build_examples.py"


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_examples", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_builder()


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two fresh builds: one through the command line, one in-process."""
    first = tmp_path_factory.mktemp("build1")
    second = tmp_path_factory.mktemp("build2")
    run = subprocess.run(
        [sys.executable, str(BUILDER), "--out", str(first)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert build.main(["--out", str(second)]) == 0
    return first, second


_BOOKS: dict[str, Workbook] = {}


def book(name: str) -> Workbook:
    """A committed workbook of inputs/, loaded once."""
    if name not in _BOOKS:
        _BOOKS[name] = openpyxl.load_workbook(INPUTS / name)
    return _BOOKS[name]


def header(ws: Worksheet, row: int) -> list[object]:
    values = [c.value for c in ws[row]]
    while values and values[-1] is None:
        values.pop()
    return values


def column(ws: Worksheet, name: str, header_row: int = 2) -> int:
    return header(ws, header_row).index(name) + 1


def data_rows(ws: Worksheet, header_row: int = 2) -> list[dict[str, object]]:
    """Rows under the header as dicts (merged cells left blank, as in the file), up to and with 合计."""
    names = header(ws, header_row)
    rows = []
    for r in range(header_row + 1, ws.max_row + 1):
        values = {n: ws.cell(row=r, column=j + 1).value for j, n in enumerate(names)}
        if all(v is None for v in values.values()):
            continue
        rows.append({**values, "_row": r})
    return rows


def merged(ws: Worksheet, col: int) -> list[str]:
    letter = openpyxl.utils.get_column_letter(col)
    return sorted(
        (str(m) for m in ws.merged_cells.ranges if m.min_col == m.max_col == col),
        key=lambda ref: int(ref.split(":")[0][len(letter) :]),
    )


def dec(x: object) -> Decimal:
    return Decimal(str(x))


# --- catalog ----------------------------------------------------------------------------

_DECLARED = re.compile(r"（(\d+)分?）$")


@pytest.mark.parametrize("kind", sorted(INDICATORS_BY_KIND))
def test_catalog_base_weights_sum_to_100(kind: str) -> None:
    rows = INDICATORS_BY_KIND[kind]
    assert sum(dec(r.weight) for r in rows if r.role == "base") == 100
    assert all(r.weight and r.weight > 0 for r in rows if r.role == "base")
    assert all(r.rule for r in rows if r.role == "base")


def test_catalog_department_codes_and_declared_group_weights() -> None:
    codes = [r.code for r in DEPARTMENT_INDICATORS]
    assert codes[0] == "A11" and codes[-3] == "C52" and codes[-2:] == ["F11", "F21"]
    assert len(codes) == len(set(codes)) == 29
    for level in ("level1", "level2"):
        groups: dict[str, Decimal] = {}
        for r in DEPARTMENT_INDICATORS:
            if r.role == "base":
                name = getattr(r, level)
                groups[name] = groups.get(name, Decimal(0)) + dec(r.weight)
        for name, total in groups.items():
            m = _DECLARED.search(name)
            assert m, name
            assert Decimal(m.group(1)) == total, name
    bonus, penalty = DEPARTMENT_INDICATORS[-2:]
    assert (bonus.role, bonus.weight, bonus.level2) == ("bonus", None, "加分项")
    assert (penalty.role, penalty.weight, penalty.level2) == ("penalty", None, "减分项")


def test_catalog_keeps_the_reports_own_wording() -> None:
    by_code = {r.code: r for r in DEPARTMENT_INDICATORS}
    assert "得5分" in by_code["C31"].rule and by_code["C31"].weight == 4
    assert by_code["C41"].label == "C41 12345政务服务便民热线按期签收率"
    assert by_code["A11"].label == "A11中长期规划科学合理性"
    assert by_code["B42"].target == "±10%以内"
    assert by_code["B31"].rule.endswith("支出预算执行率100%得满分，每降低1%扣5%权重分，扣完为止。")
    assert by_code["A11"].rule.count("\n") == 4  # four numbered points, then the scoring sentence
    assert all(
        "  " not in r.rule and not re.search(r"[\u4e00-\u9fff] \d", r.rule) for r in DEPARTMENT_INDICATORS
    )
    by_name = {r.name: r for r in PROJECT_INDICATORS}
    assert "分别占30%、30%、40%权重分" in by_name["立项程序规范性"].rule
    assert "公式聘用结果" in by_name["招聘程序规范性"].rule
    assert by_name["人员流动率"].target == "≤10%"


def test_catalog_project_groups() -> None:
    assert len(PROJECT_INDICATORS) == 29
    groups: dict[str, Decimal] = {}
    for r in PROJECT_INDICATORS:
        groups[r.level1] = groups.get(r.level1, Decimal(0)) + dec(r.weight)
    assert groups == {"决策": 14, "过程": 26, "产出": 36, "效益": 24}
    assert len({(r.level1, r.level2) for r in PROJECT_INDICATORS}) == 10
    assert all(isinstance(r, CatalogRow) and r.code == "" and r.label == r.name for r in PROJECT_INDICATORS)


# --- 000 --------------------------------------------------------------------------------

HEADER_000 = [
    "序号", "一级指标", "二级指标", "三级指标", "权重", "标杆值", "业绩值", "评分标准",
    "要点判定", "不符合项数", "评分过程", "专家得分", "得分",
]  # fmt: skip


def test_000_sheets_and_info() -> None:
    wb = book(build.FILE_000)
    assert wb.sheetnames == ["项目信息", "指标", "基础表", "问卷汇总-来访人员"]
    info = {r[0]: r[1] for r in wb["项目信息"].iter_rows(values_only=True)}
    assert info["项目名称"] == "2023年政务服务运行维护费项目"
    assert info["单位"] == "乌鲁木齐市政务服务中心"
    assert info["年度"] == 2023
    assert info["评价类型"] == "项目支出绩效评价"
    assert info["评价机构"] == "中国投资咨询有限责任公司"
    assert info["评级标准"] == "优90,良80,中>70"


def test_000_indicator_table() -> None:
    ws = book(build.FILE_000)["指标"]
    assert ws["A1"].value == "乌鲁木齐市2023年政务服务运行维护费项目绩效评价指标体系"
    assert "A1:M1" in {str(m) for m in ws.merged_cells.ranges}
    assert header(ws, 2) == HEADER_000
    rows = data_rows(ws)
    body, total = rows[:-1], rows[-1]
    assert len(body) == 29
    assert [r["三级指标"] for r in body] == [i.name for i in PROJECT_INDICATORS]
    assert sum(dec(r["权重"]) for r in body) == 100
    assert (total["三级指标"], total["权重"], total["得分"]) == ("合计", 100, 79.75)
    assert sum(dec(r["得分"]) for r in body) == dec("79.75")
    assert merged(ws, column(ws, "一级指标")) == ["B3:B7", "B8:B18", "B19:B26", "B27:B31"]
    assert ws["B3"].value == "决策" and ws["B8"].value == "过程" and ws["B19"].value == "产出"
    assert "C3:C4" in merged(ws, column(ws, "二级指标"))
    experts = {r["三级指标"]: r["专家得分"] for r in body if r["专家得分"] is not None}
    assert experts == {
        "绩效目标合理性": 2.33,
        "绩效指标明确性": 1.53,
        "管理制度健全性": 1.14,
        "管理制度执行有效性": 0.43,
        "聘用人员到位率": 4.08,
        "来访人员满意度": 3.86,
    }
    by_name = {r["三级指标"]: r for r in body}
    assert by_name["绩效目标合理性"]["要点判定"] == "√√×√√×"
    assert by_name["绩效指标明确性"]["要点判定"] == "√√√××√"
    assert by_name["人员资质情况"]["不符合项数"] == 1
    assert (by_name["人员流动率"]["标杆值"], by_name["人员流动率"]["业绩值"]) == ("≤10%", "14.3%")
    assert (by_name["成本控制"]["标杆值"], by_name["成本控制"]["业绩值"]) == ("≤252.49万元", "249.99万元")
    assert by_name["立项依据充分性"]["要点判定"] is None and by_name["管理制度执行有效性"]["要点判定"] is None
    assert by_name["立项程序规范性"]["评分标准"] == PROJECT_INDICATORS[1].rule


def test_000_base_and_survey() -> None:
    wb = book(build.FILE_000)
    base = [r for r in wb["基础表"].iter_rows(values_only=True) if any(v is not None for v in r)]
    assert base[1][:5] == ("项目", "年初预算数", "全年预算数", "实际到位数", "实际支出数")
    assert base[2][:5] == ("合计", 252.49, 252.49, 252.49, 249.99)
    assert base[4][:2] == ("目标人数", 35)
    start = next(i for i, r in enumerate(base) if r[0] == "月份")
    months = base[start + 1 : start + 13]
    assert [m[0] for m in months] == [f"{i}月" for i in range(1, 13)]
    assert sum(dec(m[1]) for m in months) / 12 == dec("33.5")
    assert sum(m[2] for m in months) == 5 and sum(m[3] for m in months) == 4
    survey = [r for r in wb["问卷汇总-来访人员"].iter_rows(values_only=True) if any(v is not None for v in r)]
    assert survey[0][:2] == ("计算方法", "满意率法")
    assert survey[1] == ("题目", "非常满意", "比较满意", "基本满意", "不太满意", "非常不满意")
    q1, q2 = survey[2], survey[3]
    assert q1 == ("您对窗口引导员服务态度的评价", 339, 0, 1, 0, 1)
    assert sum(q2[1:]) == 341 and q2[4] + q2[5] == 4  # 337/341 = 98.8% not dissatisfied


# --- 004 --------------------------------------------------------------------------------

HEADER_004 = [
    "序号", "一级指标", "二级指标", "三级指标", "权重", "指标解释", "标杆值", "业绩值",
    "评分标准", "评分过程", "得分", "得分率",
]  # fmt: skip


def test_004_sheets_and_info() -> None:
    wb = book(build.FILE_004)
    assert wb.sheetnames == ["项目信息", "指标", "基础表", "问卷汇总-公共资源交易", "问卷汇总-政务服务"]
    info = {r[0]: r[1] for r in wb["项目信息"].iter_rows(values_only=True)}
    assert info["部门名称"] == "奇台县政务服务和公共资源交易中心"
    assert (info["年度"], info["评价类型"], info["评级标准"]) == (2023, "部门整体支出绩效评价", "90,80,60")
    assert info["评价机构"] == "新疆财讯睿智信息咨询有限公司"


def test_004_indicator_table() -> None:
    ws = book(build.FILE_004)["指标"]
    assert ws["A1"].value == "部门整体绩效评价指标体系评分表"
    assert header(ws, 2) == HEADER_004
    rows = data_rows(ws)
    names = [r["三级指标"] for r in rows]
    codes = [re.match(r"[A-F]\d+", n).group(0) for n in names[:-1]]  # type: ignore[union-attr]
    assert codes == [i.code for i in DEPARTMENT_INDICATORS]
    assert names[0] == "A11中长期规划科学合理性"
    assert "C41 12345政务服务便民热线按期签收率" in names
    assert merged(ws, column(ws, "一级指标")) == ["B3:B8", "B9:B17", "B18:B29", "B30:B31"]
    assert [ws[f"B{r}"].value for r in (3, 9, 18, 30)] == [
        "A部门决策（15）",
        "B部门管理（35）",
        "C部门绩效（50）",
        "加减分项目",
    ]
    assert "C3:C4" in merged(ws, column(ws, "二级指标")) and ws["C3"].value == "A1部门规划计划（6分）"
    base = [r for r in rows[:-1] if r["权重"] is not None]
    assert len(base) == 27 and sum(dec(r["权重"]) for r in base) == 100
    assert sum(dec(r["得分"]) for r in base) == 93
    by_code = {r["三级指标"][:3]: r for r in rows[:-1]}
    assert re.search(r"得 ?5 ?分", by_code["C31"]["评分标准"]) and by_code["C31"]["权重"] == 4
    assert "93.94%" in by_code["C43"]["评分过程"] and by_code["C43"]["业绩值"] == "93.22%"
    assert "98.19%" in by_code["C44"]["评分过程"] and by_code["C44"]["业绩值"] == "97.07%"
    assert (by_code["B42"]["业绩值"], by_code["B42"]["得分"], by_code["B42"]["得分率"]) == (
        "214.97%",
        0,
        "0%",
    )
    assert (by_code["C22"]["业绩值"], by_code["C22"]["得分"]) == ("744.38%", 0)
    assert by_code["C13"]["业绩值"] == "3个" and by_code["C51"]["业绩值"] == "96.90%"
    for code in ("F11", "F21"):
        assert by_code[code]["权重"] is None and by_code[code]["得分"] is None
    total = rows[-1]
    assert (total["三级指标"], total["权重"], total["得分"], total["得分率"]) == ("合计", 100, 93, "93%")


def test_004_base_table() -> None:
    ws = book(build.FILE_004)["基础表"]
    cells = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    labels = {b[1] for b in build.BUDGET_004}
    budget = {r[1]: r[2:5] for r in cells if isinstance(r[0], int) and r[1] in labels}
    assert budget["基本支出"] == (364.23, 472.46, 472.46)
    assert budget["本年支出合计"] == (442.31, 718.39, 718.39)
    assert budget["政府采购"] == (3, "—", 45.71)
    items = {r[0]: r[1] for r in cells if isinstance(r[0], str) and isinstance(r[1], (int, float))}
    for key, value in {"编制数": 25, "实有人数": 22, "固定资产总额": 44.92, "在用固定资产总额": 44.92,
                       "计划完成项目数": 10, "实际完成项目数": 10, "重点工作数": 7, "完成重点工作数": 7}.items():  # fmt: skip
        assert items[key] == value, key
    start = next(i for i, r in enumerate(cells) if r[1] == "项目名称")
    assert cells[start] == ("序号", "项目名称", "年初预算数", "调整后预算数", "实际支出数", "是否完成")
    projects = cells[start + 1 : start + 13]
    assert len(projects) == 12 and all(p[5] == "是" for p in projects)
    assert sum(dec(p[3]) for p in projects) == dec("245.94")
    assert cells[start + 13][1:5] == ("合计", 33, 245.94, 245.94)


@pytest.mark.parametrize(
    ("sheet", "expected", "overall"),
    [
        ("问卷汇总-公共资源交易", [345, 346, 346, 347, 348, 346, 348, 347], "97.64"),
        ("问卷汇总-政务服务", [342, 348, 343, 343], "96.90"),
    ],
)
def test_004_surveys_reproduce_the_reports_rates(sheet: str, expected: list[int], overall: str) -> None:
    rows = [
        r for r in book(build.FILE_004)[sheet].iter_rows(values_only=True) if any(v is not None for v in r)
    ]
    assert rows[0][:2] == ("计算方法", "均值法")
    assert rows[1] == ("题目", "非常满意", "比较满意", "基本满意", "不太满意", "非常不满意")
    items = rows[2:]
    assert all(sum(r[1:]) == 71 for r in items)
    sums = [sum(n * w for n, w in zip(r[1:], (5, 4, 3, 2, 1), strict=True)) for r in items]
    assert sums == expected
    mean = sum(Decimal(s) / 355 for s in sums) / len(sums)
    assert f"{mean * 100:.2f}" == overall


# --- invented examples -------------------------------------------------------------------


def test_rules_example() -> None:
    wb = book(build.FILE_RULES)
    assert wb.sheetnames == ["项目信息", "指标", "基础表"]
    ws = wb["指标"]
    names = header(ws, 2)
    assert {"计分方法", "要点判定", "不符合项数", "专家1", "专家2", "专家3"} <= set(names)
    rows = data_rows(ws)
    body, total = rows[:-1], rows[-1]
    methods = [r["计分方法"] for r in body if r["计分方法"]]
    assert methods == ["人工", "扣分法 步长=5%权重 下限=0"]
    bonus = [r for r in body if r["二级指标"] == "加分项" or r["三级指标"] == "受到省级表彰"]
    penalty = [r for r in body if r["三级指标"] == "违法违纪情况"]
    assert (
        bonus[0]["权重"] == 2 and bonus[0]["要点判定"] == "√" and bonus[0]["评分标准"] == "受到省级表彰得2分"
    )
    assert penalty[0]["权重"] == -2 and penalty[0]["要点判定"] == "√"
    base = [r for r in body if r["三级指标"] not in ("受到省级表彰", "违法违纪情况")]
    assert sum(dec(r["权重"]) for r in base) == 100
    assert total["得分"] == build.RULES_TOTAL_DECLARED == float(sum(dec(r["得分"]) for r in body))
    declared = {r["三级指标"]: r["得分"] for r in body}
    for name, (wrong, right) in build.RULES_WRONG_SCORES.items():
        assert declared[name] == wrong != right


def test_self_example_keeps_untidy_cells() -> None:
    wb = book(build.FILE_SELF)
    ws = wb["评分表"]
    assert header(ws, 8) == list(build.HEADER_SELF)
    manual = next(r for r in ws.iter_rows(min_row=9) if r[2].value == "印发培训手册")
    assert manual[3].value == "=20部" and manual[3].data_type == "s"
    assert (manual[5].value, manual[6].value) == ("10分", "9分")
    rows = {r[2].value: r for r in ws.iter_rows(min_row=9) if r[2].value}
    assert rows["培训人次"][3].value == "≥１２００人次"
    assert rows["培训合格率"][4].value == 0.965 and rows["培训合格率"][4].number_format == "0.0%"
    assert rows["受训人员满意度"][6].value is None
    assert rows["总分"][6].value == build.SELF_TOTAL_DECLARED
    assert ws["A4"].value == "年度资金总额" and ws["F4"].number_format == "0.00%"


def test_no_formulas_anywhere() -> None:
    for name in build.ALL_FILES:
        for ws in book(name):
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{name} {ws.title}!{cell.coordinate}"


# --- determinism --------------------------------------------------------------------------


def _cells(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path)
    out: dict[str, object] = {
        "sheets": wb.sheetnames,
        "props": (wb.properties.created, wb.properties.modified),
    }
    for ws in wb:
        out[f"{ws.title}!merged"] = sorted(str(m) for m in ws.merged_cells.ranges)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    out[f"{ws.title}!{cell.coordinate}"] = (cell.value, cell.data_type, cell.number_format)
    return out


@pytest.mark.parametrize("name", build.ALL_FILES)
def test_builder_is_deterministic_and_inputs_are_current(built: tuple[Path, Path], name: str) -> None:
    first, second = built
    assert (first / name).read_bytes() == (second / name).read_bytes()
    fresh = _cells(first / name)
    assert fresh == _cells(second / name)
    assert fresh == _cells(INPUTS / name), f"inputs/{name} 已过期：请运行 python3 inputs/build_examples.py"
