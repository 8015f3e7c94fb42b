"""Every phrasing of docs/rules.md through `perfxl rule … --json`, with a worked example each."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from perfxl.api import explain_rule
from perfxl.cli import cli
from perfxl.phrases import OverrideError, parse_override, prepare, recognize

# (SPEC item, text, weight, target, actual, judgements, failures, expected kind, expected score)
PHRASES = [
    (
        1,
        "资金到位率60%-100%时，每降低一个百分点，扣减权重分的2%；资金到位率低于60%时不得分。",
        "3",
        None,
        "95%",
        None,
        None,
        "band",
        2.70,
    ),
    (
        1,
        "资金到位率60%-100%时，每降低一个百分点，扣减权重分的2%；资金到位率低于60%时不得分。",
        "3",
        None,
        "55%",
        None,
        None,
        "band",
        0.0,
    ),
    (
        2,
        "若①②③④全部齐全，则得权重分的100%；缺失一项扣权重分的25%，扣完为止。",
        "3",
        None,
        None,
        "√√×√",
        None,
        "checklist",
        2.25,
    ),
    (
        3,
        "以上3个相关关键管理内容，实现以上3条关键条款的，得权重分的100%，每少一个关键条款，扣减权重分的33%。",
        "2",
        None,
        None,
        "√√×",
        None,
        "checklist",
        1.34,
    ),
    (
        4,
        "覆盖和执行4项以上的，得权重分的100%；每少一项制度，扣减权重分的25%；覆盖和执行少于2项，此项不得分。",
        "2",
        None,
        None,
        "√√√×",
        None,
        "checklist",
        1.5,
    ),
    (
        4,
        "覆盖和执行4项以上的，得权重分的100%；每少一项制度，扣减权重分的25%；覆盖和执行少于2项，此项不得分。",
        "2",
        None,
        None,
        "√×××",
        None,
        "checklist",
        0.0,
    ),
    # reference 000: 5/35 = 14.3%, 4.3 points over 10% × 4% × 2 = 0.344 → 1.66
    (
        5,
        "人员流动率不得高于10%，每偏离1%，扣减4%权重分，扣完为止。",
        "2",
        None,
        "14.3%",
        None,
        None,
        "step",
        1.66,
    ),
    (
        6,
        "聘用人员不低于35人，当人员到位率达到100%时，得满分，每偏离1%，扣减5%的权重，扣完为止。",
        "5",
        None,
        "95.7%",
        None,
        None,
        "step",
        3.93,
    ),
    # reference 000: one missing report at 3% of weight 4 → 3.88
    (
        7,
        "该项目涉及的工作人员学历不应低于大专学历，每一人学历低于大专学历，扣减权重的3%，扣完为止",
        "4",
        None,
        None,
        None,
        1,
        "deduct_each",
        3.88,
    ),
    (
        8,
        "满意度不低于90%的得权重分的100%，否则每下降1%扣减权重分的1%，扣完为止。",
        "5",
        None,
        "85%",
        None,
        None,
        "threshold",
        4.75,
    ),
    (
        9,
        "建立顺畅的投诉机制；2023年未出现相关有责投诉且不能及时得到有效解决的情况，以上2条各得权重分的50%。",
        "5",
        None,
        None,
        "√×",
        None,
        "checklist",
        2.5,
    ),
    # the trap: 3 × 33% awarded is full marks (reference 000 gives 5 of 5)
    (
        10,
        "针对聘用人员建立通畅的意见收集措施，开展形式多样的活动提高聘用人员归属感，定期进行管理制度更新，以上3点，每满足一条，得权重分的33%。",
        "5",
        None,
        None,
        "√√√",
        None,
        "checklist",
        5.0,
    ),
    # reference 000: base 50% + 3 of 5 items at 10% → 2.4
    (
        11,
        "有绩效目标得权重分得50%；①明确性；②可衡量性；③可实现性；④相关性；⑤时限性。以上五项各占10%权重分，符合则得分，否则扣除相应权重分。",
        "3",
        None,
        None,
        "√√×√√×",
        None,
        "checklist",
        2.4,
    ),
    (
        12,
        "有规定立项、决策流程的项目选择以上三项分别占30%、30%、40%权重分，全部符合得满分，否则扣除相应权重分。",
        "3",
        None,
        None,
        "√√×",
        None,
        "checklist",
        1.8,
    ),
    (
        13,
        "在预算执行进度与事项完成进度基本匹配的前提下，实际支出未超过预算计划的，得权重分的100%，否则该项不得分",
        "5",
        "≤252.49万元",
        "249.99万元",
        None,
        None,
        "pass_fail",
        5.0,
    ),
    (
        13,
        "在预算执行进度与事项完成进度基本匹配的前提下，实际支出未超过预算计划的，得权重分的100%，否则该项不得分",
        "5",
        "≤252.49万元",
        "260万元",
        None,
        None,
        "pass_fail",
        0.0,
    ),
    (
        14,
        "中长期规划清晰、全面、完整，经相应的程序认定，得3分；不符合要求的，一项扣1分，扣完为止。",
        "3",
        None,
        None,
        "√√×√",
        None,
        "deduct_each",
        2.0,
    ),
    (
        15,
        "预算编制经过科学论证，预算内容与部门履职及规划匹配，得2分，不符合一项扣0.5分，扣完为止。",
        "2",
        None,
        None,
        None,
        3,
        "deduct_each",
        0.5,
    ),
    (
        16,
        "以上评价要点全部合规得3分，一项不符合扣1/5分，扣完为止。",
        "3",
        None,
        None,
        None,
        2,
        "deduct_each",
        2.6,
    ),
    (
        17,
        "支出预算执行率100%得满分，每降低1%扣5%权重分，扣完为止。",
        "5",
        None,
        "97.95%",
        None,
        None,
        "step",
        4.49,
    ),
    # reference 004 B42: 214.97% → 0
    (
        18,
        "项目支出预算调整率在±10%以内，得3分，每增减1%扣0.1分，扣完为止。",
        "3",
        "±10%以内",
        "214.97%",
        None,
        None,
        "tolerance",
        0.0,
    ),
    (
        18,
        "项目支出预算调整率在±10%以内，得3分，每增减1%扣0.1分，扣完为止。",
        "3",
        "±10%以内",
        "-15%",
        None,
        None,
        "tolerance",
        2.5,
    ),
    (
        19,
        "固定资产利用率大于或等于95%，则得满分；小于95%每降低1%扣0.2分，扣完为止。",
        "4",
        "≥95%",
        "90%",
        None,
        None,
        "step",
        3.0,
    ),
    (
        20,
        "达到目标值得满分，低于目标值1%则扣除5%权重分，扣完为止。",
        "5",
        "≥500件",
        "480件",
        None,
        None,
        "step",
        4.0,
    ),
    (
        20,
        "达到目标值得满分，低于目标值1%则扣除5%权重分，扣完为止。",
        "4",
        "93.22%",
        "93.22%",
        None,
        None,
        "step",
        4.0,
    ),
    # reference 004 C22: 744.38% → 0
    (
        21,
        "日常“公用经费控制率”控制率≤100%得4分，＞100%不得分。",
        "4",
        "≤100%",
        "744.38%",
        None,
        None,
        "pass_fail",
        0.0,
    ),
    (
        22,
        "全部按期保质保量完成得5分；一项重点工作没有完成2分，扣完为止。",
        "4",
        None,
        None,
        None,
        1,
        "deduct_each",
        2.0,
    ),
    (
        23,
        "项目质量达标率100%的，得5分；1项不达标，扣1分，扣完为止。",
        "5",
        None,
        None,
        None,
        2,
        "deduct_each",
        3.0,
    ),
    (24, "存在不合格的，该项不得分。", "4", None, None, "×", None, "binary", 0.0),
    (24, "存在缺失不得分。", "2", None, None, "√", None, "binary", 2.0),
    (
        25,
        "在职人员控制率≦100%，计5分；每超过一个百分点扣0.5分，扣完为止。",
        "5",
        None,
        "103%",
        None,
        None,
        "step",
        3.5,
    ),
    (26, "每出现一例不符合要求的扣1分，扣完为止。", "3", None, None, None, 2, "deduct_each", 1.0),
    # the other kinds of docs/rules.md
    (0, "该指标得分=实际完成值/标杆值×该指标权重分值", "10", "≥200人", "150人", None, None, "ratio", 7.5),
    (0, "该指标得分=该指标权重分值*支出预算完成率", "12", None, "97.95%", None, None, "proportional", 11.75),
    (
        0,
        "≥90%得5分，80%-90%得4分，70%-80%得3分，60%-70%得2分，低于60%不得分",
        "5",
        None,
        "85%",
        None,
        None,
        "tiers",
        4.0,
    ),
    (
        0,
        "≥90%得5分，80%-90%得4分，70%-80%得3分，60%-70%得2分，低于60%不得分",
        "5",
        None,
        "90%",
        None,
        None,
        "tiers",
        5.0,
    ),
    (
        0,
        "预算调整率=0得3分，0-10%(含)得2分，10-20%(含)得1分，>30%不得分",
        "3",
        None,
        "10%",
        None,
        None,
        "tiers",
        2.0,
    ),
    (0, "受到国务院、省级或市级评优嘉奖情况得2分", "2", None, None, "√", None, "bonus", 2.0),
    (0, "存在违法违纪情况扣2分", "2", None, None, "×", None, "penalty", -2.0),
    (0, "存在违法违纪情况扣2分", "2", None, None, "√", None, "penalty", 0.0),
    # variants: full-width, ≧, Chinese fractions
    (0, "①②③以上3项各占三分之一权重分，符合则得相应权重分", "3", None, None, "√×√", None, "checklist", 2.0),
    (0, "完成率≧９５％，则得满分；每降低1%扣0.2分，扣完为止。", "4", None, "93%", None, None, "step", 3.6),
    (
        0,
        "预算执行率≥95%得满分；90%（含）-95%得80%权重分；低于90%不得分",
        "5",
        None,
        "92%",
        None,
        None,
        "tiers",
        4.0,
    ),
    (0, "完成率达到100%的得满分，每降低5个百分点扣1分，扣完为止", "5", None, "90%", None, None, "step", 3.0),
    (0, "资金支付及时得2分，不及时不得分", "2", None, None, "×", None, "binary", 0.0),
    (0, "发现一起扣1分，扣完为止", "3", None, None, None, 2, "deduct_each", 1.0),
]


@pytest.mark.parametrize(
    ("item", "text", "weight", "target", "actual", "judgements", "failures", "kind", "expected"),
    PHRASES,
    ids=[f"{p[0]:02d}-{p[7]}-{i}" for i, p in enumerate(PHRASES)],
)
def test_rule_command_scores_each_phrasing(
    item, text, weight, target, actual, judgements, failures, kind, expected
):
    args = ["rule", text, "--weight", weight, "--json"]
    if target:
        args += ["--target", target]
    if actual:
        args += ["--actual", actual]
    if judgements:
        args += ["--judgements", judgements]
    if failures is not None:
        args += ["--failures", str(failures)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == kind
    assert data["score"] == pytest.approx(expected, abs=1e-9)
    assert data["explanation"]


def test_rule_without_weight_gives_null_score():
    result = CliRunner().invoke(cli, ["rule", "每出现一例不符合要求的扣1分，扣完为止。", "--json"])
    data = json.loads(result.output)
    assert data["kind"] == "deduct_each" and data["score"] is None
    assert data["params"]["deduct"] == 1.0 and data["params"]["deduct_unit"] == "points"


@pytest.mark.parametrize(
    "text",
    [
        "根据实际情况由专家酌情打分。",
        "视完成情况综合评定。",
        "≥95%得满分；90%-95%酌情得分；低于90%不得分",
    ],
)
def test_unrecognized_text_is_manual_never_a_guess(text):
    rule = recognize(text)
    assert rule.kind == "manual" and rule.source == "none"


def test_traps():
    # deduction-style 33% is literal (reference 000 合同签订规范性: 2 × 0.67 = 1.34)
    r = recognize("以上三项均满足，得权重的100%，每少一项，扣权重分33%,扣完为止。")
    assert r.kind == "checklist" and r.params["mode"] == "deduct" and str(r.params["deduct"]) == "0.33"
    # 扣1/5分 means 0.2 points
    r = recognize("以上评价要点全部合规得3分，一项不符合扣1/5分，扣完为止。")
    assert float(r.params["deduct"]) == 0.2 and r.params["deduct_unit"] == "points"
    # 每偏离1% on a rate: percentage points, direction from 不得高于
    r = recognize("人员流动率不得高于10%，每偏离1%，扣减4%权重分，扣完为止。")
    assert r.params["comparator"] == "le" and float(r.params["threshold"]) == 0.1


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("扣分法 步长=5%权重 下限=0", "step"),
        ("比率法 上限=100%", "ratio"),
        ("要点法 权重=30,30,40 最少=2", "checklist"),
        ("容差法 容差=10% 步长=0.1分", "tolerance"),
        ("人工", "manual"),
        ("分档法 档=90%:5,80%:4,60%:2", "tiers"),
        ("区间法 满分线=100% 零分线=60% 步长=2%权重", "band"),
    ],
)
def test_override_syntax(text, kind):
    rule = parse_override(text)
    assert rule.kind == kind and rule.source == "override"


def test_override_errors_are_chinese():
    with pytest.raises(OverrideError, match="不认识的计分方法"):
        parse_override("神秘法 x=1")
    with pytest.raises(OverrideError, match="名称=值"):
        parse_override("扣分法 5%")


def test_override_beats_text_through_cli():
    result = CliRunner().invoke(
        cli,
        [
            "rule",
            "每降低1%扣5%权重分",
            "--method",
            "扣分法 步长=0.5分",
            "--weight",
            "5",
            "--target",
            "100%",
            "--actual",
            "98%",
            "--json",
        ],
    )
    data = json.loads(result.output)
    assert data["kind"] == "step" and data["score"] == 4.0


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("制度健全", 2.0), ("健全", 2.0), ("基本健全", 1.0), ("不健全", 0.0), ("较好", None)],
)
def test_word_scale_is_scored_by_its_label(actual, expected):
    """A word scale (健全/基本健全/不健全) was 人工 before the clause grammar: the label's points now."""
    r = explain_rule("制度健全得2分，基本健全得1分，不健全不得分", weight="2", actual=actual)
    assert r.kind == "labels" and r.score == expected
    if expected is None:
        assert "健全" in (r.reason or "") and "不是评分标准列出的档次" in (r.reason or "")


