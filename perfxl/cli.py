"""Command line — a thin layer over :mod:`perfxl.api`: parse options, call the API, print.

Only this module imports click, and it imports nothing of perfxl but the API (and the
error types), inside the commands, so that ``perfxl --help`` stays fast.  Everything it
shows is Chinese, click's own texts included (see "click, in Chinese" below).  The
commands, options and the JSON they print are documented in README.md and docs/api.md.
Data goes to stdout, messages to stderr; exit codes: 0 success, 1 a workbook could not be
scored (or ``check`` found errors), 2 usage error, 130 Ctrl-C, 143 SIGTERM.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .errors import Interrupted, PerfxlError

if TYPE_CHECKING:
    from .api import Evaluation, Options


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _err(line: str) -> None:
    click.echo(line, err=True)


def _fail(exc: PerfxlError) -> NoReturn:
    _err(exc.line())
    raise SystemExit(1)


# ---------------------------------------------------------------- click, in Chinese
#
# Users never see click's English: the help page is laid out by _Formatter (用法, 选项,
# 命令), every option and argument names its value in Chinese (metavar), the value types
# below fail with Chinese messages, and main() words every usage error itself from the
# exception's fields (_usage_message).

_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数", "Positional arguments": "参数"}


class _Formatter(click.HelpFormatter):
    """click's help page with Chinese headings, laid out by display width (a Chinese character takes two columns)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        for line in _wrap(text, self.width - self.current_indent):
            self.write(f"{'':>{self.current_indent}}{line}\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((_width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = self.current_indent + first_col
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if _width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - _width(term)))
            elif text:
                self.write("\n" + " " * indent)
            lines = _wrap(text, max(self.width - indent, 20)) or [""]
            self.write(lines[0].rstrip() + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{indent}}{line}\n")


def _width(text: str) -> int:
    """Columns the text takes on a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_NO_LINE_START = set("，。；：、）」”’！？")  # stays at the end of the line before, as in print


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most *width* columns, broken between Chinese characters or at spaces, never inside a word."""
    lines: list[str] = []
    line, used = "", 0
    for token in re.findall(r"[!-~]+|\s|.", " ".join(text.split())):
        size = _width(token)
        if line and used + size > width and not token.isspace() and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
        if line or not token.isspace():
            line += token
            used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines


class _Context(click.Context):
    formatter_class = _Formatter


class _Command(click.Command):
    """A command whose help page is all Chinese."""

    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The whole first line of the help (click would cut it counting a Chinese character as one column)."""
        return self.short_help or (self.help or "").strip().split("\n")[0]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示此帮助并退出"
        return option


class _Group(_Command, click.Group):
    command_class = _Command


class _Required(click.Option):
    """A required option whose help says 必填 itself (click would append an English “[required]”)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        required, self.required = self.required, False
        try:
            return super().get_help_record(ctx)
        finally:
            self.required = required


class _Number(click.ParamType):
    """A whole or decimal number within bounds, with Chinese messages."""

    def __init__(self, kind: type[int] | type[float], low: float | None = None, high: float | None = None):
        self.kind = kind
        self.low = low
        self.high = high
        self.name = "整数" if kind is int else "数"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = self.kind(value)
        except (TypeError, ValueError):
            self.fail(f"“{value}”不是{self.name}", param, ctx)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            self.fail(f"{value} 超出范围，应{self.bounds()}", param, ctx)
        return number

    def bounds(self) -> str:
        if self.high is None:
            return f"不小于 {self.low}"
        return f"在 {self.low} 到 {self.high} 之间"


class _Choice(click.ParamType):
    """One of a few fixed words, with Chinese messages."""

    name = "可选值"

    def __init__(self, choices: tuple[str, ...]) -> None:
        self.choices = choices

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        self.fail(f"“{value}”不是可选值；可选：{'、'.join(self.choices)}", param, ctx)


def _xlsx_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """``-o`` of a workbook: perfxl writes .xlsx only (an .ods or .xls name would lie about the content)."""
    if value is not None and value.suffix.lower() != ".xlsx" and not value.is_dir():
        raise click.BadParameter(f"“{value.name}”不是 .xlsx 文件名（perfxl 只写出 .xlsx 工作簿）", ctx, param)
    return value


