"""Open a workbook fast (python-calamine) and hand out its sheets as grids.

A grid is a list of rows of plain values ('' for empty), positioned from A1 so
that ``grid[r][c]`` is the cell ``a1(r, c)``.  Nothing here knows about
indicators; see :mod:`perfxl.read` for that.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PerfxlError

# Caps against huge sheets and zip bombs (SPEC §13).
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELLS = 5_000_000

Grid = list[list[object]]


@dataclass
class Sheet:
    name: str
    rows: Grid
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


class Book:
    """A read-only workbook: sheet names and lazily loaded grids."""

    def __init__(self, path: Path, workbook: object) -> None:
        self.path = path
        self._wb = workbook
        self.sheet_names: list[str] = list(workbook.sheet_names)  # type: ignore[attr-defined]
        self._cache: dict[str, Sheet] = {}

    def sheet(self, name: str) -> Sheet:
        if name not in self._cache:
            self._cache[name] = self._load(name)
        return self._cache[name]

    def _load(self, name: str) -> Sheet:
        from python_calamine import CalamineError

        try:
            cs = self._wb.get_sheet_by_name(name)  # type: ignore[attr-defined]
            height, width = cs.total_height, cs.total_width
            if height > MAX_ROWS or height * max(width, 1) > MAX_CELLS:
                raise PerfxlError(
                    f"工作表过大（{height} 行 × {width} 列），超过上限 {MAX_ROWS} 行 / {MAX_CELLS} 个单元格",
                    sheet=name,
                )
            rows = cs.to_python(skip_empty_area=False)
            merged = list(cs.merged_cell_ranges or [])
        except PerfxlError:
            raise
        except (CalamineError, ValueError, OSError) as exc:
            raise PerfxlError(f"工作表无法读取（{exc.__class__.__name__}）", sheet=name) from exc
        return Sheet(name, rows, merged)

    def find(self, *patterns: str, exact_first: bool = True) -> str | None:
        """First sheet whose name equals, then contains, one of the patterns (in order)."""
        if exact_first:
            for pat in patterns:
                for name in self.sheet_names:
                    if name.strip() == pat:
                        return name
        for pat in patterns:
            for name in self.sheet_names:
                if pat in name:
                    return name
        return None


def _check_zip(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise PerfxlError("文件为空，不是 Excel 工作簿")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return  # OLE2: legacy .xls, or an encrypted (password-protected) .xlsx
    if not head.startswith(b"PK"):
        raise PerfxlError("不是 Excel 工作簿（.xlsx 应为 zip 格式），可能是改了扩展名的其他文件")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            total = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise PerfxlError("文件已损坏（zip 结构不完整），请重新保存或重新复制该文件") from exc
    if "word/document.xml" in names:
        raise PerfxlError("这是 Word 文档（.docx）改了扩展名，不是 Excel 工作簿")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise PerfxlError("不是 Excel 工作簿（压缩包内没有工作表）")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise PerfxlError(
            f"解压后大小 {total // 1024 // 1024} MB 超过上限 {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB，疑似压缩炸弹"
        )


def open_book(path: str | os.PathLike[str]) -> Book:
    """Open a workbook for reading; every failure is a :class:`PerfxlError` in Chinese."""
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise PerfxlError("文件不存在", file=shown)
    if p.is_dir():
        raise PerfxlError("这是一个文件夹，不是工作簿（批量处理请用 perfxl batch）", file=shown)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PerfxlError(f"文件大小 {size // 1024 // 1024} MB 超过上限", file=shown)
        _check_zip(p)
    except PerfxlError as exc:
        raise exc.with_file(shown)
    except PermissionError as exc:
        raise PerfxlError("没有读取权限（文件可能正被 WPS/Excel 独占打开）", file=shown) from exc
    except OSError as exc:
        raise PerfxlError(f"无法读取文件（{exc.strerror or exc}）", file=shown) from exc

    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_path(str(p))
    except PasswordError as exc:
        raise PerfxlError("工作簿设有打开密码，请先在 WPS/Excel 中取消密码后再处理", file=shown) from exc
    except (CalamineError, ValueError, OSError) as exc:
        msg = str(exc).lower()
        if "password" in msg or "encrypt" in msg or "cfb" in msg:
            raise PerfxlError(
                "工作簿设有打开密码或已加密，请先在 WPS/Excel 中取消密码后再处理", file=shown
            ) from exc
        raise PerfxlError(f"无法解析工作簿（{exc.__class__.__name__}）", file=shown) from exc
    return Book(p, wb)
