"""Shared fixtures.  Keep them small; group new ones under a heading below."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import xlsxwriter
from recalc import INSTALL_HINT, LibreOffice, find_soffice

# --- LibreOffice recalculation ----------------------------------------------------------

LO_MISSING = f"LibreOffice (soffice) 未安装，跳过重算测试：{INSTALL_HINT}"


@pytest.fixture(scope="session")
def lo(tmp_path_factory: pytest.TempPathFactory) -> LibreOffice:
    """Recalculation helper (tests/recalc.py); skips without soffice unless PERFXL_REQUIRE_LO=1."""
    if find_soffice() is None:
        if os.environ.get("PERFXL_REQUIRE_LO") == "1":
            pytest.fail(f"PERFXL_REQUIRE_LO=1 但找不到 LibreOffice (soffice)：{INSTALL_HINT}")
        pytest.skip(LO_MISSING)
    return LibreOffice(tmp_path_factory.mktemp("lo"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that use `lo` need LibreOffice: mark them so `-m "not libreoffice"` leaves them out.
    for item in items:
        if "lo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libreoffice)


# --- small workbooks --------------------------------------------------------------------

MakeXlsx = Callable[..., Path]


@pytest.fixture
def make_xlsx(tmp_path: Path) -> MakeXlsx:
    """Write a tiny workbook: ``make_xlsx({"表": {"A1": 2, "A2": ("=A1*2", 4)}}, name="x.xlsx")``.

    A ``(formula, cached)`` tuple writes a formula with that cached result; any other
    value is written as is (strings stay strings, even ``"=1"``).
    """

    def make(sheets: Mapping[str, Mapping[str, object]], name: str = "book.xlsx") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with xlsxwriter.Workbook(path) as wb:
            for title, cells in sheets.items():
                ws = wb.add_worksheet(title)
                for a1, value in cells.items():
                    if isinstance(value, tuple):
                        formula, cached = value
                        ws.write_formula(a1, formula, None, cached)
                    elif isinstance(value, str):
                        ws.write_string(a1, value)
                    else:
                        ws.write(a1, value)
        return path

    return make


@pytest.fixture
def tmp_out(tmp_path: Path) -> Path:
    """An empty output directory (``-o`` of the CLI)."""
    out = tmp_path / "out"
    out.mkdir()
    return out
