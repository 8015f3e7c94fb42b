"""Questionnaires (perfxl.survey): tallies, 问卷星 exports, screening, methods, α, output sheet."""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from perfxl.book import open_book
from perfxl.errors import PerfxlError
from perfxl.numbers import fmt_pct, round_half_up
from perfxl.survey import (
    MEAN,
    SHARE,
    WEIGHTED,
    SurveyResult,
    cronbach_alpha,
    lookup,
    parse_method,
    survey_json,
)
from perfxl.survey_read import analyze_book, analyze_path, clean_label, label_score, parse_seconds
from perfxl.survey_write import write_survey_sheet
from perfxl.templates import write_template

FIVE = ["非常满意", "比较满意", "基本满意", "不太满意", "非常不满意"]
OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def write_book(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """Rows of plain values per sheet; strings stay strings, None leaves the cell empty."""
    with xlsxwriter.Workbook(str(path), OPTIONS) as wb:
        for name, rows in sheets.items():
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    if v is None:
                        continue
                    if isinstance(v, str):
                        ws.write_string(r, c, v)
                    else:
                        ws.write_number(r, c, v)
    return path


def pct3(x: float | None) -> str:
    """0.971830… → '97.183' (percent with three decimals, half up, as reference 004 prints)."""
    assert x is not None
    return f"{round_half_up(Decimal(repr(x)) * 100, 3)}"


# ---------------------------------------------------------------- reference 000 (share method)


def test_reference_000_share_method(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "000.xlsx",
        {
            "问卷汇总-来访人员": [
                ["2023年政务服务运营维护经费项目满意度调查问卷（来访人员）"],
                ["计算方法", "满意率法（不满意排除）"],
                [],
                ["序号", "题目", *FIVE, "合计"],
                [1, "您对窗口引导员服务态度的评价", 339, 0, 1, 0, 1, 341],
                [2, "您对工作人员的业务专业能力的评价", 330, 4, 3, 2, 2, 341],
            ]
        },
    )
    [res] = analyze_path(path)
    assert (res.name, res.method, res.source) == ("来访人员", SHARE, "tally")
    attitude, ability = res.items
    assert attitude.satisfaction == pytest.approx(340 / 341)
    assert fmt_pct(attitude.satisfaction, 1) == "99.7%"
    assert fmt_pct(attitude.satisfaction) == "99.71%"
    assert ability.satisfaction == pytest.approx(337 / 341)
    assert fmt_pct(ability.satisfaction, 1) == "98.8%"
    assert fmt_pct(ability.satisfaction) == "98.83%"
    assert res.respondents == res.valid == 341
    assert res.cronbach_alpha is None and attitude.item_total_r is None
    assert res.findings == []


def test_reference_000_ten_point_scale_needs_score_row(tmp_path: Path) -> None:
    # 聘用人员: 6 items, 174 answers on a 10-point scale, average 9.75 → 97.5%
    labels = ["极其满意", "很满意", "比较满意", "基本满意", "一般"]
    path = write_book(
        tmp_path / "000b.xlsx",
        {
            "问卷汇总-聘用人员": [
                ["题目", *labels],
                ["分值", 10, 9, 8, 7, 6],
                ["第10题六个方面合计", 145, 22, 1, 5, 1],
            ]
        },
    )
    [res] = analyze_path(path)
    [item] = res.items
    assert item.mean == pytest.approx(1697 / 174)
    assert fmt_pct(item.satisfaction, 1) == "97.5%"
    # every label speaks of satisfaction: nothing is excluded by the share method
    [share] = analyze_path(path, method="满意率法")
    assert share.items[0].satisfaction == 1.0
    # without the 分值 row the labels cannot all be scored: error finding, column left out
    path2 = write_book(tmp_path / "000c.xlsx", {"问卷汇总": [["题目", *labels], ["合计", 145, 22, 1, 5, 1]]})
    [bad] = analyze_book(open_book(path2))
    assert [f.code for f in bad.findings if f.severity == "error"] == ["survey.unknown_option"]
    assert bad.findings[0].cell == "B1"


# ---------------------------------------------------------------- reference 004 (mean method)

REF_004_PUBLIC = [345, 346, 346, 347, 348, 346, 348, 347]  # 97.183% 97.465% … of 71 × 5 = 355
REF_004_PUBLIC_RATES = ["97.183", "97.465", "97.465", "97.746", "98.028", "97.465", "98.028", "97.746"]
REF_004_GOV = [342, 348, 343, 343]
REF_004_GOV_RATES = ["96.338", "98.028", "96.620", "96.620"]


def tally_71(points: int) -> list[int]:
    """Integer counts of 71 answers (5..1) whose scores sum to *points*: 66 非常满意 + 5 基本满意 = 345."""
    deficit = 355 - points
    mid, good = divmod(deficit, 2)
    return [71 - good - mid, good, mid, 0, 0]


def test_reference_004_mean_method(tmp_path: Path) -> None:
    def sheet(points: list[int]) -> list[list[object]]:
        rows: list[list[object]] = [["附表 满意度题汇总"], ["序号", "题目", *FIVE, "合计", "满意度"]]
        for i, p in enumerate(points, start=1):
            counts = tally_71(p)
            rows.append([i, f"第{i}题", *counts, sum(counts), p / 355])
        return rows

    path = write_book(
        tmp_path / "004.xlsx",
        {"问卷汇总-公共交易平台": sheet(REF_004_PUBLIC), "问卷汇总-政务服务": sheet(REF_004_GOV)},
    )
    public, gov = analyze_path(path)
    assert tally_71(345) == [66, 0, 5, 0, 0]
    assert [pct3(it.satisfaction) for it in public.items] == REF_004_PUBLIC_RATES
    assert [pct3(it.satisfaction) for it in gov.items] == REF_004_GOV_RATES
    assert fmt_pct(public.overall) == "97.64%"
    assert fmt_pct(gov.overall) == "96.90%"
    assert public.method == MEAN and public.valid == 71
    assert public.items[0].mean == pytest.approx(345 / 71)
    assert public.findings == [] and gov.findings == []  # declared 满意度 column agrees


# ---------------------------------------------------------------- tally details and findings


def test_tally_findings_never_raise(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "odd.xlsx",
        {
            "问卷汇总": [
                ["计算方法", "随便算"],
                ["题目", "非常满意", "满意", "一般", "不满意", "非常不满意", "合计", "满意度"],
                ["服务态度", 8, "三人", 0, 0, 0, 10, "99%"],
                ["办事效率", "9人", 1, None, 0, 0, 11],
                ["总体", None, None, None, None, None, None, "90%"],
            ]
        },
    )
    [res] = analyze_path(path)
    codes = {(f.code, f.cell) for f in res.findings}
    assert ("survey.bad_method", "A1") in codes
    assert ("survey.bad_count", "C3") in codes
    assert ("survey.total_mismatch", "G3") in codes  # 8 ≠ 10 after 三人 → 0
    assert ("survey.total_mismatch", "G4") in codes  # 10 ≠ 11
    assert ("survey.declared_mismatch", "H3") in codes
    assert ("survey.declared_mismatch", "H5") in codes
    assert res.method == MEAN  # unknown method falls back to the default
    assert [it.counts for it in res.items] == [(8, 0, 0, 0, 0), (9, 1, 0, 0, 0)]
    assert all(f.message and f.sheet == "问卷汇总" for f in res.findings)


def test_unusable_workbooks(tmp_path: Path) -> None:
    none = write_book(tmp_path / "none.xlsx", {"指标": [["三级指标", "权重"]]})
    assert analyze_book(open_book(none)) == []
    with pytest.raises(PerfxlError, match="没有问卷工作表"):
        analyze_path(none)
    headless = write_book(tmp_path / "headless.xlsx", {"问卷汇总": [["随便"], [1, 2, 3]]})
    [res] = analyze_book(open_book(headless))
    assert [f.code for f in res.findings] == ["survey.no_header"]
    with pytest.raises(PerfxlError, match="表头"):
        analyze_path(headless)
    with pytest.raises(PerfxlError, match="计算方法"):
        analyze_path(headless, method="中位数法")


def test_weighted_method_and_weights(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["计算方法：加权法"],
        ["选项分值", "100,80,60,0,0"],
        ["题目", *FIVE],
        ["甲", 5, 3, 1, 1, 0],
    ]
    [res] = analyze_path(write_book(tmp_path / "w.xlsx", {"问卷汇总": rows}))
    assert res.method == WEIGHTED and res.weights == (100, 80, 60, 0, 0)
    assert res.items[0].satisfaction == pytest.approx((500 + 240 + 60) / 10 / 100)
    # default weights 100..20 equal the mean method on a 5-point scale
    [res2] = analyze_path(write_book(tmp_path / "w2.xlsx", {"问卷汇总": rows[2:]}), method="加权法")
    [res3] = analyze_path(write_book(tmp_path / "w3.xlsx", {"问卷汇总": rows[2:]}))
    assert res2.items[0].satisfaction == pytest.approx(res3.items[0].satisfaction)
    # weights that do not fit the scale: warning, mean method for that item
    [res4] = analyze_path(
        write_book(tmp_path / "w4.xlsx", {"问卷汇总": [["选项分值", "100,50"], *rows[2:]]}), method="weighted"
    )
    assert [f.code for f in res4.findings] == ["survey.bad_weights"]
    assert res4.items[0].satisfaction == pytest.approx(res3.items[0].satisfaction)


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("均值法", MEAN),
        ("满意率法(不满意排除)", SHARE),
        ("加权法", WEIGHTED),
        ("share", SHARE),
        ("平均分法", MEAN),
        ("？", None),
    ],
)
def test_parse_method(text: str, method: str | None) -> None:
    assert parse_method(text) == method


