"""Open a workbook fast (python-calamine) and hand out its sheets as grids.

A grid is a list of rows of plain values ('' for empty), positioned from A1 so
that ``grid[r][c]`` is the cell ``a1(r, c)``.  Nothing here knows about
indicators; see :mod:`perfxl.read` for that.

Hostile files (docs/architecture.md, hostile input) are stopped here, before python-calamine sees them.
calamine trusts what the zip says and allocates a dense grid from the smallest
to the largest cell reference it meets, so a 2 KB file with cells in A1 and
XFD1048576 aborts the whole process.  Therefore, for an .xlsx:

- the zip directory is checked first (entry count, declared sizes);
- every XML part calamine reads when opening is inflated once here, which proves
  that its real size is the declared one (a zip may lie) and that it has no
  DOCTYPE (entity tricks; calamine does not expand entities, but refusing them
  gives a clear message);
- each worksheet is pre-scanned as a stream before calamine loads it: rows,
  columns and cells are counted from the cell references and checked against
  the caps, and formula cells saved without a result are noted (calamine reads
  them as empty; :mod:`perfxl.read` names them).
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import files
from .errors import PerfxlError

# Caps against huge sheets and zip bombs (docs/architecture.md, hostile input).
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024  # all parts together
MAX_PART_BYTES = 256 * 1024 * 1024  # one XML part (a sheet, the shared strings)
MAX_ZIP_ENTRIES = 10_000
MAX_ROWS = 200_000
MAX_CELLS = 5_000_000  # one sheet's grid (rows × columns from A1), and all loaded sheets together

Grid = list[list[object]]
Range = tuple[tuple[int, int], tuple[int, int]]

_CHUNK = 1 << 20
_HEAD = 64 * 1024  # the XML prolog (where a DOCTYPE would be) must end within this


@dataclass
class Sheet:
    name: str
    rows: Grid
    merged: list[Range] = field(default_factory=list)
    # cells (row, col) holding a formula saved without its result: they read as ''
    uncached: set[tuple[int, int]] = field(default_factory=set)
    # the formula text of those cells and of formulas whose saved result is an error
    # (#NAME?, #VALUE!): a target typed as "=20部" is stored as the formula 20部
    formula_text: dict[tuple[int, int], str] = field(default_factory=dict)

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


class Book:
    """A read-only workbook: sheet names and lazily loaded grids."""

    def __init__(self, path: Path, workbook: object, parts: _Parts | None = None) -> None:
        self.path = path
        self._wb = workbook
        self._parts = parts
        self.sheet_names: list[str] = list(workbook.sheet_names)  # type: ignore[attr-defined]
        self._cache: dict[str, Sheet] = {}
        self._cells = 0  # of the loaded sheets, against MAX_CELLS
        self._sizes: dict[str, int] = {}  # each loaded sheet's share of _cells

    def sheet(self, name: str) -> Sheet:
        if name not in self._cache:
            self._cache[name] = self._load(name)
        return self._cache[name]

    def _load(self, name: str) -> Sheet:
        from python_calamine import CalamineError

        uncached: set[tuple[int, int]] = set()
        texts: dict[tuple[int, int], str] = {}
        if self._parts is not None and not self._parts.is_ods:
            try:
                uncached, texts = self._parts.scan_sheet(name)
            except PerfxlError as exc:
                exc.sheet = exc.sheet or name
                raise
        try:
            cs = self._wb.get_sheet_by_name(name)  # type: ignore[attr-defined]
            height, width = cs.total_height + 1, cs.total_width + 1  # last indexes, 0-based
            if height > MAX_ROWS or height * max(width, 1) > MAX_CELLS:
                raise PerfxlError(_too_big(height, width), sheet=name)
            self._sizes[name] = height * max(width, 1)
            self._cells += self._sizes[name]
            if self._cells > MAX_CELLS:
                raise PerfxlError(f"工作簿过大：已读取的工作表共超过 {MAX_CELLS} 个单元格", sheet=name)
            rows = cs.to_python(skip_empty_area=False)
            ranges = cs.merged_cell_ranges
            if ranges is None and self._parts is not None and self._parts.ods_merges is not None:
                ranges = self._parts.ods_merges.get(name)  # calamine gives none for .ods
            merged = _clip_merges(list(ranges or []), rows)
        except PerfxlError:
            raise
        except (CalamineError, ValueError, OSError) as exc:
            raise PerfxlError(f"工作表无法读取（{_reason(exc)}）", sheet=name) from exc
        return Sheet(name, rows, merged, uncached, texts)

    def release(self, name: str) -> None:
        """Forget a loaded sheet, its grid and its share of the cell cap: a large workbook
        of perfxl's own (汇总.xlsx) is read one sheet at a time."""
        self._cache.pop(name, None)
        self._cells -= self._sizes.pop(name, 0)

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


