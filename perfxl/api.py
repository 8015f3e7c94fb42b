"""The public face of perfxl: score, audit and write evaluations from Python.

Everything user-facing — the command line, and the report, web page and comparisons
to come — calls these functions, never the modules below them.  See docs/api.md for a
walk-through with a runnable example, and docs/architecture.md for the layers.

>>> import perfxl
>>> ev = perfxl.score("inputs/004_政务服务和公共资源交易中心_部门整体评价.xlsx")
>>> ev.total, ev.grade
(Decimal('93.00'), '优')
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Finding, PerfxlError
from .errors import Interrupted as Interrupted  # re-exported by perfxl
from .evaluate import Evaluation, Options
from .evaluate import IndicatorResult as IndicatorResult  # re-exported by perfxl
from .grades import parse_bands
from .pipeline import Failure, Source, open_source, score_source

if TYPE_CHECKING:
    from .batch import BatchReport
    from .comparison import Comparison
    from .survey import SurveyResult
    from .tidy import Tables

# the public names are listed once, in perfxl/__init__.py, which re-exports them from here


def make_options(
    *,
    grades: str | None = None,
    rate_digits: int | None = None,
    expert_trim: bool | None = None,
    expert_weight: float | Decimal | None = None,
) -> Options:
    """Scoring options, checked: :class:`ArgumentError` (Chinese message) for a bad value.

    *grades* overrides the 评级标准 of 项目信息 (``"90,80,60"``, ``"优90,良80,中>70"``);
    *rate_digits* rounds completion ratios to N decimals of percent before scoring;
    *expert_trim* drops the highest and lowest of ≥ 5 expert scores; *expert_weight* w
    blends ``w × expert mean + (1 − w) × computed``.
    """
    if grades:
        try:
            parse_bands(grades)
        except ValueError as exc:
            raise ArgumentError(str(exc), "grades") from None
    if rate_digits is not None and not 0 <= rate_digits <= 4:
        raise ArgumentError("完成率保留位数应为 0 到 4", "rate_digits")
    weight = None
    if expert_weight is not None:
        weight = Decimal(str(expert_weight))
        if not 0 <= weight <= 1:
            raise ArgumentError("专家评分权重应在 0 到 1 之间", "expert_weight")
    return Options(grades=grades, rate_digits=rate_digits, expert_trim=expert_trim, expert_weight=weight)


def score(source: Source, options: Options | None = None, *, name: str | None = None) -> Evaluation:
    """Score one workbook: a path, the file's bytes, or a binary file object.

    Returns the :class:`Evaluation` even when some cells block scoring (then
    ``ev.scorable`` is false and ``ev.blocking()`` lists them, one Chinese line each);
    raises :class:`PerfxlError` only when the workbook cannot be used at all.
    *name* is the file name shown in messages (defaults to the path, or the file
    object's name).
    """
    return score_source(source, options, name)


def check(source: Source, options: Options | None = None, *, name: str | None = None) -> list[Finding]:
    """The audit findings (审核意见) of one workbook, errors first."""
    return score(source, options, name=name).findings


def write_annotated(ev: Evaluation, path: str | os.PathLike[str]) -> Path:
    """Write the annotated workbook (评分表 with live formulas, 汇总, 审核意见 …) atomically.

    Raises :class:`PerfxlError` when the evaluation has blocking findings or was
    not read from a workbook in this process (``score_folder`` results carry none).
    """
    from .write import write_output

    lines = ev.blocking()
    if lines:
        raise PerfxlError(f"存在 {len(lines)} 处无法计分的数据，未写出结果：{lines[0]}", file=ev.file)
    if ev.book is None:
        raise PerfxlError(
            "该评价结果不含原工作簿，无法写出批注评分表（请用 perfxl.score 重新读取）", file=ev.file
        )
    return write_output(path, ev, ev.book)


def write_report(ev: Evaluation, path: str | os.PathLike[str], kind: str = "auto") -> Path:
    """Write the evaluation report draft (Word .docx) atomically.

    *kind* chooses the outline: ``auto`` (from ``ev.kind``), ``project``, ``department`` or
    ``self`` (docs/report.md).  Every number comes from *ev*; what a person must write is a
    yellow-highlighted 【待填写：…】.  Raises :class:`ArgumentError` for an unknown kind and
    :class:`PerfxlError` when the evaluation has blocking findings, the path is not a .docx
    or no Chinese font is installed for the chart.
    """
    from .report import write_report as _write
    from .report_text import REPORT_KINDS

    if kind not in REPORT_KINDS:
        raise ArgumentError(f"报告类型“{kind}”无效，可选：{'、'.join(REPORT_KINDS)}", "kind")
    lines = ev.blocking()
    if lines:
        raise PerfxlError(f"存在 {len(lines)} 处无法计分的数据，未写出报告：{lines[0]}", file=ev.file)
    return _write(ev, path, kind)


def preload_report() -> AbstractContextManager[None]:
    """``with preload_report(): ev = score(...)`` — load the report's chart library in a helper
    process while the workbook is scored, so that :func:`write_report` (in or after the block)
    finishes sooner on a machine with two cores.  Optional; it does nothing on systems other than Linux."""
    from .chart import preload

    return preload()


def score_folder(
    folder: str | os.PathLike[str],
    options: Options | None = None,
    *,
    jobs: int | None = None,
    recursive: bool = False,
) -> Iterator[Evaluation | Failure]:
    """Score every workbook in *folder* (sorted; ``~$`` lock files skipped), in parallel.

    Yields, in file order, an :class:`Evaluation` per scored workbook and a
    :class:`Failure` (file and Chinese reason) per workbook that could not be scored —
    never raises for a bad file.  Results carry no workbook (``ev.book`` is None).
    """
    from .batch import iter_evaluations

    root = Path(folder)
    if not root.is_dir():
        raise PerfxlError("输入文件夹不存在", file=str(folder))
    yield from iter_evaluations(root, options or Options(), jobs=jobs, recursive=recursive)


def write_summary(
    results: Iterable[Evaluation | Failure],
    path: str | os.PathLike[str],
    *,
    outputs: Mapping[str, str | os.PathLike[str]] | None = None,
) -> Path:
    """Write 汇总.xlsx (what ``perfxl batch`` writes) for results such as ``score_folder`` yields:
    one row per evaluation, highest total first, and each failure with its reason.

    *outputs* maps an evaluation's ``file`` to its annotated workbook (absolute, or relative
    to the summary's folder), linked from the 评分表 column.
    """
    from .batch import BatchReport, summarize
    from .batch import write_summary as _write
    from .files import share

    report = BatchReport()
    for result in results:
        report.total_files += 1
        if isinstance(result, Failure):
            report.failed.append(result.to_dict())
            continue
        data = result.to_dict()
        linked = (outputs or {}).get(result.file)
        data["output"] = str(Path(path).parent / linked) if linked is not None else None
        report.summaries.append(summarize(result, data))
    written = _write(Path(path), report)
    share(written)
    return written


def batch(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    options: Options | None = None,
    *,
    jobs: int | None = None,
    recursive: bool = False,
    progress: bool = False,
    details: bool = True,
    report: bool = False,
) -> BatchReport:
    """Score a folder into *output_dir*: one annotated workbook per input, plus 汇总.xlsx;
    with *report*, also the report draft (.docx) beside each annotated workbook."""
    from .batch import run_batch

    return run_batch(
        Path(input_dir),
        Path(output_dir),
        options or Options(),
        jobs=jobs,
        recursive=recursive,
        progress=progress,
        details=details,
        with_reports=report,
    )


def tables(results: Iterable[Evaluation | Failure]) -> Tables:
    """The tidy tables (pandas DataFrames: ``evaluations``, ``groups``, ``indicators``,
    ``findings``; columns in docs/api.md) of results such as ``score_folder`` yields;
    ``.to_csv(folder)`` and ``.to_parquet(folder)`` write them."""
    from .batch import summarize
    from .tidy import from_summaries

    summaries, failed = [], []
    for result in results:
        if isinstance(result, Failure):
            failed.append(result.to_dict())
        else:
            summaries.append(summarize(result, result.to_dict()))
    return from_summaries(summaries, failed)


def read_summary(path: str | os.PathLike[str]) -> Tables:
    """The tidy tables of a 汇总.xlsx written by ``perfxl batch`` (its 总览, 汇总, 指标得分 and
    审核意见明细 sheets), the same as ``BatchReport.tables()`` gave when it was written."""
    from .summary_read import read_summary as _read

    return _read(path)


def compare(
    old: str | os.PathLike[str],
    new: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    options: Options | None = None,
    *,
    jobs: int | None = None,
    recursive: bool = False,
) -> Comparison:
    """Compare two seasons (docs/compare.md): each a 汇总.xlsx, a folder holding one (a batch's
    output), or a folder of workbooks (scored now, nothing written there).  With *output*,
    writes 对比.xlsx.  Returns the :class:`~perfxl.comparison.Comparison` (DataFrames ``pairs``,
    ``groups``, ``indicators``, ``findings``, ``unmatched``)."""
    from .comparison import compare_tables

    sources = [_season_source(Path(p)) for p in (old, new)]
    if all(path.is_file() for path in sources) and (jobs or os.cpu_count() or 1) > 1:
        sides = _read_both(sources)
    else:
        sides = [_season(path, options, jobs, recursive) for path in sources]
    result = compare_tables(sides[0][0], sides[1][0], sides[0][1], sides[1][1])
    if output is not None:
        from .comparison_write import write_comparison

        write_comparison(Path(output), result)
    return result


def _season_source(path: Path) -> Path:
    """A season's 汇总.xlsx (a file, or a batch's output folder), else the folder to score."""
    from .batch import SUMMARY_NAME

    return path / SUMMARY_NAME if path.is_dir() and (path / SUMMARY_NAME).is_file() else path


def _read_both(paths: list[Path]) -> list[tuple[Tables, str]]:
    """Two 汇总.xlsx read at once, each in a process of its own (which also hands the memory of
    reading back to the system when it ends)."""
    from concurrent.futures import ProcessPoolExecutor

    from .summary_read import read_summary_compact

    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(read_summary_compact, path) for path in paths]
        return [(future.result().expanded(), str(path)) for future, path in zip(futures, paths, strict=True)]


def _season(path: Path, options: Options | None, jobs: int | None, recursive: bool) -> tuple[Tables, str]:
    """One side of a comparison and how it was read (for the 统计 sheet and messages)."""
    from .batch import SUMMARY_NAME, find_workbooks

    if not path.is_dir():
        return read_summary(path), str(path)
    count = len(find_workbooks(path, recursive))
    if not count:
        raise PerfxlError(f"文件夹中既没有 {SUMMARY_NAME}，也没有可评分的工作簿", file=str(path))
    return tables(
        score_folder(path, options, jobs=jobs, recursive=recursive)
    ), f"{path}（重新计分 {count} 个工作簿）"


class ArgumentError(ValueError):
    """A bad argument to an API function; *param* names it (``"weight"``, ``"grades"`` …)."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


