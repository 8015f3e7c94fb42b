"""Read a 汇总.xlsx that ``perfxl batch`` wrote back into tidy tables (:class:`perfxl.tidy.Tables`).

总览 gives each workbook's unit, project, kind, 评价机构, declared and reviewed totals and
grades, counts and status; 汇总 (details) its year, 一级指标 scores and the reason a
workbook failed; 指标得分 and 审核意见明细 (split over several sheets for large batches) its
indicator lines and findings.  Columns are found by their header, so a reader who added
columns, or sorted or filtered the rows, does not break it.  Sheets are read one at a time
and released, so a 汇总 of ten thousand workbooks fits the reader's caps.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pandas as pd

from .book import Book, open_book
from .errors import SEVERITY_LABELS, PerfxlError
from .summary_sheets import FINDING_DATA, FINDING_HEADER, INDICATOR_DATA, INDICATOR_HEADER, ROLE_LABELS
from .summary_write import DETAILS, KIND_NAMES, OVERVIEW, SCORED, UNSCORED, WITH_ERRORS
from .tidy import EVALUATION_COLUMNS, FAILED, FINDING_COLUMNS, GROUP_COLUMNS, Tables, frame, indicator_frame
from .tidy import SCORED as SCORED_CODE
from .tidy import WITH_ERRORS as WITH_ERRORS_CODE

_KINDS = {label: code for code, label in KIND_NAMES.items()}
_STATUS = {SCORED: SCORED_CODE, WITH_ERRORS: WITH_ERRORS_CODE, UNSCORED: FAILED}
_ROLES = {label: role for role, label in ROLE_LABELS.items()}
_SEVERITIES = {label: code for code, label in SEVERITY_LABELS.items()}
_OVERVIEW_NEEDS = (
    "文件",
    "单位",
    "项目",
    "评价类型",
    "评价机构",
    "申报总分",
    "申报等级",
    "复核总分",
    "复核等级",
    "错误",
    "警告",
    "状态",
)
_DETAIL_NEEDS = ("文件", "年度", "等级", "扣分指标数", "提示", "原因")


def read_summary(path: str | os.PathLike[str]) -> Tables:
    """The tables of a 汇总.xlsx; :class:`PerfxlError` (Chinese) for a file that is not one,
    or one written before it carried 指标得分 and 审核意见明细."""
    shown = str(path)
    book = open_book(path)
    needed = (OVERVIEW, DETAILS, INDICATOR_DATA, FINDING_DATA)
    missing = [name for name in needed if name not in book.sheet_names]
    if missing:
        hint = (
            "（旧版 perfxl 写出的 汇总.xlsx 没有明细，请用新版 perfxl batch 重新生成，或直接对比两个文件夹）"
        )
        raise PerfxlError(f"不是含明细的 汇总.xlsx：缺少工作表 {'、'.join(missing)}{hint}", file=shown)
    try:
        overview = _columns(book, OVERVIEW, _OVERVIEW_NEEDS)
        details = _columns(book, DETAILS, _DETAIL_NEEDS)
        evaluations = frame(_evaluations(overview, details), EVALUATION_COLUMNS)
        groups = frame(_groups(details), GROUP_COLUMNS)
        lines = pd.concat(
            [_indicator_lines(book, name) for name in _chunks(book, INDICATOR_DATA)], ignore_index=True
        )
        findings = pd.concat(
            [_finding_rows(book, name) for name in _chunks(book, FINDING_DATA)], ignore_index=True
        )
    except PerfxlError as exc:
        raise exc.with_file(shown) from None
    return Tables(evaluations, groups, indicator_frame(lines, evaluations), findings.astype(FINDING_COLUMNS))


def read_summary_compact(path: str | os.PathLike[str]) -> Tables:
    """:func:`read_summary`, compacted (:meth:`Tables.compact`): what a worker process hands back."""
    return read_summary(path).compact()


def _chunks(book: Book, base: str) -> list[str]:
    """指标得分, 指标得分（2）, … in order."""
    more = [n for n in book.sheet_names if n.startswith(f"{base}（") and n[len(base) + 1 : -1].isdigit()]
    return [base, *sorted(more, key=lambda n: int(n[len(base) + 1 : -1]))]


def _columns(book: Book, name: str, needs: tuple[str, ...]) -> dict[str, list[Any]]:
    """The columns of a sheet by their header (first row), down to the first row without a
    文件; the sheet is released afterwards."""
    sheet = book.sheet(name)
    try:
        rows = sheet.rows
        header = [str(v).strip() for v in (rows[0] if rows else [])]
        absent = [h for h in needs if h not in header]
        if absent:
            raise PerfxlError(f"表头缺少 {'、'.join(absent)}，不是 perfxl 写出的 汇总.xlsx", sheet=name)
        file_col = header.index("文件")
        body = rows[1:]
        end = next((i for i, row in enumerate(body) if not str(row[file_col]).strip()), len(body))
        return {h: [row[c] for row in body[:end]] for c, h in enumerate(header) if h}
    finally:
        book.release(name)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _group_names(header: list[str]) -> list[str]:
    """The 一级指标 of 汇总's column pairs between 等级 and 扣分指标数: 〈name〉得分, 〈name〉得分率."""
    start, end = header.index("等级") + 1, header.index("扣分指标数")
    return [h.removesuffix("得分") for h in header[start:end] if h.endswith("得分") and f"{h}率" in header]


