"""Batch scoring of a folder (README.md, 命令): one annotated workbook per input plus 汇总.xlsx.

Files are processed in worker processes; results are collected in the sorted
order of the inputs, so the same inputs give the same outputs.  A bad file is
recorded with its reason and the batch goes on.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import signal
import tempfile
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
from .errors import Interrupted, PerfxlError
from .evaluate import Evaluation, Options
from .pipeline import Failure

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


def score_one(src: str, dest: str, options: Options, label: str, details: bool = True) -> dict[str, Any]:
    """Worker: score one workbook and write its output; never raises for a bad file.

    Returns ``{"file", "summary"}`` (what 汇总.xlsx needs) plus ``"result"`` (the full JSON
    object) when *details* is true, or ``{"file", "error"}``.
    """
    from .book import open_book
    from .pipeline import score_book
    from .write import write_output

    try:
        book = open_book(src)
        ev = score_book(book, options, file_label=label)
        lines = ev.blocking()
        if lines:
            return {
                "file": label,
                "error": "；".join(line.split("：", 1)[-1] for line in lines[:3])
                + (f" 等 {len(lines)} 处" if len(lines) > 3 else ""),
                "cells": [ln for ln in lines],
            }
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        write_output(dest, ev, book)
        data = ev.to_dict()
        data["output"] = dest
        out = {"file": label, "summary": summarize(data)}
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


def summarize(data: dict[str, Any]) -> dict[str, Any]:
    """The part of a workbook's JSON result that 汇总.xlsx needs (small: kept for every file)."""
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
    keys = ("file", "kind", "title", "unit", "year", "total", "grade", "bands", "output")
    return {
        **{k: data.get(k) for k in keys},
        "groups": [{"name": g["name"], "score": g["score"], "rate": g["rate"]} for g in data["groups"]],
        "deducted": deducted,
        "counts": counts,
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

    @property
    def succeeded(self) -> int:
        return len(self.summaries)

    def to_json(self) -> dict[str, Any]:
        return {
            "results": self.results,
            "failed": [{"file": f["file"], "error": f["error"]} for f in self.failed],
            "skipped": self.skipped,
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
) -> BatchReport:
    """Score every workbook under *input_dir* into *output_dir*, then write 汇总.xlsx.

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
        (str(f), str(dest), options, f.relative_to(input_dir).as_posix(), details)
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
    lines = ev.blocking()
    if lines:
        reason = "；".join(line.split("：", 1)[-1] for line in lines[:3])
        return Failure(label, reason + (f" 等 {len(lines)} 处" if len(lines) > 3 else ""), tuple(lines))
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
    """汇总.xlsx: one row per workbook sorted by total, grade distribution with a chart, 失败 sheet."""
    import xlsxwriter

    from .write import Formats, _xlsx_options

    fd, tmp_name = tempfile.mkstemp(prefix=".perfxl-", suffix=".xlsx.tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        wb = xlsxwriter.Workbook(str(tmp), _xlsx_options())
        fmts = Formats(wb)
        ws = wb.add_worksheet("汇总")
        results = sorted(report.summaries, key=lambda r: (-(r["total"] or 0), r["file"]))
        group_names: list[str] = []
        for r in results:
            for g in r["groups"]:
                if g["name"] not in group_names:
                    group_names.append(g["name"])
        headers = ["序号", "文件", "名称", "单位", "年度", "评价类型", "总分", "等级"]
        for name in group_names:
            headers += [f"{name}得分", f"{name}得分率"]
        headers += ["扣分指标数", "错误", "警告", "提示", "状态", "原因", "评分表"]
        ws.write_row(0, 0, headers, fmts.header)
        kinds = {
            "project": "项目",
            "department": "部门整体",
            "self-project": "项目自评",
            "self-department": "部门自评",
        }
        for i, r in enumerate(results, start=1):
            row = i
            ws.write_number(row, 0, i, fmts.int)
            ws.write_string(row, 1, r["file"], fmts.text)
            ws.write_string(row, 2, r.get("title") or "", fmts.text)
            ws.write_string(row, 3, r.get("unit") or "", fmts.text)
            ws.write_string(row, 4, str(r.get("year") or ""), fmts.text)
            ws.write_string(row, 5, kinds.get(r["kind"], r["kind"]), fmts.text)
            ws.write_number(row, 6, r["total"], fmts.num)
            ws.write_string(row, 7, r["grade"], fmts.text)
            groups = {g["name"]: g for g in r["groups"]}
            c = 8
            for name in group_names:
                g = groups.get(name)
                if g:
                    ws.write_number(row, c, g["score"], fmts.num)
                    if g["rate"] is not None:
                        ws.write_number(row, c + 1, g["rate"], fmts.pct)
                c += 2
            ws.write_number(row, c, r["deducted"], fmts.int)
            for k, sev in enumerate(("error", "warning", "info")):
                ws.write_number(row, c + 1 + k, r["counts"][sev], fmts.int)
            ws.write_string(row, c + 4, "成功", fmts.text)
            if r["output"]:
                rel = os.path.relpath(r["output"], path.parent).replace(os.sep, "/")
                ws.write_url(row, c + 6, f"external:{rel}", fmts.link, rel)
        n = len(results)
        status_col = len(headers) - 3
        # failed files are listed too, below the scored ones, with the reason
        for k, f in enumerate(sorted(report.failed, key=lambda x: x["file"]), start=n + 1):
            ws.write_number(k, 0, k, fmts.int)
            ws.write_string(k, 1, f["file"], fmts.text)
            ws.write_string(k, status_col, "失败", fmts.sev["error"])
            ws.write_string(k, status_col + 1, f["error"], fmts.text)
        rows_used = n + len(report.failed)
        last_col = len(headers) - 1
        ws.freeze_panes(1, 3)
        ws.autofilter(0, 0, max(rows_used, 1), last_col)
        ws.set_column(0, 0, 5)
        ws.set_column(1, 2, 30)
        ws.set_column(3, 3, 20)
        ws.set_column(4, last_col, 9)
        ws.set_column(status_col + 1, status_col + 1, 36)
        ws.set_column(last_col, last_col, 30)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        # statistics with formulas
        r0 = rows_used + 2
        ws.write_string(r0, 1, "统计", fmts.bold)
        ws.write_string(r0 + 1, 1, "平均总分", fmts.text)
        ws.write_string(r0 + 2, 1, "最高总分", fmts.text)
        ws.write_string(r0 + 3, 1, "最低总分", fmts.text)
        totals = [r["total"] for r in results]
        rng = f"G2:G{n + 1}"
        if n:
            ws.write_formula(r0 + 1, 6, f"=ROUND(AVERAGE({rng}),2)", fmts.num, round(sum(totals) / n, 2))
            ws.write_formula(r0 + 2, 6, f"=MAX({rng})", fmts.num, max(totals))
            ws.write_formula(r0 + 3, 6, f"=MIN({rng})", fmts.num, min(totals))
        # grade distribution
        g0 = r0 + 5
        ws.write_row(g0, 1, ["等级", "数量", "占比"], fmts.header)
        labels: list[str] = []
        for r in results:
            for b in r.get("bands", []):
                lab = b.rstrip("0123456789.>≥")
                if lab and lab not in labels:
                    labels.append(lab)
        for lab in ["优", "良", "中", "差"] if not labels else []:
            labels.append(lab)
        for r in results:
            if r["grade"] not in labels:
                labels.append(r["grade"])
        for k, lab in enumerate(labels, start=1):
            cnt = sum(1 for r in results if r["grade"] == lab)
            ws.write_string(g0 + k, 1, lab, fmts.text)
            # exact comparison: a grade label is user text (评级标准), never a criterion
            ws.write_formula(
                g0 + k, 2, f"=SUMPRODUCT((H$2:H${max(n, 1) + 1}=B{g0 + k + 1})*1)", fmts.int, cnt
            )
            ws.write_formula(
                g0 + k, 3, f"=IF({n}=0,0,C{g0 + k + 1}/{max(n, 1)})", fmts.pct, cnt / n if n else 0
            )
        ws.write_string(g0 + len(labels) + 1, 1, "失败", fmts.text)
        ws.write_number(g0 + len(labels) + 1, 2, len(report.failed), fmts.int)
        if labels:
            chart = wb.add_chart({"type": "column"})
            chart.add_series(
                {
                    "name": "数量",
                    "categories": ["汇总", g0 + 1, 1, g0 + len(labels), 1],
                    "values": ["汇总", g0 + 1, 2, g0 + len(labels), 2],
                    "data_labels": {"value": True},
                }
            )
            chart.set_title({"name": "等级分布"})
            chart.set_legend({"none": True})
            ws.insert_chart(g0, 5, chart)
        wf = wb.add_worksheet("失败")
        wf.write_row(0, 0, ["序号", "文件", "原因"], fmts.header)
        for i, f in enumerate(report.failed, start=1):
            wf.write_number(i, 0, i, fmts.int)
            wf.write_string(i, 1, f["file"], fmts.text)
            wf.write_string(i, 2, f["error"], fmts.text)
        wf.set_column(1, 1, 40)
        wf.set_column(2, 2, 90)
        wf.set_landscape()
        wf.set_paper(9)
        wf.fit_to_pages(1, 0)
        wb.set_properties(
            {"title": "perfxl 批量评分汇总", "author": "perfxl", "created": _dt.datetime(2000, 1, 1)}
        )
        wb.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
