"""Tidy tables of many evaluations (pandas): evaluations, groups, indicators and findings.

A batch keeps one small record per scored workbook (``perfxl.batch.summarize``).  Its
indicator and finding lines are tuples in the order of :data:`INDICATOR_FIELDS` and
:data:`FINDING_FIELDS`, so that ten thousand workbooks stay small in memory.
:func:`from_summaries` turns the records into DataFrames with fixed columns and dtypes
(docs/api.md); 汇总.xlsx's analysis sheets, ``perfxl batch --csv`` and ``perfxl compare``
all start from them.

pandas is imported only inside the functions that build or write frames: the record
helpers run in every batch worker and cost nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import files
from .errors import PerfxlError

if TYPE_CHECKING:
    import pandas as pd

    from .evaluate import Evaluation

# the fields of a summary's indicator and finding tuples
INDICATOR_FIELDS = ("group", "code", "name", "role", "weight", "declared_score", "score")
FINDING_FIELDS = ("severity", "code", "indicator", "sheet", "cell", "message")

# status of an evaluation: as 汇总.xlsx's 状态 says 计分成功 / 有错误 / 无法计分
SCORED, WITH_ERRORS, FAILED = "scored", "with_errors", "failed"

EVALUATION_COLUMNS: dict[str, str] = {
    "file": "string",
    "unit": "string",
    "title": "string",
    "year": "string",
    "kind": "string",
    "firm": "string",
    "declared_total": "float64",
    "declared_grade": "string",
    "total": "float64",
    "grade": "string",
    "deducted": "Int64",
    "errors": "Int64",
    "warnings": "Int64",
    "infos": "Int64",
    "status": "string",
    "reason": "string",
}
GROUP_COLUMNS: dict[str, str] = {"file": "string", "group": "string", "score": "float64", "rate": "float64"}
INDICATOR_COLUMNS: dict[str, str] = {
    "file": "string",
    "unit": "string",
    "title": "string",
    "year": "string",
    "kind": "string",
    "group": "string",
    "code": "string",
    "name": "string",
    "role": "string",
    "weight": "float64",
    "declared_score": "float64",
    "score": "float64",
    "lost": "float64",
    "rate": "float64",
}
FINDING_COLUMNS: dict[str, str] = {
    "file": "string",
    "severity": "string",
    "code": "string",
    "indicator": "string",
    "sheet": "string",
    "cell": "string",
    "message": "string",
}
TABLES = ("evaluations", "groups", "indicators", "findings")
COLUMNS = dict(
    zip(TABLES, (EVALUATION_COLUMNS, GROUP_COLUMNS, INDICATOR_COLUMNS, FINDING_COLUMNS), strict=True)
)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def indicator_records(ev: Evaluation) -> list[tuple[Any, ...]]:
    """One tuple per indicator row (:data:`INDICATOR_FIELDS`), scores as floats."""
    return [
        (r.row.level1, r.row.code, r.row.name, r.role, _num(r.weight), _num(r.declared), float(r.final))
        for r in ev.indicators
    ]


_ROW_NUMBER = re.compile(r"[A-Z]+(\d+)")


def finding_records(ev: Evaluation) -> list[tuple[Any, ...]]:
    """One tuple per finding (:data:`FINDING_FIELDS`); ``indicator`` names the indicator whose
    row of the indicator sheet the finding's cell is on ("" for the others)."""
    names = {r.row.row + 1: r.row.name for r in ev.indicators}
    out = []
    for f in ev.findings:
        m = _ROW_NUMBER.match(f.cell or "")
        name = names.get(int(m.group(1)), "") if m and f.sheet == ev.table.sheet else ""
        out.append((f.severity, f.code, name, f.sheet, f.cell, f.message))
    return out


_YEAR = re.compile(r"[(（]\s*(?:19|20)\d{2}\s*(?:年度?)?\s*[)）]|(?:19|20)\d{2}\s*年度?")
_PUNCTUATION = re.compile(r"[\W_]+")
_SUFFIX = re.compile(r"(?:部门整体)?(?:支出)?绩效(?:自评|评价)(?:报告|表)?$")


def name_key(text: str | None) -> str:
    """A unit or project name as matching sees it: full-width forms folded, years
    (``2023年``, ``2024年度``, ``（2023）``), spaces and punctuation removed, and a trailing
    ``支出绩效评价`` / ``绩效自评表`` … dropped."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    t = _PUNCTUATION.sub("", _YEAR.sub("", t))
    return _SUFFIX.sub("", t)


def indicator_key(text: str | None) -> str:
    """An indicator (or 一级指标) name as matching sees it: full-width forms folded, spaces
    and punctuation removed."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text or "").lower())


