"""The web page's server without a browser (docs/web.md): the same results and errors as the
command line, the limits on uploads, same-origin POSTs only, and no file left behind."""

from __future__ import annotations

import html
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import hostile
import openpyxl
import pytest
import web_fakes
from starlette.testclient import TestClient

from perfxl import api
from perfxl.cli import main
from perfxl.web import Settings, Site, host_allowed, page_url
from perfxl.web_forms import clean_name
from perfxl.web_jobs import Tools

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
REF000 = INPUTS / "000_政务服务运行维护费_项目评价.xlsx"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
BASE = "http://127.0.0.1:8765"


class Page:
    """A test client on a running site, and the site's temporary folder."""

    def __init__(self, client: TestClient, site: Site) -> None:
        self.client = client
        self.site = site
        assert site.store is not None
        self.root = site.store.root

    def post(self, url: str, files: list[tuple[str, bytes]], data: dict[str, str] | None = None, **kw):
        """A same-origin POST, as the page's own form sends it."""
        parts = [
            ("files", (name, io.BytesIO(content), "application/octet-stream")) for name, content in files
        ]
        headers = {"origin": BASE, "x-perfxl-token": self.site.token, **kw.pop("headers", {})}
        return self.client.post(
            url, files=parts, data=data or {}, headers=headers, follow_redirects=False, **kw
        )

    def upload(self, files: list[tuple[str, bytes]], data: dict[str, str] | None = None) -> str:
        """Upload files as a new run; wait until every file is scored; the run's address."""
        response = self.post("/runs", files, data)
        assert response.status_code == 303, response.text
        run = response.headers["location"]
        self.wait(run)
        return run

    def wait(self, run: str, timeout: float = 90) -> str:
        """The run's table once nothing is pending."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            table = self.client.get(f"{run}/table").text
            if 'data-pending="0"' in table:
                return table
            time.sleep(0.2)
        raise AssertionError(f"still scoring after {timeout} s")


@pytest.fixture
def make_page(tmp_path: Path) -> Iterator[Callable[..., Page]]:
    """Start a site (lifespan included) with the given settings and tools; stopped at the end."""
    stack: list[TestClient] = []

    def make(tools: Tools | None = None, **settings) -> Page:
        settings.setdefault("jobs", 2)
        settings.setdefault("temp_parent", str(tmp_path))
        site = Site(api, Settings(**settings), tools)
        client = TestClient(site.app(), base_url=BASE)
        client.__enter__()
        stack.append(client)
        return Page(client, site)

    yield make
    for client in stack:
        client.__exit__(None, None, None)


@pytest.fixture
def page(make_page: Callable[..., Page]) -> Page:
    return make_page()


def cli_json(path: Path, capsys) -> dict:
    with pytest.raises(SystemExit) as exc:
        main(["score", str(path), "--json", "--no-output"])
        raise SystemExit(0)
    assert exc.value.code == 0
    return json.loads(capsys.readouterr().out)


def cli_errors(path: Path, capsys) -> list[str]:
    """What ``perfxl score`` says about a file it refuses, without the file's name."""
    with pytest.raises(SystemExit) as exc:
        main(["score", str(path), "--no-output"])
    assert exc.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    return [re.sub(rf"^文件 {re.escape(str(path))}[：，]", "", line) for line in lines]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def rows_of(table: str) -> dict[str, dict[str, str]]:
    """The results table: file name → its cells (unit, kind, total, grade, errors, warnings)."""
    found = {}
    for tr in re.findall(r'<tr data-state="done">(.*?)</tr>', table, re.S):
        cells = [text_of(td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        found[cells[0]] = dict(
            zip(("unit", "kind", "total", "grade", "errors", "warnings"), cells[1:], strict=True)
        )
    return found


# ------------------------------------------------------------------ the same results as the CLI


def test_uploads_score_as_the_cli_does(page: Page, capsys) -> None:
    run = page.upload([(REF000.name, REF000.read_bytes()), (REF004.name, REF004.read_bytes())])
    rows = rows_of(page.wait(run))
    for ref in (REF000, REF004):
        data = cli_json(ref, capsys)
        row = rows[ref.name]
        assert float(row["total"]) == data["total"] and row["grade"] == data["grade"]
        counts = [sum(f["severity"] == s for f in data["findings"]) for s in ("error", "warning")]
        assert [int(row["errors"]), int(row["warnings"])] == counts
    link = re.search(rf'href="({run}/files/[^"]+)">{re.escape(REF004.name)}<', page.client.get(run).text)
    assert link is not None
    workbook_page = page.client.get(link.group(1)).text
    assert '<span class="value" id="total">93.00</span>' in workbook_page
    assert "<svg" in workbook_page and "一级指标得分率" in workbook_page
    assert "扣分法" in workbook_page and "审核意见" in workbook_page
    downloaded = page.client.get(f"{link.group(1)}/json")
    assert downloaded.status_code == 200
    expected = cli_json(REF004, capsys)
    expected["file"] = REF004.name
    assert downloaded.json() == expected
    annotated = page.client.get(f"{link.group(1)}/xlsx")
    assert "attachment" in annotated.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(annotated.content))
    assert {"汇总", "审核意见"} <= set(book.sheetnames)


def test_summary_and_zip_of_a_run(page: Page) -> None:
    bad = ("坏文件.xlsx", b"not a workbook")
    run = page.upload([(REF000.name, REF000.read_bytes()), (REF004.name, REF004.read_bytes()), bad])
    summary = page.client.get(f"{run}/summary")
    assert summary.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(summary.content))["汇总"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, max_col=2, values_only=True) if row[1]]
    assert names[:3] == [REF004.name, REF000.name, "坏文件.xlsx"]  # highest total first, failures last
    archive = zipfile.ZipFile(io.BytesIO(page.client.get(f"{run}/zip").content))
    stems = [REF000.stem, REF004.stem]
    suffixes = ("_评分结果.xlsx", "_评分结果.json", "_评价报告.docx")
    assert sorted(archive.namelist()) == sorted(["汇总.xlsx", *(s + x for s in stems for x in suffixes)])
    openpyxl.load_workbook(io.BytesIO(archive.read(f"{REF000.stem}_评分结果.xlsx")))
    report = archive.read(f"{REF000.stem}_评价报告.docx")
    assert report.startswith(b"PK") and b"word/document.xml" in report