def test_three_described_levels_score_only_a_named_level():
    """Levels described in sentences: the evaluator names the level (in 业绩值); no guess otherwise."""
    text = "国家、市、部门三级文件中明确表述可以直接应用于项目立项的得满分，经分析其他可以应用于项目立项依据的得权重分的50%,无直接应用于项目立项的不得分。"
    assert explain_rule(text, weight="4", actual="95%").score is None
    r = explain_rule(text, weight="4", actual="无直接应用于项目立项")
    assert r.kind == "labels" and r.score == 0.0
    assert explain_rule(text, weight="4", actual="经分析其他可以应用于项目立项依据").score == 2.0


@pytest.mark.parametrize(
    ("method", "kw", "expected"),
    [
        # 单位=1% is one percentage point (it was read as 0.01 points: every shortfall scored 0)
        ("扣分法 阈值=≥95% 步长=0.2分 单位=1%", {"actual": "93%"}, 9.6),
        ("扣分法 阈值=≥95% 步长=1分 单位=5%", {"actual": "85%"}, 8.0),
        # 扣分=1分 costs one point per missing item (it cost the whole weight)
        ("要点法 项数=4 扣分=1分", {"judgements": "√×√√"}, 3.0),
        ("要点法 项数=4 扣分=25%", {"judgements": "√×√√"}, 3.0),
        # an unsigned threshold means "at least", as in 扣分法 and 满意度法 (it meant ≤)
        ("达标法 阈值=95%", {"actual": "96%"}, 4.0),
        ("达标法 阈值=95%", {"actual": "94%"}, 0.0),
        ("达标法 阈值=≤100%", {"actual": "94%"}, 4.0),
    ],
)
def test_override_units_mean_what_the_syntax_help_says(method, kw, expected):
    assert explain_rule("", method=method, weight="10" if "扣分法" in method else "4", **kw).score == expected


