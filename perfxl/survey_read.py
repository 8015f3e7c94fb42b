"""Reading survey sheets into :class:`perfxl.survey.SurveyResult` (docs/workbook.md, 问卷).

Tallies — sheet ``问卷汇总*``, one row per satisfaction question::

    2023年…满意度问卷汇总                       ← optional title / 说明 rows
    计算方法 | 均值法                           ← optional settings: key cell, value in the next cell
    选项分值 | 100,80,60,40,20                  ← optional, 加权法 weights, best option first
    有效问卷 | 71                               ← optional; default = the largest question total
    序号 | 题目 | 非常满意 | 比较满意 | 基本满意 | 不太满意 | 非常不满意 | 合计 | 满意度
    分值 |      | 5 | 4 | 3 | 2 | 1              ← optional row: scores of the option columns
    1 | 您对…的评价 | 66 | 0 | 5 | 0 | 0 | 71 | 97.18%

The header is the first row within the first 15 whose cell reads 题目 (问题, 题干, 调查题目,
评价项目…); every other filled header cell to its right is an option, except 合计 (audited
against the sum of the counts), 满意度/满意率 (declared rate, audited) and 序号/备注/均值.
5-point labels map to scores 5..1: 非常满意 (很满意) 5, 比较满意 (满意) 4, 基本满意 (一般) 3,
不太满意 (不满意) 2, 非常不满意 (很不满意) 1; any other scale (10-point, custom) needs the
``分值`` row.  Settings (``计算方法``, ``选项分值``, ``有效问卷``, ``回收问卷``) may also be written
in one cell as ``计算方法：满意率法``.  Rows named 合计/总体/平均 are declared totals, not questions.

Raw responses — sheet ``问卷明细*``, one row per respondent below a header row (the first
row within 15 that names meta columns or numbered questions, else the first row with two
text cells).  问卷星 exports are read as they come:

- meta columns 序号, 提交答卷时间, 所用时间 ("123秒", "2分3秒"), 来源, 来源详情, 来自IP are
  not answers; a duplicate is the same answers from the same 来自IP (when the column exists —
  many people truly answer "all 非常满意", so answers alone do not make a duplicate); the
  personal columns of hand-made sheets (姓名, 电话, 手机号…) are not answers either, but two
  people with different names and the same answers are not duplicates;
- "N、题干" is one question; "第N题(子项)" / "N(子项)" columns are matrix rows (each a
  question named by the 子项) or, when a column holds 0 (按选项序号), the options of a
  multi-select question;
- 按选项文本: multi-select answers joined by "┋", other-text in "〖…〗", "(跳过)" = missing;
- 按选项序号: numbers are option numbers (-2 / -3 = skipped / not shown = missing); their
  texts come from the codebook sheet, without which the question is counted by option
  number only (a warning says so).

Hand-made sheets may hold scores (1..5, or 1..``满分``) instead of texts.  A question is a
satisfaction item when every answer is a scale label (at least one containing 满意) or a
codebook option with a score; 不了解/不清楚/不适用/无法评价 answers then count as missing.
Anything else with few distinct answers is a choice question; free text is skipped.

Codebook — sheet ``问卷选项*`` (``问卷选项-来访人员`` pairs with ``问卷明细-来访人员``, a plain
``问卷选项`` serves every raw sheet): header 题号 | 题目 | 选项序号 | 选项 | 分值 (题目, 选项序号 and
分值 optional; 题号 and 题目 may be left blank below the first option of a question).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import TypeVar

from .book import Book, Sheet, open_book
from .cells import a1
from .errors import Finding, PerfxlError
from .numbers import cell_text, normalize, parse_number
from .survey import (
    _OTHER_RE,
    CANONICAL,
    MEAN,
    METHOD_LABELS,
    RAW,
    TALLY,
    Choice,
    Dropped,
    Item,
    SurveyResult,
    clean_label,
    finish,
    label_score,
    norm,
    parse_method,
)

_T = TypeVar("_T")

HEADER_SCAN = 15
TALLY_PREFIXES = ("问卷汇总",)
RAW_PREFIXES = ("问卷明细",)
CODEBOOK_PREFIXES = ("问卷选项",)

# answers that are no opinion: missing for a satisfaction item, an option for a choice
NOT_APPLICABLE = (
    "不了解",
    "不清楚",
    "不知道",
    "不适用",
    "无法评价",
    "说不清",
    "不好说",
    "没接触过",
    "未接触",
    "未使用",
)

_QUESTION_HEADERS = (
    "题目",
    "问题",
    "题干",
    "题目名称",
    "问题名称",
    "调查题目",
    "满意度题目",
    "评价项目",
    "调查内容",
    "调查项目",
    "满意度调查项目",
)
_TOTAL_HEADERS = (
    "合计",
    "小计",
    "总计",
    "合计人数",
    "总人数",
    "有效数",
    "有效人数",
    "样本数",
    "答题人数",
    "填写人数",
    "人数合计",
)
_DECLARED_HEADERS = ("满意度", "满意率", "满意度(%)", "满意率(%)", "满意度得分率", "得分率")
_IGNORED_HEADERS = (
    "序号",
    "编号",
    "题号",
    "备注",
    "说明",
    "均值",
    "平均分",
    "平均得分",
    "均分",
    "得分",
    "排名",
)
_SCORE_ROW = ("分值", "分数", "赋分", "选项分值(每列)")
_TOTAL_ROWS = (
    "合计",
    "总计",
    "总体",
    "整体",
    "平均",
    "平均值",
    "总体满意度",
    "整体满意度",
    "综合满意度",
    "综合",
)

_SETTINGS = {
    "method": ("计算方法", "满意度计算方法", "计算口径", "满意度计算口径", "统计方法"),
    "weights": ("选项分值", "选项权重", "加权分值", "选项赋分"),
    "valid": ("有效问卷", "有效问卷数", "有效样本", "有效样本数", "有效份数"),
    "respondents": ("回收问卷", "回收问卷数", "问卷总数", "回收份数"),
    "max": ("满分", "量表满分"),
}
_SETTING_KEY = {k: name for name, keys in _SETTINGS.items() for k in keys}

_META = {
    "序号", "编号", "答卷编号", "答卷序号", "提交答卷时间", "提交时间", "开始时间", "结束时间", "答题时间",
    "填写时间", "所用时间", "答题时长", "作答时长", "填写时长", "用时", "来源", "来源详情", "来自ip", "ip",
    "ip地址", "总分", "微信昵称", "昵称", "用户名", "填写人", "地区", "省份", "城市", "来源渠道",
}  # fmt: skip
# who answered: not a question, but part of what makes two submissions duplicates
_IDENTITY = {
    "姓名", "名字", "联系电话", "电话", "手机", "手机号", "手机号码", "身份证号", "身份证号码", "工号",
    "学号", "填表人", "受访者", "被调查人", "调查对象姓名",
}  # fmt: skip
_WJX_META = {"提交答卷时间", "来自ip", "来源详情", "所用时间"}
_SAME_DEVICE = {"来自ip", "ip", "ip地址"}
_TIME_HEADERS = {"所用时间", "答题时长", "作答时长", "填写时长", "用时"}
_SKIPPED_TEXT = {"(跳过)", "跳过", "(空)", "空", "-2", "-3", "(未作答)", "未作答", "(未显示)"}
_SUMMARY_ROWS = {"合计", "总计", "平均", "平均值", "平均分", "均值", "小计"}

_STEM_RE = re.compile(r"^(\d{1,3})\s*[、.．:：]\s*(.*)$", re.S)
_SUB_RE = re.compile(r"^(?:第\s*(\d{1,3})\s*题|(\d{1,3}))\s*[(（](.*)[)）]\s*$", re.S)
_CODE_OTHER_RE = re.compile(r"^(-?\d+)(?:\.0+)?\s*〖(.*?)〗$", re.S)
_INT_TEXT_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
_MULTI_HINT_RE = re.compile(r"多选|可多选|多项选择|限选|最多选")
_SCORE_HINT_RE = re.compile(r"满意|评价|评分|打分")


# ---------------------------------------------------------------- sheet names


_NAME_TRIM = " -_—－·:：()（）[]【】"


def _suffix(name: str, prefixes: tuple[str, ...]) -> str | None:
    """'问卷汇总-来访人员' / '问卷汇总表（来访人员）' / '来访人员问卷汇总' → '来访人员'; '问卷汇总' → ''.

    None for sheets of another kind.
    """
    for p in prefixes:
        if p in name:
            before, _, after = name.partition(p)
            after = after.strip(_NAME_TRIM)
            if after.startswith("表"):
                after = after[1:]
            return (before.strip(_NAME_TRIM) + after.strip(_NAME_TRIM)).strip(_NAME_TRIM)
    return None


def is_tally_sheet(name: str) -> bool:
    return _suffix(name, TALLY_PREFIXES) is not None


def is_raw_sheet(name: str) -> bool:
    return _suffix(name, RAW_PREFIXES) is not None


def survey_name(sheet: str) -> str:
    """The survey's name: the suffix of the sheet name, or the sheet name when there is none."""
    for prefixes in (TALLY_PREFIXES, RAW_PREFIXES):
        suffix = _suffix(sheet, prefixes)
        if suffix:
            return suffix
    return sheet


