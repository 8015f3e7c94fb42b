"""Bad input and hostile files (docs/architecture.md, perfxl issue 7): clear errors, nothing lost, nothing leaked.

Every case of the corpus in ``tests/hostile.py`` goes through the real entry point.  A
rejected file must give exit 1 and one Chinese line per problem naming the file (and
sheet and cell where it applies), no traceback, no output file, no temporary file, and an
input that is byte for byte what it was.  A readable one must score.  Cases that could
eat the machine (a million rows, zip bombs, sparse cells, entity expansion) run in a
subprocess that must end within 30 s and stay under 1 GB.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import hostile
import openpyxl
import pytest
from hostile import CASES, FORMULA_TEXTS, GOOD_SCORES, GOOD_TOTAL, SECRET_FILE, Case

from perfxl import book as book_module
from perfxl.book import Sheet, open_book
from perfxl.cli import main
from perfxl.errors import PerfxlError

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
EXAMPLE = INPUTS / "000_政务服务运行维护费_项目评价.xlsx"
TIME_LIMIT = 30.0
MEMORY_LIMIT = 1024 * 1024 * 1024
REJECT = [c for c in CASES if c.expect == "reject"]
SCORE = [c for c in CASES if c.expect == "score"]

Built = Callable[[str], Path]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build corpus files on demand, once per test process."""
    folder = tmp_path_factory.mktemp("corpus")
    done: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = hostile.build(hostile.BY_NAME[name], folder)
        return done[name]

    return get


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real entry point in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.out, out.err


_CHILD = """
import os, resource, sys
from perfxl.cli import main
try:
    main(sys.argv[1:])
finally:
    with open(os.environ["PERFXL_RSS_FILE"], "w") as fh:
        fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
"""


def run_measured(args: list[str], tmp_path: Path) -> tuple[int, str, str, float, int]:
    """perfxl in a subprocess: (exit code, stdout, stderr, seconds, peak RSS bytes)."""
    rss_file = tmp_path / "rss.txt"
    env = {**os.environ, "PERFXL_RSS_FILE": str(rss_file)}
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, env=env, timeout=2 * TIME_LIMIT
    )
    seconds = time.monotonic() - start
    assert rss_file.exists(), f"perfxl died (exit {proc.returncode}) without reporting: {proc.stderr[-2000:]}"
    return proc.returncode, proc.stdout, proc.stderr, seconds, int(rss_file.read_text())