def _docx_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """``-o`` of a report: a Word document."""
    if value is not None and value.suffix.lower() != ".docx" and not value.is_dir():
        raise click.BadParameter(f"“{value.name}”不是 .docx 文件名（报告为 Word 文档）", ctx, param)
    return value


def _param_name(param: click.Parameter | None, hint: Any = None) -> str:
    """How a message names a parameter: its longest option name, or an argument's metavar."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    if param is not None:
        return param.human_readable_name
    if isinstance(hint, (list, tuple)):
        return "/".join(str(h) for h in hint)
    return str(hint or "")


_USAGE_PATTERNS = (
    (re.compile(r"No such command '(.+?)'"), "没有这个命令：{0}"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "多余的参数：{0}"),
    (re.compile(r"Missing command"), "缺少命令"),
)


def _usage_message(exc: click.UsageError) -> str:
    """A usage error in Chinese, worded from the exception's fields, never from click's English."""
    if isinstance(exc, click.MissingParameter):
        kind = "选项" if isinstance(exc.param, click.Option) else "参数"
        text = f"缺少{kind} {_param_name(exc.param, exc.param_hint)}"
        if exc.param is not None and isinstance(exc.param.type, _Choice):
            text += f"（可选：{'、'.join(exc.param.type.choices)}）"
        return text
    if isinstance(exc, click.BadParameter):
        name = _param_name(exc.param, exc.param_hint)
        kind = "选项" if name.startswith("-") else "参数"
        return f"{kind} {name} 的值无效：{exc.message}"
    if isinstance(exc, click.NoSuchOption):
        text = f"没有这个选项：{exc.option_name}"
        if exc.possibilities:
            text += f"（是否想用 {'、'.join(exc.possibilities)}？）"
        return text
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"选项 {exc.option_name} 不需要值"
        return f"选项 {exc.option_name} 需要一个值"
    possibilities = getattr(exc, "possibilities", None)  # NoSuchCommand (click ≥ 8.4)
    for pattern, text in _USAGE_PATTERNS:
        m = pattern.search(exc.message)
        if m:
            found = text.format(*m.groups())
            if possibilities:
                found += f"（是否想用 {'、'.join(possibilities)}？）"
            return found
    return "命令行参数有误"


def scoring_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by score, check and batch."""
    fn = click.option(
        "--grades",
        metavar="评级标准",
        help="评级标准（覆盖项目信息中的“评级标准”），如 90,80,60 或 优90,良80,中>70",
    )(fn)
    fn = click.option(
        "--rate-digits",
        metavar="位数",
        type=_Number(int, 0, 4),
        default=None,
        help="先将完成率四舍五入到百分数的 N 位小数再计分（0 到 4；如 0 = 取整百分数）",
    )(fn)
    fn = click.option("--expert-trim/--no-expert-trim", default=None, help="专家人数≥5时去掉最高分和最低分")(
        fn
    )
    fn = click.option(
        "--expert-weight",
        metavar="权重",
        type=_Number(float, 0, 1),
        default=None,
        help="专家评分权重 w（0 到 1）：最终得分 = w×专家均分 + (1−w)×计算得分",
    )(fn)
    return fn


def _options(
    grades: str | None, rate_digits: int | None, expert_trim: bool | None, expert_weight: float | None
) -> Options:
    from .api import ArgumentError, make_options

    try:
        return make_options(
            grades=grades, rate_digits=rate_digits, expert_trim=expert_trim, expert_weight=expert_weight
        )
    except ArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint="--" + exc.param.replace("_", "-")) from None


