"""Uploads for the web page: a multipart/form-data stream read straight to disk, with caps.

A file part is written, as it arrives, to a path the server chooses (never the client's
name); a part larger than the cap is cut off and refused, the others are kept.  The
client's file name is only cleaned into a display name (:func:`clean_name`).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

_FORBIDDEN = set('<>:"/\\|?*')
# names Windows reserves for devices, whatever the extension
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{port}{i}" for port in ("COM", "LPT") for i in range(1, 10)}
_STEM_CHARS = 60  # a display name stays well inside 255 bytes, suffixes such as _评分结果.json added


def clean_name(raw: str, fallback: str = "工作簿") -> str:
    """A display name for a client's file name: its last part, no control or reserved
    characters, no leading dots, at most 60 characters before the extension."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch not in _FORBIDDEN and unicodedata.category(ch)[0] != "C")
    name = name.strip(" .")
    stem, suffix = os.path.splitext(name)
    if not (suffix[1:].isascii() and suffix[1:].isalnum() and len(suffix) <= 8):
        stem, suffix = name, ""
    stem = stem[:_STEM_CHARS].strip(" .") or fallback
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    return stem + suffix.lower()


@dataclass
class Upload:
    """One file of a form: its display name and where it was stored, or why it was refused."""

    name: str
    path: Path | None = None
    size: int = 0
    error: str | None = None


@dataclass
class Form:
    """The text fields and the files of one request."""

    fields: dict[str, str] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)


class FormError(Exception):
    """A request whose form cannot be read; the message is Chinese."""


@dataclass(frozen=True)
class Limits:
    """Caps on one request: bytes per file, files, text fields and their size."""

    file_bytes: int
    files: int = 1000
    fields: int = 32
    field_bytes: int = 16_384


class _Reader:
    """python-multipart's callbacks: text fields into memory, files onto disk."""

    def __init__(
        self, limits: Limits, store: Callable[[str], Path], refuse: Callable[[str], str | None]
    ) -> None:
        self.form = Form()
        self._limits = limits
        self._store = store
        self._refuse = refuse
        self._header = [b"", b""]
        self._disposition = b""
        self._field: tuple[str, bytearray] | None = None
        self._upload: Upload | None = None
        self._out: IO[bytes] | None = None
        self.complete = False  # the closing boundary was read

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._header_part(0, data[start:end]),
            "on_header_value": lambda data, start, end: self._header_part(1, data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": lambda data, start, end: self._data(data[start:end]),
            "on_part_end": self._part_end,
            "on_end": lambda: setattr(self, "complete", True),
        }

    def _part_begin(self) -> None:
        self._disposition = b""
        self._field = None
        self._upload = None

    def _header_part(self, index: int, data: bytes) -> None:
        self._header[index] += data

    def _header_end(self) -> None:
        if self._header[0].strip().lower() == b"content-disposition":
            self._disposition = self._header[1]
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._disposition)
        name = params.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in params:
            if len(self.form.fields) >= self._limits.fields:
                raise FormError("表单字段过多")
            self._field = (name, bytearray())
            return
        raw = params[b"filename"].decode("utf-8", "replace")
        if not raw:  # a file input left empty
            return
        upload = Upload(clean_name(raw))
        self._upload = upload
        self.form.uploads.append(upload)
        if len(self.form.uploads) > self._limits.files:
            upload.error = f"一次最多上传 {self._limits.files} 个文件，此文件未上传"
            return
        upload.error = self._refuse(raw.replace("\\", "/").rsplit("/", 1)[-1])
        if upload.error is None:
            upload.path = self._store(upload.name)
            self._out = open(upload.path, "wb")  # noqa: SIM115 - closed at the part's end or on abort

    def _data(self, chunk: bytes) -> None:
        if self._field is not None:
            if len(self._field[1]) + len(chunk) > self._limits.field_bytes:
                raise FormError(f"表单字段“{self._field[0]}”过长")
            self._field[1].extend(chunk)
            return
        upload = self._upload
        if upload is None:
            return
        upload.size += len(chunk)
        if self._out is None:
            return
        if upload.size > self._limits.file_bytes:
            self._drop(upload, f"文件超过 {_megabytes(self._limits.file_bytes)} 的上限，未上传")
            return
        self._out.write(chunk)

    def _part_end(self) -> None:
        if self._field is not None:
            self.form.fields[self._field[0]] = self._field[1].decode("utf-8", "replace")
        elif self._out is not None:
            self._out.close()
            self._out = None

    def _drop(self, upload: Upload, reason: str) -> None:
        """Refuse a file part already partly written: remove what was stored."""
        if self._out is not None:
            self._out.close()
            self._out = None
        if upload.path is not None:
            upload.path.unlink(missing_ok=True)
            upload.path = None
        upload.error = reason

    def abort(self) -> None:
        """Remove every file of this request (a broken or abandoned form)."""
        for upload in self.form.uploads:
            self._drop(upload, upload.error or "上传中断")


def _megabytes(size: int) -> str:
    mb = size / 1_000_000
    return f"{mb:g} MB" if mb >= 1 else f"{size // 1000} KB"


async def read_form(
    content_type: str,
    stream: AsyncIterator[bytes],
    limits: Limits,
    store: Callable[[str], Path],
    refuse: Callable[[str], str | None] = lambda name: None,
) -> Form:
    """Read a multipart/form-data body: *store* gives the path for a file (by display name),
    *refuse* says why a file is not wanted, given the last part of the client's name (the
    file's bytes are then read and dropped).

    Raises :class:`FormError` for a body that is not a readable form; files already
    stored by the request are removed then, and when the client goes away.
    """
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise FormError("请求不是文件上传表单（multipart/form-data）")
    reader = _Reader(limits, store, refuse)
    try:
        parser = MultipartParser(boundary, reader.callbacks())
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
        if not reader.complete:
            raise FormError("上传的表单数据不完整（上传中断了吗？）")
    except FormParserError:
        reader.abort()
        raise FormError("上传的表单数据不完整或已损坏") from None
    except BaseException:
        reader.abort()
        raise
    return reader.form
