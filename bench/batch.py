"""Benchmark ``perfxl batch`` against the I/O floor (perfxl issue 6).

Run ``python bench/batch.py --n 1000`` from a checkout.  It

1. generates N realistic workbooks once into ``bench/out/in/n{N}-s{SEED}-g{GEN}/``
   (cached; the same N and seed reuse them): a 项目信息 sheet, a ≈30-row indicator table
   with the rule texts of :mod:`perfxl.catalog` (department and project systems
   alternate), varied facts, 要点判定, declared scores of which ≈ 10 % are wrong; a 基础表
   (budget table, key values, project list or monthly staffing); and a 300-respondent ×
   20-column 问卷明细 sheet as 问卷星 exports it (按选项文本, docs/workbook.md);
2. measures, with the same number of worker processes (default ``os.cpu_count()``):

   - the **I/O floor**: per workbook, read every sheet with python-calamine ``to_python()``
     and write a workbook of the same shape with xlsxwriter ``{"in_memory": True}``
     (same sheets, rows × columns and merges, a few formats, one comment per ≈ 10 rows of
     the indicator sheet, one chart), in a ``ProcessPoolExecutor``;
   - ``perfxl batch IN -o OUT --jobs J --quiet`` as a subprocess (wall time, interpreter
     start-up and 汇总.xlsx included), with its **peak RSS**: the largest sum of RSS over the
     process tree (``/proc`` sampled every 50 ms; shared pages count once per process) and
     the largest single process (``wait4`` rusage).

With ``--repeat R`` both are run R times, alternating which goes first so that they share
the machine's noise, and the medians are reported.  ``--profile K`` profiles
:func:`perfxl.batch.score_one` in-process on K workbooks instead (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
GEN_VERSION = 1  # bump when the generated workbooks change, so the cache is rebuilt

# ---------------------------------------------------------------------------
# Generating workbooks
# ---------------------------------------------------------------------------

FIVE = ("非常满意", "比较满意", "基本满意", "不太满意", "非常不满意")
META = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")
IDENTITIES = ("企业", "个体工商户", "群众个人", "代理机构", "其他")
NEEDS = ("办事指南更清楚", "减少跑腿次数", "延长服务时间", "增加自助设备", "其他")
MATRIX = ("服务态度", "业务熟练度", "办事效率", "场地秩序", "信息公开", "投诉处理")
SATISFACTION_QUESTIONS = (
    "您对办事大厅的环境和设施是否满意",
    "您对窗口工作人员一次性告知情况是否满意",
    "您对办事等候时间是否满意",
    "您对网上办事的便利程度是否满意",
    "总体来说您对现行的政务服务满意吗",
)
COUNTIES = (
    "奇台县",
    "昌吉市",
    "阜康市",
    "玛纳斯县",
    "呼图壁县",
    "吉木萨尔县",
    "木垒县",
    "乌苏市",
    "沙湾市",
    "伊宁县",
)
DEPARTMENTS = (
    "政务服务和公共资源交易中心",
    "农业农村局",
    "水利局",
    "教育局",
    "卫生健康委员会",
    "民政局",
    "住房和城乡建设局",
)
PROJECTS = (
    "政务服务运行维护费",
    "农村道路养护",
    "高标准农田建设",
    "学生营养改善计划",
    "养老服务补助",
    "城乡环境整治",
)
FIRMS = ("新疆财讯睿智信息咨询有限公司", "中国投资咨询有限责任公司", "示例绩效评价咨询有限公司")
FILLER = (
    "评价组查阅了单位提供的制度文件、会议纪要、合同及支付凭证，并进行了现场核实和访谈。",
    "根据单位提供的相关业务资料和决算报表，结合实地调研情况综合分析。",
    "经核查相关资料，佐证材料基本齐全，个别环节记录不够完整。",
)
MARKS = (("√", "×"), ("1", "0"), ("符合", "不符合"))


def _judgements(rng: random.Random, n: int, p_fail: float) -> str:
    good, bad = rng.choices(MARKS, weights=(8, 1, 1))[0]
    marks = [bad if rng.random() < p_fail else good for _ in range(n)]
    if good == "√":
        return "".join(marks)
    return ("," if good == "1" else "/").join(marks)


def _pct(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") + "%"


def _actual(rng: random.Random, target: str) -> str | None:
    """A plausible 业绩值 for a numeric target; None when the target is a word or blank."""
    from perfxl.numbers import parse_target

    t = parse_target(target) if target else None
    if t is None or t.value is None or t.comparator == "word":
        return None
    v = float(t.value) * (100 if t.percent else 1)
    if t.comparator == "within":
        return _pct(rng.uniform(-14, 14))
    if t.percent:
        if t.comparator in ("le", "lt"):
            return _pct(rng.uniform(0.6, 1.05) * v)
        return "100%" if rng.random() < 0.5 else _pct(min(100.0, v * rng.uniform(0.9, 1.02)))
    if t.comparator in ("le", "lt"):
        return f"{v * rng.uniform(0.9, 1.01):.2f}{t.unit}"
    return f"{round(v * rng.uniform(0.88, 1.12))}{t.unit}"


def _indicator_rows(rng: random.Random, kind: str, has_survey: bool) -> list[dict[str, Any]]:
    from perfxl.catalog import DEPARTMENT_INDICATORS, PROJECT_INDICATORS
    from perfxl.phrases import recognize
    from perfxl.rates import match_rate

    catalog = DEPARTMENT_INDICATORS if kind == "department" else PROJECT_INDICATORS
    rows = []
    for ind in catalog:
        rule = recognize(ind.rule)
        row: dict[str, Any] = {"ind": ind, "kind": rule.kind, "weight": ind.weight}
        p_fail = rng.choice((0.0, 0.05, 0.15, 0.3))
        if rule.kind in ("checklist", "deduct_each") and rule.points_named:
            row["judge"] = _judgements(rng, rule.points_named, p_fail)
        elif rule.kind == "deduct_each":
            row["fail"] = rng.choices((0, 1, 2), weights=(6, 3, 1))[0]
        elif rule.kind == "binary":
            row["judge"] = _judgements(rng, 1, 0.15)
        elif match_rate(ind.name) and rng.random() < 0.7:
            row["actual"] = None  # linked: the rate from 基础表
        elif "满意" in ind.name and has_survey and rng.random() < 0.5:
            row["actual"] = "问卷:总体"
        else:
            row["actual"] = _actual(rng, ind.target) or (ind.target if ind.target else None)
        rows.append(row)
    return rows


def _department_base(rng: random.Random) -> list[list[Any]]:
    staff, public = round(rng.uniform(150, 900), 2), round(rng.uniform(5, 80), 2)
    project = round(rng.uniform(40, 600), 2)
    start = [
        round(staff * rng.uniform(0.8, 1), 2),
        round(public * rng.uniform(0.5, 1), 2),
        round(project * rng.uniform(0.3, 1), 2),
    ]
    spent = [
        round(staff * rng.uniform(0.97, 1), 2),
        round(public * rng.uniform(0.9, 1), 2),
        round(project * rng.uniform(0.9, 1), 2),
    ]
    three = round(rng.uniform(0, 6), 2) if rng.random() < 0.5 else 0
    purchase = round(rng.uniform(2, 60), 2)
    basic = [round(start[0] + start[1], 2), round(staff + public, 2), round(spent[0] + spent[1], 2)]
    total = [round(basic[0] + start[2], 2), round(basic[1] + project, 2), round(basic[2] + spent[2], 2)]
    if rng.random() < 0.1:  # a hand-arithmetic slip for the audit to find
        total[2] = round(total[2] + 0.01, 2)
    grid: list[list[Any]] = [["表2-1 部门财政资金总体使用情况表（单位：万元）"]]
    grid.append(["序号", "项目支出类别", "年初预算数", "全年预算数", "决算数", "预算执行率"])
    lines = [
        ("基本支出", basic[0], basic[1], basic[2]),
        ("人员经费", start[0], staff, spent[0]),
        ("公用经费", start[1], public, spent[1]),
        ("项目支出", start[2], project, spent[2]),
        ("“三公”经费", three, three, round(three * rng.uniform(0.8, 1), 2)),
        ("政府采购", round(purchase * rng.uniform(0.5, 1), 2), "—", purchase),
        ("本年支出合计", total[0], total[1], total[2]),
    ]
    for i, (label, a, b, c) in enumerate(lines, start=1):
        rate = _pct(100 * c / b) if isinstance(b, float) and b else ""
        grid.append([i, label, a, b, c, rate])
    grid.append([])
    grid.append(["表2-2 人员、资产及工作完成情况"])
    posts = rng.randint(15, 80)
    assets = round(rng.uniform(30, 900), 2)
    planned, works = rng.randint(6, 20), rng.randint(4, 12)
    for label, value, unit in (
        ("编制数", posts, "人"),
        ("实有人数", posts - rng.randint(0, 5), "人"),
        ("固定资产总额", assets, "万元"),
        ("在用固定资产总额", round(assets * rng.uniform(0.85, 1), 2), "万元"),
        ("计划完成项目数", planned, "个"),
        ("实际完成项目数", planned - rng.choice((0, 0, 1)), "个"),
        ("重点工作数", works, "项"),
        ("完成重点工作数", works - rng.choice((0, 0, 1)), "项"),
    ):
        grid.append([label, value, unit])
    grid.append([])
    grid.append(["表2-3 项目明细（单位：万元）"])
    grid.append(["序号", "项目名称", "年初预算数", "调整后预算数", "实际支出数", "是否完成"])
    k = rng.randint(6, 14)
    cuts = sorted(rng.uniform(0, 1) for _ in range(k - 1))
    shares = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
    amounts = [round(project * s, 2) for s in shares]
    for i, amount in enumerate(amounts, start=1):
        grid.append(
            [
                i,
                f"{rng.choice(PROJECTS)}（{i}）",
                round(amount * rng.uniform(0.3, 1), 2),
                amount,
                round(amount * rng.uniform(0.9, 1), 2),
                rng.choice(("是", "是", "是", "否")),
            ]
        )
    grid.append(["", "合计", "", round(sum(amounts), 2), "", ""])
    return grid


def _project_base(rng: random.Random) -> list[list[Any]]:
    full = round(rng.uniform(80, 900), 2)
    arrived = round(full * rng.choice((1, 1, rng.uniform(0.85, 1))), 2)
    grid: list[list[Any]] = [["一、项目资金情况（单位：万元）"]]
    grid.append(["项目", "年初预算数", "全年预算数", "实际到位数", "实际支出数"])
    grid.append(
        ["合计", round(full * rng.uniform(0.8, 1), 2), full, arrived, round(arrived * rng.uniform(0.9, 1), 2)]
    )
    grid.append([])
    grid.append(["二、人员情况"])
    target = rng.randint(20, 60)
    grid.append(["目标人数", target, "人"])
    grid.append([])
    grid.append(["三、月度人员情况（单位：人）"])
    grid.append(["月份", "在岗人数", "离职人数", "入职人数"])
    for m in range(1, 13):
        grid.append([f"{m}月", target - rng.randint(0, 3), rng.choice((0, 0, 0, 1)), rng.choice((0, 0, 1))])
    return grid


def _survey(rng: random.Random, n: int = 300) -> list[list[Any]]:
    questions = [
        "1、您的身份",
        "2、您认为政务服务还需在哪些方面改进？（可多选）",
        *(f"第3题({m})" for m in MATRIX),
        *(f"{i}、{q}" for i, q in enumerate(SATISFACTION_QUESTIONS, start=4)),
        f"{4 + len(SATISFACTION_QUESTIONS)}、您的意见和建议",
    ]
    grid: list[list[Any]] = [[*META, *questions]]
    mood = rng.uniform(3.9, 4.7)
    serial = 0
    for i in range(n):
        theta = rng.gauss(0, 1)
        scores = [
            max(1, min(5, round(mood + 0.6 * theta + rng.gauss(0, 0.6)))) for _ in range(len(MATRIX) + 5)
        ]
        ident = rng.randrange(len(IDENTITIES))
        picks = sorted(rng.sample(range(len(NEEDS)), rng.randint(1, 3)))
        answers: list[Any] = [
            IDENTITIES[ident] + (f"〖个体经营{i}〗" if ident == 4 else ""),
            "┋".join(NEEDS[k] + (f"〖希望增加停车位{i}〗" if k == 4 else "") for k in picks),
            *("(跳过)" if rng.random() < 0.01 else FIVE[5 - s] for s in scores),
            rng.choice(("无", "", "希望继续保持", f"建议增加周末服务窗口（{i}）", "办事流程还可以再简化")),
        ]
        for row in [answers] if i % 97 else [answers, answers]:  # a few duplicate submissions
            serial += 1
            secs = rng.randint(35, 600) if rng.random() > 0.01 else 5
            grid.append(
                [
                    serial,
                    f"2024/5/{1 + serial % 28} {8 + serial % 10}:{serial % 60:02d}:{(serial * 7) % 60:02d}",
                    f"{secs}秒" if secs < 60 else f"{secs // 60}分{secs % 60}秒",
                    rng.choice(("微信", "手机提交", "链接")),
                    "N/A",
                    f"223.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}(新疆-昌吉)",
                    *row,
                ]
            )
    return grid


def _write_input(path: Path, spec: dict[str, Any], declared: dict[int, float] | None) -> None:
    """One input workbook; ``declared`` maps indicator index → declared 得分 (None: pass 1, blank)."""
    import xlsxwriter

    rng = random.Random(spec["seed"] * 7 + 1)  # texts only; the facts are fixed in spec
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    border = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    head = wb.add_format(
        {**border, "bold": True, "bg_color": "#DDEBF7", "align": "center", "text_wrap": True}
    )
    text = wb.add_format({**border, "text_wrap": True})
    num = wb.add_format({**border})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    kind = spec["kind"]

    ws = wb.add_worksheet("项目信息")
    for r, (k, v) in enumerate(spec["info"]):
        ws.write_string(r, 0, k, head)
        (ws.write_number if isinstance(v, int) else ws.write_string)(r, 1, v, text)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 44)

    if kind == "department":
        header = [
            "序号",
            "一级指标",
            "二级指标",
            "三级指标",
            "权重",
            "指标解释",
            "标杆值",
            "业绩值",
            "评分标准",
            "要点判定",
            "不符合项数",
            "评分过程",
            "得分",
            "得分率",
        ]
    else:
        header = [
            "序号",
            "一级指标",
            "二级指标",
            "三级指标",
            "权重",
            "标杆值",
            "业绩值",
            "评分标准",
            "要点判定",
            "不符合项数",
            "评分过程",
            "得分",
        ]
    col = {h: i for i, h in enumerate(header)}
    ws = wb.add_worksheet("指标")
    ws.merge_range(0, 0, 0, len(header) - 1, spec["title"], title)
    ws.write_row(1, 0, header, head)
    rows = spec["rows"]
    top = 2
    total = 0.0
    for i, row in enumerate(rows):
        ind = row["ind"]
        r = top + i
        ws.write_number(r, col["序号"], i + 1, num)
        ws.write_string(r, col["三级指标"], ind.label, text)
        if ind.weight is not None:
            ws.write_number(r, col["权重"], ind.weight, num)
        if "指标解释" in col and ind.explanation:
            ws.write_string(r, col["指标解释"], ind.explanation, text)
        if ind.target:
            ws.write_string(r, col["标杆值"], ind.target, text)
        if row.get("actual"):
            ws.write_string(r, col["业绩值"], row["actual"], text)
        ws.write_string(r, col["评分标准"], ind.rule, text)
        if row.get("judge"):
            ws.write_string(r, col["要点判定"], row["judge"], text)
        if row.get("fail") is not None:
            ws.write_number(r, col["不符合项数"], row["fail"], num)
        score = declared.get(i) if declared else None
        if score is not None:
            total += score
            ws.write_number(r, col["得分"], score, num)
            if "得分率" in col and ind.weight:
                ws.write_string(r, col["得分率"], _pct(100 * score / ind.weight), text)
            shown = f"{score:g}"
            process = f"{rng.choice(FILLER)}{ind.name}：{ind.explanation or '按评分标准逐项核对'}。该指标满分{ind.weight:g}分，得{shown}分。"
            ws.write_string(r, col["评分过程"], process, text)
    for level in ("一级指标", "二级指标"):  # merged runs, as evaluators lay them out
        c = col[level]
        start = 0
        while start < len(rows):
            value = getattr(rows[start]["ind"], "level1" if level == "一级指标" else "level2")
            end = start
            while (
                end + 1 < len(rows)
                and getattr(rows[end + 1]["ind"], "level1" if level == "一级指标" else "level2") == value
            ):
                end += 1
            if end > start:
                ws.merge_range(top + start, c, top + end, c, value, text)
            else:
                ws.write_string(top + start, c, value, text)
            start = end + 1
    r = top + len(rows)
    ws.write_string(r, col["三级指标"], "合计", head)
    ws.write_number(r, col["权重"], 100, num)
    if declared:
        ws.write_number(r, col["得分"], round(total + spec["total_slip"], 2), num)
    ws.freeze_panes(2, 4)
    for name, width in (("三级指标", 16), ("评分标准", 44), ("评分过程", 44), ("指标解释", 26)):
        if name in col:
            ws.set_column(col[name], col[name], width)

    ws = wb.add_worksheet("基础表")
    for r, line in enumerate(spec["base"]):
        for c, v in enumerate(line):
            if isinstance(v, (int, float)):
                ws.write_number(r, c, v, num)
            elif v != "":
                ws.write_string(r, c, v, text)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 40)

    ws = wb.add_worksheet("问卷明细-服务对象")
    for r, line in enumerate(spec["survey"]):
        for c, v in enumerate(line):
            if isinstance(v, (int, float)):
                ws.write_number(r, c, v)
            elif v != "":
                ws.write_string(r, c, v)
    wb.close()


def _spec(seed: int, index: int) -> dict[str, Any]:
    rng = random.Random(seed * 1_000_003 + index)
    kind = "department" if index % 2 == 0 else "project"
    county, year = rng.choice(COUNTIES), rng.choice((2023, 2024))
    if kind == "department":
        name = f"{county}{rng.choice(DEPARTMENTS)}"
        info = [
            ("部门名称", name),
            ("年度", year),
            ("评价类型", "部门整体支出绩效评价"),
            ("评价机构", rng.choice(FIRMS)),
            ("评级标准", "90,80,60"),
        ]
        title = f"{name}{year}年部门整体绩效评价指标体系评分表"
        base = _department_base(rng)
    else:
        name = f"{county}{year}年{rng.choice(PROJECTS)}项目"
        info = [
            ("项目名称", name),
            ("单位", f"{county}{rng.choice(DEPARTMENTS)}"),
            ("年度", year),
            ("评价类型", "项目支出绩效评价"),
            ("评价机构", rng.choice(FIRMS)),
            ("评级标准", "优90,良80,中>70"),
        ]
        title = f"{name}绩效评价指标体系"
        base = _project_base(rng)
    return {
        "seed": seed * 1_000_003 + index,
        "kind": kind,
        "info": info,
        "title": title,
        "base": base,
        "rows": _indicator_rows(rng, kind, True),
        "survey": _survey(rng),
        "slips": rng.random(),
        "total_slip": rng.choice((0, 0, 0, 0.5, -1)),
    }


def _generate_one(task: tuple[int, int, str]) -> None:
    """Worker: pass 1 without scores, perfxl computes them, pass 2 with declared scores (≈10 % wrong)."""
    seed, index, dest = task
    import perfxl

    spec = _spec(seed, index)
    path = Path(dest)
    tmp = path.with_name(f".{path.name}.tmp.xlsx")
    _write_input(tmp, spec, None)
    ev = perfxl.score(tmp)
    computed = {res.row.row - 2: float(res.final) for res in ev.indicators}
    rng = random.Random(spec["seed"] * 13 + 5)
    declared: dict[int, float] = {}
    for i, row in enumerate(spec["rows"]):
        w = row["weight"]
        if w is None:
            continue
        s = computed.get(i, w)
        if row["kind"] == "manual":
            s = w if rng.random() < 0.7 else round(w * 0.8, 2)
        elif rng.random() < 0.1:  # evaluator's mistake
            s = w if s < w else max(0.0, round(s - 0.5, 2))
        declared[i] = round(s, 2)
    _write_input(tmp, spec, declared)
    os.replace(tmp, path)


def generate(n: int, seed: int, jobs: int) -> Path:
    """The input folder for (n, seed), generated once (a ``.complete`` marker ends a full run)."""
    folder = OUT / "in" / f"n{n}-s{seed}-g{GEN_VERSION}"
    if (folder / ".complete").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    tasks = [(seed, i, str(folder / f"wb_{i:05d}.xlsx")) for i in range(n)]
    todo = [t for t in tasks if not Path(t[2]).exists()]
    t0 = time.perf_counter()
    print(f"生成 {len(todo)} 个工作簿到 {folder} …", file=sys.stderr)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for _ in pool.map(_generate_one, todo, chunksize=4):
            pass
    (folder / ".complete").write_text("ok\n")
    print(f"生成完成，用时 {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return folder


# ---------------------------------------------------------------------------
# The I/O floor
# ---------------------------------------------------------------------------


def _floor_init() -> None:
    import python_calamine  # noqa: F401
    import xlsxwriter  # noqa: F401

    gc.freeze()


def floor_one(task: tuple[str, str]) -> int:
    """Read every sheet with calamine, write a workbook of the same shape with xlsxwriter."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    src, dest = task
    book = CalamineWorkbook.from_path(src)
    sheets = []
    for name in book.sheet_names:
        s = book.get_sheet_by_name(name)
        sheets.append((name, s.to_python(skip_empty_area=False), list(s.merged_cell_ranges or [])))
    wb = xlsxwriter.Workbook(
        dest,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    border = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    head = wb.add_format(
        {**border, "bold": True, "bg_color": "#D9D9D9", "align": "center", "text_wrap": True}
    )
    text = wb.add_format({**border, "text_wrap": True})
    num = wb.add_format({**border, "num_format": "0.00"})
    mark = wb.add_format({**border, "bg_color": "#FFEB9C"})
    cells = 0
    for k, (name, rows, merged) in enumerate(sheets):
        ws = wb.add_worksheet(name)
        indicator = k == 1
        covered = set()
        for (r0, c0), (r1, c1) in merged:
            if (r0, c0) != (r1, c1):
                ws.merge_range(r0, c0, r1, c1, "", text)
                covered.update(
                    (r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0)
                )
        for r, row in enumerate(rows):
            fmt = head if r == 0 else text
            for c, v in enumerate(row):
                if v == "" or v is None or (r, c) in covered:
                    continue
                cells += 1
                if isinstance(v, bool):
                    ws.write_boolean(r, c, v, fmt)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v, num)
                elif hasattr(v, "year"):
                    ws.write_datetime(r, c, v, num)
                else:
                    ws.write_string(r, c, str(v), fmt)
            if indicator and r % 10 == 5 and row:  # one comment per ≈ 10 rows, on a marked cell
                ws.write_string(r, 0, str(row[0]), mark)
                ws.write_comment(
                    r, 0, f"第{r + 1}行：复核意见", {"author": "floor", "x_scale": 2.5, "y_scale": 2}
                )
        if indicator:
            ws.freeze_panes(2, 4)
            chart = wb.add_chart({"type": "bar"})
            chart.add_series(
                {
                    "name": "权重",
                    "categories": [name, 2, 3, len(rows) - 1, 3],
                    "values": [name, 2, 4, len(rows) - 1, 4],
                }
            )
            ws.insert_chart(1, len(rows[0]) + 1 if rows else 1, chart)
    wb.close()
    return cells