def _too_big(rows: int, cols: int) -> str:
    return f"工作表过大（{rows} 行 × {cols} 列），超过上限 {MAX_ROWS} 行 / {MAX_CELLS} 个单元格"


def _reason(exc: Exception) -> str:
    """Why calamine refused a file, in Chinese (its own messages are English)."""
    text = str(exc).lower()
    if "entity" in text:
        return "XML 中有无法识别的实体引用，文件可能是恶意构造的"
    if "not found" in text:
        return "缺少必要的组成部分，文件已损坏或不是完整的工作簿"
    return "文件已损坏或格式不受支持，请在 WPS/Excel/LibreOffice 中另存为 .xlsx 后再处理"


def _clip_merges(ranges: list[Range], rows: Grid) -> list[Range]:
    """Merged ranges cut to the grid, without duplicates or overlaps.

    A hostile file may merge A1:XFD1048576, or the same range a million times;
    the writer walks every merged cell, so merges are kept inside the data and
    the cells they cover are counted once.
    """
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    out: list[Range] = []
    taken: set[tuple[int, int]] = set()
    budget = 2 * height * width  # cells visited while checking overlaps
    for (r0, c0), (r1, c1) in sorted(set(ranges)):
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        if r0 > r1 or c0 > c1 or (r0, c0) == (r1, c1):
            continue
        cells = [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
        budget -= len(cells)
        if budget < 0:
            break
        if taken.isdisjoint(cells):
            taken.update(cells)
            out.append(((r0, c0), (r1, c1)))
    return out


# ------------------------------------------------------------------ zip inspection

_ROOT_RE = re.compile(rb"<[A-Za-z_]")
# the fast path: every row and cell written as Excel, WPS, LibreOffice and openpyxl write them
_ROW_REF = re.compile(rb'<row r="([0-9]{1,7})"')
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)\b([^>]*)>")
_R_ATTR = re.compile(rb'\br="([A-Z]*)([0-9]*)"')
_T_ATTR = re.compile(rb'\bt="([^"]*)"')
_F_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_CELL_START = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*>|<(?:[\w.-]+:)?c>")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>[^<]")
_F_BODY = re.compile(rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?>([^<]*)<")
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row>")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


class _Parts:
    """The zip of an .xlsx: verified parts and a lazy pre-scan of each worksheet."""

    def __init__(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path = path
        self.infos = {info.filename: info for info in zf.infolist()}
        self.sheets: dict[str, str] = {}  # sheet name → part name
        self.scanned: set[str] = set()
        self.ods_merges: dict[str, list[Range]] | None = None  # an OpenDocument spreadsheet's merged cells

    @property
    def is_ods(self) -> bool:
        return self.ods_merges is not None

    def check(self, zf: zipfile.ZipFile) -> None:
        """Sizes, then every XML part except the worksheets inflated once (they wait for their load)."""
        total = 0
        for info in self.infos.values():
            total += info.file_size
            if info.flag_bits & 0x1:
                raise PerfxlError("压缩包内的文件被加密，不是正常的 Excel 工作簿")
            if _is_xml(info.filename) and info.file_size > MAX_PART_BYTES:
                raise PerfxlError(
                    f"{info.filename} 解压后 {_mb(info.file_size)} MB，超过单个部件上限 "
                    f"{_mb(MAX_PART_BYTES)} MB，疑似压缩炸弹"
                )
        if total > MAX_UNCOMPRESSED_BYTES:
            raise PerfxlError(
                f"解压后大小 {_mb(total)} MB 超过上限 {_mb(MAX_UNCOMPRESSED_BYTES)} MB，疑似压缩炸弹"
            )
        for name, info in self.infos.items():
            if _is_xml(name) and not self.scanned_later(name):
                for _ in self.stream(info):
                    pass
        if not self.is_ods:
            self.sheets = _sheet_parts(zf, self.infos)

    def scanned_later(self, name: str) -> bool:
        """Worksheets (.xlsx) are checked when loaded; content.xml (.ods) by the table scan."""
        if self.is_ods:
            return name == "content.xml"
        return name.startswith("xl/worksheets/") and _is_xml(name)

    def stream(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """Inflate one part in chunks, checking its real size, CRC and prolog on the way."""
        size, crc, head = 0, 0, b""
        for data in _inflate(self.path, info):
            size += len(data)
            if size > info.file_size:
                raise PerfxlError(
                    f"{info.filename} 实际解压后大于压缩包记录的大小（{info.file_size} 字节），疑似压缩炸弹"
                )
            crc = zlib.crc32(data, crc)
            if len(head) < _HEAD:
                head += data[: _HEAD - len(head)]
                _check_prolog(head, info.filename, final=len(head) >= _HEAD)
            yield data
        _check_prolog(head, info.filename, final=True)
        if size != info.file_size or crc != info.CRC:
            raise PerfxlError("文件已损坏（压缩包内容校验失败），请重新保存或重新复制该文件")

    def scan_sheet(self, name: str) -> tuple[set[tuple[int, int]], dict[tuple[int, int], str]]:
        """Check a worksheet against the caps before calamine loads it; return its uncached formula
        cells and the formula text of those and of formulas whose saved result is an error."""
        part = self.sheets.get(name)
        if part is None:
            # not found through the workbook's relationships: scan every worksheet part instead
            for other in sorted(n for n in self.infos if n.startswith("xl/worksheets/") and _is_xml(n)):
                if other not in self.scanned:
                    _SheetScan(other).run(self.stream(self.infos[other]))
                    self.scanned.add(other)
            return set(), {}
        if part not in self.infos:
            return set(), {}  # calamine will report the missing part
        scan = _SheetScan(part)
        scan.run(self.stream(self.infos[part]))
        self.scanned.add(part)
        return scan.uncached, scan.texts


def _inflate(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The raw member data, inflated in pieces of at most _CHUNK bytes, however much it claims."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise PerfxlError(f"{info.filename} 的压缩方式不受支持，请在 Excel/WPS 中另存后再处理")
    with path.open("rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(info.filename)
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        inflate = zlib.decompressobj(-15)
        left = info.compress_size
        while left > 0:
            raw = fh.read(min(_CHUNK, left))
            if not raw:
                raise zipfile.BadZipFile(info.filename)
            left -= len(raw)
            if info.compress_type == zipfile.ZIP_STORED:
                yield raw
                continue
            data = inflate.decompress(raw, _CHUNK)
            while True:
                if data:
                    yield data
                if not inflate.unconsumed_tail:
                    break
                data = inflate.decompress(inflate.unconsumed_tail, _CHUNK)
            if inflate.eof:
                break
        if info.compress_type == zipfile.ZIP_DEFLATED:
            rest = inflate.flush()
            if rest:
                yield rest


def _mb(n: int) -> int:
    return n // 1024 // 1024


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _check_prolog(head: bytes, part: str, *, final: bool) -> None:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        raise PerfxlError(f"{part} 使用了 UTF-16/UTF-32 编码，Excel/WPS 不会生成这种文件，请另存后再处理")
    m = _ROOT_RE.search(head)
    prolog = head[: m.start()] if m else head
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise PerfxlError(
            f"{part} 含有 DOCTYPE/实体声明（Excel/WPS 不会生成这种内容，文件可能是恶意构造的），已拒绝处理"
        )
    if final and m is None and len(head) >= _HEAD:
        raise PerfxlError(f"{part} 的开头 64 KB 内没有 XML 元素，文件可能是恶意构造的，已拒绝处理")


def _sheet_parts(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Sheet name → worksheet part, through _rels/.rels, workbook.xml and its relationships."""
    from defusedxml import ElementTree

    def rels(part: str) -> dict[str, str]:
        folder, base = posixpath.split(part)
        rel_name = posixpath.join(folder, "_rels", base + ".rels")
        if rel_name not in infos:
            return {}
        out = {}
        for el in ElementTree.fromstring(zf.read(rel_name)):
            target = el.get("Target") or ""
            if el.get("TargetMode") == "External":
                continue
            path = (
                target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
            out[el.get("Id") or ""] = path
            out["type:" + (el.get("Type") or "").rsplit("/", 1)[-1]] = path
        return out

    try:
        workbook = rels("").get("type:officeDocument", "xl/workbook.xml")
        if workbook not in infos:
            return {}
        targets = rels(workbook)
        out = {}
        for el in ElementTree.fromstring(zf.read(workbook)).iter():
            if el.tag.rsplit("}", 1)[-1] != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
            if el.get("name") is not None and rid in targets:
                out[el.get("name") or ""] = targets[rid]
        return out
    except Exception:  # malformed: every worksheet is scanned instead (see scan_sheet)
        return {}


class _SheetScan:
    """Streaming pre-scan of a worksheet part: extent, cell count, formulas without a result."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.max_row = -1
        self.max_col = -1
        self.cells = 0
        self.row = -1  # calamine's position for rows and cells without a reference
        self.col = -1
        self.uncached: set[tuple[int, int]] = set()
        self.texts: dict[tuple[int, int], str] = {}

    def run(self, chunks: Iterator[bytes]) -> None:
        buf = bytearray()
        searched = 0
        for data in chunks:
            buf += data
            # whole rows only, so that no cell is cut in two; search only the new bytes
            end = _last_row_end(buf, max(0, searched - 16))
            searched = len(buf)
            if end >= 0:
                self.block(bytes(buf[:end]))
                del buf[:end]
                searched = len(buf)
        if buf:
            self.block(bytes(buf))

    def block(self, text: bytes) -> None:
        n_rows = text.count(b"<row ") + text.count(b"<row>") + text.count(b"<row/>")
        n_cells = text.count(b"<c ") + text.count(b"<c>") + text.count(b"<c/>")
        prefixed = b":row" in text or b":c " in text or b":c>" in text
        row_refs = _ROW_REF.findall(text)
        cell_refs = _CELL_REF.findall(text)
        if prefixed or len(row_refs) != n_rows or len(cell_refs) != n_cells:
            self.slow_block(text)
        else:
            if row_refs:
                self.max_row = max(self.max_row, max(map(int, row_refs)) - 1)
                self.row = int(row_refs[-1]) - 1
            if cell_refs:
                cols, rows = zip(*cell_refs, strict=True)
                self.max_row = max(self.max_row, max(map(int, rows)) - 1)
                self.max_col = max(self.max_col, max(map(_col_index, set(cols))))
                self.row = int(rows[-1]) - 1
            self.cells += n_cells
        self.check()
        if b"<f" in text or b":f" in text:
            self.formulas(text)

    def slow_block(self, text: bytes) -> None:
        """Rows or cells without references: follow calamine's positions tag by tag."""
        for m in _TAG.finditer(text):
            if m.group(1):
                continue
            ref = _R_ATTR.search(m.group(3))
            if m.group(2) == b"row":
                self.row = int(ref.group(2)) - 1 if ref and ref.group(2) else self.row + 1
                self.col = -1
                if self.row >= MAX_ROWS:
                    self.max_row = max(self.max_row, self.row)
                    self.check()
            else:
                if ref and ref.group(1) and ref.group(2):
                    self.row, self.col = int(ref.group(2)) - 1, _col_index(ref.group(1))
                else:
                    self.col += 1
                self.cells += 1
                self.max_col = max(self.max_col, self.col)
            self.max_row = max(self.max_row, self.row)
            if self.cells % 65536 == 0:
                self.check()

    def check(self) -> None:
        rows, cols = self.max_row + 1, self.max_col + 1
        if rows > MAX_ROWS or rows * max(cols, 1) > MAX_CELLS or self.cells > MAX_CELLS:
            raise PerfxlError(_too_big(rows, cols))

    def formulas(self, text: bytes) -> None:
        for fm in _F_TAG.finditer(text):
            starts = list(_CELL_START.finditer(text, max(0, fm.start() - 2048), fm.start()))
            end = _CELL_END.search(text, fm.end())
            if not starts or end is None:
                continue
            attrs = starts[-1].group(0)
            body = text[fm.start() : end.start()]
            kind = _T_ATTR.search(attrs)
            ref = _R_ATTR.search(attrs)
            if not (ref and ref.group(1) and ref.group(2)):
                continue
            pos = (int(ref.group(2)) - 1, _col_index(ref.group(1)))
            if _VALUE.search(body):
                if kind and kind.group(1) == b"e":
                    self._keep_text(pos, body)
                continue
            if kind and kind.group(1) in (b"str", b"inlineStr"):
                continue  # a formula whose result is the empty text
            self.uncached.add(pos)
            self._keep_text(pos, body)

    def _keep_text(self, pos: tuple[int, int], body: bytes) -> None:
        m = _F_BODY.search(body)
        if m and len(self.texts) < 10000:
            self.texts[pos] = html.unescape(m.group(1).decode("utf-8", "replace"))[:200]


def _last_row_end(buf: bytearray, start: int) -> int:
    """Offset just past the last ``</row>`` (any prefix) at or after start, or -1."""
    i = len(buf)
    while True:
        i = buf.rfind(b"row>", start, i)
        if i < 0:
            return -1
        j = buf.rfind(b"<", max(0, start - 64), i)
        if j >= 0 and _ROW_END.fullmatch(buf, j, i + 4):
            return i + 4


def _zip_entry_count(path: Path, size: int) -> int | None:
    """Entries the zip's end record announces (read before zipfile builds one object per entry)."""
    with path.open("rb") as fh:
        fh.seek(max(0, size - 65557))
        tail = fh.read()
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 or len(tail) < pos + 22:
            return None
        entries = struct.unpack("<H", tail[pos + 10 : pos + 12])[0]
        if entries != 0xFFFF or pos < 20 or tail[pos - 20 : pos - 16] != b"PK\x06\x07":
            return int(entries)
        fh.seek(struct.unpack("<Q", tail[pos - 12 : pos - 4])[0])
        record = fh.read(56)
        if record[:4] != b"PK\x06\x06" or len(record) < 56:
            return None
        return int(struct.unpack("<Q", record[32:40])[0])


def _check_zip(path: Path) -> _Parts | None:
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise PerfxlError("文件为空，不是 Excel 工作簿")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return None  # OLE2: legacy .xls, or an encrypted (password-protected) .xlsx
    if not head.startswith(b"PK"):
        raise PerfxlError("不是 Excel 工作簿（.xlsx 应为 zip 格式），可能是改了扩展名的其他文件")
    entries = _zip_entry_count(path, path.stat().st_size)
    if entries is not None and entries > MAX_ZIP_ENTRIES:
        raise PerfxlError(f"压缩包内有 {entries} 个文件，超过上限 {MAX_ZIP_ENTRIES}，不是正常的 Excel 工作簿")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if len(names) > MAX_ZIP_ENTRIES:
                raise PerfxlError(
                    f"压缩包内有 {len(names)} 个文件，超过上限 {MAX_ZIP_ENTRIES}，不是正常的 Excel 工作簿"
                )
            if "word/document.xml" in names:
                raise PerfxlError("这是 Word 文档（.docx）改了扩展名，不是 Excel 工作簿")
            if "ppt/presentation.xml" in names:
                raise PerfxlError("这是 PowerPoint 演示文稿（.pptx）改了扩展名，不是 Excel 工作簿")
            if _opendocument(zf, names):
                parts = _Parts(path, zf)
                parts.ods_merges = {}
                parts.check(zf)
                parts.ods_merges = _scan_ods(parts)
                return parts
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise PerfxlError("不是 Excel 工作簿（压缩包内没有工作表）")
            parts = _Parts(path, zf)
            parts.check(zf)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise PerfxlError("文件已损坏（zip 结构不完整），请重新保存或重新复制该文件") from exc
    return parts


# ------------------------------------------------------------------ legacy .xls (BIFF in a compound file)

_END_OF_CHAIN = 0xFFFFFFFE
# records that place a cell: row and column are their first two fields (MULRK/MULBLANK end with the last column)
_BIFF_CELLS = {
    0x0006,
    0x0201,
    0x0203,
    0x0204,
    0x0205,
    0x027E,
    0x00FD,
    0x00D6,
    0x0406,
    0x0206,
    0x0001,
    0x0002,
    0x0003,
    0x0004,
    0x0005,
}
_BIFF_MULTI = {0x00BD, 0x00BE}
_BIFF_BOF = {0x0809, 0x0409, 0x0209, 0x0009}


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """A stream of a compound file (OLE2) by name, following its FAT or mini-FAT chain."""
    bad = PerfxlError("文件已损坏（OLE2 结构不完整），请重新保存或重新复制该文件")
    if len(data) < 512:
        raise bad
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise bad
    size = 1 << shift
    n_fat, dir_start, _sig, cutoff, minifat_start, n_minifat, difat_next, n_difat = struct.unpack_from(
        "<8I", data, 44
    )
    n_sectors = (len(data) - 1) // size

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise bad
        return data[(i + 1) * size : (i + 2) * size]

    fat_ids = list(struct.unpack_from("<109I", data, 76))
    for _ in range(min(n_difat, n_sectors)):
        if difat_next >= n_sectors:
            break
        ids = struct.unpack(f"<{size // 4}I", sector(difat_next))
        fat_ids += ids[:-1]
        difat_next = ids[-1]
    fat: list[int] = []
    for i in fat_ids[: min(n_fat, n_sectors)]:
        fat += struct.unpack(f"<{size // 4}I", sector(i))

    def chain(start: int, table: list[int]) -> list[int]:
        out: list[int] = []
        while start < len(table) and start != _END_OF_CHAIN:
            out.append(start)
            if len(out) > len(table):
                raise bad  # a loop
            start = table[start]
        return out

    def read(start: int, length: int) -> bytes:
        return b"".join(sector(i) for i in chain(start, fat))[:length]

    directory = read(dir_start, len(data))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise bad
    mini = read(*struct.unpack_from("<IQ", entries[0], 116)) if entries else b""
    minifat = list(struct.unpack(f"<{n_minifat * size // 4}I", read(minifat_start, n_minifat * size)))
    for entry in entries:
        name_len = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        if entry[66] != 2 or name not in names:
            continue
        start, length = struct.unpack_from("<IQ", entry, 116)
        length = min(length, len(data))
        if length < cutoff:
            return b"".join(mini[i * 64 : (i + 1) * 64] for i in chain(start, minifat))[:length]
        return read(start, length)
    return None


class _Biff:
    """Extent of every worksheet of a legacy .xls, from its cell records, before calamine allocates them.

    calamine allocates the grid from the smallest to the largest cell it meets: a 5 KB .xls
    with cells in A1 and at row 65536, column 65536 aborts the process.
    """

    def __init__(self, stream: bytes) -> None:
        self.sheets: dict[str, tuple[int, int, int]] = {}  # name → rows, columns, cells
        names: dict[int, str] = {}
        extents: dict[int, list[int]] = {}
        pos, current = 0, -1
        while pos + 4 <= len(stream):
            kind, length = struct.unpack_from("<HH", stream, pos)
            body = stream[pos + 4 : pos + 4 + length]
            if kind in _BIFF_BOF:
                current = pos
                extents[current] = [0, 0, 0]
            elif kind == 0x002F and current == 0:
                return  # FILEPASS: encrypted, calamine asks for the password
            elif kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET: where a sheet starts, and its name
                names[struct.unpack_from("<I", body)[0]] = _biff_name(body[6:])
            elif current >= 0 and len(body) >= 4 and (kind in _BIFF_CELLS or kind in _BIFF_MULTI):
                row, col = struct.unpack_from("<HH", body)
                last = struct.unpack_from("<H", body, len(body) - 2)[0] if kind in _BIFF_MULTI else col
                ext = extents[current]
                ext[0] = max(ext[0], row + 1)
                ext[1] = max(ext[1], col + 1, last + 1)
                ext[2] += max(1, last - col + 1)
            pos += 4 + length
        self.sheets = {names.get(at, f"#{at}"): (e[0], e[1], e[2]) for at, e in extents.items()}

    def check(self) -> None:
        """calamine reads every sheet of an .xls when it opens it: all are checked at once."""
        for name, (rows, cols, cells) in self.sheets.items():
            if rows > MAX_ROWS or rows * cols > MAX_CELLS or cells > MAX_CELLS:
                raise PerfxlError(_too_big(rows, cols), sheet=None if name.startswith("#") else name)


def _biff_name(raw: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString (BIFF5: one byte per character)."""
    if len(raw) < 2:
        return ""
    count, high = raw[0], raw[1] & 1
    if high:
        return raw[2 : 2 + 2 * count].decode("utf-16-le", "replace")
    return raw[2 : 2 + count].decode("latin-1")


def _check_xls(path: Path) -> None:
    stream = _ole_stream(path.read_bytes(), ("Workbook", "Book"))
    if stream is not None:
        _Biff(stream).check()


# ------------------------------------------------------------------ OpenDocument spreadsheets (.ods)

_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_ODF_KINDS = {
    b"application/vnd.oasis.opendocument.text": "OpenDocument 文本文档（.odt）",
    b"application/vnd.oasis.opendocument.presentation": "OpenDocument 演示文稿（.odp）",
}
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
_ODS_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")
_MAX_ODS_MERGES = 100_000


def _opendocument(zf: zipfile.ZipFile, names: list[str]) -> bool:
    """True for an OpenDocument spreadsheet (LibreOffice, WPS «.ods»); refuses other OpenDocument files."""
    if "mimetype" not in names or zf.getinfo("mimetype").file_size > 100:
        return False
    mime = zf.read("mimetype").strip()
    if mime.startswith(_ODS_MIME):
        return True
    for prefix, kind in _ODF_KINDS.items():
        if mime.startswith(prefix):
            raise PerfxlError(f"这是{kind}，不是电子表格")
    return False


def _scan_ods(parts: _Parts) -> dict[str, list[Range]]:
    """Check every table of content.xml against the caps (calamine reads them all when it opens
    the file) and return each table's merged ranges, which calamine does not report for .ods."""
    from xml.parsers import expat

    info = parts.infos.get("content.xml")
    if info is None:
        raise PerfxlError("OpenDocument 文件中没有 content.xml，文件已损坏或不是电子表格")
    scan = _OdsScan()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    try:
        for data in parts.stream(info):
            parser.Parse(data, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise PerfxlError(
            f"content.xml 不是有效的 XML（{expat.errors.messages.get(exc.code, exc.code)}），文件已损坏"
        ) from exc
    return scan.merges


class _OdsScan:
    """Streaming walk of content.xml: the extent of each table's non-empty cells, repeats included."""

    def __init__(self) -> None:
        self.merges: dict[str, list[Range]] = {}
        self.table = ""
        self.row = self.col = 0
        self.rows_repeated = 1
        self.max_row = self.max_col = -1
        self.cells = 0
        self.cell: dict[str, str] | None = None  # attributes of the open cell
        self.filled = False  # the open cell has a value or text

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.cell is not None:
            self.filled = True  # text:p or any other content inside the cell
        elif tag in _ODS_CELLS:
            self.cell = attrs
            self.filled = _OFFICE + "value-type" in attrs
        elif tag == _TABLE + "table-row":
            self.rows_repeated = _count(attrs.get(_TABLE + "number-rows-repeated"))
            self.col = 0
        elif tag == _TABLE + "table":
            self.table = attrs.get(_TABLE + "name", "")
            self.merges[self.table] = []
            self.row, self.max_row, self.max_col, self.cells = 0, -1, -1, 0

    def end(self, tag: str) -> None:
        if tag in _ODS_CELLS and self.cell is not None:
            self.end_cell(self.cell)
            self.cell = None
        elif tag == _TABLE + "table-row":
            self.row += self.rows_repeated
            self.rows_repeated = 1

    def end_cell(self, attrs: dict[str, str]) -> None:
        repeated = _count(attrs.get(_TABLE + "number-columns-repeated"))
        if self.filled:
            self.max_row = max(self.max_row, self.row + self.rows_repeated - 1)
            self.max_col = max(self.max_col, self.col + repeated - 1)
            self.cells += repeated * self.rows_repeated
            rows, cols = self.max_row + 1, self.max_col + 1
            if rows > MAX_ROWS or rows * cols > MAX_CELLS or self.cells > MAX_CELLS:
                raise PerfxlError(_too_big(rows, cols), sheet=self.table)
        row_span = _count(attrs.get(_TABLE + "number-rows-spanned"))
        col_span = _count(attrs.get(_TABLE + "number-columns-spanned"))
        merges = self.merges.setdefault(self.table, [])
        if (row_span > 1 or col_span > 1) and len(merges) < _MAX_ODS_MERGES:
            merges.append(((self.row, self.col), (self.row + row_span - 1, self.col + col_span - 1)))
        self.col += repeated


def _count(value: str | None) -> int:
    """A repeat or span attribute; anything but a positive whole number counts as 1."""
    return int(value) if value and value.isdigit() and int(value) > 0 else 1


# ------------------------------------------------------------------ perfxl's own outputs

_CORE = "docProps/core.xml"
_CORE_FIELD = re.compile(r"<(?:[\w.-]+:)?(creator|title)\b[^>]*>([^<]*)<")


def is_perfxl_output(path: str | os.PathLike[str]) -> bool:
    """Whether perfxl wrote this file (an annotated workbook, 汇总.xlsx, 问卷分析).

    perfxl's outputs name perfxl as their author and in their title (the templates users
    fill in do not name it in the title).  Only the zip directory and docProps/core.xml are
    read; a file that cannot be read this way is not an output (the reader will say why).
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            if fh.read(2) != b"PK":
                return False
        entries = _zip_entry_count(p, p.stat().st_size)
        if entries is None or entries > MAX_ZIP_ENTRIES:
            return False
        with zipfile.ZipFile(p) as zf:
            info = zf.getinfo(_CORE)
            if info.file_size > _HEAD or info.compress_size > _HEAD:
                return False
            text = zf.read(info).decode("utf-8", "replace")
    except (OSError, KeyError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error):
        return False
    fields = {key: html.unescape(value).strip() for key, value in _CORE_FIELD.findall(text)}
    return fields.get("creator") == "perfxl" and "perfxl" in fields.get("title", "")


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
            raise PerfxlError(f"文件大小 {_mb(size)} MB 超过上限 {_mb(MAX_FILE_BYTES)} MB", file=shown)
        parts = _check_zip(p)
        if parts is None:
            _check_xls(p)
    except PerfxlError as exc:
        raise exc.with_file(shown) from None
    except PermissionError as exc:
        raise PerfxlError("没有读取权限（文件可能正被 WPS/Excel 独占打开）", file=shown) from exc
    except OSError as exc:
        raise PerfxlError(f"无法读取文件（{files.reason(exc)}）", file=shown) from exc

    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        if (parts is not None and parts.is_ods) == (p.suffix.lower() in (".ods", ".ots")):
            wb = CalamineWorkbook.from_path(str(p))
        else:  # calamine picks its reader by the extension: an .ods named .xlsx (or the reverse)
            with p.open("rb") as fh:
                wb = CalamineWorkbook.from_filelike(fh)
    except PasswordError as exc:
        raise PerfxlError("工作簿设有打开密码，请先在 WPS/Excel 中取消密码后再处理", file=shown) from exc
    except (CalamineError, ValueError, OSError) as exc:
        msg = str(exc).lower()
        if "password" in msg or "encrypt" in msg:
            raise PerfxlError(
                "工作簿设有打开密码或已加密，请先在 WPS/Excel 中取消密码后再处理", file=shown
            ) from exc
        if parts is None:
            raise PerfxlError(
                "无法解析工作簿：这是 OLE2 格式的文件，但不是可读取的 Excel 97-2003 工作簿（.xls）"
                "，可能是改了扩展名的 Word/PowerPoint 文件或已损坏",
                file=shown,
            ) from exc
        raise PerfxlError(f"无法解析工作簿（{_reason(exc)}）", file=shown) from exc
    return Book(p, wb, parts)