@pytest.mark.parametrize(
    ("label", "score"),
    [
        ("非常满意", 5),
        ("A.比较满意", 4),
        ("满意", 4),
        ("C、一般（3分）", 3),
        ("不满意", 2),
        ("很不满意", 1),
        ("符合", None),
    ],
)
def test_labels(label: str, score: int | None) -> None:
    assert label_score(label) == score


def test_clean_label_keeps_numbers() -> None:
    assert clean_label("其他（请注明）〖个体户〗") == "其他（请注明）"
    assert clean_label("1.5万元以下") == "1.5万元以下"
    assert clean_label("B.投标人") == "投标人"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("123秒", 123), ("2分3秒", 123), ("1小时2分", 3720), (95.0, 95), ("0:02:03", 123), ("很快", None)],
)
def test_parse_seconds(text: object, seconds: float | None) -> None:
    assert parse_seconds(text) == seconds


def test_template_reads_back(tmp_path: Path) -> None:
    blank = write_template("survey", tmp_path / "问卷模板.xlsx")
    wb = openpyxl.load_workbook(blank)
    ws = wb["问卷汇总"]
    header = next(c.row for row in ws.iter_rows() for c in row if c.value == "题目")
    for col, value in enumerate(("1", "您对服务态度的满意程度", 8, 2, 0, 0, 0), start=1):
        ws.cell(header + 1, col, value)
    path = tmp_path / "问卷.xlsx"
    wb.save(path)
    [res] = analyze_path(path)
    assert res.findings == []
    assert res.method == MEAN
    [item] = res.items
    assert item.labels == tuple(FIVE) and item.counts == (8, 2, 0, 0, 0)
    assert item.satisfaction == pytest.approx(48 / 50)
    ws = openpyxl.load_workbook(path)["问卷汇总"]
    [dv] = [d for d in ws.data_validations.dataValidation if d.type == "list"]
    assert "满意率法" in dv.formula1
    assert ws[str(dv.sqref).split(":")[0]].value == "均值法"


