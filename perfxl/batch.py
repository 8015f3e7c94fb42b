"""Batch scoring of a folder (README.md, 命令): one annotated workbook per input plus 汇总.xlsx.

Files are processed in worker processes; results are collected in the sorted
order of the inputs, so the same inputs give the same outputs.  A bad file is
recorded with its reason and the batch goes on.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import files
from .book import is_perfxl_output
from .errors import Finding, Interrupted, PerfxlError
from .evaluate import Evaluation, Options
from .pipeline import Failure
from .tidy import Tables, finding_records, indicator_records

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUMMARY_NAME = "汇总.xlsx"
_WATCH_SECONDS = 0.5  # how often a worker checks that its batch is still there


@dataclass
class Folder:
    """The workbooks of a folder: those to score, and perfxl's own outputs (never scored again)."""

    workbooks: list[Path]
    outputs: list[Path]


def scan_folder(root: Path, recursive: bool, exclude: Path | None = None) -> Folder:
    """Workbooks under root, sorted; skips ~$ lock files, hidden files, the folder *exclude*
    (a batch's output folder inside its input) and sets perfxl's own outputs apart."""
    pattern = "**/*" if recursive else "*"
    found = []
    for p in root.glob(pattern):
        if not p.is_file() or p.name.startswith(("~$", ".")) or p.suffix.lower() not in SUFFIXES:
            continue
        if exclude is not None and exclude in p.resolve().parents:
            continue
        found.append(p)
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    folder = Folder([], [])
    for p in found:
        (folder.outputs if is_perfxl_output(p) else folder.workbooks).append(p)
    return folder


def find_workbooks(root: Path, recursive: bool) -> list[Path]:
    """The workbooks to score under root, sorted (see :func:`scan_folder`)."""
    return scan_folder(root, recursive).workbooks


def output_paths(sources: list[Path], in_root: Path, out_root: Path) -> list[Path]:
    """One .xlsx per input at the same relative place; an X.ods or X.xls beside an X.xlsx gets X_ods.xlsx."""
    plain = [out_root / f.relative_to(in_root).with_suffix(".xlsx") for f in sources]
    taken = Counter(plain)
    return [
        p.with_name(f"{p.stem}_{f.suffix.lower().lstrip('.')}.xlsx")
        if taken[p] > 1 and f.suffix.lower() != ".xlsx"
        else p
        for f, p in zip(sources, plain, strict=True)
    ]


def _nothing_to_score(root: Path, folder: Folder, recursive: bool) -> PerfxlError:
    """The one line for a folder without workbooks to score, saying what to do instead."""
    kinds = "/".join(SUFFIXES)
    if folder.outputs:
        return PerfxlError(
            f"文件夹 {root} 中只有 perfxl 写出的 {len(folder.outputs)} 个评分结果"
            f"（如 {folder.outputs[0].name}），没有待评分的工作簿"
        )
    deeper = 0 if recursive else len(find_workbooks(root, True))
    if deeper:
        return PerfxlError(
            f"文件夹 {root} 中没有工作簿（{kinds}）；子文件夹中有 {deeper} 个，加 --recursive 可一并评分"
        )
    return PerfxlError(f"文件夹 {root} 中没有工作簿（{kinds}），请检查路径")


