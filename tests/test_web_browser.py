"""The web page end to end in a real browser: Debian's Chromium driven by Playwright, against
``perfxl serve`` running in a process of its own on a free port (docs/web.md).

Without chromium or the playwright package these tests are skipped with the reason;
with PERFXL_REQUIRE_BROWSER=1 (CI) they fail instead.  PERFXL_UPDATE_SCREENSHOT=1
rewrites docs/web.png from the results page.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hostile
import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
SCREENSHOT = ROOT / "docs" / "web.png"
TIMEOUT_MS = 90_000

pytestmark = pytest.mark.browser


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium through Playwright, or a skip (a failure when PERFXL_REQUIRE_BROWSER=1) saying what is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    executable = _chromium()
    missing = None
    if sync_playwright is None:
        missing = "未安装 Python 包 playwright，跳过浏览器测试（pip install -e '.[dev]'）"
    elif executable is None:
        missing = "未找到 chromium，跳过浏览器测试（以 root 运行 make test 会自动安装，或：apt-get install chromium）"
    if missing:
        if os.environ.get("PERFXL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PERFXL_REQUIRE_BROWSER=1，但{missing}")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable)
        yield chromium
        chromium.close()


@dataclass
class Server:
    url: str
    temp: Path
    process: subprocess.Popen[str]

    def stop(self) -> tuple[int, str, str]:
        """SIGTERM, as a service manager stops it; exit code, stdout, stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=60)
        return self.process.returncode, out, err


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """``perfxl serve --port 0`` with a temporary folder of its own; stopped and checked at the end."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "perfxl.cli", "serve", "--port", "0", "--jobs", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    line = process.stdout.readline() if process.stdout else ""
    found = re.search(r"http://\S+", line)
    if found is None:
        process.kill()
        pytest.fail(f"perfxl serve did not start: {line}{process.communicate()[1]}")
    running = Server(found.group(0), temp, process)
    yield running
    code, _out, err = running.stop()
    assert code == 0, err
    assert list(temp.iterdir()) == [], "files left in the temporary folder after shutdown"


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    return page


def upload(page, files: list[Path]) -> None:
    """Choose files on the upload page and wait for the scored results."""
    page.set_input_files("#pick-files", [str(f) for f in files])
    page.wait_for_url(re.compile(r"/runs/[^/]+$"))
    page.wait_for_selector('#results[data-pending="0"]')


def shown_rows(page) -> dict[str, tuple[str, str]]:
    """The results table: file name → (total, grade) as shown."""
    rows = {}
    for tr in page.locator("#results-table tbody tr").all():
        cells = tr.locator("td").all_inner_texts()
        rows[cells[0].strip()] = (cells[3].strip(), cells[4].strip())
    return rows


def cli_batch(tmp_path: Path) -> dict[str, dict]:
    """``perfxl batch inputs --json``: each workbook's JSON result, by file name."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfxl.cli",
            "batch",
            str(INPUTS),
            "-o",
            str(tmp_path / "cli"),
            "--json",
            "-j",
            "2",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {Path(r["file"]).name: r for r in json.loads(out.stdout)["results"]}


def test_examples_score_as_the_cli_says(browser, server: Server, tmp_path: Path) -> None:
    examples = sorted(INPUTS.glob("*.xlsx"))
    page = open_page(browser, server.url)
    upload(page, examples)
    rows = shown_rows(page)
    expected = cli_batch(tmp_path)
    assert set(rows) == {p.name for p in examples} == set(expected)
    for name, (total, grade) in rows.items():
        assert float(total) == expected[name]["total"] and grade == expected[name]["grade"], name
    page.click("#results-table th >> text=总分")
    totals = [float(t) for t, _ in shown_rows(page).values()]
    assert totals == sorted(totals, reverse=True)
    if os.environ.get("PERFXL_UPDATE_SCREENSHOT") == "1":
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    with page.expect_download() as summary:
        page.click("#download-summary")
    summary_path = tmp_path / "汇总.xlsx"
    summary.value.save_as(summary_path)
    assert openpyxl.load_workbook(summary_path)["汇总"].max_row > len(examples)
    with page.expect_download() as everything:
        page.click("#download-zip")
    zip_path = tmp_path / "all.zip"
    everything.value.save_as(zip_path)
    names = zipfile.ZipFile(zip_path).namelist()
    # 汇总.xlsx, and per workbook its annotated workbook, JSON and Word report
    assert len(names) == 1 + 3 * len(examples)
    assert sum(name.endswith("_评价报告.docx") for name in names) == len(examples)

    page.click(f"text={REF004.name}")
    assert page.inner_text("#total") == f"{expected[REF004.name]['total']:.2f}"
    assert page.locator("svg.bars rect.bar").count() >= 3
    assert page.locator("#indicators tbody tr").count() > len(expected[REF004.name]["indicators"])
    with page.expect_download() as annotated:
        page.click("text=下载批注评分表")
    assert annotated.value.suggested_filename == f"{REF004.stem}_评分结果.xlsx"
    saved = tmp_path / annotated.value.suggested_filename
    annotated.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    assert {"汇总", "审核意见"} <= set(book.sheetnames)
    page.close()