def test_targets_with_ji_yishang_keep_their_unit():
    from perfxl.numbers import parse_target

    t = parse_target("5人及以下")
    assert (t.comparator, t.value, t.unit) == ("le", 5, "人")
    assert parse_target("90%(含)以上").comparator == "ge"


@pytest.mark.parametrize(
    ("weight", "actual", "expected"),
    [
        (2, "900万元", "1"),
        (2, "800万元", "0"),
        (3, "800万元", "0"),
        (3, "850万元", "1.5"),
        (2, "1050万元", "2"),
    ],
)
def test_completion_band_from_words_and_a_zero_rate(weight: int, actual: str, expected: str) -> None:
    """完成下达指标得基本分 … 每降低10%扣1分，完成率低于80%(含80%)不得分 on 标杆值 1000万元:
    the completion rate is actual ÷ target; 80% itself scores nothing ((含80%)); the words
    按未完成比例相应扣分 announce the step and need no person."""
    import perfxl

    text = (
        "出口交货值:完成下达指标得基本分,没有完成下达指标按未完成比例相应扣分,每降低10%扣1分,"
        "完成率低于80%(含80%)不得分。"
    )
    got = perfxl.explain_rule(text, weight=weight, target="1000万元", actual=actual)
    assert got.kind == "band" and got.score == Decimal(expected)


