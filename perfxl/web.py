"""The local web page (``perfxl serve``): upload workbooks, see their scores, download the outputs.

Starlette served by uvicorn; pages rendered here with Jinja2 from ``perfxl/web_assets``
(no build step, nothing from a CDN, so it works offline).  The page calls only the public
functions of :mod:`perfxl.api`, which ``api.serve`` hands in (this module does not import
the API: the API imports it).  Security choices (docs/web.md): 127.0.0.1 unless told
otherwise; only Host names the server can vouch for (no DNS rebinding); POSTs only from
its own pages (same Origin and this server's token); a client's file name is never a path.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import os
import secrets
import socket
import webbrowser
import zipfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import files
from .errors import SEVERITY_LABELS, PerfxlError
from .evaluate import Evaluation, Options
from .numbers import fmt_num, fmt_pct
from .rules import KIND_LABELS
from .templates import EVALUATION_TYPES, TEMPLATE_FILES
from .web_forms import Form, FormError, Limits, read_form
from .web_jobs import STATES, Item, Run, Scorer, Store, Tools, refusal

ASSETS = Path(__file__).resolve().parent / "web_assets"
TOKEN_HEADER = "x-perfxl-token"
SUMMARY_NAME = "汇总.xlsx"
ZIP_NAME = "全部结果.zip"
KIND_NAMES = {
    "project": "项目评价",
    "department": "部门整体评价",
    "self-project": "项目自评",
    "self-department": "部门整体自评",
}
TEMPLATE_LABELS = {**EVALUATION_TYPES, "survey": "满意度问卷汇总"}
EXAMPLE_KINDS = ("project", "department")
SORT_KEYS = ("name", "unit", "kind", "total", "grade", "errors", "warnings")
RULE_FIELDS = ("text", "weight", "target", "actual", "judgements", "failures", "method")
_SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}
_STATUS_MESSAGES = {404: "页面不存在", 405: "不支持这种请求方式"}
_log = logging.getLogger("perfxl.web")


@dataclass(frozen=True)
class Settings:
    """How the page runs: the ``perfxl serve`` options."""

    host: str = "127.0.0.1"
    port: int = 8765
    max_upload_bytes: int = 50_000_000
    keep_seconds: float = 7200.0
    jobs: int = 2
    max_files: int = 1000
    open_browser: bool = False
    temp_parent: str | None = None


# ---------------------------------------------------------------- requests the server accepts


def _hostname(host_header: str) -> str:
    """The name in a Host header, without port or IPv6 brackets."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def host_allowed(host_header: str | None, bound: str) -> bool:
    """Whether a request's Host names this server: localhost, a loopback address, the
    address it listens on (any address when it listens on all), or the name given to
    ``--host``.  A web page whose own name resolves to 127.0.0.1 (DNS rebinding) is refused."""
    if not host_header:
        return False
    name = _hostname(host_header).lower()
    if name == "localhost" or name == bound.lower():
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if address.is_loopback:
        return True
    try:
        listening = ipaddress.ip_address(bound)
    except ValueError:
        return False
    return listening.is_unspecified or listening == address


class Guard:
    """Checks every request before the page sees it and adds safety headers to every answer.

    A POST must come from this server's own pages: an Origin, when the browser sends one,
    equal to the server's, no cross-site ``Sec-Fetch-Site``, and the server's token (a
    header from the page's script, or a query parameter of the page's forms).
    """

    def __init__(self, app: ASGIApp, bound: str, token: str) -> None:
        self.app = app
        self.bound = bound
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self.problem(scope)
        if problem is not None:
            await _error(Request(scope), *problem)(scope, receive, send)
            return

        async def send_safely(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in _SECURITY_HEADERS.items():
                    if key not in headers:
                        headers[key] = value
            await send(message)

        await self.app(scope, receive, send_safely)

    def problem(self, scope: Scope) -> tuple[int, str] | None:
        """Why the request is refused (status and a Chinese line), or None."""
        headers = Headers(scope=scope)
        host = headers.get("host")
        if not host_allowed(host, self.bound):
            return 400, "请求的主机名不是本机（为防止其他网站借道访问，请用 http://127.0.0.1 打开）"
        if scope["method"] in ("GET", "HEAD"):
            return None
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return 403, "拒绝来自其他网站的请求"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "拒绝来自其他网站的请求"
        query = Request(scope).query_params.get("token", "")
        given = headers.get(TOKEN_HEADER) or query
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return 403, "页面已过期（服务重新启动过），请刷新页面后重试"
        return None


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str) -> Response:
    """A refusal: JSON for the page's script, a short page otherwise."""
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    html = _ENV.get_template("error.html").render(message=message, status=status, token="")
    return HTMLResponse(html, status_code=status)


