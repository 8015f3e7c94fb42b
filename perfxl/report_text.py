"""The evaluation report draft as plain blocks: numbered headings, paragraphs, tables, a chart.

:func:`build_draft` turns a scored :class:`Evaluation` into the sections a report of its
kind has (docs/report.md): every number comes from the evaluation, and what only a person
can write is a :class:`Blank`, shown in the document as a yellow ``【待填写：…】``.
Nothing here knows about Word; :mod:`perfxl.report` lays the blocks out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .base import BUDGET_COLUMNS, BUDGET_ROWS, ITEMS
from .errors import Finding
from .evaluate import KIND_NAMES, Evaluation, GroupResult, IndicatorResult
from .grades import Band
from .numbers import fmt_num, round_half_up
from .numbers import fmt_pct as pct
from .rates import Rate, RateInput
from .survey import METHOD_EXPLAIN, TALLY, SurveyResult

REPORT_KINDS = ("auto", "project", "department", "self")
ZERO = Decimal(0)

# ------------------------------------------------------------------ blocks


@dataclass(frozen=True)
class Blank:
    """Text only a person can write; shown as a highlighted 【待填写：hint】."""

    hint: str

    def __str__(self) -> str:
        return f"【待填写：{self.hint}】"


@dataclass(frozen=True)
class Bold:
    """A run of bold text (the lead of an analysis paragraph)."""

    text: str

    def __str__(self) -> str:
        return self.text


Run = str | Blank | Bold


@dataclass(frozen=True)
class Heading:
    level: int  # 1 一、 2 （一） 3 1.
    number: str
    text: str

    def __str__(self) -> str:
        return f"{self.number}{self.text}"


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    style: str = "body"  # body | cover-title | title | subtitle | cover

    def __str__(self) -> str:
        return "".join(str(r) for r in self.runs)


@dataclass(frozen=True)
class Table:
    """A bordered table; ``numeric`` columns are centred, ``merge`` columns merge equal cells downwards."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Run, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    numeric: frozenset[int] = frozenset()
    merge: tuple[int, ...] = ()
    total_row: bool = False  # the last row sums the others (bold)


@dataclass(frozen=True)
class Chart:
    """A bar chart of 得分率 (percent values, one bar per label)."""

    caption: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    texts: tuple[str, ...]  # the value of each bar as the tables show it ("91.86%")


@dataclass(frozen=True)
class Landscape:
    """The blocks after this one are on landscape pages (the appendix table)."""


@dataclass(frozen=True)
class PageBreak:
    """The blocks after this one start on a new page (after the cover)."""


Block = Heading | Paragraph | Table | Chart | Landscape | PageBreak


@dataclass
class Draft:
    """A report: its title, kind (project | department | self) and blocks in order."""

    title: str
    kind: str
    blocks: list[Block] = field(default_factory=list)


# ------------------------------------------------------------------ numbers as the report shows them


def two(value: Decimal | None) -> str:
    """A score, or an amount in 万元, with two decimals: 93 → '93.00' (rates: ``pct``, 0.9186 → '91.86%')."""
    return "—" if value is None else f"{round_half_up(value, 2):f}"


def points(value: Decimal | None) -> str:
    """A weight as declared: 3 → '3', 2.5 → '2.5'."""
    return fmt_num(value)


# ------------------------------------------------------------------ the builder


