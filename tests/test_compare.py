"""perfxl compare: two generated seasons (tests/seasons.py) batched, then compared.

Every cell of 对比.xlsx is checked against what the seasons' definitions say, computed here
without perfxl; LibreOffice recalculates its formulas to the same values.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from seasons import SEASONS, Evaluation, Line, write_season

import perfxl
from perfxl.api import batch
from perfxl.cli import main
from perfxl.comparison import compare_tables, pair_evaluations
from perfxl.tidy import from_summaries, name_key

KINDS = {"project": "项目评价", "department": "部门整体评价"}
OLD = {ev.file: ev for ev in SEASONS["2023"]}
NEW = {ev.file: ev for ev in SEASONS["2024"]}
# matched by construction (乙县卫健委 is written 乙县 卫健委 in 2024), in the order 对比 shows
# them: project evaluations first, biggest fall first; then the department evaluation
PAIRS = ["甲县教育局_营养改善.xlsx", "乙县卫健委_公共卫生.xlsx", "丙县民政局_部门整体.xlsx"]


@pytest.fixture(scope="module")
def seasons(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("seasons")
    out: dict[str, Any] = {"root": root}
    for year in ("2023", "2024"):
        folder = write_season(root / f"in{year}", year)
        out[year] = batch(folder, root / f"out{year}", jobs=2, details=False)
    out["path"] = root / "对比.xlsx"
    out["result"] = perfxl.compare(root / "out2023", root / "out2024" / "汇总.xlsx", out["path"])
    return out


def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [tuple(row) for row in ws.iter_rows(values_only=True) if any(v is not None for v in row)]


def _same(got: list[tuple[Any, ...]], expected: list[tuple[Any, ...]]) -> None:
    """Row by row, cell by cell: numbers within 1e-9, empty cells as None."""
    assert len(got) == len(expected), (got, expected)
    for g, e in zip(got, expected, strict=True):
        e = tuple(None if v == "" else v for v in e) + (None,) * (len(g) - len(e))
        assert len(g) == len(e), (g, e)
        for a, b in zip(g, e, strict=True):
            if isinstance(b, float | int) and not isinstance(b, bool):
                assert a == pytest.approx(b, abs=1e-9), (g, e)
            else:
                assert a == b, (g, e)


def _lines(ev: Evaluation) -> dict[str, Line]:
    return {line.name: line for line in ev.lines}


def _findings(ev: Evaluation) -> set[tuple[str, str]]:
    """What perfxl must find: a ratio line declared wrong, and one summary of the lines kept as declared."""
    found = {
        ("score.mismatch", line.name)
        for line in ev.lines
        if line.actual is not None and line.declared != line.final
    }
    manual = [line for line in ev.lines if line.actual is None]
    if manual:
        found.add(("score.unverified", manual[0].name))
    return found


def _status(old: Line | None, new: Line | None) -> str:
    if old is None:
        return "本期新增"
    if new is None:
        return "本期取消"
    if new.lost > 0 and old.lost == 0:
        return "新失分"
    if old.lost > 0 and new.lost == 0:
        return "不再失分"
    if old.lost > 0 and new.lost > old.lost:
        return "失分增加"
    if old.lost > 0 and new.lost < old.lost:
        return "失分减少"
    return "得分变化" if new.final != old.final else ""


def _changed_lines(file: str) -> list[tuple[Line, Line]]:
    """A pair's lines whose score moved, biggest fall first (ties: the new season's order)."""
    old, new = _lines(OLD[file]), NEW[file].lines
    moved = [(old[line.name], line) for line in new if line.name in old and _status(old[line.name], line)]
    return sorted(moved, key=lambda pair: round(pair[1].final - pair[0].final, 2))


def test_every_number_of_the_comparison(seasons: dict[str, Any]) -> None:
    path = seasons["path"]
    assert openpyxl.load_workbook(path).sheetnames == [
        "对比",
        "统计",
        "一级指标",
        "指标变化",
        "指标汇总",
        "审核意见变化",
        "未匹配",
    ]
    # 对比
    expected = []
    for i, file in enumerate(PAIRS, start=1):
        old, new = OLD[file], NEW[file]
        newly = sum(1 for o, n in _changed_lines(file) if _status(o, n) == "新失分")
        came, gone = _findings(new) - _findings(old), _findings(old) - _findings(new)
        change = "" if old.grade == new.grade else f"{old.grade}→{new.grade}"
        expected.append(
            (
                i,
                KINDS[new.kind],
                new.unit,
                new.title,
                "2023",
                "2024",
                old.total,
                new.total,
                round(new.total - old.total, 2),
                old.grade,
                new.grade,
                change,
                newly,
                len(came),
                len(gone),
                file,
                file,
            )
        )
    rows = _rows(path, "对比")
    _same(rows[1:], expected)
    # the unit of the issue: 93 → 85, 优 → 良, one indicator newly losing points
    assert rows[1][2:12] == (
        "甲县教育局",
        "2024年义务教育营养改善计划项目",
        "2023",
        "2024",
        93,
        85,
        -8,
        "优",
        "良",
        "优→良",
    )
    assert rows[1][12] == 1
    # 统计
    changes = [round(NEW[f].total - OLD[f].total, 2) for f in PAIRS]
    only_old = [ev for f, ev in OLD.items() if f not in PAIRS]
    only_new = [ev for f, ev in NEW.items() if f not in PAIRS]
    old_grades = [OLD[f].grade for f in PAIRS]
    new_grades = [NEW[f].grade for f in PAIRS]
    grades = ["优", "良", "中"]  # the grades met, best first
    rows = _rows(path, "统计")
    assert rows[0] == ("对比统计",) + (None,) * (len(rows[0]) - 1)
    assert rows[1][0].startswith("上期：") and rows[1][0].endswith("out2023/汇总.xlsx")
    assert rows[2][0].endswith("out2024/汇总.xlsx")
    mean = lambda values: round(sum(values) / len(values) + 1e-9, 2)  # noqa: E731
    stats = [
        ("项目", "数值"),
        ("匹配的评价（对）", 3),
        ("仅上期", len(only_old)),
        ("仅本期", len(only_new)),
        ("上期无法计分", 0),
        ("本期无法计分", 0),
        ("总分上升", sum(d > 0 for d in changes)),
        ("总分下降", sum(d < 0 for d in changes)),
        ("总分持平", sum(d == 0 for d in changes)),
        ("等级变化", sum(a != b for a, b in zip(old_grades, new_grades, strict=True))),
        ("平均上期总分", mean([OLD[f].total for f in PAIRS])),
        ("平均本期总分", mean([NEW[f].total for f in PAIRS])),
        ("平均变化", mean(changes)),
    ]
    assert [s[1] for s in stats[1:]] == [3, 1, 1, 0, 0, 1, 1, 1, 1, 91.0, 89.67, -1.33]
    _same(rows[3 : 3 + len(stats)], stats)
    rest = rows[3 + len(stats) :]
    transition = [("等级变化（行：上期等级，列：本期等级）",), ("上期＼本期", *grades, "合计")]
    for a in grades:
        counts = [
            sum(1 for o, n in zip(old_grades, new_grades, strict=True) if o == a and n == b) for b in grades
        ]
        transition.append((a, *counts, sum(counts)))
    distribution = [("等级分布（含未匹配的评价）",), ("等级", "上期", "本期")]
    for g in grades:
        old_count = sum(1 for ev in OLD.values() if ev.grade == g)
        new_count = sum(1 for ev in NEW.values() if ev.grade == g)
        distribution.append((g, old_count, new_count))
    bins = [("总分变化分布（对）",), ("变化", "对数")]
    tests = [
        ("下降10分以上", lambda d: d <= -10),
        ("下降5–10分", lambda d: -10 < d <= -5),
        ("下降2–5分", lambda d: -5 < d <= -2),
        ("下降2分以内", lambda d: -2 < d < 0),
        ("持平", lambda d: d == 0),
        ("上升2分以内", lambda d: 0 < d < 2),
        ("上升2–5分", lambda d: 2 <= d < 5),
        ("上升5–10分", lambda d: 5 <= d < 10),
        ("上升10分以上", lambda d: d >= 10),
    ]
    bins += [(label, sum(1 for d in changes if test(d))) for label, test in tests]
    _same(rest, transition + distribution + bins)
    # 一级指标
    expected = [
        (
            "序号",
            "单位",
            "一级指标",
            "上期得分",
            "本期得分",
            "变化",
            "上期得分率",
            "本期得分率",
            "得分率变化",
        )
    ]
    for i, file in enumerate(PAIRS, start=1):
        old_groups, new = OLD[file].groups(), NEW[file]
        for group, (score, weight) in new.groups().items():
            was, of = old_groups[group]
            expected.append(
                (
                    i,
                    new.unit,
                    group,
                    was,
                    score,
                    round(score - was, 2),
                    was / of,
                    score / weight,
                    round(score / weight - was / of, 4),
                )
            )
    _same(_rows(path, "一级指标"), expected)
    # 指标变化
    expected = [("序号", "单位", "一级指标", "三级指标", "上期权重", "本期权重", "上期得分", "本期得分", "变化", "上期失分", "本期失分", "情况")]  # fmt: skip
    for i, file in enumerate(PAIRS, start=1):
        new = NEW[file]
        for o, n in _changed_lines(file):
            expected.append(
                (
                    i,
                    new.unit,
                    n.group,
                    n.name,
                    o.weight,
                    n.weight,
                    o.final,
                    n.final,
                    round(n.final - o.final, 2),
                    o.lost,
                    n.lost,
                    _status(o, n),
                )
            )
    rows = _rows(path, "指标变化")
    _same(rows, expected)
    assert ("资金到位率", "新失分") in {(r[3], r[11]) for r in rows if r[1] == "甲县教育局"}
    # 指标汇总
    summary: dict[str, dict[str, Any]] = {}
    for file in PAIRS:
        old = _lines(OLD[file])
        for line in NEW[file].lines:
            if line.name not in old:
                continue
            was = old[line.name]
            s = summary.setdefault(
                line.name, {"group": line.group, "changes": [], "newly": 0, "fixed": 0, "lost": 0}
            )
            s["changes"].append(round(line.final - was.final, 2))
            s["newly"] += _status(was, line) == "新失分"
            s["fixed"] += _status(was, line) == "不再失分"
            s["lost"] += line.lost > 0
    order = sorted(
        summary, key=lambda name: (-summary[name]["newly"], statistics.mean(summary[name]["changes"]))
    )
    expected = [("序号", "一级指标", "三级指标", "对比数", "下降数", "上升数", "平均变化", "新失分数", "不再失分数", "本期失分数")]  # fmt: skip
    for k, name in enumerate(order, start=1):
        s = summary[name]
        d = s["changes"]
        expected.append(
            (
                k,
                s["group"],
                name,
                len(d),
                sum(x < 0 for x in d),
                sum(x > 0 for x in d),
                statistics.mean(d),
                s["newly"],
                s["fixed"],
                s["lost"],
            )
        )
    _same(_rows(path, "指标汇总"), expected)
    # 审核意见变化
    rows = _rows(path, "审核意见变化")
    expected_findings = []
    for i, file in enumerate(PAIRS, start=1):
        old, new = OLD[file], NEW[file]
        for word, ev, keys in (("新增", new, _findings(new) - _findings(old)), ("已解决", old, _findings(old) - _findings(new))):  # fmt: skip
            for code, name in sorted(keys):
                row = 2 + [line.name for line in ev.lines].index(name)
                expected_findings.append((i, new.unit, word, "警告", "申报得分与计算不符", code, name, f"指标!H{row}"))  # fmt: skip
    assert [r[:8] for r in rows[1:]] == expected_findings
    assert len(expected_findings) == 2
    assert "按规则计算应为 17" in rows[1][8] and "按规则计算应为 18" in rows[2][8]
    # 未匹配
    expected = [("序号", "情况", "评价类型", "单位", "项目", "年度", "总分", "等级", "文件", "原因")]
    for k, (side, ev, reason) in enumerate(
        [("仅上期", only_old[0], "本期没有同名评价"), ("仅本期", only_new[0], "上期没有同名评价")], start=1
    ):
        expected.append(
            (k, side, KINDS[ev.kind], ev.unit, ev.title, ev.year, ev.total, ev.grade, ev.file, reason)
        )
    _same(_rows(path, "未匹配"), expected)


def test_comparison_formulas_recalculate(seasons: dict[str, Any], lo: Any) -> None:
    path = seasons["path"]
    summary = seasons["root"] / "out2024" / "汇总.xlsx"
    results = lo.compare_many([path, summary])
    for p, mismatches in results.items():
        assert mismatches == [], f"{p.name}: " + "; ".join(map(str, mismatches[:5]))
    fresh = lo.recalc(path)
    assert fresh["对比"]["I2"] == -8 and fresh["对比"]["L2"] == "优→良" and fresh["对比"]["M2"] == 1
    assert fresh["统计"]["B17"] == -1.33


def test_conditional_formats_and_charts(seasons: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(seasons["path"])
    ws = wb["对比"]
    rules = {str(cf.sqref): [r.type for r in cf.rules] for cf in ws.conditional_formatting}
    assert rules["I2:I4"] == ["iconSet"] and rules["L2:L4"] == ["notContainsBlanks"]
    assert [
        r.iconSet.iconSet for cf in ws.conditional_formatting for r in cf.rules if r.type == "iconSet"
    ] == ["3Arrows"]
    assert {r.type for cf in wb["指标变化"].conditional_formatting for r in cf.rules} >= {"colorScale"}
    assert len(wb["统计"]._charts) == 2


def test_folders_are_scored_when_they_hold_no_summary(seasons: dict[str, Any]) -> None:
    root = seasons["root"]
    from_folders = perfxl.compare(root / "in2023", root / "in2024", jobs=1)
    from_summaries = seasons["result"]
    columns = [
        "pair",
        "unit",
        "old_total",
        "new_total",
        "change",
        "grade_change",
        "newly_lost",
        "new_findings",
    ]
    pd.testing.assert_frame_equal(from_folders.pairs[columns], from_summaries.pairs[columns])
    pd.testing.assert_frame_equal(from_folders.indicators, from_summaries.indicators)
    pd.testing.assert_frame_equal(from_folders.findings, from_summaries.findings)
    assert "重新计分 4 个工作簿" in from_folders.old_source


def test_a_summary_reads_back_as_the_batch_tables(seasons: dict[str, Any]) -> None:
    report = seasons["2024"]
    written = report.tables()
    read = perfxl.read_summary(report.summary_path)
    for name, frame in written.frames().items():
        other = read.frames()[name]
        keys = list(frame.columns[:3])
        pd.testing.assert_frame_equal(
            frame.sort_values(keys).reset_index(drop=True), other.sort_values(keys).reset_index(drop=True)
        )
    ev = read.evaluations.set_index("file").loc["甲县教育局_营养改善.xlsx"]
    assert (ev["total"], ev["grade"], ev["declared_total"], ev["firm"], ev["year"]) == (85, "良", 88, "甲咨询公司", "2024")  # fmt: skip


def test_names_match_without_years_spaces_and_suffixes() -> None:
    assert name_key("2023年政务服务运行维护费项目") == name_key("2024年度 政务服务运行维护费项目")
    assert name_key("政务服务运行维护费项目（2024）") == name_key("政务服务运行维护费项目")
    assert name_key("奇台县政务服务中心部门整体支出绩效评价") == name_key("奇台县政务服务中心")
    assert name_key("２０２４年乙县（卫健委）") == name_key("乙县卫健委")
    assert name_key("2000亩高标准农田建设项目") != name_key("高标准农田建设项目")  # not a year


def _summary(file: str, unit: str, year: str, total: float) -> dict[str, Any]:
    return {
        "file": file,
        "kind": "project",
        "title": "农田项目",
        "unit": unit,
        "year": year,
        "firm": "",
        "total": total,
        "grade": "良",
        "declared_total": total,
        "declared_grade": "良",
        "groups": [],
        "deducted": 0,
        "counts": {"error": 0, "warning": 0, "info": 0},
        "indicators": [],
        "findings": [],
    }


def test_namesakes_on_one_side_pair_by_year_or_stay_unmatched() -> None:
    old = from_summaries(
        [
            _summary("a22.xlsx", "甲县", "2022", 80),
            _summary("a23.xlsx", "甲县", "2023", 81),
            _summary("b1.xlsx", "乙县", "2023", 82),
            _summary("b2.xlsx", "乙县", "2023", 83),
        ]
    )
    new = from_summaries([_summary("a24.xlsx", "甲县", "2024", 85), _summary("b.xlsx", "乙县", "2024", 86)])
    pairs, left = pair_evaluations(old.scored(), new.scored())
    assert pairs == [("a23.xlsx", "a24.xlsx")]  # the latest earlier year
    reasons = {file: reason for _side, file, reason in left}
    assert reasons["a22.xlsx"] == "本期没有年度更晚的同名评价"
    assert reasons["b1.xlsx"] == reasons["b2.xlsx"] == "同名评价在上期有 2 份（2023年度），无法一一对应"
    assert reasons["b.xlsx"] == "上期没有年度更早的同名评价"
    c = compare_tables(old, new)
    assert list(c.unmatched["side"]) == ["仅上期", "仅上期", "仅上期", "仅本期"]


def test_a_summary_without_data_sheets_is_refused(seasons: dict[str, Any], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(seasons["2024"].summary_path)
    for name in ("指标得分", "审核意见明细"):
        del wb[name]
    old = tmp_path / "旧汇总.xlsx"
    wb.save(old)
    with pytest.raises(perfxl.PerfxlError) as exc:
        perfxl.read_summary(old)
    assert "缺少工作表 指标得分、审核意见明细" in exc.value.line() and "旧版 perfxl" in exc.value.line()


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_command_line(seasons: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = seasons["root"]
    out = tmp_path / "对比.xlsx"
    code, stdout, stderr = run(
        ["compare", str(root / "out2023"), str(root / "out2024"), "-o", str(out)], capsys
    )
    assert code == 0 and not stderr
    assert "匹配 3 对：总分上升 1，下降 1，持平 1；等级变化 1" in stdout
    assert "未匹配：仅上期 1，仅本期 1" in stdout and f"已写出：{out}" in stdout
    code, stdout, _ = run(
        ["compare", str(root / "out2023"), str(root / "out2024"), "-o", str(out), "--json"], capsys
    )
    data = json.loads(stdout)
    first = data["pairs"][0]
    assert (
        first["unit"],
        first["old_total"],
        first["new_total"],
        first["change"],
        first["grade_change"],
    ) == (
        "甲县教育局",
        93,
        85,
        -8,
        "优→良",
    )
    assert [u["file"] for u in data["unmatched"]] == ["丁县水利局_农田水利.xlsx", "戊县交通局_公路养护.xlsx"]
    code, _, stderr = run(["compare", str(tmp_path / "没有"), str(root / "out2024"), "-o", str(out)], capsys)
    assert code == 1 and "不存在" in stderr and len(stderr.strip().splitlines()) == 1
