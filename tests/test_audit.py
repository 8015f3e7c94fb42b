"""The audit catalogue (docs/audit.md): each real inconsistency on its own row, consistent rows clean."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import perfxl
from perfxl.audit import stated_score

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
RULES = INPUTS / "示例_项目评价_规则大全.xlsx"


def _findings(path):
    ev = perfxl.score(path)
    return ev, [(f.severity, f.code, f.sheet, f.cell) for f in ev.findings]


def test_reference_004_flags_exactly_its_real_inconsistencies():
    ev, found = _findings(REF004)
    serious = sorted((code, cell) for sev, code, sheet, cell in found if sev in ("error", "warning"))
    assert serious == sorted(
        [
            ("process.rate", "J26"),  # C43 评分过程 quotes 93.94%, 业绩值 93.22%
            ("process.rate", "J27"),  # C44 quotes 98.19%, 业绩值 97.07%
            ("rule.points", "I23"),  # C31 "得5分" on weight 4
            ("base.project_list", "C35"),  # project list 年初 33 vs 项目支出 78.08
            ("base.project_list", "D35"),  # 245.94 vs 245.93
            ("base.project_list", "E35"),
        ]
    )
    messages = {f.cell: f.message for f in ev.findings}
    assert "93.94%" in messages["J26"] and "93.22%" in messages["J26"]
    assert "98.19%" in messages["J27"] and "97.07%" in messages["J27"]


@pytest.fixture(scope="module")
def tampered(tmp_path_factory):
    wb = openpyxl.load_workbook(REF004)
    ws = wb["指标"]
    ws["J3"] = "综上所述，该指标设定分值3分，经综合评价得2分。"  # A11: process says 2, 得分 says 3
    ws["L4"] = "90%"  # A12: 得分率 90% but 3/3
    ws["K5"] = 1.5  # A21: declared 1.5, the rule gives 2 (业绩值 = 标杆值)
    ws["K32"] = 95  # 合计 95, the scores add up to 93
    ws["B3"] = "A部门决策（16）"  # declared group weight 16, children add up to 15
    path = tmp_path_factory.mktemp("audit") / "tampered.xlsx"
    wb.save(path)
    return _findings(path)


@pytest.mark.parametrize(
    ("code", "cell"),
    [
        ("process.score", "J3"),
        ("rate.mismatch", "L4"),
        ("score.mismatch", "K5"),
        ("total.mismatch", "K32"),
        ("weights.group", "B3"),
    ],
)
def test_each_inconsistency_on_its_own_row(tampered, code, cell):
    _ev, found = tampered
    assert [f for f in found if f[1] == code and f[3] == cell], found


def test_consistent_rows_stay_clean(tampered):
    _ev, found = tampered
    noisy_rows = {cell for sev, code, sheet, cell in found if sev != "info" and sheet == "指标"}
    for clean in ("K6", "K7", "K8", "K9", "J6", "J7", "L6", "L7", "K10", "K11"):
        assert clean not in noisy_rows


def test_rules_example_declared_errors():
    ev, found = _findings(RULES)
    codes = {(code, cell) for _sev, code, _sheet, cell in found}
    assert ("score.mismatch", "P8") in codes and ("score.mismatch", "P22") in codes
    assert ("total.recomputed", "P27") in codes
    assert ev.total == Decimal("83.34")


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("综上所述，该指标设定分值3分，经综合评价得3分。", "3"),
        ("得分=3分", "3"),
        ("故绩效目标合理性指标满分3分，得分2.4分；结合专家评分结果，该项最终得分为2.33分。", "2.33"),
        ("该指标满分 5 分，得分 2.5 分。", "2.5"),
        ("根据问卷调查结果显示，满意度为96.90%，此项得满分。", None),
    ],
)
def test_stated_score(text, score):
    assert stated_score(text) == (Decimal(score) if score else None)


def test_rule_points_says_what_was_done():
    ev = perfxl.score(REF004)
    [f] = [f for f in ev.findings if f.code == "rule.points"]
    assert f.cell == "I23" and "超过权重的部分不计，本行最高得 4 分" in f.message


def test_a_total_saved_as_a_formula_is_checked_or_reported(tmp_path):
    """A 合计 written by a script (openpyxl) has no saved result: a plain SUM is computed from the
    sheet and checked; anything else is reported as not checked — never skipped silently."""
    import openpyxl

    for formula, codes in (
        ("=SUM(E2:E3)", {"total.formula", "total.recomputed"}),
        ("=E2+E3", {"total.formula", "total.recomputed"}),
        ("=ROUND(SUM(E2:E3),2)", {"total.unchecked"}),
    ):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "指标"
        ws.append(["三级指标", "权重", "标杆值", "业绩值", "得分"])
        ws.append(["培训次数", 5, "≥20次", "18次", 4.5])
        ws.append(["宣传册", 5, "≥100册", "80册", 5])  # the rule gives 4
        ws.append(["合计", "=SUM(B2:B3)", "", "", formula])
        path = tmp_path / "total.xlsx"
        wb.save(path)
        ev = perfxl.score(path)
        found = {f.code for f in ev.findings if f.cell in ("E4", "B4")}
        assert codes <= found, (formula, found)
        if "total.formula" in codes:
            [note] = [f for f in ev.findings if f.code == "total.formula" and f.cell == "E4"]
            assert "算得 9.5" in note.message
            assert not any(f.code == "total.weight" for f in ev.findings)  # =SUM(B2:B3) = 10 checks out


def test_self_evaluation_cost_goal_and_unverified_rows(tmp_path):
    """A 项目总成本 that differs from the form's 全年执行数, an empty 年度总体目标 实际完成情况, and the
    summary of declared scores nobody recomputed."""
    from perfxl.templates import Funds, SelfForm, SelfLine, write_self_form

    form = SelfForm(
        kind="self-project",
        name="示例项目",
        unit="示例单位",
        year=2025,
        funds={"年度资金总额": Funds(100, 100, 90)},
        goal="完成培训",
        achieved="",
        lines=(
            SelfLine("产出指标", "成本指标", "项目总成本", "≤100万元", "95万元", 10, 10, ""),
            SelfLine("效益指标", "社会效益指标", "群众获得感", "明显提升", "有所提升", 10, 8, "宣传不足"),
        ),
    )
    path = write_self_form(form, tmp_path / "self.xlsx")
    ev = perfxl.score(path)
    codes = {f.code: f for f in ev.findings}
    assert "95 万元" in codes["cost.execution"].message and "90 万元" in codes["cost.execution"].message
    assert codes["self.goal_empty"].severity == "info"
    assert codes["score.unverified"].message.startswith("1 个指标共 8 分保留申报得分")


def test_every_finding_code_is_documented():
    """docs/audit.md has a row for every code the package can emit."""
    import ast

    root = Path(__file__).resolve().parent.parent
    codes = set()
    for path in (root / "perfxl").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "Finding",
                "_f",
                "_finding",
            ):
                args = [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                codes.update(a.value for a in args if re.fullmatch(r"[a-z_]+\.[a-z_]+", a.value))
    doc = (root / "docs" / "audit.md").read_text(encoding="utf-8")
    missing = sorted(c for c in codes if f"`{c}`" not in doc)
    assert len(codes) > 40 and not missing, missing


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("得分=3×100%=3分", "3"),
        ("得分=4×93.22%=3.73分", "3.73"),
        ("扣0.5分，得分=2.5分", "2.5"),
        ("该项得分=4*0.9322=3.73", "3.73"),
        ("满分3分，得3分", "3"),
        ("根据公式，得分=2×(1-0.33)=1.34分，结合专家评分最终得分为1.5分", "1.5"),
    ],
)
def test_stated_score_reads_arithmetic_and_keeps_the_last_result(text, score):
    assert stated_score(text) == Decimal(score)


def test_an_unknown_level_and_costed_tiers_are_reported_truthfully(make_xlsx):
    """An unknown level word names the levels the rule knows (not "未提供"); tiers that cost
    points (5%以内扣1分) state no full points of their own, so no rule.points warning."""
    path = make_xlsx(
        {
            "指标": {
                "A1": "三级指标", "B1": "权重", "C1": "业绩值", "D1": "评分标准", "E1": "得分",
                "A2": "立项依据", "B2": 3, "C2": "较好", "D2": "充分得3分；一般得1.5分；没有不得分", "E2": 3,
                "A3": "数据差错率", "B3": 5, "C3": "7%", "D3": "差错率5%以内扣1分，5%-10%之间扣3分，10%以上不得分", "E3": 2,
            }
        }
    )  # fmt: skip
    ev = perfxl.score(path)
    [hint] = [f for f in ev.findings if f.code == "rule.needs_input"]
    assert "“较好”不是评分标准列出的档次" in hint.message and "充分" in hint.message
    assert "未提供" not in hint.message
    assert not [f for f in ev.findings if f.code == "rule.points"]


def test_a_scale_in_shares_of_the_weight_states_no_points(make_xlsx):
    """得满分 / 得权重分的50% / 不得分 on a 4-point row: no rule.points warning (it said 满分 0 分)."""
    rule = (
        "国家、市、部门三级文件中明确表述可以直接应用于项目立项依据的得满分，经分析可以应用于项目立项依据的"
        "得权重分的50%，不能直接应用于项目立项目的的不得分。"
    )
    path = make_xlsx(
        {"指标": {"A1": "三级指标", "B1": "权重", "C1": "评分标准", "D1": "业绩值", "E1": "得分",
                  "A2": "立项依据充分性", "B2": 4, "C2": rule, "D2": "经分析可以应用于项目立项依据", "E2": 2}}
    )  # fmt: skip
    ev = perfxl.score(path)
    assert ev.indicators[0].final == 2
    assert not [f for f in ev.findings if f.code == "rule.points"]


def _codes_in_source() -> set[str]:
    """Every finding code the package can emit: its "area.what" string literals whose area is one
    that a ``Finding(severity, code, …)`` or ``_f(severity, code, …)`` call uses (so that a file
    name such as "content.xml" is not taken for a code, and codes passed through helpers are)."""
    import ast

    pkg = Path(perfxl.__file__).parent
    literals: set[str] = set()
    areas: set[str] = set()
    for path in pkg.glob("*.py"):
        if path.name == "errors.py":  # the table of names itself
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.update(re.findall(r"^[a-z]+\.[a-z_]+$", node.value))
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Finding", "_f"):
                code = node.args[1] if len(node.args) > 1 else None
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    areas.add(code.value.split(".")[0])
    return {code for code in literals if code.split(".")[0] in areas}


def test_every_code_has_a_chinese_name_documented_in_audit_md():
    from perfxl.errors import CODE_NAMES

    codes = _codes_in_source()
    assert len(codes) > 60
    assert codes == set(CODE_NAMES), codes ^ set(CODE_NAMES)
    assert all(re.search("[\u4e00-\u9fff]", name) for name in CODE_NAMES.values())
    doc = (Path(__file__).resolve().parent.parent / "docs" / "audit.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z]+\.[a-z_]+)` \| ([^|]+) \|", doc, re.M))
    assert {code: name.strip() for code, name in rows.items()} == CODE_NAMES


def test_every_finding_of_the_examples_has_a_chinese_name():
    from perfxl.errors import CODE_NAMES

    emitted = {f.code for path in sorted(INPUTS.glob("*.xlsx")) for f in perfxl.score(path).findings}
    assert emitted and emitted <= set(CODE_NAMES), emitted - set(CODE_NAMES)


def test_a_bonus_the_text_awards_is_not_out_of_range(tmp_path):
    """完成得基本分…每超过1个百分点加0.5分，最多加1分: 7 on a 6-point row is what the text gives;
    a declared 8 is still out of range."""
    import perfxl

    text = "完成目标值得基本分；超过目标值的，每超过1个百分点加0.5分，最多加1分；低于目标值的，每低1个百分点扣1分，扣完为止。"
    rows = [
        {"一级指标": "产出", "二级指标": "数量", "三级指标": name, "权重": 6, "评分标准": text,
         "标杆值": "95%", "业绩值": "99%", "得分": declared}
        for name, declared in (("参保率", 7), ("覆盖率", 8))
    ]  # fmt: skip
    ev = perfxl.score(perfxl.fill_template("project", rows, tmp_path / "t.xlsx"))
    by_name = {r.row.name: r for r in ev.indicators}
    assert by_name["参保率"].computed == 7 and by_name["覆盖率"].computed == 7
    out = [f for f in ev.findings if f.code == "score.out_of_range"]
    assert [f.message for f in out] == ["“覆盖率”得分 8 超出 0–6（权重）范围"]
