"""What 汇总.xlsx's analysis sheets show, computed with pandas from a batch's tidy tables.

Indicators of different workbooks are the same indicator when their names are equal
after :func:`perfxl.tidy.indicator_key` (full-width forms, spaces and punctuation do not
count); each is shown with its most frequent spelling and 一级指标.  Only base indicators
with a weight count (bonus and penalty items have no 得分率).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .tidy import Tables, indicator_key

NO_FIRM = "（未填写）"  # an evaluation without 评价机构 (self-evaluations, most often)
DIFF = 0.005  # scores differ when they differ by more than this (two decimals shown)


def _base_lines(t: Tables) -> pd.DataFrame:
    """Base indicators with a positive weight, keyed by name; ``seq`` is the line's position."""
    ind = t.indicators
    df = ind[(ind["role"] == "base") & (ind["weight"] > 0)].copy()
    df["key"] = df["name"].map(indicator_key)
    df["seq"] = range(len(df))
    return df


def _labels(df: pd.DataFrame) -> pd.DataFrame:
    """Per key: the most frequent spelling of the name and of the 一级指标 (ties: the first seen)."""

    def first_mode(values: pd.Series) -> str:
        counts = values.value_counts(sort=False)
        return str(counts.idxmax()) if len(counts) else ""

    grouped = df.groupby("key", sort=False)
    return pd.DataFrame({"name": grouped["name"].agg(first_mode), "group": grouped["group"].agg(first_mode)})


@dataclass
class Matrix:
    """得分率 of evaluations (rows, as *order* gives them) × indicators (columns)."""

    files: list[str]
    columns: pd.DataFrame  # per column: key, name, group, evaluations (how many have it)
    rates: pd.DataFrame  # index: files; columns: keys; NaN where an evaluation lacks the indicator
    left_out: int  # indicators beyond the limit


def rate_matrix(t: Tables, order: Sequence[str], limit: int) -> Matrix:
    """The *limit* indicators found in most evaluations (ties: first seen), grouped by 一级指标
    in the order the groups first appear; an indicator twice in one evaluation shows its mean."""
    df = _base_lines(t)
    counts = df.groupby("key", sort=False).agg(evaluations=("file", "nunique"), first=("seq", "min"))
    counts = counts.join(_labels(df))
    chosen = counts.sort_values(["evaluations", "first"], ascending=[False, True], kind="stable").head(limit)
    group_first = counts.groupby("group", sort=False)["first"].min()
    chosen = chosen.assign(group_first=chosen["group"].map(group_first))
    chosen = chosen.sort_values(["group_first", "evaluations", "first"], ascending=[True, False, True])
    mine = df[df["key"].isin(chosen.index)]
    rates = mine.pivot_table(index="file", columns="key", values="rate", aggfunc="mean")
    rates = rates.reindex(index=list(order), columns=list(chosen.index))
    columns = chosen.reset_index()[["key", "name", "group", "evaluations"]]
    return Matrix(list(order), columns, rates, len(counts) - len(chosen))


def failed_indicators(t: Tables) -> pd.DataFrame:
    """Indicators that lost points somewhere, most often failed first: name, group, lines
    (occurrences), failed (lines that lost points), share, mean_lost (per failed line),
    total_lost, mean_rate (over all lines)."""
    df = _base_lines(t)
    df["failed"] = df["lost"] > DIFF
    grouped = df.groupby("key", sort=False)
    out = pd.DataFrame(
        {
            "lines": grouped.size(),
            "failed": grouped["failed"].sum(),
            "total_lost": grouped["lost"].sum(),
            "mean_rate": grouped["rate"].mean(),
            "first": grouped["seq"].min(),
        }
    ).join(_labels(df))
    out = out[out["failed"] > 0].copy()
    out["share"] = out["failed"] / out["lines"]
    out["mean_lost"] = out["total_lost"] / out["failed"]
    out = out.sort_values(["failed", "total_lost", "first"], ascending=[False, False, True])
    return out.reset_index()[
        ["name", "group", "lines", "failed", "share", "mean_lost", "total_lost", "mean_rate"]
    ]


def grade_counts(
    t: Tables, by: str, grades: Sequence[str], rows: Sequence[str] | None = None
) -> pd.DataFrame:
    """Scored evaluations per value of column *by* (rows) and grade (columns, in *grades*
    order, then any other grade met), with a 合计 column.  Rows are *rows* when given, else
    the values by number of evaluations (most first; ties by name); a blank *by* is :data:`NO_FIRM`."""
    ev = t.scored().copy()
    ev[by] = ev[by].fillna("").replace("", NO_FIRM)
    table = pd.crosstab(ev[by], ev["grade"])
    labels = list(grades) + sorted(set(table.columns) - set(grades))
    table = table.reindex(columns=labels, fill_value=0)
    table["合计"] = table.sum(axis=1)
    if rows is None:
        keys = table.reset_index()
        rows = list(keys.sort_values(["合计", by], ascending=[False, True])[by])
    return table.reindex(index=list(rows), fill_value=0)


