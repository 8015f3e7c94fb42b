"""pandas views of an evaluation (imported only when a DataFrame is asked for).

Columns and dtypes are part of the API (docs/api.md): text columns are pandas
``string``, numbers ``float64`` (NaN where there is none), row numbers ``Int64``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .numbers import cell_text
from .rules import KIND_LABELS

if TYPE_CHECKING:
    import pandas as pd

    from .evaluate import Evaluation

INDICATOR_COLUMNS: dict[str, str] = {
    "file": "string",
    "unit": "string",
    "title": "string",
    "year": "string",
    "kind": "string",
    "code": "string",
    "name": "string",
    "group": "string",
    "subgroup": "string",
    "role": "string",
    "row": "Int64",
    "weight": "float64",
    "target": "string",
    "actual": "float64",
    "actual_text": "string",
    "rule": "string",
    "rule_label": "string",
    "computed_score": "float64",
    "declared_score": "float64",
    "expert_mean": "float64",
    "score": "float64",
    "lost": "float64",
    "score_source": "string",
    "note": "string",
}

FINDING_COLUMNS: dict[str, str] = {
    "file": "string",
    "severity": "string",
    "code": "string",
    "sheet": "string",
    "cell": "string",
    "message": "string",
}


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def indicators_frame(ev: Evaluation) -> pd.DataFrame:
    import pandas as pd

    from .rules import final_round

    rows = []
    for r in ev.indicators:
        rows.append(
            {
                "file": ev.file,
                "unit": ev.unit,
                "title": ev.title,
                "year": ev.year,
                "kind": ev.kind,
                "code": r.row.code,
                "name": r.row.name,
                "group": r.row.level1,
                "subgroup": r.row.level2,
                "role": r.role,
                "row": r.row.row + 1,
                "weight": _num(r.weight),
                "target": r.target.text if r.target else cell_text(r.row.values.get("target", "")),
                "actual": _num(r.actual.value) if r.actual else None,
                "actual_text": cell_text(r.row.values.get("actual", "")) or r.actual_word,
                "rule": r.rule.kind,
                "rule_label": KIND_LABELS[r.rule.kind],
                "computed_score": _num(final_round(r.computed)) if r.computed is not None else None,
                "declared_score": _num(r.declared),
                "expert_mean": _num(r.expert_score),
                "score": _num(r.final),
                "lost": _num(final_round(r.lost)) if r.role == "base" and r.weight is not None else None,
                "score_source": r.final_source,
                "note": r.note,
            }
        )
    return _frame(pd, rows, INDICATOR_COLUMNS)


def findings_frame(ev: Evaluation) -> pd.DataFrame:
    import pandas as pd

    rows = [{"file": ev.file, **f.to_json()} for f in ev.findings]
    return _frame(pd, rows, FINDING_COLUMNS)


def _frame(pd: Any, rows: list[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    return df.astype(columns)
