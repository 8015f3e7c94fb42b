"""Start-up cost of the command line: ``perfxl --help`` against a bare interpreter.

    python bench/startup.py              # 20 runs each, alternating; medians and the ratio
    python bench/startup.py --runs 50 --json

The target is ``perfxl --help`` under 0.3 s.  The interpreter alone (``python -c pass``)
is measured in the same run, alternating with perfxl, so that a busy machine shows as a
larger baseline rather than as a slower perfxl; the difference is what perfxl's imports cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    bare = [sys.executable, "-c", "pass"]
    help_cmd = [sys.executable, "-c", "from perfxl.cli import main; main(['--help'])"]
    for cmd in (bare, help_cmd):  # warm the file cache
        _time(cmd)
    base, perfxl = [], []
    for _ in range(args.runs):
        base.append(_time(bare))
        perfxl.append(_time(help_cmd))
    result = {
        "runs": args.runs,
        "python_median_s": round(statistics.median(base), 4),
        "perfxl_help_median_s": round(statistics.median(perfxl), 4),
        "perfxl_help_max_s": round(max(perfxl), 4),
        "imports_s": round(statistics.median(perfxl) - statistics.median(base), 4),
        "ratio": round(statistics.median(perfxl) / statistics.median(base), 2),
        "target_s": 0.3,
    }
    result["ok"] = result["perfxl_help_median_s"] < 0.3
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"python -c pass   {result['python_median_s']:.3f} s (median of {args.runs})\n"
        f"perfxl --help    {result['perfxl_help_median_s']:.3f} s (max {result['perfxl_help_max_s']:.3f} s)\n"
        f"imports          {result['imports_s']:.3f} s; ratio {result['ratio']}×; "
        f"target < 0.3 s: {'met' if result['ok'] else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
