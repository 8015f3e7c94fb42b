"""Benchmark 汇总.xlsx with its analysis sheets and ``perfxl compare`` at scale (perfxl issue 13).

Run ``python bench/compare.py --n 10000`` from a checkout.  Scoring 10,000 real workbooks
takes about eight minutes on two cores (bench/batch.py measures that step); this script
measures the step after it, on N generated **records** — what each worker of a batch hands
back (``perfxl.batch.summarize``): the evaluation's unit, project, kind, 评价机构, totals and
grades, its 一级指标, one tuple per indicator (≈ 30, from :mod:`perfxl.catalog`'s department
and project systems) and per finding (≈ 4–9, with perfxl's messages).  Two seasons are
generated: the second keeps ≈ 95 % of the units (scores moved, some indicators newly
losing points, findings come and go), drops ≈ 3 % and adds ≈ 3 %.

Each step runs in a fresh process, timed from its start to its end, with the peak memory of
its process tree (``/proc`` sampled every 50 ms): the sum of RSS, as bench/batch.py reports it
(pages the forked readers share with their parent count in each), and the sum of PSS (those
pages shared out, so counted once):

- **summary**: ``write_summary`` of the second season's N records — 总览, 统计, 汇总,
  the analysis sheets (pandas) and the data sheets; the first season's 汇总.xlsx is
  written the same way beforehand (not reported);
- **compare**: ``perfxl.compare(old 汇总.xlsx, new 汇总.xlsx, 对比.xlsx)`` — both read back,
  matched, compared, 对比.xlsx written.

In the same run, a **floor** for each: for summary, xlsxwriter (constant_memory) writing the
cells of the produced 汇总.xlsx as plain values; for compare, python-calamine reading every
sheet of both 汇总.xlsx and xlsxwriter writing the cells of 对比.xlsx.  The ratios
perfxl / floor are what to read on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out" / "compare"
COUNTIES = [f"{a}{b}" for a in "东南西北中上下前后左右" for b in "山川河湖林田阳安平宁"]
OFFICES = (
    "教育局",
    "卫健委",
    "民政局",
    "水利局",
    "交通局",
    "农业农村局",
    "财政局",
    "人社局",
    "住建局",
    "文旅局",
)
PROJECTS = (
    "营养改善",
    "公共卫生服务",
    "农田水利",
    "公路养护",
    "技能培训",
    "养老服务",
    "污水处理",
    "文化下乡",
)
FIRMS = [
    f"{c}{w}绩效评价咨询有限公司" for c in "甲乙丙丁戊己庚辛壬癸" for w in ("信", "诚", "达", "正", "和")
]
KINDS = ("project", "department", "self-project", "self-department")


def _grade(total: float) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _catalog() -> dict[str, list[tuple[str, str, str, float]]]:
    from perfxl.catalog import DEPARTMENT_INDICATORS, PROJECT_INDICATORS

    systems = {}
    for kind, rows in (("department", DEPARTMENT_INDICATORS), ("project", PROJECT_INDICATORS)):
        systems[kind] = [
            (r.level1, r.code, r.name, float(r.weight)) for r in rows if r.weight and r.role == "base"
        ]
    return systems


def _units(n: int, rng: random.Random) -> list[dict[str, Any]]:
    units = []
    for i in range(n):
        kind = KINDS[0] if i % 10 < 6 else KINDS[1] if i % 10 < 8 else KINDS[2 + i % 2]
        county = COUNTIES[i % len(COUNTIES)]
        office = OFFICES[(i // len(COUNTIES)) % len(OFFICES)]
        serial = i // (len(COUNTIES) * len(OFFICES))
        unit = f"{county}县{office}" + (f"第{serial}分局" if serial else "")
        project = PROJECTS[i % len(PROJECTS)]
        title = unit if kind in ("department", "self-department") else f"{project}项目"
        firm = rng.choice(FIRMS) if kind in ("project", "department") else ""
        units.append({"unit": unit, "title": title, "kind": kind, "firm": firm, "id": i})
    return units


def _record(
    unit: dict[str, Any], year: int, rng: random.Random, systems: dict[str, Any], folder: Path
) -> dict[str, Any]:
    """One summary record as perfxl.batch.summarize makes it."""
    system = systems["department" if "department" in unit["kind"] else "project"]
    indicators, findings, groups = [], [], {}
    for k, (group, code, name, weight) in enumerate(system):
        full = rng.random() < 0.7
        score = weight if full else round(weight * rng.uniform(0.4, 0.98), 2)
        declared = score if rng.random() < 0.9 else min(weight, round(score + rng.choice((0.5, 1, 2)), 2))
        indicators.append((group, code, name, "base", weight, declared, score))
        g = groups.setdefault(group, [0.0, 0.0])
        g[0] += score
        g[1] += weight
        row = 3 + k
        if declared != score:
            findings.append(("warning", "score.mismatch", name, "指标", f"M{row}", f"“{name}”申报得分 {declared:g}，按规则计算应为 {score:g}（差 {declared - score:g}）"))  # fmt: skip
        if rng.random() < 0.05:
            findings.append(("info", "rule.needs_input", name, "指标", f"H{row}", f"“{name}”按要点法计分需要要点判定，未提供，保留申报得分"))  # fmt: skip
    findings.append(
        ("info", "score.unverified", system[0][2], "指标", "M3", "3 个指标共 12 分保留申报得分，未经核验")
    )
    if rng.random() < 0.3:
        findings.append(("warning", "base.missing", "", "基础表", "D10", "“合计 实际到位数”（基础表!D10）为空，无法计算资金到位率"))  # fmt: skip
    total = round(sum(r[6] for r in indicators) * 100 / sum(r[4] for r in indicators), 2)
    declared_total = round(sum(r[5] for r in indicators) * 100 / sum(r[4] for r in indicators), 2)
    file = f"{year}/{unit['id']:05d}_{unit['unit']}_{unit['title']}.xlsx"
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f[0]] += 1
    title = unit["title"] if unit["title"] == unit["unit"] else f"{year}年{unit['title']}"
    return {
        "file": file,
        "kind": unit["kind"],
        "title": title,
        "unit": unit["unit"],
        "year": str(year),
        "firm": unit["firm"],
        "total": total,
        "grade": _grade(total),
        "bands": ["优90", "良80", "中60", "差"],
        "output": str(folder / file),
        "declared_total": declared_total,
        "declared_grade": _grade(declared_total),
        "groups": [
            {"name": g, "score": round(s, 2), "rate": round(s / w, 4)} for g, (s, w) in groups.items()
        ],
        "deducted": sum(1 for r in indicators if r[4] - r[6] > 0.005),
        "counts": counts,
        "indicators": indicators,
        "findings": findings,
    }


def season(n: int, seed: int, which: str, folder: Path) -> list[dict[str, Any]]:
    """The records of season "old" (N units) or "new" (≈ 97 % of them, plus ≈ 3 % new units)."""
    rng = random.Random(f"{seed}-{which}")
    systems = _catalog()
    units = _units(n + n // 30, random.Random(seed))
    if which == "old":
        chosen, year = units[:n], 2023
    else:
        kept = [u for u in units[:n] if u["id"] % 33 != 7]
        chosen, year = kept + units[n : n + (n - len(kept))], 2024
    return [_record(u, year, rng, systems, folder) for u in chosen]


# ---------------------------------------------------------------------------
# Steps, each in its own process
# ---------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(name: str, n: int, seed: int, folder: Path) -> dict[str, Any]:
    """Run one step in this process; returns its seconds and peak RSS."""
    from perfxl.summary_write import write_summary

    if name in ("summary-old", "summary"):
        which = "old" if name == "summary-old" else "new"
        records = season(n, seed, which, folder)
        start = time.perf_counter()
        write_summary(folder / which / "汇总.xlsx", records, [])
    elif name == "compare":
        import perfxl

        start = time.perf_counter()
        c = perfxl.compare(folder / "old" / "汇总.xlsx", folder / "new" / "汇总.xlsx", folder / "对比.xlsx")
        assert len(c.pairs) > n * 0.9, len(c.pairs)
    elif name == "summary-floor":
        grids = _grids(folder / "new" / "汇总.xlsx")
        start = time.perf_counter()
        _write_grids(grids, folder / "floor-summary.xlsx")
    elif name == "compare-floor":
        grids = _grids(folder / "对比.xlsx")
        start = time.perf_counter()
        for side in ("old", "new"):
            _grids(folder / side / "汇总.xlsx")
        _write_grids(grids, folder / "floor-compare.xlsx")
    else:
        raise SystemExit(f"unknown step {name}")
    return {"step": name, "seconds": round(time.perf_counter() - start, 2), "peak_mb": round(_peak_mb())}


def _grids(path: Path) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def _write_grids(grids: dict[str, list[list[Any]]], path: Path) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as wb:
        for name, rows in grids.items():
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if isinstance(value, str):
                        if value:
                            ws.write_string(r, c, value)
                    elif isinstance(value, int | float):
                        ws.write_number(r, c, value)


def _run(name: str, n: int, seed: int, folder: Path) -> dict[str, Any]:
    """One step in a process of its own; adds the peak RSS of its process tree (sampled every
    50 ms: compare reads the two 汇总.xlsx in two worker processes)."""
    from batch import _children, _tree_rss  # bench/batch.py, beside this script

    cmd = [sys.executable, __file__, "--step", name, "--n", str(n), "--seed", str(seed), "--out", str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = peak_pss = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        peak_pss = max(peak_pss, _tree_pss(proc.pid, _children))
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        raise SystemExit(f"step {name} failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["tree_mb"] = round(peak / 2**20)
    result["tree_pss_mb"] = round(peak_pss / 2**20)
    return result


def _tree_pss(root: int, children: Any) -> int:
    """The proportional set size of a process tree: pages shared by forked processes count once
    in all (RSS counts them in every process that maps them)."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
        stack += children(pid)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="evaluations per season")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each step (medians reported)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--step", help=argparse.SUPPRESS)
    args = ap.parse_args()
    folder = args.out or OUT / f"n{args.n}-s{args.seed}"
    if args.step:
        print(json.dumps(step(args.step, args.n, args.seed, folder)))
        return
    for side in ("old", "new"):
        (folder / side).mkdir(parents=True, exist_ok=True)
    _run("summary-old", args.n, args.seed, folder)
    runs: dict[str, list[dict[str, Any]]] = {}
    for _ in range(args.repeat):
        for name in ("summary", "summary-floor", "compare", "compare-floor"):
            runs.setdefault(name, []).append(_run(name, args.n, args.seed, folder))
    med = {name: statistics.median(r["seconds"] for r in rs) for name, rs in runs.items()}
    peak = {name: max(r["tree_mb"] for r in rs) for name, rs in runs.items()}
    largest = {name: max(r["peak_mb"] for r in rs) for name, rs in runs.items()}
    pss = {name: max(r["tree_pss_mb"] for r in rs) for name, rs in runs.items()}
    sizes = {
        p.name: round(p.stat().st_size / 1e6, 1) for p in (folder / "new" / "汇总.xlsx", folder / "对比.xlsx")
    }
    result = {
        "n": args.n,
        "repeat": args.repeat,
        "seconds": med,
        "peak_tree_mb": peak,
        "peak_process_mb": largest,
        "peak_tree_pss_mb": pss,
        "ratio_summary": round(med["summary"] / med["summary-floor"], 2),
        "ratio_compare": round(med["compare"] / med["compare-floor"], 2),
        "file_mb": sizes,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"{args.n} evaluations per season, median of {args.repeat}")
    for step_name in ("summary", "compare"):
        print(
            f"{step_name:8} {med[step_name]:6.1f} s  peak {peak[step_name]} MB RSS / {pss[step_name]} MB PSS "
            f"(process tree)   "
            f"floor {med[step_name + '-floor']:.1f} s   ratio {result['ratio_' + step_name]}"
        )
    print(f"files: 汇总.xlsx {sizes['汇总.xlsx']} MB, 对比.xlsx {sizes['对比.xlsx']} MB")


if __name__ == "__main__":
    main()
