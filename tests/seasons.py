"""Two generated seasons of evaluations with known changes (tests of compare and of 汇总.xlsx's analysis).

2023 → 2024:

- 甲县教育局, 义务教育营养改善计划项目: total 93 → 85, grade 优 → 良; 资金到位率 newly loses
  3 points (and gets a new score.mismatch finding), 满意度 loses 5 more.
- 乙县卫健委, 基本公共卫生服务项目: 92 → 96; 绩效目标合理性 and 资金到位率 no longer lose
  points, its score.mismatch is resolved; the unit is written "乙县 卫健委" in 2024 (matching
  ignores spaces, years and full-width forms).
- 丙县民政局, a department evaluation: 88 both years.
- 丁县水利局 only in 2023; 戊县交通局 only in 2024 (no 评价机构).

Every line says its declared and its final score, so that tests compute what perfxl must show
without perfxl: a ``比率法`` line scores weight × actual (capped at the weight), a ``人工``
line keeps the declared score.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

RATIO = "比率法 上限=100%"
MANUAL = "人工"


@dataclass(frozen=True)
class Line:
    group: str
    name: str
    weight: float
    declared: float
    actual: float | None = None  # a completion ratio: the line is scored by RATIO

    @property
    def final(self) -> float:
        if self.actual is None:
            return self.declared
        return round(self.weight * min(self.actual, 1.0), 2)

    @property
    def lost(self) -> float:
        return round(self.weight - self.final, 2)


@dataclass(frozen=True)
class Evaluation:
    file: str
    title: str
    unit: str
    year: str
    kind: str  # project | department
    firm: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> float:
        return round(sum(line.final for line in self.lines), 2)

    @property
    def declared_total(self) -> float:
        return round(sum(line.declared for line in self.lines), 2)

    @property
    def grade(self) -> str:
        return grade(self.total)

    def groups(self) -> dict[str, tuple[float, float]]:
        """一级指标 → (score, weight), in order."""
        out: dict[str, tuple[float, float]] = {}
        for line in self.lines:
            score, weight = out.get(line.group, (0.0, 0.0))
            out[line.group] = (round(score + line.final, 2), weight + line.weight)
        return out


def grade(total: float) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _nutrition(year: str, ratio: float, satisfaction: float) -> Evaluation:
    return Evaluation(
        "甲县教育局_营养改善.xlsx",
        f"{year}年义务教育营养改善计划项目",
        "甲县教育局",
        year,
        "project",
        "甲咨询公司",
        (
            Line("决策", "立项依据充分性", 10, 10),
            Line("决策", "绩效目标合理性", 10, 10),
            Line("过程", "资金到位率", 20, 20, ratio),
            Line("过程", "资金使用合规性", 20, 18),
            Line("产出", "完成率", 20, 20),
            Line("效益", "满意度", 20, satisfaction),
        ),
    )


def _health(year: str, unit: str, goal: float, ratio: float) -> Evaluation:
    return Evaluation(
        "乙县卫健委_公共卫生.xlsx",
        f"{year}年度基本公共卫生服务项目",
        unit,
        year,
        "project",
        "乙评估公司",
        (
            Line("决策", "立项依据充分性", 10, 10),
            Line("决策", "绩效目标合理性", 10, goal),
            Line("过程", "资金到位率", 20, 20, ratio),
            Line("过程", "资金使用合规性", 20, 20),
            Line("产出", "完成率", 20, 19),
            Line("效益", "满意度", 20, 17),
        ),
    )


def _civil(year: str) -> Evaluation:
    return Evaluation(
        "丙县民政局_部门整体.xlsx",
        "丙县民政局",
        "丙县民政局",
        year,
        "department",
        "甲咨询公司",
        (
            Line("部门决策", "部门规划", 30, 30),
            Line("部门管理", "资金管理", 40, 34),
            Line("部门绩效", "履职效果", 30, 24),
        ),
    )


SEASONS: dict[str, tuple[Evaluation, ...]] = {
    "2023": (
        _nutrition("2023", 1.0, 15),
        _health("2023", "乙县卫健委", 8, 0.9),
        _civil("2023"),
        Evaluation(
            "丁县水利局_农田水利.xlsx",
            "2023年农田水利项目",
            "丁县水利局",
            "2023",
            "project",
            "乙评估公司",
            (Line("决策", "立项依据充分性", 40, 30), Line("产出", "完成率", 60, 45)),
        ),
    ),
    "2024": (
        _nutrition("2024", 0.85, 10),
        _health("2024", "乙县 卫健委", 10, 1.0),
        _civil("2024"),
        Evaluation(
            "戊县交通局_公路养护.xlsx",
            "2024年农村公路养护项目",
            "戊县交通局",
            "2024",
            "project",
            "",
            (Line("决策", "立项依据充分性", 40, 36), Line("产出", "完成率", 60, 45)),
        ),
    ),
}
KIND_WORDS = {"project": "项目支出绩效评价", "department": "部门整体支出绩效评价"}


def write_workbook(path: Path, ev: Evaluation) -> None:
    """项目信息 and an indicator sheet (计分方法 人工, or 比率法 against ≥100% for a ratio line)."""
    with xlsxwriter.Workbook(path, {"strings_to_numbers": False}) as wb:
        info = wb.add_worksheet("项目信息")
        fields = [
            ("项目名称", ev.title),
            ("单位", ev.unit),
            ("年度", ev.year),
            ("评价类型", KIND_WORDS[ev.kind]),
        ]
        if ev.firm:
            fields.append(("评价机构", ev.firm))
        for r, (key, value) in enumerate(fields):
            info.write_string(r, 0, key)
            info.write_string(r, 1, value)
        ws = wb.add_worksheet("指标")
        ws.write_row(0, 0, ["序号", "一级指标", "三级指标", "权重", "标杆值", "业绩值", "计分方法", "得分"])
        for r, line in enumerate(ev.lines, start=1):
            ws.write_number(r, 0, r)
            ws.write_string(r, 1, line.group)
            ws.write_string(r, 2, line.name)
            ws.write_number(r, 3, line.weight)
            if line.actual is not None:
                ws.write_string(r, 4, "≥100%")
                ws.write_string(r, 5, f"{line.actual:.0%}")
            ws.write_string(r, 6, MANUAL if line.actual is None else RATIO)
            ws.write_number(r, 7, line.declared)


def write_season(folder: Path, year: str) -> Path:
    """The season's workbooks in *folder* (created); returns *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    for ev in SEASONS[year]:
        write_workbook(folder / ev.file, ev)
    return folder