def secrets() -> list[str]:
    """Lines of the file the XXE cases point at; none may ever show up in perfxl's output."""
    try:
        lines = Path(SECRET_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [ln.strip() for ln in lines if len(ln.strip()) >= 8]


def assert_clean_lines(stderr: str, src: Path, needles: tuple[str, ...]) -> None:
    """One Chinese line per problem, each naming the file; no traceback; the expected words."""
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines, "no message at all"
    for line in lines:
        assert line.startswith(f"文件 {src}"), line
        assert any("\u4e00" <= ch <= "\u9fff" for ch in line), line
    for needle in needles:
        assert needle in stderr, f"{needle!r} not in {stderr!r}"


def assert_nothing_written(folder: Path) -> None:
    left = sorted(p.name for p in folder.iterdir())
    assert left == [], f"left behind: {left}"


# ------------------------------------------------------------------ every rejected case


@pytest.mark.parametrize("case", REJECT, ids=[c.name for c in REJECT])
def test_rejected_with_one_chinese_line_per_problem(case: Case, built: Built, tmp_path: Path, capsys) -> None:
    src = built(case.name)
    before = sha256(src)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = ["score", str(src), "-o", str(out_dir / "结果.xlsx"), "--json"]
    if case.heavy:
        code, stdout, stderr, seconds, rss = run_measured(args, tmp_path)
        assert seconds < TIME_LIMIT, f"{seconds:.1f} s"
        assert rss < MEMORY_LIMIT, f"peak RSS {rss // 2**20} MB"
    else:
        code, stdout, stderr = run_cli(args, capsys)
    assert code == 1, stderr
    assert stdout == ""  # no half JSON document
    assert_clean_lines(stderr, src, case.needles)
    assert_nothing_written(out_dir)
    assert sha256(src) == before
    if "xxe" in case.tags:
        for secret in secrets():
            assert secret not in stdout + stderr


@pytest.mark.parametrize("name", ["empty", "docx", "text_in_numbers", "uncached_formulas", "xxe_sheet"])
def test_check_rejects_too(name: str, built: Built, capsys) -> None:
    src = built(name)
    code, stdout, stderr = run_cli(["check", str(src)], capsys)
    assert code == 1 and "Traceback" not in stdout + stderr


def test_debug_flag_keeps_user_mistakes_to_one_line(built: Built, tmp_path: Path, capsys) -> None:
    code, _stdout, stderr = run_cli(
        ["--debug", "score", str(built("docx")), "-o", str(tmp_path / "o.xlsx")], capsys
    )
    assert code == 1 and "Traceback" not in stderr and "Word 文档" in stderr


# ------------------------------------------------------------------ every readable case


def _scores(data: dict) -> dict[str, float]:
    return {ind["name"]: ind["score"] for ind in data["indicators"]}


@pytest.mark.parametrize("case", SCORE, ids=[c.name for c in SCORE])
def test_readable_cases_score(case: Case, built: Built, tmp_path: Path, capsys) -> None:
    src = built(case.name)
    before = sha256(src)
    out_dir = tmp_path / "输出 目录"
    out_dir.mkdir()
    out = out_dir / "评分 结果.xlsx"
    args = ["score", str(src), "-o", str(out), "--json"]
    if case.heavy:
        code, stdout, stderr, seconds, rss = run_measured(args, tmp_path)
        assert seconds < TIME_LIMIT and rss < MEMORY_LIMIT, (seconds, rss)
    else:
        code, stdout, stderr = run_cli(args, capsys)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    data = json.loads(stdout)
    for name, score in GOOD_SCORES.items():
        assert _scores(data)[name] == score, (name, data["indicators"])
    if case.name != "formula_text":
        assert data["total"] == GOOD_TOTAL
    assert sorted(p.name for p in out_dir.iterdir()) == [out.name]  # no temporary file left
    assert sha256(src) == before
    openpyxl.load_workbook(out, read_only=True).close()


def test_formula_looking_text_stays_text(built: Built, tmp_path: Path, capsys) -> None:
    """ "=HYPERLINK(…)", "@SUM(A1)", "+cmd|…", "-2+3" in every text column come out as text, never formulas."""
    src = built("formula_text")
    out = tmp_path / "out.xlsx"
    code, _stdout, stderr = run_cli(["score", str(src), "-o", str(out)], capsys)
    assert code == 0, stderr
    source = openpyxl.load_workbook(src)["指标"]
    planted = {
        (c.row, c.column): c.value for row in source.iter_rows() for c in row if c.value in FORMULA_TEXTS
    }
    assert len(planted) >= 12
    wb = openpyxl.load_workbook(out)
    scores = wb["评分表"]
    for (r, c), text in planted.items():
        cell = scores.cell(r, c)
        assert cell.value == text and cell.data_type == "s", (cell.coordinate, cell.value, cell.data_type)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # perfxl's own formulas may quote user text, never run it
                    code = re.sub(r'"(?:[^"]|"")*"', '""', str(cell.value))
                    assert not any(word in code for word in ("HYPERLINK", "cmd", "SUM(A1)", "-2+3")), code
                if cell.value in FORMULA_TEXTS:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)


def test_group_names_with_quotes_and_wildcards_recalculate(lo, built: Built, tmp_path: Path, capsys) -> None:
    """Group names are user text inside 汇总's SUMIF criteria: quotes, "=", "*" and "?" must not break them."""
    rows = hostile.indicator_rows()
    rows[2][1], rows[3][1], rows[4][1] = "产出*", "产出", '=HYPERLINK("http://x","y")?'
    src = hostile.table_xlsx(tmp_path / "wild.xlsx", rows)
    outputs = []
    for path in (src, built("formula_text")):
        out = tmp_path / f"{path.stem}_out.xlsx"
        code, _stdout, stderr = run_cli(["score", str(path), "-o", str(out)], capsys)
        assert code == 0, stderr
        outputs.append(out)
    for out, mismatches in lo.compare_many(outputs).items():
        assert not mismatches, (out.name, [str(m) for m in mismatches])