def score_one(
    src: str, dest: str, options: Options, label: str, details: bool = True, with_report: bool = False
) -> dict[str, Any]:
    """Worker: score one workbook and write its output (and, with *with_report*, the report draft
    beside it, same name, .docx); never raises for a bad file.

    Returns ``{"file", "summary"}`` (what 汇总.xlsx needs) plus ``"result"`` (the full JSON
    object) when *details* is true, and ``"report_error"`` when the report could not be
    written (the workbook was); or ``{"file", "error"}``.
    """
    from .book import open_book
    from .pipeline import score_book
    from .write import write_output

    try:
        book = open_book(src)
        ev = score_book(book, options, file_label=label)
        blocking = ev.blocking_findings()
        if blocking:
            return {"file": label, "error": blocking_reason(blocking), "cells": ev.blocking()}
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        write_output(dest, ev, book)
        data = ev.to_dict()
        data["output"] = dest
        report_error = _write_report(ev, dest, data) if with_report else None
        out = {"file": label, "summary": summarize(ev, data)}
        if report_error:
            out["report_error"] = report_error
        if details:
            out["result"] = data
        return out
    except PerfxlError as exc:
        if exc.file in (src, label):  # the batch names the file itself; keep others (the output path)
            exc.file = None
        return {"file": label, "error": exc.line()}
    except MemoryError:
        return {"file": label, "error": "内存不足，工作簿过大"}
    except Exception as exc:  # a bug must not stop the batch; it is reported per file
        return {"file": label, "error": f"内部错误：{exc.__class__.__name__}: {exc}"}


def _write_report(ev: Evaluation, dest: str, data: dict[str, Any]) -> str | None:
    """Write the report draft beside the annotated workbook and note its path in *data*;
    the reason (Chinese) when it could not be written."""
    from .report import write_report

    try:
        data["report"] = str(write_report(ev, Path(dest).with_suffix(".docx")))
    except PerfxlError as exc:
        return f"评分表已写出，报告未写出：{exc.line()}"
    return None


def blocking_reason(findings: list[Finding], limit: int = 8) -> str:
    """Findings that stop scoring as one line, sheet by sheet, each cell named once.

    Cells with the same reason are listed together, and advice that ends every reason on a
    sheet ("，请在 Excel/WPS 中打开并保存后再处理") is said once:
    ``工作表 指标：E3 权重单元格是公式但没有保存计算结果；I4、I5 得分单元格是…；请在 Excel/WPS 中打开并保存后再处理``.
    At most *limit* reasons are spelt out, then "等 N 处" counts every cell.
    """
    by_sheet: dict[str, dict[str, list[str]]] = {}
    for f in findings:
        by_sheet.setdefault(f.sheet, {}).setdefault(f.message, []).append(f.cell)
    parts, shown = [], 0
    for sheet, reasons in by_sheet.items():
        advice = _shared_advice(list(reasons))
        items = []
        for message, cells in list(reasons.items())[: limit - shown]:
            items.append(f"{'、'.join(cells)} {message.removesuffix(advice)}")
        shown += len(items)
        if items:
            parts.append(f"工作表 {sheet}：" + "；".join(items + ([advice.lstrip("，")] if advice else [])))
    groups = sum(len(reasons) for reasons in by_sheet.values())
    return "；".join(parts) + (f" 等 {len(findings)} 处" if groups > shown else "")


def _shared_advice(messages: list[str]) -> str:
    """The clauses ("，…") that end every one of several messages, with their leading "，"; else ""."""
    if len(messages) < 2:
        return ""
    split = [m.split("，") for m in messages]
    shared: list[str] = []
    for tails in zip(*(reversed(parts[1:]) for parts in split), strict=False):
        if len(set(tails)) != 1:
            break
        shared.insert(0, tails[0])
    return "".join("，" + clause for clause in shared)


def summarize(ev: Evaluation, data: dict[str, Any]) -> dict[str, Any]:
    """The part of a workbook's result that 汇总.xlsx needs (small: kept for every file).

    ``indicators`` and ``findings`` are lists of tuples (fields in
    ``perfxl.tidy.INDICATOR_FIELDS`` and ``FINDING_FIELDS``): the analysis sheets, the
    tidy tables and ``perfxl compare`` read them.
    """
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in data["findings"]:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    deducted = sum(
        1
        for ind in data["indicators"]
        if ind["weight"]
        and ind["score"] is not None
        and ind["weight"] > 0
        and ind["weight"] - ind["score"] > 0.005
    )
    keys = ("file", "kind", "title", "unit", "year", "firm", "total", "grade", "bands", "output")
    declared = ev.declared_total()
    return {
        **{k: data.get(k) for k in keys},
        "declared_total": float(declared.value) if declared is not None else None,
        "declared_grade": ev.declared_grade(),
        "groups": [{"name": g["name"], "score": g["score"], "rate": g["rate"]} for g in data["groups"]],
        "deducted": deducted,
        "counts": counts,
        "indicators": indicator_records(ev),
        "findings": finding_records(ev),
    }