def run_floor(files: Sequence[Path], out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tasks = [(str(f), str(out / f.name)) for f in files]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_floor_init) as pool:
        for _ in pool.map(floor_one, tasks, chunksize=max(1, min(16, len(tasks) // (4 * jobs)))):
            pass
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------
# perfxl batch as a subprocess, with the memory of its process tree
# ---------------------------------------------------------------------------

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    out: list[int] = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return out


def _tree_rss(root: int) -> int:
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(pid)
    return total


def perfxl_command() -> list[str]:
    exe = Path(sys.executable).with_name("perfxl")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from perfxl.cli import main; main()"]


def baseline_command(tree: Path) -> list[str]:
    """``perfxl`` of a baseline checkout (a git worktree), run by this interpreter."""
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); from perfxl.cli import main; main()"
    return [sys.executable, "-c", code]


def run_perfxl(folder: Path, out: Path, jobs: int, command: list[str] | None = None) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        *(command or perfxl_command()),
        "batch",
        str(folder),
        "-o",
        str(out),
        "--jobs",
        str(jobs),
        "--quiet",
    ]
    peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"perfxl batch 失败（退出码 {proc.returncode}）：{err[-2000:]}")
    failed = sum(1 for line in err.splitlines() if line.startswith("文件 "))
    return {
        "seconds": wall,
        "peak_tree_rss_mb": peak / 2**20,
        "max_process_rss_mb": usage.ru_maxrss / 1024,
        "failed": failed,
        "exit": proc.returncode,
    }


