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
from pathlib import Path
from typing import Any

from .book import Book, open_book
from .errors import SEVERITY_LABELS, PerfxlError
from .summary_sheets import FINDING_DATA, FINDING_HEADER, INDICATOR_DATA, INDICATOR_HEADER, ROLE_LABELS
from .summary_write import DETAILS, KIND_NAMES, OVERVIEW, SCORED, UNSCORED, WITH_ERRORS
from .tidy import (
    EVALUATION_COLUMNS,
    FAILED,
    FINDING_COLUMNS,
    GROUP_COLUMNS,
    Tables,
    frame,
    indicator_frame,
)
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
        overview = list(_records(book, OVERVIEW, _OVERVIEW_NEEDS))
        details, groups = _details(book)
        evaluations = frame(
            (_evaluation(row, details.get(row["文件"], {})) for row in overview), EVALUATION_COLUMNS
        )
        lines = [line for name in _chunks(book, INDICATOR_DATA) for line in _indicator_lines(book, name)]
        findings = [row for name in _chunks(book, FINDING_DATA) for row in _finding_rows(book, name)]
    except PerfxlError as exc:
        raise exc.with_file(shown) from None
    return Tables(
        evaluations,
        frame(groups, GROUP_COLUMNS),
        indicator_frame(lines, evaluations),
        frame(findings, FINDING_COLUMNS),
    )


def _chunks(book: Book, base: str) -> list[str]:
    """指标得分, 指标得分（2）, … in order."""
    more = [n for n in book.sheet_names if n.startswith(f"{base}（") and n[len(base) + 1 : -1].isdigit()]
    return [base, *sorted(more, key=lambda n: int(n[len(base) + 1 : -1]))]


def _records(book: Book, name: str, needs: tuple[str, ...], header_row: int = 0) -> Iterator[dict[str, Any]]:
    """The rows of a sheet under its header row as {header: value}, until the first row
    without a 文件; the sheet is released afterwards."""
    sheet = book.sheet(name)
    try:
        header = [str(v).strip() for v in (sheet.rows[header_row] if len(sheet.rows) > header_row else [])]
        absent = [h for h in needs if h not in header]
        if absent:
            raise PerfxlError(f"表头缺少 {'、'.join(absent)}，不是 perfxl 写出的 汇总.xlsx", sheet=name)
        index = {h: i for i, h in enumerate(header) if h}
        file_col = index["文件"]
        for row in sheet.rows[header_row + 1 :]:
            if file_col >= len(row) or not str(row[file_col]).strip():
                break
            yield {h: (row[i] if i < len(row) else "") for h, i in index.items()}
    finally:
        book.release(name)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _details(book: Book) -> tuple[dict[str, dict[str, Any]], list[tuple[Any, ...]]]:
    """汇总's rows by file, and the (file, group, score, rate) of each 一级指标 column pair
    (the columns between 等级 and 扣分指标数: 〈name〉得分, 〈name〉得分率)."""
    rows = list(_records(book, DETAILS, _DETAIL_NEEDS))
    header = list(rows[0]) if rows else []
    names = []
    if header:
        start, end = header.index("等级") + 1, header.index("扣分指标数")
        for h in header[start:end]:
            if h.endswith("得分") and f"{h}率" in header:
                names.append(h.removesuffix("得分"))
    groups = []
    for row in rows:
        for name in names:
            score = _number(row[f"{name}得分"])
            if score is not None:
                groups.append((_text(row["文件"]), name, score, _number(row[f"{name}得分率"])))
    return {_text(row["文件"]): row for row in rows}, groups


def _evaluation(row: dict[str, Any], detail: dict[str, Any]) -> tuple[Any, ...]:
    """A 总览 row (and its 汇总 row) as an evaluations tuple."""
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


def _indicator_lines(book: Book, name: str) -> Iterator[tuple[Any, ...]]:
    """(file, group, code, name, role, weight, declared, score) of each row of a 指标得分 sheet."""
    for row in _records(book, name, INDICATOR_HEADER):
        yield (
            _text(row["文件"]),
            _text(row["一级指标"]),
            _text(row["编码"]),
            _text(row["三级指标"]),
            _ROLES.get(_text(row["类别"]), "base"),
            _number(row["权重"]),
            _number(row["申报得分"]),
            _number(row["复核得分"]) or 0.0,
        )


def _finding_rows(book: Book, name: str) -> Iterator[tuple[Any, ...]]:
    """(file, severity, code, indicator, sheet, cell, message) of each row of a 审核意见明细 sheet."""
    needs = tuple(h for h in FINDING_HEADER if h != "问题")
    for row in _records(book, name, needs):
        yield (
            _text(row["文件"]),
            _SEVERITIES.get(_text(row["级别"]), _text(row["级别"])),
            _text(row["代码"]),
            _text(row["指标"]),
            _text(row["工作表"]),
            _text(row["单元格"]),
            _text(row["说明"]),
        )


def is_summary(path: Path) -> bool:
    """Whether *path* names a 汇总.xlsx by its sheets (read from the zip directory only)."""
    try:
        return OVERVIEW in open_book(path).sheet_names
    except PerfxlError:
        return False
