"""The report draft (docs/report.md): the .docx is read back with python-docx and its
sections, numbers, tables, problem list, placeholders and typography are checked against
the scored evaluation; LibreOffice renders it to PDF with Chinese glyphs."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Cm

import perfxl
from perfxl import chart
from perfxl.cli import main
from perfxl.numbers import fmt_num
from perfxl.report_text import SEVERITY_NAMES, display_name, lost_indicators, two

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
REF000 = INPUTS / "000_政务服务运行维护费_项目评价.xlsx"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
SELF_DEPT = INPUTS / "示例_部门整体自评_示例县农业农村局.xlsx"
RULES = INPUTS / "示例_项目评价_规则大全.xlsx"

PROJECT_SECTIONS = [
    "一、基本情况",
    "二、绩效评价工作开展情况",
    "三、综合评价情况及评价结论",
    "四、绩效评价指标分析",
    "五、主要经验及做法、存在的问题及原因分析",
    "六、有关建议",
    "七、其他需要说明的问题",
    "附件 指标体系评分表",
]
DEPARTMENT_SECTIONS = [
    "一、基本概况",
    "二、评价工作简述",
    "三、绩效评价分析",
    "四、评价结论",
    "五、主要经验及做法、存在的问题",
    "六、相关建议",
    "七、绩效评价结果应用建议",
    "八、其他需要说明的问题",
    "附件1 综合评分表",
]
SELF_SECTIONS = [
    "一、部门基本情况",
    "二、绩效自评工作开展情况",
    "三、综合自评结论",
    "四、绩效目标实现情况分析",
    "五、存在的问题及偏差原因分析",
    "六、改进措施及建议",
    "七、其他需要说明的问题",
    "附件 绩效自评表",
]


class Report:
    """A written report read back: the evaluation, the file, its paragraphs and tables."""

    def __init__(self, ev: perfxl.Evaluation, path: Path) -> None:
        self.ev = ev
        self.path = path
        self.doc = Document(str(path))
        self.paragraphs = self.doc.paragraphs
        self.text = "\n".join(p.text for p in self.paragraphs)

    def headings(self, level: int) -> list[str]:
        return [p.text for p in self.paragraphs if _style(p) == f"Heading{level}"]

    def section(self, title: str) -> list[str]:
        """The paragraphs after the heading *title* up to the next heading of the same level or above."""
        out: list[str] = []
        level = None
        for p in self.paragraphs:
            style = _style(p)
            if level is None:
                if style.startswith("Heading") and p.text.endswith(title):
                    level = int(style[-1])
                continue
            if style.startswith("Heading") and int(style[-1]) <= level:
                break
            out.append(p.text)
        assert level is not None, f"no heading {title}"
        return out

    def table(self, first_header: str, second_header: str) -> list[list[str]]:
        """The rows (header included) of the first table whose header starts with these two cells."""
        for table in self.doc.tables:
            rows = [[c.text for c in row.cells] for row in table.rows]
            if rows[0][:2] == [first_header, second_header]:
                return rows
        raise AssertionError(f"no table with header {first_header}, {second_header}")

    def runs(self):
        for p in self.paragraphs:
            yield from p.runs
        for table in self.doc.tables:
            for row in table.rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        yield from p.runs


def _style(paragraph) -> str:
    ppr = paragraph._p.pPr
    return ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else ""


def _write(tmp_path_factory: pytest.TempPathFactory, source: Path, kind: str = "auto") -> Report:
    ev = perfxl.score(source)
    path = perfxl.write_report(ev, tmp_path_factory.mktemp("report") / f"{source.stem}.docx", kind)
    return Report(ev, path)


@pytest.fixture(scope="module")
def r000(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _write(tmp_path_factory, REF000)


@pytest.fixture(scope="module")
def r004(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _write(tmp_path_factory, REF004)


@pytest.fixture(scope="module")
def rself(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _write(tmp_path_factory, SELF_DEPT)


# --- sections ---------------------------------------------------------------------------


def test_project_report_has_the_sections_of_the_guidance_in_order(r000: Report) -> None:
    assert r000.headings(1) == PROJECT_SECTIONS
    level2 = r000.headings(2)
    for expected in (
        "（一）项目概况",
        "（二）资金情况",
        "（三）绩效目标",
        "（一）绩效评价目的、对象和范围",
        "（二）绩效评价原则",
        "（三）评价指标体系",
        "（四）评价方法",
        "（五）评价标准",
        "（六）绩效评价工作过程",
        "（一）决策指标分析",
        "（二）过程指标分析",
        "（三）产出指标分析",
        "（四）效益指标分析",
        "（五）满意度问卷调查情况",
        "（一）主要经验及做法",
        "（二）存在的问题及原因分析",
    ):
        assert expected in level2
    assert "2023年政务服务运行维护费项目" in r000.paragraphs[0].text
    assert r000.paragraphs[1].text == "绩效评价报告"


def test_department_and_self_reports_use_their_own_outlines(r004: Report, rself: Report) -> None:
    assert r004.headings(1) == DEPARTMENT_SECTIONS
    assert {"（一）总体评价结论", "（二）评分结果", "（二）部门整体支出规模"} <= set(r004.headings(2))
    assert r004.paragraphs[1].text == "部门整体支出绩效评价报告"
    assert rself.headings(1) == SELF_SECTIONS
    assert rself.paragraphs[1].text == "部门整体支出绩效自评报告"


def test_kind_can_be_chosen_and_is_checked(tmp_path: Path) -> None:
    ev = perfxl.score(REF000)
    report = Report(ev, perfxl.write_report(ev, tmp_path / "部门.docx", kind="department"))
    assert report.headings(1) == DEPARTMENT_SECTIONS
    with pytest.raises(perfxl.ArgumentError) as exc:
        perfxl.write_report(ev, tmp_path / "x.docx", kind="whole")
    assert exc.value.param == "kind" and "报告类型" in str(exc.value)


# --- numbers from the evaluation ----------------------------------------------------------


def test_conclusion_and_totals(r000: Report, r004: Report) -> None:
    assert "综合评分 84.75 分，评价等级为“良”" in r000.text
    assert "综合评分 93.00 分，评价等级为“优”" in r004.text
    assert ["合计", "100", "93.00", "93.00%"] in r004.table("一级指标", "权重（分）")


def test_rates_are_written_with_their_formula_in_words(r000: Report, r004: Report) -> None:
    assert "预算执行率 = 实际支出数 249.99 万元 ÷ 实际到位数 252.49 万元 = 99.01%" in r000.text
    assert "资金到位率 = 实际到位数 252.49 万元 ÷ 全年预算数 252.49 万元 = 100.00%" in r000.text
    assert "人员到位率 = 月均在岗人数 33.5 ÷ 目标人数 35 = 95.71%" in r000.text
    assert (
        "预算调整率 = （全年预算数 718.39 万元 − 年初预算数 442.31 万元）÷ 年初预算数 442.31 万元 = 62.42%"
        in r004.text
    )
    assert (
        "日常公用经费控制率 = 公用经费 实际支出数 59.55 万元 ÷ 公用经费 年初预算数 8.00 万元 = 744.38%"
        in r004.text
    )
    assert "“三公”经费控制率：三公经费 实际支出数 0.00 万元" in r004.text
    budget = r000.table("项目", "年初预算数")
    assert budget == [
        ["项目", "年初预算数", "全年预算数", "实际到位数", "实际支出数"],
        ["合计", "252.49", "252.49", "252.49", "249.99"],
    ]


GROUP_ROWS = {
    "r000": [["决策", "14", "12.86", "91.86%"], ["过程", "26", "17.07", "65.65%"],
             ["产出", "36", "30.96", "86.00%"], ["效益", "24", "23.86", "99.42%"]],
    "r004": [["部门决策", "15", "15.00", "100.00%"], ["部门管理", "35", "32.00", "91.43%"],
             ["部门绩效", "50", "46.00", "92.00%"]],
    "rself": [["产出指标", "50", "44.21", "88.42%"], ["效益指标", "30", "30.00", "100.00%"],
              ["满意度指标", "10", "9.95", "99.50%"]],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(GROUP_ROWS))
def test_every_group_score_is_in_the_score_table(name: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(name)
    rows = report.table("一级指标", "权重（分）")
    assert [row for row in rows if row[0] in {g.name for g in report.ev.groups}] == GROUP_ROWS[name]
    assert len(report.ev.groups) == len(GROUP_ROWS[name])
    for group, weight, score, rate in GROUP_ROWS[name]:
        assert f"{group}指标权重 {weight} 分，得分 {score} 分，得分率 {rate}" in report.text


def test_self_evaluation_counts_the_budget_execution(rself: Report) -> None:
    ev = rself.ev
    assert ev.execution is not None
    assert ["预算执行率", "10", "9.69", "96.86%"] in rself.table("一级指标", "权重（分）")
    sentence = "预算执行率 = 全年执行数 2596.31 万元 ÷ 全年预算数 2680.45 万元 = 96.86%，得分 = 10 × 96.86% = 9.69 分"
    assert sentence in rself.text
    assert ["合计", "100", "93.85", "93.85%"] in rself.table("一级指标", "权重（分）")


@pytest.mark.parametrize("name", ["r000", "r004", "rself"])
def test_appendix_has_one_row_per_indicator_and_a_repeated_header(
    name: str, request: pytest.FixtureRequest
) -> None:
    report: Report = request.getfixturevalue(name)
    table = report.doc.tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    extra = 1 if report.ev.execution is not None else 0
    assert len(rows) == 1 + extra + len(report.ev.indicators) + 1  # header, 预算执行率, indicators, 合计
    assert [r[3] for r in rows[1 + extra : -1]] == [display_name(i) for i in report.ev.indicators]
    assert [r[-3 if name == "rself" else -2] for r in rows[1 + extra : -1]] == [
        two(i.final) for i in report.ev.indicators
    ]
    assert rows[-1][1] == "合计" and two(report.ev.total) in rows[-1]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert report.doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE


def test_indicator_analysis_uses_the_scoring_process_or_the_explanation(r000: Report, rself: Report) -> None:
    for i in r000.ev.indicators:
        first = i.row.text("process").splitlines()[0].strip()
        assert f"“{display_name(i)}”：{first}" in r000.text
        assert f"该指标权重 {fmt_num(i.weight)} 分，得分 {two(i.final)} 分" in r000.text
    # 日均办件量: the form says 2.5, the rule gives 5: the report says so, to be checked
    assert "评分表填写得分 2.50 分，与复核得分 5.00 分不一致" in r000.text
    for i in rself.ev.indicators:  # no 评分过程 on the national form: facts, the rule's note, a blank
        assert f"“{display_name(i)}”：" in rself.text
        assert f"评分情况：{i.note}。" in rself.text
    assert "【待填写：评价发现及依据】" in rself.text


# --- problems ----------------------------------------------------------------------------

_PROBLEM = re.compile(r"^（\d+）“(.+?)”扣 ([\d.]+) 分（权重 ")


@pytest.mark.parametrize(
    ("name", "section"),
    [("r000", "存在的问题及原因分析"), ("r004", "存在的问题"), ("rself", "存在的问题及偏差原因分析")],
)
def test_problem_list_names_every_indicator_that_lost_points(
    name: str, section: str, request: pytest.FixtureRequest
) -> None:
    report: Report = request.getfixturevalue(name)
    found = [m.groups() for line in report.section(section) if (m := _PROBLEM.match(line))]
    expected = [(display_name(i), two(i.lost)) for i in lost_indicators(report.ev)]
    assert found == expected and expected
    assert f"合计扣 {two(100 - report.ev.total)} 分" in "\n".join(report.section(section))  # no bonus here


def test_problem_list_of_004(r004: Report) -> None:
    lines = "\n".join(r004.section("存在的问题"))
    assert "“B42项目支出预算调整率”扣 3.00 分（权重 3 分，得 0.00 分）" in lines
    assert "“C22日常公用经费控制率”扣 4.00 分（权重 4 分，得 0.00 分）" in lines
    assert "共有 2 项指标扣分，合计扣 7.00 分" in lines


@pytest.mark.parametrize("name", ["r000", "r004"])
def test_problem_list_has_every_error_and_warning(name: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(name)
    serious = [f for f in report.ev.findings if f.severity in SEVERITY_NAMES]
    assert serious
    lines = "\n".join(report.section("评分表审核发现的问题"))
    for f in serious:
        assert f"{SEVERITY_NAMES[f.severity]}（{f.sheet} {f.cell}）：{f.message}" in lines
    infos = [f for f in report.ev.findings if f.severity == "info"]
    assert all(f.message not in lines for f in infos)


def test_self_evaluation_problems_quote_the_deviation_column(rself: Report) -> None:
    lines = "\n".join(rself.section("存在的问题及偏差原因分析"))
    assert "偏差原因分析：农业技术推广项目受旱情影响延期；下年度提前制定应急预案。" in lines
    assert "“预算执行率”" not in lines and "预算执行方面（扣 0.31 分）" in lines


# --- questionnaire ------------------------------------------------------------------------


def test_questionnaire_results(r000: Report, tmp_path: Path) -> None:
    lines = "\n".join(r000.section("满意度问卷调查情况"))
    assert "“来访人员”问卷共回收 341 份，有效问卷 341 份（有效率 100.00%）；总体满意度 99.27%" in lines
    assert "未计算 Cronbach α" in lines
    rows = r000.table("序号", "题目")
    assert rows[1] == ["1", "您对窗口引导员服务态度的评价", "341", "4.98", "99.71%"]
    ev = perfxl.score(REF000)
    ev.surveys[0].cronbach_alpha = 0.8734  # as computed from raw answers
    ev.surveys[0].source = "raw"
    report = Report(ev, perfxl.write_report(ev, tmp_path / "alpha.docx"))
    assert "信度系数 Cronbach α = 0.87，信度良好。" in report.text


# --- layout ------------------------------------------------------------------------------


def test_placeholders_are_yellow_and_searchable(r000: Report) -> None:
    blanks = [run for run in r000.runs() if "【待填写：" in run.text]
    assert len(blanks) > 20
    assert all(run.font.highlight_color == WD_COLOR_INDEX.YELLOW for run in blanks)
    highlighted = [run for run in r000.runs() if run.font.highlight_color is not None]
    assert all(run.text.startswith("【待填写：") and run.text.endswith("】") for run in highlighted)


def test_typography(r000: Report) -> None:
    doc = r000.doc
    first = doc.sections[0]
    assert abs(first.page_width - Cm(21)) < Cm(0.01) and abs(first.page_height - Cm(29.7)) < Cm(0.01)
    fonts = {run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for run in r000.runs() if run.text}
    assert fonts == {"仿宋", "黑体", "宋体"}
    heading_fonts = {
        run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for p in doc.paragraphs
        if _style(p).startswith("Heading")
        for run in p.runs
    }
    assert heading_fonts == {"黑体"}
    footer = first.footer._element.xml
    assert "PAGE" in footer and "instrText" in footer
    rows = r000.table("一级指标", "权重（分）")
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "一级指标" and len(t.columns) == 4)
    assert table.rows[1].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(re.fullmatch(r"\d+\.\d{2}", row[2]) for row in rows[1:])
    assert all(re.fullmatch(r"\d+\.\d{2}%", row[3]) for row in rows[1:])
    assert len(doc.inline_shapes) == 1  # the 得分率 chart
    assert "图1 一级指标得分率" in r000.text
    [font_table] = [part for part in doc.part.package.iter_parts() if part.partname == "/word/fontTable.xml"]
    assert all(
        name in font_table.blob.decode() for name in ("FangSong", "SimHei", "SimSun", 'w:charset w:val="86"')
    )


def test_same_input_same_file(r004: Report, tmp_path: Path) -> None:
    again = perfxl.write_report(perfxl.score(REF004), tmp_path / "again.docx")
    assert again.read_bytes() == r004.path.read_bytes()
    props = r004.doc.core_properties
    assert props.created == props.modified == dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert props.author == "perfxl"


# --- errors ------------------------------------------------------------------------------


def test_refuses_an_evaluation_that_cannot_be_scored(make_xlsx, tmp_path: Path) -> None:
    path = make_xlsx(
        {"指标": {"A1": "三级指标", "B1": "权重", "C1": "得分", "A2": "甲", "B2": "五分", "C2": 3}}
    )
    ev = perfxl.score(path)
    with pytest.raises(perfxl.PerfxlError, match="未写出报告"):
        perfxl.write_report(ev, tmp_path / "r.docx")
    assert not list(tmp_path.glob("*.docx"))


def test_output_must_be_a_docx_in_an_existing_folder(tmp_path: Path) -> None:
    ev = perfxl.score(REF004)
    with pytest.raises(perfxl.PerfxlError, match=r"不是 \.docx 文件名"):
        perfxl.write_report(ev, tmp_path / "r.pdf")
    with pytest.raises(perfxl.PerfxlError, match="输出目录不存在"):
        perfxl.write_report(ev, tmp_path / "没有" / "r.docx")
    assert not list(tmp_path.iterdir())


def test_no_chinese_font_is_a_chinese_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from matplotlib import font_manager

    monkeypatch.setattr(chart, "FONT_FILES", ())
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    with pytest.raises(perfxl.PerfxlError, match=r"找不到中文字体.*fonts-wqy-microhei"):
        perfxl.write_report(perfxl.score(REF004), tmp_path / "r.docx")
    assert not list(tmp_path.iterdir())


def test_chart_font_is_found() -> None:
    path = chart.find_cjk_font()
    assert Path(path).is_file()


# --- rendering with LibreOffice -----------------------------------------------------------


@pytest.fixture(scope="module")
def writer() -> str:
    """soffice with Writer, and poppler's pdftotext and pdffonts; skipped without them unless PERFXL_REQUIRE_LO=1."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    missing = []
    if soffice is None or not list(Path(os.path.realpath(soffice)).parent.glob("libswlo.*")):
        missing.append("LibreOffice Writer（apt-get install libreoffice-writer-nogui）")
    if not (shutil.which("pdftotext") and shutil.which("pdffonts")):
        missing.append("pdftotext/pdffonts（apt-get install poppler-utils）")
    if missing:
        reason = f"未安装 {'、'.join(missing)}，跳过报告渲染测试"
        if os.environ.get("PERFXL_REQUIRE_LO") == "1":
            pytest.fail(f"PERFXL_REQUIRE_LO=1 但{reason}")
        pytest.skip(reason)
    assert soffice is not None
    return soffice