def test_scoring_options_from_the_form(page: Page) -> None:
    run = page.upload([(REF004.name, REF004.read_bytes())], {"grades": "优95,良85,中60"})
    assert rows_of(page.wait(run))[REF004.name]["grade"] == "良"
    refused = page.post("/runs", [(REF004.name, REF004.read_bytes())], {"rate_digits": "九"})
    assert refused.status_code == 400 and "完成率保留位数" in refused.text
    refused = page.post("/runs", [], {"grades": "很好"}, headers={"accept": "application/json"})
    assert refused.status_code == 400 and refused.json()["error"]


# ------------------------------------------------------------------ hostile files, as clear as the CLI


@pytest.mark.parametrize("name", ["empty", "text", "truncated", "docx", "encrypted", "xxe_sheet", "zip_bomb"])
def test_hostile_files_fail_with_the_cli_line(name: str, page: Page, tmp_path: Path, capsys) -> None:
    src = hostile.build(hostile.BY_NAME[name], tmp_path / "corpus")
    expected = cli_errors(src, capsys)
    run = page.upload([(src.name, src.read_bytes()), (REF000.name, REF000.read_bytes())])
    table = page.wait(run)
    failed = text_of(re.search(r'<ul class="failed" id="failed">(.*?)</ul>', table, re.S).group(1))
    assert f"{src.name}：{expected[0]}" in failed
    assert REF000.name in rows_of(table)  # the good file beside it is scored
    assert page.client.get("/").status_code == 200


def test_cells_that_block_scoring_are_listed(page: Page, tmp_path: Path, capsys) -> None:
    book = openpyxl.load_workbook(REF004)
    book["指标"]["E3"] = "五分"
    bad = tmp_path / "五分.xlsx"
    book.save(bad)
    expected = cli_errors(bad, capsys)
    run = page.upload([(bad.name, bad.read_bytes())])
    table = page.wait(run)
    assert "单元格 E3：权重“五分”不是数字" in text_of(table)
    item = re.search(r'<a href="(/runs/[^"]+/files/[^"]+)">逐项查看', table)
    detail = text_of(page.client.get(item.group(1)).text) if item else text_of(table)
    for line in expected[:-1]:  # one line per cell, then the CLI's closing line
        assert line in detail


def test_a_crashing_worker_costs_only_its_file(make_page: Callable[..., Page]) -> None:
    page = make_page(Tools(web_fakes.crash_on_name, api.write_annotated))
    run = page.upload([("crash.xlsx", REF000.read_bytes()), (REF004.name, REF004.read_bytes())])
    table = page.wait(run)
    assert "工作进程异常退出" in text_of(table)
    assert rows_of(table)[REF004.name]["total"] == "93.00"
    again = page.upload([(REF000.name, REF000.read_bytes())])
    assert REF000.name in rows_of(page.wait(again))  # a new pool took over