_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (headings rarely pass 99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


class _Writer:
    """Appends blocks, numbering headings (一、 （一） 1.) and tables and figures (表1, 图1)."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.counts = [0, 0, 0]
        self.tables = 0
        self.figures = 0

    def heading(self, level: int, text: str, numbered: bool = True) -> None:
        number = ""
        if numbered:
            self.counts[level - 1] += 1
            self.counts[level:] = [0] * (3 - level)
            n = self.counts[level - 1]
            number = (f"{cn_number(n)}、", f"（{cn_number(n)}）", f"{n}. ")[level - 1]
        self.draft.blocks.append(Heading(level, number, text))

    def h1(self, text: str, numbered: bool = True) -> None:
        self.heading(1, text, numbered)

    def h2(self, text: str) -> None:
        self.heading(2, text)

    def h3(self, text: str) -> None:
        self.heading(3, text)

    def para(self, *runs: Run, style: str = "body") -> None:
        self.draft.blocks.append(Paragraph(tuple(r for r in runs if r != ""), style))

    def items(self, lines: Iterable[tuple[Run, ...]]) -> None:
        """Numbered paragraphs （1） （2） …"""
        for n, runs in enumerate(lines, start=1):
            self.para(f"（{n}）", *runs)

    def table(
        self,
        caption: str,
        header: tuple[str, ...],
        rows: Iterable[tuple[Run, ...]],
        widths: tuple[float, ...],
        numeric: frozenset[int] = frozenset(),
        merge: tuple[int, ...] = (),
        total_row: bool = False,
    ) -> None:
        self.tables += 1
        title = f"表{self.tables} {caption}"
        self.draft.blocks.append(Table(title, header, tuple(rows), widths, numeric, merge, total_row))

    def chart(self, caption: str, bars: Iterable[tuple[str, Decimal]]) -> None:
        """A bar chart of rates (fractions), one bar per (label, rate)."""
        self.figures += 1
        pairs = list(bars)
        self.draft.blocks.append(
            Chart(
                f"图{self.figures} {caption}",
                tuple(label for label, _ in pairs),
                tuple(float(rate * 100) for _, rate in pairs),
                tuple(pct(rate) for _, rate in pairs),
            )
        )

    def landscape(self) -> None:
        self.draft.blocks.append(Landscape())

    def page_break(self) -> None:
        self.draft.blocks.append(PageBreak())


def resolve_kind(ev: Evaluation, kind: str = "auto") -> str:
    """The report kind for an evaluation: auto follows ``ev.kind`` (self-* → self)."""
    if kind not in REPORT_KINDS:
        raise ValueError(f"报告类型“{kind}”无效，可选：{'、'.join(REPORT_KINDS)}")
    if kind != "auto":
        return kind
    return "self" if ev.kind.startswith("self") else ev.kind


def report_title(ev: Evaluation, kind: str) -> tuple[str, str]:
    """(subject, kind of report): ('2023年政务服务运行维护费项目', '绩效评价报告'),
    ('奇台县政务服务和公共资源交易中心2023年度', '部门整体支出绩效评价报告') …"""
    department = kind == "department" or (kind == "self" and ev.kind.endswith("department"))
    year = f"{ev.year}年度" if ev.year and ev.year not in ev.title else ""
    if department:
        return f"{ev.title}{year}", "部门整体支出绩效" + ("自评报告" if kind == "self" else "评价报告")
    what = "绩效" if "项目" in ev.title else "项目支出绩效"
    return f"{year}{ev.title}", what + ("自评报告" if kind == "self" else "评价报告")


def build_draft(ev: Evaluation, kind: str = "auto") -> Draft:
    """The report of *ev* as blocks; *kind* is auto, project, department or self."""
    kind = resolve_kind(ev, kind)
    draft = Draft("".join(report_title(ev, kind)), kind)
    w = _Writer(draft)
    _cover(ev, w, kind)
    {"project": _project, "department": _department, "self": _self}[kind](ev, w)
    return draft


# ------------------------------------------------------------------ the three outlines


def _project(ev: Evaluation, w: _Writer) -> None:
    w.h1("基本情况")
    w.h2("项目概况")
    _info_table(ev, w, "项目基本信息")
    w.para(Blank("项目背景、主要内容及实施情况、项目参与主体及其职能"))
    w.h2("资金情况")
    _funds(ev, w)
    w.h2("绩效目标")
    w.para(Blank("项目总目标和年度绩效目标（可引用绩效目标申报表）"))
    _targets(ev, w)
    w.h1("绩效评价工作开展情况")
    w.h2("绩效评价目的、对象和范围")
    _scope(ev, w, "项目")
    w.h2("绩效评价原则")
    _principles(w)
    w.h2("评价指标体系")
    _system(ev, w)
    w.h2("评价方法")
    _methods(ev, w)
    w.h2("评价标准")
    _standards(ev, w)
    w.h2("绩效评价工作过程")
    w.para(
        Blank(
            "前期准备、组织实施（资料核查、现场调研、问卷调查、专家评审）、分析评价、撰写与提交报告等阶段的工作情况"
        )
    )
    w.h1("综合评价情况及评价结论")
    _conclusion(ev, w)
    w.h1("绩效评价指标分析")
    _analysis(ev, w)
    w.h1("主要经验及做法、存在的问题及原因分析")
    w.h2("主要经验及做法")
    w.para(Blank("项目实施中的主要经验及做法"))
    w.h2("存在的问题及原因分析")
    _problems(ev, w)
    w.h1("有关建议")
    _suggestions(ev, w)
    w.h1("其他需要说明的问题")
    _other(ev, w)
    _appendix(ev, w, "附件 指标体系评分表")


def _department(ev: Evaluation, w: _Writer) -> None:
    w.h1("基本概况")
    w.h2("部门基本情况")
    _info_table(ev, w, "部门基本信息")
    w.para(Blank("部门职能职责、机构设置、人员编制及年度主要工作"))
    w.h2("部门整体支出规模")
    _funds(ev, w)
    w.h2("部门绩效目标")
    w.para(Blank("部门整体绩效目标及年度重点工作任务"))
    _targets(ev, w)
    w.h1("评价工作简述")
    w.h2("评价依据")
    w.para(Blank("评价所依据的法规、政策文件及委托文件"))
    w.h2("评价目的")
    w.para(Blank("评价目的"))
    w.h2("评价对象和范围")
    _scope(ev, w, "部门")
    w.h2("评价原则")
    _principles(w)
    w.h2("评价方法")
    _methods(ev, w)
    w.h2("评价指标体系及评价标准")
    _system(ev, w)
    _standards(ev, w)
    w.h2("评价组织实施情况")
    w.para(Blank("评价组织、前期准备、资料核查、现场调研、问卷调查、专家评审及报告撰写的工作情况"))
    w.h1("绩效评价分析")
    _analysis(ev, w)
    w.h1("评价结论")
    w.h2("总体评价结论")
    _verdict(ev, w)
    w.h2("评分结果")
    _score_tables(ev, w)
    w.h1("主要经验及做法、存在的问题")
    w.h2("主要经验及做法")
    w.para(Blank("部门的主要经验及做法"))
    w.h2("存在的问题")
    _problems(ev, w)
    w.h1("相关建议")
    _suggestions(ev, w)
    w.h1("绩效评价结果应用建议")
    w.para(Blank("问题整改、下一年度预算安排、评价结果公开等应用建议"))
    w.h1("其他需要说明的问题")
    _other(ev, w)
    _appendix(ev, w, "附件1 综合评分表")


def _self(ev: Evaluation, w: _Writer) -> None:
    department = ev.kind.endswith("department")
    subject = "部门" if department else "项目"
    w.h1(f"{subject}基本情况")
    w.h2(f"{subject}概况")
    _info_table(ev, w, f"{subject}基本信息")
    w.para(Blank("部门职能职责、机构设置及年度主要工作" if department else "项目背景、主要内容及实施情况"))
    w.h2("资金投入和使用情况")
    _funds(ev, w)
    w.h2("绩效目标")
    w.para(Blank("年度总体目标"))
    _targets(ev, w)
    w.h1("绩效自评工作开展情况")
    w.h2("自评目的、对象和范围")
    _scope(ev, w, subject)
    w.h2("自评指标体系")
    _system(ev, w)
    _standards(ev, w)
    w.h2("自评组织实施情况")
    w.para(Blank("自评的组织方式、资料收集、数据核实及自评表填报过程"))
    w.h1("综合自评结论")
    _conclusion(ev, w)
    w.h1("绩效目标实现情况分析")
    _analysis(ev, w)
    w.h1("存在的问题及偏差原因分析")
    _problems(ev, w)
    w.h1("改进措施及建议")
    _suggestions(ev, w)
    w.h1("其他需要说明的问题")
    _other(ev, w)
    _appendix(ev, w, "附件 绩效自评表")


# ------------------------------------------------------------------ cover and basic facts


def _cover(ev: Evaluation, w: _Writer, kind: str) -> None:
    subject, name = report_title(ev, kind)
    w.para(subject, style="cover-title")
    w.para(name, style="title")
    w.para("（草稿）", style="subtitle")
    unit = ev.unit or ev.title
    if kind == "self":
        w.para("填报单位：", unit, style="cover")
    else:
        w.para("被评价单位：", unit, style="cover")
        w.para("评价机构：", ev.firm or Blank("评价机构"), style="cover")
    w.para("报告日期：", Blank("报告日期"), style="cover")
    w.page_break()


def _info_table(ev: Evaluation, w: _Writer, caption: str) -> None:
    rows: list[tuple[Run, ...]] = [
        ("项目名称" if "项目" in caption else "单位名称", ev.title),
        ("实施单位" if "项目" in caption else "主管部门", ev.unit or Blank("单位名称")),
        ("评价年度", f"{ev.year}年度" if ev.year else Blank("年度")),
        ("评价类型", KIND_NAMES.get(ev.kind, ev.kind)),
    ]
    if not ev.kind.startswith("self"):
        rows.append(("评价机构", ev.firm or Blank("评价机构")))
    label = "自评得分及等级" if ev.kind.startswith("self") else "评价总分及等级"
    rows.append((label, f"{two(ev.total)} 分，{ev.grade}"))
    w.table(caption, ("项目", "内容"), rows, widths=(1, 3))


def _scope(ev: Evaluation, w: _Writer, subject: str) -> None:
    year = f"{ev.year}年度" if ev.year else ""
    spend = "项目资金" if subject == "项目" else "部门整体支出"
    target = f"{ev.unit or ''}“{ev.title}”" if subject == "项目" else ev.title
    w.para(
        f"评价对象为{target}{year}{spend}；评价范围为{year}{spend}的安排、使用、管理及其产出和效益。",
        Blank("评价目的"),
    )


def _principles(w: _Writer) -> None:
    w.para(
        "依据财政部《项目支出绩效评价管理办法》（财预〔2020〕10号），本次评价遵循科学公正、统筹兼顾、"
        "激励约束、公开透明的原则，按照决策、过程、产出、效益的逻辑路径，定量与定性分析相结合，"
        "客观反映绩效目标的实现程度。",
        Blank("结合本次评价补充或调整"),
    )


def _system(ev: Evaluation, w: _Writer) -> None:
    base = [g for g in ev.groups if g.role == "base"]
    level2 = {(i.row.level1, i.row.level2) for i in ev.indicators if i.role == "base" and i.row.level2}
    level3 = sum(1 for i in ev.indicators if i.role == "base")
    parts = "、".join(f"{g.name}（{points(g.weight)}分）" for g in base)
    text = f"评价指标体系由{parts}{len(base)}个一级指标"
    if level2:
        text += f"、{len(level2)}个二级指标"
    text += f"、{level3}个三级指标构成"
    if ev.execution is not None and ev.execution.weight is not None:
        text += f"，另设预算执行率（{points(ev.execution.weight.value)}分）"
    extras = [i for i in ev.indicators if i.role != "base"]
    if extras:
        text += f"，另设加减分项{len(extras)}项"
    w.para(text + "，采用百分制，各指标的权重、评分标准及得分详见附件。")


def _methods(ev: Evaluation, w: _Writer) -> None:
    w.para(
        "本次评价采用",
        Blank("比较法、因素分析法、公众评判法、标杆管理法等"),
        "，通过资料核查、数据采集、现场调研等方式获取评价证据。",
    )
    for s in ev.surveys:
        w.para(
            f"问卷调查：“{s.name}”问卷回收 {s.respondents} 份，有效问卷 {s.valid} 份，"
            f"调查结果见“满意度问卷调查情况”。"
        )


def _standards(ev: Evaluation, w: _Writer) -> None:
    w.para(
        "评价标准采用",
        Blank("计划标准、行业标准、历史标准等"),
        f"。评价结果采取评分与评级相结合的方式，总分 100 分，{band_text(ev.bands, ev.lowest_label)}。",
    )


def band_text(bands: tuple[Band, ...], lowest: str) -> str:
    """'优（90分（含）以上）、良（80分（含）—90分）、中（70分（不含）—80分）、差（70分及以下）'"""
    parts = []
    upper = ""
    for b in bands:
        low = f"{fmt_num(b.threshold)}分（{'不含' if b.strict else '含'}）"
        parts.append(f"{b.label}（{low}{'—' + upper if upper else '以上'}）")
        upper = f"{fmt_num(b.threshold)}分"
    last = bands[-1]
    parts.append(f"{lowest}（{fmt_num(last.threshold)}分{'及' if last.strict else ''}以下）")
    return "等级划分为" + "、".join(parts)


# ------------------------------------------------------------------ funds and rates


def _funds(ev: Evaluation, w: _Writer) -> None:
    if ev.execution is not None:
        _execution(ev, w)
        return
    if ev.base is None or not ev.base.budget:
        w.para(Blank("预算安排、资金到位和实际支出情况（评分表未附基础表）"))
        return
    rows = [key for key in BUDGET_ROWS if any(k == key for k, _ in ev.base.budget)]
    cols = [key for key in BUDGET_COLUMNS if any(c == key for _, c in ev.base.budget)]
    body = []
    for r in rows:
        label = BUDGET_ROWS[r][0]
        if r in ("personnel", "public"):
            label = f"其中：{label}"
        body.append((label, *(two(ev.base.amount(r, c)) for c in cols)))
    w.para(f"{ev.year + '年度' if ev.year else ''}预算安排及执行情况如下表（单位：万元）：")
    w.table(
        "预算安排及执行情况（万元）",
        ("项目", *(BUDGET_COLUMNS[c][0] for c in cols)),
        body,
        widths=(2, *([1.3] * len(cols))),
        numeric=frozenset(range(1, len(cols) + 1)),
        total_row=rows[-1] == "total",
    )
    sentences = [rate_sentence(r) for r in ev.rates.values() if r.value is not None]
    if sentences:
        w.para("根据基础表数据计算：")
        w.items((s + "。",) for s in sentences)
    w.para(Blank("资金来源、预算调整及资金使用情况说明"))


def _execution(ev: Evaluation, w: _Writer) -> None:
    ex = ev.execution
    body: list[tuple[Run, ...]] = []
    lines = [("年度资金总额", {"initial": ex.initial, "full": ex.full, "spent": ex.spent})]
    lines += list(ex.sources)
    for label, values in lines:
        full, spent = values.get("full"), values.get("spent")
        rate = spent.value / full.value if full and spent and full.value and spent.value is not None else None
        cells = [
            two(v.value) if (v := values.get(k)) is not None else "—" for k in ("initial", "full", "spent")
        ]
        body.append((f"其中：{label}" if body else label, *cells, pct(rate) if rate is not None else "—"))
    w.para("年度资金安排及执行情况如下表（单位：万元）：")
    w.table(
        "年度资金安排及执行情况（万元）",
        ("资金来源", "年初预算数", "全年预算数", "全年执行数", "执行率"),
        body,
        widths=(2, 1.3, 1.3, 1.3, 1.1),
        numeric=frozenset({1, 2, 3, 4}),
    )
    sentence = execution_sentence(ev)
    if sentence:
        w.para(sentence + "。")
    w.para(Blank("资金来源、预算调整及资金使用情况说明"))


def execution_sentence(ev: Evaluation) -> str:
    """'预算执行率 = 全年执行数 2596.31 万元 ÷ 全年预算数 2680.45 万元 = 96.86%，得分 = 10 × 96.86% = 9.69 分'"""
    ex = ev.execution
    if ex is None or ex.rate is None or ex.full is None or ex.spent is None:
        return ""
    text = f"预算执行率 = 全年执行数 {two(ex.spent.value)} 万元 ÷ 全年预算数 {two(ex.full.value)} 万元 = {pct(ex.rate)}"
    if ex.score is not None and ex.weight is not None:
        capped = min(ex.rate, Decimal(1))
        text += f"，得分 = {points(ex.weight.value)} × {pct(capped)} = {two(ex.score)} 分"
    return text


# rates whose formula is (new − old) ÷ old, and (budget − spent) ÷ budget; every other rate is a ÷ b
_CHANGES = frozenset({"budget_adjustment", "project_adjustment", "public_adjustment", "yoy_change"})
_GAPS = frozenset({"budget_final_gap"})
_AMOUNT_WORDS = frozenset(
    [name for name, _ in BUDGET_COLUMNS.values()] + [name for name, _, money in ITEMS.values() if money]
)


def _term(inp: RateInput) -> str:
    """'实际支出数 249.99 万元' (amounts) or '实有人数 22' (counts)."""
    label = inp.label.removeprefix("合计 ")
    if label.split(" ")[-1] in _AMOUNT_WORDS:
        return f"{label} {two(inp.value)} 万元"
    return f"{label} {fmt_num(inp.value, 4)}"


def rate_sentence(rate: Rate) -> str:
    """'预算执行率 = 实际支出数 249.99 万元 ÷ 实际到位数 252.49 万元 = 99.01%' (the formula in words)."""
    if len(rate.inputs) != 2:
        return f"{rate.name}：{rate.explanation}"
    first, second = rate.inputs
    a, b = _term(first), _term(second)
    if second.value == 0:  # 0 ÷ 0 counted as fully controlled
        return f"{rate.name}：{a}，{b}，预算与支出均为 0，视为 {pct(rate.value)}"
    if rate.key in _CHANGES:
        expr = f"（{a} − {b}）÷ {b}"
    elif rate.key in _GAPS:
        expr = f"（{a} − {b}）÷ {a}"
    else:
        expr = f"{a} ÷ {b}"
    return f"{rate.name} = {expr} = {pct(rate.value)}"


def _targets(ev: Evaluation, w: _Writer) -> None:
    """The 标杆值 of the output and outcome indicators, as the indicator system states them."""
    rows = [
        (i.row.level1, display_name(i), target_text(i))
        for i in ev.indicators
        if i.role == "base" and target_text(i) and _is_result_group(i.row.level1)
    ]
    if rows:
        w.para("评价指标体系中产出、效益类指标的目标值如下：")
        w.table(
            "产出、效益指标目标值", ("一级指标", "三级指标", "目标值"), rows, widths=(1, 2.2, 1.2), merge=(0,)
        )


def _is_result_group(name: str) -> bool:
    return any(word in name for word in ("产出", "效益", "效果", "满意", "绩效"))


# ------------------------------------------------------------------ conclusion and scores


def conclusion_sentence(ev: Evaluation) -> str:
    """'综合评分 93.00 分，评价等级为“优”'"""
    return f"综合评分 {two(ev.total)} 分，评价等级为“{ev.grade}”"


def _verdict(ev: Evaluation, w: _Writer) -> None:
    parts = []
    if ev.execution is not None and ev.execution.score is not None and ev.execution.weight is not None:
        parts.append(
            f"预算执行率权重 {points(ev.execution.weight.value)} 分，得分 {two(ev.execution.score)} 分"
        )
    for g in ev.groups:
        if g.role == "base":
            parts.append(
                f"{g.name}指标权重 {points(g.weight)} 分，得分 {two(g.score)} 分，得分率 {pct(g.rate)}"
            )
        elif g.score:
            parts.append(f"{g.name}{'加' if g.score > 0 else '扣'} {two(abs(g.score))} 分")
    detail = f"其中，{'；'.join(parts)}。" if parts else ""
    w.para(
        f"依据评价指标体系和评分标准，对{ev.title}进行综合评价，{conclusion_sentence(ev)}。{detail}",
    )
    w.para(Blank("总体评价：主要成效与不足的概括"))


def _conclusion(ev: Evaluation, w: _Writer) -> None:
    _verdict(ev, w)
    _score_tables(ev, w)


def _score_tables(ev: Evaluation, w: _Writer) -> None:
    rows: list[tuple[Run, ...]] = []
    bars: list[tuple[str, Decimal]] = []
    ex = ev.execution
    weight_total = ev.weight_total
    if ex is not None and ex.score is not None and ex.weight is not None and ex.weight.value:
        rate = ex.score / ex.weight.value
        rows.append(("预算执行率", points(ex.weight.value), two(ex.score), pct(rate)))
        bars.append(("预算执行率", rate))
        weight_total += ex.weight.value
    for g in ev.groups:
        if g.role == "base":
            rows.append((g.name, points(g.weight), two(g.score), pct(g.rate)))
            bars.append((g.name, g.rate or ZERO))
        else:
            rows.append((g.name, "—", f"{'+' if g.score > 0 else ''}{two(g.score)}", "—"))
    total_rate = ev.total / weight_total if weight_total else None
    rows.append(
        ("合计", points(weight_total), two(ev.total), pct(total_rate) if total_rate is not None else "—")
    )
    w.para("一级指标得分情况如下：")
    w.table(
        "一级指标得分情况",
        ("一级指标", "权重（分）", "得分（分）", "得分率"),
        rows,
        widths=(2, 1, 1, 1),
        numeric=frozenset({1, 2, 3}),
        total_row=True,
    )
    if bars:
        w.chart("一级指标得分率", bars)


# ------------------------------------------------------------------ indicator analysis


def display_name(i: IndicatorResult) -> str:
    return f"{i.row.code}{i.row.name}"


def target_text(i: IndicatorResult) -> str:
    return i.target.display if i.target is not None else i.row.text("target")


def actual_text(i: IndicatorResult) -> str:
    if i.actual is not None:
        return i.actual.display
    return i.actual_word or i.row.text("actual")


def indicator_rate(i: IndicatorResult) -> str:
    if i.role != "base" or not i.weight:
        return "—"
    return pct(i.final / i.weight)


def _analysis(ev: Evaluation, w: _Writer) -> None:
    if ev.execution is not None and ev.execution.rate is not None:
        w.h2("预算执行情况")
        w.para(execution_sentence(ev) + "。")
    for g in ev.groups:
        if g.role == "base":
            _group_analysis(g, w, ev.kind.startswith("self"))
    extras = [g for g in ev.groups if g.role != "base"]
    if extras:
        w.h2("加减分项")
        for g in extras:
            for i in g.members:
                sign = "加" if i.role == "bonus" else "扣"
                w.para(Bold(f"“{display_name(i)}”："), f"{i.note}，{sign} {two(abs(i.final))} 分。")
    if ev.surveys:
        w.h2("满意度问卷调查情况")
        for s in ev.surveys:
            _survey(s, w)


def _group_analysis(g: GroupResult, w: _Writer, self_form: bool) -> None:
    title = g.name if g.name.endswith("指标") else f"{g.name}指标"
    w.h2(f"{title}分析")
    subgroups = list(dict.fromkeys(i.row.level2 for i in g.members if i.row.level2))
    lost = [i for i in g.members if i.lost > 0]
    counts = ([f"{len(subgroups)} 个二级指标"] if subgroups else []) + [f"{len(g.members)} 个三级指标"]
    text = (
        f"{title}由 {'、'.join(counts)}构成，{'分值' if self_form else '权重'} {points(g.weight)} 分，"
        f"实际得分 {two(g.score)} 分，得分率 {pct(g.rate)}。"
    )
    if lost:
        text += (
            "扣分的指标为：" + "、".join(f"“{display_name(i)}”（扣 {two(i.lost)} 分）" for i in lost) + "。"
        )
    else:
        text += "各项指标均得满分。"
    w.para(text)
    rows = [
        (
            display_name(i),
            points(i.weight),
            target_text(i) or "—",
            actual_text(i) or "—",
            two(i.final),
            indicator_rate(i),
        )
        for i in g.members
    ]
    rows.append(("合计", points(g.weight), "—", "—", two(g.score), pct(g.rate)))
    w.table(
        f"{title}得分情况",
        ("三级指标", "分值", "年度指标值", "实际完成值", "得分", "得分率")
        if self_form
        else ("三级指标", "权重", "标杆值", "业绩值", "得分", "得分率"),
        rows,
        widths=(2.6, 0.8, 1.3, 1.3, 0.9, 1),
        numeric=frozenset({1, 2, 3, 4, 5}),
        total_row=True,
    )
    current = None
    for i in g.members:
        if i.row.level2 and i.row.level2 != current:
            current = i.row.level2
            w.h3(f"{i.row.level2_code}{current}")
        for runs in indicator_paragraphs(i, self_form):
            w.para(*runs)


def indicator_paragraphs(i: IndicatorResult, self_form: bool = False) -> list[tuple[Run, ...]]:
    """The analysis of one indicator: the 评分过程 as written (else what the data say), then its score;
    a self-evaluation says 分值, 年度指标值 and 实际完成值 as its form does."""
    weight, target, actual = (
        ("分值", "年度指标值", "实际完成值") if self_form else ("权重", "标杆值", "业绩值")
    )
    lead = Bold(f"“{display_name(i)}”：")
    process = [line.strip() for line in i.row.text("process").splitlines() if line.strip()]
    score = f"该指标{weight} {points(i.weight)} 分，得分 {two(i.final)} 分，得分率 {indicator_rate(i)}。"
    out: list[tuple[Run, ...]] = []
    if process:
        out.append((lead, process[0]))
        out.extend((line,) for line in process[1:])
        check: tuple[Run, ...] = (f"复核：{i.note}。", score)
    else:
        facts = []
        if i.row.text("explanation"):
            facts.append(i.row.text("explanation").rstrip("。") + "。")
        if target_text(i) or actual_text(i):
            facts.append(f"{target} {target_text(i) or '—'}，{actual} {actual_text(i) or '—'}")
            if i.actual_source == "rate" and i.link is not None:
                facts[-1] += f"（{rate_sentence(i.link)}）"
            facts[-1] += "。"
        out.append((lead, *facts, Blank("评价发现及依据")))
        check = (f"评分情况：{i.note}。", score)
    if i.declared is not None and i.declared != i.final:
        check += (
            Blank(f"评分表填写得分 {two(i.declared)} 分，与复核得分 {two(i.final)} 分不一致，请核对评分过程"),
        )
    out.append(check)
    return out


def _survey(s: SurveyResult, w: _Writer) -> None:
    rate = f"（有效率 {pct(Decimal(s.valid) / Decimal(s.respondents))}）" if s.respondents else ""
    text = f"“{s.name}”问卷共回收 {s.respondents} 份，有效问卷 {s.valid} 份{rate}"
    dropped = "、".join(f"{d.reason} {d.count} 份" for d in s.dropped)
    if dropped:
        text += f"，剔除{dropped}"
    if s.overall is not None:
        text += f"；总体满意度 {pct(s.overall)}"
    text += f"（{METHOD_EXPLAIN.get(s.method, s.method)}）"
    if s.cronbach_alpha is not None:
        verdict = (
            "信度良好"
            if s.cronbach_alpha >= 0.8
            else ("信度可以接受" if s.cronbach_alpha >= 0.7 else "信度偏低")
        )
        text += f"；信度系数 Cronbach α = {s.cronbach_alpha:.2f}，{verdict}。"
    elif s.source == TALLY:
        text += "；问卷为汇总数据，无逐份答卷，未计算 Cronbach α 信度系数。"
    else:
        text += "；Cronbach α 信度系数无法计算。"
    w.para(text)
    if s.items:
        rows = [
            (
                str(n),
                it.question,
                str(it.n),
                f"{it.mean:.2f}" if it.mean is not None else "—",
                pct(it.satisfaction),
            )
            for n, it in enumerate(s.items, start=1)
        ]
        w.table(
            f"“{s.name}”问卷满意度",
            ("序号", "题目", "有效样本", "平均分", "满意度"),
            rows,
            widths=(0.7, 4, 1, 0.9, 1),
            numeric=frozenset({0, 2, 3, 4}),
        )


# ------------------------------------------------------------------ problems and suggestions


SEVERITY_NAMES = {"error": "错误", "warning": "警告"}
# finding code prefixes → the sections of docs/audit.md
FINDING_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("得分与合计", ("score", "total", "rate", "grade", "grades", "option", "process", "bonus")),
    ("权重", ("weights", "weight")),
    ("评分规则与要点判定", ("rule", "method", "judgements", "units")),
    ("比率与基础表", ("actual", "base")),
    ("自评表", ("self", "cost", "exec")),
    ("问卷", ("survey",)),
    ("数据读取", ("formula", "number", "kind")),
)


def lost_indicators(ev: Evaluation) -> list[IndicatorResult]:
    """The indicators that lost points, in table order."""
    return [i for i in ev.indicators if i.lost > 0]


def audit_findings(ev: Evaluation) -> list[tuple[str, list[Finding]]]:
    """The error and warning findings, grouped as docs/audit.md groups them."""
    serious = [f for f in ev.findings if f.severity in SEVERITY_NAMES]
    groups: list[tuple[str, list[Finding]]] = []
    for name, prefixes in FINDING_GROUPS:
        members = [f for f in serious if f.code.split(".")[0] in prefixes]
        if members:
            groups.append((name, members))
    known = {p for _, prefixes in FINDING_GROUPS for p in prefixes}
    rest = [f for f in serious if f.code.split(".")[0] not in known]
    if rest:
        groups.append(("其他", rest))
    return groups


def finding_line(f: Finding) -> str:
    where = f"（{f.sheet} {f.cell}）" if f.cell else (f"（{f.sheet}）" if f.sheet else "")
    return f"{SEVERITY_NAMES.get(f.severity, f.severity)}{where}：{f.message}"


def problem_line(i: IndicatorResult) -> tuple[Run, ...]:
    """'“培训上岗率”扣 4.00 分（权重 4 分，得 0.00 分）。评分情况：…。原因分析：【待填写】'"""
    head = f"“{display_name(i)}”扣 {two(i.lost)} 分（权重 {points(i.weight)} 分，得 {two(i.final)} 分）。评分情况：{i.note}。"
    deviation = i.row.text("deviation")
    reason: Run = f"偏差原因分析：{deviation}" if deviation else Blank("问题表现及原因分析")
    return (head, "原因分析：" if not deviation else "", reason)


def _problems(ev: Evaluation, w: _Writer) -> None:
    lost = lost_indicators(ev)
    ex = ev.execution
    exec_lost = (
        ex.weight.value - ex.score
        if ex is not None and ex.score is not None and ex.weight is not None and ex.weight.value is not None
        else ZERO
    )
    total_lost = sum((i.lost for i in lost), ZERO) + exec_lost
    findings = audit_findings(ev)
    if not lost and not exec_lost and not findings:
        w.para("各项指标均得满分，评分表审核未发现错误或警告。", Blank("评价中发现的其他问题"))
        return
    if lost or exec_lost:
        w.para(
            f"共有 {len(lost) + (1 if exec_lost else 0)} 项指标扣分，合计扣 {two(total_lost)} 分，按一级指标分列如下："
        )
    if exec_lost:
        w.h3(f"预算执行方面（扣 {two(exec_lost)} 分）")
        w.para(
            f"{execution_sentence(ev)}，扣 {two(exec_lost)} 分。", "原因分析：", Blank("预算未执行完毕的原因")
        )
    for g in ev.groups:
        members = [i for i in g.members if i.lost > 0]
        if members:
            w.h3(f"{g.name}方面（扣 {two(sum((i.lost for i in members), ZERO))} 分）")
            w.items(problem_line(i) for i in members)
    if findings:
        w.h3("评分表审核发现的问题")
        w.para("以下为审核评分表时发现的错误和警告，定稿前应逐条核对处理：")
        for name, group in findings:
            w.para(Bold(f"{name}："))
            w.items((finding_line(f),) for f in group)


def _suggestions(ev: Evaluation, w: _Writer) -> None:
    lost = lost_indicators(ev)
    if not lost:
        w.para(Blank("有关建议"))
        return
    w.para("针对上述问题，建议如下：")
    w.items((f"针对“{display_name(i)}”扣分问题：", Blank("改进建议")) for i in lost)


def _other(ev: Evaluation, w: _Writer) -> None:
    kept = [i for i in ev.indicators if i.final_source == "declared" and i.role == "base"]
    if kept:
        names = "、".join(f"“{display_name(i)}”" for i in kept)
        w.para(f"{names}的评分标准无法按规则自动计算，采用评分表填写的得分，请评价人员复核。")
    w.para(Blank("其他需要说明的问题（如数据局限性、评价范围限制等）"))


# ------------------------------------------------------------------ appendix


SELF_COLUMNS = (
    ("序号", 0.7), ("一级指标", 1.1), ("二级指标", 1.3), ("三级指标", 2.2), ("分值", 0.7), ("年度指标值", 1.3),
    ("实际完成值", 1.3), ("得分", 0.8), ("得分率", 1.0), ("偏差原因分析及改进措施", 3.0),
)  # fmt: skip
EVALUATION_COLUMNS = (
    ("序号", 0.7), ("一级指标", 0.9), ("二级指标", 1.2), ("三级指标", 2.0), ("权重", 0.7), ("评分标准", 4.0),
    ("标杆值", 1.1), ("业绩值", 1.1), ("得分", 0.8), ("得分率", 1.0),
)  # fmt: skip
_NUMERIC_COLUMNS = ("序号", "分值", "权重", "得分", "得分率")


def appendix_columns(ev: Evaluation) -> tuple[tuple[str, float], ...]:
    """(header, relative width) of the appendix table: the national 自评表's columns for a self-evaluation."""
    return SELF_COLUMNS if ev.kind.startswith("self") else EVALUATION_COLUMNS


def indicator_cells(n: int, i: IndicatorResult) -> dict[str, str]:
    """One indicator's cells of the appendix table, by column name."""
    weight = points(i.weight)
    if i.role != "base":
        weight = f"{'+' if i.role == 'bonus' else '−'}{points(abs(i.weight or ZERO))}"
    return {
        "序号": str(n),
        "一级指标": i.row.level1,
        "二级指标": i.row.level2,
        "三级指标": display_name(i),
        "分值": weight,
        "权重": weight,
        "评分标准": i.row.text("rule"),
        "标杆值": target_text(i),
        "年度指标值": target_text(i),
        "业绩值": actual_text(i),
        "实际完成值": actual_text(i),
        "得分": two(i.final),
        "得分率": indicator_rate(i),
        "偏差原因分析及改进措施": i.row.text("deviation"),
    }


def _appendix(ev: Evaluation, w: _Writer, title: str) -> None:
    w.landscape()
    w.h1(title, numbered=False)
    columns = appendix_columns(ev)
    cells = [indicator_cells(n, i) for n, i in enumerate(ev.indicators, start=1)]
    ex = ev.execution
    weight_total = ev.weight_total
    if ex is not None and ex.weight is not None and ex.weight.value and ex.score is not None:
        weight_total += ex.weight.value
        first = {"一级指标": "预算执行率", "三级指标": "预算执行率", "分值": points(ex.weight.value)}
        first |= {"权重": first["分值"], "年度指标值": "100%", "标杆值": "100%", "实际完成值": pct(ex.rate)}
        first |= {"业绩值": pct(ex.rate), "得分": two(ex.score), "得分率": pct(ex.score / ex.weight.value)}
        cells.insert(0, first)
    total = {
        "一级指标": "合计",
        "分值": points(weight_total),
        "权重": points(weight_total),
        "得分": two(ev.total),
    }
    cells.append(total)
    w.table(
        "指标体系评分表",
        tuple(name for name, _ in columns),
        (tuple(c.get(name, "") for name, _ in columns) for c in cells),
        widths=tuple(width for _, width in columns),
        numeric=frozenset(k for k, (name, _) in enumerate(columns) if name in _NUMERIC_COLUMNS),
        merge=(1, 2),
        total_row=True,
    )