def test_report_renders_with_chinese_glyphs(writer: str, r004: Report, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    subprocess.run(
        [writer, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(r004.path)],
        check=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    pdf = tmp_path / f"{r004.path.stem}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "综合评分93.00分，评价等级为“优”" in flat
    assert "部门整体支出绩效评价报告" in flat and "附件1综合评分表" in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    embedded = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert any(re.search(r"WenQuanYi|CJK|Hei|Song|Fang|Kai|Ming", name) for name in embedded), fonts
    assert "\ufffd" not in text


# --- command line ---------------------------------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real entry point: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "报告.docx"
    code, stdout, stderr = run(["report", str(REF004), "-o", str(out)], capsys)
    assert code == 0 and not stderr
    assert "总分 93.00，等级 优" in stdout and f"已写出报告：{out}" in stdout
    assert "综合评分 93.00 分，评价等级为“优”" in "\n".join(p.text for p in Document(str(out)).paragraphs)
    local = tmp_path / REF000.name
    shutil.copyfile(REF000, local)
    code, stdout, _ = run(["report", str(local), "--kind", "project"], capsys)
    assert code == 0 and (tmp_path / f"{REF000.stem}_评价报告.docx").is_file()


def test_batch_writes_a_report_beside_each_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for path in (REF000, REF004):
        shutil.copyfile(path, src / path.name)
    out = tmp_path / "out"
    code, stdout, _ = run(["batch", str(src), "-o", str(out), "--report", "--jobs", "2", "--json"], capsys)
    assert code == 0
    results = json.loads(stdout)["results"]
    assert [Path(r["report"]).name for r in results] == [f"{REF000.stem}.docx", f"{REF004.stem}.docx"]
    for r in results:
        assert Path(r["report"]) == Path(r["output"]).with_suffix(".docx")
        text = "\n".join(p.text for p in Document(r["report"]).paragraphs)
        assert f"综合评分 {r['total']:.2f} 分，评价等级为“{r['grade']}”" in text


def test_batch_report_failure_keeps_the_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib import font_manager

    monkeypatch.setattr(chart, "FONT_FILES", ())
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    src = tmp_path / "in"
    src.mkdir()
    shutil.copyfile(REF004, src / REF004.name)
    out = tmp_path / "out"
    code, stdout, stderr = run(["batch", str(src), "-o", str(out), "--report", "--jobs", "1"], capsys)
    assert code == 1 and f"文件 {REF004.name}：评分表已写出，报告未写出：找不到中文字体" in stderr
    assert "计分成功 1" in stdout and "无法计分 0" in stdout  # the workbook was scored and written
    assert (out / REF004.name).is_file() and not list(out.glob("*.docx"))
    code, stdout, _ = run(["batch", str(src), "-o", str(out), "--report", "--jobs", "1", "--json"], capsys)
    doc = json.loads(stdout)
    assert code == 1 and not doc["failed"] and [f["file"] for f in doc["reports_failed"]] == [REF004.name]


# --- the chart ------------------------------------------------------------------------------

BARS = (
    ["决策", "过程", "产出", "效益"],
    [91.86, 65.65, 86.0, 99.42],
    ["91.86%", "65.65%", "86.00%", "99.42%"],
)


def test_chart_is_a_png_drawn_the_same_here_and_in_the_helper_process() -> None:
    here = chart.bar_chart(*BARS, chart.find_cjk_font())
    assert here.startswith(b"\x89PNG\r\n\x1a\n")
    with chart.preload():
        helper = chart._helper
        assert helper is not None
        assert chart.draw(*BARS) == here
    with pytest.raises(ChildProcessError):
        os.waitpid(helper.pid, os.WNOHANG)  # reaped


def test_an_unused_helper_is_stopped_and_a_failed_one_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    with chart.preload():
        pid = chart._helper.pid if chart._helper else 0
    assert chart._helper is None and pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    parent = os.getpid()
    real = chart.bar_chart

    def only_here(*args: object) -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("the helper fails")
        return real(*args)

    monkeypatch.setattr(chart, "bar_chart", only_here)
    with chart.preload():
        assert chart.draw(*BARS) == real(*BARS, chart.find_cjk_font())


def test_report_command_on_a_blocked_workbook_leaves_no_helper(
    make_xlsx, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_xlsx(
        {"指标": {"A1": "三级指标", "B1": "权重", "C1": "得分", "A2": "甲", "B2": "五分", "C2": 3}}
    )
    code, _, stderr = run(["report", str(path), "-o", str(tmp_path / "r.docx")], capsys)
    assert code == 1 and "无法计分的数据" in stderr
    assert chart._helper is None and not (tmp_path / "r.docx").exists()