def test_a_slow_file_does_not_block_the_page(make_page: Callable[..., Page]) -> None:
    page = make_page(Tools(web_fakes.slow_on_name, api.write_annotated), jobs=2)
    response = page.post("/runs", [("slow.xlsx", REF000.read_bytes()), (REF004.name, REF004.read_bytes())])
    run = response.headers["location"]
    deadline = time.monotonic() + 15
    while REF004.name not in rows_of(page.client.get(f"{run}/table").text):
        assert time.monotonic() < deadline, "the quick file waited for the slow one"
        time.sleep(0.2)
    started = time.monotonic()
    assert page.client.get("/tools").status_code == 200
    assert time.monotonic() - started < 2
    table = page.client.get(run).text
    assert "计分中" in table and 'data-pending="1"' in table


def test_the_word_report_appears_only_with_write_report(make_page: Callable[..., Page]) -> None:
    assert Tools.of(api).write_report is getattr(api, "write_report", None)
    fake_api = SimpleNamespace(
        score=api.score, write_annotated=api.write_annotated, write_report=web_fakes.write_report
    )
    assert Tools.of(fake_api).write_report is web_fakes.write_report
    page = make_page(Tools.of(fake_api))
    run = page.upload([(REF004.name, REF004.read_bytes())])
    link = re.search(r'href="(/runs/[^"]+/files/[^"/]+)"', page.client.get(run).text).group(1)
    assert "下载 Word 评价报告" in page.client.get(link).text
    report = page.client.get(f"{link}/docx")
    assert report.content.startswith(b"PK report")
    assert unquote(report.headers["content-disposition"]).endswith(f"{REF004.stem}_评价报告.docx")
    names = zipfile.ZipFile(io.BytesIO(page.client.get(f"{run}/zip").content)).namelist()
    assert f"{REF004.stem}_评价报告.docx" in names


def test_no_report_button_without_write_report(make_page: Callable[..., Page]) -> None:
    page = make_page(Tools(api.score, api.write_annotated))
    run = page.upload([(REF004.name, REF004.read_bytes())])
    link = re.search(r'href="(/runs/[^"]+/files/[^"/]+)"', page.client.get(run).text).group(1)
    assert "Word 评价报告" not in page.client.get(link).text
    assert page.client.get(f"{link}/docx").status_code == 404


# ------------------------------------------------------------------ limits


def test_a_file_over_the_cap_is_refused_and_not_kept(make_page: Callable[..., Page]) -> None:
    page = make_page(max_upload_bytes=REF000.stat().st_size - 1)
    run = page.upload([("大文件.xlsx", REF000.read_bytes()), ("小文件.xlsx", b"tiny")])
    failed = text_of(page.wait(run))
    assert "大文件.xlsx：文件超过" in failed and "上限" in failed
    assert "小文件.xlsx：" in failed  # read, and refused for what it is
    stored = list(page.root.glob("*/in/*"))
    assert [p.stat().st_size for p in stored] == [4]


def test_client_names_are_never_paths(page: Page, tmp_path: Path) -> None:
    names = [
        "../../逃逸.xlsx",
        "..\\..\\win.xlsx",
        "/etc/passwd.xlsx",
        "con.xlsx",
        "a\u202eb.xlsx",
        "同名.xlsx",
        "同名.XLSX",
    ]
    run = page.upload([(n, REF000.read_bytes()) for n in names])
    shown = list(rows_of(page.wait(run)))
    assert shown == [
        "逃逸.xlsx",
        "win.xlsx",
        "passwd.xlsx",
        "_con.xlsx",
        "ab.xlsx",
        "同名.xlsx",
        "同名 (2).xlsx",
    ]
    stored = [p.name for p in page.root.glob("*/in/*")]
    assert len(stored) == len(names) and all(re.fullmatch(r"[0-9a-f]{16}\.xlsx", n) for n in stored)
    everything = {p.resolve() for p in tmp_path.rglob("*")}
    assert all(page.root.resolve() in p.parents or p == page.root.resolve() for p in everything)