# ---------------------------------------------------------------- labels and settings


def _is_na(label: str) -> bool:
    return norm(clean_label(label)) in NOT_APPLICABLE


def _key(value: object) -> str:
    return normalize(cell_text(value)).rstrip(":").lower()


def _parse_weights(values: list[object]) -> tuple[float, ...] | None:
    nums: list[float] = []
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            nums.append(float(v))
            continue
        for part in re.split(r"[,，、/;；\s]+", cell_text(v)):
            if not part:
                continue
            q = parse_number(part)
            if q is None:
                return None
            nums.append(float(q.value * 100 if q.percent else q.value))
    return tuple(nums) or None


@dataclass
class _Settings:
    method: str | None = None
    weights: tuple[float, ...] | None = None
    valid: int | None = None
    respondents: int | None = None
    max: float | None = None


def _read_setting(row: list[object], r: int, sheet: str, st: _Settings, findings: list[Finding]) -> bool:
    """If *row* holds a setting (key cell + value, or '键：值' in one cell), apply it; True if so."""
    for c, v in enumerate(row):
        text = cell_text(v)
        if not text:
            continue
        folded = normalize(text)
        key, sep, inline = folded.partition(":")
        name = _SETTING_KEY.get(key)
        if name is None:
            return False
        values: list[object] = [inline] if sep and inline else [x for x in row[c + 1 :] if cell_text(x)]
        where = a1(r, c)
        if not values:
            return True  # a key with no value: the default applies
        if name == "method":
            m = parse_method(values[0])
            if m is None:
                findings.append(
                    Finding("warning", "survey.bad_method", sheet, where,
                            f"计算方法“{cell_text(values[0])}”无法识别（可选：均值法、满意率法、加权法），按均值法计算")
                )  # fmt: skip
            st.method = m
        elif name == "weights":
            st.weights = _parse_weights(values)
            if st.weights is None:
                findings.append(
                    Finding("warning", "survey.bad_weights", sheet, where,
                            f"选项分值“{cell_text(values[0])}”无法识别，应为从最好到最差的数字，如 100,80,60,40,20")
                )  # fmt: skip
        else:
            q = parse_number(values[0])
            if q is None or q.value < 0:
                findings.append(
                    Finding(
                        "warning",
                        "survey.bad_setting",
                        sheet,
                        where,
                        f"{key}“{cell_text(values[0])}”不是数字",
                    )
                )
            elif name == "max":
                st.max = float(q.value)
            else:
                setattr(st, name, int(q.value))
        return True
    return False


def _finding(sheet: str, r: int, c: int, code: str, message: str, severity: str = "warning") -> Finding:
    return Finding(severity, code, sheet, a1(r, c) if r >= 0 else "", message)


# ---------------------------------------------------------------- tallies


