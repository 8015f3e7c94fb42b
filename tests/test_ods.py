""".ods input (LibreOffice's format): read into the same model as .xlsx, scored the same, written as .xlsx.

The workbooks are the examples of inputs/ saved as .ods by LibreOffice itself; hostile
or wrong OpenDocument files are built here with zipfile.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from perfxl import api
from perfxl.book import open_book
from perfxl.errors import PerfxlError

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
EXAMPLES = [
    INPUTS / "000_政务服务运行维护费_项目评价.xlsx",
    INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx",
    INPUTS / "示例_部门项目自评1_高标准农田建设.xlsx",
]


def perfxl(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from perfxl.cli import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=240)


@pytest.fixture(scope="module")
def saved_as_ods(lo, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Each example and its .ods copy, under the example's own name (X.xlsx → X.ods)."""
    folder = tmp_path_factory.mktemp("ods")
    out = {}
    for src, converted in zip(EXAMPLES, lo.convert(EXAMPLES, "ods"), strict=True):
        dest = folder / f"{src.stem}.ods"
        dest.write_bytes(converted.read_bytes())
        out[src] = dest
    return out


def test_ods_scores_as_the_xlsx(saved_as_ods: dict[Path, Path]) -> None:
    for xlsx, ods in saved_as_ods.items():
        a, b = api.score(xlsx).to_dict(), api.score(ods).to_dict()
        assert b.pop("file") == str(ods)
        a.pop("file")
        assert a == b, xlsx.name  # total, groups, every indicator and finding


def test_ods_merged_cells_are_read(saved_as_ods: dict[Path, Path]) -> None:
    for xlsx, ods in saved_as_ods.items():
        a, b = open_book(xlsx), open_book(ods)
        assert a.sheet_names == b.sheet_names
        for name in a.sheet_names:
            assert sorted(a.sheet(name).merged) == sorted(b.sheet(name).merged), (xlsx.name, name)


def test_score_an_ods_writes_xlsx_beside_it(saved_as_ods: dict[Path, Path], tmp_path: Path) -> None:
    xlsx = EXAMPLES[1]
    ods = tmp_path / f"{xlsx.stem}.ods"
    ods.write_bytes(saved_as_ods[xlsx].read_bytes())
    before = hashlib.sha256(ods.read_bytes()).hexdigest()
    proc = perfxl("score", str(ods), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["total"] == 93.0 and doc["output"] == str(tmp_path / f"{xlsx.stem}_评分结果.xlsx")
    assert zipfile.ZipFile(doc["output"]).getinfo("xl/workbook.xml")  # an .xlsx, whatever the input
    assert hashlib.sha256(ods.read_bytes()).hexdigest() == before


def test_batch_finds_ods_and_keeps_both_outputs_of_a_name(
    saved_as_ods: dict[Path, Path], tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    xlsx = EXAMPLES[0]
    (src / "甲.xlsx").write_bytes(xlsx.read_bytes())
    (src / "甲.ods").write_bytes(saved_as_ods[xlsx].read_bytes())  # the same evaluation, saved twice
    (src / "乙.ods").write_bytes(saved_as_ods[EXAMPLES[1]].read_bytes())
    proc = perfxl("batch", str(src), "-o", str(tmp_path / "out"), "--json", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    got = {r["file"]: (Path(r["output"]).name, r["total"]) for r in doc["results"]}
    assert got == {
        "乙.ods": ("乙.xlsx", 93.0),
        "甲.ods": ("甲_ods.xlsx", 84.75),
        "甲.xlsx": ("甲.xlsx", 84.75),
    }


def test_an_ods_named_xlsx_is_read_by_its_content(saved_as_ods: dict[Path, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "另存.xlsx"
    renamed.write_bytes(saved_as_ods[EXAMPLES[1]].read_bytes())
    assert api.score(renamed).total == 93


# --- wrong or hostile OpenDocument files (no LibreOffice needed) --------------------------

_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
    '<office:body><office:spreadsheet><table:table table:name="指标">{rows}</table:table>'
    "</office:spreadsheet></office:body></office:document-content>"
)
_ROW = '<table:table-row{attrs}><table:table-cell office:value-type="float" office:value="1"{cell}><text:p>1</text:p></table:table-cell></table:table-row>'


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def opendocument(
    path: Path, content: str | None, mime: str = "application/vnd.oasis.opendocument.spreadsheet"
) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", mime, compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", _MANIFEST)
        if content is not None:
            zf.writestr("content.xml", content)
    return path


@pytest.mark.parametrize(
    ("content", "mime", "needle"),
    [
        (
            _CONTENT.format(rows=_ROW.format(attrs=' table:number-rows-repeated="1048576"', cell="")),
            None,
            "工作表过大",
        ),
        (
            _CONTENT.format(
                rows=_ROW.format(
                    attrs=' table:number-rows-repeated="3000"', cell=' table:number-columns-repeated="16384"'
                )
            ),
            None,
            "工作表过大",
        ),
        (_CONTENT.format(rows="<table:table-row>"), None, "不是有效的 XML"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', None, "DOCTYPE"),
        (None, None, "没有 content.xml"),
        ("<x/>", "application/vnd.oasis.opendocument.text", "OpenDocument 文本文档（.odt），不是电子表格"),
    ],
)
def test_bad_opendocument_files_are_one_line(
    tmp_path: Path, content: str | None, mime: str | None, needle: str
) -> None:
    path = opendocument(tmp_path / "坏.ods", content, *([mime] if mime else []))
    with pytest.raises(PerfxlError) as exc:
        open_book(path)
    assert needle in exc.value.line() and exc.value.file == str(path)
    proc = perfxl("score", str(path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert (
        proc.stderr.startswith(f"文件 {path}")
        and needle in proc.stderr
        and len(proc.stderr.splitlines()) == 1
    )


def test_a_small_ods_with_repeats_and_merges(tmp_path: Path) -> None:
    rows = (
        _ROW.format(attrs=' table:number-rows-repeated="2"', cell=' table:number-columns-repeated="3"')
        + '<table:table-row><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2" '
        'office:value-type="string"><text:p>合并</text:p></table:table-cell><table:covered-table-cell/></table:table-row>'
        '<table:table-row><table:covered-table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="float" office:value="2"><text:p>2</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    book = open_book(opendocument(tmp_path / "小.ods", _CONTENT.format(rows=rows)))
    sheet = book.sheet("指标")
    assert sheet.rows[:2] == [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]] and sheet.rows[2][0] == "合并"
    assert len(sheet.rows) == 4 and sheet.rows[3][2] == 2  # the trailing empty rows are not rows
    assert sheet.merged == [((2, 0), (3, 1))]


def test_an_incomplete_ods_is_one_chinese_line(tmp_path: Path) -> None:
    path = tmp_path / "残缺.ods"
    with zipfile.ZipFile(path, "w") as zf:  # no META-INF/manifest.xml: calamine refuses it
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", _CONTENT.format(rows=_ROW.format(attrs="", cell="")))
    with pytest.raises(PerfxlError, match="缺少必要的组成部分") as exc:
        open_book(path)
    assert not re.search(r"[A-Za-z]{4,}", exc.value.message)
