"""Indicators whose 业绩值 is blank take the rate computed from 基础表 (docs/rules.md, issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfxl.cli import cli
from perfxl.rates import match_rate

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
REF000 = INPUTS / "000_政务服务运行维护费_项目评价.xlsx"


@pytest.fixture(scope="module")
def blank004(tmp_path_factory):
    wb = openpyxl.load_workbook(REF004)
    ws = wb["指标"]
    header = [c.value for c in ws[2]]
    name_col, actual_col = header.index("三级指标") + 1, header.index("业绩值") + 1
    cleared = []
    for r in range(3, ws.max_row + 1):
        name = ws.cell(r, name_col).value
        if name and match_rate(str(name)):
            ws.cell(r, actual_col).value = None
            cleared.append(str(name))
    path = tmp_path_factory.mktemp("link") / "004_blank.xlsx"
    wb.save(path)
    result = CliRunner().invoke(cli, ["score", str(path), "--no-output", "--json"])
    assert result.exit_code == 0, result.output
    return cleared, json.loads(result.output)


def test_rates_of_reference_004(blank004):
    cleared, data = blank004
    assert len(cleared) >= 6
    rates = {k: v["value"] for k, v in data["rates"].items()}
    assert rates["budget_adjustment"] == pytest.approx(0.6242, abs=5e-5)
    assert rates["project_adjustment"] == pytest.approx(2.1497, abs=5e-5)
    assert rates["public_control"] == pytest.approx(59.55 / 8)  # 744.38%
    assert rates["procurement_execution"] == pytest.approx(15.2367, abs=5e-5)
    assert rates["staffing_rate"] == pytest.approx(0.88)
    assert rates["asset_utilization"] == pytest.approx(1.0)


def test_linked_indicators_score_like_the_report(blank004):
    _cleared, data = blank004
    by_code = {i["code"]: i for i in data["indicators"]}
    assert by_code["B42"]["actual"] == pytest.approx(2.149718, abs=1e-6) and by_code["B42"]["score"] == 0
    assert by_code["C22"]["actual"] == pytest.approx(7.44375) and by_code["C22"]["score"] == 0
    assert by_code["B31"]["actual"] == pytest.approx(1.0) and by_code["B31"]["score"] == 5
    assert by_code["B52"]["score"] == 4 and by_code["C21"]["score"] == 4
    assert data["total"] == 93.0 and data["grade"] == "优"


def test_given_actual_that_differs_from_the_base_table_is_a_finding():
    result = CliRunner().invoke(cli, ["check", str(REF000), "--json"])
    found = json.loads(result.output)["findings"]
    # the report says 100% but 249.99 / 252.49 = 99.01%; 14.3% and 95.7% are the rates rounded as written
    mismatch = [f for f in found if f["code"] == "actual.rate_mismatch"]
    assert [f["cell"] for f in mismatch] == ["G9"] and "99.01%" in mismatch[0]["message"]