def _init_worker() -> None:
    # Ctrl-C and SIGTERM reach the whole process group (a terminal, a service manager):
    # workers ignore them and finish their file while the parent cancels the rest, so no
    # worker dies with a traceback or a half-written file; a parent that dies without
    # stopping them (SIGKILL) is noticed by the watchdog
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="perfxl-watchdog", daemon=True).start()
    # import once per worker, then freeze: trims the slow tail of per-file writes
    import python_calamine  # noqa: F401
    import xlsxwriter  # noqa: F401

    from . import pipeline, survey_write, write  # noqa: F401

    gc.freeze()


def _watch_parent(parent: int) -> None:
    """End this worker, removing its unfinished output, once the process that started it is gone."""
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    files.discard_pending()
    os._exit(1)


@dataclass
class BatchReport:
    """Outcome of a batch, in input order.

    ``summaries`` has one small record per scored workbook (what 汇总.xlsx shows);
    ``results`` the full JSON objects, kept only when asked for (``details=True``), so
    that thousands of workbooks do not pile up in memory; ``skipped`` the files of the
    folder that perfxl wrote itself (annotated workbooks, 汇总.xlsx), never scored again.
    """

    results: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    summary_path: Path | None = None
    total_files: int = 0
    summaries: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    reports_failed: list[dict[str, str]] = field(default_factory=list)  # scored, report not written

    @property
    def succeeded(self) -> int:
        return len(self.summaries)

    @property
    def with_errors(self) -> int:
        """Scored workbooks whose audit found errors (状态 有错误 in 汇总.xlsx)."""
        return sum(1 for s in self.summaries if s.get("counts", {}).get("error"))

    def tables(self) -> Tables:
        """The tidy tables of the batch: evaluations, groups, indicators, findings (pandas
        DataFrames; docs/api.md)."""
        from .tidy import from_summaries

        return from_summaries(self.summaries, self.failed)

    def to_json(self) -> dict[str, Any]:
        return {
            "results": self.results,
            "failed": [{"file": f["file"], "error": f["error"]} for f in self.failed],
            "skipped": self.skipped,
            "reports_failed": self.reports_failed,
            "summary": str(self.summary_path) if self.summary_path else None,
        }


SKIPPED_OUTPUT = "perfxl 写出的评分结果，不是待评分的工作簿"