# the clause types of RuleExplanation.clauses, as shown to users
CLAUSE_LABELS = {
    "definition": "定义",
    "condition": "条件→分值",
    "label": "档次",
    "step": "每…扣",
    "cap": "扣分上限",
    "item": "要点",
    "ratio": "按比例",
    "judgement": "酌情",
    "other": "说明",
    "unread": "未识别",
}


@dataclass(frozen=True)
class RuleExplanation:
    """What perfxl understood of one 评分标准 text, and the score for the given inputs."""

    kind: str
    label: str
    params: dict[str, Any]
    explanation: str
    score: float | None
    reason: str | None
    clauses: tuple[tuple[str, str], ...] = ()  # (clause type, text) as the clause grammar read them

    def to_dict(self) -> dict[str, Any]:
        """Exactly what ``perfxl rule --json`` prints."""
        return {
            "kind": self.kind,
            "params": self.params,
            "explanation": self.explanation,
            "label": self.label,
            "score": self.score,
            "reason": self.reason,
            "clauses": [{"type": kind, "text": text} for kind, text in self.clauses],
        }


def explain_rule(
    text: str,
    *,
    weight: str | float | None = None,
    target: str | None = None,
    actual: str | None = None,
    judgements: str | None = None,
    failures: int | None = None,
    method: str | None = None,
    rate_digits: int | None = None,
) -> RuleExplanation:
    """Recognize a rule text (or a 计分方法 *method*) and, given a *weight*, score it.

    :class:`ArgumentError` (Chinese message) for an unreadable weight, judgements or method.
    """
    from .clauses import read_clauses
    from .evaluate import parse_judgements
    from .numbers import align_units, as_percent_like, normalize, parse_number, parse_target
    from .phrases import OverrideError, default_rule, parse_override, prepare, recognize
    from .rules import KIND_LABELS, Facts, final_round
    from .rules import score as score_rule

    try:
        r = parse_override(method) if method else recognize(text)
    except OverrideError as exc:
        raise ArgumentError(str(exc), "method") from None
    if not method and not text.strip():
        # a blank 评分标准 (as on national 自评表 rows): the default rule for this target and actual
        tgt0 = parse_target(target) if target else None
        act0 = parse_number(actual) if actual else None
        r = default_rule(tgt0, act0 is not None, bool(actual) and act0 is None)
    data = r.to_json()
    result_score: float | None = None
    reason: str | None = None
    if weight is not None:
        w = parse_number(str(weight))
        if w is None:
            raise ArgumentError(f"“{weight}”不是数字", "weight")
        tgt = parse_target(target) if target else None
        act = parse_number(actual) if actual else None
        word = normalize(actual) if actual and act is None else ""
        if act is not None:
            act, conflict = align_units(as_percent_like(act, tgt), tgt)
            if conflict:
                return RuleExplanation(
                    r.kind, KIND_LABELS[r.kind], data["params"], r.explanation, None, conflict
                )
        js = parse_judgements(judgements) if judgements else None
        if judgements and js is None:
            raise ArgumentError(f"“{judgements}”无法识别（应为 √√×√ 或 1,1,0,1）", "judgements")
        outcome = score_rule(r, Facts(abs(w.value), tgt, act, word, js, failures, rate_digits))
        result_score = float(final_round(outcome.score)) if outcome.score is not None else None
        reason = outcome.reason
    return RuleExplanation(
        kind=r.kind,
        label=KIND_LABELS[r.kind],
        params=data["params"],
        explanation=r.explanation,
        score=result_score,
        reason=reason,
        clauses=tuple((c.kind, c.text) for c in read_clauses(prepare(text))) if text.strip() else (),
    )


