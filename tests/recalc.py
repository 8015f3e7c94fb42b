"""Recalculate workbooks with LibreOffice and compare against their cached values.

perfxl writes live formulas *and* the values it computed in Python as their cached
results.  These helpers let tests prove the two agree: LibreOffice opens the workbook
with recalculation forced on load, saves it again, and openpyxl reads the fresh values.

Recalculation is forced by a private LibreOffice user profile whose
``registrymodifications.xcu`` sets ``Calc/Formula/Load/OOXMLRecalcMode`` (and
``ODFRecalcMode``) to 0, "always recalculate".  Without it LibreOffice trusts the cached
values of files that claim to come from Excel, which xlsxwriter's files do.  A profile
serves one process at a time (a second soffice on the same profile hands its work to the
first or fails), so each process gets its own, created once and removed at exit.
"""

from __future__ import annotations

import atexit
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import openpyxl

TIMEOUT = 60.0  # seconds for one soffice call; a batch gets a little more per file
TOL = 0.005  # scores are shown with two decimals
INSTALL_HINT = "apt-get install libreoffice-calc-nogui"

Values = dict[str, dict[str, object]]  # {sheet: {A1: value}}

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_ERROR_RE = re.compile(r"#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA)|Err:\d+")

_lock = threading.Lock()  # one soffice per profile at a time
_profiles: dict[int, Path] = {}  # pid -> profile, so forked children never share one


class RecalcError(RuntimeError):
    """LibreOffice is missing, failed, timed out or produced no output."""


