"""The command line contract (docs/api.md): help, exit codes, Chinese one-line errors, JSON, outputs."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfxl.cli import cli, main

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
REF000 = INPUTS / "000_政务服务运行维护费_项目评价.xlsx"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"


def run(args, capsys):
    """Run the real entry point (with its error handling) and return (code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_chinese_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    doc = cli.commands[command].help or ""
    assert doc and any("\u4e00" <= ch <= "\u9fff" for ch in doc)


def test_help_does_not_import_pandas():
    code = "import sys; from perfxl.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\nprint('pandas' in sys.modules, 'openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False False")


def test_score_writes_output_and_json(tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    before = hashlib.sha256(REF004.read_bytes()).hexdigest()
    code, stdout, _ = run(["score", str(REF004), "-o", str(out), "--json"], capsys)
    assert code == 0
    data = json.loads(stdout)
    assert data["total"] == 93.0 and data["grade"] == "优" and data["output"] == str(out)
    for key in ("file", "kind", "title", "groups", "indicators", "findings"):
        assert key in data
    assert {
        "code",
        "name",
        "group",
        "weight",
        "target",
        "actual",
        "rule",
        "score",
        "declared_score",
        "expert_scores",
    } <= set(data["indicators"][0])
    assert hashlib.sha256(REF004.read_bytes()).hexdigest() == before  # the input is never modified
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["评分表", "汇总", "审核意见"]
    assert not list(tmp_path.glob(".perfxl-*"))  # no temporary file left behind


def test_check_exits_1_on_errors_and_0_otherwise(tmp_path, capsys):
    code, stdout, _ = run(["check", str(REF004)], capsys)
    assert code == 0 and "93.94%" in stdout
    wb = openpyxl.load_workbook(REF004)
    wb["指标"]["K3"] = 9  # A11: weight 3, declared score 9 → out of range
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    code, stdout, _ = run(["check", str(bad), "--json"], capsys)
    assert code == 1
    found = json.loads(stdout)["findings"]
    assert any(
        f["code"] == "score.out_of_range" and f["cell"] == "K3" and f["sheet"] == "指标" for f in found
    )


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["score", "nope.xlsx"], 1, "文件不存在"),
        (["score"], 2, "缺少参数"),
        (["score", "x.xlsx", "--bogus"], 2, "没有这个选项"),
        (["rule", "每降低1%扣5%权重分", "--weight", "五分"], 2, "不是数字"),
        (["score", str(REF004), "--grades", "60,80,90"], 2, "从高到低"),
        (["frobnicate"], 2, "没有这个命令"),
        (["score", str(REF004), "-o", "结果.ods"], 2, "不是 .xlsx 文件名"),
        (["batch", str(REF004), "-o", "输出"], 1, "这是一个文件，不是文件夹（单个工作簿请用 perfxl score）"),
        (["template", "project", "-o", f"{REF004}/模板.xlsx"], 1, "路径中有同名的文件"),
        (["check", str(INPUTS)], 1, "这是一个文件夹，不是工作簿"),
    ],
)
def test_user_mistakes_are_one_chinese_line(args, code, needle, capsys):
    got, _stdout, stderr = run(args, capsys)
    assert got == code
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in stderr


def test_text_in_a_number_cell_names_file_sheet_and_cell(tmp_path, capsys):
    wb = openpyxl.load_workbook(REF004)
    wb["指标"]["E3"] = "五分"
    bad = tmp_path / "五分.xlsx"
    wb.save(bad)
    out = tmp_path / "o.xlsx"
    code, _stdout, stderr = run(["score", str(bad), "-o", str(out)], capsys)
    assert code == 1 and not out.exists()
    assert f"文件 {bad}，工作表 指标，单元格 E3：权重“五分”不是数字" in stderr


def test_output_may_not_overwrite_input(tmp_path, capsys):
    src = tmp_path / "in.xlsx"
    src.write_bytes(REF004.read_bytes())
    code, _o, stderr = run(["score", str(src), "-o", str(src)], capsys)
    assert code == 1 and "不能与输入文件相同" in stderr
    assert src.read_bytes() == REF004.read_bytes()


def test_batch_demo(tmp_path, capsys):
    code, stdout, _ = run(
        ["batch", str(INPUTS), "-o", str(tmp_path / "out"), "--json", "--jobs", "1"], capsys
    )
    data = json.loads(stdout)
    assert code == 0, data["failed"]
    names = sorted(Path(r["file"]).name for r in data["results"])
    assert REF000.name in names and REF004.name in names
    assert (tmp_path / "out" / "汇总.xlsx").exists()


def test_check_refuses_what_score_refuses_with_the_same_lines(tmp_path, capsys):
    wb = openpyxl.load_workbook(REF004)
    wb["指标"]["E3"] = "五分"
    bad = tmp_path / "五分.xlsx"
    wb.save(bad)
    refused = []
    for command in (["score", str(bad), "--no-output"], ["check", str(bad)], ["check", str(bad), "--json"]):
        code, stdout, stderr = run(command, capsys)
        assert code == 1 and stdout == "", command  # no total, no JSON
        refused.append(stderr)
    assert refused[0] == refused[1] == refused[2]
    assert "单元格 E3：权重“五分”不是数字" in refused[0] and "无法计分的数据" in refused[0]