# ---------------------------------------------------------------- raw data: 问卷星 exports

META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
Q1 = ("您的身份", ["招标人", "投标人", "代理机构", "社会公众", "其他"])
Q2 = (
    "您认为交易信息共享还需加强哪些方面？（可多选）",
    ["法律法规政策及时更新", "共享市场信息数据库", "实时共享交易过程信息", "其他"],
)
MATRIX = ["服务态度", "业务熟练度", "办事效率", "场地秩序", "信息公开", "投诉处理"]
Q4 = "您对交易服务设施的便利度是否满意"
Q5 = "总体来说您对现行的政务服务满意吗"
Q6 = "您的意见和建议"


def make_answers(n: int = 300, seed: int = 7) -> list[dict[str, object]]:
    """Unique respondents: identity (+ other text), multi-select, 8 five-point scores (some skipped)."""
    rng = random.Random(seed)
    people: list[dict[str, object]] = []
    seen = set()
    while len(people) < n:
        theta = rng.gauss(0, 1)
        scores: list[int | None] = [
            max(1, min(5, round(4.0 + 0.9 * theta + rng.gauss(0, 0.7)))) for _ in range(8)
        ]
        if rng.random() < 0.02:
            scores[rng.randrange(6)] = None  # a skipped matrix row
        ident = rng.randrange(5)
        picks = sorted(rng.sample(range(4), rng.randint(1, 3)))
        i = len(people)
        p = {
            "ident": ident,
            "ident_other": f"个体户{i}" if ident == 4 else "",
            "picks": picks,
            "pick_other": f"其他说明{i}" if 3 in picks else "",
            "scores": scores,
            "advice": f"建议{i}",
            "secs": 4 if i % 60 == 5 else 40 + rng.randrange(400),
        }
        key = (ident, tuple(picks), tuple(scores))
        if key in seen:
            continue
        seen.add(key)
        people.append(p)
    return people


def fmt_secs(s: int) -> str:
    return f"{s}秒" if s < 60 else f"{s // 60}分{s % 60}秒"


def text_row(p: dict[str, object]) -> list[object]:
    ident = Q1[1][p["ident"]] + (f"〖{p['ident_other']}〗" if p["ident_other"] else "")  # type: ignore[index]
    picks = "┋".join(
        Q2[1][k] + (f"〖{p['pick_other']}〗" if k == 3 and p["pick_other"] else "")
        for k in p["picks"]  # type: ignore[attr-defined]
    )
    scores = ["(跳过)" if s is None else FIVE[5 - s] for s in p["scores"]]  # type: ignore[attr-defined]
    return [ident, picks, *scores, p["advice"]]