def test_what_is_not_a_workbook_is_refused(page: Page) -> None:
    run = page.upload([("~$锁.xlsx", b"x"), ("说明.docx", b"x"), ("数据.csv", b"a,b")])
    failed = text_of(page.wait(run))
    assert "锁文件" in failed and failed.count("不是工作簿") == 3
    assert list(page.root.glob("*/in/*")) == []
    assert page.client.get(f"{run}/summary").status_code == 404


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\a\\评分表.XLSX", "评分表.xlsx"),
        ("  ..隐藏.xls ", "隐藏.xls"),
        ("NUL.xlsx", "_NUL.xlsx"),
        ("a\u202eb\x07.xlsx", "ab.xlsx"),
        ("", "工作簿"),
        ("x" * 300 + ".xlsx", "x" * 60 + ".xlsx"),
    ],
)
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_a_broken_form_keeps_nothing(page: Page) -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="files"; filename="x.xlsx"\r\n\r\n' + b"x" * 5000
    response = page.client.post(
        "/runs",
        content=body + b"\r\n--wrong",
        headers={"content-type": "multipart/form-data; boundary=b", "x-perfxl-token": page.site.token},
    )
    assert response.status_code == 400 and "表单" in response.text
    assert list(page.root.glob("*/in/*")) == [] and page.site.store.runs == {}
    response = page.client.post("/runs", content=b"a=1", headers={"x-perfxl-token": page.site.token})
    assert response.status_code == 400 and "multipart" in response.text


# ------------------------------------------------------------------ same origin only


def test_posts_come_only_from_the_page(page: Page) -> None:
    files = [("files", ("x.xlsx", b"x"))]
    token = {"x-perfxl-token": page.site.token}
    assert page.client.post("/runs", files=files).status_code == 403  # no token
    for headers in (
        {"origin": "http://evil.example", **token},
        {"origin": "null", **token},
        {"sec-fetch-site": "cross-site", **token},
        {"x-perfxl-token": "guessed"},
    ):
        response = page.client.post("/runs", files=files, headers=headers)
        assert response.status_code == 403, headers
        assert "拒绝" in response.text or "过期" in response.text
    assert page.site.store.runs == {}
    query = page.client.post(f"/runs?token={page.site.token}", files=files, follow_redirects=False)
    assert query.status_code == 303  # the page's own form, without the script


def test_only_this_hosts_names_are_served(page: Page) -> None:
    rebound = page.client.get("/", headers={"host": "attacker.example:8765"})
    assert rebound.status_code == 400 and "主机名" in rebound.text
    for host in ("localhost:8765", "127.0.0.1:8765", "[::1]:8765", "127.0.0.1"):
        assert page.client.get("/", headers={"host": host}).status_code == 200, host


@pytest.mark.parametrize(
    ("header", "bound", "allowed"),
    [
        ("127.0.0.1:8765", "127.0.0.1", True),
        ("localhost", "127.0.0.1", True),
        ("[::1]:80", "127.0.0.1", True),
        ("192.168.1.9:8765", "127.0.0.1", False),
        ("192.168.1.9:8765", "0.0.0.0", True),
        ("192.168.1.9:8765", "192.168.1.9", True),
        ("10.0.0.1:8765", "192.168.1.9", False),
        ("rebind.example:8765", "0.0.0.0", False),
        ("evaluator-pc:8765", "evaluator-pc", True),
        (None, "127.0.0.1", False),
    ],
)
def test_host_allowed(header: str | None, bound: str, allowed: bool) -> None:
    assert host_allowed(header, bound) is allowed