@dataclass(frozen=True)
class Mismatch:
    """A formula cell whose LibreOffice result differs from the cached value."""

    sheet: str
    cell: str
    formula: str
    cached: object
    recalculated: object

    def __str__(self) -> str:
        return (
            f"{self.sheet}!{self.cell} {self.formula}："
            f"缓存值 {self.cached!r}，LibreOffice 重算 {self.recalculated!r}"
        )


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_profile(dest: Path, *, force_recalc: bool = True) -> Path:
    """Create a LibreOffice user profile in *dest*; LibreOffice fills in the rest on first use."""
    (dest / "user").mkdir(parents=True, exist_ok=True)
    if force_recalc:
        (dest / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
    return dest


def profile_dir() -> Path:
    """This process's recalculating profile, created on first call and deleted at exit."""
    pid = os.getpid()
    if pid not in _profiles:
        path = Path(tempfile.mkdtemp(prefix=f"perfxl-lo-profile-{pid}-"))
        atexit.register(shutil.rmtree, path, True)
        _profiles[pid] = make_profile(path)
    return _profiles[pid]


def recalc(path: Path, workdir: Path) -> Values:
    """Values of every non-empty cell of *path* after LibreOffice recalculated it."""
    return recalc_many([path], workdir)[Path(path)]


def recalc_many(
    paths: Iterable[Path],
    workdir: Path,
    *,
    timeout: float | None = None,
    profile: Path | None = None,
) -> dict[Path, Values]:
    """Recalculate several workbooks in one soffice run; keys are the paths as given."""
    sources = [Path(p) for p in paths]
    if not sources:
        return {}
    run = Path(tempfile.mkdtemp(prefix="recalc-", dir=workdir))
    outputs = _convert(sources, run, "xlsx", timeout=timeout, profile=profile)
    return {src: _read_values(out) for src, out in zip(sources, outputs, strict=True)}


def formula_cells(path: Path) -> dict[tuple[str, str], tuple[str, object]]:
    """{(sheet, A1): (formula, cached value)} for every formula cell of *path*."""
    formulas: dict[tuple[str, str], str] = {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    text = _formula_text(cell.value)
                    if text is not None:
                        formulas[(ws.title, cell.coordinate)] = text
    finally:
        wb.close()
    cached = _read_values(path)
    return {(s, a1): (f, cached.get(s, {}).get(a1)) for (s, a1), f in formulas.items()}


def compare(path: Path, workdir: Path, tol: float = TOL) -> list[Mismatch]:
    """Every formula cell of *path* whose recalculated value differs from its cached value."""
    return compare_many([path], workdir, tol)[Path(path)]


def compare_many(paths: Iterable[Path], workdir: Path, tol: float = TOL) -> dict[Path, list[Mismatch]]:
    """:func:`compare` for several workbooks with one soffice run."""
    sources = [Path(p) for p in paths]
    fresh = recalc_many(sources, workdir)
    return {src: diff(formula_cells(src), fresh[src], tol) for src in sources}


def diff(
    cells: Mapping[tuple[str, str], tuple[str, object]], fresh: Values, tol: float = TOL
) -> list[Mismatch]:
    """Compare cached formula results with recalculated values (see :func:`same`)."""
    out = []
    for (sheet, a1), (formula, cached) in cells.items():
        got = fresh.get(sheet, {}).get(a1)
        if not same(cached, got, tol):
            out.append(Mismatch(sheet, a1, formula, cached, got))
    return out


def same(cached: object, got: object, tol: float = TOL) -> bool:
    """Numbers within *tol*; anything else equal; an error value never counts as equal."""
    if is_error(cached) or is_error(got):
        return False
    cached, got = (None if v == "" else v for v in (cached, got))
    if isinstance(cached, bool) or isinstance(got, bool):
        return type(cached) is type(got) and cached == got
    if isinstance(cached, int | float) and isinstance(got, int | float):
        return math.isfinite(cached) and math.isfinite(got) and abs(cached - got) <= tol
    return cached == got


def is_error(value: object) -> bool:
    """True for spreadsheet error values such as ``#VALUE!`` or LibreOffice's ``Err:502``."""
    return isinstance(value, str) and _ERROR_RE.fullmatch(value) is not None


def pdf_pages(path: Path, workdir: Path, *, dpi: int = 60) -> list[Path]:
    """Print *path* to PDF with LibreOffice and render each page to PNG with pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise RecalcError("pdftoppm 未安装，无法生成页面图片：apt-get install poppler-utils")
    run = Path(tempfile.mkdtemp(prefix="pdf-", dir=workdir))
    [pdf] = _convert([Path(path)], run, "pdf")
    prefix = run / "page"
    _run([pdftoppm, "-png", "-r", str(dpi), str(pdf), str(prefix)], TIMEOUT)
    # pdftoppm pads the page number to the width of the page count: page-1 or page-01
    pages = run.glob("page-*.png")
    return sorted(pages, key=lambda p: int(p.stem.rsplit("-", 1)[1]))


@dataclass(frozen=True)
class LibreOffice:
    """The helpers above bound to one work directory; the ``lo`` fixture yields one."""

    workdir: Path

    def recalc(self, path: Path) -> Values:
        return recalc(path, self.workdir)

    def recalc_many(self, paths: Iterable[Path]) -> dict[Path, Values]:
        return recalc_many(paths, self.workdir)

    def compare(self, path: Path, tol: float = TOL) -> list[Mismatch]:
        return compare(path, self.workdir, tol)

    def compare_many(self, paths: Iterable[Path], tol: float = TOL) -> dict[Path, list[Mismatch]]:
        return compare_many(paths, self.workdir, tol)

    def pdf_pages(self, path: Path, *, dpi: int = 60) -> list[Path]:
        return pdf_pages(path, self.workdir, dpi=dpi)

    def convert(self, paths: Iterable[Path], fmt: str) -> list[Path]:
        """Copies of *paths* saved by LibreOffice in another format (``"ods"``), in order."""
        run = Path(tempfile.mkdtemp(prefix="convert-", dir=self.workdir))
        return _convert([Path(p) for p in paths], run, fmt)


def _convert(
    sources: list[Path],
    run: Path,
    fmt: str,
    *,
    timeout: float | None = None,
    profile: Path | None = None,
) -> list[Path]:
    """Convert *sources* into run/out with one soffice call; return the outputs in order."""
    soffice = find_soffice()
    if soffice is None:
        raise RecalcError(f"LibreOffice (soffice) 未安装：{INSTALL_HINT}")
    # Copies under numbered names: inputs may share a file name, and soffice must not
    # write its output over an input sitting in the output directory.
    staged = run / "in"
    staged.mkdir()
    inputs = []
    for i, src in enumerate(sources):
        if not src.is_file():
            raise RecalcError(f"找不到要重算的文件：{src}")
        inputs.append(staged / f"{i}{src.suffix}")
        shutil.copyfile(src, inputs[-1])
    outdir = run / "out"
    profile = profile or profile_dir()
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        *map(str, inputs),
    ]
    if timeout is None:
        timeout = TIMEOUT + 5 * (len(inputs) - 1)
    with _lock:
        log = _run(cmd, timeout)
    outputs = [outdir / f"{i}.{fmt}" for i in range(len(inputs))]
    failed = [str(src) for src, out in zip(sources, outputs, strict=True) if not out.is_file()]
    if failed:
        raise RecalcError(f"LibreOffice 未能转换 {', '.join(failed)}\n{log}")
    return outputs


def _run(cmd: list[str], timeout: float) -> str:
    """Run *cmd* without input; return its output or raise RecalcError on failure or timeout."""
    # Own session, so a timeout can kill soffice.bin too, not just the soffice wrapper script.
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        log, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RecalcError(f"{Path(cmd[0]).name} 超时（{timeout:g} 秒）：{' '.join(cmd)}") from None
    if proc.returncode != 0:
        raise RecalcError(f"{Path(cmd[0]).name} 失败（退出码 {proc.returncode}）：{' '.join(cmd)}\n{log}")
    return log


def _read_values(path: Path) -> Values:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            ws.title: {
                cell.coordinate: cell.value
                for row in ws.iter_rows()
                for cell in row
                if cell.value is not None
            }
            for ws in wb.worksheets
        }
    finally:
        wb.close()


def _formula_text(value: object) -> str | None:
    if isinstance(value, str):
        return value if value.startswith("=") else None
    text = getattr(value, "text", None)  # ArrayFormula keeps its formula in .text
    return text if isinstance(text, str) else None
