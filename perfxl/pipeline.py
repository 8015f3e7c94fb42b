"""One workbook from file to audited result: open → evaluate → audit.

The only place the layers are composed; :mod:`perfxl.api`, :mod:`perfxl.batch` and the
workers call it.  See docs/architecture.md for the layers and the way data flows.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Union

from .audit import audit
from .book import Book, open_book
from .errors import PerfxlError
from .evaluate import Evaluation, Options, dedupe_findings, evaluate_book

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]

_SPOOL_DIR: str | None = None


@dataclass(frozen=True)
class Failure:
    """A workbook that could not be scored: its name and one Chinese line saying why."""

    file: str
    error: str
    cells: tuple[str, ...] = ()  # one line per blocking cell, when cells were the reason

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "error": self.error}


def _spool_dir() -> str:
    """A private folder (mode 0700) for uploads given as bytes; removed at exit."""
    global _SPOOL_DIR
    if _SPOOL_DIR is None or not os.path.isdir(_SPOOL_DIR):
        _SPOOL_DIR = tempfile.mkdtemp(prefix="perfxl-in-")
        atexit.register(_remove_tree, _SPOOL_DIR)
    return _SPOOL_DIR


def _remove_tree(folder: str) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def open_source(source: Source, name: str | None = None) -> tuple[Book, str]:
    """Open a path, bytes or a binary file object; returns the book and the name to show.

    Bytes and file objects are written to a private temporary file that lives as long as
    the returned :class:`Book` (the reader checks zip structure and sizes on a file before
    any XML is parsed, and reads sheets from it on demand).
    """
    if isinstance(source, (str, os.PathLike)):
        return open_book(source), name or str(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, (bytes, bytearray)):
            raise PerfxlError("文件对象应以二进制方式打开（open(path, 'rb')）", file=name)
        data = bytes(data)
        name = name or os.path.basename(str(getattr(source, "name", "") or "")) or None
    else:
        raise PerfxlError(f"无法读取：{type(source).__name__} 既不是路径，也不是字节或文件对象", file=name)
    shown = name or "上传的工作簿"
    suffix = Path(shown).suffix.lower()
    suffix = suffix if suffix in (".xlsx", ".xlsm", ".xls", ".ods") else ".xlsx"
    fd, tmp = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=_spool_dir())
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        book = open_book(tmp)
    except PerfxlError as exc:
        os.unlink(tmp)
        exc.file = shown
        raise
    except BaseException:
        os.unlink(tmp)
        raise
    weakref.finalize(book, _unlink_quietly, tmp)
    return book, shown


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def score_book(book: Book, options: Options | None = None, file_label: str | None = None) -> Evaluation:
    """Evaluate an open workbook and audit the result (findings deduplicated, errors first)."""
    ev = evaluate_book(book, options, file_label=file_label)
    ev.findings = dedupe_findings([*ev.findings, *audit(ev)])
    ev.book = book
    return ev


def score_source(source: Source, options: Options | None = None, name: str | None = None) -> Evaluation:
    """Open and score; a workbook that cannot be read raises :class:`PerfxlError` naming the file."""
    book, shown = open_source(source, name)
    try:
        return score_book(book, options, file_label=shown)
    except PerfxlError as exc:
        raise exc.with_file(shown) from None
