"""Two seasons of evaluations side by side (pandas): which evaluations match, how their
totals, grades, 一级指标 and indicators moved, and which findings are new or resolved.

Matching (docs/compare.md): an evaluation is known by its 评价类型 and the unit and project
names after :func:`perfxl.tidy.name_key` (years such as 2023年度, spaces, punctuation and
a trailing 支出绩效评价 do not count; without either name, the file name).  A name found
once on each side is a pair, whatever the years say.  A name found more than once on a
side is paired by year: each newer evaluation with the latest older one not yet taken;
evaluations of the same name and year on one side cannot be told apart and are listed as
unmatched, as is everything without a partner.

Within a pair, 一级指标 and indicators match by name (:func:`perfxl.tidy.indicator_key`);
an indicator name used twice in one evaluation matches in order.  A finding is the same
finding in both seasons when its code and its subject agree — the indicator on whose row it
stands, else the first name it quotes (“…”) — so that changed numbers in its message do
not make it new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import pandas as pd

from .tidy import FAILED, Tables, indicator_key, name_key

DIFF = 0.005  # two scores differ when they differ by more than this
KIND_ORDER = ("project", "department", "self-project", "self-department")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
OLD, NEW = "上期", "本期"
ONLY_OLD, ONLY_NEW = f"仅{OLD}", f"仅{NEW}"
ADDED, RESOLVED = "新增", "已解决"
# how an indicator moved
NEWLY_LOST, NO_LONGER_LOST, LOST_MORE, LOST_LESS = "新失分", "不再失分", "失分增加", "失分减少"
SCORE_CHANGED, ONLY_IN_NEW, ONLY_IN_OLD = "得分变化", "本期新增", "本期取消"
INDICATOR_COLUMNS = [
    "pair",
    "group",
    "code",
    "name",
    "role",
    "old_weight",
    "new_weight",
    "old_score",
    "new_score",
    "change",
    "old_lost",
    "new_lost",
    "status",
]


@dataclass
class Comparison:
    """The outcome of :func:`compare_tables`; every frame's ``pair`` is a row number of ``pairs``."""

    pairs: pd.DataFrame  # one row per matched pair, sorted by kind, then biggest fall first
    groups: pd.DataFrame  # pair × 一级指标
    indicators: pd.DataFrame  # pair × indicator (every line of either season; status "" = no change)
    findings: pd.DataFrame  # new and resolved findings
    unmatched: pd.DataFrame  # evaluations without a partner, and those that could not be scored
    old_source: str = ""
    new_source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (what ``perfxl compare --json`` prints): sources, pairs with their
        changes, unmatched evaluations."""
        return {
            "old": self.old_source,
            "new": self.new_source,
            "pairs": _records(self.pairs),
            "unmatched": _records(self.unmatched),
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in df.to_dict("records")]


def match_key(kind: str, unit: str, title: str, file: str) -> str:
    """What identifies an evaluation across seasons (see the module's docstring)."""
    unit_key, title_key = name_key(unit), name_key(title)
    if unit_key or title_key:
        return f"{kind}|{unit_key}|{title_key}"
    return f"{kind}||{name_key(PurePosixPath(file).stem)}"


def _year(text: Any) -> int | None:
    m = re.search(r"(?:19|20)\d{2}", str(text or ""))
    return int(m.group(0)) if m else None


def pair_evaluations(
    old: pd.DataFrame, new: pd.DataFrame
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(old file, new file) pairs, and (side, file, reason) of the scored evaluations left over."""
    sides: dict[str, dict[str, list[tuple[int | None, str]]]] = {}
    for label, ev in ((OLD, old), (NEW, new)):
        keys = [match_key(*row) for row in ev[["kind", "unit", "title", "file"]].itertuples(index=False)]
        entries: dict[str, list[tuple[int | None, str]]] = {}
        for key, year, file in zip(keys, ev["year"], ev["file"], strict=True):
            entries.setdefault(key, []).append((_year(year), file))
        sides[label] = entries
    pairs: list[tuple[str, str]] = []
    left: list[tuple[str, str, str]] = []
    for key in list(sides[NEW]) + [k for k in sides[OLD] if k not in sides[NEW]]:
        olds, news = sides[OLD].get(key, []), sides[NEW].get(key, [])
        if not olds or not news:
            side, alone = (NEW, news) if news else (OLD, olds)
            other = OLD if side == NEW else NEW
            left += [(side, file, f"{other}没有同名评价") for _year_, file in alone]
        elif len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0][1], news[0][1]))
        else:
            found, rest = _pair_by_year(olds, news)
            pairs += found
            left += rest
    return pairs, left


def _pair_by_year(
    olds: list[tuple[int | None, str]], news: list[tuple[int | None, str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Evaluations of one name, several on a side: each newer one (latest first) with the latest
    older one not yet taken; same-year (or yearless) namesakes on a side stay unmatched."""
    left: list[tuple[str, str, str]] = []
    usable = {}
    for side, entries in ((OLD, olds), (NEW, news)):
        years = [y for y, _f in entries]
        keep = []
        for year, file in entries:
            if year is None or years.count(year) > 1:
                shown = f"{year}年度" if year is not None else "未填年度"
                left.append(
                    (side, file, f"同名评价在{side}有 {years.count(year)} 份（{shown}），无法一一对应")
                )
            else:
                keep.append((year, file))
        usable[side] = sorted(keep, reverse=True)
    pairs = []
    available = list(usable[OLD])
    for year, file in usable[NEW]:
        earlier = [entry for entry in available if entry[0] < year]
        if earlier:
            partner = max(earlier)
            available.remove(partner)
            pairs.append((partner[1], file))
        else:
            left.append((NEW, file, f"{OLD}没有年度更早的同名评价"))
    left += [(OLD, file, f"{NEW}没有年度更晚的同名评价") for _year_, file in available]
    return pairs, left


def compare_tables(old: Tables, new: Tables, old_source: str = "", new_source: str = "") -> Comparison:
    """Match the evaluations of two seasons and compute what changed."""
    ev_old, ev_new = old.scored(), new.scored()
    pairs_list, left = pair_evaluations(ev_old, ev_new)
    pairs = _pairs(pairs_list, ev_old, ev_new)
    groups = _groups(pairs, old, new)
    indicators = _indicators(pairs, old, new)
    findings = _findings(pairs, old, new)
    if len(pairs):
        newly = indicators[indicators["status"] == NEWLY_LOST].groupby("pair").size()
        added = findings[findings["change"] == ADDED].groupby("pair").size()
        resolved = findings[findings["change"] == RESOLVED].groupby("pair").size()
        pairs["newly_lost"] = pairs["pair"].map(newly).fillna(0).astype(int)
        pairs["new_findings"] = pairs["pair"].map(added).fillna(0).astype(int)
        pairs["resolved_findings"] = pairs["pair"].map(resolved).fillna(0).astype(int)
    else:
        for column in ("newly_lost", "new_findings", "resolved_findings"):
            pairs[column] = pd.Series(dtype=int)
    unmatched = _unmatched(left, old, new)
    return Comparison(pairs, groups, indicators, findings, unmatched, old_source, new_source)


def _pairs(found: list[tuple[str, str]], ev_old: pd.DataFrame, ev_new: pd.DataFrame) -> pd.DataFrame:
    """One row per pair (numbered from 1 in the order shown: kind, biggest fall first, names)."""
    columns = ["file", "year", "total", "grade", "declared_total", "declared_grade"]
    link = pd.DataFrame(found, columns=["old_file", "new_file"])
    df = link.merge(ev_old[columns].add_prefix("old_"), on="old_file", how="left")
    df = df.merge(
        ev_new[[*columns, "kind", "unit", "title", "firm"]].rename(columns={c: f"new_{c}" for c in columns}),
        on="new_file",
        how="left",
    )
    df["change"] = (df["new_total"] - df["old_total"]).round(2)
    same = df["old_grade"] == df["new_grade"]
    df["grade_change"] = (df["old_grade"] + "→" + df["new_grade"]).where(~same, "")
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    df["kind_rank"] = df["kind"].map(rank).fillna(len(rank))
    df = df.sort_values(["kind_rank", "change", "unit", "title", "new_file"], kind="stable").reset_index(
        drop=True
    )
    df.insert(0, "pair", range(1, len(df) + 1))
    order = ["pair", "kind", "unit", "title", "firm", "old_file", "new_file", "old_year", "new_year"]
    order += ["old_total", "new_total", "change", "old_grade", "new_grade", "grade_change"]
    order += ["old_declared_total", "new_declared_total", "old_declared_grade", "new_declared_grade"]
    return df[order]


def _side(frame: pd.DataFrame, pairs: pd.DataFrame, file_column: str, columns: list[str]) -> pd.DataFrame:
    """*columns* of *frame*'s rows of the paired evaluations of one side, with their pair number."""
    link = pairs[["pair", file_column]].rename(columns={file_column: "file"})
    return frame[["file", *columns]].merge(link, on="file", how="inner")


def _groups(pairs: pd.DataFrame, old: Tables, new: Tables) -> pd.DataFrame:
    """pair × 一级指标: scores and 得分率 of both seasons and their changes."""
    sides = []
    for table, column in ((old.groups, "old_file"), (new.groups, "new_file")):
        g = _side(table, pairs, column, ["group", "score", "rate"])
        g["key"] = g["group"].map(indicator_key)
        g["position"] = g.groupby("pair").cumcount()
        sides.append(g[["pair", "key", "group", "score", "rate", "position"]])
    df = sides[0].merge(sides[1], on=["pair", "key"], how="outer", suffixes=("_old", "_new"))
    df["group"] = df["group_new"].fillna(df["group_old"])
    df["change"] = (df["score_new"] - df["score_old"]).round(2)
    df["rate_change"] = (df["rate_new"] - df["rate_old"]).round(4)
    df["order"] = df["position_new"].fillna(1000 + df["position_old"])
    df = df.sort_values(["pair", "order"]).reset_index(drop=True)
    df = df.rename(
        columns={
            "score_old": "old_score",
            "score_new": "new_score",
            "rate_old": "old_rate",
            "rate_new": "new_rate",
        }
    )
    return df[["pair", "group", "old_score", "new_score", "change", "old_rate", "new_rate", "rate_change"]]


def _keys(names: pd.Series) -> pd.Series:
    """:func:`indicator_key` of each name, computed once per distinct name."""
    codes, uniques = pd.factorize(names.astype(object))
    return pd.Series(
        pd.Index([indicator_key(u) for u in uniques], dtype=object).take(codes), index=names.index
    )


def _indicators(pairs: pd.DataFrame, old: Tables, new: Tables) -> pd.DataFrame:
    """pair × indicator: weights, scores, points lost in both seasons, the change and how the
    indicator moved (``status``), biggest fall first within each pair."""
    fields = ["group", "code", "name", "role", "weight", "score", "lost"]
    sides = []
    for table, column in ((old.indicators, "old_file"), (new.indicators, "new_file")):
        d = _side(table, pairs, column, fields).drop(columns="file")
        d["key"] = _keys(d["name"])
        d["occurrence"] = d.groupby(["pair", "key"]).cumcount()
        d["position"] = d.groupby("pair").cumcount()
        sides.append(d)
    df = sides[0].merge(sides[1], on=["pair", "key", "occurrence"], how="outer", suffixes=("_old", "_new"))
    del sides
    for f in ("group", "code", "name", "role"):
        df[f] = df[f"{f}_new"].fillna(df[f"{f}_old"])
    df["change"] = (df["score_new"] - df["score_old"]).round(2)
    df["status"] = _statuses(df)
    df["listed"] = df["score_new"].isna().astype(int) + df["score_old"].isna().astype(int) * 2
    df["order"] = df["position_new"].fillna(1000 + df["position_old"])
    df = df.sort_values(["pair", "listed", "change", "order"], na_position="first").reset_index(drop=True)
    renamed = {}
    for f in ("weight", "score", "lost"):
        renamed[f"{f}_old"] = f"old_{f}"
        renamed[f"{f}_new"] = f"new_{f}"
    return df.rename(columns=renamed)[INDICATOR_COLUMNS]


def _statuses(df: pd.DataFrame) -> pd.Series:
    """How each indicator moved between the seasons (one of the words at the top of this module, or "")."""
    was, now = df["lost_old"] > DIFF, df["lost_new"] > DIFF
    base = (df["role"] == "base") & df["lost_old"].notna() & df["lost_new"].notna()
    ruled = [  # the first that holds decides
        (df["score_old"].isna(), ONLY_IN_NEW),
        (df["score_new"].isna(), ONLY_IN_OLD),
        (base & now & ~was, NEWLY_LOST),
        (base & was & ~now, NO_LONGER_LOST),
        (base & was & (df["lost_new"] > df["lost_old"] + DIFF), LOST_MORE),
        (base & was & (df["lost_new"] < df["lost_old"] - DIFF), LOST_LESS),
        (df["change"].abs() > DIFF, SCORE_CHANGED),
    ]
    status = pd.Series("", index=df.index, dtype=object)
    for condition, word in reversed(ruled):
        status = status.mask(condition.fillna(False).astype(bool), word)
    return status


_QUOTED = re.compile(r"“([^”]+)”")


def _subject(indicator: str, message: str) -> str:
    """What a finding is about: its indicator, else the first name it quotes, else ""."""
    if indicator:
        return indicator_key(indicator)
    m = _QUOTED.search(message or "")
    return indicator_key(m.group(1)) if m else ""


def _findings(pairs: pd.DataFrame, old: Tables, new: Tables) -> pd.DataFrame:
    """Findings of a pair's new season without a match in its old one (新增) and the reverse (已解决)."""
    sides = []
    for table, column in ((old.findings, "old_file"), (new.findings, "new_file")):
        f = _side(table, pairs, column, ["severity", "code", "indicator", "sheet", "cell", "message"])
        f["subject"] = [
            _subject(i, m) for i, m in zip(f["indicator"].fillna(""), f["message"].fillna(""), strict=True)
        ]
        f["occurrence"] = f.groupby(["pair", "code", "subject"]).cumcount()
        sides.append(f)
    keys = ["pair", "code", "subject", "occurrence"]
    both = sides[0][keys].merge(sides[1][keys], on=keys, how="outer", indicator=True)
    gone = both[both["_merge"] == "left_only"][keys].merge(sides[0], on=keys).assign(change=RESOLVED)
    came = both[both["_merge"] == "right_only"][keys].merge(sides[1], on=keys).assign(change=ADDED)
    df = pd.concat([came, gone], ignore_index=True)
    df["change_rank"] = (df["change"] == RESOLVED).astype(int)
    df["severity_rank"] = df["severity"].map(SEVERITY_ORDER).fillna(3)
    df = df.sort_values(["pair", "change_rank", "severity_rank", "code", "occurrence"], kind="stable")
    columns = ["pair", "change", "severity", "code", "indicator", "sheet", "cell", "message"]
    return df.reset_index(drop=True)[columns]


def _unmatched(left: list[tuple[str, str, str]], old: Tables, new: Tables) -> pd.DataFrame:
    """The scored evaluations without a partner, then those of either season that could not be scored."""
    rows = []
    columns = ["kind", "unit", "title", "year", "total", "grade"]
    for side, table in ((OLD, old), (NEW, new)):
        ev = table.evaluations.set_index("file")
        for s, file, reason in left:
            if s == side:
                rows.append(
                    {"side": f"仅{side}", "file": file, **ev.loc[file, columns].to_dict(), "reason": reason}
                )
    for side, table in ((OLD, old), (NEW, new)):
        ev = table.evaluations
        for row in ev[ev["status"] == FAILED].to_dict("records"):
            rows.append(
                {
                    "side": f"{side}无法计分",
                    "file": row["file"],
                    **{c: row[c] for c in columns},
                    "reason": row["reason"],
                }
            )
    df = pd.DataFrame(
        rows, columns=["side", "kind", "unit", "title", "year", "total", "grade", "file", "reason"]
    )
    return df.astype({"total": "float64"})


def indicator_summary(c: Comparison) -> pd.DataFrame:
    """Per indicator name over all pairs having it in both seasons: pairs, falls, rises, mean
    change, newly lost, no longer lost, and lost in the new season; most newly lost first."""
    df = c.indicators[c.indicators["old_score"].notna() & c.indicators["new_score"].notna()].copy()
    df = df[df["role"] == "base"]
    df["key"] = df["name"].map(indicator_key)
    df["fell"] = df["change"] < -DIFF
    df["rose"] = df["change"] > DIFF
    df["newly"] = df["status"] == NEWLY_LOST
    df["fixed"] = df["status"] == NO_LONGER_LOST
    df["lost_now"] = df["new_lost"] > DIFF
    df["seq"] = range(len(df))
    g = df.groupby("key", sort=False)
    out = pd.DataFrame(
        {
            "group": g["group"].first(),
            "name": g["name"].first(),
            "pairs": g.size(),
            "fell": g["fell"].sum(),
            "rose": g["rose"].sum(),
            "mean_change": g["change"].mean(),
            "newly_lost": g["newly"].sum(),
            "no_longer_lost": g["fixed"].sum(),
            "lost_now": g["lost_now"].sum(),
            "first": g["seq"].min(),
        }
    )
    out = out.sort_values(["newly_lost", "mean_change", "first"], ascending=[False, True, True])
    return out.reset_index(drop=True).drop(columns="first")
