"""Wall time of ``perfxl report`` on every workbook of inputs/, as a user runs it.

    python bench/report.py              # 5 runs per workbook; medians and maxima
    python bench/report.py --runs 9 --json

Each run is a fresh process (interpreter start, imports, scoring, the Word document and its
chart); the target is under 1 s per workbook.  ``python -c pass`` is timed in the same
loop, so that a busy machine shows as a larger baseline.  The runs may write bytecode
(PYTHONDONTWRITEBYTECODE is dropped from their environment), as a user's Python does:
compiling perfxl's modules again in every run would cost about 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    inputs = sorted(p for p in (ROOT / "inputs").glob("*.xlsx") if not p.name.startswith("~$"))
    bare = [sys.executable, "-c", "pass"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for src in inputs:
            cmd = [sys.executable, "-m", "perfxl.cli", "report", str(src), "-o", str(Path(tmp) / "r.docx")]
            _time(cmd)  # warm the file cache and matplotlib's font list
            times, base = [], []
            for _ in range(args.runs):
                base.append(_time(bare))
                times.append(_time(cmd))
            rows.append(
                {
                    "file": src.name,
                    "median_s": round(statistics.median(times), 3),
                    "max_s": round(max(times), 3),
                    "python_median_s": round(statistics.median(base), 3),
                }
            )
    ok = all(r["median_s"] < TARGET_S for r in rows)
    if args.json:
        print(json.dumps({"runs": args.runs, "target_s": TARGET_S, "ok": ok, "files": rows}, ensure_ascii=False))
        return
    for r in rows:
        print(f"{r['median_s']:.3f} s (max {r['max_s']:.3f} s, python -c pass {r['python_median_s']:.3f} s)  {r['file']}")
    print(f"target < {TARGET_S:g} s per workbook (median of {args.runs}): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