# ---------------------------------------------------------------- pages


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ASSETS / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = fmt_num
    env.filters["pct"] = fmt_pct
    return env


_ENV = _environment()


def _total_text(ev: Evaluation) -> str:
    """The total as ``perfxl score --json`` has it, with two decimals."""
    return f"{ev.to_dict()['total']:.2f}"


def _counts(ev: Evaluation) -> dict[str, int]:
    return {s: sum(1 for f in ev.findings if f.severity == s) for s in SEVERITY_LABELS}


def _row(run: Run, item: Item) -> dict[str, Any]:
    """One line of a run's results table."""
    row: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "url": f"/runs/{run.id}/files/{item.id}",
        "state": item.state,
        "state_label": STATES[item.state],
    }
    ev = item.evaluation
    if ev is not None:
        counts = _counts(ev)
        row.update(
            unit=ev.unit or (ev.title if ev.kind in ("department", "self-department") else ""),
            title=ev.title,
            kind=KIND_NAMES.get(ev.kind, ev.kind),
            total=ev.total,
            total_text=_total_text(ev),
            grade=ev.grade,
            errors=counts["error"],
            warnings=counts["warning"],
        )
    return row


def _sorted(rows: list[dict[str, Any]], key: str | None, descending: bool) -> list[dict[str, Any]]:
    """Rows by a column (rows without a value, still being scored, last), or as uploaded."""
    if key not in SORT_KEYS:
        return rows
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    return sorted(present, key=lambda r: r[key], reverse=descending) + missing


def _bars(ev: Evaluation, width: int = 320) -> list[dict[str, Any]]:
    """The 一级指标 of an evaluation as bars of an inline SVG chart (bonus and penalty left out)."""
    bars = []
    for g in ev.groups:
        if g.role != "base" or not g.weight:
            continue
        rate = min(max(g.score / g.weight, Decimal(0)), Decimal(1))
        bars.append(
            {
                "name": g.name,
                "length": int(width * rate),
                "text": f"{fmt_num(g.score)} / {fmt_num(g.weight)}（{fmt_pct(g.rate)}）",
                "low": rate < Decimal("0.8"),
            }
        )
    return bars


