"""Batch scoring (perfxl.batch, ``perfxl batch``): bad files, determinism, layout, JSON, start-up.

One folder of 10 workbooks — 7 good ones (two of them in sub-folders) and 3 broken ones —
plus files that must be skipped, is scored a few times through the real command line.
"""

from __future__ import annotations

import json
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from openpyxl import load_workbook

from perfxl.catalog import DEPARTMENT_INDICATORS, PROJECT_INDICATORS
from perfxl.phrases import recognize

GOOD = [
    "甲县教育局_部门整体.xlsx",
    "乙县水利局_部门整体.xlsx",
    "丙项目_项目评价.xlsx",
    "丁项目_项目评价.xlsx",
    "戊项目 2024（含空格）.xlsx",
    "二级/子目录/己县民政局.xlsx",
    "二级/庚项目.xlsx",
]
BROKEN = {
    "空文件.xlsx": "文件为空",
    "改名的文本.xlsx": "不是 Excel 工作簿",
    "缺权重列.xlsx": "缺少“权重”列",
}
SKIPPED = ["~$甲县教育局_部门整体.xlsx", "说明.txt", "汇报.docx", ".隐藏.xlsx"]


def _good_book(path: Path, i: int) -> None:
    """An indicator table from the catalog with judgements, actuals and one wrong declared score."""
    catalog = DEPARTMENT_INDICATORS if i % 2 == 0 else PROJECT_INDICATORS
    header = [
        "序号",
        "一级指标",
        "二级指标",
        "三级指标",
        "权重",
        "标杆值",
        "业绩值",
        "评分标准",
        "要点判定",
        "得分",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_numbers": False}) as wb:
        info = wb.add_worksheet("项目信息")
        kind = "部门整体支出绩效评价" if i % 2 == 0 else "项目支出绩效评价"
        for r, (k, v) in enumerate([("项目名称", path.stem), ("年度", "2024"), ("评价类型", kind)]):
            info.write_string(r, 0, k)
            info.write_string(r, 1, v)
        ws = wb.add_worksheet("指标")
        ws.write_string(0, 0, f"{path.stem} 绩效评价指标体系")
        ws.write_row(1, 0, header)
        r = 2
        for k, ind in enumerate(catalog):
            if ind.weight is None:
                continue
            rule = recognize(ind.rule)
            judge = ""
            if rule.points_named and rule.kind in ("checklist", "deduct_each"):
                judge = "√" * rule.points_named
                if (k + i) % 5 == 0:
                    judge = "×" + judge[1:]
            elif rule.kind == "binary":
                judge = "√" if (k + i) % 4 else "×"
            values = [r - 1, ind.level1, ind.level2, ind.label, ind.weight, ind.target]
            for c, v in enumerate(values):
                (ws.write_number if isinstance(v, (int, float)) else ws.write_string)(r, c, v)
            if ind.target and ind.target[-1] in "%件项个" and not judge:
                ws.write_string(r, 6, ind.target.lstrip("≥≤＝=") if (k + i) % 3 else "90%")
            ws.write_string(r, 7, ind.rule)
            if judge:
                ws.write_string(r, 8, judge)
            ws.write_number(r, 9, ind.weight if (k + i) % 7 else ind.weight / 2)
            r += 1


def _no_weight_book(path: Path) -> None:
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("指标")
        ws.write_row(0, 0, ["序号", "一级指标", "三级指标", "评分标准", "得分"])
        ws.write_row(1, 0, [1, "决策", "立项依据充分性", "依据充分得满分", 3])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch") / "输入 文件夹"
    for i, name in enumerate(GOOD):
        _good_book(root / name, i)
    (root / "空文件.xlsx").write_bytes(b"")
    (root / "改名的文本.xlsx").write_text("这不是工作簿，只是改了扩展名的文本。\n", encoding="utf-8")
    _no_weight_book(root / "缺权重列.xlsx")
    (root / "~$甲县教育局_部门整体.xlsx").write_bytes(b"\x00lock")  # Excel/WPS lock file
    (root / "说明.txt").write_text("说明", encoding="utf-8")
    (root / "汇报.docx").write_bytes(b"PK\x03\x04")
    (root / ".隐藏.xlsx").write_bytes(b"")
    return root


def perfxl(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from perfxl.cli import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=240)


@pytest.fixture(scope="module")
def runs(inputs: Path) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """The same folder scored five ways (each run once for the whole module)."""
    base = inputs.parent
    out: dict[str, tuple[subprocess.CompletedProcess[str], Path]] = {}
    for key, extra in {
        "jobs2": ["--recursive", "--jobs", "2"],
        "jobs2_again": ["--recursive", "--jobs", "2"],
        "jobs1_json": ["--recursive", "--jobs", "1", "--json"],
        "flat": ["--jobs", "2"],
    }.items():
        dest = base / f"输出_{key}"
        out[key] = (perfxl("batch", str(inputs), "-o", str(dest), "--quiet", *extra), dest)
    return out


def sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(path)
    try:
        return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}
    finally:
        wb.close()


