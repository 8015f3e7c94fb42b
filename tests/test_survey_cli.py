"""`perfxl survey` and the 问卷: link from an indicator's 业绩值 (docs/workbook.md, docs/api.md)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfxl.cli import cli
from perfxl.survey_read import analyze_path

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
REF000 = INPUTS / "000_政务服务运行维护费_项目评价.xlsx"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"


def test_survey_json_reference_004(tmp_path):
    out = tmp_path / "问卷.xlsx"
    result = CliRunner().invoke(cli, ["survey", str(REF004), "--json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    overall = {s["name"]: s["overall"] for s in data["surveys"]}
    assert overall["公共资源交易"] == pytest.approx(0.9764, abs=5e-5)
    assert overall["政务服务"] == pytest.approx(0.9690, abs=5e-5)
    first = data["surveys"][0]["items"][0]
    assert first["n"] == 71 and first["satisfaction"] == pytest.approx(0.97183, abs=5e-6)
    assert first["counts"]["非常满意"] == 66
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "问卷分析"


def test_survey_share_method_reference_000():
    result = CliRunner().invoke(cli, ["survey", str(REF000), "--json"])
    data = json.loads(result.output)
    assert data["method"] == "share"
    rates = [item["satisfaction"] for item in data["items"]]
    assert rates[0] == pytest.approx(340 / 341) and rates[1] == pytest.approx(337 / 341)


def test_survey_without_questionnaire_is_one_line(tmp_path):
    path = INPUTS / "示例_项目自评表_数据瑕疵.xlsx"
    result = CliRunner().invoke(cli, ["survey", str(path)])
    assert result.exit_code == 1


def test_satisfaction_indicator_takes_its_actual_from_the_survey(tmp_path):
    wb = openpyxl.load_workbook(REF004)
    ws = wb["指标"]
    ws["H28"] = "问卷:政务服务"  # C51 政务服务工作满意度
    ws["H29"] = "问卷：公共资源交易:总体"  # C52 公共资产交易工作满意度 (full-width colon)
    path = tmp_path / "linked.xlsx"
    wb.save(path)
    result = CliRunner().invoke(cli, ["score", str(path), "--no-output", "--json"])
    data = json.loads(result.output)
    c51 = next(i for i in data["indicators"] if i["code"] == "C51")
    c52 = next(i for i in data["indicators"] if i["code"] == "C52")
    surveys = {s.name: s.overall for s in analyze_path(REF004)}
    assert c51["actual"] == pytest.approx(surveys["政务服务"]) and c51["score"] == 4.0
    assert c52["actual"] == pytest.approx(surveys["公共资源交易"]) and c52["score"] == 4.0
    assert data["total"] == 93.0


def test_unknown_survey_reference_is_a_finding(tmp_path):
    wb = openpyxl.load_workbook(REF004)
    wb["指标"]["H28"] = "问卷:不存在的问卷"
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    data = json.loads(CliRunner().invoke(cli, ["check", str(path), "--json"]).output)
    assert any(f["code"] == "survey.not_found" and f["cell"] == "H28" for f in data["findings"])


def test_same_answers_from_different_devices_are_different_people(tmp_path):
    head = [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、您对服务态度的评价",
        "2、您对办事效率的评价",
    ]
    rows = [
        [1, "2024/5/1 10:00:00", "60秒", "微信", "N/A", "10.0.0.1(新疆)", "非常满意", "非常满意"],
        [2, "2024/5/1 10:01:00", "65秒", "微信", "N/A", "10.0.0.2(新疆)", "非常满意", "非常满意"],
        [3, "2024/5/1 10:02:00", "70秒", "微信", "N/A", "10.0.0.1(新疆)", "非常满意", "非常满意"],
        [4, "2024/5/1 10:03:00", "80秒", "微信", "N/A", "10.0.0.3(新疆)", "不太满意", "基本满意"],
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问卷明细"
    for row in [head, *rows]:
        ws.append(row)
    path = tmp_path / "wjx.xlsx"
    wb.save(path)
    [res] = analyze_path(path)
    assert res.respondents == 4 and res.valid == 3  # row 3 resubmits row 1 from the same address
    assert [d.count for d in res.dropped] == [1]
