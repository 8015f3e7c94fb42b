"""Findings (data) and the one exception for unusable input.

A finding is a record about the evaluator's workbook; a workbook that cannot be
used at all raises :class:`PerfxlError`, whose text is one Chinese line naming
file, sheet and cell.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    """One audit finding (审核意见)."""

    severity: str
    code: str
    sheet: str
    cell: str
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"[{SEVERITY_LABELS.get(self.severity, self.severity)}] {where}：{self.message}"


class PerfxlError(Exception):
    """A workbook (or an argument) that cannot be used at all."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell

    def with_file(self, file: str) -> PerfxlError:
        if self.file is None:
            self.file = file
        return self

    def line(self) -> str:
        """The one-line Chinese message: 文件 …，工作表 …，单元格 …：…"""
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.sheet:
            parts.append(f"工作表 {self.sheet}")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        prefix = "，".join(parts)
        return f"{prefix}：{self.message}" if prefix else self.message

    def __str__(self) -> str:
        return self.line()


class Interrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C or SIGTERM after *done* of *total* workbooks.

    The outputs written until then are complete files; 汇总.xlsx is not written.
    """

    def __init__(self, done: int, total: int) -> None:
        super().__init__(done, total)
        self.done = done
        self.total = total