def test_old_xls_scores(lo, built: Built, tmp_path: Path, capsys) -> None:
    """An Excel 97-2003 .xls (made by LibreOffice from the good case) is read by calamine and scored."""
    from recalc import _convert

    run = tmp_path / "xls"
    run.mkdir()
    [xls] = _convert([built("good")], run, "xls")
    src = tmp_path / "旧格式 评分表.xls"
    shutil.copyfile(xls, src)
    before = sha256(src)
    out = tmp_path / "out.xlsx"
    code, stdout, stderr = run_cli(["score", str(src), "-o", str(out), "--json"], capsys)
    assert code == 0, stderr
    data = json.loads(stdout)
    assert _scores(data) == GOOD_SCORES and data["total"] == GOOD_TOTAL
    assert sha256(src) == before


def test_real_password_protected_workbook(built: Built, tmp_path: Path, capsys) -> None:
    pytest.importorskip(
        "msoffcrypto", reason="msoffcrypto-tool 未安装（pip install -e '.[dev]'），跳过真实加密文件测试"
    )
    src = hostile.encrypted_real_xlsx(tmp_path / "加密.xlsx", built("good"))
    before = sha256(src)
    code, _stdout, stderr = run_cli(["score", str(src), "-o", str(tmp_path / "o.xlsx")], capsys)
    assert code == 1
    assert_clean_lines(stderr, src, ("打开密码",))
    assert sha256(src) == before and not (tmp_path / "o.xlsx").exists()


# ------------------------------------------------------------------ entities: proof at the parsers


@pytest.mark.parametrize("name", ["xxe_shared_strings", "xxe_sheet", "billion_laughs"])
def test_calamine_itself_does_not_expand_entities(name: str, built: Built) -> None:
    """Without perfxl's guard, python-calamine (quick-xml) refuses the entity instead of expanding it."""
    from python_calamine import CalamineError, CalamineWorkbook

    start = time.monotonic()
    try:
        wb = CalamineWorkbook.from_path(str(built(name)))
        seen = repr([wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names])
    except CalamineError as exc:
        seen = str(exc)
        assert "entity" in seen
    assert time.monotonic() - start < 5
    assert "lollollol" not in seen
    for secret in secrets():
        assert secret not in seen


@pytest.mark.parametrize("name", ["xxe_shared_strings", "xxe_sheet", "billion_laughs"])
def test_openpyxl_reads_through_defusedxml(name: str, built: Built) -> None:
    """Where openpyxl reads a workbook (tests, fixtures), defusedxml is active and forbids the entities."""
    from defusedxml import DefusedXmlException

    assert openpyxl.xml.DEFUSEDXML is True
    with pytest.raises(Exception) as info:  # openpyxl wraps the parser's error in a ValueError
        openpyxl.load_workbook(built(name))
    chain, exc = [], info.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(isinstance(e, DefusedXmlException) for e in chain), chain
    for secret in secrets():
        assert all(secret not in str(e) for e in chain)


# ------------------------------------------------------------------ caps, one by one


def _table(tmp_path: Path, n_rows: int, *, refs: bool = True, name: str = "t.xlsx") -> Path:
    rows = hostile.indicator_rows()[:5] + [
        [i, "产出", "数量", f"指标{i}", 1, "", "", "", 1] for i in range(n_rows)
    ]
    return hostile.table_xlsx(tmp_path / name, rows, refs=refs)


@pytest.mark.parametrize("refs", [True, False], ids=["with_refs", "without_refs"])
def test_row_cap_before_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refs: bool) -> None:
    monkeypatch.setattr(book_module, "MAX_ROWS", 50)
    wb = open_book(_table(tmp_path, 60, refs=refs))
    with pytest.raises(PerfxlError, match="工作表过大") as exc:
        wb.sheet("指标")
    assert exc.value.sheet == "指标"
    monkeypatch.setattr(book_module, "MAX_ROWS", 100)
    assert len(open_book(_table(tmp_path, 60, refs=refs, name="ok.xlsx")).sheet("指标").rows) == 65


def test_cell_caps_per_sheet_and_per_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = hostile.write_xlsx(
        tmp_path / "two.xlsx",
        {
            "指标": hostile.sheet_xml(hostile.indicator_rows()),
            "基础表": hostile.sheet_xml([[1] * 10 for _ in range(6)]),
        },
    )
    monkeypatch.setattr(book_module, "MAX_CELLS", 59)
    with pytest.raises(PerfxlError, match="工作表过大"):
        open_book(path).sheet("指标")  # 6 rows × 10 columns
    monkeypatch.setattr(book_module, "MAX_CELLS", 100)
    wb = open_book(path)
    wb.sheet("指标")
    with pytest.raises(PerfxlError, match="工作簿过大"):
        wb.sheet("基础表")


