"""Numbers and targets as evaluators write them (docs/rules.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfxl.numbers import (
    align_units,
    as_percent_like,
    fmt_num,
    fmt_pct,
    parse_number,
    parse_target,
    round_half_up,
)


@pytest.mark.parametrize(
    ("text", "value", "percent", "unit"),
    [
        ("95.7%", "0.957", True, ""),
        ("661,263", "661263", False, ""),
        ("35人", "35", False, "人"),
        ("3分", "3", False, "分"),
        ("５０００件/次", "5000", False, "件/次"),
        ("+214.97%", "2.1497", True, ""),
        ("-13.49%", "-0.1349", True, ""),
        ("252.49万元", "252.49", False, "万元"),
        ("10万人次", "100000", False, "人次"),
        ("１２３％", "1.23", True, ""),
        ("约5266人次", "5266", False, "人次"),
        ("12个工作日", "12", False, "个工作日"),
        (0.957, "0.957", False, ""),
        (3, "3", False, ""),
    ],
)
def test_parse_number(text, value, percent, unit):
    q = parse_number(text)
    assert q is not None
    assert q.value == Decimal(value) and q.percent is percent and q.unit == unit


@pytest.mark.parametrize(
    "text", ["五分", "三十五人", "", "-", "合理", "10月底之前", "约", "3分5", None, True]
)
def test_parse_number_rejects(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "comparator", "value", "percent"),
    [
        ("≥90%", "ge", "0.9", True),
        (">=90%", "ge", "0.9", True),
        ("＞＝90%", "ge", "0.9", True),
        ("不低于35人", "ge", "35", False),
        ("大于等于95%", "ge", "0.95", True),
        ("≤100%", "le", "1", True),
        ("≦100%", "le", "1", True),
        ("＜＝1.50%", "le", "0.015", True),
        ("不超过7万元", "le", "7", False),
        ("不高于10%", "le", "0.1", True),
        (">0", "gt", "0", False),
        ("<5%", "lt", "0.05", True),
        ("＝100%", "eq", "1", True),
        ("100%", "eq", "1", True),
        ("=35人", "eq", "35", False),
        ("±10%以内", "within", "0.1", True),
        ("5000件以上", "ge", "5000", False),
        ("15万元以内", "le", "15", False),
    ],
)
def test_parse_target(text, comparator, value, percent):
    t = parse_target(text)
    assert t is not None and t.comparator == comparator
    assert t.value == Decimal(value) and t.percent is percent and t.text == text


@pytest.mark.parametrize("text", ["合理", "健全", "科学完整", "明显提升", "有效保障", "每周", "10月底之前"])
def test_word_targets(text):
    t = parse_target(text)
    assert t is not None and t.comparator == "word" and t.word == text


def test_a_change_written_as_a_word_is_its_size_and_direction():
    """降低4% is a fall of at least 4 per cent; an actual that rose instead is a negative fall."""
    target = parse_target("同比下降5%")
    assert target is not None and target.comparator == "ge" and target.value == Decimal("0.05")
    assert target.change == "down" and target.display == "同比下降5%"
    fell = parse_number("下降4%")
    assert fell is not None and fell.value == Decimal("0.04") and fell.change == "down"
    rose = parse_number("增长1%")
    assert rose is not None and align_units(rose, target)[0].value == Decimal("-0.01")
    assert align_units(fell, target)[0].value == Decimal("0.04")
    more = parse_target("增加2人")
    assert more is not None and (more.value, more.unit, more.change) == (Decimal(2), "人", "up")
    assert parse_target("降低").comparator == "word"  # no size: words


def test_a_delay_written_with_its_verb_is_the_time_late():
    late = parse_number("延期2个月")
    assert late is not None and (late.value, late.unit, late.change) == (Decimal(2), "个月", "late")
    assert parse_target("延期2个月").comparator == "word"  # a 标杆值 is never a delay
    _, conflict = align_units(late, parse_target("≤12个月"))
    assert "延期时长" in conflict  # against a planned duration it is not comparable


def test_percent_target_reads_bare_number_as_percent():
    target = parse_target("≥90%")
    assert as_percent_like(parse_number("100"), target).value == Decimal(1)
    assert as_percent_like(parse_number(0.957), target).value == Decimal("0.957")
    # without a percent target a bare number stays a count
    assert as_percent_like(parse_number("100"), parse_target("≥90件")).value == Decimal(100)


def test_round_half_up_like_excel():
    assert round_half_up(Decimal("3.925")) == Decimal("3.93")
    assert round_half_up(Decimal("2.675")) == Decimal("2.68")  # Python's round gives 2.67
    assert round_half_up(1.005) == Decimal("1.01")
    assert fmt_num(Decimal("1.6557")) == "1.66" and fmt_num(Decimal("3.00")) == "3"
    assert fmt_pct(Decimal("2.149718")) == "214.97%" and fmt_pct(Decimal("0.979504")) == "97.95%"