def number_row(p: dict[str, object]) -> list[object]:
    ident: object = p["ident"] + 1  # type: ignore[operator]
    if p["ident_other"]:
        ident = f"{ident}〖{p['ident_other']}〗"
    picks: list[object] = [1 if k in p["picks"] else 0 for k in range(4)]  # type: ignore[operator]
    if p["pick_other"]:
        picks[3] = f"1〖{p['pick_other']}〗"
    scores = [-2 if s is None else 6 - s for s in p["scores"]]  # type: ignore[attr-defined]
    return [ident, *picks, *scores, p["advice"]]


TEXT_HEADER = [
    *META,
    f"1、{Q1[0]}",
    f"2、{Q2[0]}",
    *(f"第3题({m})" for m in MATRIX),
    f"4、{Q4}",
    f"5、{Q5}",
    f"6、{Q6}",
]
NUMBER_HEADER = [
    *META,
    f"1、{Q1[0]}",
    *(f"2({o})" for o in Q2[1]),
    *(f"3({m})" for m in MATRIX),
    f"4、{Q4}",
    f"5、{Q5}",
    f"6、{Q6}",
]
CODEBOOK = [
    ["题号", "题目", "选项序号", "选项"],
    *([1 if i == 0 else None, Q1[0] if i == 0 else None, i + 1, o] for i, o in enumerate(Q1[1])),
    *([2 if i == 0 else None, Q2[0] if i == 0 else None, i + 1, o] for i, o in enumerate(Q2[1])),
    *([q, None, i + 1, o] for q in (3, 4, 5) for i, o in enumerate(FIVE)),
]


def raw_rows(people: list[dict[str, object]], mode: str) -> list[list[object]]:
    """问卷星 export rows: the people, then 4 duplicates of earlier answers and 3 blank ones."""
    make = text_row if mode == "text" else number_row
    width = len(make(people[0]))
    blank: list[object] = ["" if mode == "text" else -3] * width
    rows: list[list[object]] = [TEXT_HEADER if mode == "text" else NUMBER_HEADER]
    # (insert after person i, answers, whose device sent it): a duplicate is a resubmission
    # from the same 来自IP; a blank row comes from a device of its own
    extra = [
        (20, blank, None),
        (41, make(people[10]), 10),
        (90, make(people[11]), 11),
        (150, blank, None),
        (151, make(people[12]), 12),
    ]
    extra += [(299, make(people[13]), 13), (299, blank, None)]
    planted = dict[int, list[tuple[list[object], int | None]]]()
    for at, row, who in extra:
        planted.setdefault(at, []).append((row, who))
    serial = 0
    for i, p in enumerate(people):
        for answers, who in [(make(p), i), *planted.get(i, [])]:
            serial += 1
            secs = int(p["secs"]) if answers == make(p) else 100  # type: ignore[call-overload]
            device = f"10.0.{who}.1(新疆)" if who is not None else f"10.9.{serial}.1(新疆)"
            meta = [
                serial,
                f"2024/5/{1 + serial % 28} 10:{serial % 60:02d}:00",
                fmt_secs(secs),
                "微信",
                "N/A",
                device,
            ]
            rows.append(meta + answers)
    return rows


@pytest.fixture(scope="module")
def people() -> list[dict[str, object]]:
    return make_answers()


