"""Write the self-evaluation examples of ``inputs/`` (invented data, 部门决算 style).

Run ``python3 inputs/build_self_examples.py [--out DIR]``.  The workbooks are the
standard templates of :mod:`perfxl.templates` filled in (same writer, same layout), so
they are deterministic to the byte.

示例县农业农村局, 2024:

- five 项目支出绩效自评表 of the department's projects (``self-project``), see
  :data:`PROJECTS`; the second one carries the textbook numbers: 全年预算数 187.84,
  全年执行数 183.99 → 97.95% → 9.80 of 10; a "≥88%" line at 83.22% on 10 points → 9.46;
  a deducted line without 偏差原因分析 (57 of ≥60 个 → 9.5); a qualitative line whose words
  differ ("明显改善" / "有所改善"), which keeps its declared 12;
- the third one has the cost line "≤165万元" actually 198万元 → 0;
- one 部门整体支出绩效自评表 of the department (``self-department``).

:data:`EXPECTED` gives the execution score and total perfxl must compute for each file
(tests/test_templates.py checks them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, perfxl not installed
    sys.path.insert(0, str(ROOT))

from perfxl.templates import Funds, SelfForm, SelfLine, write_self_form  # noqa: E402

DEPARTMENT = "示例县农业农村局"
YEAR = 2024
_O, _B, _S = "产出指标（50分）", "效益指标（30分）", "满意度指标（10分）"
_TOTAL, _GRANT, _CARRY = "年度资金总额", "其中：当年财政拨款", "上年结转资金"


def _project(name: str, unit: str, funds: dict[str, Funds], rate: float, score: float, grade: str,
             goal: str, achieved: str, lines: Sequence[SelfLine]) -> SelfForm:  # fmt: skip
    return SelfForm(
        kind="self-project",
        name=name,
        department=DEPARTMENT,
        unit=unit,
        year=YEAR,
        grade=grade,
        funds=funds,
        exec_rate=rate,
        exec_score=score,
        goal=goal,
        achieved=achieved,
        lines=tuple(lines),
    )


# fmt: off
P1 = _project(
    "2024年高标准农田建设项目", "示例县农田建设服务中心",
    {_TOTAL: Funds(500, 520, 520), _GRANT: Funds(500, 500, 500), _CARRY: Funds(0, 20, 20)},
    1.0, 10, "优",
    "新建高标准农田2万亩，配套灌溉渠道35公里，提高项目区粮食综合生产能力。",
    "建成高标准农田20500亩、灌溉渠道36.2公里，工程全部通过验收，项目区粮食亩产明显提高。",
    [
        SelfLine(_O, "数量指标", "新建高标准农田面积", "≥20000亩", "20500亩", 10, 10),
        SelfLine(_O, "数量指标", "新建灌溉渠道长度", "≥35公里", "36.2公里", 10, 10),
        SelfLine(_O, "质量指标", "工程验收合格率", "=100%", "100%", 10, 10),
        SelfLine(_O, "时效指标", "项目完工时间", "2024年12月底前", "2024年12月底前", 10, 10),
        SelfLine(_O, "成本指标", "亩均建设成本", "≤2600元", "2536元", 10, 10),
        SelfLine(_B, "经济效益指标", "项目区粮食单产提高幅度", "≥8%", "9.6%", 10, 10),
        SelfLine(_B, "社会效益指标", "受益农户数", "≥3000户", "3120户", 10, 10),
        SelfLine(_B, "可持续影响指标", "工程设计使用年限", "≥15年", "15年", 10, 10),
        SelfLine(_S, "服务对象满意度指标", "受益农户满意度", "≥90%", "95.6%", 10, 10),
    ],
)

P2 = _project(
    "2024年农村人居环境整治提升项目", "示例县农村人居环境整治办公室",
    {_TOTAL: Funds(180, 187.84, 183.99), _GRANT: Funds(180, 180, 176.15), _CARRY: Funds(0, 7.84, 7.84)},
    0.9795, 9.8, "优",
    "完成农村户厕改造1200户，新建垃圾收集点60个，农村人居环境明显改善。",
    "改造户厕1236户、新建垃圾收集点57个，改厕验收合格率83.22%，农村人居环境有所改善。",
    [
        SelfLine(_O, "数量指标", "农村户厕改造数量", "≥1200户", "1236户", 10, 10),
        SelfLine(_O, "数量指标", "新建垃圾收集点", "≥60个", "57个", 10, 9.5),  # deducted, no 偏差原因
        SelfLine(_O, "质量指标", "改厕验收合格率", "≥88%", "83.22%", 10, 9.46,
                 "部分农户自行施工不规范，验收未通过；已督促整改，下年度加强施工过程监管。"),
        SelfLine(_O, "时效指标", "项目完成时间", "按期完成", "按期完成", 10, 10),
        SelfLine(_O, "成本指标", "户厕改造补助标准", "≤1500元/户", "1450元/户", 10, 10),
        SelfLine(_B, "社会效益指标", "农村人居环境改善情况", "明显改善", "有所改善", 15, 12,
                 "部分村垃圾转运频次不足；下年度建立村级保洁考核机制。"),
        SelfLine(_B, "可持续影响指标", "长效管护机制", "建立", "建立", 15, 15),
        SelfLine(_S, "服务对象满意度指标", "农户满意度", "≥90%", "92.5%", 10, 10),
    ],
)

P3 = _project(
    "2024年农产品质量安全监管项目", "示例县农产品质量安全检验检测站",
    {_TOTAL: Funds(220, 230, 221.5), _GRANT: Funds(220, 220, 211.5), _CARRY: Funds(0, 10, 10)},
    0.963, 9.63, "良",
    "完成农产品质量安全抽检1500份，开展监管培训12期，抽检合格率不低于98%。",
    "抽检1620份、培训12期，抽检合格率98.6%；检测设备购置超出成本指标。",
    [
        SelfLine(_O, "数量指标", "农产品质量安全抽检数量", "≥1500份", "1620份", 10, 10),
        SelfLine(_O, "数量指标", "开展监管培训", "=12期", "12期", 10, 10),
        SelfLine(_O, "质量指标", "抽检合格率", "≥98%", "98.6%", 10, 10),
        SelfLine(_O, "时效指标", "检测报告出具时限", "≤7个工作日", "5个工作日", 10, 10),
        SelfLine(_O, "成本指标", "检测设备购置成本", "≤165万元", "198万元", 10, 0,
                 "设备型号升级并增购快检设备，超出成本指标；下年度严格按预算标准采购。"),
        SelfLine(_B, "社会效益指标", "农产品质量安全事件", "未发生", "未发生", 15, 15),
        SelfLine(_B, "可持续影响指标", "检测能力", "有效提升", "有效提升", 15, 15),
        SelfLine(_S, "服务对象满意度指标", "生产经营主体满意度", "≥90%", "93.1%", 10, 10),
    ],
)

P4 = _project(
    "2024年动物疫病防控项目", "示例县动物疫病预防控制中心",
    {_TOTAL: Funds(96, 96, 88.32), _GRANT: Funds(96, 96, 88.32)},
    0.92, 9.2, "优",
    "春秋两季重大动物疫病强制免疫覆盖全部行政村，免疫密度不低于90%，不发生区域性重大动物疫情。",
    "免疫覆盖126个村，免疫密度96.5%，抗体合格率78.4%；疫情监测采样2850份，未发生区域性重大动物疫情。",
    [
        SelfLine(_O, "数量指标", "强制免疫覆盖行政村数", "≥120个", "126个", 10, 10),
        SelfLine(_O, "数量指标", "疫情监测采样数", "≥3000份", "2850份", 10, 9.5,
                 "部分养殖场存栏减少，采样数相应减少；下年度按存栏动态调整采样计划。"),
        SelfLine(_O, "质量指标", "免疫密度", "≥90%", "96.5%", 10, 10),
        SelfLine(_O, "质量指标", "免疫抗体合格率", "≥70%", "78.4%", 10, 10),
        SelfLine(_O, "时效指标", "春秋两季集中免疫", "按期完成", "按期完成", 10, 10),
        SelfLine(_B, "社会效益指标", "区域性重大动物疫情", "未发生", "未发生", 15, 15),
        SelfLine(_B, "可持续影响指标", "防控体系运行", "稳定运行", "稳定运行", 15, 15),
        SelfLine(_S, "服务对象满意度指标", "养殖户满意度", "≥90%", "88%", 10, 9.78,
                 "免疫服务上门不够及时；下年度增加村级防疫员。"),
    ],
)

P5 = _project(
    "2024年农业技术推广服务项目", "示例县农业技术推广中心",
    {_TOTAL: Funds(64.5, 64.5, 58.7), _GRANT: Funds(64.5, 64.5, 58.7)},
    0.9101, 9.1, "优",
    "培训农民2000人次，建设示范基地5个，主推技术到位率不低于95%。",
    "培训农民2150人次，建成示范基地5个，主推技术到位率96%；受旱情影响示范基地增收未达目标。",
    [
        SelfLine(_O, "数量指标", "培训农民人次", "≥2000人次", "2150人次", 10, 10),
        SelfLine(_O, "数量指标", "建设示范基地", "≥5个", "5个", 10, 10),
        SelfLine(_O, "质量指标", "主推技术到位率", "≥95%", "96%", 10, 10),
        SelfLine(_O, "时效指标", "培训完成时间", "11月底前完成", "11月底前完成", 10, 10),
        SelfLine(_O, "成本指标", "人均培训成本", "≤150元", "142元", 10, 10),
        SelfLine(_B, "经济效益指标", "示范基地亩均增收", "≥100元", "86元", 10, 8.6,
                 "夏季干旱影响产量；下年度推广抗旱品种和节水技术。"),
        SelfLine(_B, "社会效益指标", "带动农户数", "≥1000户", "1080户", 10, 10),
        SelfLine(_B, "可持续影响指标", "技术推广服务体系", "健全", "基本健全", 10, 8,
                 "乡镇农技人员不足；下年度通过特聘农技员补充。"),
        SelfLine(_S, "服务对象满意度指标", "参训农民满意度", "≥90%", "94.2%", 10, 10),
    ],
)

DEPARTMENT_FORM = SelfForm(
    kind="self-department",
    name=DEPARTMENT,
    department=DEPARTMENT,
    unit=DEPARTMENT,
    year=YEAR,
    grade="优",
    funds={
        _TOTAL: Funds(2350, 2680.45, 2596.31),
        _GRANT: Funds(2300, 2600.45, 2521.31),
        _CARRY: Funds(50, 80, 75),
        "其他资金": Funds(0, 0, 0),
        "基本支出": Funds(1120, 1165.23, 1160.08),
        "项目支出": Funds(1230, 1515.22, 1436.23),
    },
    exec_rate=0.9686,
    exec_score=9.69,
    goal="落实粮食安全和重要农产品稳定供给，推进高标准农田建设、农村人居环境整治和农业技术推广，完成年度12项重点工作。",
    achieved="12项重点工作全部完成，5个项目中4个按期完成；日常公用经费超出控制数，基层干部群众满意度略低于目标。",
    lines=(
        SelfLine(_O, "数量指标", "重点工作任务完成数", "≥12项", "12项", 10, 10),
        SelfLine(_O, "数量指标", "项目实施个数", "=5个", "5个", 10, 10),
        SelfLine(_O, "数量指标", "高标准农田建设面积", "≥20000亩", "20500亩", 5, 5),
        SelfLine(_O, "质量指标", "项目验收合格率", "=100%", "100%", 5, 5),
        SelfLine(_O, "质量指标", "农产品抽检合格率", "≥98%", "98.6%", 5, 5),
        SelfLine(_O, "时效指标", "项目按期完成率", "≥95%", "80%", 5, 4.21,
                 "农业技术推广项目受旱情影响延期；下年度提前制定应急预案。"),
        SelfLine(_O, "成本指标", "“三公”经费支出", "≤18万元", "15.6万元", 5, 5),
        SelfLine(_O, "成本指标", "日常公用经费支出", "≤120万元", "126.5万元", 5, 0,
                 "新增办公场所运行费用；下年度压减一般性支出。"),
        SelfLine(_B, "经济效益指标", "农村居民人均可支配收入增长率", "≥7%", "7.4%", 10, 10),
        SelfLine(_B, "社会效益指标", "粮食播种面积", "≥450000亩", "452000亩", 5, 5),
        SelfLine(_B, "社会效益指标", "农村人居环境", "明显改善", "明显改善", 5, 5),
        SelfLine(_B, "生态效益指标", "化肥使用量增长率", "≤0%", "-1.2%", 5, 5),
        SelfLine(_B, "可持续影响指标", "农业农村发展长效机制", "健全", "健全", 5, 5),
        SelfLine(_B, "可持续影响指标"),  # a blank line of the template, left as it was
        SelfLine(_S, "服务对象满意度指标", "服务对象满意度", "≥90%", "92.3%", 5, 5),
        SelfLine(_S, "服务对象满意度指标", "基层干部群众满意度", "≥90%", "89.1%", 5, 4.95,
                 "政策宣传覆盖不足；下年度加强惠农政策宣传。"),
    ),
)
# fmt: on

EXAMPLES: dict[str, SelfForm] = {
    "示例_部门项目自评1_高标准农田建设.xlsx": P1,
    "示例_部门项目自评2_农村人居环境整治.xlsx": P2,
    "示例_部门项目自评3_农产品质量安全监管.xlsx": P3,
    "示例_部门项目自评4_动物疫病防控.xlsx": P4,
    "示例_部门项目自评5_农业技术推广.xlsx": P5,
    "示例_部门整体自评_示例县农业农村局.xlsx": DEPARTMENT_FORM,
}

# file → (预算执行率得分, 总分) that perfxl computes; the declared scores above agree.
EXPECTED: dict[str, tuple[float, float]] = {
    "示例_部门项目自评1_高标准农田建设.xlsx": (10.0, 100.0),
    # 9.80 + 10 + 9.5 + 9.46 + 10 + 10 + 12 (kept) + 15 + 10
    "示例_部门项目自评2_农村人居环境整治.xlsx": (9.8, 95.76),
    # 221.5 / 230 = 96.30% → 9.63; cost line 0
    "示例_部门项目自评3_农产品质量安全监管.xlsx": (9.63, 89.63),
    # 88.32 / 96 = 92% → 9.2; 2850/3000 × 10 = 9.5; 88/90 × 10 = 9.78
    "示例_部门项目自评4_动物疫病防控.xlsx": (9.2, 98.48),
    # 58.7 / 64.5 = 91.01% → 9.10; 86/100 × 10 = 8.6; 基本健全 keeps 8
    "示例_部门项目自评5_农业技术推广.xlsx": (9.1, 95.7),
    # 2596.31 / 2680.45 = 96.86% → 9.69; 80/95 × 5 = 4.21; 126.5 > 120 → 0; 89.1/90 × 5 = 4.95
    "示例_部门整体自评_示例县农业农村局.xlsx": (9.69, 93.85),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成 inputs/ 下的自评示例工作簿")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent, help="输出目录（默认 inputs/）"
    )
    args = parser.parse_args(argv)
    for name, form in EXAMPLES.items():
        print(write_self_form(form, args.out / name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
