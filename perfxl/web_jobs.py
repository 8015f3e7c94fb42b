"""The web page's work: uploads grouped in runs, scored in worker processes, kept in a
private temporary folder that is removed on shutdown and when a run has been idle too long.

Nothing here imports :mod:`perfxl.api`: the public functions a job calls come in a
:class:`Tools` that ``perfxl.api.serve`` builds from itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from . import files
from .errors import PerfxlError
from .evaluate import Evaluation, Options
from .pipeline import Failure

ROOT_PREFIX = "perfxl-web-"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_PID_FILE = "pid"
_CRASHED = "处理该文件时工作进程异常退出（文件可能已损坏或结构异常），已跳过"


@dataclass(frozen=True)
class Tools:
    """The public functions a job calls (``perfxl.api``'s; tests may hand in others).

    Module-level functions, so that they reach worker processes by name.
    """

    score: Callable[..., Evaluation]
    write_annotated: Callable[..., Any]
    write_report: Callable[..., Any] | None = None

    @classmethod
    def of(cls, api: ModuleType) -> Tools:
        """The tools of the API module; the Word report only where the API has ``write_report``."""
        return cls(api.score, api.write_annotated, getattr(api, "write_report", None))


@dataclass(frozen=True)
class Task:
    """One uploaded workbook to score: where it is, its display name, where outputs go."""

    src: str
    name: str
    out_dir: str
    stem: str
    options: Options


@dataclass
class Outcome:
    """What a job produced: the evaluation (without its workbook) or why there is none,
    the files written (``xlsx``, ``json``, ``docx``), and why an optional one is missing."""

    evaluation: Evaluation | None = None
    failure: Failure | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    note: str | None = None


def output_names(stem: str) -> dict[str, str]:
    """The file names of a workbook's outputs (as downloaded and in the zip)."""
    return {"xlsx": f"{stem}_评分结果.xlsx", "json": f"{stem}_评分结果.json", "docx": f"{stem}_评价报告.docx"}


def score_upload(tools: Tools, task: Task) -> Outcome:
    """Worker: score one upload and write its outputs; never raises for a bad file."""
    try:
        return _score(tools, task)
    except PerfxlError as exc:
        exc.file = None  # the page shows the file name beside the reason
        return Outcome(failure=Failure(task.name, exc.line()))
    except MemoryError:
        return Outcome(failure=Failure(task.name, "内存不足，工作簿过大"))
    except Exception as exc:  # a bug must not take the page down; it is shown for this file
        return Outcome(failure=Failure(task.name, f"内部错误：{exc.__class__.__name__}: {exc}"))


def _score(tools: Tools, task: Task) -> Outcome:
    ev = tools.score(task.src, task.options, name=task.name)
    lines = [line.removeprefix(f"文件 {task.name}，") for line in ev.blocking()]
    if lines:
        more = f"等 {len(lines)} 处" if len(lines) > 1 else ""
        reason = f"{lines[0]}{more}（存在无法计分的数据，未计分）"
        return Outcome(failure=Failure(task.name, reason, tuple(lines)))
    out = Path(task.out_dir)
    names = output_names(task.stem)
    outputs = {"xlsx": str(out / names["xlsx"]), "json": str(out / names["json"])}
    tools.write_annotated(ev, outputs["xlsx"])
    _write_json(ev.to_dict(), Path(outputs["json"]))
    note = None
    if tools.write_report is not None:
        try:
            tools.write_report(ev, out / names["docx"])
            outputs["docx"] = str(out / names["docx"])
        except PerfxlError as exc:
            note = f"未写出 Word 报告：{exc.message}"
    ev.book = None  # a workbook does not cross processes
    return Outcome(ev, None, outputs, note)


def _write_json(data: dict[str, Any], path: Path) -> None:
    """The JSON of ``perfxl score --json``, written atomically."""
    tmp = files.new_temp(path.parent)
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        files.commit(tmp, path)
    except BaseException:
        files.discard(tmp)
        raise


def _init_worker(server: Any) -> None:
    """Workers leave Ctrl-C and SIGTERM to the server, and exit once it stops or is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(server,), name="perfxl-watchdog", daemon=True).start()


def _watch(server: Any) -> None:
    """End this worker, removing its unfinished output, when *server* (the read end of a pipe
    whose write end only the server holds) reaches its end: the server closed it or died."""
    server.poll(None)
    files.discard_pending()
    os._exit(1)


def _context() -> Any:
    """Workers start as fresh interpreters, not forks of the threaded server (and the same
    way on every system; a forkserver would need a socket path, which a long TMPDIR breaks)."""
    return multiprocessing.get_context("spawn")


class Scorer:
    """Jobs in a pool of worker processes, at most *jobs* at a time, so that the page stays
    responsive while files are scored; a worker that dies costs only the file it held."""

    def __init__(self, tools: Tools, jobs: int) -> None:
        self.tools = tools
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(jobs)
        # workers watch the read end; closing the write end (or dying) stops them at once
        self._alive, self._stopper = _context().Pipe(duplex=False)

    async def run(self, task: Task, started: Callable[[], None]) -> Outcome:
        """Score *task* once a worker is free (*started* is called then)."""
        async with self._slots:
            started()
            pool = self._current()
            try:
                return await asyncio.wrap_future(pool.submit(score_upload, self.tools, task))
            except BrokenProcessPool:
                # a worker died (a crash in native code) and took the pool with it: the
                # files it held are retried one by one, each in a process of its own
                self._drop(pool)
                return await asyncio.to_thread(self._isolated, task)

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers, mp_context=_context(), initializer=_init_worker, initargs=(self._alive,)
        )

    def _current(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new_pool(self.jobs)
        return self._pool

    def _isolated(self, task: Task) -> Outcome:
        """Score one file in a process of its own: a crash fails only this file."""
        with self._new_pool(1) as pool:
            try:
                return pool.submit(score_upload, self.tools, task).result()
            except BrokenProcessPool:
                return Outcome(failure=Failure(task.name, _CRASHED))

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers at once: files not finished are dropped (their folder goes too)."""
        self._stopper.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._alive.close()


STATES = {"waiting": "排队中", "running": "计分中", "done": "完成", "failed": "失败"}


@dataclass
class Item:
    """One uploaded file of a run."""

    id: str
    name: str
    src: Path | None
    state: str = "waiting"  # waiting | running | done | failed
    outcome: Outcome | None = None
    job: asyncio.Task[None] | None = None

    @property
    def evaluation(self) -> Evaluation | None:
        return self.outcome.evaluation if self.outcome else None

    @property
    def failure(self) -> Failure | None:
        return self.outcome.failure if self.outcome else None

    @property
    def stem(self) -> str:
        return Path(self.name).stem


@dataclass
class Run:
    """Files uploaded together, with the scoring options chosen for them."""

    id: str
    folder: Path
    options: Options
    touched: float
    items: dict[str, Item] = field(default_factory=dict)
    version: int = 0  # changes whenever an item is added or finished

    @property
    def inputs(self) -> Path:
        return self.folder / "in"

    @property
    def outputs(self) -> Path:
        return self.folder / "out"

    @property
    def pending(self) -> int:
        return sum(1 for item in self.items.values() if item.state in ("waiting", "running"))

    def unique_name(self, name: str) -> str:
        """*name*, or ``X (2).xlsx`` … when the run already has a file of that name (any case)."""
        taken = {item.name.lower() for item in self.items.values()}
        stem, suffix = os.path.splitext(name)
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem} ({n}){suffix}"
        return candidate

    def new_input(self, name: str) -> Path:
        """A fresh server-chosen path for an upload (only its extension comes from *name*)."""
        suffix = Path(name).suffix.lower()
        return self.inputs / f"{secrets.token_hex(8)}{suffix if suffix in WORKBOOK_SUFFIXES else ''}"


