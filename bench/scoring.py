"""Scoring speed of this checkout against a baseline revision, measured in the same run.

    python bench/scoring.py                      # baseline: the last commit before the clause grammar
    python bench/scoring.py --baseline HEAD~5 --rounds 7

Each side runs in its own interpreter (a git worktree of the baseline in bench/out/), scores
every workbook in inputs/ several times in-process (reading, rules, audit; no writing), with
the per-text caches cleared each round so that rule reading is measured, not cached.  The
two sides alternate; the figure is the ratio of the medians (current / baseline).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from worktree import baseline_tree

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "ef8f3c4"  # before the clause grammar (perfxl issue 15)

SNIPPET = r"""
import sys, time, json
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from perfxl import numbers, phrases
from perfxl.book import open_book
try:
    from perfxl.pipeline import score_book
except ImportError:  # the baseline: evaluate_book audited by itself
    from perfxl.evaluate import evaluate_book as score_book
files = sorted(Path(sys.argv[2]).glob("*.xlsx"))
rounds = int(sys.argv[3])
times = []
for _ in range(rounds):
    phrases._recognize.cache_clear()
    numbers.normalize.cache_clear()
    start = time.perf_counter()
    for f in files:
        score_book(open_book(f))
    times.append(time.perf_counter() - start)
print(json.dumps({"files": len(files), "times": times}))
"""


def run(src: Path, rounds: int) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", SNIPPET, str(src), str(ROOT / "inputs"), str(rounds)],
        capture_output=True,
        text=True,
        check=True,
    )
    times: list[float] = json.loads(out.stdout)["times"]
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default=BASELINE)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3, help="alternations of baseline and current")
    args = ap.parse_args()
    with baseline_tree(args.baseline, "baseline") as tree:
        base: list[float] = []
        cur: list[float] = []
        for _ in range(args.repeat):
            base += run(tree, args.rounds)
            cur += run(ROOT, args.rounds)
    b, c = statistics.median(base), statistics.median(cur)
    print(f"baseline {args.baseline}: {b * 1000:.1f} ms per pass over inputs/ (median of {len(base)})")
    print(f"current          : {c * 1000:.1f} ms per pass (median of {len(cur)})")
    print(f"ratio current / baseline: {c / b:.2f}")


if __name__ == "__main__":
    main()