def _count(value: object) -> int | None:
    """A tally count: '' → 0, 12 / '12人' → 12; None when it is not a whole number ≥ 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    q = parse_number(value)
    if q is None or q.percent or q.value < 0 or q.value != q.value.to_integral_value():
        return None
    return int(q.value)


def _rate(value: object) -> float | None:
    """A declared satisfaction: '97.18%', 0.9718 or 97.18 → 0.9718."""
    q = parse_number(value)
    if q is None:
        return None
    v = float(q.value)
    return v if q.percent or v <= 1.5 else v / 100


def read_tally(sheet: Sheet, *, method: str | None = None) -> SurveyResult:
    """One 问卷汇总 sheet → SurveyResult (α and item–total r stay None: tallies have no rows)."""
    name = sheet.name
    findings: list[Finding] = []
    st = _Settings()
    rows = sheet.rows
    header = None
    qcol = -1
    for r, row in enumerate(rows[:HEADER_SCAN]):
        for c, v in enumerate(row):
            if _key(v) in _QUESTION_HEADERS:
                header, qcol = r, c
                break
        if header is not None:
            break
        _read_setting(row, r, name, st, findings)
    result = SurveyResult(survey_name(name), name, TALLY, method or MEAN, 0, 0, findings=findings)
    if header is None:
        findings.append(
            _finding(name, -1, 0, "survey.no_header",
                     f"前 {HEADER_SCAN} 行中没有找到表头（应有“题目”列，其右为各选项人数）", "error")
        )  # fmt: skip
        return result

    options: list[int] = []
    total_col = declared_col = None
    for c in range(qcol + 1, len(rows[header])):
        k = _key(rows[header][c])
        if not k:
            continue
        if k in _TOTAL_HEADERS:
            total_col = c
        elif k in _DECLARED_HEADERS:
            declared_col = c
        elif k not in _IGNORED_HEADERS:
            options.append(c)
    labels = [clean_label(rows[header][c]) or cell_text(rows[header][c]) for c in options]

    score_row: dict[int, float] = {}
    body: list[tuple[int, list[object]]] = []
    declared_overall: tuple[int, float] | None = None
    width = max([*options, qcol, total_col or 0, declared_col or 0]) + 1
    for r in range(header + 1, len(rows)):
        row = rows[r] + [""] * (width - len(rows[r]))
        q_text = cell_text(row[qcol])
        first = next((cell_text(v) for v in row if cell_text(v)), "")
        if not first:
            continue
        if normalize(first) in _SCORE_ROW or normalize(q_text) in _SCORE_ROW:
            for c in options:
                if not cell_text(row[c]):
                    continue
                q = parse_number(row[c])
                if q is None or q.value < 0:
                    findings.append(
                        _finding(
                            name, r, c, "survey.bad_score", f"分值“{cell_text(row[c])}”不是非负数", "error"
                        )
                    )
                else:
                    score_row[c] = float(q.value)
            continue
        if _read_setting(row, r, name, st, findings):
            continue
        if normalize(q_text) in _TOTAL_ROWS or (not q_text and normalize(first) in _TOTAL_ROWS):
            if declared_col is not None and _rate(row[declared_col]) is not None:
                declared_overall = (r, _rate(row[declared_col]))  # type: ignore[assignment]
            continue
        if not any(cell_text(row[c]) for c in options):
            continue  # blank, or a section heading such as "一、服务质量" (zeros count: they are typed)
        body.append((r, row))

    if method is None:
        result.method = st.method or MEAN
    result.weights = st.weights

    scores: dict[int, float] = {}
    for c, lab in zip(options, labels, strict=True):
        s = score_row.get(c, label_score(lab) if not score_row else None)
        if s is None:
            findings.append(
                _finding(name, header, c, "survey.unknown_option",
                         f"选项“{lab}”无法确定分值，该列未计入；五级以外的量表请在表头下加一行“分值”", "error")
            )  # fmt: skip
        else:
            scores[c] = s
    cols = [c for c in options if c in scores]
    if not cols:
        if options:
            return result
        findings.append(
            _finding(name, header, qcol, "survey.no_options", "表头“题目”右侧没有选项列", "error")
        )
        return result

    items: list[Item] = []
    for r, row in body:
        counts = []
        for c in cols:
            n = _count(row[c])
            if n is None:
                findings.append(
                    _finding(
                        name,
                        r,
                        c,
                        "survey.bad_count",
                        f"人数“{cell_text(row[c])}”不是非负整数，按 0 计",
                        "error",
                    )
                )
                n = 0
            counts.append(n)
        question = cell_text(row[qcol]) or f"第{r + 1}行"
        if total_col is not None and cell_text(row[total_col]):
            declared_total = _count(row[total_col])
            if declared_total != sum(counts):
                findings.append(
                    _finding(name, r, total_col, "survey.total_mismatch",
                             f"合计“{cell_text(row[total_col])}”与各选项人数之和 {sum(counts)} 不符")
                )  # fmt: skip
        declared = _rate(row[declared_col]) if declared_col is not None else None
        items.append(
            Item(
                question,
                tuple(labels[options.index(c)] for c in cols),
                tuple(scores[c] for c in cols),
                tuple(counts),
                declared=declared,
                cell=a1(r, qcol),
            )
        )
    if not items:
        findings.append(_finding(name, header, qcol, "survey.no_items", "表头下没有题目行"))
    most = max((it.n for it in items), default=0)
    result.respondents = st.respondents if st.respondents is not None else (st.valid or most)
    result.valid = st.valid if st.valid is not None else most
    finish(result, items)

    for it, (r, _row) in zip(result.items, body, strict=True):
        if (
            it.declared is not None
            and it.satisfaction is not None
            and abs(it.declared - it.satisfaction) > 0.0005
        ):
            findings.append(
                _finding(name, r, declared_col or 0, "survey.declared_mismatch",
                         f"填写的满意度 {it.declared:.2%} 与按{_method_cn(result.method)}计算的 "
                         f"{it.satisfaction:.2%} 不符")
            )  # fmt: skip
    if declared_overall and result.overall is not None and abs(declared_overall[1] - result.overall) > 0.0005:
        findings.append(
            _finding(name, declared_overall[0], declared_col or 0, "survey.declared_mismatch",
                     f"填写的总体满意度 {declared_overall[1]:.2%} 与各题满意度的平均值 {result.overall:.2%} 不符")
        )  # fmt: skip
    return result


def _method_cn(method: str) -> str:
    return METHOD_LABELS.get(method, method)


# ---------------------------------------------------------------- codebooks


@dataclass
class _CbQuestion:
    stem: str = ""
    options: list[tuple[int, str, float | None]] = field(default_factory=list)

    def label(self, code: int) -> str | None:
        return next((lab for c, lab, _ in self.options if c == code), None)

    def score(self, label: str) -> float | None:
        key = norm(clean_label(label))
        return next((s for _, lab, s in self.options if norm(lab) == key), None)

    @property
    def scored(self) -> bool:
        return any(s is not None for _, _, s in self.options)


@dataclass
class Codebook:
    """Option texts (and optional scores) per question number, from a 问卷选项 sheet."""

    sheet: str
    questions: dict[int, _CbQuestion] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    reported: bool = False


def _qno(value: object) -> int | None:
    t = normalize(cell_text(value))
    m = re.fullmatch(r"(?:第|Q|q)?(\d{1,3})(?:题|[、.:])?", t)
    return int(m.group(1)) if m else None


def read_codebook(sheet: Sheet) -> Codebook:
    cb = Codebook(sheet.name)
    cols: dict[str, int] = {}
    header = None
    names = {
        "qno": ("题号", "题目序号", "题目编号"),
        "stem": ("题目", "题干", "问题"),
        "code": ("选项序号", "选项编号", "序号", "编号", "代码", "选项值", "值"),
        "label": ("选项", "选项文本", "选项内容", "选项名称"),
        "score": ("分值", "分数", "得分", "赋分"),
    }
    for r, row in enumerate(sheet.rows[:HEADER_SCAN]):
        found = {}
        for c, v in enumerate(row):
            k = _key(v)
            for role, keys in names.items():
                if k in keys and role not in found:
                    found[role] = c
        if "qno" in found and "label" in found:
            header, cols = r, found
            break
    if header is None:
        cb.findings.append(
            _finding(sheet.name, -1, 0, "survey.bad_codebook", "选项表没有找到“题号”和“选项”列")
        )
        return cb
    qno = None
    for r in range(header + 1, len(sheet.rows)):
        row = sheet.rows[r]

        def get(role: str, row: list[object] = row) -> object:
            c = cols.get(role)
            return row[c] if c is not None and c < len(row) else ""

        if cell_text(get("qno")):
            qno = _qno(get("qno"))
            if qno is None:
                cb.findings.append(
                    _finding(
                        sheet.name,
                        r,
                        cols["qno"],
                        "survey.bad_codebook",
                        f"题号“{cell_text(get('qno'))}”无法识别",
                    )
                )
                continue
        label = clean_label(get("label"))
        if qno is None or not label:
            continue
        q = cb.questions.setdefault(qno, _CbQuestion())
        if cell_text(get("stem")) and not q.stem:
            q.stem = cell_text(get("stem"))
        code_q = parse_number(get("code")) if cell_text(get("code")) else None
        code = int(code_q.value) if code_q is not None else len(q.options) + 1
        score_q = parse_number(get("score")) if cell_text(get("score")) else None
        if cell_text(get("score")) and score_q is None:
            cb.findings.append(
                _finding(
                    sheet.name,
                    r,
                    cols["score"],
                    "survey.bad_codebook",
                    f"分值“{cell_text(get('score'))}”不是数字",
                )
            )
        q.options.append((code, label, float(score_q.value) if score_q is not None else None))
    return cb


def find_codebooks(book: Book) -> dict[str, Codebook]:
    """{raw sheet name: its codebook}: same suffix first, else the codebook without suffix."""
    books: dict[str, Codebook] = {}
    for name in book.sheet_names:
        suffix = _suffix(name, CODEBOOK_PREFIXES)
        if suffix is not None:
            books.setdefault(suffix, read_codebook(book.sheet(name)))
    out: dict[str, Codebook] = {}
    for name in book.sheet_names:
        suffix = _suffix(name, RAW_PREFIXES)
        if suffix is None:
            continue
        cb = books.get(suffix) or books.get("")
        if cb is None and len(books) == 1:
            cb = next(iter(books.values()))
        if cb is not None:
            out[name] = cb
    return out


# ---------------------------------------------------------------- raw responses


def parse_seconds(value: object) -> float | None:
    """所用时间: 123 / '123秒' / '2分3秒' / '1小时2分' / '0:02:03' → seconds; None if unreadable."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    t = normalize(cell_text(value))
    if not t:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return float(t)
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})", t)
    if m:
        return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
    m = re.fullmatch(r"(?:(\d+)(?:小时|时))?(?:(\d+)(?:分钟|分))?(?:(\d+(?:\.\d+)?)秒(?:钟)?)?", t)
    if m and any(m.groups()):
        return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3) or 0)
    return None


