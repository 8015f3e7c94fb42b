"""Indicator rows to fill a template with: from a CSV or XLSX file, or from mappings.

``perfxl template KIND --rows 指标.csv`` and :func:`perfxl.fill_template` take the rows of a
firm's own indicator list (or another system's export) whose columns are named like the
template's sheet: 一级指标, 二级指标, 三级指标, 权重 (or 分值), 评分标准, 标杆值 (or 年度指标值)…
Column names are matched with the synonyms the reader accepts (perfxl.read), so an export
that says 分值 or 指标名称 fills the same column as 权重 or 三级指标.

Rows come back as ``{canonical key: value}`` (keys of :data:`perfxl.read.COLUMNS`);
blank rows are dropped.  Every mistake is one Chinese line naming the file, and the row
or column at fault.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import PerfxlError
from .numbers import cell_text
from .read import LABELS, header_key

Row = dict[str, object]

MAX_ROWS = 5000  # more indicators than any evaluation has: a wrong file, said so
_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel's "CSV UTF-8" and the GBK CSV of Chinese Excel/WPS


def load_rows(
    source: str | os.PathLike[str] | Iterable[Mapping[str, object]], allowed: Iterable[str]
) -> list[Row]:
    """Rows from a .csv/.xlsx/.xls/.ods path or from mappings (e.g. ``DataFrame.to_dict("records")``).

    ``allowed`` are the canonical keys the template has; any other named column is an error
    that lists the columns the template takes.
    """
    keys = tuple(allowed)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        header, records = _read_file(path)
        where = str(path)
    else:
        records_in = [dict(r) for r in source]
        header = list(dict.fromkeys(str(k) for r in records_in for k in r))
        records = [[r.get(h) for h in header] for r in records_in]
        where = "rows"
    mapping = _map_header(header, keys, where)
    rows: list[Row] = []
    for values in records:
        row: Row = {}
        for i, key in mapping.items():
            value = values[i] if i < len(values) else None
            if cell_text(value):
                row[key] = value.strip() if isinstance(value, str) else value
        if row:
            rows.append(row)
    if not rows:
        raise PerfxlError("没有指标行：除表头外没有填写内容的行", file=where)
    if len(rows) > MAX_ROWS:
        raise PerfxlError(f"指标行有 {len(rows)} 行，超过上限 {MAX_ROWS} 行，请确认选择的文件", file=where)
    return rows


def _map_header(header: list[str], keys: tuple[str, ...], where: str) -> dict[int, str]:
    """Column index → canonical key; unknown or repeated columns are errors."""
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    names = "、".join(LABELS[k] for k in keys)
    for i, name in enumerate(header):
        text = cell_text(name)
        if not text:
            continue
        key = header_key(text)
        if key is None or key not in keys:
            raise PerfxlError(f"第 {i + 1} 列“{text}”不是模板的列；可用的列：{names}", file=where)
        if key in seen:
            raise PerfxlError(f"“{seen[key]}”和“{text}”是同一列（{LABELS[key]}），请只保留一列", file=where)
        seen[key] = text
        mapping[i] = key
    if "name" not in mapping.values():
        raise PerfxlError(f"缺少“三级指标”（或“指标名称”）列；可用的列：{names}", file=where)
    return mapping


def _read_file(path: Path) -> tuple[list[str], list[list[object]]]:
    """(header, rows) of the first sheet of a workbook or of a CSV file."""
    if not path.exists():
        raise PerfxlError("文件不存在", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from .book import open_book

        book = open_book(path)
        if not book.sheet_names:
            raise PerfxlError("工作簿中没有工作表", file=str(path))
        grid = book.sheet(book.sheet_names[0]).rows
        first = next((i for i, r in enumerate(grid) if any(cell_text(v) for v in r)), None)
        if first is None:
            raise PerfxlError("第一个工作表是空的", file=str(path), sheet=book.sheet_names[0])
        return [cell_text(v) for v in grid[first]], [list(r) for r in grid[first + 1 :]]
    raise PerfxlError("指标行文件应为 .csv 或 .xlsx（也可 .xls、.ods）", file=str(path))


def _read_csv(path: Path) -> tuple[list[str], list[list[object]]]:
    data = path.read_bytes()
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PerfxlError("无法识别文件编码，请另存为“CSV UTF-8”", file=str(path))
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise PerfxlError("文件是空的", file=str(path))
    return [c.strip() for c in rows[0]], [list(r) for r in rows[1:]]
