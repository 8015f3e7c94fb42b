"""Command line — a thin layer over :mod:`perfxl.api`: parse options, call the API, print.

Only this module imports click, and it imports nothing of perfxl but the API (and the
error type), inside the commands, so that ``perfxl --help`` stays fast.  The commands,
options and the JSON they print are documented in README.md and docs/api.md.  Data goes to stdout, messages
to stderr; exit codes: 0 success, 1 a workbook could not be scored (or
``check`` found errors), 2 usage error.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .errors import PerfxlError

if TYPE_CHECKING:
    from .api import Evaluation, Options


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _err(line: str) -> None:
    click.echo(line, err=True)


def _fail(exc: PerfxlError) -> None:
    _err(exc.line())
    raise SystemExit(1)


def scoring_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by score, check and batch."""
    fn = click.option(
        "--grades",
        metavar="90,80,60",
        help="评级标准（覆盖项目信息中的“评级标准”），如 90,80,60 或 优90,良80,中>70",
    )(fn)
    fn = click.option(
        "--rate-digits",
        type=click.IntRange(0, 4),
        default=None,
        help="先将完成率四舍五入到百分数的 N 位小数再计分（如 0 = 取整百分数）",
    )(fn)
    fn = click.option("--expert-trim/--no-expert-trim", default=None, help="专家人数≥5时去掉最高分和最低分")(
        fn
    )
    fn = click.option(
        "--expert-weight",
        type=click.FloatRange(0, 1),
        default=None,
        help="专家评分权重 w：最终得分 = w×专家均分 + (1−w)×计算得分",
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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="perfxl", message="perfxl %(version)s")
@click.option("--debug", is_flag=True, hidden=True, help="出错时显示完整的调用栈")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """perfxl：预算绩效评价评分表的计分、复核与批量处理工具。"""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@click.argument("input_path", metavar="INPUT.xlsx", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="输出的批注评分表（默认：输入文件旁 *_评分结果.xlsx）",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果到标准输出")
@click.option("--no-output", is_flag=True, help="只计分，不写出工作簿")
@scoring_options
def score(input_path: Path, output: Path | None, as_json: bool, no_output: bool, **opts: Any) -> None:
    """计分：按评分标准计算每个指标得分、分组、总分和等级，写出批注评分表。"""
    from .api import score as score_workbook
    from .api import write_annotated

    options = _options(**opts)
    try:
        ev = score_workbook(input_path, options)
    except PerfxlError as exc:
        _fail(exc)
    lines = ev.blocking()
    if lines:
        for line in lines:
            _err(line)
        _err(f"文件 {input_path}：存在 {len(lines)} 处无法计分的数据，未写出结果")
        raise SystemExit(1)
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
@click.argument("input_path", metavar="INPUT.xlsx", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@scoring_options
def check(input_path: Path, as_json: bool, **opts: Any) -> None:
    """审核：列出评分表中的问题；存在“错误”级别问题时退出码为 1。"""
    from .api import score as score_workbook

    options = _options(**opts)
    try:
        ev = score_workbook(input_path, options)
    except PerfxlError as exc:
        _fail(exc)
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
@click.argument("text")
@click.option("--weight", "-w", type=str, help="权重（分值）")
@click.option("--target", "-t", type=str, help="标杆值，如 ≥95%")
@click.option("--actual", "-a", type=str, help="业绩值，如 93.5% 或 合理")
@click.option("--judgements", "-j", type=str, help="要点判定，如 √√×√")
@click.option("--failures", "-f", type=click.IntRange(min=0), help="不符合项数")
@click.option("--method", "-m", type=str, help="计分方法（覆盖评分标准识别），如 扣分法 步长=5%权重")
@click.option(
    "--rate-digits", type=click.IntRange(0, 4), default=None, help="完成率先取整到百分数的 N 位小数"
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
    from .api import ArgumentError, explain_rule
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
    click.echo(f"识别规则：{r.label}（{r.kind}）")
    click.echo(f"说明：{r.explanation}")
    for kind, clause in r.clauses:
        click.echo(f"  子句［{_CLAUSE_NAMES.get(kind, kind)}］{clause}")
    if r.params:
        click.echo("参数：" + json.dumps(r.params, ensure_ascii=False))
    if r.score is not None:
        click.echo(f"得分：{fmt_num(Decimal(str(r.score)))}（{r.reason}）")
    elif r.reason:
        click.echo(f"得分：无法计算（{r.reason}）")


@cli.command()
@click.argument("input_dir", metavar="INPUT_DIR", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output_dir", required=True, type=click.Path(path_type=Path), help="输出目录")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）")
@click.option("--recursive", "-r", is_flag=True, help="包含子文件夹")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条")
@scoring_options
def batch(
    input_dir: Path,
    output_dir: Path,
    jobs: int | None,
    recursive: bool,
    as_json: bool,
    quiet: bool,
    **opts: Any,
) -> None:
    """批量计分：处理文件夹中的每个工作簿，写出批注评分表和 汇总.xlsx。"""
    from .api import batch as run_batch

    options = _options(**opts)
    try:
        report = run_batch(
            input_dir,
            output_dir,
            options,
            jobs=jobs,
            recursive=recursive,
            progress=not quiet and not as_json and sys.stderr.isatty(),
            details=as_json,
        )
    except PerfxlError as exc:
        _fail(exc)
    if as_json:
        _echo_json(report.to_json())
    else:
        click.echo(f"共 {report.total_files} 个工作簿：成功 {report.succeeded}，失败 {len(report.failed)}")
        for item in report.failed:
            _err(f"文件 {item['file']}：{item['error']}")
        if report.summary_path:
            click.echo(f"汇总：{report.summary_path}")
    if report.failed:
        raise SystemExit(1)


@cli.command()
@click.argument("input_path", metavar="INPUT.xlsx", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="写出问卷分析工作簿（含条形图）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option(
    "--method", type=str, help="满意度计算方法：均值法（默认）、满意率法、加权法（覆盖工作表中的“计算方法”）"
)
@click.option("--min-seconds", type=click.FloatRange(min=0), help="剔除答题用时少于 N 秒的问卷")
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


@cli.command()
@click.argument(
    "kind",
    metavar="KIND",
    type=click.Choice(["project", "department", "self-project", "self-department", "survey"]),
)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="模板输出路径（.xlsx）")
@click.option(
    "--rows",
    "rows",
    type=click.Path(path_type=Path),
    help="用指标清单（.csv 或 .xlsx，列名同模板：一级指标、二级指标、三级指标、权重……）生成恰好这些行的模板",
)
@click.option("--example", is_flag=True, help="生成填好示例指标体系的模板（project、department）")
def template(kind: str, output: Path, rows: Path | None, example: bool) -> None:
    """生成标准模板：project | department | self-project | self-department | survey。"""
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


_CLAUSE_NAMES = {
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


def _translate_usage(message: str) -> str:
    rules = [
        (r"Missing argument '(.+?)'\.?", r"缺少参数 \1"),
        (r"Missing option '(.+?)'\.?", r"缺少选项 \1"),
        (r"No such option:? '?([^'\s]+)'?\.?", r"没有这个选项：\1"),
        (r"No such command '(.+?)'\.?", r"没有这个命令：\1"),
        (r"Invalid value for '(.+?)': (.*)", r"选项 \1 的值无效：\2"),
        (r"Option '(.+?)' requires an argument", r"选项 \1 需要一个值"),
        (r"Got unexpected extra arguments? \((.+)\)", r"多余的参数：\1"),
    ]
    for pat, rep in rules:
        if re.search(pat, message):
            return re.sub(pat, rep, message)
    return message


def main(argv: list[str] | None = None) -> None:
    """Entry point: Chinese one-line errors, no traceback for user mistakes (``--debug`` shows one)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="perfxl", standalone_mode=False)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.UsageError as exc:
        hint = f"（运行 perfxl {exc.ctx.info_name if exc.ctx and exc.ctx.parent else ''} --help 查看用法）".replace(
            "  ", " "
        )
        _err(f"用法错误：{_translate_usage(exc.format_message())}{hint}")
        raise SystemExit(2) from None
    except click.Abort:
        _err("已取消")
        raise SystemExit(130) from None
    except PerfxlError as exc:
        _err(exc.line())
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        _err("已中断（已写出的文件都是完整的）")
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except Exception as exc:
        if debug:
            raise
        _err(f"内部错误：{exc.__class__.__name__}: {exc}（请加 --debug 重试并反馈此问题）")
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    main()