def _num(value: object) -> float | None:
    """A numeric answer (float cell or digits text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if type(value) is str:
        return _num_text(value)
    t = cell_text(value)
    return float(t) if _INT_TEXT_RE.fullmatch(t) else None


@lru_cache(maxsize=8192)
def _num_text(value: str) -> float | None:
    # answers repeat a few option texts thousands of times: parse each text once
    t = value.strip()
    return float(t) if _INT_TEXT_RE.fullmatch(t) else None


def _missing(value: object, wjx: bool) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        t = norm(value)
        return not t or t in _SKIPPED_TEXT
    n = _num(value)
    return wjx and n is not None and n in (-2.0, -3.0)


@dataclass
class _Col:
    index: int
    header: str
    qno: int | None = None
    stem: str | None = None
    sub: str | None = None


@dataclass
class _Q:
    """A question after decoding: per valid respondent None, a label, a score, or a label list."""

    qno: int | None
    title: str
    cell: str
    multi: bool = False
    answers: list[object] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # known option order (codebook / sub-columns)
    numeric: bool = False


def _find_raw_header(rows: list[list[object]]) -> int | None:
    fallback = None
    for r, row in enumerate(rows[:HEADER_SCAN]):
        texts = [cell_text(v) for v in row if cell_text(v)]
        marked = sum(
            1
            for t in texts
            if _key(t) in _META or _STEM_RE.match(normalize(t)) or _SUB_RE.match(normalize(t))
        )
        if marked >= 2:
            return r
        if texts and normalize(texts[0]).partition(":")[0] in _SETTING_KEY:
            continue  # 计算方法 | 均值法 above the header
        all_text = all(isinstance(v, str) for v in row if cell_text(v))
        next_filled = r + 1 < len(rows) and any(cell_text(v) for v in rows[r + 1])
        if fallback is None and len(texts) >= 2 and all_text and next_filled:
            fallback = r
    return fallback


@lru_cache(maxsize=8192)
def _split_other(text: str) -> tuple[str, str]:
    """'其他〖自行填写〗' → ('其他', '自行填写')."""
    others = [o.strip() for o in _OTHER_RE.findall(text) if o.strip()]
    return clean_label(text), "；".join(others)


def read_raw(
    sheet: Sheet,
    codebook: Codebook | None = None,
    *,
    min_seconds: float | None = None,
    method: str | None = None,
    drop_duplicates: bool = True,
) -> SurveyResult:
    """One 问卷明细 sheet → SurveyResult with screening, items, choices, α and item–total r."""
    name = sheet.name
    findings: list[Finding] = []
    result = SurveyResult(survey_name(name), name, RAW, method or MEAN, 0, 0, findings=findings)
    if codebook is not None and not codebook.reported:
        findings.extend(codebook.findings)
        codebook.reported = True
    rows = sheet.rows
    header = _find_raw_header(rows)
    if header is None:
        findings.append(
            _finding(name, -1, 0, "survey.no_header",
                     f"前 {HEADER_SCAN} 行中没有找到表头（问卷星导出的“序号、提交答卷时间…”或“1、题目”）", "error")
        )  # fmt: skip
        return result
    st = _Settings()
    for r in range(header):
        _read_setting(rows[r], r, name, st, findings)
    if method is None:
        result.method = st.method or MEAN
    result.weights = st.weights

    # columns
    meta: list[int] = []
    identity: list[int] = []
    time_col = None
    cols: list[_Col] = []
    for c, v in enumerate(rows[header]):
        h = cell_text(v)
        if not h:
            continue
        k = _key(h)
        if k in _IDENTITY:
            identity.append(c)
            continue
        if k in _SAME_DEVICE:
            # the same answers from the same address are one person submitting twice;
            # the same answers from different addresses are different people
            identity.append(c)
            meta.append(c)
            continue
        if k in _META:
            meta.append(c)
            if k in _TIME_HEADERS and time_col is None:
                time_col = c
            continue
        folded = normalize(h)
        m = _SUB_RE.match(folded)
        if m:
            cols.append(_Col(c, h, int(m.group(1) or m.group(2)), sub=_sub_text(h)))
            continue
        m = _STEM_RE.match(h.strip())
        if m:
            cols.append(_Col(c, h, int(m.group(1)), stem=m.group(2).strip()))
            continue
        cols.append(_Col(c, h, stem=h.strip()))
    wjx = any(_key(rows[header][c]) in _WJX_META for c in meta)
    answer_idx = [col.index for col in cols]
    # Work column by column: each column is read out of the rows once, and each distinct
    # answer text is worked out once (300 respondents repeat a handful of option texts).
    body = rows[header + 1 :]
    cells = {c: _column(body, c) for c in (*answer_idx, *identity)}
    coded = _number_mode(cells, cols, wjx)

    def is_missing(v: object) -> bool:
        return _missing(v, coded)

    # a row is blank when every answer is missing
    missing_cols = [_per_value(cells[c], is_missing) for c in answer_idx]
    blank_rows = (
        [all(flags) for flags in zip(*missing_cols, strict=False)] if missing_cols else [True] * len(body)
    )
    # duplicates: the same answers from the same person / address (texts as shown)
    key_cols = [_per_value(cells[c], cell_text) for c in (*identity, *answer_idx)]
    keys: list[tuple[str, ...]] = list(zip(*key_cols, strict=False)) if key_cols else [()] * len(body)

    # screening
    valid: list[int] = []  # indexes into body
    seen: dict[tuple[str, ...], int] = {}
    blank = fast = dup = 0
    bad_time = None
    respondents = 0
    for i, row in enumerate(body):
        r = header + 1 + i
        first = _first_text(row)  # usually the first cell
        if not first:
            continue
        if norm(first) in _SUMMARY_ROWS:
            continue
        respondents += 1
        if blank_rows[i]:
            blank += 1
            continue
        if min_seconds is not None and time_col is not None:
            shown = row[time_col] if time_col < len(row) else ""
            secs = parse_seconds(shown)
            if secs is None:
                bad_time = bad_time or (r, time_col, cell_text(shown) or "（空）")
            elif secs < min_seconds:
                fast += 1
                continue
        key = keys[i]
        if drop_duplicates and key in seen:
            dup += 1
            continue
        seen.setdefault(key, r)
        valid.append(i)
    result.respondents = respondents
    result.valid = len(valid)
    dropped = []
    if blank:
        dropped.append(Dropped("空白问卷（未作答任何题目）", blank))
    if fast:
        dropped.append(Dropped(f"答题时间少于 {min_seconds:g} 秒", fast))
    if dup:
        dropped.append(Dropped("重复提交（答案与之前的问卷完全相同）", dup))
    result.dropped = tuple(dropped)
    if min_seconds is not None and time_col is None:
        findings.append(
            _finding(
                name, header, 0, "survey.no_time", "设置了最短答题时间，但没有“所用时间”列，未按时间筛选"
            )
        )
    if bad_time is not None:
        findings.append(
            _finding(name, bad_time[0], bad_time[1], "survey.bad_time",
                     f"所用时间“{bad_time[2]}”无法识别（应如“123秒”或“2分3秒”），该问卷未按时间筛选")
        )  # fmt: skip
    if not valid:
        findings.append(_finding(name, header, 0, "survey.empty", "没有有效问卷"))
        return result

    everyone = len(valid) == len(body)

    def col_values(c: int) -> list[object]:
        column = cells[c]
        return column if everyone else [column[i] for i in valid]

    questions = _decode(name, header, cols, col_values, codebook, coded, findings)
    _classify(result, questions, codebook, st, findings, scores_allowed=not wjx)
    return result


def _column(rows: list[list[object]], c: int) -> list[object]:
    """Column *c* of *rows*, "" where a row is too short."""
    return [row[c] if c < len(row) else "" for row in rows]


def _per_value(values: list[object], fn: Callable[[object], _T]) -> list[_T]:
    """``[fn(v) for v in values]``, calling *fn* once per distinct text.

    Only exact ``str`` values share a result: numbers and booleans are cheap and compare
    equal across types (True == 1 == 1.0), so they are passed to *fn* one by one.
    """
    if set(map(type, values)) == {str}:  # the usual column: all texts, no Python-level loop
        memo = {t: fn(t) for t in set(values)}
        return list(map(memo.__getitem__, values))
    memo = {t: fn(t) for t in {v for v in values if type(v) is str}}
    return [memo[v] if type(v) is str else fn(v) for v in values]  # type: ignore[index]


def _answer_texts(values: list[object], coded: bool) -> set[str]:
    """The distinct texts of the answers that are not missing."""
    if set(map(type, values)) == {str}:
        return {cell_text(v) for v in set(values) if not _missing(v, coded)}
    return {cell_text(v) for v in values if not _missing(v, coded)}


def _first_text(row: list[object]) -> str:
    """The first filled cell of a row, as text ("" for a blank row)."""
    for v in row:
        t = cell_text(v)
        if t:
            return t
    return ""


def _number_mode(cells: dict[int, list[object]], cols: list[_Col], wjx: bool) -> bool:
    """Is this a 按选项序号 export (numbers are option numbers, -2/-3 missing)?

    Yes when a -2/-3 or a 0/1 option column shows up, or when most numbered question columns
    of a 问卷星 export hold only numbers (a 按选项文本 export has numbers only in fill-ins).
    *cells* holds each answer column below the header.
    """
    numeric_cols = 0
    numbered_cols = 0
    for col in cols:
        column = cells[col.index]
        texts = {v for v in column if type(v) is str}  # each distinct text once
        texts = {t for t in texts if t.strip()}
        others = [v for v in column if type(v) is not str and cell_text(v)]
        nums = [_num(v) for v in others] + [_num(v) for v in texts]
        if any(n in (-2.0, -3.0) for n in nums):
            return True
        if col.sub is not None and any(n == 0.0 for n in nums):
            return True
        if col.qno is not None and (texts or others):
            numbered_cols += 1
            numeric_cols += all(n is not None for n in nums)
    return wjx and numbered_cols > 0 and numeric_cols * 2 > numbered_cols


def _sub_text(header: str) -> str:
    m = _SUB_RE.match(header.strip())
    if m:
        return clean_label(m.group(3)) or m.group(3).strip()
    return header


def _decode(
    sheet: str,
    header: int,
    cols: list[_Col],
    col_values: Callable[[int], list[object]],
    codebook: Codebook | None,
    coded: bool,
    findings: list[Finding],
) -> list[_Q]:
    """Turn columns into questions: labels from text or codebook, sub-columns grouped."""
    out: list[_Q] = []
    no_codebook: list[str] = []
    unknown_codes: list[str] = []
    missing_cb: list[str] | None = [] if codebook is not None else None
    i = 0
    while i < len(cols):
        col = cols[i]
        cbq = codebook.questions.get(col.qno) if codebook and col.qno is not None else None
        if col.sub is not None:
            group = [col]
            while i + 1 < len(cols) and cols[i + 1].sub is not None and cols[i + 1].qno == col.qno:
                i += 1
                group.append(cols[i])
            i += 1
            grid = [col_values(g.index) for g in group]
            is_multi = any(n == 0.0 for vs in grid for n in _per_value(vs, _num))
            if is_multi:
                q = _Q(
                    col.qno,
                    (cbq.stem if cbq and cbq.stem else f"第{col.qno}题"),
                    a1(header, col.index),
                    multi=True,
                )
                q.order = [g.sub or g.header for g in group]
                for ri in range(len(grid[0])):
                    picked: list[str] = []
                    missing = True
                    for g, vs in zip(group, grid, strict=True):
                        v = vs[ri]
                        if _missing(v, True):
                            continue
                        missing = False
                        m = _CODE_OTHER_RE.match(cell_text(v))
                        if m:
                            if int(m.group(1)) >= 1:
                                picked.append(g.sub or g.header)
                                if m.group(2).strip():
                                    q.others.append(m.group(2).strip())
                        elif (_num(v) or 0) >= 1:
                            picked.append(g.sub or g.header)
                    q.answers.append(None if missing or not picked else picked)
                out.append(q)
            else:
                for g, vs in zip(group, grid, strict=True):
                    q = _Q(g.qno, g.sub or g.header, a1(header, g.index))
                    _decode_single(q, vs, cbq, coded, no_codebook, unknown_codes, missing_cb)
                    out.append(q)
            continue
        i += 1
        title = col.stem or col.header
        q = _Q(col.qno, title, a1(header, col.index))
        values = col_values(col.index)
        # every distinct answer text, "\0"-joined: one substring search instead of one per answer
        answered = "\0".join(_answer_texts(values, coded))
        if "→" in answered:
            findings.append(
                _finding(sheet, header, col.index, "survey.skipped", f"“{title}”是排序题，未统计", "info")
            )
            continue
        if "┋" in answered or _MULTI_HINT_RE.search(title):
            q.multi = True
            if cbq:
                q.order = [lab for _, lab, _ in cbq.options]
            parts = _per_value(values, partial(_multi_answer, coded=coded, cbq=cbq))
            answers = q.answers
            others = q.others
            for got in parts:
                if got is None:
                    answers.append(None)
                    continue
                chosen, other_texts = got
                answers.append(list(chosen) or None)  # a list of its own per respondent
                others.extend(other_texts)
            out.append(q)
            continue
        _decode_single(q, values, cbq, coded, no_codebook, unknown_codes, missing_cb)
        out.append(q)
    if no_codebook:
        findings.append(
            _finding(sheet, header, cols[0].index if cols else 0, "survey.no_codebook",
                     f"按选项序号导出的问卷缺少“问卷选项”表，{len(no_codebook)} 道题（{'、'.join(no_codebook[:5])}"
                     f"{'等' if len(no_codebook) > 5 else ''}）只能按选项序号统计，无法识别满意度")
        )  # fmt: skip
    if missing_cb:
        findings.append(
            _finding(sheet, header, 0, "survey.not_in_codebook",
                     f"选项表“{codebook.sheet if codebook else ''}”中没有 {'、'.join(missing_cb[:5])}"
                     f"{'等' if len(missing_cb) > 5 else ''}的选项，这些题按选项序号导出，未统计", "info")
        )  # fmt: skip
    if unknown_codes:
        findings.append(
            _finding(sheet, header, 0, "survey.unknown_code",
                     f"选项表中没有这些选项序号：{'、'.join(unknown_codes[:5])}{'等' if len(unknown_codes) > 5 else ''}")
        )  # fmt: skip
    return out


def _multi_answer(
    v: object, coded: bool, cbq: _CbQuestion | None
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """One "A┋B┋其他〖…〗" answer → (picked labels, other-texts); None when missing."""
    if _missing(v, coded):
        return None
    picked = []
    others = []
    for part in cell_text(v).split("┋"):
        lab, other = _split_other(part)
        if _num(lab) is not None and cbq:
            lab = cbq.label(int(_num(lab) or 0)) or lab
        if lab:
            picked.append(lab)
        if other:
            others.append(other)
    return tuple(picked), tuple(others)


def _decode_single(
    q: _Q,
    values: list[object],
    cbq: _CbQuestion | None,
    coded: bool,
    no_codebook: list[str],
    unknown_codes: list[str],
    not_in_codebook: list[str] | None,
) -> None:
    """Decode one column: option numbers via the codebook, texts as labels, or plain scores.

    *not_in_codebook* is None when there is no codebook at all.
    """
    if cbq:
        q.order = [lab for _, lab, _ in cbq.options]
    parsed = _per_value(values, lambda v: _parse_answer(v, coded))
    numbers = _per_value(values, _num)
    nums = [n for got, n in zip(parsed, numbers, strict=True) if not got[0]]  # got[0]: missing
    if nums and None not in nums and not coded and cbq is None:
        q.numeric = True  # scores typed by hand, or numbers in a fill-in question
        q.answers = [None if got[0] else n for got, n in zip(parsed, numbers, strict=True)]
        return
    if coded and cbq is None and not_in_codebook is not None and nums and None not in nums:
        # option numbers we cannot name, while the codebook names others: a fill-in number
        # or a question the codebook forgot — never guess which way its scale runs
        not_in_codebook.append(f"第{q.qno}题" if q.qno is not None else q.title[:12])
        q.answers = [None] * len(values)
        return
    by_code = cbq is not None or coded

    def outcome(v: object) -> tuple[str | None, tuple[str, ...], str | None, bool]:
        """(answer label, other-texts, unknown code for the warning, no codebook?) of one cell."""
        missing, text, code_other, code = _parse_answer(v, coded)
        if missing:
            return None, (), None, False
        others = (code_other,) if code_other else ()
        if code is not None and by_code:
            label = cbq.label(code) if cbq else None
            if label is not None:
                return label, others, None, False
            if cbq is not None:
                return f"选项{code}", others, f"{q.title[:12]}={code}", False
            return f"选项{code}", others, None, True
        lab, other = _split_other(text)
        return lab or None, (*others, other) if other else others, None, False

    # each distinct answer decoded once; then the per-respondent lists are plain look-ups
    decoded = _per_value(values, outcome)
    q.answers.extend([d[0] for d in decoded])
    q.others.extend([o for d in decoded if d[1] for o in d[1]])
    unknown_codes.extend([d[2] for d in decoded if d[2] is not None])
    if any(d[3] for d in decoded):
        no_codebook.append(f"第{q.qno}题" if q.qno is not None else q.title[:12])


def _parse_answer(v: object, coded: bool) -> tuple[bool, str, str, int | None]:
    """(missing, text, other-text of a "N〖…〗" code, option code) of one answer cell."""
    if _missing(v, coded):
        return True, "", "", None
    text = cell_text(v)
    m = _CODE_OTHER_RE.match(text)
    code = int(m.group(1)) if m else (int(n) if (n := _num(v)) is not None and n.is_integer() else None)
    return False, text, m.group(2).strip() if m else "", code


def _classify(
    result: SurveyResult,
    questions: list[_Q],
    codebook: Codebook | None,
    st: _Settings,
    findings: list[Finding],
    *,
    scores_allowed: bool,
) -> None:
    """Split decoded questions into satisfaction items (with score vectors) and choices.

    Plain numbers count as scores in hand-made sheets (*scores_allowed*) and, in 问卷星
    exports, only when the question title speaks of 满意/评价/评分.
    """
    sheet = result.sheet
    top = st.max or 5.0
    five_point: list[tuple[_Q, list[float | None], list[str | None]]] = []
    custom: list[tuple[_Q, list[float | None], tuple[str, ...], tuple[float, ...]]] = []
    choices: list[Choice] = []
    for q in questions:
        answered = [a for a in q.answers if a is not None]
        if not answered:
            continue
        if q.multi:
            counts: Counter[str] = Counter(lab for a in answered if isinstance(a, list) for lab in a)
            labels = _ordered(q.order, counts)
            choices.append(Choice(q.title, True, labels, tuple(counts[lab] for lab in labels), len(answered),
                                  tuple(q.others), q.cell))  # fmt: skip
            continue
        if q.numeric:
            nums = [a if isinstance(a, float) else None for a in q.answers]
            if not (scores_allowed or _SCORE_HINT_RE.search(q.title)):
                findings.append(
                    Finding("info", "survey.skipped", sheet, q.cell, f"“{q.title}”是数值填空题，未统计")
                )
            elif all(x.is_integer() and 1 <= x <= top for x in nums if x is not None):
                if top == 5.0:
                    five_point.append((q, nums, [None if x is None else CANONICAL[x] for x in nums]))
                else:
                    levels = tuple(float(s) for s in range(int(top), 0, -1))
                    custom.append((q, nums, tuple(f"{s:g}分" for s in levels), levels))
            else:
                findings.append(
                    Finding(
                        "info",
                        "survey.skipped",
                        sheet,
                        q.cell,
                        f"“{q.title}”的数值超出 1～{top:g} 分，未作为满意度题",
                    )
                )
            continue
        labels_seen = [str(a) for a in answered]
        cbq = codebook.questions.get(q.qno) if codebook and q.qno is not None else None
        if cbq is not None and cbq.scored:
            opts = sorted(((lab, s) for _, lab, s in cbq.options if s is not None), key=lambda x: -x[1])
            vec: list[float | None] = [None if a is None else cbq.score(str(a)) for a in q.answers]
            unknown = {str(a) for a, s in zip(q.answers, vec, strict=True) if a is not None and s is None}
            unknown -= {lab for lab in unknown if _is_na(lab)}
            if unknown:
                findings.append(
                    Finding("warning", "survey.unknown_option", sheet, q.cell,
                            f"“{q.title}”的答案“{'、'.join(sorted(unknown)[:3])}”在选项表中没有分值，按缺失处理")
                )  # fmt: skip
            custom.append((q, vec, tuple(lab for lab, _ in opts), tuple(s for _, s in opts)))
            continue
        # each distinct label once: answers repeat the 5 scale labels hundreds of times
        scored = {lab: label_score(lab) for lab in labels_seen}
        if all(s is not None or _is_na(lab) for lab, s in scored.items()) and any(
            "满意" in lab for lab, s in scored.items() if s is not None
        ):
            vec = [None if a is None else scored[str(a)] for a in q.answers]
            shown = {lab: None if s is None else clean_label(lab) for lab, s in scored.items()}
            raw_labels = [None if a is None else shown[str(a)] for a in q.answers]
            five_point.append((q, vec, raw_labels))
            continue
        counts = Counter(labels_seen)
        if len(counts) > 30 and len(counts) > len(labels_seen) / 2:
            findings.append(Finding("info", "survey.skipped", sheet, q.cell, f"“{q.title}”是填空题，未统计"))
            continue
        labels = _ordered(q.order, counts)
        choices.append(Choice(q.title, False, labels, tuple(counts[lab] for lab in labels), len(answered),
                              tuple(q.others), q.cell))  # fmt: skip

    # one set of 5-point labels for the whole survey: the wording respondents saw most often
    seen_by_level: defaultdict[float, Counter[str]] = defaultdict(Counter)
    for _q, vec, labs in five_point:
        # (score, label) pairs counted per question first: Counter keeps first appearances
        # in order, so most_common() still breaks ties by the first answer seen
        for (s, lab), n in Counter(zip(vec, labs, strict=True)).items():
            if s is not None and lab:
                seen_by_level[s][lab] += n
    level_labels = tuple(
        seen_by_level[s].most_common(1)[0][0] if s in seen_by_level else CANONICAL[s]
        for s in (5.0, 4.0, 3.0, 2.0, 1.0)
    )

    # items in question order
    order = {id(q): i for i, q in enumerate(questions)}
    entries: list[tuple[int, Item, list[float | None]]] = []
    scores5 = (5.0, 4.0, 3.0, 2.0, 1.0)
    for q, vec, _ in five_point:
        per_score = Counter(vec)
        counts5 = tuple(per_score[lvl] for lvl in scores5)
        entries.append((order[id(q)], Item(q.title, level_labels, scores5, counts5, cell=q.cell), vec))
    for q, vec, opt_labels, opt_scores in custom:
        if len(set(opt_scores)) == len(opt_scores):
            per_score = Counter(vec)
            counts_c = tuple(per_score[lvl] for lvl in opt_scores)
        else:
            counts_c = _count_labels(q, opt_labels)  # several options share a score: count by label
        entries.append((order[id(q)], Item(q.title, opt_labels, opt_scores, counts_c, cell=q.cell), vec))
    entries.sort(key=lambda e: e[0])
    result.choices = tuple(choices)
    if not entries and not choices:
        findings.append(_finding(sheet, -1, 0, "survey.no_items", "没有识别出满意度题或选择题"))
    if not entries:
        result.items = ()
        return
    finish(result, [e[1] for e in entries], [e[2] for e in entries])


def _count_labels(q: _Q, labels: tuple[str, ...]) -> tuple[int, ...]:
    keys = [normalize(lab) for lab in labels]
    c = Counter(norm(clean_label(str(a))) for a in q.answers if a is not None)
    return tuple(c[k] for k in keys)


def _ordered(order: list[str], counts: Counter[str]) -> tuple[str, ...]:
    """Known option order first (zero counts included), then the rest by count, most chosen first."""
    known = [lab for lab in order if lab]
    rest = [lab for lab, _ in counts.most_common() if lab not in known]  # ties keep first appearance
    return tuple(known + rest)


# ---------------------------------------------------------------- whole workbooks


def analyze_book(
    book: Book,
    *,
    min_seconds: float | None = None,
    method: str | None = None,
    drop_duplicates: bool = True,
) -> list[SurveyResult]:
    """Every survey sheet of *book* (tallies and raw responses), in sheet order; [] if none.

    *method* (mean/share/weighted or its Chinese name) overrides the sheets' ``计算方法``;
    *min_seconds* drops raw submissions answered faster; *drop_duplicates* drops raw
    submissions whose answers repeat an earlier one (meta columns ignored).
    Never raises on odd data: problems are findings on the results.
    """
    chosen = parse_method(method) if method else None
    if method and chosen is None:
        raise PerfxlError(f"未知的满意度计算方法“{method}”，可选：均值法、满意率法、加权法")
    codebooks = find_codebooks(book)
    results: list[SurveyResult] = []
    for name in book.sheet_names:
        if is_tally_sheet(name):
            results.append(read_tally(book.sheet(name), method=chosen))
        elif is_raw_sheet(name):
            results.append(
                read_raw(
                    book.sheet(name),
                    codebooks.get(name),
                    min_seconds=min_seconds,
                    method=chosen,
                    drop_duplicates=drop_duplicates,
                )
            )
    return results


def analyze_path(
    path: str | os.PathLike[str],
    *,
    min_seconds: float | None = None,
    method: str | None = None,
    drop_duplicates: bool = True,
) -> list[SurveyResult]:
    """Open a workbook and analyze its surveys; PerfxlError when it has none that is usable."""
    book = open_book(path)
    try:
        results = analyze_book(book, min_seconds=min_seconds, method=method, drop_duplicates=drop_duplicates)
    except PerfxlError as exc:
        raise exc.with_file(str(path)) from None
    try:
        usable_or_raise(results)
    except PerfxlError as exc:
        raise exc.with_file(str(path)) from None
    return results


def usable_or_raise(results: list[SurveyResult]) -> None:
    """PerfxlError naming the first problem when no survey of a workbook can be analyzed."""
    if not results:
        raise PerfxlError("工作簿中没有问卷工作表（应命名为“问卷汇总…”或“问卷明细…”）")
    if not any(r.usable for r in results):
        first = next((f for r in results for f in r.findings if f.severity == "error"), None)
        if first is not None:
            raise PerfxlError(first.message, sheet=first.sheet, cell=first.cell or None)
        raise PerfxlError("问卷工作表中没有可分析的题目", sheet=results[0].sheet)