@pytest.fixture(scope="module")
def raw_paths(people: list[dict[str, object]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("raw")
    return {
        "text": write_book(d / "text.xlsx", {"问卷明细": raw_rows(people, "text")}),
        "number": write_book(
            d / "number.xlsx", {"问卷明细": raw_rows(people, "number"), "问卷选项": CODEBOOK}
        ),
        "number_bare": write_book(d / "bare.xlsx", {"问卷明细": raw_rows(people, "number")}),
    }


def numpy_alpha(matrix: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Independent α, item–total r and corrected r from a complete respondents × items matrix."""
    k = matrix.shape[1]
    total = matrix.sum(axis=1)
    alpha = k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    r = np.array([np.corrcoef(matrix[:, i], total)[0, 1] for i in range(k)])
    rr = np.array([np.corrcoef(matrix[:, i], total - matrix[:, i])[0, 1] for i in range(k)])
    return float(alpha), r, rr


def check_against_numpy(res: SurveyResult, people: list[dict[str, object]]) -> None:
    complete = np.array([p["scores"] for p in people if None not in p["scores"]], dtype=float)  # type: ignore[operator]
    alpha, r, rr = numpy_alpha(complete)
    assert res.alpha_n == len(complete) < len(people)
    assert res.cronbach_alpha == pytest.approx(alpha, abs=1e-6)
    assert [it.item_total_r for it in res.items] == pytest.approx(list(r), abs=1e-6)
    assert [it.item_rest_r for it in res.items] == pytest.approx(list(rr), abs=1e-6)
    for it, col in zip(res.items, zip(*[p["scores"] for p in people], strict=True), strict=True):  # type: ignore[misc]
        answered = [s for s in col if s is not None]
        assert it.n == len(answered)
        assert it.mean == pytest.approx(np.mean(answered), abs=1e-9)
        assert it.satisfaction == pytest.approx(np.mean(answered) / 5, abs=1e-9)


def test_raw_text_export_screening_and_alpha(
    raw_paths: dict[str, Path], people: list[dict[str, object]]
) -> None:
    [res] = analyze_path(raw_paths["text"])
    assert res.source == "raw" and res.name == "问卷明细"
    assert res.respondents == 307
    assert res.valid == 300
    assert {d.reason: d.count for d in res.dropped} == {
        "空白问卷（未作答任何题目）": 3,
        "重复提交（答案与之前的问卷完全相同）": 4,
    }
    assert [it.question for it in res.items] == [*MATRIX, Q4, Q5]
    assert all(it.labels == tuple(FIVE) for it in res.items)
    check_against_numpy(res, people)
    assert res.overall == pytest.approx(np.mean([it.satisfaction for it in res.items]))
    assert 0.7 < res.cronbach_alpha < 1  # type: ignore[operator]
    # choices: single shares over answering respondents, multi over all selections
    ident, multi = res.choices
    assert (ident.question, ident.multi, multi.question, multi.multi) == (Q1[0], False, Q2[0], True)
    assert sum(ident.counts) == ident.respondents == 300
    assert ident.shares["社会公众"] == pytest.approx(sum(p["ident"] == 3 for p in people) / 300)
    selections = sum(len(p["picks"]) for p in people)  # type: ignore[arg-type]
    assert multi.selections == selections
    assert sum(multi.shares.values()) == pytest.approx(1.0)
    assert multi.shares_of_respondents["共享市场信息数据库"] == pytest.approx(
        sum(1 in p["picks"] for p in people) / 300  # type: ignore[operator]
    )
    assert ident.others[0].startswith("个体户") and multi.others[0].startswith("其他说明")
    # the fill-in question is reported as skipped, not as a choice
    assert any(f.code == "survey.skipped" and Q6 in f.message for f in res.findings)


def test_raw_min_seconds_drops_fast_answers(
    raw_paths: dict[str, Path], people: list[dict[str, object]]
) -> None:
    fast = [p for p in people if p["secs"] == 4]
    assert len(fast) == 5
    [res] = analyze_path(raw_paths["text"], min_seconds=10)
    assert res.valid == 300 - len(fast)
    assert {d.reason: d.count for d in res.dropped}["答题时间少于 10 秒"] == len(fast)
    check_against_numpy(res, [p for p in people if p["secs"] != 4])


def test_text_and_number_exports_agree(raw_paths: dict[str, Path]) -> None:
    [text] = analyze_path(raw_paths["text"])
    [number] = analyze_path(raw_paths["number"])
    a, b = number.to_json(), text.to_json()
    # findings point at different columns in the two layouts; everything else is identical
    assert [(f["code"], f["message"]) for f in a.pop("findings")] == [
        (f["code"], f["message"]) for f in b.pop("findings")
    ]
    assert a == b
    assert number.cronbach_alpha == text.cronbach_alpha
    assert [c.others for c in number.choices] == [c.others for c in text.choices]


def test_number_export_without_codebook_warns(raw_paths: dict[str, Path]) -> None:
    [res] = analyze_path(raw_paths["number_bare"])
    assert res.valid == 300  # -3 rows are blank, -2 answers are missing
    assert res.items == ()
    assert [f.code for f in res.findings if f.severity == "warning"] == ["survey.no_codebook"]
    multi = next(c for c in res.choices if c.multi)
    assert multi.question == "第2题" and multi.labels == tuple(Q2[1])
    single = res.choices[0]
    assert single.labels[0].startswith("选项")


def test_hand_made_score_sheet(tmp_path: Path) -> None:
    rows = [
        ["某单位满意度调查明细"],
        ["计算方法", "满意率法"],
        ["序号", "服务态度", "办事效率", "性别", "年龄"],
        [1, 5, 4, "男", 35],
        [2, 4, 2, "女", 41],
        [3, 5, 5, "女", 29],
        [4, None, None, None, None],
        [5, 4, 2, "女", 41],
        ["合计", 18, 13, None, None],
    ]
    [res] = analyze_path(write_book(tmp_path / "hand.xlsx", {"问卷明细-群众": rows}))
    assert res.name == "群众" and res.method == SHARE
    assert (res.respondents, res.valid) == (5, 3)
    assert [it.question for it in res.items] == ["服务态度", "办事效率"]
    assert res.items[1].counts == (1, 1, 0, 1, 0) and res.items[1].satisfaction == pytest.approx(2 / 3)
    assert [c.question for c in res.choices] == ["性别"]
    assert any("年龄" in f.message for f in res.findings)
    assert res.cronbach_alpha == pytest.approx(cronbach_alpha([[5, 4], [4, 2], [5, 5]]))


# ---------------------------------------------------------------- API: JSON and lookup


def test_survey_json_shape(raw_paths: dict[str, Path], tmp_path: Path) -> None:
    results = analyze_path(raw_paths["text"])
    doc = survey_json(results)
    for key in ("respondents", "valid", "dropped", "method", "overall", "cronbach_alpha", "items", "choices"):
        assert key in doc
    item = doc["items"][0]
    assert set(item) >= {"question", "n", "mean", "satisfaction", "item_total_r", "counts"}
    assert set(doc["choices"][0]) >= {"question", "multi", "shares"}
    assert isinstance(doc["overall"], float) and 0 < doc["overall"] < 1
    json.dumps(doc, ensure_ascii=False)  # plain JSON
    two = survey_json([*results, *results])
    assert list(two) == ["surveys"] and len(two["surveys"]) == 2
    tally = write_book(tmp_path / "t.xlsx", {"问卷汇总": [["题目", *FIVE], ["甲", 1, 0, 0, 0, 0]]})
    tdoc = survey_json(analyze_path(tally))
    assert tdoc["cronbach_alpha"] is None and tdoc["items"][0]["item_total_r"] is None


def test_lookup(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "two.xlsx",
        {
            "问卷汇总-来访人员": [["题目", *FIVE], ["服务态度", 9, 1, 0, 0, 0], ["办事效率", 8, 2, 0, 0, 0]],
            "问卷汇总-聘用人员": [["题目", *FIVE], ["薪酬发放及时性", 5, 0, 0, 0, 5]],
        },
    )
    results = analyze_path(path)
    visitors, staff = results
    assert lookup(results, "总体") == Decimal(repr(visitors.overall))
    assert lookup(results, "问卷:总体") == lookup(results, "来访人员：总体") == lookup(results, "来访人员")
    assert lookup(results, "聘用人员:总体") == Decimal(repr(staff.overall)) == Decimal("0.6")
    assert lookup(results, "来访人员:服务态度") == Decimal("0.98")
    assert lookup(results, "薪酬") == Decimal("0.6")  # any survey, first match
    assert lookup(results, "来访人员:薪酬") is None
    assert lookup(results, "不存在:总体") is None
    assert lookup([], "总体") is None


# ---------------------------------------------------------------- output sheet


def write_output(path: Path, results: list[SurveyResult]) -> Path:
    with xlsxwriter.Workbook(str(path), OPTIONS) as wb:
        ws = write_survey_sheet(wb, results)
        assert ws is not None and ws.name == "问卷分析"
    return path


def satisfaction_column(path: Path) -> list[tuple[str, str, object]]:
    """(question, formula, cached value) of every item row, found under the 满意度 headers."""
    formulas = openpyxl.load_workbook(path)["问卷分析"]
    values = openpyxl.load_workbook(path, data_only=True)["问卷分析"]
    out, col = [], None
    for row in formulas.iter_rows():
        texts = [c.value for c in row]
        if len(texts) > 1 and texts[1] == "题目":
            col = texts.index("满意度") if "满意度" in texts else None  # the choices table has none
        elif col is not None and isinstance(texts[0], int):
            cell = row[col]
            out.append((texts[1], cell.value, values[cell.coordinate].value))
        elif (
            col is not None
            and texts[0] is None
            and texts[1] not in ("分值", "计入满意（1=是）", "权重（选项分值）")
        ):
            col = None
    return out


def formula_cells(path: Path) -> dict[str, tuple[str, object]]:
    formulas = openpyxl.load_workbook(path)["问卷分析"]
    values = openpyxl.load_workbook(path, data_only=True)["问卷分析"]
    return {
        c.coordinate: (c.value, values[c.coordinate].value)
        for row in formulas.iter_rows()
        for c in row
        if c.data_type == "f"
    }


@pytest.fixture(scope="module")
def output_book(
    raw_paths: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[SurveyResult]]:
    d = tmp_path_factory.mktemp("out")
    tally = write_book(
        d / "tally.xlsx",
        {
            "问卷汇总-来访人员": [
                ["计算方法", "满意率法"],
                ["题目", *FIVE],
                ["引导员服务态度", 339, 0, 1, 0, 1],
                ["=HYPERLINK(1)", 330, 4, 3, 2, 2],
            ],
            "问卷汇总-加权": [
                ["计算方法", "加权法"],
                ["选项分值", "100,80,60,0,0"],
                ["题目", *FIVE],
                ["甲", 5, 3, 1, 1, 0],
            ],
            "问卷汇总-聘用人员": [
                ["题目", "极其满意", "很满意", "一般"],
                ["分值", 10, 9, 6],
                ["第10题", 145, 22, 1],
                ["空题", 0, 0, 0],
            ],
        },
    )
    results = analyze_path(raw_paths["text"]) + analyze_path(tally)
    return write_output(d / "问卷分析.xlsx", results), results


def test_output_sheet_formulas_match_python(output_book: tuple[Path, list[SurveyResult]]) -> None:
    path, results = output_book
    cells = formula_cells(path)
    column = satisfaction_column(path)
    items = [it for r in results for it in r.items]
    assert [q for q, _, _ in column] == [it.question for it in items]
    assert all(f.startswith("=IF(") and "SUMPRODUCT(" in f for _, f, _ in column)
    assert [v for _, _, v in column] == pytest.approx([it.satisfaction for it in items], abs=1e-12)
    assert column[-1][2] is None  # no answers: cached "" (empty), not #DIV/0!
    share = next(f for q, f, _ in column if q == "引导员服务态度")
    assert "MAX(" not in share and "SUMPRODUCT" in share  # 计入满意 row, not the scores
    assert [v for q, f, v in column if q == "甲" and f.endswith("/100)")] == pytest.approx([0.8])
    overall = [v for f, v in cells.values() if f.startswith("=AVERAGE(")]
    assert overall == pytest.approx([r.overall for r in results if r.overall is not None])
    raw = results[0]
    ws = openpyxl.load_workbook(path)["问卷分析"]
    [link] = [c for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert link.data_type == "s"  # a question text starting with "=" stays text
    assert raw.cronbach_alpha in {c.value for row in ws.iter_rows() for c in row}
    with zipfile.ZipFile(path) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 4  # one per survey with items
        xml = zf.read(charts[0]).decode()
    assert "<c:barChart>" in xml and '<c:barDir val="bar"/>' in xml


def test_output_sheet_recalculates_in_libreoffice(output_book: tuple[Path, list[SurveyResult]], lo) -> None:
    path, _ = output_book
    assert lo.compare(path, tol=1e-9) == []


def test_no_results_no_sheet(tmp_path: Path) -> None:
    with xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), OPTIONS) as wb:
        assert write_survey_sheet(wb, []) is None
        wb.add_worksheet("评分表")


# ---------------------------------------------------------------- more raw layouts


def test_codebook_scores_custom_scale_and_fill_in_numbers(tmp_path: Path) -> None:
    # reference 000 聘用人员: a 10-point matrix question; the codebook gives the scores
    labels = ["极其满意", "很满意", "比较满意", "基本满意", "一般"]
    header = [*META, "1、您的年龄", "第2题(薪酬发放及时性)", "第2题(考核实施过程)"]
    answers = [
        (35, "极其满意", "很满意"),
        (41, "很满意", "一般"),
        (29, "极其满意", "极其满意"),
        (52, "基本满意", "(跳过)"),
    ]
    rows = [header] + [
        [i, "2024/1/1", "60秒", "手机", "N/A", "1.1.1.1", *a] for i, a in enumerate(answers, 1)
    ]
    codebook = [
        ["题号", "选项", "分值"],
        *([2 if i == 0 else None, lab, 10 - i] for i, lab in enumerate(labels)),
    ]
    path = write_book(tmp_path / "cb.xlsx", {"问卷明细（聘用人员）": rows, "问卷选项（聘用人员）": codebook})
    [res] = analyze_path(path)
    assert res.name == "聘用人员"
    pay, review = res.items
    assert pay.labels == tuple(labels) and pay.scores == (10, 9, 8, 7, 6)
    assert pay.counts == (2, 1, 0, 1, 0)
    assert pay.mean == pytest.approx((10 + 9 + 10 + 7) / 4) and pay.satisfaction == pytest.approx(36 / 40)
    assert review.n == 3
    assert res.alpha_n == 3  # the fourth skipped one item
    assert res.choices == ()  # age is a number, not a choice and not a score
    assert any(f.code == "survey.skipped" and "年龄" in f.message for f in res.findings)


def test_number_export_question_missing_from_codebook(tmp_path: Path) -> None:
    header = [*META, f"1、{Q4}", "2、您的年龄"]
    rows = [header] + [
        [i, "2024/1/1", "60秒", "手机", "N/A", "1.1.1.1", 1 + i % 2, 30 + i] for i in range(1, 6)
    ]
    codebook = [["题号", "选项序号", "选项"], *([1, i + 1, o] for i, o in enumerate(FIVE))]
    [res] = analyze_path(write_book(tmp_path / "n.xlsx", {"问卷明细": rows, "问卷选项": codebook}))
    [item] = res.items
    assert item.counts == (2, 3, 0, 0, 0)  # 1 = 非常满意 per the codebook, not a score of 1
    assert res.choices == ()
    assert [f.code for f in res.findings] == ["survey.not_in_codebook"]


@pytest.mark.parametrize(
    ("sheet", "name"),
    [
        ("问卷汇总-来访人员", "来访人员"),
        ("问卷汇总表（来访人员）", "来访人员"),
        ("来访人员问卷汇总", "来访人员"),
        ("问卷明细_聘用人员", "聘用人员"),
        ("问卷汇总", "问卷汇总"),
    ],
)
def test_survey_names(sheet: str, name: str) -> None:
    from perfxl.survey_read import survey_name

    assert survey_name(sheet) == name


def test_tally_header_labels_with_units(tmp_path: Path) -> None:
    rows = [
        ["满意度汇总"],
        ["序号", "问题", *(f"{lab}（人）" for lab in FIVE), "有效数"],
        [1, "甲", 3, 1, 1, 0, 0, 5],
    ]
    [res] = analyze_path(write_book(tmp_path / "u.xlsx", {"问卷汇总": rows}))
    assert res.findings == [] and res.items[0].labels == tuple(FIVE)
    assert res.items[0].satisfaction == pytest.approx(22 / 25)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=3, max_value=30).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(min_value=1, max_value=5), min_size=4, max_size=4), min_size=n, max_size=n
        )
    )
)
def test_alpha_matches_numpy(rows: list[list[int]]) -> None:
    matrix = np.array(rows, dtype=float)
    total = matrix.sum(axis=1)
    if total.var() == 0:
        assert cronbach_alpha(rows) is None
        return
    alpha = 4 / 3 * (1 - matrix.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    assert cronbach_alpha(rows) == pytest.approx(alpha, abs=1e-9)


def test_named_respondents_are_not_duplicates(tmp_path: Path) -> None:
    rows = [
        ["序号", "姓名", "服务态度", "办事效率"],
        [1, "张三", "非常满意", "满意"],
        [2, "李四", "非常满意", "满意"],  # same answers, another person
        [3, "张三", "非常满意", "满意"],  # the same person submitted twice
    ]
    [res] = analyze_path(write_book(tmp_path / "names.xlsx", {"问卷明细": rows}))
    assert (res.respondents, res.valid) == (3, 2)
    assert [d.count for d in res.dropped] == [1]
    assert [it.question for it in res.items] == ["服务态度", "办事效率"] and res.choices == ()
    assert res.items[1].labels[1] == "满意"  # the wording respondents saw, not the canonical 比较满意
    [keep_all] = analyze_path(write_book(tmp_path / "names2.xlsx", {"问卷明细": rows}), drop_duplicates=False)
    assert keep_all.valid == 3


_VOCAB = st.sampled_from(
    [
        "", "题目", "问题", "合计", "满意度", "分值", "计算方法", "加权法", "选项分值", "100,80", "序号",
        "提交答卷时间", "所用时间", "来自IP", "1、您的身份", "第3题(服务态度)", "3(其他)", "非常满意",
        "满意", "一般", "不满意", "非常不满意", "不了解", "A┋B", "其他〖x〗", "2〖y〗", "(跳过)", "→",
        "12秒", "三人", "97%", "姓名", "总体", "=1+1",
    ]
)  # fmt: skip
_CELL = st.one_of(_VOCAB, st.integers(min_value=-3, max_value=12).map(float), st.floats(allow_nan=True))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(_CELL, min_size=0, max_size=7), min_size=0, max_size=9),
    st.sampled_from([None, MEAN, SHARE, WEIGHTED]),
)
def test_readers_never_raise(grid: list[list[object]], method: str | None) -> None:
    from perfxl.book import Sheet
    from perfxl.survey_read import read_codebook, read_raw, read_tally

    for res in (
        read_tally(Sheet("问卷汇总-甲", grid), method=method),
        read_raw(
            Sheet("问卷明细-甲", grid), read_codebook(Sheet("问卷选项", grid)), min_seconds=10, method=method
        ),
    ):
        json.dumps(res.to_json(), ensure_ascii=False, allow_nan=False)
        assert all(f.severity in ("error", "warning", "info") and f.message for f in res.findings)
        for it in res.items:
            assert it.satisfaction is None or 0 <= it.satisfaction <= 1