def test_included_bound_in_parentheses() -> None:
    """低于80%(含80%) is ≤ 80%, 高于90%(含90%) is ≥ 90%."""
    from perfxl.clauses import read_clauses

    low = next(c for c in read_clauses(prepare("完成率低于80%(含80%)不得分")) if c.kind == "condition")
    assert low.cond["hi"] == 80 and low.cond["hi_incl"] is True
    high = next(c for c in read_clauses(prepare("完成率高于90%(含90%)得5分")) if c.kind == "condition")
    assert high.cond["lo"] == 90 and high.cond["lo_incl"] is True


@pytest.mark.parametrize(
    ("actual", "expected"), [("100%", "10"), ("95%", "9"), ("75%", "7"), ("10%", "1"), ("9%", "0")]
)
def test_tiers_continue_onwards(actual: str, expected: str) -> None:
    """完成年度计划目标得10分，完成目标的90%得9分，完成80%得8分，依次类推: 70% → 7 … 10% → 1, below → 0."""
    import perfxl

    text = "完成年度计划目标得10分,完成目标的90%得9分,完成80%得8 分,依次类推。"
    got = perfxl.explain_rule(text, weight=10, actual=actual)
    assert got.kind == "tiers" and got.score == Decimal(expected)


def test_onwards_without_an_even_run_is_left_to_a_person() -> None:
    import perfxl

    got = perfxl.explain_rule("完成100%得10分,完成90%得9分,完成80%得7分,依次类推。", weight=10, actual="60%")
    assert got.kind == "manual" and got.score is None


