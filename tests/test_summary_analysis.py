"""汇总.xlsx's analysis and data sheets, and the tidy tables (CSV, Parquet, DataFrames) of a batch.

The 2024 season of tests/seasons.py is batched once; every figure of the analysis sheets is
computed here from the season's definition, without pandas or perfxl.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from seasons import SEASONS, grade, write_season

import perfxl
from perfxl import summary_sheets
from perfxl.api import batch
from perfxl.cli import main
from perfxl.summary_write import write_summary

EVALUATIONS = SEASONS["2024"]
KINDS = {"project": "项目评价", "department": "部门整体评价"}
GRADES = ["优", "良", "中", "差"]
NO_FIRM = "（未填写）"


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("analysis")
    folder = write_season(root / "in", "2024")
    return batch(folder, root / "out", jobs=2, details=False)


def _sheet(path: Path, name: str) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path, data_only=True)[name]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def _approx(got: Any, expected: Any) -> None:
    """Rows (or {key: row}) equal, numbers within 1e-9."""
    if isinstance(expected, dict):
        assert set(got) == set(expected)
        for key in expected:
            assert got[key] == pytest.approx(expected[key], abs=1e-9), key
        return
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[0] == e[0] and g[1:] == pytest.approx(e[1:], abs=1e-9), (g, e)


def _overview_order() -> list[Any]:
    """总览's order: project evaluations, then department ones, each by total, highest first."""
    rank = {"project": 0, "department": 1}
    return sorted(EVALUATIONS, key=lambda ev: (rank[ev.kind], -ev.total, ev.file))


def test_sheets_follow_the_existing_ones(season: Any) -> None:
    names = openpyxl.load_workbook(season.summary_path).sheetnames
    assert names == ["总览", "统计", "汇总", "得分率矩阵", "失分指标", "等级分布", "机构差异", "总分分布", "指标得分", "审核意见明细"]  # fmt: skip


def test_rate_matrix(season: Any) -> None:
    rows = _sheet(season.summary_path, "得分率矩阵")
    groups, names, counts = rows[0], rows[1], rows[2]
    assert names[:5] == ("序号", "单位", "项目", "评价类型", "复核总分") and counts[4] == "评价数"
    columns = {name: c for c, name in enumerate(names) if c >= 5 and name}
    every = {line.name for ev in EVALUATIONS for line in ev.lines}
    assert set(columns) == every
    for name, c in columns.items():
        having = [ev for ev in EVALUATIONS if any(line.name == name for line in ev.lines)]
        assert counts[c] == len(having)
        group = next(g for g in reversed(groups[5 : c + 1]) if g)  # merged over its block
        assert group == next(line.group for line in having[0].lines if line.name == name)
    by_count = [counts[c] for c in sorted(columns.values())]
    for ev_row, ev in zip(rows[3:], _overview_order(), strict=True):
        assert ev_row[:5] == (ev_row[0], ev.unit, ev.title, KINDS[ev.kind], ev.total)
        lines = {line.name: line for line in ev.lines}
        for name, c in columns.items():
            expected = lines[name].final / lines[name].weight if name in lines else None
            assert ev_row[c] == pytest.approx(expected) if expected is not None else ev_row[c] is None
    assert by_count  # a column for each indicator
    ws = openpyxl.load_workbook(season.summary_path)["得分率矩阵"]
    [scale] = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert scale.type == "colorScale" and [float(v.val) for v in scale.colorScale.cfvo] == [0, 0.8, 1]