def refusal(name: str) -> str | None:
    """Why an uploaded file is not scored, by the last part of its name (as ``perfxl batch`` skips)."""
    if name.startswith("~$"):
        return "Office 的锁文件（~$ 开头），不是工作簿"
    if name.startswith("."):
        return "隐藏文件，不是工作簿"
    if Path(name).suffix.lower() not in WORKBOOK_SUFFIXES:
        return "不是工作簿（应为 .xlsx、.xlsm、.xls 或 .ods），未计分"
    return None


class Store:
    """All runs, in a private folder (mode 0700) under the system's temporary folder.

    The folder holds its server's process id, so that a later server can remove what a
    killed one left behind.  Runs idle for *keep* seconds are removed, and everything is
    removed on shutdown.
    """

    def __init__(self, scorer: Scorer, keep: float, max_files: int, parent: str | None = None) -> None:
        remove_abandoned(parent)
        self.root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX, dir=parent))
        (self.root / _PID_FILE).write_text(str(os.getpid()), encoding="ascii")
        self.scorer = scorer
        self.keep = keep
        self.max_files = max_files
        self.runs: dict[str, Run] = {}

    def new_run(self, options: Options) -> Run:
        run_id = secrets.token_urlsafe(12)
        folder = self.root / run_id
        (folder / "in").mkdir(parents=True)
        (folder / "out").mkdir()
        run = Run(run_id, folder, options, time.monotonic())
        self.runs[run_id] = run
        return run

    def get(self, run_id: str) -> Run | None:
        run = self.runs.get(run_id)
        if run is not None:
            run.touched = time.monotonic()
        return run

    def add(self, run: Run, name: str, src: Path | None, error: str | None) -> Item:
        """Record an upload: scored in a worker, or failed at once with *error*."""
        item = Item(secrets.token_urlsafe(8), name, src)
        run.items[item.id] = item
        run.version += 1
        if error is not None or src is None:
            item.state = "failed"
            item.outcome = Outcome(failure=Failure(name, error or "上传失败"))
        else:
            item.job = asyncio.get_running_loop().create_task(self._score(run, item))
        return item

    async def _score(self, run: Run, item: Item) -> None:
        assert item.src is not None
        task = Task(str(item.src), item.name, str(run.outputs), item.stem, run.options)
        try:
            outcome = await self.scorer.run(task, lambda: setattr(item, "state", "running"))
        except Exception as exc:  # the pool refused the job (the server is stopping): this file only
            outcome = Outcome(failure=Failure(item.name, f"内部错误：{exc.__class__.__name__}: {exc}"))
        item.outcome = outcome
        item.state = "failed" if outcome.failure else "done"
        run.version += 1
        run.touched = time.monotonic()

    def remove(self, run_id: str) -> None:
        """Forget a run and delete its files (jobs not started are cancelled)."""
        run = self.runs.pop(run_id, None)
        if run is None:
            return
        for item in run.items.values():
            if item.job is not None:
                item.job.cancel()
        shutil.rmtree(run.folder, ignore_errors=True)

    def sweep(self, now: float | None = None) -> list[str]:
        """Remove the runs idle for longer than *keep* seconds; their ids."""
        now = time.monotonic() if now is None else now
        old = [rid for rid, run in self.runs.items() if now - run.touched > self.keep and not run.pending]
        for rid in old:
            self.remove(rid)
        return old

    async def sweep_forever(self) -> None:
        """Sweep every minute (sooner when *keep* is short)."""
        while True:
            await asyncio.sleep(max(1.0, min(60.0, self.keep / 4)))
            self.sweep()

    def close(self) -> None:
        """Stop the workers and delete every file of every run."""
        for rid in list(self.runs):
            for item in self.runs[rid].items.values():
                if item.job is not None:
                    item.job.cancel()
        self.scorer.close()
        self.runs.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def remove_abandoned(parent: str | None = None) -> None:
    """Remove the folders of servers that were killed before they could clean up."""
    if os.name != "posix":  # os.kill(pid, 0) would signal the process on Windows
        return
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        with contextlib.suppress(OSError, ValueError):
            if folder.stat().st_uid != os.getuid():
                continue
            pid = int((folder / _PID_FILE).read_text(encoding="ascii"))
            if not _alive(pid):
                shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