def test_size_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = hostile.table_xlsx(tmp_path / "t.xlsx")
    monkeypatch.setattr(book_module, "MAX_PART_BYTES", 1000)
    with pytest.raises(PerfxlError, match="超过单个部件上限"):
        open_book(path)
    monkeypatch.setattr(book_module, "MAX_PART_BYTES", 10**9)
    monkeypatch.setattr(book_module, "MAX_UNCOMPRESSED_BYTES", 3000)
    with pytest.raises(PerfxlError, match="解压后大小"):
        open_book(path)
    monkeypatch.setattr(book_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(PerfxlError, match="文件大小"):
        open_book(path)


def test_uncached_formulas_are_found_where_calamine_reads_empty(tmp_path: Path) -> None:
    rows = [
        ["三级指标", "权重", "得分"],
        ["a", hostile.Formula("=1+1"), hostile.Formula("=B2", cached=2.0)],
        ["b", hostile.Raw("x"), hostile.Formula("=B3")],
    ]
    xml = hostile.sheet_xml(rows)
    # a shared-formula child and a formula whose saved result is the empty text
    xml = xml.replace(
        "</row></sheetData>",
        '<c r="D3"><f t="shared" si="0"/></c><c r="E3" t="str"><f>""</f><v></v></c></row></sheetData>',
    )
    for variant, text in (("plain", xml), ("prefixed", hostile.prefixed(xml))):
        path = hostile.write_xlsx(tmp_path / f"{variant}.xlsx", {"指标": text})
        sheet = open_book(path).sheet("指标")
        assert sheet.uncached == {(1, 1), (2, 2), (2, 3)}, variant
        assert sheet.value(1, 1) == "" and sheet.value(1, 2) == 2.0


def test_merges_are_clipped_deduplicated_and_never_overlap() -> None:
    rows: list[list[object]] = [["x"] * 4 for _ in range(3)]
    merged = [
        ((0, 0), (1048575, 16383)),
        ((0, 0), (0, 1)),
        ((0, 0), (0, 1)),
        ((1, 1), (2, 2)),
        ((2, 2), (2, 3)),
        ((5, 5), (6, 6)),
        ((2, 0), (2, 0)),
    ]
    clipped = book_module._clip_merges(merged, rows)
    assert clipped == [((0, 0), (0, 1)), ((1, 1), (2, 2))]
    assert book_module._clip_merges([((0, 0), (2, 3))] * 100_000, rows) == [((0, 0), (2, 3))]
    assert Sheet("s", rows, clipped).width == 4


# ------------------------------------------------------------------ output paths


def _unwritable_dir(tmp_path: Path) -> Path:
    """A directory this process cannot create files in.

    chmod does not stop root, so as root use a kernel file system that refuses new files
    (/sys, /proc: os.access says yes, creating a file fails); otherwise a 0o555 folder.
    """
    if os.geteuid() != 0:
        folder = tmp_path / "只读"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    for candidate in ("/sys/kernel", "/sys", "/proc"):
        try:
            fd, name = tempfile.mkstemp(dir=candidate)
        except OSError:
            return Path(candidate)
        os.close(fd)
        os.unlink(name)
    pytest.skip("没有找到 root 也无法写入的目录")


@pytest.mark.parametrize(
    ("where", "needle"),
    [
        ("missing", "输出目录不存在"),
        ("under_a_file", "输出目录不是文件夹"),
        ("unwritable", "输出目录不可写"),
        ("a_directory", "输出路径是一个文件夹"),
        ("the_input", "不能与输入文件相同"),
        ("the_input_spelled_otherwise", "不能与输入文件相同"),
        ("a_link_to_the_input", "不能与输入文件相同"),
    ],
)
def test_output_path_problems(where: str, needle: str, built: Built, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "评价 输入"
    folder.mkdir()
    src = folder / "示例 评分表.xlsx"
    shutil.copyfile(built("good"), src)
    before = sha256(src)
    (tmp_path / "a file").write_text("x")
    (tmp_path / "a dir").mkdir()
    (tmp_path / "link.xlsx").symlink_to(src)
    out = {
        "missing": tmp_path / "没有这个目录" / "o.xlsx",
        "under_a_file": tmp_path / "a file" / "o.xlsx",
        "unwritable": _unwritable_dir(tmp_path) / "perfxl-o.xlsx",
        "a_directory": tmp_path / "a dir",
        "the_input": src,
        "the_input_spelled_otherwise": folder / ".." / folder.name / src.name,
        "a_link_to_the_input": tmp_path / "link.xlsx",
    }[where]
    code, _stdout, stderr = run_cli(["score", str(src), "-o", str(out)], capsys)
    assert code == 1
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and lines[0].startswith(f"文件 {out}"), lines
    assert sha256(src) == before
    assert sorted(p.name for p in folder.iterdir()) == [src.name]
    assert list((tmp_path / "a dir").iterdir()) == []


@pytest.mark.parametrize(("where", "needle"), [("a file", "不是文件夹"), ("unwritable", "输出文件夹不可写")])
def test_batch_output_folder_problems(where: str, needle: str, built: Built, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(built("good"), folder / "a.xlsx")
    (tmp_path / "a file").write_text("x")
    out = tmp_path / "a file" if where == "a file" else _unwritable_dir(tmp_path)
    code, _stdout, stderr = run_cli(["batch", str(folder), "-o", str(out), "--jobs", "1"], capsys)
    assert code == 1 and "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], lines


# ------------------------------------------------------------------ batches


BATCH_BAD = (
    "empty",
    "docx",
    "text_in_numbers",
    "uncached_formulas",
    "xxe_sheet",
    "sparse_cells",
    "zip_bomb_lying",
    "encrypted",
    "ole_not_xls",
)
BATCH_GOOD = ("good", "merged_header", "no_cell_references")


def test_batch_scores_the_good_and_lists_the_bad(built: Built, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "输入 文件夹"
    folder.mkdir()
    for name in BATCH_BAD + BATCH_GOOD:
        shutil.copyfile(built(name), folder / f"{name}.xlsx")
    hashes = {p.name: sha256(p) for p in folder.iterdir()}
    out = tmp_path / "输出"
    code, stdout, stderr = run_cli(["batch", str(folder), "-o", str(out), "--jobs", "2", "--json"], capsys)
    assert code == 1
    data = json.loads(stdout)
    assert sorted(Path(r["file"]).stem for r in data["results"]) == sorted(BATCH_GOOD)
    for r in data["results"]:
        assert _scores(r) == GOOD_SCORES
    failed = {Path(f["file"]).stem: f["error"] for f in data["failed"]}
    assert sorted(failed) == sorted(BATCH_BAD)
    for name, error in failed.items():
        needles = [n.split("：", 1)[-1] for n in hostile.BY_NAME[name].needles]
        assert any(n in error for n in needles) and "内部错误" not in error, (name, error)
    assert "Traceback" not in stderr
    # 汇总.xlsx lists the failures with their reasons
    wb = openpyxl.load_workbook(out / "汇总.xlsx", read_only=True)
    rows = list(wb["失败"].iter_rows(min_row=2, values_only=True))
    wb.close()
    assert sorted(Path(r[1]).stem for r in rows) == sorted(BATCH_BAD)
    assert {Path(r[1]).stem: r[2] for r in rows} == failed
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.xlsx" for n in BATCH_GOOD] + ["汇总.xlsx"])
    assert {p.name: sha256(p) for p in folder.iterdir()} == hashes


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_during_a_batch_leaves_only_complete_files(jobs: int, tmp_path: Path) -> None:
    """SIGINT to the whole process group (what a terminal's Ctrl-C does) once the first output exists."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(20):
        shutil.copyfile(EXAMPLE, folder / f"{i:02d}.xlsx")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfxl.cli", "batch", str(folder), "-o", str(out), "--jobs", str(jobs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + TIME_LIMIT
    while not list(out.glob("*.xlsx")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=TIME_LIMIT)
    assert proc.returncode == 130, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines and all(any("\u4e00" <= ch <= "\u9fff" for ch in ln) for ln in lines), stderr
    assert "Traceback" not in stderr
    written = sorted(out.iterdir())
    assert not [p.name for p in written if p.name.startswith(".perfxl-")]
    outputs = [p for p in written if p.suffix == ".xlsx"]
    assert 1 <= len(outputs) < 20
    for p in outputs:
        openpyxl.load_workbook(p, read_only=True).close()