def run_batch(
    input_dir: Path,
    output_dir: Path,
    options: Options | None = None,
    *,
    jobs: int | None = None,
    recursive: bool = False,
    progress: bool = False,
    details: bool = True,
    with_reports: bool = False,
) -> BatchReport:
    """Score every workbook under *input_dir* into *output_dir*, then write 汇总.xlsx;
    with *with_reports*, a report draft (.docx) beside each annotated workbook.

    With *details* false, only the summary of each workbook is kept (``report.results``
    stays empty); the ``--json`` output needs the details.  A folder without workbooks to
    score is a :class:`PerfxlError` (nothing is written); Ctrl-C or SIGTERM raises
    :class:`Interrupted` once the workers have finished the files they were writing.
    """
    options = options or Options()
    if input_dir.is_file():
        raise PerfxlError("这是一个文件，不是文件夹（单个工作簿请用 perfxl score）", file=str(input_dir))
    if not input_dir.is_dir():
        raise PerfxlError("输入文件夹不存在", file=str(input_dir))
    if output_dir.exists() and not output_dir.is_dir():
        raise PerfxlError("输出路径已存在且不是文件夹", file=str(output_dir))
    if output_dir.resolve() == input_dir.resolve():
        raise PerfxlError("输出文件夹不能与输入文件夹相同（perfxl 从不覆盖输入文件）", file=str(output_dir))
    folder = scan_folder(input_dir, recursive, exclude=output_dir.resolve())
    if not folder.workbooks:
        raise _nothing_to_score(input_dir, folder, recursive)
    _prepare_output(output_dir)
    dests = output_paths(folder.workbooks, input_dir, output_dir)
    tasks = [
        (str(f), str(dest), options, f.relative_to(input_dir).as_posix(), details, with_reports)
        for f, dest in zip(folder.workbooks, dests, strict=True)
    ]
    report = BatchReport(total_files=len(tasks))
    report.skipped = [
        {"file": f.relative_to(input_dir).as_posix(), "reason": SKIPPED_OUTPUT} for f in folder.outputs
    ]
    outcomes: list[dict[str, Any] | None] = [None] * len(tasks)
    bar = _Progress(len(tasks)) if progress else None
    try:
        _score_all(tasks, outcomes, jobs or os.cpu_count() or 1, bar)
    except KeyboardInterrupt as exc:
        raise Interrupted(sum(out is not None for out in outcomes), len(tasks)) from exc
    finally:
        if bar:
            bar.close()
    for out in outcomes:
        assert out is not None
        if "error" in out:
            report.failed.append({"file": out["file"], "error": out["error"]})
        else:
            report.summaries.append(out["summary"])
            if details:
                report.results.append(out["result"])
            if "report_error" in out:
                report.reports_failed.append({"file": out["file"], "error": out["report_error"]})
    report.summary_path = write_summary(output_dir / SUMMARY_NAME, report)
    files.share(report.summary_path)
    return report


