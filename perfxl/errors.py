"""Findings (data) and the one exception for unusable input.

A finding is a record about the evaluator's workbook; a workbook that cannot be
used at all raises :class:`PerfxlError`, whose text is one Chinese line naming
file, sheet and cell.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

# The Chinese name of every finding code, shown beside the code in the 审核意见 sheet;
# docs/audit.md documents each code under the same name (tests check both).
CODE_NAMES = {
    "score.out_of_range": "得分超出范围",
    "score.mismatch": "申报得分与计算不符",
    "score.expert_adjusted": "以专家评分为准",
    "score.missing": "无法计分，按0分计",
    "score.unverified": "申报得分未经核验",
    "total.mismatch": "合计与各项之和不符",
    "total.recomputed": "合计与复核总分不符",
    "total.formula": "合计为未保存结果的公式",
    "total.unchecked": "合计公式未核对",
    "total.weight": "合计权重不符",
    "rate.mismatch": "得分率填写有误",
    "grade.mismatch": "申报等级与申报总分不符",
    "grade.recomputed": "申报等级与复核等级不同",
    "grades.invalid": "评级标准无法识别",
    "option.invalid": "专家权重设置无效",
    "process.score": "评分过程得分与得分栏不符",
    "process.rate": "评分过程数据与业绩值不符",
    "bonus.blank": "加减分项未填写",
    "weights.total": "权重合计不为100",
    "weights.group": "一级指标分值不符",
    "weights.subgroup": "二级指标分值不符",
    "weight.missing": "缺少权重",
    "rule.unrecognized": "评分标准未识别",
    "rule.needs_input": "计分缺少数据",
    "rule.points": "评分标准满分与权重不同",
    "method.invalid": "计分方法写法有误",
    "judgements.unparseable": "要点判定无法识别",
    "judgements.count": "要点个数不符",
    "units.conflict": "单位无法换算",
    "actual.rate_mismatch": "业绩值与基础表计算不符",
    "base.bad_number": "基础表数字无法识别",
    "base.duplicate": "基础表重复项",
    "base.sum_basic": "基本支出与人员、公用经费不符",
    "base.sum_total": "预算合计与各项之和不符",
    "base.project_total": "项目明细合计不符",
    "base.project_list": "项目明细与预算表不符",
    "base.missing": "基础表缺少数据",
    "base.div_zero": "基础表除数为零",
    "base.fallback": "执行率改按全年预算数计算",
    "base.months": "月度人员不足12个月",
    "self.no_deviation": "未填写偏差原因",
    "self.goal_empty": "总体目标未填完成情况",
    "cost.execution": "成本指标与执行数不符",
    "exec.missing": "资金数据缺失",
    "exec.div_zero": "全年预算数为零",
    "exec.rate_mismatch": "执行率填写有误",
    "exec.score_mismatch": "执行率得分填写有误",
    "exec.sum": "资金总额与来源之和不符",
    "survey.not_found": "引用的问卷未找到",
    "survey.no_header": "问卷表头缺失",
    "survey.bad_method": "满意度计算方法无法识别",
    "survey.bad_weights": "选项分值无法识别",
    "survey.bad_setting": "问卷设置不是数字",
    "survey.bad_score": "问卷分值无效",
    "survey.unknown_option": "选项无法确定分值",
    "survey.no_options": "问卷缺少选项列",
    "survey.bad_count": "问卷人数无效",
    "survey.total_mismatch": "问卷合计不符",
    "survey.declared_mismatch": "填写的满意度与计算不符",
    "survey.no_items": "问卷没有题目",
    "survey.empty": "没有有效问卷",
    "survey.bad_codebook": "问卷选项表无法识别",
    "survey.no_codebook": "缺少问卷选项表",
    "survey.not_in_codebook": "选项表缺少题目",
    "survey.unknown_code": "未知选项序号",
    "survey.skipped": "题目未统计",
    "survey.no_alpha": "信度系数无法计算",
    "survey.no_time": "缺少答题时间列",
    "survey.bad_time": "答题时间无法识别",
    "formula.uncached": "公式没有保存结果",
    "formula.as_text": "文字被存成公式",
    "number.unparseable": "数字无法识别",
    "kind.inferred": "评价类型按表结构推断",
}


def code_name(code: str) -> str:
    """The Chinese name of a finding code (the code itself for one without a name)."""
    return CODE_NAMES.get(code, code)


@dataclass(frozen=True)
class Finding:
    """One audit finding (审核意见)."""

    severity: str
    code: str
    sheet: str
    cell: str
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"[{SEVERITY_LABELS.get(self.severity, self.severity)}] {where}：{self.message}"


class PerfxlError(Exception):
    """A workbook (or an argument) that cannot be used at all."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell

    def with_file(self, file: str) -> PerfxlError:
        if self.file is None:
            self.file = file
        return self

    def line(self) -> str:
        """The one-line Chinese message: 文件 …，工作表 …，单元格 …：…"""
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.sheet:
            parts.append(f"工作表 {self.sheet}")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        prefix = "，".join(parts)
        return f"{prefix}：{self.message}" if prefix else self.message

    def __str__(self) -> str:
        return self.line()


class Interrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C or SIGTERM after *done* of *total* workbooks.

    The outputs written until then are complete files; 汇总.xlsx is not written.
    """

    def __init__(self, done: int, total: int) -> None:
        super().__init__(done, total)
        self.done = done
        self.total = total