def analyze_survey(
    source: Source,
    *,
    output: str | os.PathLike[str] | None = None,
    min_seconds: float | None = None,
    method: str | None = None,
    drop_duplicates: bool = True,
    name: str | None = None,
) -> list[SurveyResult]:
    """Analyze the questionnaire sheets of a workbook (one result per survey sheet).

    Raises :class:`PerfxlError` when there is no usable survey.  With *output*, writes
    the 问卷分析 workbook (atomically).
    """
    from .survey_read import analyze_book, usable_or_raise
    from .write import write_survey_output

    book, shown = open_source(source, name)
    try:
        results = analyze_book(book, min_seconds=min_seconds, method=method, drop_duplicates=drop_duplicates)
        usable_or_raise(results)
    except PerfxlError as exc:
        raise exc.with_file(shown) from None
    if output is not None:
        write_survey_output(output, results, book)
    return results


def surveys_to_dict(results: list[SurveyResult]) -> dict[str, Any]:
    """Exactly what ``perfxl survey --json`` prints: one survey's object, or ``{"surveys": [...]}``."""
    from .survey import survey_json

    return survey_json(results)


def write_template(kind: str, path: str | os.PathLike[str], example: bool = False) -> Path:
    """Write a blank template: project | department | self-project | self-department | survey;
    ``example=True`` fills project/department templates with the reference indicator system."""
    from .templates import write_template as _write

    return _write(kind, Path(path), example=example)


