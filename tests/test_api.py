"""The public Python API (docs/api.md): the same result as the CLI, DataFrames, folders, uploads."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import perfxl
from perfxl.cli import main

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
EXAMPLES = sorted(INPUTS.glob("*.xlsx"))
REF000 = INPUTS / "000_政务服务运行维护费_项目评价.xlsx"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"


def cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    return exc.value.code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_api_result_equals_the_cli_json(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _code, printed = cli_json(["score", str(path), "--json", "--no-output"], capsys)
    assert perfxl.score(path).to_dict() == printed
    _code, checked = cli_json(["check", str(path), "--json"], capsys)
    assert perfxl.score(path).to_dict() == checked


def test_reference_totals_are_unchanged() -> None:
    ev = perfxl.score(REF004)
    assert (ev.total, ev.grade) == (Decimal("93.00"), "优")
    assert ev.firm == "新疆财讯睿智信息咨询有限公司"
    groups = {g.name: (float(g.weight), float(g.score)) for g in perfxl.score(REF000).groups}
    # reference 000's 决策 12.86, 过程 17.07, 效益 23.86 (产出: see test_evaluate)
    assert groups == {
        "决策": (14.0, 12.86),
        "过程": (26.0, 17.07),
        "产出": (36.0, 30.96),
        "效益": (24.0, 23.86),
    }


def test_to_frame_has_one_row_per_indicator_with_stable_dtypes() -> None:
    ev = perfxl.score(REF004)
    df = ev.to_frame()
    assert len(df) == len(ev.indicators) == 27
    assert list(df.columns) == [
        "file", "unit", "title", "year", "kind", "code", "name", "group", "subgroup", "role", "row",
        "weight", "target", "actual", "actual_text", "rule", "rule_label", "computed_score",
        "declared_score", "expert_mean", "score", "lost", "score_source", "note",
    ]  # fmt: skip
    assert {str(df[c].dtype) for c in ("weight", "actual", "score", "lost", "declared_score")} == {"float64"}
    assert str(df["row"].dtype) == "Int64"
    assert all(str(df[c].dtype) == "string" for c in ("name", "group", "rule", "note", "target"))
    assert df["score"].sum() == pytest.approx(93.0)
    b42 = df.set_index("code").loc["B42"]
    assert (b42["name"], b42["rule"], b42["score"], b42["lost"]) == (
        "项目支出预算调整率",
        "tolerance",
        0.0,
        3.0,
    )
    assert b42["actual"] == pytest.approx(2.1497)
    findings = ev.findings_frame()
    assert list(findings.columns) == ["file", "severity", "code", "sheet", "cell", "message"]
    assert len(findings) == len(ev.findings) and all(str(t) == "string" for t in findings.dtypes)
    assert ("process.rate", "J26") in set(zip(findings["code"], findings["cell"], strict=True))


def test_bytes_and_file_objects_score_like_paths(tmp_path: Path) -> None:
    data = REF000.read_bytes()
    by_path = perfxl.score(REF000).to_dict()
    from_bytes = perfxl.score(data, name=str(REF000))
    with REF000.open("rb") as fh:
        from_file = perfxl.score(fh)
    assert from_bytes.to_dict() == by_path
    assert from_file.to_dict() == {**by_path, "file": REF000.name}
    assert perfxl.score(io.BytesIO(data)).file == "上传的工作簿"
    # the annotated copy can be written from an upload (its temporary file lives with the result)
    out = perfxl.write_annotated(from_bytes, tmp_path / "from_bytes.xlsx")
    assert openpyxl.load_workbook(out, read_only=True).sheetnames[:3] == ["评分表", "汇总", "审核意见"]


def test_unusable_bytes_raise_one_chinese_line() -> None:
    with pytest.raises(perfxl.PerfxlError) as exc:
        perfxl.score(b"not a workbook at all", name="上传.xlsx")
    assert exc.value.line().startswith("文件 上传.xlsx：")
    with pytest.raises(perfxl.PerfxlError, match="二进制"):
        perfxl.score(io.StringIO("text"))


def test_score_folder_yields_failures_as_values(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_ref.xlsx").write_bytes(REF004.read_bytes())
    (folder / "b_bad.xlsx").write_bytes(b"PK\x03\x04 truncated zip")
    (folder / "c_ref.xlsx").write_bytes(REF000.read_bytes())
    (folder / "~$lock.xlsx").write_bytes(b"lock")
    for jobs in (1, 2):
        results = list(perfxl.score_folder(folder, jobs=jobs))
        assert [r.file for r in results] == ["a_ref.xlsx", "b_bad.xlsx", "c_ref.xlsx"]
        ok_a, bad, ok_c = results
        assert isinstance(ok_a, perfxl.Evaluation) and ok_a.total == Decimal("93.00")
        assert isinstance(bad, perfxl.Failure) and "已损坏" in bad.error
        assert isinstance(ok_c, perfxl.Evaluation) and ok_c.grade == perfxl.score(REF000).grade
        assert ok_a.book is None  # results cross processes without their workbook
    with pytest.raises(perfxl.PerfxlError, match="不含原工作簿"):
        perfxl.write_annotated(ok_a, tmp_path / "x.xlsx")


def test_write_summary_of_score_folder_results(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_ref.xlsx").write_bytes(REF000.read_bytes())
    (folder / "b_bad.xlsx").write_bytes(b"PK\x03\x04 truncated zip")
    (folder / "c_ref.xlsx").write_bytes(REF004.read_bytes())
    results = list(perfxl.score_folder(folder, jobs=1))
    out = tmp_path / "out"
    out.mkdir()
    path = perfxl.write_summary(results, out / "汇总.xlsx", outputs={"c_ref.xlsx": "c_评分结果.xlsx"})
    sheet = openpyxl.load_workbook(path)["汇总"]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1]]
    assert [r[1] for r in rows[:3]] == ["c_ref.xlsx", "a_ref.xlsx", "b_bad.xlsx"]  # highest total first
    assert rows[0][6] == 93.0 and "已损坏" in " ".join(str(v) for v in rows[2] if v)
    links = {c.value: c.hyperlink.target for c in sheet[2] + sheet[3] if c.hyperlink}
    assert links == {"c_评分结果.xlsx": "c_评分结果.xlsx"}
    assert openpyxl.load_workbook(path)["失败"]["B2"].value == "b_bad.xlsx"


def test_check_returns_the_findings() -> None:
    codes = [f.code for f in perfxl.check(REF004)]
    assert codes.count("process.rate") == 2 and codes == [f.code for f in perfxl.score(REF004).findings]


def test_explain_rule_equals_the_rule_command(capsys: pytest.CaptureFixture[str]) -> None:
    text = "支出预算执行率100%得满分，每降低1%扣5%权重分，扣完为止。"
    api = perfxl.explain_rule(text, weight="4", target="100%", actual="97.5%")
    _code, printed = cli_json(["rule", text, "-w", "4", "-t", "100%", "-a", "97.5%", "--json"], capsys)
    assert api.to_dict() == printed
    assert (api.kind, api.score) == ("step", 3.5)
    with pytest.raises(perfxl.ArgumentError) as exc:
        perfxl.explain_rule(text, weight="四分")
    assert exc.value.param == "weight"


def test_make_options_checks_its_arguments() -> None:
    assert perfxl.make_options(grades="优90,良80,中>70").grades == "优90,良80,中>70"
    with pytest.raises(perfxl.ArgumentError) as exc:
        perfxl.make_options(grades="60,80,90")
    assert exc.value.param == "grades"
    low = perfxl.score(REF000, perfxl.make_options(grades="95,90,80"))
    assert low.grade != perfxl.score(REF000).grade or low.total >= 95


def test_the_examples_in_docs_api_md_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/api.md's code blocks run as written (from the repository root, outputs/ in a temp dir)."""
    import re
    import shutil

    root = INPUTS.parent
    blocks = re.findall(r"```python\n(.*?)```", (root / "docs" / "api.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns("*.py"))
    (tmp_path / "outputs").mkdir()
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), {})
    assert (tmp_path / "outputs" / "004_评分结果.xlsx").exists()
