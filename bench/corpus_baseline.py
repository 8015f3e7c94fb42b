"""The rule corpus scored by a baseline revision's recognizer (the figure before the clause grammar).

    python bench/corpus_baseline.py              # baseline ef8f3c4, the last commit before it
    python bench/corpus_baseline.py --rev HEAD~3

Same verdicts as tests/corpus.py (correct / left to a person / wrong, per text), computed with
the baseline's own phrases.recognize and rules.score in a git worktree under bench/out/.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from worktree import baseline_tree

ROOT = Path(__file__).resolve().parent.parent

SNIPPET = r"""
import glob, json, sys
sys.path.insert(0, sys.argv[1])
from perfxl.evaluate import parse_judgements
from perfxl.numbers import as_percent_like, normalize, parse_number, parse_target
from perfxl.phrases import recognize
from perfxl.rules import Facts, final_round, score
res = {"real": [0, 0, 0, 0], "written": [0, 0, 0, 0]}
for p in sorted(glob.glob(sys.argv[2] + "/*.jsonl")):
    for line in open(p, encoding="utf-8"):
        e = json.loads(line)
        verdicts = []
        r = recognize(e["text"])
        for c in e["cases"]:
            w = parse_number(str(c["weight"]))
            tgt = parse_target(str(c["target"])) if c.get("target") is not None else None
            act = parse_number(str(c["actual"])) if c.get("actual") is not None else None
            word = normalize(str(c["actual"])) if c.get("actual") is not None and act is None else ""
            if act is not None:
                act = as_percent_like(act, tgt)
            js = parse_judgements(c["judgements"]) if c.get("judgements") else None
            o = score(r, Facts(abs(w.value), tgt, act, word, js, c.get("failures")))
            got = float(final_round(o.score)) if o.score is not None else None
            exp = c["expected"]
            if exp == "manual":
                verdicts.append("correct" if got is None else "wrong")
            elif got is None:
                verdicts.append("missed")
            else:
                verdicts.append("correct" if abs(float(exp) - got) <= 0.005 else "wrong")
        v = "wrong" if "wrong" in verdicts else ("correct" if set(verdicts) == {"correct"} else "missed")
        g = "written" if e.get("origin") == "written" else "real"
        res[g][0] += 1
        res[g][{"correct": 1, "missed": 2, "wrong": 3}[v]] += 1
for g, (n, c, m, w) in res.items():
    print(f"{g:8s} {c}/{n} correct ({c / n:.1%}), {m} left to a person without need, {w} wrong")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rev", default="ef8f3c4")
    args = ap.parse_args()
    with baseline_tree(args.rev, "corpus-baseline") as tree:
        print(f"baseline {args.rev}:")
        subprocess.run(
            [sys.executable, "-c", SNIPPET, str(tree), str(ROOT / "tests" / "rule_corpus")], check=True
        )
    print("this checkout:")
    subprocess.run([sys.executable, str(ROOT / "tests" / "corpus.py")], check=True)


if __name__ == "__main__":
    main()