def fill_template(
    kind: str, rows: str | os.PathLike[str] | Iterable[Mapping[str, object]], path: str | os.PathLike[str]
) -> Path:
    """Write the template of ``kind`` holding exactly ``rows``: a .csv/.xlsx file, or mappings
    (e.g. ``DataFrame.to_dict("records")``) keyed by the sheet's column names (一级指标, 二级指标,
    三级指标, 权重 or 分值, 评分标准, 标杆值 or 年度指标值, …)."""
    from .templates import fill_template as _fill

    if hasattr(rows, "to_dict") and not isinstance(rows, str | os.PathLike):
        rows = rows.to_dict("records")  # a pandas DataFrame
    return _fill(kind, rows, Path(path))


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = False,
    max_upload_mb: float = 50,
    keep_minutes: float = 120,
    jobs: int | None = None,
    on_start: Callable[[str], None] | None = None,
) -> None:
    """Run the local web page (``perfxl serve``, docs/web.md) until Ctrl-C or SIGTERM.

    Listens on *host* (127.0.0.1: this computer only); *port* 0 picks a free one.  Each
    uploaded file may be up to *max_upload_mb* MB; uploads and results live in a private
    temporary folder, a batch is deleted after *keep_minutes* idle and everything when
    the server stops.  *on_start* gets the page's address once the port is open.
    Raises :class:`PerfxlError` when the port cannot be opened, :class:`ArgumentError`
    for a bad setting.
    """
    import sys

    from .web import Settings, run

    if not 0 <= port <= 65535:
        raise ArgumentError("端口应在 0 到 65535 之间", "port")
    if max_upload_mb <= 0:
        raise ArgumentError("上传文件大小上限应大于 0", "max_upload_mb")
    if keep_minutes <= 0:
        raise ArgumentError("保留时间应大于 0 分钟", "keep_minutes")
    if jobs is not None and jobs < 1:
        raise ArgumentError("进程数应不小于 1", "jobs")
    settings = Settings(
        host=host,
        port=port,
        max_upload_bytes=int(max_upload_mb * 1_000_000),
        keep_seconds=keep_minutes * 60,
        jobs=jobs or os.cpu_count() or 1,
        open_browser=open_browser,
    )
    run(sys.modules[__name__], settings, on_start)