def test_hostile_files_show_their_error_line(browser, server: Server, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    bad = [hostile.build(hostile.BY_NAME[name], corpus) for name in ("empty", "docx", "xxe_sheet")]
    lines = {}
    for path in bad:
        cli = subprocess.run(
            [sys.executable, "-m", "perfxl.cli", "score", str(path), "--no-output"],
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 1
        lines[path.name] = re.sub(rf"^文件 {re.escape(str(path))}[：，]", "", cli.stderr.strip())
    page = open_page(browser, server.url)
    upload(page, [*bad, REF004])
    failed = page.locator("#failed li").all_inner_texts()
    assert sorted(failed) == sorted(f"{name}：{line}" for name, line in lines.items())
    assert REF004.name in shown_rows(page)
    page.goto(server.url)  # the server is still there
    assert page.title().startswith("上传评分表")
    page.close()


def test_folder_picker_drop_and_rule_box(browser, server: Server, tmp_path: Path) -> None:
    folder = tmp_path / "评价" / "子文件夹"
    folder.mkdir(parents=True)
    shutil.copy(REF004, folder)
    (folder / "说明.txt").write_text("不是工作簿", encoding="utf-8")
    page = open_page(browser, server.url)
    page.set_input_files("#pick-folder", str(folder.parent))
    page.wait_for_url(re.compile(r"/runs/[^/]+$"))
    page.wait_for_selector('#results[data-pending="0"]')
    assert list(shown_rows(page)) == [REF004.name]

    page.goto(server.url)
    dropped = page.evaluate_handle(
        """(data) => {
            const transfer = new DataTransfer();
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            transfer.items.add(new File([bytes], "拖入的评分表.xlsx"));
            transfer.items.add(new File(["x"], "~$锁文件.xlsx"));
            return transfer;
        }""",
        base64.b64encode(REF004.read_bytes()).decode(),
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
    page.wait_for_url(re.compile(r"/runs/[^/]+$"))
    page.wait_for_selector('#results[data-pending="0"]')
    assert list(shown_rows(page)) == ["拖入的评分表.xlsx"] and page.locator("#failed").count() == 0

    page.click("text=模板与评分标准")
    page.fill("textarea[name=text]", "预算执行率100%得满分，每降低1%扣5%权重分，扣完为止。")
    page.fill("input[name=weight]", "10")
    page.fill("input[name=actual]", "97%")
    page.click("text=解释并试算")
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfxl.cli",
            "rule",
            page.input_value("textarea[name=text]"),
            "-w",
            "10",
            "-a",
            "97%",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(cli.stdout)
    assert page.inner_text("#rule-label") == expected["label"]
    assert float(page.inner_text("#rule-score")) == expected["score"]
    with page.expect_download() as template:
        page.click("#templates a >> nth=0")
    saved = tmp_path / template.value.suggested_filename
    template.value.save_as(saved)
    assert saved.suffix == ".xlsx" and openpyxl.load_workbook(saved).sheetnames
    page.close()


def test_nothing_remains_after_shutdown(browser, server: Server) -> None:
    page = open_page(browser, server.url)
    upload(page, [REF004])
    page.close()
    assert any(server.temp.rglob("*_评分结果.xlsx"))
    code, out, err = server.stop()
    assert code == 0 and "已停止" in out, err
    assert list(server.temp.iterdir()) == []