def _groups(details: dict[str, list[Any]]) -> Iterator[tuple[Any, ...]]:
    """(file, group, score, rate) of each 一级指标 a row of 汇总 scores."""
    for name in _group_names(list(details)):
        scores, rates = details[f"{name}得分"], details[f"{name}得分率"]
        for file, score, rate in zip(details["文件"], scores, rates, strict=True):
            if _number(score) is not None:
                yield (_text(file), name, _number(score), _number(rate))


def _evaluations(overview: dict[str, list[Any]], details: dict[str, list[Any]]) -> Iterator[tuple[Any, ...]]:
    """A 总览 row (and its 汇总 row) as an evaluations tuple."""
    rows = {_text(file): i for i, file in enumerate(details["文件"])}
    for i, file in enumerate(overview["文件"]):
        row = {h: values[i] for h, values in overview.items()}
        k = rows.get(_text(file))
        detail = {h: values[k] for h, values in details.items()} if k is not None else {}
        yield _evaluation(row, detail)


def _evaluation(row: dict[str, Any], detail: dict[str, Any]) -> tuple[Any, ...]:
    status = _STATUS.get(_text(row["状态"]), FAILED)
    if status == FAILED:
        return (
            _text(row["文件"]),
            "",
            "",
            "",
            "",
            "",
            None,
            "",
            None,
            "",
            None,
            None,
            None,
            None,
            FAILED,
            _text(detail.get("原因")),
        )
    declared_grade = _text(row["申报等级"])
    return (
        _text(row["文件"]),
        _text(row["单位"]),
        _text(row["项目"]),
        _text(detail.get("年度")),
        _KINDS.get(_text(row["评价类型"]), _text(row["评价类型"])),
        _text(row["评价机构"]),
        _number(row["申报总分"]),
        "" if declared_grade == "—" else declared_grade,
        _number(row["复核总分"]),
        _text(row["复核等级"]),
        _int(detail.get("扣分指标数")),
        _int(row["错误"]),
        _int(row["警告"]),
        _int(detail.get("提示")),
        status,
        "",
    )


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _strings(values: list[Any]) -> pd.Series:
    """A text column, each distinct text kept once in memory (a file name repeats on every line)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    texts = pd.Index([_text(v) for v in uniques], dtype=object)
    return pd.Series(texts.take(codes), dtype=object)


def _numbers(values: list[Any]) -> pd.Series:
    """A number column: texts (an empty cell) become NaN."""
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("float64")


def _indicator_lines(book: Book, name: str) -> pd.DataFrame:
    """The lines of a 指标得分 sheet: file and :data:`~perfxl.tidy.INDICATOR_FIELDS`."""
    c = _columns(book, name, INDICATOR_HEADER)
    return pd.DataFrame(
        {
            "file": _strings(c["文件"]),
            "group": _strings(c["一级指标"]),
            "code": _strings(c["编码"]),
            "name": _strings(c["三级指标"]),
            "role": _strings(c["类别"]).map(lambda label: _ROLES.get(label, "base")),
            "weight": _numbers(c["权重"]),
            "declared_score": _numbers(c["申报得分"]),
            "score": _numbers(c["复核得分"]).fillna(0.0),
        }
    )


def _finding_rows(book: Book, name: str) -> pd.DataFrame:
    """The findings of a 审核意见明细 sheet (the columns of :data:`~perfxl.tidy.FINDING_COLUMNS`)."""
    c = _columns(book, name, tuple(h for h in FINDING_HEADER if h != "问题"))
    return pd.DataFrame(
        {
            "file": _strings(c["文件"]),
            "severity": _strings(c["级别"]).map(lambda label: _SEVERITIES.get(label, label)),
            "code": _strings(c["代码"]),
            "indicator": _strings(c["指标"]),
            "sheet": _strings(c["工作表"]),
            "cell": _strings(c["单元格"]),
            "message": pd.Series([_text(v) for v in c["说明"]], dtype=object),
        }
    )
