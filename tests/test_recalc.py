"""The LibreOffice harness itself: it must catch wrong cached values and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import recalc
from recalc import LibreOffice, Mismatch, RecalcError, make_profile, recalc_many, same


@pytest.mark.parametrize(
    ("cached", "got", "expected"),
    [
        (5, 5.0, True),
        (1.0, 1.004, True),  # within the 0.005 tolerance
        (1.0, 1.006, False),
        (85.5, None, False),  # LibreOffice left the cell empty
        ("优", "优", True),
        ("优", "良", False),
        ("", None, True),  # an empty-string result reads back as nothing
        (True, True, True),
        (True, 1, False),
        ("#VALUE!", "#VALUE!", False),  # an error is never a match, even a cached one
        (0, "#DIV/0!", False),
        (0, "Err:502", False),
    ],
)
def test_same(cached: object, got: object, expected: bool) -> None:
    assert same(cached, got) is expected


def test_wrong_cached_value_is_a_mismatch(lo: LibreOffice, make_xlsx) -> None:
    path = make_xlsx(
        {
            "指标": {
                "A1": 2,
                "A2": 3,
                "A3": ("=A1+A2", 999),
                "A4": ("=A1*A2", 6),
                "A5": ("=A1/0", "#DIV/0!"),
            }
        }
    )
    assert lo.compare(path) == [
        Mismatch("指标", "A3", "=A1+A2", 999, 5),
        Mismatch("指标", "A5", "=A1/0", "#DIV/0!", "#DIV/0!"),
    ]


def test_correct_cached_values_give_no_mismatch(lo: LibreOffice, make_xlsx) -> None:
    path = make_xlsx(
        {
            "基础表": {"A1": 80, "A2": 90.5, "A3": ("=SUM(A1:A2)", 170.5)},
            "评分": {
                "B1": ("='基础表'!A3/2", 85.25),
                "B2": ("=ROUND(2/3,2)", 0.67),
                "B3": ("=2/3", 0.667),  # off by 0.0003: within tolerance
                "B4": ('=IF(B1>=85,"优","良")', "优"),
                "B5": ("=B1>90", False),
                "B6": ('=""', ""),
            },
        }
    )
    assert lo.compare(path) == []


def test_text_cells_are_not_touched(lo: LibreOffice, make_xlsx) -> None:
    texts = {"A1": "五分", "A2": "001", "A3": "=1+1", "A4": " 10% ", "A5": "≥95%", "B1": 0.1}
    path = make_xlsx({"指标": texts, "空表": {}})
    assert lo.recalc(path) == {"指标": texts, "空表": {}}


def test_batch_converts_three_files_in_one_soffice_call(
    lo: LibreOffice, make_xlsx, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    run = recalc._run

    def counting_run(cmd: list[str], timeout: float) -> str:
        calls.append(cmd)
        return run(cmd, timeout)

    monkeypatch.setattr(recalc, "_run", counting_run)
    # Two share a file name: the batch must not let one output overwrite the other.
    paths = [
        make_xlsx({"S": {"A1": n, "A2": ("=A1*10", 0)}}, name=name)
        for n, name in [(1, "a/book.xlsx"), (2, "b/book.xlsx"), (3, "c.xlsx")]
    ]
    results = lo.recalc_many(paths)
    assert len(calls) == 1
    assert {p: r["S"]["A2"] for p, r in results.items()} == dict(zip(paths, [10, 20, 30], strict=True))


def test_recalculation_is_forced_by_the_profile(lo: LibreOffice, make_xlsx, tmp_path: Path) -> None:
    # Control: with a default profile LibreOffice keeps xlsxwriter's cached value, so a
    # passing compare() proves the recalculating profile is what makes the difference.
    path = make_xlsx({"S": {"A1": 2, "A2": ("=A1+1", 999)}})
    plain = make_profile(tmp_path / "plain-profile", force_recalc=False)
    assert recalc_many([path], tmp_path, profile=plain)[path]["S"]["A2"] == 999
    assert lo.recalc(path)["S"]["A2"] == 3


def test_unreadable_file_is_a_clear_error(lo: LibreOffice, tmp_path: Path) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RecalcError, match=r"未能转换.*坏文件\.xlsx"):
        lo.recalc(bad)


def test_timeout_is_an_error(lo: LibreOffice, make_xlsx, tmp_path: Path) -> None:
    path = make_xlsx({"S": {"A1": 1}})
    # A throwaway profile: a killed soffice may leave its profile locked.
    profile = make_profile(tmp_path / "killed-profile")
    with pytest.raises(RecalcError, match="超时"):
        recalc_many([path], tmp_path, timeout=0.2, profile=profile)


def test_pdf_pages(lo: LibreOffice, make_xlsx) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm 未安装：apt-get install poppler-utils")
    pages = lo.pdf_pages(make_xlsx({"S": {"A1": "第一页"}}))
    assert [p.suffix for p in pages] == [".png"]
    assert pages[0].stat().st_size > 0
