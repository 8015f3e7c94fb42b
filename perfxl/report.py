"""The evaluation report as a Word document (python-docx), laid out as Chinese official documents are.

:func:`write_report` builds the draft's blocks (:mod:`perfxl.report_text`) into an A4
document: 仿宋 body and 黑体 headings (the East Asian font set in every run, with Windows
names as alternatives in the font table), bordered tables with a repeated header row and
centred numbers, the 得分率 chart as an embedded PNG, page numbers in the footer, and
yellow-highlighted 【待填写：…】 blanks.  The file is written atomically and is the same,
byte for byte, for the same evaluation: fixed document dates, fixed zip entry times.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from . import files
from .chart import draw
from .errors import PerfxlError
from .evaluate import Evaluation
from .report_text import (
    Blank,
    Bold,
    Chart,
    Draft,
    Heading,
    Landscape,
    PageBreak,
    Paragraph,
    Run,
    Table,
    build_draft,
)

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TABLE_FONT = "宋体"
WESTERN_FONT = "Times New Roman"
# The font table names each font with its Windows name, panose and the GB2312 charset, so
# that a computer without one of them substitutes a Chinese font of the same kind.
FONT_TABLE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:font w:name="Times New Roman"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>'
    '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
    '<w:font w:name="仿宋"><w:altName w:val="FangSong"/><w:panose1 w:val="02010609060101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
    '<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:panose1 w:val="02010609060101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
    '<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:panose1 w:val="02010600030101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
    "</w:fonts>"
).encode()

BODY_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(10.5)  # 五号
HEADING_SIZES = {1: Pt(16), 2: Pt(15), 3: Pt(14)}  # 三号, 小三, 四号
TITLE_SIZE = Pt(22)  # 二号
LINE = Pt(28)  # fixed line pitch of the body

PORTRAIT = (Cm(21.0), Cm(29.7))
MARGINS = {"top": Cm(3.0), "bottom": Cm(2.8), "left": Cm(2.8), "right": Cm(2.6)}
CHART_WIDTH = Cm(14.5)
FIXED_DATE = _dt.datetime(2000, 1, 1)
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def write_report(ev: Evaluation, out: str | os.PathLike[str], kind: str = "auto") -> Path:
    """Write the report draft of *ev* to *out* (.docx) atomically; *kind*: auto, project, department, self."""
    target = Path(out)
    if target.suffix.lower() != ".docx":
        raise PerfxlError(f"“{target.name}”不是 .docx 文件名（报告为 Word 文档）", file=str(out))
    draft = build_draft(ev, kind)
    data = render(draft)
    return _atomic(target, data)


def render(draft: Draft) -> bytes:
    """The .docx file of a draft, as bytes."""
    doc = Document()
    _setup(doc, draft)
    _Body(doc).add(draft.blocks)
    raw = io.BytesIO()
    doc.save(raw)
    return _stable_zip(raw.getvalue())


# ------------------------------------------------------------------ document, styles, page


def _setup(doc: Any, draft: Draft) -> None:
    props = doc.core_properties
    props.title = f"{draft.title}（perfxl 草稿）"
    props.subject = "预算绩效评价报告"
    props.author = "perfxl"
    props.last_modified_by = "perfxl"
    props.keywords = "预算绩效评价, 评价报告, perfxl"
    props.comments = "由 perfxl 根据评分表生成的报告草稿；【待填写】处由评价人员补充"
    props.created = props.modified = props.last_printed = FIXED_DATE
    props.revision = 1
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's preview of an empty page
            del package.rels[rid]
    _styles(doc)
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_number(section)


def _styles(doc: Any) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal = styles["Normal"]
    _fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = BODY_SIZE
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = LINE
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = True
    for level, size in HEADING_SIZES.items():
        style = styles[f"Heading {level}"]
        _fonts(style.element.get_or_add_rPr(), HEADING_FONT)
        font = style.font
        font.size = size
        font.bold = False
        font.italic = False
        font.color.rgb = RGBColor(0, 0, 0)
        pf = style.paragraph_format
        pf.space_before = Pt(12 if level == 1 else 6)
        pf.space_after = Pt(6 if level == 1 else 0)
        pf.line_spacing = LINE
        pf.keep_with_next = True
        _indent_chars(style.element.get_or_add_pPr(), 200)
    title = styles["Title"]
    _fonts(title.element.get_or_add_rPr(), TABLE_FONT)
    title.font.size = TITLE_SIZE
    title.font.bold = True
    title.font.color.rgb = RGBColor(0, 0, 0)
    tpf = title.paragraph_format
    tpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tpf.space_before = Pt(24)
    tpf.space_after = Pt(6)
    tpf.line_spacing = 1.2
    _drop_border(title.element)
    caption = styles["Caption"]
    _fonts(caption.element.get_or_add_rPr(), HEADING_FONT)
    caption.font.size = TABLE_SIZE
    caption.font.bold = False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    cpf = caption.paragraph_format
    cpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cpf.space_before = Pt(6)
    cpf.space_after = Pt(3)
    cpf.line_spacing = 1.0
    table_text = styles.add_style("表格文字", 1)
    table_text.base_style = normal
    _fonts(table_text.element.get_or_add_rPr(), TABLE_FONT)
    table_text.font.size = TABLE_SIZE
    ttf = table_text.paragraph_format
    ttf.line_spacing = 1.0
    ttf.space_before = ttf.space_after = Pt(1)
    ttf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    footer = styles["Footer"]
    _fonts(footer.element.get_or_add_rPr(), TABLE_FONT)
    footer.font.size = Pt(12)


def _fonts(rpr: Any, east_asian: str) -> None:
    """Set the run fonts: *east_asian* for Chinese, Times New Roman for Latin; theme fonts removed."""
    fonts = rpr.get_or_add_rFonts()  # in its place among the run properties
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), WESTERN_FONT)
    fonts.set(qn("w:hAnsi"), WESTERN_FONT)
    fonts.set(qn("w:cs"), WESTERN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _indent_chars(ppr: Any, hundredths: int) -> None:
    """First-line indent in characters (200 = two characters), as Chinese paragraphs are indented."""
    ind = ppr.get_or_add_ind()  # in its place among the paragraph properties (before w:outlineLvl)
    ind.set(qn("w:firstLineChars"), str(hundredths))
    ind.set(qn("w:firstLine"), str(int(BODY_SIZE.pt * 20 * hundredths / 100)))


def _drop_border(style_element: Any) -> None:
    ppr = style_element.find(qn("w:pPr"))
    border = ppr.find(qn("w:pBdr")) if ppr is not None else None
    if border is not None:
        ppr.remove(border)


def _page(section: Any, landscape: bool) -> None:
    width, height = PORTRAIT
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side, size in MARGINS.items():
        setattr(section, f"{side}_margin", size)
    section.footer_distance = Cm(1.5)


def _page_number(section: Any) -> None:
    """'— 3 —' centred in the footer (a PAGE field)."""
    footer = section.footer
    footer.paragraphs[0]._p.getparent().remove(footer.paragraphs[0]._p)
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    runs = _run("— ", TABLE_FONT) + field + _run(" —", TABLE_FONT)
    footer._element.append(parse_xml(_p_xml(runs, style="Footer", align="center")))


# ------------------------------------------------------------------ blocks as WordprocessingML
#
# Paragraphs and tables are written as XML text and parsed once each: python-docx's object
# API takes about a second for a report's few thousand elements, this about a twentieth.

W = nsdecls("w")


def _run(text: str, font: str, bold: bool = False, highlight: bool = False) -> str:
    """A run with its fonts set (w:eastAsia for the Chinese text)."""
    props = (
        f'<w:rFonts w:ascii="{WESTERN_FONT}" w:hAnsi="{WESTERN_FONT}" w:cs="{WESTERN_FONT}" w:eastAsia="{font}"/>'
        + ("<w:b/><w:bCs/>" if bold else "")
        + ('<w:highlight w:val="yellow"/>' if highlight else "")
    )
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _runs(runs: Sequence[Run], font: str, bold: bool = False) -> str:
    return "".join(
        _run(str(r), font, bold=bold or isinstance(r, Bold), highlight=isinstance(r, Blank)) for r in runs
    )


def _p_xml(
    runs: str,
    style: str = "",
    align: str = "",
    indent: int | None = None,
    keep_next: bool = False,
    space_before: int | None = None,
    space_after: int | None = None,
) -> str:
    """A paragraph; *indent* is the first-line indent in hundredths of a character, spaces in twips."""
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    props += "<w:keepNext/>" if keep_next else ""
    if space_before is not None or space_after is not None:
        before = f' w:before="{space_before}"' if space_before is not None else ""
        after = f' w:after="{space_after}"' if space_after is not None else ""
        props += f"<w:spacing{before}{after}/>"
    if indent is not None:
        props += f'<w:ind w:firstLineChars="{indent}" w:firstLine="{int(BODY_SIZE.pt * 20 * indent / 100)}"/>'
    props += f'<w:jc w:val="{align}"/>' if align else ""
    return f"<w:p {W}><w:pPr>{props}</w:pPr>{runs}</w:p>"


class _Body:
    """Appends the blocks to the document body, before its final section properties."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.ids = {
            name: doc.styles[name].style_id
            for name in (
                *HEADINGS,
                "Title",
                "Normal",
                "Caption",
                TABLE_STYLE,
                "Table Grid",
            )
        }

    def add(self, blocks: Sequence[Any]) -> None:
        for block in blocks:
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Chart):
                self.chart(block)
            elif isinstance(block, Landscape):
                _page(self.doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
            elif isinstance(block, PageBreak):
                self.page_break()

    def append(self, xml: str) -> None:
        body = self.doc.element.body
        body.sectPr.addprevious(parse_xml(xml))

    def heading(self, block: Heading) -> None:
        style = self.ids[HEADINGS[block.level - 1]]
        if block.number:
            self.append(_p_xml(_runs((str(block),), HEADING_FONT), style=style))
        else:  # the appendix: centred, not indented
            self.append(_p_xml(_runs((str(block),), HEADING_FONT), style=style, align="center", indent=0))

    def paragraph(self, block: Paragraph) -> None:
        title = block.style in ("cover-title", "title")
        runs = _runs(block.runs, TABLE_FONT if title else BODY_FONT)
        if title:
            before = COVER_SPACE if block.style == "cover-title" else None
            self.append(_p_xml(runs, style=self.ids["Title"], space_before=before))
        elif block.style == "subtitle":
            self.append(_p_xml(runs, style=self.ids["Normal"], align="center", space_after=COVER_SPACE // 2))
        elif block.style == "cover":
            self.append(_p_xml(runs, style=self.ids["Normal"], align="center"))
        else:
            self.append(_p_xml(runs, style=self.ids["Normal"], indent=200))

    def page_break(self) -> None:
        self.append(f'<w:p {W}><w:r><w:br w:type="page"/></w:r></w:p>')

    def caption(self, text: str, keep_next: bool) -> None:
        self.append(_p_xml(_runs((text,), HEADING_FONT), style=self.ids["Caption"], keep_next=keep_next))

    def table(self, block: Table) -> None:
        self.caption(block.caption, keep_next=True)
        section = self.doc.sections[-1]
        width = (section.page_width - section.left_margin - section.right_margin) // 635  # EMU → twips
        share = sum(block.widths)
        widths = [int(width * w / share) for w in block.widths]
        text_style = self.ids[TABLE_STYLE]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        rows = [_header_xml(block.header, widths, text_style)]
        merged = _merged(block)
        last = len(block.rows) - 1
        keep = len(block.rows) <= KEEP_ROWS
        for r, values in enumerate(block.rows):
            cells = []
            for c, value in enumerate(values):
                state = merged.get((r, c), "")
                runs = (
                    ""
                    if state == "continue"
                    else _runs((value,), TABLE_FONT, bold=block.total_row and r == last)
                )
                align = "center" if c in block.numeric else ""
                paragraph = _p_xml(runs, style=text_style, align=align, keep_next=keep and r < last)
                cells.append(_cell_xml(paragraph, widths[c], state))
            split = "<w:trPr><w:cantSplit/></w:trPr>" if keep else ""
            rows.append(f"<w:tr>{split}{''.join(cells)}</w:tr>")
        props = (
            f'<w:tblStyle w:val="{self.ids["Table Grid"]}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f'<w:jc w:val="center"/>{BORDERS}<w:tblLayout w:type="fixed"/>'
        )
        self.append(
            f"<w:tbl {W}><w:tblPr>{props}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )
        self.append(_p_xml("", style=text_style))  # a little space after the table

    def chart(self, block: Chart) -> None:
        png = draw(block.labels, block.values, block.texts)
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.line_spacing = 1.0
        paragraph.add_run().add_picture(io.BytesIO(png), width=CHART_WIDTH)
        self.caption(block.caption, keep_next=False)


HEADINGS = ("Heading 1", "Heading 2", "Heading 3")
TABLE_STYLE = "表格文字"
COVER_SPACE = 2400  # twips of space above the title on the cover (120 pt)
KEEP_ROWS = 20  # a table up to this many rows stays on one page with its caption
BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


def _header_xml(header: Sequence[str], widths: Sequence[int], style: str) -> str:
    """The header row: repeated on every page, shaded, bold 黑体 centred."""
    cells = "".join(
        _cell_xml(
            _p_xml(_runs((text,), HEADING_FONT), style=style, align="center"), width, "", shade="D9E2F3"
        )
        for text, width in zip(header, widths, strict=True)
    )
    return f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{cells}</w:tr>"


def _cell_xml(paragraph: str, width: int, merge: str, shade: str = "") -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if merge:
        props += '<w:vMerge w:val="restart"/>' if merge == "restart" else "<w:vMerge/>"
    if shade:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
    props += '<w:vAlign w:val="center"/>'
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraph.replace(f' {W}', '', 1)}</w:tc>"


def _merged(block: Table) -> dict[tuple[int, int], str]:
    """(row, column) → 'restart' or 'continue' for runs of equal non-empty cells in the merge columns.

    A column merges only where the merge columns before it are equal too (二级 within 一级)."""
    states: dict[tuple[int, int], str] = {}
    for k, c in enumerate(block.merge):
        keys = [tuple(str(row[m]) for m in block.merge[: k + 1]) for row in block.rows]
        for r in range(1, len(keys)):
            if str(block.rows[r][c]) and keys[r] == keys[r - 1]:
                states.setdefault((r - 1, c), "restart")
                states[(r, c)] = "continue"
    return states


# ------------------------------------------------------------------ files


def _stable_zip(data: bytes) -> bytes:
    """The same .docx with every zip entry dated 2000-01-01 (equal documents are equal files) and
    perfxl's font table in place of the template's."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            body = FONT_TABLE if info.filename == "word/fontTable.xml" else src.read(info.filename)
            dst.writestr(entry, body)
    return out.getvalue()


def _atomic(target: Path, data: bytes) -> Path:
    """Write *data* to *target* through a temporary file in its folder, renamed when complete
    (a .docx name: never the input workbook)."""
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise PerfxlError("输出路径是一个文件夹，请指定 .docx 文件名", file=str(target))
    if not folder.is_dir():
        raise PerfxlError("输出目录不存在", file=str(target))
    try:
        tmp = files.new_temp(folder, suffix=".docx.tmp")
    except OSError as exc:
        raise PerfxlError(f"输出目录不可写（{files.reason(exc)}）", file=str(target)) from exc
    try:
        tmp.write_bytes(data)
        files.commit(tmp, target)
    except PermissionError as exc:
        files.discard(tmp)
        raise PerfxlError("无法写入报告（可能正被 WPS/Word 打开）", file=str(target)) from exc
    except OSError as exc:
        files.discard(tmp)
        raise PerfxlError(f"无法写入报告（{files.reason(exc)}）", file=str(target)) from exc
    except BaseException:
        files.discard(tmp)
        raise
    return target