@dataclass
class Tables:
    """The four tidy tables (pandas DataFrames, columns in docs/api.md); ``file`` joins them."""

    evaluations: pd.DataFrame
    groups: pd.DataFrame
    indicators: pd.DataFrame
    findings: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        """{table name: frame} in the order of :data:`TABLES`."""
        return {name: getattr(self, name) for name in TABLES}

    def scored(self) -> pd.DataFrame:
        """The evaluations that were scored (status other than failed)."""
        ev = self.evaluations
        return ev[ev["status"] != FAILED]

    def compact(self) -> Tables:
        """The tables with their text columns as categories: a tenth of the size to send to
        another process (pickled); :meth:`expanded` gives the tables back."""
        return Tables(
            *(
                df.astype({c: "category" for c, d in COLUMNS[n].items() if d == "string"})
                for n, df in self.frames().items()
            )
        )

    def expanded(self) -> Tables:
        """The tables of :meth:`compact` with their columns' documented dtypes again."""
        return Tables(*(df.astype(COLUMNS[n]) for n, df in self.frames().items()))

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write evaluations.csv, groups.csv, indicators.csv, findings.csv (UTF-8 with BOM, so
        that Excel shows the Chinese too) into *folder*, each atomically; returns the paths."""
        return self._write(Path(folder), "csv", lambda df, p: df.to_csv(p, index=False, encoding="utf-8-sig"))

    def to_parquet(self, folder: str | Path) -> list[Path]:
        """Write the four tables as Parquet files (needs pyarrow) into *folder*."""
        return self._write(Path(folder), "parquet", lambda df, p: df.to_parquet(p, index=False))

    def _write(self, folder: Path, suffix: str, write: Any) -> list[Path]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PerfxlError(f"无法创建文件夹（{files.reason(exc)}）", file=str(folder)) from exc
        written = []
        for name, df in self.frames().items():
            target = folder / f"{name}.{suffix}"
            try:
                tmp = files.new_temp(folder, suffix=f".{suffix}.tmp")
            except OSError as exc:
                raise PerfxlError(f"无法写入（{files.reason(exc)}）", file=str(target)) from exc
            try:
                write(df, tmp)
                files.commit(tmp, target)
            except ImportError as exc:
                files.discard(tmp)
                raise PerfxlError("写出 Parquet 需要 pyarrow：pip install pyarrow", file=str(target)) from exc
            except OSError as exc:
                files.discard(tmp)
                raise PerfxlError(f"无法写入（{files.reason(exc)}）", file=str(target)) from exc
            except BaseException:
                files.discard(tmp)
                raise
            written.append(target)
        return written


def frame(rows: Iterable[Sequence[Any]] | Iterable[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    """A DataFrame of *rows* (tuples in column order, or dicts) with exactly *columns* and their dtypes."""
    import pandas as pd

    df = pd.DataFrame.from_records(list(rows), columns=list(columns))
    return df.astype(columns)


def evaluation_status(summary: dict[str, Any]) -> str:
    """:data:`WITH_ERRORS` when the scored workbook has findings of level error, else :data:`SCORED`."""
    return WITH_ERRORS if summary["counts"].get("error") else SCORED


def from_summaries(summaries: Sequence[dict[str, Any]], failed: Sequence[dict[str, str]] = ()) -> Tables:
    """The tables of a batch's records (``BatchReport.summaries``) and failures (``{"file", "error"}``)."""
    evaluations = frame(
        [
            (
                s["file"],
                s.get("unit") or "",
                s.get("title") or "",
                str(s.get("year") or ""),
                s["kind"],
                s.get("firm") or "",
                s.get("declared_total"),
                s.get("declared_grade") or "",
                s["total"],
                s["grade"],
                s["deducted"],
                s["counts"].get("error", 0),
                s["counts"].get("warning", 0),
                s["counts"].get("info", 0),
                evaluation_status(s),
                "",
            )
            for s in summaries
        ]
        + [
            (f["file"], "", "", "", "", "", None, "", None, "", None, None, None, None, FAILED, f["error"])
            for f in failed
        ],
        EVALUATION_COLUMNS,
    )
    groups = frame(
        [(s["file"], g["name"], g["score"], g["rate"]) for s in summaries for g in s["groups"]], GROUP_COLUMNS
    )
    import pandas as pd

    lines = pd.DataFrame.from_records(
        [(s["file"], *rec) for s in summaries for rec in s.get("indicators", ())],
        columns=["file", *INDICATOR_FIELDS],
    )
    findings = frame([(s["file"], *rec) for s in summaries for rec in s.get("findings", ())], FINDING_COLUMNS)
    return Tables(evaluations, groups, indicator_frame(lines, evaluations), findings)


def indicator_frame(lines: pd.DataFrame, evaluations: pd.DataFrame) -> pd.DataFrame:
    """The indicators table of *lines* (columns ``file`` and :data:`INDICATOR_FIELDS`): the
    evaluation's unit, title, year and kind beside each line, ``lost`` (weight − score, base
    indicators) and ``rate`` (score ÷ weight, base indicators with a weight)."""
    import pandas as pd

    df = lines  # the callers' own frame: columns are added in place
    keyed = evaluations.set_index("file")
    for column in ("unit", "title", "year", "kind"):
        df[column] = df["file"].map(keyed[column])
    base = df["role"] == "base"
    weight = pd.to_numeric(df["weight"], errors="coerce")
    score = pd.to_numeric(df["score"], errors="coerce")
    df["lost"] = (weight - score).clip(lower=0).round(2).where(base & weight.notna())
    df["rate"] = (score / weight).where(base & (weight > 0))
    return df[list(INDICATOR_COLUMNS)].astype(INDICATOR_COLUMNS)