def test_count_ranges_include_their_upper_end_and_every_month_is_not_per_occurrence() -> None:
    """迟报1-2次得3分；3-4次得1分: 2 is in 1-2; 每月都按时报送得5分 is the count 0, not 5 points a month."""
    import perfxl

    text = "每月都按时报送得5分;迟报1-2次得3分;迟报3-4次得1分;迟报5次及以上不得分。"
    got = {n: perfxl.explain_rule(text, weight=5, failures=n).score for n in (0, 1, 2, 3, 4, 5, 9)}
    assert got == {0: 5, 1: 3, 2: 3, 3: 1, 4: 1, 5: 0, 9: 0}
    # an actual written as a count scores the same
    assert perfxl.explain_rule(text, weight=5, actual="2次").score == 3
    # counts of something good are not read from 不符合项数
    good = "完成1-2项得2分;完成3项及以上得5分。"
    assert perfxl.explain_rule(good, weight=5, failures=2).score is None


@pytest.mark.parametrize(("judgements", "expected"), [("√√√√", "10"), ("××××", "0"), ("√√×√", None)])
def test_one_item_with_several_requirements(judgements: str, expected: str | None) -> None:
    """有制度、有台账、有经费、有网络。(10分): all met → 10, none met → 0, partly met → a person."""
    import perfxl

    got = perfxl.explain_rule("有制度、有台账、有经费、有网络。(10分)", weight=10, judgements=judgements)
    assert got.score == (Decimal(expected) if expected is not None else None)
    if expected == "10":
        assert "有制度、有台账、有经费、有网络" in got.reason


@pytest.mark.parametrize(("actual", "expected"), [("25%", "0"), ("8%", None)])
def test_words_beside_a_numeric_zero_line(actual: str, expected: str | None) -> None:
    """全年各分户均符合标准得3分；全年累计差错率超过20%不得分: past the numeric line 0, else the
    words' level (a person); a numeric tier that gives points beside words stays 人工."""
    import perfxl

    got = perfxl.explain_rule(
        "全年各分户均符合标准得3分;全年累计差错率超过20%不得分。", weight=3, actual=actual
    )
    assert got.score == (Decimal(expected) if expected is not None else None)
    mixed = perfxl.explain_rule("完成全部任务得5分；完成率90%以上得4分", weight=5, actual="100%")
    assert mixed.kind == "manual"