# --- no English in front of users -------------------------------------------------------

# words a Chinese user may see: the tool, file formats and products; command and option
# names, the template kinds and the user's own input are taken out before looking
ALLOWED_WORDS = {
    "perfxl",
    "xlsx",
    "xlsm",
    "xls",
    "ods",
    "JSON",
    "CSV",
    "csv",
    "Excel",
    "WPS",
    "LibreOffice",
    "CPU",
    "Word",
    "docx",
}
ALLOWED_WORDS |= {"Cronbach"}  # Cronbach α, the name of the statistic
ALLOWED_WORDS |= {"Parquet", "pyarrow"}  # a file format and the package that writes it
ALLOWED_WORDS |= {
    part for kind in ("project", "department", "self-project", "self-department") for part in kind.split("-")
}
ALLOWED_WORDS |= {"auto"}  # the report kinds: auto, project, department, self


def english_words(text: str, args: list[str] = ()) -> list[str]:
    for arg in sorted(args, key=len, reverse=True):
        text = text.replace(arg, " ")
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)  # option names
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_WORDS and w not in cli.commands]


@pytest.mark.parametrize(
    "args", [["--help"], [], *([c, "--help"] for c in sorted(cli.commands)), ["score", "-h"]]
)
def test_help_pages_are_chinese(args, capsys):
    code, stdout, stderr = run(args, capsys)
    assert code == 0 and stdout.startswith("用法：perfxl") and not stderr
    assert "选项：" in stdout and "-h, --help" in stdout and "显示此帮助并退出" in stdout
    if not args or args == ["--help"]:
        assert "命令：" in stdout
    assert english_words(stdout) == [], stdout


USAGE_ERRORS = [
    (["template", "self-projekt", "-o", "模板.xlsx"], "不是可选值"),
    (["template"], "缺少参数 类型"),
    (["template", "project"], "缺少选项 --output"),
    (["batch", "甲", "-o", "乙", "--jobs", "0"], "应不小于 1"),
    (["batch", "甲", "-o", "乙", "--jobs", "abc"], "不是整数"),
    (["batch", "甲"], "缺少选项 --output"),
    (["batch"], "缺少参数 输入文件夹"),
    (["score"], "缺少参数 输入.xlsx"),
    (["score", "甲.xlsx", "--rate-digits", "9"], "应在 0 到 4 之间"),
    (["score", "甲.xlsx", "--expert-weight", "2"], "应在 0 到 1 之间"),
    (["score", "甲.xlsx", "--expert-weight", "很多"], "不是数"),
    (["score", "甲.xlsx", "--grades"], "需要一个值"),
    (["score", "甲.xlsx", "--json=1"], "不需要值"),
    (["score", "甲.xlsx", "乙.xlsx"], "多余的参数"),
    (["score", "甲.xlsx", "--bogus"], "没有这个选项"),
    (["score", "甲.xlsx", "--jsn"], "是否想用 --json"),
    (["score", "甲.xlsx", "--grades", "60,80,90"], "从高到低"),
    (["rule"], "缺少参数 评分标准"),
    (["rule", "每项扣1分", "--failures", "-1"], "应不小于 0"),
    (["rule", "每项扣1分", "--weight", "五分"], "不是数字"),
    (["survey", "甲.xlsx", "--min-seconds", "-3"], "应不小于 0"),
    (["report", "甲.xlsx", "--output", "乙.pdf"], "不是 .docx 文件名"),
    (["report", "甲.xlsx", "--kind", "整体"], "不是可选值"),
    (["report"], "缺少参数 输入.xlsx"),
    (["frobnicate"], "没有这个命令"),
    (["scor"], "是否想用 score"),
    (["--bogus"], "没有这个选项"),
    (["--debug"], "缺少命令"),
]


@pytest.mark.parametrize(("args", "needle"), USAGE_ERRORS)
def test_usage_errors_are_one_chinese_line(args, needle, capsys):
    code, stdout, stderr = run(args, capsys)
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert code == 2 and not stdout
    assert len(lines) == 1 and lines[0].startswith("用法错误：") and needle in lines[0], stderr
    assert "--help 查看用法" in lines[0]
    assert english_words(lines[0], args) == [], lines[0]


def test_messages_of_a_run_are_chinese(tmp_path, capsys):
    out = tmp_path / "评分.xlsx"
    for args in (
        ["score", str(REF004), "-o", str(out)],
        ["check", str(REF000)],
        ["rule", "每降低1%扣5%权重分", "-w", "5", "-t", "≥95%", "-a", "93.5%"],
        ["survey", str(REF004)],
        ["template", "survey", "-o", str(tmp_path / "问卷.xlsx")],
        ["report", str(REF000), "-o", str(tmp_path / "报告.docx")],
        ["score", str(tmp_path / "没有.xlsx")],
    ):
        _code, stdout, stderr = run(args, capsys)
        text = (stdout + stderr).replace(str(INPUTS), " ").replace(str(tmp_path), " ")
        assert english_words(text) == [], (args, text)