def firm_disagreement(t: Tables) -> pd.DataFrame:
    """Per 评价机构 (blank: :data:`NO_FIRM`): evaluations; totals declared and how many
    differ from the reviewed total (by more than 0.005), by how many points in all (absolute)
    and on average (declared − reviewed); grades declared that differ; indicator scores
    declared, how many differ from the final score and by how many points (absolute, and
    over- and under-declared).  Most indicator points first."""
    ev = t.scored().copy()
    ev["firm"] = ev["firm"].fillna("").replace("", NO_FIRM)
    gap = ev["declared_total"] - ev["total"]
    ev["declared"] = ev["declared_total"].notna()
    ev["differs"] = gap.abs() > DIFF
    ev["points"] = gap.abs().where(ev["differs"], 0.0)
    ev["gap"] = gap
    ev["grade_declared"] = ev["declared_grade"].fillna("") != ""
    ev["grade_differs"] = ev["grade_declared"] & (ev["declared_grade"] != ev["grade"])
    by_firm = ev.groupby("firm")
    out = pd.DataFrame(
        {
            "evaluations": by_firm.size(),
            "totals_declared": by_firm["declared"].sum(),
            "totals_differ": by_firm["differs"].sum(),
            "total_points": by_firm["points"].sum(),
            "mean_gap": by_firm["gap"].mean(),
            "grades_differ": by_firm["grade_differs"].sum(),
        }
    )
    ind = t.indicators[t.indicators["declared_score"].notna()].copy()
    ind["firm"] = ind["file"].map(ev.set_index("file")["firm"])
    ind = ind[ind["firm"].notna()]
    d = ind["declared_score"] - ind["score"]
    ind["differs"] = d.abs() > DIFF
    ind["over"] = d.where(ind["differs"] & (d > 0), 0.0)
    ind["under"] = (-d).where(ind["differs"] & (d < 0), 0.0)
    per = ind.groupby("firm")
    out = out.join(
        pd.DataFrame(
            {
                "indicators_declared": per.size(),
                "indicators_differ": per["differs"].sum(),
                "over_points": per["over"].sum(),
                "under_points": per["under"].sum(),
            }
        )
    )
    for column in ("indicators_declared", "indicators_differ", "over_points", "under_points"):
        out[column] = out[column].fillna(0)
    out["indicator_points"] = out["over_points"] + out["under_points"]
    out = out.reset_index().sort_values(
        ["indicator_points", "indicators_differ", "evaluations", "firm"],
        ascending=[False, False, False, True],
    )
    return out.reset_index(drop=True)


def histogram_bins(totals: Sequence[float], width: int = 2) -> list[tuple[float, float]]:
    """Score bands of *width* points from the one holding the lowest total up to 100 (the last
    band includes 100): ``(low, high)`` pairs."""
    values = [v for v in totals if v is not None and not math.isnan(v)]
    low = min(max(0, math.floor(min(values) / width) * width), 100 - width) if values else 100 - width
    return [(float(lo), float(min(lo + width, 100))) for lo in range(int(low), 100, width)]


def in_bin(value: float, band: tuple[float, float]) -> bool:
    """Whether *value* falls in *band* (its upper end excluded, except 100 in the last band)."""
    low, high = band
    return low <= value < high or (high == 100 and value == 100)


def total_statistics(t: Tables, kinds: Sequence[str]) -> pd.DataFrame:
    """Per kind in *kinds* order (those present), then all together: count, mean, median,
    standard deviation (sample; NaN for one), min, quartiles and max of the reviewed totals."""
    ev = t.scored()
    rows = []
    for kind in [k for k in kinds if (ev["kind"] == k).any()] + ["all"]:
        totals = ev["total"] if kind == "all" else ev.loc[ev["kind"] == kind, "total"]
        rows.append(
            {
                "kind": kind,
                "count": len(totals),
                "mean": totals.mean(),
                "median": totals.median(),
                "std": totals.std(),
                "min": totals.min(),
                "q1": totals.quantile(0.25),
                "q3": totals.quantile(0.75),
                "max": totals.max(),
            }
        )
    return pd.DataFrame(rows)