def _summary(ev: Evaluation, out: Path | None) -> None:
    from .numbers import fmt_num, fmt_pct

    click.echo(f"{ev.title}（{ev.file}）")
    for g in ev.groups:
        rate = f"{fmt_pct(g.rate)}" if g.rate is not None else "—"
        if g.role == "base":
            click.echo(f"  {g.name}：{fmt_num(g.weight)} 分中得 {fmt_num(g.score)} 分（{rate}）")
        else:
            click.echo(f"  {g.name}：{'+' if g.score >= 0 else ''}{fmt_num(g.score)} 分")
    ex = ev.execution
    if ex is not None and ex.score is not None:
        points = getattr(ex.weight, "value", None)
        click.echo(f"  预算执行率：{fmt_pct(ex.rate)}，{fmt_num(points)} 分中得 {fmt_num(ex.score)} 分")
    click.echo(f"总分 {fmt_num(ev.total)}，等级 {ev.grade}")
    counts = {s: sum(1 for f in ev.findings if f.severity == s) for s in ("error", "warning", "info")}
    click.echo(f"审核意见：错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}")
    if out is not None:
        click.echo(f"已写出：{out}")


@click.group(
    cls=_Group,
    subcommand_metavar="命令 [参数]...",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="perfxl", message="perfxl %(version)s", help="显示版本号并退出")
@click.option("--debug", is_flag=True, hidden=True, help="出错时显示完整的调用栈")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """perfxl：预算绩效评价评分表的计分、复核与批量处理工具。"""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


_INPUT = "输入.xlsx"  # the metavar of a workbook argument (.xlsx, .xlsm, .xls or .ods)


def _scored(input_path: Path, opts: dict[str, Any]) -> Evaluation:
    """The workbook scored, or exit 1: one line for an unusable file, one per cell that blocks scoring.

    ``score`` and ``check`` refuse the same files with the same lines.
    """
    from .api import score as score_workbook

    options = _options(**opts)
    try:
        ev = score_workbook(input_path, options)
    except PerfxlError as exc:
        _fail(exc)
    lines = ev.blocking()
    if lines:
        for line in lines:
            _err(line)
        _err(f"文件 {input_path}：存在 {len(lines)} 处无法计分的数据，未计分（请先更正以上单元格）")
        raise SystemExit(1)
    return ev