class Site:
    """The pages and downloads; runs and workers live in a :class:`Store` while the server runs."""

    def __init__(
        self, api: ModuleType, settings: Settings, tools: Tools | None = None, url: str = ""
    ) -> None:
        self.api = api
        self.settings = settings
        self.tools = tools or Tools.of(api)
        self.url = url
        self.token = secrets.token_urlsafe(24)
        self.store: Store | None = None

    def app(self) -> Starlette:
        """The ASGI application (routes, error pages, the request guard, start-up and shutdown)."""
        routes = [
            Route("/", self.index),
            Route("/runs", self.create_run, methods=["POST"]),
            Route("/runs/{run}", self.run_page),
            Route("/runs/{run}/table", self.run_table),
            Route("/runs/{run}/files", self.add_files, methods=["POST"]),
            Route("/runs/{run}/delete", self.delete_run, methods=["POST"]),
            Route("/runs/{run}/summary", self.summary),
            Route("/runs/{run}/zip", self.zip_all),
            Route("/runs/{run}/files/{item}", self.file_page),
            Route("/runs/{run}/files/{item}/{kind}", self.download),
            Route("/tools", self.tools_page),
            Route("/templates/{kind}", self.template),
            Mount("/static", StaticFiles(directory=ASSETS / "static"), name="static"),
        ]
        app = Starlette(
            routes=routes,
            exception_handlers={HTTPException: self._http_error, Exception: self._crash},
            lifespan=self._lifespan,
        )
        app.add_middleware(Guard, bound=self.settings.host, token=self.token)
        return app

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        s = self.settings
        self.store = Store(Scorer(self.tools, s.jobs), s.keep_seconds, s.max_files, s.temp_parent)
        sweeper = asyncio.create_task(self.store.sweep_forever())
        if s.open_browser and self.url:
            asyncio.get_running_loop().run_in_executor(None, webbrowser.open, self.url)
        try:
            yield
        finally:
            sweeper.cancel()
            self.close()

    def close(self) -> None:
        """Stop the workers and delete every uploaded file and result (safe to call twice)."""
        store, self.store = self.store, None
        if store is not None:
            store.close()

    # ------------------------------------------------------------ helpers

    def _page(self, name: str, **context: Any) -> HTMLResponse:
        html = _ENV.get_template(name).render(
            token=self.token, max_mb=self.settings.max_upload_bytes / 1_000_000, **context
        )
        return HTMLResponse(html)

    def _store(self) -> Store:
        if self.store is None:
            raise HTTPException(503, "服务正在启动或停止")
        return self.store

    def _run(self, request: Request) -> Run:
        run = self._store().get(request.path_params["run"])
        if run is None:
            raise HTTPException(404, "找不到这一批文件（可能已超过保留时间被删除，或服务重新启动过）")
        return run

    def _item(self, request: Request) -> tuple[Run, Item]:
        run = self._run(request)
        item = run.items.get(request.path_params["item"])
        if item is None:
            raise HTTPException(404, "找不到这个文件")
        return run, item

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.detail == HTTPStatus(exc.status_code).phrase:  # starlette's own, English
            return _error(request, exc.status_code, _STATUS_MESSAGES.get(exc.status_code, "请求无法处理"))
        return _error(request, exc.status_code, exc.detail)

    async def _crash(self, request: Request, exc: Exception) -> Response:
        _log.exception("perfxl web page: internal error")
        return _error(request, 500, f"内部错误：{exc.__class__.__name__}（服务仍在运行，请重试或反馈此问题）")

    # ------------------------------------------------------------ uploading

    async def index(self, request: Request) -> Response:
        return self._page("index.html", max_files=self.settings.max_files)

    async def create_run(self, request: Request) -> Response:
        """A new run: the scoring options, and the files when the form sends them at once."""
        store = self._store()
        run = store.new_run(Options())
        try:
            form = await self._read(request, run)
            run.options = self._options(form.fields)
        except (FormError, ValueError) as exc:
            store.remove(run.id)
            return _error(request, 400, str(exc))
        except ClientDisconnect:
            store.remove(run.id)
            return Response(status_code=400)
        return self._uploaded(request, run, form)

    async def add_files(self, request: Request) -> Response:
        """More files for a run (the page's script sends them one by one)."""
        run = self._run(request)
        try:
            form = await self._read(request, run)
        except FormError as exc:
            return _error(request, 400, str(exc))
        except ClientDisconnect:
            return Response(status_code=400)
        return self._uploaded(request, run, form)

    async def _read(self, request: Request, run: Run) -> Form:
        limits = Limits(file_bytes=self.settings.max_upload_bytes, files=self.settings.max_files)
        content_type = request.headers.get("content-type", "")
        return await read_form(content_type, request.stream(), limits, run.new_input, refusal)

    def _options(self, fields: dict[str, str]) -> Options:
        """Scoring options from the form (the same as ``perfxl score``'s); ValueError in Chinese."""
        digits = fields.get("rate_digits", "").strip()
        weight = fields.get("expert_weight", "").strip()
        try:
            rate_digits = int(digits) if digits else None
        except ValueError:
            raise ValueError("完成率保留位数应为 0 到 4 的整数") from None
        try:
            expert_weight = float(weight) if weight else None
        except ValueError:
            raise ValueError("专家评分权重应为 0 到 1 之间的数") from None
        options: Options = self.api.make_options(
            grades=fields.get("grades", "").strip() or None,
            rate_digits=rate_digits,
            expert_trim=True if fields.get("expert_trim") else None,
            expert_weight=expert_weight,
        )
        return options

    def _uploaded(self, request: Request, run: Run, form: Form) -> Response:
        store = self._store()
        added = []
        for upload in form.uploads:
            error = upload.error
            if error is None and len(run.items) >= self.settings.max_files:
                error = f"本批已有 {self.settings.max_files} 个文件，达到上限，未上传"
                if upload.path is not None:
                    upload.path.unlink(missing_ok=True)
            added.append(store.add(run, run.unique_name(upload.name), upload.path, error))
        if _wants_json(request):
            items = [{"name": i.name, "error": i.failure.error if i.failure else None} for i in added]
            return JSONResponse({"run": f"/runs/{run.id}", "files": f"/runs/{run.id}/files", "items": items})
        return RedirectResponse(f"/runs/{run.id}", status_code=303)

    async def delete_run(self, request: Request) -> Response:
        self._store().remove(request.path_params["run"])
        return RedirectResponse("/", status_code=303)

    # ------------------------------------------------------------ results

    def _run_context(self, request: Request, run: Run) -> dict[str, Any]:
        sort = request.query_params.get("sort")
        descending = request.query_params.get("order") == "desc"
        items = list(run.items.values())
        rows = [_row(run, i) for i in items if i.state != "failed"]
        failed = [
            {
                "name": i.name,
                "error": i.failure.error,
                "url": f"/runs/{run.id}/files/{i.id}",
                "cells": i.failure.cells,
            }
            for i in items
            if i.failure is not None
        ]
        done = sum(1 for i in items if i.state == "done")
        return {
            "run": run,
            "rows": _sorted(rows, sort, descending),
            "failed": failed,
            "done": done,
            "pending": run.pending,
            "sort": sort if sort in SORT_KEYS else None,
            "descending": descending,
            "downloads": done > 0 and not run.pending,
        }

    async def run_page(self, request: Request) -> Response:
        run = self._run(request)
        return self._page("run.html", **self._run_context(request, run))

    async def run_table(self, request: Request) -> Response:
        run = self._run(request)
        return self._page("run_table.html", **self._run_context(request, run))

    async def file_page(self, request: Request) -> Response:
        run, item = self._item(request)
        ev = item.evaluation
        if ev is None:
            return self._page("pending.html" if item.failure is None else "failed.html", run=run, item=item)
        outputs = item.outcome.outputs if item.outcome else {}
        downloads = [
            (label, f"/runs/{run.id}/files/{item.id}/{kind}")
            for kind, label in (
                ("xlsx", "下载批注评分表"),
                ("docx", "下载 Word 评价报告"),
                ("json", "下载 JSON 结果"),
            )
            if kind in outputs
        ]
        return self._page(
            "file.html",
            run=run,
            item=item,
            ev=ev,
            data=ev.to_dict(),
            kind=KIND_NAMES.get(ev.kind, ev.kind),
            total=_total_text(ev),
            counts=_counts(ev),
            bars=_bars(ev),
            others=[g for g in ev.groups if g.role != "base"],
            rule_labels=KIND_LABELS,
            severity_labels=SEVERITY_LABELS,
            downloads=downloads,
        )

    async def download(self, request: Request) -> Response:
        _run, item = self._item(request)
        kind = request.path_params["kind"]
        path = item.outcome.outputs.get(kind) if item.outcome else None
        if path is None or not os.path.isfile(path):
            raise HTTPException(404, "没有这个文件")
        return FileResponse(path, filename=Path(path).name)

    def _ready(self, run: Run) -> None:
        if run.pending:
            raise HTTPException(409, "还有文件正在计分，完成后再下载")
        if not any(i.state == "done" for i in run.items.values()):
            raise HTTPException(404, "这一批没有计分成功的工作簿")

    async def summary(self, request: Request) -> Response:
        run = self._run(request)
        self._ready(run)
        path = await asyncio.to_thread(self._write_summary, run)
        return FileResponse(path, filename=SUMMARY_NAME)

    async def zip_all(self, request: Request) -> Response:
        run = self._run(request)
        self._ready(run)
        path = await asyncio.to_thread(self._write_zip, run)
        return FileResponse(path, filename=ZIP_NAME, media_type="application/zip")

    def _write_summary(self, run: Run) -> Path:
        """汇总.xlsx of a run: every scored workbook, linked to its annotated copy, and every failure."""
        results = [i.evaluation or i.failure for i in run.items.values() if i.outcome is not None]
        outputs = {
            i.name: Path(i.outcome.outputs["xlsx"]).name
            for i in run.items.values()
            if i.outcome is not None and "xlsx" in i.outcome.outputs
        }
        path: Path = self.api.write_summary(results, run.outputs / SUMMARY_NAME, outputs=outputs)
        return path

    def _write_zip(self, run: Run) -> Path:
        """Every output of a run and its 汇总.xlsx in one zip, written atomically."""
        summary = self._write_summary(run)
        target = run.folder / ZIP_NAME
        tmp = files.new_temp(run.folder)
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(summary, SUMMARY_NAME)
                for item in run.items.values():
                    for path in item.outcome.outputs.values() if item.outcome else ():
                        archive.write(path, Path(path).name)
            files.commit(tmp, target)
        except BaseException:
            files.discard(tmp)
            raise
        return target

    # ------------------------------------------------------------ templates and rules

    async def tools_page(self, request: Request) -> Response:
        """Blank templates to download, and the rule box (``perfxl rule``)."""
        query = {name: request.query_params.get(name, "") for name in RULE_FIELDS}
        explained, problem = None, None
        if query["text"].strip() or query["method"].strip():
            try:
                explained = await asyncio.to_thread(self._explain, query)
            except ValueError as exc:
                problem = str(exc)
        templates = [(kind, TEMPLATE_LABELS[kind], kind in EXAMPLE_KINDS) for kind in TEMPLATE_FILES]
        return self._page(
            "tools.html",
            query=query,
            explained=explained,
            problem=problem,
            templates=templates,
            clause_labels=self.api.CLAUSE_LABELS,
        )

    def _explain(self, query: dict[str, str]) -> Any:
        failures = query["failures"].strip()
        if failures and not failures.isdigit():
            raise ValueError("不符合项数应为不小于 0 的整数")
        return self.api.explain_rule(
            query["text"][:2000],
            weight=query["weight"].strip() or None,
            target=query["target"].strip() or None,
            actual=query["actual"].strip() or None,
            judgements=query["judgements"].strip() or None,
            failures=int(failures) if failures else None,
            method=query["method"].strip() or None,
        )

    async def template(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in TEMPLATE_FILES:
            raise HTTPException(404, "没有这种模板")
        example = request.query_params.get("example") == "1" and kind in EXAMPLE_KINDS
        folder = self._store().root / "templates"
        folder.mkdir(exist_ok=True)
        path = folder / f"{kind}{'-example' if example else ''}.xlsx"
        if not path.exists():
            await asyncio.to_thread(self.api.write_template, kind, path, example)
        name = TEMPLATE_FILES[kind]
        if example:
            name = name.replace("模板", "模板_示例指标")
        return FileResponse(path, filename=name)


# ---------------------------------------------------------------- running the server


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; :class:`PerfxlError` in Chinese when that fails."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        raise PerfxlError(f"无法识别的监听地址“{host}”") from None
    sock = socket.socket(family, kind, proto)
    try:
        if os.name == "posix":  # on Windows the option would let another program take the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PerfxlError(
                f"端口 {port} 已被占用（也许已有 perfxl serve 在运行），请用 --port 换一个"
            ) from None
        raise PerfxlError(f"无法在 {host} 的端口 {port} 上监听（{files.reason(exc)}）") from None
    return sock


def page_url(host: str, port: int) -> str:
    """The address to open: 127.0.0.1 for a server listening on every address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}/"
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{port}/"


def run(api: ModuleType, settings: Settings, on_start: Callable[[str], None] | None = None) -> None:
    """Serve the page until Ctrl-C or SIGTERM; every uploaded file and result is deleted on the way out."""
    import uvicorn

    sock = listen(settings.host, settings.port)
    url = page_url(settings.host, sock.getsockname()[1])
    site = Site(api, settings, url=url)
    config = uvicorn.Config(
        site.app(), log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    if on_start is not None:
        on_start(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        site.close()
