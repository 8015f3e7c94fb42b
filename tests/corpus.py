"""The rule-text corpus (tests/rule_corpus/*.jsonl): real and written 评分标准 with hand-worked scores.

    python tests/corpus.py            # recognition per origin, clause types, every wrong case
    python tests/corpus.py --json
    python tests/corpus.py --heldout  # the held-out real texts (tests/rule_corpus/heldout/), never tuned on

Each line of a corpus file is one distinct text with 1–3 cases (weight, target, actual,
judgements, failures, expected score or "manual", the hand working).  A case is
*correct* when perfxl gives the expected number (±0.005) or leaves a "manual" case to a
person; *wrong* when perfxl gives a number where the text gives another number or needs
a person.  A text counts as correct when all its cases are, wrong when any case is.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "rule_corpus"


@dataclass
class TextResult:
    entry: dict[str, Any]
    kind: str
    outcomes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (verdict, expected, got)

    @property
    def verdict(self) -> str:
        verdicts = {v for v, _, _ in self.outcomes}
        if "wrong" in verdicts:
            return "wrong"
        if verdicts == {"correct"}:
            return "correct"
        return "missed"


def load(folder: Path = CORPUS) -> list[dict[str, Any]]:
    entries = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                entry = json.loads(line)
                entry["_file"] = f"{path.name}:{n}"
                entries.append(entry)
    return entries


def _arg(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


def run_case(text: str, case: dict[str, Any]) -> tuple[str, Any, Any]:
    from perfxl.api import ArgumentError, explain_rule

    expected = case["expected"]
    try:
        r = explain_rule(
            text,
            weight=_arg(case.get("weight")),
            target=_arg(case.get("target")),
            actual=_arg(case.get("actual")),
            judgements=_arg(case.get("judgements")),
            failures=case.get("failures"),
        )
    except ArgumentError:
        return ("missed" if expected != "manual" else "correct"), expected, "error"
    got = r.score
    if expected == "manual":
        return ("correct" if got is None else "wrong"), expected, got
    if got is None:
        return "missed", expected, None
    return ("correct" if abs(float(expected) - got) <= 0.005 else "wrong"), expected, got


def evaluate(entries: list[dict[str, Any]] | None = None) -> list[TextResult]:
    from perfxl.phrases import recognize

    results = []
    for entry in entries if entries is not None else load():
        res = TextResult(entry, recognize(entry["text"]).kind)
        res.outcomes = [run_case(entry["text"], case) for case in entry["cases"]]
        results.append(res)
    return results


def origin(entry: dict[str, Any]) -> str:
    return "written" if entry.get("origin") == "written" else "real"


def summary(results: list[TextResult]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group in ("real", "written"):
        rs = [r for r in results if origin(r.entry) == group]
        counts = Counter(r.verdict for r in rs)
        out[group] = {
            "texts": len(rs),
            "correct": counts["correct"],
            "missed": counts["missed"],
            "wrong": counts["wrong"],
            "regions": len({r.entry.get("region", "") for r in rs}),
        }
    out["kinds"] = dict(Counter(r.kind for r in results).most_common())
    return out


def clause_table(entries: list[dict[str, Any]]) -> dict[str, int]:
    from perfxl.clauses import clause_types
    from perfxl.phrases import prepare

    counts: Counter[str] = Counter()
    for e in entries:
        counts.update(clause_types(prepare(e["text"])))
    return dict(counts.most_common())


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    entries = load(CORPUS / "heldout") if "--heldout" in sys.argv else load()
    results = evaluate(entries)
    data = {"summary": summary(results), "clauses": clause_table(entries)}
    wrong = [
        {"id": r.entry["id"], "text": r.entry["text"], "cases": [o for o in r.outcomes if o[0] == "wrong"]}
        for r in results
        if r.verdict == "wrong"
    ]
    if "--json" in sys.argv:
        print(json.dumps({**data, "wrong": wrong}, ensure_ascii=False, indent=1))
        return
    for group in ("real", "written"):
        s = data["summary"][group]
        rate = s["correct"] / s["texts"] if s["texts"] else 0
        print(
            f"{group:8s} {s['correct']}/{s['texts']} correct ({rate:.1%}), {s['missed']} left to a person "
            f"without need, {s['wrong']} wrong; {s['regions']} regions"
        )
    print("rule kinds:", data["summary"]["kinds"])
    print("clause types:", data["clauses"])
    for w in wrong:
        print(f"WRONG {w['id']}: {w['text']}")
        for _v, exp, got in w["cases"]:
            print(f"      expected {exp}, perfxl {got}")
    if "--missed" in sys.argv:
        for r in results:
            if r.verdict == "missed":
                print(f"MISSED {r.entry['id']} [{r.kind}]: {r.entry['text']}")
                for v, exp, got in r.outcomes:
                    if v != "correct":
                        print(f"      expected {exp}, perfxl {got}")


if __name__ == "__main__":
    main()