def test_page_url() -> None:
    assert page_url("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert page_url("::", 8765) == "http://[::1]:8765/"
    assert page_url("localhost", 8765) == "http://localhost:8765/"


def test_answers_carry_safety_headers_and_chinese_errors(page: Page) -> None:
    response = page.client.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY" and response.headers["cache-control"] == "no-store"
    assert "http://" not in re.sub(r'href="/[^"]*"|src="/[^"]*"', "", response.text)  # nothing from elsewhere
    missing = page.client.get("/runs/nope")
    assert missing.status_code == 404 and "找不到这一批文件" in missing.text
    assert "页面不存在" in page.client.get("/nowhere").text
    assert "不支持" in page.client.put("/", headers={"x-perfxl-token": page.site.token}).text


# ------------------------------------------------------------------ templates and rules


def test_templates_download(page: Page) -> None:
    tools = page.client.get("/tools").text
    links = re.findall(r'href="(/templates/[^"]+)"', tools)
    assert len(links) == 7
    for link in links:
        response = page.client.get(html.unescape(link))
        assert response.status_code == 200, link
        assert ".xlsx" in response.headers["content-disposition"]
        openpyxl.load_workbook(io.BytesIO(response.content))
    assert page.client.get("/templates/unknown").status_code == 404


def test_the_rule_box_explains_and_scores(page: Page) -> None:
    text = "预算执行率100%得满分，每降低1%扣5%权重分，扣完为止。"
    expected = api.explain_rule(text, weight="10", actual="97%")
    shown = page.client.get("/tools", params={"text": text, "weight": "10", "actual": "97%"}).text
    assert f'<span id="rule-label">{expected.label}</span>' in shown
    assert f'<span id="rule-score">{expected.score:g}</span>' in shown and "每…扣" in shown
    refused = page.client.get("/tools", params={"text": text, "weight": "十分"}).text
    assert "不是数字" in text_of(refused)


# ------------------------------------------------------------------ files are not kept


def test_runs_are_deleted_on_request_after_their_age_and_on_shutdown(make_page: Callable[..., Page]) -> None:
    page = make_page(keep_seconds=60)
    first = page.upload([(REF000.name, REF000.read_bytes())])
    second = page.upload([(REF004.name, REF004.read_bytes())])
    store = page.site.store
    folders = {run: store.root / run.rsplit("/", 1)[1] for run in (first, second)}
    assert all(folder.is_dir() for folder in folders.values())
    page.post(f"{first}/delete", [])
    assert not folders[first].exists() and page.client.get(first).status_code == 404
    assert store.sweep(time.monotonic() + 30) == []
    assert store.sweep(time.monotonic() + 61) == [second.rsplit("/", 1)[1]]
    assert not folders[second].exists()
    root = page.root
    page.client.__exit__(None, None, None)
    assert not root.exists()


def test_folders_of_killed_servers_are_removed(tmp_path: Path) -> None:
    from perfxl.web_jobs import ROOT_PREFIX, remove_abandoned

    dead = tmp_path / f"{ROOT_PREFIX}dead"
    (dead / "run").mkdir(parents=True)
    (dead / "pid").write_text("999999999")
    alive = tmp_path / f"{ROOT_PREFIX}alive"
    alive.mkdir()
    (alive / "pid").write_text(str(os.getpid()))
    remove_abandoned(str(tmp_path))
    assert not dead.exists() and alive.exists()


# ------------------------------------------------------------------ the command


def test_serve_starts_and_stops_cleanly(tmp_path: Path) -> None:
    """``perfxl serve --port 0`` in a process of its own: the page answers; SIGTERM stops it,
    exit 0, and the temporary folder is left empty."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfxl.cli", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://\S+", first).group(0)
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
        assert [p.name.startswith("perfxl-web-") for p in tmp_path.iterdir()].count(True) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "已停止" in out and err == ""
    assert list(tmp_path.iterdir()) == []


def test_workers_end_when_the_server_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves no worker behind; the next server removes the folder the killed one left."""
    from test_processes import alive_in_group, wait_until

    from perfxl.web_jobs import remove_abandoned

    proc = subprocess.Popen(
        [sys.executable, "-m", "perfxl.cli", "serve", "--port", "0", "--jobs", "2"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        start_new_session=True,
    )
    try:
        url = re.search(r"http://\S+", proc.stdout.readline()).group(0)
        token = re.search(
            r'perfxl-token" content="([^"]+)', urllib.request.urlopen(url).read().decode()
        ).group(1)
        body = (
            b'--b\r\nContent-Disposition: form-data; name="files"; filename="ref.xlsx"\r\n\r\n'
            + REF004.read_bytes()
            + b"\r\n--b--\r\n"
        )
        request = urllib.request.Request(
            f"{url}runs",
            data=body,
            headers={"content-type": "multipart/form-data; boundary=b", "x-perfxl-token": token},
        )
        urllib.request.urlopen(request).read()
        assert wait_until(lambda: any(tmp_path.rglob("*_评分结果.xlsx")), 60)
        assert len(alive_in_group(proc.pid)) > 2  # the server, its workers, the resource tracker
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert wait_until(lambda: not alive_in_group(proc.pid), 5), alive_in_group(proc.pid)
    left = [p for p in tmp_path.iterdir() if p.name.startswith("perfxl-web-")]
    assert len(left) == 1  # a killed server cannot clean up ...
    remove_abandoned(str(tmp_path))
    assert not left[0].exists()  # ... the next one does


def test_serve_says_when_the_port_is_taken(capsys) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exc:
            main(["serve", "--port", str(port)])
    assert exc.value.code == 1
    assert f"端口 {port} 已被占用" in capsys.readouterr().err


def test_serve_warns_about_other_hosts(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    calls = []
    monkeypatch.setattr(api, "serve", lambda **kw: calls.append(kw))
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--host", "0.0.0.0", "--port", "9000", "--max-mb", "5"])
        raise SystemExit(0)
    assert exc.value.code == 0
    assert "注意：正在监听 0.0.0.0" in capsys.readouterr().err
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["max_upload_mb"] == 5
