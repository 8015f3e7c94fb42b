"""Questionnaires (问卷; sheets in docs/workbook.md): satisfaction per item and overall, choice shares, Cronbach's α.

Sheets (matched by name; :mod:`perfxl.survey_read` reads them, :mod:`perfxl.survey_write`
writes the 问卷分析 sheet; this module is the model and the statistics, below both):

- ``问卷汇总*`` — tallies: one row per question, one column per option, cells = counts;
- ``问卷明细*`` — raw responses, one row per respondent (hand-made or 问卷星 exports,
  按选项文本 and 按选项序号);
- ``问卷选项*`` — optional codebook (题号 | 题目 | 选项序号 | 选项 | 分值) that gives
  number-mode exports their option texts and custom scales their scores.

Each tally or raw sheet is one survey, named by the sheet-name suffix
(``问卷汇总-来访人员`` → ``来访人员``; a sheet without suffix is named by its full name).

Satisfaction methods (``计算方法`` cell of the sheet, or ``method=`` which overrides it):

- ``mean`` 均值法 (default): mean score / maximum score of the scale
  (reference 004: 345/355 = 97.183%);
- ``share`` 满意率法（不满意排除）: share of answers that are not dissatisfied — everything
  but 不太满意/不满意/非常不满意 (labels with 不满意 or 差); on a scale whose labels say
  nothing (1分…10分) the options at or above the middle score (reference 000: 337/341 = 98.8%);
- ``weighted`` 加权法: Σ count × weight / (n × 100) with ``选项分值`` weights listed from
  the best option to the worst (default 100,80,60,40,20; weights ≤ 1 are fractions).

Overall satisfaction = mean of the item satisfactions.  Cronbach's α and the item–total
correlations need raw data: sample variances (ddof = 1); respondents with a missing answer
on any satisfaction item are left out of α and r (listwise deletion); ``item_total_r`` is
item vs. total including the item (as reference 004 reports), ``item_rest_r`` the corrected
one (item vs. total of the other items).

Lookup syntax (the text after ``问卷:`` in an 业绩值 cell, see :func:`lookup`):

- ``总体`` (also 整体, 总体满意度, 综合) — overall satisfaction of the first survey;
- ``来访人员`` or ``来访人员:总体`` — overall satisfaction of the survey of that name;
- ``来访人员:服务态度`` — the first item of that survey whose question contains the text;
- ``服务态度`` — the first item of any survey (in sheet order) whose question contains it.

Full-width colons are accepted.  The result is a fraction (0.9764), never rounded.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from .errors import Finding
from .numbers import cell_text, normalize, round_half_up

MEAN, SHARE, WEIGHTED = "mean", "share", "weighted"
METHODS = (MEAN, SHARE, WEIGHTED)
METHOD_LABELS = {MEAN: "均值法", SHARE: "满意率法", WEIGHTED: "加权法"}
METHOD_EXPLAIN = {
    MEAN: "均值法：满意度 = 平均得分 ÷ 满分",
    SHARE: "满意率法（不满意排除）：满意度 = 不太满意、非常不满意以外的人数 ÷ 有效数",
    WEIGHTED: "加权法：满意度 = Σ 人数 × 选项分值 ÷ (有效数 × 100)",
}
DEFAULT_WEIGHTS = (100.0, 80.0, 60.0, 40.0, 20.0)

TALLY, RAW = "tally", "raw"
_JSON_PLACES = 6  # JSON numbers: enough digits to recompute, no float noise


# ---------------------------------------------------------------- scale vocabulary

# 5-point scale: normalized label -> score
_LEVEL_WORDS = {
    5: ("非常满意", "很满意", "十分满意", "特别满意", "完全满意", "非常好", "很好"),
    4: ("比较满意", "满意", "较满意", "还算满意", "比较好", "较好"),
    3: ("基本满意", "一般", "一般满意", "中立", "尚可", "还行"),
    2: ("不太满意", "不满意", "较不满意", "比较不满意", "不大满意", "较差", "不太好"),
    1: ("非常不满意", "很不满意", "极不满意", "十分不满意", "特别不满意", "非常差", "很差"),
}
LEVELS = {w: float(s) for s, words in _LEVEL_WORDS.items() for w in words}
CANONICAL = {5.0: "非常满意", 4.0: "比较满意", 3.0: "基本满意", 2.0: "不太满意", 1.0: "非常不满意"}
_OTHER_RE = re.compile(r"〖(.*?)〗", re.S)
_LABEL_PREFIX_RE = re.compile(
    r"^(?:[A-Za-z]|\d{1,2}|[①-⑩])\s*[.、．:：)）](?!\d)\s*|^[(（][A-Za-z\d][)）]\s*"
)
_LABEL_SUFFIX_RE = re.compile(r"\s*[(（]\s*(?:\d+(?:\.\d+)?\s*分|人|人数|人次|票|份)\s*[)）]\s*$")


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """:func:`normalize` with a cache: answers repeat the same few option texts thousands of times."""
    return normalize(text)


@lru_cache(maxsize=8192)
def _clean(text: str) -> str:
    t = _OTHER_RE.sub("", text).strip()
    t = _LABEL_PREFIX_RE.sub("", t, count=1)
    t = _LABEL_SUFFIX_RE.sub("", t)
    return t.strip()


def clean_label(text: object) -> str:
    """'A.非常满意（5分）' / '非常满意（人）' → '非常满意'; other-text in 〖…〗 removed."""
    return _clean(cell_text(text))


@lru_cache(maxsize=8192)
def label_score(label: str) -> float | None:
    """Score of a 5-point label ('比较满意' → 4.0); None when it is not one."""
    return LEVELS.get(norm(clean_label(label)))


def satisfied_flags(labels: Sequence[str], scores: Sequence[float]) -> tuple[bool, ...]:
    """Which options count as satisfied for 满意率法 (everything but the dissatisfied ones).

    By label when the labels speak of satisfaction (不太满意, 不满意, 非常不满意, …差 are
    dissatisfied); otherwise by score: at least the middle of the listed scores.
    """
    if any(label_score(lab) is not None or "满意" in lab for lab in labels):
        return tuple(not ("不满意" in lab or "差" in lab or (label_score(lab) or 5) <= 2) for lab in labels)
    mid = (min(scores) + max(scores)) / 2 if scores else 0
    return tuple(s >= mid for s in scores)


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Dropped:
    """Submissions left out by validity screening, with the reason in Chinese."""

    reason: str
    count: int


@dataclass(frozen=True)
class Item:
    """One satisfaction question: option labels (display order), their scores and counts."""

    question: str
    labels: tuple[str, ...]
    scores: tuple[float, ...]
    counts: tuple[int, ...]
    mean: float | None = None
    satisfaction: float | None = None
    item_total_r: float | None = None
    item_rest_r: float | None = None
    declared: float | None = None  # 满意度 the evaluator wrote next to a tally row
    cell: str = ""  # A1 of the question text, for findings

    @property
    def n(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Choice:
    """A single- or multi-choice question: counts per option and the respondents who answered."""

    question: str
    multi: bool
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    respondents: int
    others: tuple[str, ...] = ()  # texts written in 〖…〗 after an "other" option
    cell: str = ""

    @property
    def selections(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> dict[str, float]:
        """Single: count / respondents who answered; multi: count / all selections (sums to 1)."""
        total = self.selections if self.multi else self.respondents
        return {lab: (c / total if total else 0.0) for lab, c in zip(self.labels, self.counts, strict=True)}

    @property
    def shares_of_respondents(self) -> dict[str, float]:
        """Count / respondents who answered (for multi-choice this may sum to more than 1)."""
        r = self.respondents
        return {lab: (c / r if r else 0.0) for lab, c in zip(self.labels, self.counts, strict=True)}


@dataclass
class SurveyResult:
    """One survey (one sheet): screening counts, items, choices, overall satisfaction, α."""

    name: str
    sheet: str
    source: str  # "tally" or "raw"
    method: str
    respondents: int
    valid: int
    dropped: tuple[Dropped, ...] = ()
    items: tuple[Item, ...] = ()
    choices: tuple[Choice, ...] = ()
    overall: float | None = None
    cronbach_alpha: float | None = None
    alpha_n: int = 0  # respondents with every satisfaction item answered (used for α and r)
    weights: tuple[float, ...] | None = None  # 选项分值 for the weighted method, best first
    findings: list[Finding] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return bool(self.items or self.choices)

    def to_json(self) -> dict[str, Any]:
        """The ``survey --json`` shape (docs/api.md) plus name, sheet, source and a few extras."""
        return {
            "name": self.name,
            "sheet": self.sheet,
            "source": self.source,
            "respondents": self.respondents,
            "valid": self.valid,
            "dropped": [{"reason": d.reason, "count": d.count} for d in self.dropped],
            "method": self.method,
            "overall": _j(self.overall),
            "cronbach_alpha": _j(self.cronbach_alpha),
            "items": [
                {
                    "question": it.question,
                    "n": it.n,
                    "mean": _j(it.mean),
                    "satisfaction": _j(it.satisfaction),
                    "item_total_r": _j(it.item_total_r),
                    "item_rest_r": _j(it.item_rest_r),
                    "counts": dict(zip(it.labels, it.counts, strict=True)),
                    "scores": dict(zip(it.labels, (_j(s) for s in it.scores), strict=True)),
                }
                for it in self.items
            ],
            "choices": [
                {
                    "question": ch.question,
                    "multi": ch.multi,
                    "n": ch.respondents,
                    "counts": dict(zip(ch.labels, ch.counts, strict=True)),
                    "shares": {k: _j(v) for k, v in ch.shares.items()},
                    "shares_of_respondents": {k: _j(v) for k, v in ch.shares_of_respondents.items()},
                    "others": list(ch.others),
                }
                for ch in self.choices
            ],
            "findings": [f.to_json() for f in self.findings],
        }


def _j(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(round_half_up(value, _JSON_PLACES))


# ---------------------------------------------------------------- statistics


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def sample_variance(xs: Sequence[float]) -> float:
    """Sample variance (ddof = 1), as SPSS and Excel's VAR use for Cronbach's α."""
    m = _mean(xs)
    return math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson r; None when either side is constant or there are fewer than 2 pairs."""
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """α = k/(k−1)·(1 − Σ item variances / variance of the total), rows = complete respondents."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    columns = [_Centered(c) for c in zip(*rows, strict=True)]
    return _alpha(columns, _Centered([math.fsum(r) for r in rows]))


class _Centered:
    """A sample with its deviations from the mean and their sum of squares, computed once.

    :func:`finish` correlates every item with the same total: centering the total once per
    survey instead of once per item gives the very same floats (same operations, same order)
    as :func:`pearson` and :func:`sample_variance`.
    """

    __slots__ = ("dev", "ss")

    def __init__(self, xs: Sequence[float]) -> None:
        m = _mean(xs)
        self.dev = [x - m for x in xs]
        self.ss = math.fsum([d**2 for d in self.dev])

    def variance(self) -> float:
        return self.ss / (len(self.dev) - 1)

    def r(self, other: _Centered) -> float | None:
        """:func:`pearson` of the two samples."""
        if len(self.dev) < 2:
            return None
        sxy = math.fsum(list(map(operator.mul, self.dev, other.dev)))
        if self.ss <= 0 or other.ss <= 0:
            return None
        return sxy / math.sqrt(self.ss * other.ss)


def _alpha(columns: Sequence[_Centered], total: _Centered) -> float | None:
    """:func:`cronbach_alpha` from centered item columns and the centered total."""
    k = len(columns)
    var_total = total.variance()
    if var_total <= 0:
        return None
    return k / (k - 1) * (1 - math.fsum([c.variance() for c in columns]) / var_total)


def item_satisfaction(
    labels: Sequence[str],
    scores: Sequence[float],
    counts: Sequence[int],
    method: str,
    weights: Sequence[float] | None = None,
) -> tuple[float | None, float | None]:
    """(mean score, satisfaction) of one item under *method*; (None, None) with no answers."""
    # exact fractions, rounded to float once: 49/50 is 0.98, not 0.9800000000000001
    n = sum(counts)
    if n <= 0 or not scores:
        return None, None
    mean = sum((Fraction(c) * Fraction(s) for c, s in zip(counts, scores, strict=True)), Fraction(0)) / n
    top = Fraction(max(scores))
    if method == SHARE:
        flags = satisfied_flags(labels, scores)
        return float(mean), float(Fraction(sum(c for c, ok in zip(counts, flags, strict=True) if ok), n))
    if method == WEIGHTED:
        w = option_weights(scores, weights)
        if w is not None:
            scale = 100 if max(w) > 1 else 1
            total = sum((Fraction(c) * Fraction(x) for c, x in zip(counts, w, strict=True)), Fraction(0))
            return float(mean), float(total / n / scale)
    if top <= 0:
        return float(mean), None
    return float(mean), float(mean / top)


def option_weights(scores: Sequence[float], weights: Sequence[float] | None) -> list[float] | None:
    """Weight of each option: the i-th weight goes to the i-th best distinct score.

    Without weights, an option weighs score / max × 100 (so 加权法 with the default weights
    equals 均值法 on the 5-point scale).  None when the number of weights does not match.
    """
    levels = sorted(set(scores), reverse=True)
    if weights is None:
        top = max(scores)
        if top <= 0:
            return None
        return [float(Fraction(s) / Fraction(top) * 100) for s in scores]
    if len(weights) != len(levels):
        return None
    return [float(weights[levels.index(s)]) for s in scores]


def finish(
    result: SurveyResult,
    items: Iterable[Item],
    vectors: Sequence[Sequence[float | None]] | None = None,
) -> SurveyResult:
    """Compute per-item mean/satisfaction, overall, α and item–total r; fill *result* in place.

    *vectors* (raw data only) holds one score list per item, one entry per valid respondent
    (None = missing), in the order of *items*.
    """
    from dataclasses import replace

    done: list[Item] = []
    for it in items:
        mean, sat = item_satisfaction(it.labels, it.scores, it.counts, result.method, result.weights)
        done.append(replace(it, mean=mean, satisfaction=sat))
    if result.method == WEIGHTED and result.weights is not None:
        bad = [it for it in done if option_weights(it.scores, result.weights) is None]
        if bad:
            result.findings.append(
                Finding(
                    "warning",
                    "survey.bad_weights",
                    result.sheet,
                    bad[0].cell,
                    f"选项分值共 {len(result.weights)} 个，与题目的选项档数不符，"
                    f"{len(bad)} 道题改按均值法计算",
                )
            )
    if vectors is not None and len(done) >= 2:
        complete = [
            list(map(float, row))  # type: ignore[arg-type]
            for row in zip(*vectors, strict=True)
            if None not in row
        ]
        result.alpha_n = len(complete)
        if complete:
            totals = [math.fsum(r) for r in complete]
            total = _Centered(totals)
            columns = [list(c) for c in zip(*complete, strict=True)]
            centered = [_Centered(col) for col in columns]
            # same value as cronbach_alpha(complete), without centering everything twice
            result.cronbach_alpha = _alpha(centered, total) if len(complete) >= 2 else None
            for i, it in enumerate(done):
                col = columns[i]
                rest = _Centered([t - x for t, x in zip(totals, col, strict=True)])
                done[i] = replace(it, item_total_r=centered[i].r(total), item_rest_r=centered[i].r(rest))
        else:
            result.cronbach_alpha = None
        if result.cronbach_alpha is None:
            result.findings.append(
                Finding(
                    "info",
                    "survey.no_alpha",
                    result.sheet,
                    "",
                    f"信度系数无法计算：完整作答全部满意度题的问卷 {len(complete)} 份，或各问卷总分完全相同",
                )
            )
    result.items = tuple(done)
    sats = [Fraction(it.satisfaction) for it in done if it.satisfaction is not None]
    result.overall = float(sum(sats, Fraction(0)) / len(sats)) if sats else None
    return result


def survey_json(results: Sequence[SurveyResult]) -> dict[str, Any]:
    """The ``survey --json`` document: the result itself when there is exactly one survey,
    otherwise ``{"surveys": [...]}`` (no top-level copy of any one survey, to avoid ambiguity)."""
    if len(results) == 1:
        return results[0].to_json()
    return {"surveys": [r.to_json() for r in results]}


def parse_method(text: object) -> str | None:
    """'均值法' / '满意率法(不满意排除)' / '加权法' / 'mean' … → method id; None if unknown."""
    t = normalize(str(text or "")).lower()
    if not t:
        return None
    if t in METHODS:
        return t
    if "加权" in t or "权重" in t or "weight" in t:
        return WEIGHTED
    if "满意率" in t or "不满意排除" in t or "比例" in t or "占比" in t or "share" in t:
        return SHARE
    if "均值" in t or "平均" in t or "均分" in t or "得分率" in t or "mean" in t:
        return MEAN
    return None


_OVERALL_WORDS = ("总体", "整体", "总体满意度", "整体满意度", "综合", "综合满意度", "总满意度", "overall")


def lookup(results: Sequence[SurveyResult], ref: str) -> Decimal | None:
    """The satisfaction a ``问卷:REF`` 业绩值 cell points at, as a fraction; None if not found.

    See the module docstring for the syntax (``总体``, ``来访人员:总体``, ``来访人员:服务态度``).
    """
    text = normalize(ref or "")
    if text.startswith("问卷:"):
        text = text[3:]
    if not text or not results:
        return None
    survey_part, sep, item_part = text.partition(":")
    if sep:
        survey = _find_survey(results, survey_part)
        if survey is None:
            return None
        return _pick(survey, item_part)
    if text.lower() in _OVERALL_WORDS:
        return _dec(results[0].overall)
    survey = _find_survey(results, text, exact_only=True)
    if survey is not None:
        return _dec(survey.overall)
    for r in results:
        hit = _pick_item(r, text)
        if hit is not None:
            return hit
    return None


def _find_survey(results: Sequence[SurveyResult], name: str, exact_only: bool = False) -> SurveyResult | None:
    key = normalize(name)
    for r in results:
        if normalize(r.name) == key or normalize(r.sheet) == key:
            return r
    if exact_only:
        return None
    for r in results:
        if key and key in normalize(r.name):
            return r
    return None


def _pick(survey: SurveyResult, item_part: str) -> Decimal | None:
    if not item_part or item_part.lower() in _OVERALL_WORDS:
        return _dec(survey.overall)
    return _pick_item(survey, item_part)


def _pick_item(survey: SurveyResult, text: str) -> Decimal | None:
    key = normalize(text)
    for it in survey.items:
        if key and key in normalize(it.question):
            return _dec(it.satisfaction)
    return None


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))