@cli.command()
@click.argument("input_path", metavar=_INPUT, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    metavar="输出.xlsx",
    type=click.Path(path_type=Path),
    callback=_xlsx_output,
    help="输出的批注评分表（默认：输入文件旁 *_评分结果.xlsx）",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果到标准输出")
@click.option("--no-output", is_flag=True, help="只计分，不写出工作簿")
@scoring_options
def score(input_path: Path, output: Path | None, as_json: bool, no_output: bool, **opts: Any) -> None:
    """计分：按评分标准计算每个指标得分、分组、总分和等级，写出批注评分表。"""
    from .api import write_annotated

    ev = _scored(input_path, opts)
    out = None
    if not no_output:
        out = output or input_path.with_name(f"{input_path.stem}_评分结果.xlsx")
        try:
            write_annotated(ev, out)
        except PerfxlError as exc:
            _fail(exc)
    if as_json:
        data = ev.to_dict()
        if out is not None:
            data["output"] = str(out)
        _echo_json(data)
    else:
        _summary(ev, out)


@cli.command()
@click.argument("input_path", metavar=_INPUT, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@scoring_options
def check(input_path: Path, as_json: bool, **opts: Any) -> None:
    """审核：列出评分表中的问题；存在“错误”级别问题时退出码为 1。"""
    ev = _scored(input_path, opts)
    if as_json:
        _echo_json(ev.to_dict())
    else:
        for f in ev.findings:
            click.echo(f.line())
        if not ev.findings:
            click.echo("未发现问题")
        _summary(ev, None)
    if any(f.severity == "error" for f in ev.findings):
        raise SystemExit(1)


@cli.command()
@click.argument("text", metavar="评分标准")
@click.option("--weight", "-w", metavar="分值", type=str, help="权重（分值）")
@click.option("--target", "-t", metavar="标杆值", type=str, help="标杆值，如 ≥95%")
@click.option("--actual", "-a", metavar="业绩值", type=str, help="业绩值，如 93.5% 或 合理")
@click.option("--judgements", "-j", metavar="判定", type=str, help="要点判定，如 √√×√")
@click.option("--failures", "-f", metavar="项数", type=_Number(int, 0), help="不符合项数")
@click.option(
    "--method", "-m", metavar="计分方法", type=str, help="计分方法（覆盖评分标准识别），如 扣分法 步长=5%权重"
)
@click.option(
    "--rate-digits",
    metavar="位数",
    type=_Number(int, 0, 4),
    default=None,
    help="完成率先取整到百分数的 N 位小数（0 到 4）",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def rule(
    text: str,
    weight: str | None,
    target: str | None,
    actual: str | None,
    judgements: str | None,
    failures: int | None,
    method: str | None,
    rate_digits: int | None,
    as_json: bool,
) -> None:
    """解释一条评分标准：识别出的规则、参数，以及给定数据时的得分。"""
    from .api import CLAUSE_LABELS, ArgumentError, explain_rule
    from .numbers import fmt_num

    try:
        r = explain_rule(
            text,
            weight=weight,
            target=target,
            actual=actual,
            judgements=judgements,
            failures=failures,
            method=method,
            rate_digits=rate_digits,
        )
    except ArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint="--" + exc.param.replace("_", "-")) from None
    if as_json:
        _echo_json(r.to_dict())
        return
    # the rule's code and parameters (English keys) are for scripts: --json shows them
    click.echo(f"识别规则：{r.label}")
    click.echo(f"说明：{r.explanation}")
    for kind, clause in r.clauses:
        click.echo(f"  子句［{CLAUSE_LABELS.get(kind, kind)}］{clause}")
    if r.score is not None:
        click.echo(f"得分：{fmt_num(Decimal(str(r.score)))}（{r.reason}）")
    elif r.reason:
        click.echo(f"得分：无法计算（{r.reason}）")


@cli.command()
@click.argument("input_dir", metavar="输入文件夹", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "output_dir",
    cls=_Required,
    required=True,
    metavar="输出文件夹",
    type=click.Path(path_type=Path),
    help="输出文件夹（必填）",
)
@click.option(
    "--jobs", "-j", metavar="进程数", type=_Number(int, 1), default=None, help="并行进程数（默认：CPU 核数）"
)
@click.option("--recursive", "-r", is_flag=True, help="包含子文件夹")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条")
@click.option(
    "--report", is_flag=True, help="同时为每个工作簿写出评价报告草稿（Word，与批注评分表同名的 .docx）"
)
@click.option(
    "--csv",
    "csv_dir",
    metavar="文件夹",
    type=click.Path(path_type=Path),
    help="另把评价、一级指标、指标、审核意见四张明细表写成 CSV 文件，供数据分析或报表工具使用",
)
@click.option(
    "--parquet",
    "parquet_dir",
    metavar="文件夹",
    type=click.Path(path_type=Path),
    help="同样的四张表写成 Parquet 文件（需要安装 pyarrow）",
)
@scoring_options
def batch(
    input_dir: Path,
    output_dir: Path,
    jobs: int | None,
    recursive: bool,
    as_json: bool,
    quiet: bool,
    report: bool,
    csv_dir: Path | None,
    parquet_dir: Path | None,
    **opts: Any,
) -> None:
    """批量计分：处理文件夹中的每个工作簿（.xlsx、.xls、.ods），写出批注评分表和 汇总.xlsx。"""
    from .api import batch as run_batch

    options = _options(**opts)
    if parquet_dir is not None and importlib.util.find_spec("pyarrow") is None:
        _fail(PerfxlError("写出 Parquet 需要 pyarrow：pip install pyarrow（或改用 --csv）"))
    try:
        outcome = run_batch(
            input_dir,
            output_dir,
            options,
            jobs=jobs,
            recursive=recursive,
            progress=not quiet and not as_json and sys.stderr.isatty(),
            details=as_json,
            report=report,
        )
    except PerfxlError as exc:
        _fail(exc)
    written = _write_tables(outcome, csv_dir, parquet_dir)
    if as_json:
        data = outcome.to_json()
        if written:
            data["tables"] = [str(p) for p in written]
        _echo_json(data)
    else:
        skipped = f"，跳过 {len(outcome.skipped)}" if outcome.skipped else ""
        clean = outcome.succeeded - outcome.with_errors
        click.echo(
            f"共 {outcome.total_files} 个工作簿：计分成功 {clean}，有错误 {outcome.with_errors}，"
            f"无法计分 {len(outcome.failed)}{skipped}"
        )
        for item in outcome.failed:
            _err(f"文件 {item['file']}：{item['error']}")
        for item in outcome.skipped:
            _err(f"跳过 {item['file']}：{item['reason']}")
        for item in outcome.reports_failed:
            _err(f"文件 {item['file']}：{item['error']}")
        if outcome.summary_path:
            click.echo(f"汇总：{outcome.summary_path}")
        for folder in dict.fromkeys(p.parent for p in written):
            names = "、".join(p.name for p in written if p.parent == folder)
            click.echo(f"明细表：{folder}（{names}）")
    if outcome.failed or outcome.reports_failed:
        raise SystemExit(1)


def _write_tables(outcome: Any, csv_dir: Path | None, parquet_dir: Path | None) -> list[Path]:
    """The batch's tidy tables as CSV and Parquet files, where asked for."""
    if csv_dir is None and parquet_dir is None:
        return []
    tables = outcome.tables()
    written: list[Path] = []
    try:
        if csv_dir is not None:
            written += tables.to_csv(csv_dir)
        if parquet_dir is not None:
            written += tables.to_parquet(parquet_dir)
    except PerfxlError as exc:
        _fail(exc)
    return written


@cli.command()
@click.argument("old", metavar="上期", type=click.Path(path_type=Path))
@click.argument("new", metavar="本期", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    cls=_Required,
    required=True,
    metavar="对比.xlsx",
    type=click.Path(path_type=Path),
    callback=_xlsx_output,
    help="写出的对比工作簿（必填）",
)
@click.option(
    "--jobs", "-j", metavar="进程数", type=_Number(int, 1), default=None, help="文件夹需要计分时的并行进程数"
)
@click.option("--recursive", "-r", is_flag=True, help="文件夹需要计分时包含子文件夹")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出匹配结果和变化")
@scoring_options
def compare(
    old: Path, new: Path, output: Path, jobs: int | None, recursive: bool, as_json: bool, **opts: Any
) -> None:
    """对比两期评价：按评价类型和单位、项目名称匹配上期与本期，写出总分、等级、一级指标、指标得分和审核意见的变化。

    上期、本期各为一个 汇总.xlsx（perfxl batch 写出），或含 汇总.xlsx 的输出文件夹，或工作簿文件夹（当场计分，不写出文件）。
    """
    from .api import compare as run_compare

    options = _options(**opts)
    try:
        result = run_compare(old, new, output, options, jobs=jobs, recursive=recursive)
    except PerfxlError as exc:
        _fail(exc)
    if as_json:
        data = result.to_dict()
        data["output"] = str(output)
        _echo_json(data)
        return
    pairs, unmatched = result.pairs, result.unmatched
    changes = list(pairs["change"])
    click.echo(f"上期：{result.old_source}")
    click.echo(f"本期：{result.new_source}")
    click.echo(
        f"匹配 {len(pairs)} 对：总分上升 {sum(d > 0 for d in changes)}，下降 {sum(d < 0 for d in changes)}，"
        f"持平 {sum(d == 0 for d in changes)}；等级变化 {sum(bool(g) for g in pairs['grade_change'])}"
    )
    sides = list(unmatched["side"])
    if sides:
        counts = "，".join(f"{side} {sides.count(side)}" for side in dict.fromkeys(sides))
        click.echo(f"未匹配：{counts}（见 对比.xlsx 的 未匹配 工作表）")
    click.echo(f"已写出：{output}")


@cli.command()
@click.argument("input_path", metavar=_INPUT, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    metavar="输出.xlsx",
    type=click.Path(path_type=Path),
    callback=_xlsx_output,
    help="写出问卷分析工作簿（含条形图）",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option(
    "--method",
    metavar="方法",
    type=str,
    help="满意度计算方法：均值法（默认）、满意率法、加权法（覆盖工作表中的“计算方法”）",
)
@click.option("--min-seconds", metavar="秒数", type=_Number(float, 0), help="剔除答题用时少于 N 秒的问卷")
@click.option("--keep-duplicates", is_flag=True, help="不剔除答案完全相同的重复提交")
def survey(
    input_path: Path,
    output: Path | None,
    as_json: bool,
    method: str | None,
    min_seconds: float | None,
    keep_duplicates: bool,
) -> None:
    """问卷分析：满意度（每题与总体）、选项占比、信度（Cronbach α）与效度（题总相关）。"""
    from .api import analyze_survey, surveys_to_dict
    from .numbers import fmt_pct

    try:
        results = analyze_survey(
            input_path,
            output=output,
            min_seconds=min_seconds,
            method=method,
            drop_duplicates=not keep_duplicates,
        )
    except PerfxlError as exc:
        _fail(exc)
    if as_json:
        _echo_json(surveys_to_dict(results))
        return
    for r in results:
        alpha = f"，Cronbach α {r.cronbach_alpha:.2f}" if r.cronbach_alpha is not None else ""
        overall = fmt_pct(r.overall) if r.overall is not None else "—"
        click.echo(f"{r.name}：有效问卷 {r.valid}/{r.respondents}，总体满意度 {overall}{alpha}")
        for item in r.items:
            sat = fmt_pct(item.satisfaction) if item.satisfaction is not None else "—"
            click.echo(f"  {item.question}：{sat}")
        for f in r.findings:
            _err(f.line())
    if output is not None:
        click.echo(f"已写出：{output}")


REPORT_KINDS = ("auto", "project", "department", "self")


@cli.command()
@click.argument("input_path", metavar=_INPUT, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    metavar="报告.docx",
    type=click.Path(path_type=Path),
    callback=_docx_output,
    help="输出的 Word 报告（默认：输入文件旁 *_评价报告.docx）",
)
@click.option(
    "--kind",
    metavar="类型",
    type=_Choice(REPORT_KINDS),
    default="auto",
    help="报告类型：auto 按评分表判断（默认）、project 项目支出绩效评价、department 部门整体支出绩效评价、self 绩效自评",
)
@scoring_options
def report(input_path: Path, output: Path | None, kind: str, **opts: Any) -> None:
    """报告：写出评价报告草稿（Word），数字均取自计分结果，需人工补充之处以黄色“【待填写：…】”标出。"""
    from .api import preload_report, write_report

    out = output or input_path.with_name(f"{input_path.stem}_评价报告.docx")
    with preload_report():  # matplotlib loads in a helper process while the workbook is scored
        ev = _scored(input_path, opts)
        try:
            write_report(ev, out, kind)
        except PerfxlError as exc:
            _fail(exc)
    click.echo(f"{ev.title}：总分 {ev.total}，等级 {ev.grade}")
    click.echo(f"已写出报告：{out}")


TEMPLATE_KINDS = ("project", "department", "self-project", "self-department", "survey")


@cli.command()
@click.argument("kind", metavar="类型", type=_Choice(TEMPLATE_KINDS))
@click.option(
    "-o",
    "--output",
    cls=_Required,
    required=True,
    metavar="输出.xlsx",
    type=click.Path(path_type=Path),
    callback=_xlsx_output,
    help="模板输出路径（必填）",
)
@click.option(
    "--rows",
    "rows",
    metavar="指标清单",
    type=click.Path(path_type=Path),
    help="用指标清单（.csv 或 .xlsx，列名同模板：一级指标、二级指标、三级指标、权重……）生成恰好这些行的模板",
)
@click.option("--example", is_flag=True, help="生成填好示例指标体系的模板（project、department）")
def template(kind: str, output: Path, rows: Path | None, example: bool) -> None:
    """生成空白模板，类型为 project、department、self-project、self-department 或 survey。"""
    from .api import fill_template, write_template

    try:
        if rows is not None:
            if example:
                raise PerfxlError("--rows 与 --example 只能选一个")
            path = fill_template(kind, rows, output)
        else:
            path = write_template(kind, output, example=example)
    except PerfxlError as exc:
        _fail(exc)
    click.echo(f"已写出模板：{path}")


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@cli.command()
@click.option(
    "--port",
    "-p",
    metavar="端口",
    type=_Number(int, 0, 65535),
    default=8765,
    help="端口（默认 8765；0 = 任选一个空闲端口）",
)
@click.option(
    "--host",
    metavar="地址",
    default="127.0.0.1",
    help="监听地址（默认 127.0.0.1，只有本机能打开；其他地址会让同一网络中的计算机也能访问，启动时给出警告）",
)
@click.option("--open", "open_browser", is_flag=True, help="启动后在浏览器中打开页面")
@click.option(
    "--max-mb",
    metavar="大小",
    type=_Number(float, 0.001),
    default=50,
    help="每个上传文件的大小上限，单位兆字节（默认 50）",
)
@click.option(
    "--keep-minutes",
    metavar="分钟",
    type=_Number(float, 1),
    default=120,
    help="一批上传的文件和结果闲置多久后删除（默认 120 分钟；停止服务时全部删除）",
)
@click.option(
    "--jobs", "-j", metavar="进程数", type=_Number(int, 1), default=None, help="计分进程数（默认：CPU 核数）"
)
def serve(
    host: str, port: int, open_browser: bool, max_mb: float, keep_minutes: float, jobs: int | None
) -> None:
    """网页：在浏览器中上传评分表、查看得分、下载批注评分表和汇总（数据不离开本机）。"""
    from .api import serve as run_server

    if host not in _LOOPBACK:
        _err(
            f"注意：正在监听 {host}，同一网络中的其他计算机也能打开此页面、上传和下载文件；只在可信的网络中这样做"
        )

    def started(url: str) -> None:
        click.echo(f"perfxl 网页已启动：{url}")
        click.echo("上传的文件和结果只保存在本机的临时文件夹中，停止服务时删除；按 Ctrl-C 停止")

    try:
        run_server(
            host=host,
            port=port,
            open_browser=open_browser,
            max_upload_mb=max_mb,
            keep_minutes=keep_minutes,
            jobs=jobs,
            on_start=started,
        )
    except PerfxlError as exc:
        _fail(exc)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the normal way to stop a server
        pass
    click.echo("网页服务已停止，上传的文件和结果已删除")


def _command_path(args: list[str]) -> str:
    """``perfxl`` and the command named in *args* (for errors click raises without a context)."""
    name = next((arg for arg in args if arg in cli.commands), None)
    return f"perfxl {name}" if name else "perfxl"


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager, ``timeout``, ``kill``), handled like Ctrl-C."""


def _on_sigterm(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping once is enough; the rest is clean-up
    raise _Terminated


def _stopped(exc: KeyboardInterrupt) -> NoReturn:
    """Ctrl-C or SIGTERM: say what was finished; exit 130 (Ctrl-C) or 143 (SIGTERM)."""
    if isinstance(exc, Interrupted):
        _err(
            f"已中断：{exc.done}/{exc.total} 个工作簿已处理，已写出的批注评分表都是完整的；"
            f"其余未处理，未写出 汇总.xlsx"
        )
    else:
        _err("已中断（没有留下不完整的文件）")
    terminated = isinstance(exc, _Terminated) or isinstance(exc.__cause__, _Terminated)
    raise SystemExit(143 if terminated else 130)


# click ≥ 8.2 raises this for a bare `perfxl`; older versions print the help themselves
_NO_ARGS: type[click.UsageError] | tuple[()] = getattr(click.exceptions, "NoArgsIsHelpError", ())


def main(argv: list[str] | None = None) -> None:
    """Entry point: Chinese one-line errors, no traceback for user mistakes (``--debug`` shows one)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli.main(args=args, prog_name="perfxl", standalone_mode=False)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except _NO_ARGS as exc:  # a bare `perfxl`: the help page
        click.echo(exc.message)
        raise SystemExit(0) from None
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else _command_path(args)
        _err(f"用法错误：{_usage_message(exc)}（运行 {command} --help 查看用法）")
        raise SystemExit(2) from None
    except click.Abort as exc:  # click turns Ctrl-C (and so SIGTERM) into Abort
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _stopped(exc.__cause__)
        _err("已取消")
        raise SystemExit(130) from None
    except PerfxlError as exc:
        _err(exc.line())
        raise SystemExit(1) from None
    except KeyboardInterrupt as exc:
        _stopped(exc)
    except BrokenPipeError:  # `perfxl check … | head`: the reader has gone; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except SystemExit:
        raise
    except Exception as exc:
        if debug:
            raise
        _err(f"内部错误：{exc.__class__.__name__}: {exc}（请加 --debug 重试并反馈此问题）")
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    main()