def test_rate_matrix_lists_the_most_common_indicators(season: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(summary_sheets, "MATRIX_COLUMNS", 2)
    path = write_summary(tmp_path / "汇总.xlsx", season.summaries, [])
    rows = _sheet(path, "得分率矩阵")
    assert sorted(rows[1][5:7]) == sorted(["立项依据充分性", "完成率"])  # in 3 of the 4 evaluations
    assert "另有 7 个未列出" in rows[0][0]


def test_most_failed_indicators(season: Any) -> None:
    rows = _sheet(season.summary_path, "失分指标")
    assert rows[1] == ("序号", "一级指标", "三级指标", "出现次数", "失分次数", "失分比例", "平均失分", "合计失分", "平均得分率")  # fmt: skip
    expected = {}
    for name in {line.name for ev in EVALUATIONS for line in ev.lines}:
        lines = [line for ev in EVALUATIONS for line in ev.lines if line.name == name]
        lost = [line.lost for line in lines if line.lost > 0]
        if lost:
            rates = [line.final / line.weight for line in lines]
            expected[name] = (lines[0].group, len(lines), len(lost), len(lost) / len(lines))
            expected[name] += (sum(lost) / len(lost), sum(lost), sum(rates) / len(rates))
    got = {row[2]: row[1:2] + row[3:9] for row in rows[2:] if row[0] is not None}
    assert set(got) == set(expected)
    for name, values in expected.items():
        assert got[name] == pytest.approx(values), name
    keys = [(row[4], row[7]) for row in rows[2:] if row[0] is not None]
    assert keys == sorted(keys, reverse=True)  # most often failed first, then most points
    assert rows[2][2] == "完成率" and rows[2][4] == 2 and rows[2][7] == 16
    assert len(openpyxl.load_workbook(season.summary_path)["失分指标"]._charts) == 1


def test_grade_distribution_by_kind_and_firm(season: Any) -> None:
    rows = [r for r in _sheet(season.summary_path, "等级分布") if any(v is not None for v in r)]
    assert rows[1][:6] == ("评价类型", *GRADES, "合计")
    by_kind = []
    for kind in ("project", "department"):
        counts = [sum(1 for ev in EVALUATIONS if ev.kind == kind and ev.grade == g) for g in GRADES]
        by_kind.append((KINDS[kind], *counts, sum(counts)))
    total = tuple(sum(r[k] for r in by_kind) for k in range(1, 6))
    assert [r[:6] for r in rows[2:5]] == [*by_kind, ("合计", *total)]
    firms: dict[str, list[Any]] = {}
    for ev in EVALUATIONS:
        firms.setdefault(ev.firm or NO_FIRM, []).append(ev)
    order = sorted(firms, key=lambda f: (-len(firms[f]), f))
    start = next(i for i, r in enumerate(rows) if r[0] == "评价机构")
    assert rows[start][:7] == ("评价机构", *GRADES, "合计", "平均复核总分")
    expected = []
    for firm in order:
        counts = [sum(1 for ev in firms[firm] if ev.grade == g) for g in GRADES]
        expected.append(
            (firm, *counts, sum(counts), round(statistics.mean(ev.total for ev in firms[firm]), 2))
        )
    got = rows[start + 1 : start + 1 + len(order)]
    _approx([r[:7] for r in got], expected)
    assert [r[0] for r in got] == ["甲咨询公司", "乙评估公司", NO_FIRM]
    assert len(openpyxl.load_workbook(season.summary_path)["等级分布"]._charts) == 1


def test_disagreement_by_firm(season: Any) -> None:
    rows = _sheet(season.summary_path, "机构差异")
    assert rows[1][:4] == ("序号", "评价机构", "评价数", "申报总分数")
    expected = {}
    for firm in {ev.firm or NO_FIRM for ev in EVALUATIONS}:
        mine = [ev for ev in EVALUATIONS if (ev.firm or NO_FIRM) == firm]
        gaps = [ev.declared_total - ev.total for ev in mine]
        lines = [line for ev in mine for line in ev.lines]
        diffs = [line.declared - line.final for line in lines if line.declared != line.final]
        expected[firm] = (
            len(mine),
            len(mine),
            sum(1 for g in gaps if g),
            sum(abs(g) for g in gaps),
            statistics.mean(gaps),
            sum(1 for ev in mine if grade(ev.declared_total) != ev.grade),
            len(lines),
            len(diffs),
            sum(abs(d) for d in diffs),
            sum(d for d in diffs if d > 0),
            sum(-d for d in diffs if d < 0),
        )
    got = {row[1]: row[2:13] for row in rows[2:] if row[0] is not None}
    _approx(got, expected)
    assert got["甲咨询公司"][2:4] == (1, 3)  # 甲县教育局 declared 88, reviewed 85
    assert next(row[1] for row in rows[2:]) == "甲咨询公司"  # most indicator points first


def _quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (what spreadsheets' QUARTILE.INC gives)."""
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo = math.floor(pos)
    return s[lo] + (s[min(lo + 1, len(s) - 1)] - s[lo]) * (pos - lo)


def test_distribution_of_totals(season: Any) -> None:
    rows = [r for r in _sheet(season.summary_path, "总分分布") if any(v is not None for v in r)]
    totals = [ev.total for ev in EVALUATIONS]
    declared = [ev.declared_total for ev in EVALUATIONS]
    low = math.floor(min(totals + declared) / 2) * 2
    expected = []
    for lo in range(low, 100, 2):
        hi = lo + 2
        inside = lambda v, lo=lo, hi=hi: lo <= v < hi or (hi == 100 and v == 100)  # noqa: E731
        expected.append((f"{lo}–{hi}", lo, hi, sum(map(inside, totals)), sum(map(inside, declared))))
    assert [r[:5] for r in rows[2 : 2 + len(expected)]] == expected
    assert rows[2 + len(expected)][:5] == ("合计", None, None, len(totals), len(declared))
    start = next(i for i, r in enumerate(rows) if r[0] == "评价类型")
    got = {r[0]: r[1:9] for r in rows[start + 1 :]}
    for label, values in (
        ("项目评价", [ev.total for ev in EVALUATIONS if ev.kind == "project"]),
        ("部门整体评价", [ev.total for ev in EVALUATIONS if ev.kind == "department"]),
        ("全部", totals),
    ):
        std = statistics.stdev(values) if len(values) > 1 else None
        quartiles = (_quantile(values, 0.25), _quantile(values, 0.75))
        stats = (
            len(values),
            statistics.mean(values),
            statistics.median(values),
            std,
            min(values),
            *quartiles,
        )
        assert got[label] == pytest.approx((*stats, max(values))), label
    assert len(openpyxl.load_workbook(season.summary_path)["总分分布"]._charts) == 1


def test_data_sheets_hold_every_line_and_finding(season: Any) -> None:
    rows = _sheet(season.summary_path, "指标得分")
    assert rows[0] == ("文件", "一级指标", "编码", "三级指标", "类别", "权重", "申报得分", "复核得分", "失分")
    assert len(rows) - 1 == sum(len(ev.lines) for ev in EVALUATIONS)
    by_key = {(r[0], r[3]): r for r in rows[1:]}
    for ev in EVALUATIONS:
        for line in ev.lines:
            r = by_key[(ev.file, line.name)]
            assert r[5:] == pytest.approx((line.weight, line.declared, line.final, line.lost))
    findings = _sheet(season.summary_path, "审核意见明细")
    assert findings[0] == ("文件", "级别", "问题", "代码", "指标", "工作表", "单元格", "说明")
    mismatch = [r for r in findings[1:] if r[3] == "score.mismatch"]
    assert [(r[0], r[1], r[4], r[5], r[6]) for r in mismatch] == [("甲县教育局_营养改善.xlsx", "警告", "资金到位率", "指标", "H4")]  # fmt: skip


def test_long_data_sheets_are_split_and_read_back(season: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(summary_sheets, "DATA_ROWS", 4)
    path = write_summary(tmp_path / "汇总.xlsx", season.summaries, [])
    names = openpyxl.load_workbook(path).sheetnames
    chunks = ["指标得分", *(f"指标得分（{k}）" for k in range(2, 6)), "审核意见明细", "审核意见明细（2）"]
    assert names[-7:] == chunks  # 17 indicator lines and 5 findings, 4 to a sheet
    read = perfxl.read_summary(path)
    written = season.tables()
    for name in ("indicators", "findings"):
        pd.testing.assert_frame_equal(read.frames()[name], written.frames()[name])


def test_tidy_tables_from_the_api_csv_and_parquet(season: Any, tmp_path: Path, capsys: Any) -> None:
    tables = season.tables()
    assert list(tables.evaluations.columns)[:6] == ["file", "unit", "title", "year", "kind", "firm"]
    scored = perfxl.tables(perfxl.score_folder(Path(season.summary_path).parent.parent / "in", jobs=1))
    for name, frame in tables.frames().items():
        pd.testing.assert_frame_equal(frame, scored.frames()[name])
    ind = tables.indicators.set_index(["file", "name"])
    row = ind.loc[("甲县教育局_营养改善.xlsx", "资金到位率")]
    assert (row["weight"], row["declared_score"], row["score"], row["lost"], row["rate"]) == (
        20,
        20,
        17,
        3,
        0.85,
    )
    assert (row["unit"], row["year"], row["kind"]) == ("甲县教育局", "2024", "project")
    folder = Path(season.summary_path).parent.parent / "in"
    args = ["batch", str(folder), "-o", str(tmp_path / "out"), "-q", "--csv", str(tmp_path / "csv")]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--parquet", str(tmp_path / "pq")])
        raise SystemExit(0)
    assert exc.value.code == 0
    assert "明细表：" in capsys.readouterr().out
    for name, frame in tables.frames().items():
        csv = pd.read_csv(tmp_path / "csv" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(csv.columns) == list(frame.columns)
        assert len(csv) == len(frame)
    read = pd.read_csv(tmp_path / "csv" / "indicators.csv")
    assert read["score"].sum() == pytest.approx(tables.indicators["score"].sum())
    assert (
        (tmp_path / "csv" / "evaluations.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    )  # Excel reads UTF-8 with a BOM
    pytest.importorskip("pyarrow")
    for name, frame in tables.frames().items():
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "pq" / f"{name}.parquet"), frame)