def _prepare_output(output_dir: Path) -> None:
    """Create the output folder and prove that files can be created in it."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PerfxlError(f"无法创建输出文件夹（{files.reason(exc)}）", file=str(output_dir)) from exc
    if not os.access(output_dir, os.W_OK):
        raise PerfxlError("输出文件夹不可写", file=str(output_dir))
    try:  # root passes os.access everywhere; /sys, /proc and read-only mounts still refuse
        files.discard(files.new_temp(output_dir))
    except OSError as exc:
        raise PerfxlError("输出文件夹不可写", file=str(output_dir)) from exc


def _score_all(
    tasks: list[tuple[Any, ...]], outcomes: list[dict[str, Any] | None], jobs: int, bar: _Progress | None
) -> None:
    """Fill *outcomes* (in task order): in this process for one job, else in a pool of workers."""
    if jobs <= 1 or len(tasks) <= 1:
        for i, t in enumerate(tasks):
            outcomes[i] = score_one(*t)
            if bar:
                bar.advance(t[3])
        return
    workers = min(jobs, len(tasks))
    # largest files first (a shorter tail)
    remaining = sorted(range(len(tasks)), key=lambda i: (-_size(tasks[i][0]), i))
    while remaining:
        suspects = _run_pool(tasks, remaining, workers, outcomes, bar)
        # a worker died (a crash in native code): the files it may have been reading
        # are retried one by one in a process of their own, so only the culprit fails
        for i in suspects:
            outcomes[i] = _isolated(tasks[i])
            if bar:
                bar.advance(tasks[i][3])
        remaining = [i for i in remaining if outcomes[i] is None]


def _run_pool(
    tasks: list[tuple[Any, ...]],
    order_indices: list[int],
    workers: int,
    outcomes: list[Any],
    bar: _Progress | None,
    fn: Callable[..., Any] | None = None,
) -> list[int]:
    """Run tasks in a pool; return the indices in flight if a worker process died, else [].

    On Ctrl-C (or SIGTERM turned into KeyboardInterrupt by the command line) the files not
    started are cancelled, the workers finish the ones they hold, and those results are kept.
    """
    fn = fn or score_one  # looked up now: tests replace score_one
    order = iter(order_indices)
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        # a bounded number of tasks in flight, so futures do not pile up with thousands of files
        pending: dict[Future[Any], int] = {}
        try:
            while True:
                while len(pending) < 4 * workers and (i := next(order, -1)) >= 0:
                    pending[pool.submit(fn, *tasks[i])] = i
                if not pending:
                    return []
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    try:
                        outcomes[i] = fut.result()
                    except BrokenProcessPool:
                        return [i, *pending.values()]
                    if bar:
                        bar.advance(tasks[i][3])
        except KeyboardInterrupt:
            pool.shutdown(wait=True, cancel_futures=True)
            for fut, i in pending.items():
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    outcomes[i] = fut.result()
            raise


_CRASHED = "处理该文件时工作进程异常退出（文件可能已损坏或结构异常），已跳过"


def _isolated(task: tuple[Any, ...]) -> dict[str, Any]:
    """Score one file in a process of its own; a crash fails only this file."""
    with ProcessPoolExecutor(max_workers=1, initializer=_init_worker) as pool:
        try:
            result: dict[str, Any] = pool.submit(score_one, *task).result()
            return result
        except BrokenProcessPool:
            return {"file": task[3], "error": _CRASHED}


def evaluate_one(src: str, label: str, options: Options) -> Evaluation | Failure:
    """Worker of :func:`iter_evaluations`: the audited result without its workbook, or a Failure."""
    from .book import open_book
    from .pipeline import score_book

    try:
        ev = score_book(open_book(src), options, file_label=label)
    except PerfxlError as exc:
        if exc.file in (src, label):
            exc.file = None
        return Failure(label, exc.line())
    except MemoryError:
        return Failure(label, "内存不足，工作簿过大")
    except Exception as exc:  # a bug must not stop the folder; it is reported per file
        return Failure(label, f"内部错误：{exc.__class__.__name__}: {exc}")
    blocking = ev.blocking_findings()
    if blocking:
        return Failure(label, blocking_reason(blocking), tuple(ev.blocking()))
    ev.book = None  # a calamine workbook does not cross processes
    return ev


def iter_evaluations(
    root: Path, options: Options, *, jobs: int | None = None, recursive: bool = False, chunk: int = 64
) -> Iterator[Evaluation | Failure]:
    """Score the workbooks under *root* in worker processes; yield results in file order.

    Files go to the pool a chunk at a time, so results stream out while the rest is
    scored and memory stays bounded; a worker that dies costs only its own file.
    """
    files = find_workbooks(root, recursive)
    tasks = [(str(f), f.relative_to(root).as_posix(), options) for f in files]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    for start in range(0, len(tasks), chunk):
        part = tasks[start : start + chunk]
        if workers <= 1 or len(part) <= 1:
            yield from (evaluate_one(*t) for t in part)
            continue
        outcomes: list[Any] = [None] * len(part)
        remaining = list(range(len(part)))
        while remaining:
            suspects = _run_pool(part, remaining, min(workers, len(remaining)), outcomes, None, evaluate_one)
            for i in suspects:
                outcomes[i] = _isolated_eval(part[i])
            remaining = [i for i in remaining if outcomes[i] is None]
        yield from outcomes


def _isolated_eval(task: tuple[Any, ...]) -> Evaluation | Failure:
    with ProcessPoolExecutor(max_workers=1, initializer=_init_worker) as pool:
        try:
            result: Evaluation | Failure = pool.submit(evaluate_one, *task).result()
            return result
        except BrokenProcessPool:
            return Failure(task[1], _CRASHED)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


class _Progress:
    """A rich progress bar on stderr (only on a terminal)."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._p = Progress(
            TextColumn("计分中"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._p.start()
        self._task = self._p.add_task("", total=total)

    def advance(self, name: str) -> None:
        self._p.update(self._task, advance=1, description=name[-40:])

    def close(self) -> None:
        self._p.stop()


def write_summary(path: Path, report: BatchReport) -> Path:
    """汇总.xlsx of *report* (:mod:`perfxl.summary_write`)."""
    from .summary_write import write_summary as write

    return write(path, report.summaries, report.failed)