# ---------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------


def profile(files: Sequence[Path], out: Path, top: int) -> None:
    from perfxl.batch import _init_worker, score_one
    from perfxl.evaluate import Options

    _init_worker()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    score_one(str(files[0]), str(out / "warm.xlsx"), Options(), "warm")  # first-call costs (regex compiles)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for f in files:
        score_one(str(f), str(out / f.name), Options(), f.name)
    prof.disable()
    per = (time.perf_counter() - t0) / len(files)
    print(f"score_one：{len(files)} 个工作簿，平均 {per * 1000:.1f} ms/个（含 cProfile 开销）")
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(top)
        print(buf.getvalue())


# ---------------------------------------------------------------------------


def compare_baseline(folder: Path, run_dir: Path, jobs: int, repeat: int, rev: str) -> int:
    """This checkout's ``perfxl batch`` against ``rev``'s on the same inputs, alternating."""
    from worktree import baseline_tree

    with baseline_tree(rev, "batch-baseline") as tree:
        base_cmd = baseline_command(tree)
        current: list[float] = []
        baseline: list[float] = []
        for i in range(repeat):
            order = ("current", "baseline") if i % 2 == 0 else ("baseline", "current")
            for what in order:
                gc.collect()
                if what == "current":
                    current.append(run_perfxl(folder, run_dir / "current", jobs)["seconds"])
                else:
                    baseline.append(run_perfxl(folder, run_dir / "baseline", jobs, base_cmd)["seconds"])
    cur, base = statistics.median(current), statistics.median(baseline)
    print(f"{len(list(folder.glob('*.xlsx')))} 个工作簿，{jobs} 个进程，交替 {repeat} 次取中位数")
    print(f"本检出 {cur:.2f} s，基线 {rev} {base:.2f} s，用时比 {cur / base:.3f}")
    print(f"各次：本检出 {[round(x, 2) for x in current]}，基线 {[round(x, 2) for x in baseline]}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="perfxl batch 与 I/O 下限（calamine 读 + xlsxwriter 写）的吞吐量对比"
    )
    parser.add_argument("--n", type=int, default=100, help="工作簿数（默认 100）")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="进程数（默认 CPU 核数）")
    parser.add_argument("--repeat", type=int, default=1, help="重复次数，取中位数（默认 1）")
    parser.add_argument("--seed", type=int, default=1, help="生成数据的随机种子（默认 1）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    parser.add_argument(
        "--profile", type=int, metavar="K", default=0, help="改为在本进程内用 cProfile 分析 K 个工作簿"
    )
    parser.add_argument("--top", type=int, default=30, help="--profile 显示的函数数")
    parser.add_argument(
        "--baseline", metavar="REV", help="改为与某个提交（git worktree）的 perfxl batch 交替运行并比较用时"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.jobs < 1 or args.repeat < 1:
        parser.error("--n、--jobs、--repeat 必须 ≥ 1")

    folder = generate(args.n, args.seed, args.jobs)
    files = sorted(folder.glob("*.xlsx"))
    run_dir = OUT / "run"
    if args.profile:
        profile(files[: args.profile], run_dir / "profile", args.top)
        return 0

    if args.baseline:
        return compare_baseline(folder, run_dir, args.jobs, args.repeat, args.baseline)

    floors: list[float] = []
    runs: list[dict[str, float]] = []
    for i in range(args.repeat):
        order = ("floor", "perfxl") if i % 2 == 0 else ("perfxl", "floor")
        for what in order:
            gc.collect()
            if what == "floor":
                floors.append(run_floor(files, run_dir / "floor", args.jobs))
            else:
                runs.append(run_perfxl(folder, run_dir / "perfxl", args.jobs))
    floor_s = statistics.median(floors)
    perfxl_s = statistics.median(r["seconds"] for r in runs)
    size_kb = statistics.mean(f.stat().st_size for f in files) / 1024
    result = {
        "n": args.n,
        "jobs": args.jobs,
        "repeat": args.repeat,
        "input_kb_mean": round(size_kb, 1),
        "floor_seconds": round(floor_s, 3),
        "floor_wb_per_s": round(args.n / floor_s, 2),
        "perfxl_seconds": round(perfxl_s, 3),
        "perfxl_wb_per_s": round(args.n / perfxl_s, 2),
        "ratio": round(perfxl_s / floor_s, 3),
        "peak_tree_rss_mb": round(max(r["peak_tree_rss_mb"] for r in runs), 1),
        "max_process_rss_mb": round(max(r["max_process_rss_mb"] for r in runs), 1),
        "perfxl_failed": int(max(r["failed"] for r in runs)),
        "floor_runs": [round(x, 3) for x in floors],
        "perfxl_runs": [round(r["seconds"], 3) for r in runs],
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.n} 个工作簿（平均 {size_kb:.0f} KB），{args.jobs} 个进程，重复 {args.repeat} 次取中位数")
    print(f"{'':<22}{'用时 s':>10}{'工作簿/s':>12}")
    print(f"{'I/O 下限':<22}{floor_s:>10.2f}{args.n / floor_s:>12.1f}")
    print(f"{'perfxl batch':<22}{perfxl_s:>10.2f}{args.n / perfxl_s:>12.1f}")
    print(f"perfxl / 下限 用时比：{perfxl_s / floor_s:.2f}")
    print(
        f"perfxl 峰值内存：进程树 RSS 之和 {result['peak_tree_rss_mb']:.0f} MB，单个进程最大 {result['max_process_rss_mb']:.0f} MB"
    )
    if result["perfxl_failed"]:
        print(f"注意：perfxl 报告 {result['perfxl_failed']} 个工作簿失败")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