def scored_line(stdout: str) -> tuple[int, int, int]:
    """(workbooks, scored with or without errors, not scorable) from the batch's summary line."""
    m = re.search(r"共 (\d+) 个工作簿：计分成功 (\d+)，有错误 (\d+)，无法计分 (\d+)", stdout)
    assert m, stdout
    total, clean, errors, failed = map(int, m.groups())
    return total, clean + errors, failed


def outputs(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_bad_files_are_listed_and_the_batch_goes_on(runs: dict[str, Any]) -> None:
    proc, dest = runs["jobs2"]
    assert proc.returncode == 1, proc.stderr
    assert scored_line(proc.stdout) == (10, 7, 3)
    assert "Traceback" not in proc.stderr
    for name, reason in BROKEN.items():
        assert any(
            line.startswith(f"文件 {name}：") and reason in line for line in proc.stderr.splitlines()
        ), name
    assert outputs(dest) == sorted([*GOOD, "汇总.xlsx"])
    values = sheet_values(dest / "汇总.xlsx")
    failed = values["失败"]
    assert failed[0] == ("序号", "文件", "原因")
    assert [row[1] for row in failed[1:]] == sorted(BROKEN)  # input order
    for _n, name, reason in failed[1:]:
        assert BROKEN[name] in reason
        assert not reason.startswith("文件 "), reason  # the 文件 column names it; no path repeated
    summary = values["汇总"]
    header = summary[0]
    listed = [row for row in summary[1:] if isinstance(row[0], int)]
    scored = [row for row in listed if row[header.index("状态")] in ("计分成功", "有错误")]
    broken = [row for row in listed if row[header.index("状态")] == "无法计分"]
    assert sorted(row[header.index("文件")] for row in scored) == sorted(GOOD)
    # failed files follow the scored ones, with their reason
    assert [row[header.index("文件")] for row in broken] == sorted(BROKEN)
    assert all(BROKEN[row[header.index("文件")]] in row[header.index("原因")] for row in broken)
    assert listed == scored + broken
    totals = [row[header.index("总分")] for row in scored]
    assert totals == sorted(totals, reverse=True)
    assert any(row[1] == "失败" and row[2] == 3 for row in summary)


def test_same_inputs_give_the_same_outputs(runs: dict[str, Any]) -> None:
    (_p1, first), (_p2, again) = runs["jobs2"], runs["jobs2_again"]
    assert outputs(first) == outputs(again)
    for rel in outputs(first):
        a, b = sheet_values(first / rel), sheet_values(again / rel)
        assert a == b, rel


def test_one_job_and_two_jobs_agree(runs: dict[str, Any]) -> None:
    (_p1, two), (proc, one) = runs["jobs2"], runs["jobs1_json"]
    assert proc.returncode == 1
    assert outputs(two) == outputs(one)
    for rel in outputs(two):
        assert sheet_values(two / rel) == sheet_values(one / rel), rel


def test_json_contract(runs: dict[str, Any]) -> None:
    proc, dest = runs["jobs1_json"]
    doc = json.loads(proc.stdout)
    assert set(doc) >= {"results", "failed"}
    assert [f["file"] for f in doc["failed"]] == sorted(BROKEN)
    assert all(set(f) == {"file", "error"} and f["error"] for f in doc["failed"])
    assert [r["file"] for r in doc["results"]] == sorted(GOOD)  # input order, sub-folders as paths
    for r in doc["results"]:
        assert {"file", "kind", "title", "total", "grade", "groups", "indicators", "findings"} <= set(r)
        assert r["kind"] in ("project", "department")
        assert isinstance(r["total"], float) and 0 <= r["total"] <= 100
        for g in r["groups"]:
            assert {"name", "weight", "score", "rate"} <= set(g)
        for ind in r["indicators"]:
            keys = {"code", "name", "group", "weight", "target", "actual", "rule", "score", "declared_score"}
            assert keys | {"expert_scores"} <= set(ind)
        for f in r["findings"]:
            assert {"severity", "code", "sheet", "cell", "message"} <= set(f)
        assert Path(r["output"]).is_file()
        assert Path(r["output"]).relative_to(dest).as_posix() == r["file"]
    # the wrong declared scores are found
    assert any(f["code"].startswith("score") for r in doc["results"] for f in r["findings"])


def test_subfolders_need_recursive_and_names_mirror_inputs(runs: dict[str, Any]) -> None:
    proc, dest = runs["flat"]
    top = [g for g in GOOD if "/" not in g]
    assert scored_line(proc.stdout) == (len(top) + len(BROKEN), len(top), len(BROKEN))
    assert outputs(dest) == sorted([*top, "汇总.xlsx"])
    _p, deep = runs["jobs2"]
    assert (deep / "二级" / "子目录" / "己县民政局.xlsx").is_file()


def test_lock_files_and_other_files_are_skipped(runs: dict[str, Any]) -> None:
    proc, dest = runs["jobs2"]
    for name in SKIPPED:
        assert name not in proc.stderr
        assert not (dest / name).exists()


def test_help_is_fast_and_light() -> None:
    probe = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        "from perfxl.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'openpyxl', 'numpy'})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    wall, cpu = [], []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
        wall.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        assert proc.returncode == 0, proc.stderr
        assert "batch" in proc.stdout
        assert proc.stderr.strip() == "[]", f"perfxl --help imports {proc.stderr.strip()}"
    # CPU time, not wall time: under `pytest -n` next to LibreOffice the wall clock says little
    assert statistics.median(cpu) < 0.5, (cpu, wall)


def _fragile(path: str, *args: Any) -> dict[str, Any]:
    """score_one, except that reading crash.xlsx kills the worker process (as native code can)."""
    import os as _os

    import perfxl.batch as batch_mod

    if path.endswith("crash.xlsx"):
        _os._exit(3)
    return batch_mod._real_score_one(path, *args)  # type: ignore[attr-defined]


def test_a_crashing_worker_fails_only_its_file(tmp_path: Path, monkeypatch) -> None:
    """A worker killed by native code costs only the file it was reading; the batch goes on."""
    import perfxl.batch as batch_mod
    from perfxl.evaluate import Options

    src = tmp_path / "in"
    src.mkdir()
    example = (
        Path(__file__).resolve().parent.parent / "inputs" / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
    )
    for name in ("a.xlsx", "b.xlsx", "crash.xlsx", "d.xlsx", "e.xlsx"):
        (src / name).write_bytes(example.read_bytes())
    monkeypatch.setattr(batch_mod, "_real_score_one", batch_mod.score_one, raising=False)
    monkeypatch.setattr(batch_mod, "score_one", _fragile)  # the workers are forked after this
    report = batch_mod.run_batch(src, tmp_path / "out", Options(), jobs=2, details=False)
    assert [f["file"] for f in report.failed] == ["crash.xlsx"]
    assert "工作进程异常退出" in report.failed[0]["error"]
    assert sorted(s["file"] for s in report.summaries) == ["a.xlsx", "b.xlsx", "d.xlsx", "e.xlsx"]


# --- folders without workbooks; perfxl's own outputs ------------------------------------

EXAMPLE = (
    Path(__file__).resolve().parent.parent / "inputs" / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
)
# filled from a perfxl template: perfxl is its author too, yet it is a workbook to score
FROM_TEMPLATE = Path(__file__).resolve().parent.parent / "inputs" / "示例_部门项目自评1_高标准农田建设.xlsx"


@pytest.mark.parametrize(
    ("layout", "needle"),
    [
        ({}, "中没有工作簿（.xlsx/.xlsm/.xls/.ods），请检查路径"),
        (
            {"说明.txt": b"x", "子/甲.xlsx": None, "子/孙/乙.xlsx": None},
            "；子文件夹中有 2 个，加 --recursive 可一并评分",
        ),
        (
            {"甲_评分结果.xlsx": "output"},
            "中只有 perfxl 写出的 1 个评分结果（如 甲_评分结果.xlsx），没有待评分的工作簿",
        ),
    ],
)
def test_a_folder_without_workbooks_is_one_line(tmp_path: Path, layout: dict[str, Any], needle: str) -> None:
    src = tmp_path / "输入"
    src.mkdir()
    for name, content in layout.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == "output":
            scored = perfxl("score", str(EXAMPLE), "-o", str(path))
            assert scored.returncode == 0, scored.stderr
        else:
            path.write_bytes(content if content is not None else EXAMPLE.read_bytes())
    dest = tmp_path / "输出"
    proc = perfxl("batch", str(src), "-o", str(dest))
    assert proc.returncode == 1 and proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"文件夹 {src} 中") and line.endswith(needle), line
    assert not dest.exists()  # no empty 汇总.xlsx, not even the folder


