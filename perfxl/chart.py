"""The 得分率 bar chart of the report, drawn with matplotlib (Agg, no display) as PNG bytes.

Chinese labels need a Chinese font: :func:`find_cjk_font` looks for one when the chart is
drawn (the usual Debian, Windows and macOS files first, then any font matplotlib knows by
a Chinese family name) and raises a Chinese :class:`PerfxlError` when there is none.
matplotlib is imported only here, inside the functions, so that scoring never loads it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

from .errors import PerfxlError

FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
)
FONT_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Serif SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)
NO_FONT = (
    "找不到中文字体，无法绘制报告中的得分率图表：请安装 fonts-wqy-microhei 或 fonts-noto-cjk"
    "（Debian/Ubuntu：apt-get install fonts-wqy-microhei）"
)
BAR_COLOR = "#2F5597"


def find_cjk_font() -> str:
    """The path of a font file with Chinese glyphs; PerfxlError (Chinese) when there is none."""
    for path in FONT_FILES:
        if os.path.isfile(path):
            return path
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name in FONT_FAMILIES:
            return str(entry.fname)
    raise PerfxlError(NO_FONT)


def bar_chart(labels: Sequence[str], values: Sequence[float], texts: Sequence[str], font_path: str) -> bytes:
    """A PNG of one bar per label (values in percent), each bar labelled with its text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=font_path, size=10)
    fig = Figure(figsize=(6.2, 2.9), dpi=200)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    bars = ax.bar(positions, values, width=0.5, color=BAR_COLOR)
    ax.bar_label(bars, labels=list(texts), padding=2, fontproperties=font)
    ax.set_xticks(positions, list(labels), fontproperties=font)
    ax.set_ylim(0, max(110.0, max(values, default=0) * 1.1))
    ax.set_ylabel("得分率（%）", fontproperties=font)
    for tick in ax.get_yticklabels():
        tick.set_fontproperties(font)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", linewidth=0.4, alpha=0.5)
    ax.set_axisbelow(True)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.13)  # fixed: tight_layout would draw twice
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