def test_perfxl_outputs_are_skipped_not_scored(tmp_path: Path) -> None:
    src = tmp_path / "评价"
    src.mkdir()
    (src / "甲.xlsx").write_bytes(EXAMPLE.read_bytes())
    (src / "自评.xlsx").write_bytes(FROM_TEMPLATE.read_bytes())
    assert perfxl("score", str(src / "甲.xlsx")).returncode == 0  # writes 甲_评分结果.xlsx beside it
    assert perfxl("survey", str(src / "甲.xlsx"), "-o", str(src / "问卷分析.xlsx")).returncode == 0
    first = perfxl("batch", str(src), "-o", str(tmp_path / "第一次"))
    assert scored_line(first.stdout) == (2, 2, 0) and "，跳过 2" in first.stdout, first.stdout + first.stderr
    (src / "汇总.xlsx").write_bytes((tmp_path / "第一次" / "汇总.xlsx").read_bytes())
    again = perfxl("batch", str(src), "-o", str(tmp_path / "第二次"), "--json")
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert [r["file"] for r in doc["results"]] == ["甲.xlsx", "自评.xlsx"]
    skipped = ["汇总.xlsx", "甲_评分结果.xlsx", "问卷分析.xlsx"]
    assert [s["file"] for s in doc["skipped"]] == skipped
    assert all("perfxl 写出的评分结果" in s["reason"] for s in doc["skipped"])
    assert outputs(tmp_path / "第二次") == ["汇总.xlsx", "甲.xlsx", "自评.xlsx"]
    text = perfxl("batch", str(src), "-o", str(tmp_path / "第三次"))
    assert [ln.split("：")[0] for ln in text.stderr.splitlines()] == [f"跳过 {name}" for name in skipped]


def test_is_perfxl_output_reads_only_the_document_properties(tmp_path: Path) -> None:
    from perfxl.book import is_perfxl_output

    out = tmp_path / "结果.xlsx"
    assert perfxl("score", str(EXAMPLE), "-o", str(out)).returncode == 0
    assert is_perfxl_output(out)
    for other in (EXAMPLE, FROM_TEMPLATE, tmp_path / "没有.xlsx", tmp_path):
        assert not is_perfxl_output(other)
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04 broken")
    assert not is_perfxl_output(tmp_path / "坏.xlsx")
