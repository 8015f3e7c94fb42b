"""The 得分率 bar chart of the report, drawn with matplotlib (Agg, no display) as PNG bytes.

Chinese labels need a Chinese font: :func:`find_cjk_font` looks for one when the chart is
drawn (the usual Debian, Windows and macOS files first, then any font matplotlib knows by
a Chinese family name) and raises a Chinese :class:`PerfxlError` when there is none.
matplotlib is imported only here, inside the functions, so that scoring never loads it.

Importing matplotlib takes about half a second.  ``with preload():`` around the scoring of
a workbook forks a helper process that imports it meanwhile, on another core, and
:func:`draw` then draws the chart there (``perfxl report`` does so); without it, or on a
system other than Linux (where fork after loading system libraries is not safe or not
there), the chart is drawn in this process.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

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


def draw(labels: Sequence[str], values: Sequence[float], texts: Sequence[str]) -> bytes:
    """The chart as PNG: drawn by the preloaded helper process if there is one, else here."""
    font_path = find_cjk_font()
    global _helper
    helper, _helper = _helper, None
    if helper is not None:
        png = helper.draw([list(labels), list(values), list(texts), font_path])
        if png:
            return png
    return bar_chart(labels, values, texts, font_path)


@dataclass
class _Helper:
    """A forked process that imports matplotlib, then draws the one chart it is sent."""

    pid: int
    requests: int  # the write end of its request pipe
    replies: int  # the read end of its reply pipe

    def draw(self, request: list[object]) -> bytes:
        """Send the request, read the PNG (b"" if the helper failed), reap the process."""
        try:
            with os.fdopen(self.requests, "wb") as out:
                out.write(json.dumps(request).encode())
            with os.fdopen(self.replies, "rb") as reply:
                return reply.read()
        except OSError:
            return b""
        finally:
            os.waitpid(self.pid, 0)

    def stop(self) -> None:
        """End an unused helper (it may still be importing) and reap it."""
        os.kill(self.pid, signal.SIGKILL)
        os.close(self.requests)
        os.close(self.replies)
        os.waitpid(self.pid, 0)


_helper: _Helper | None = None


@contextmanager
def preload() -> Iterator[None]:
    """Import matplotlib in a helper process while the block runs; the next :func:`draw` uses it."""
    global _helper
    if _helper is None and sys.platform == "linux":
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(request_w)
            os.close(reply_r)
            _serve(request_r, reply_w)
        os.close(request_r)
        os.close(reply_w)
        _helper = _Helper(pid, request_w, reply_r)
    try:
        yield
    finally:
        helper, _helper = _helper, None
        if helper is not None:
            helper.stop()


def _serve(requests: int, replies: int) -> NoReturn:
    """The helper process: import, wait for one request, answer it, exit without unwinding the caller."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from matplotlib.backends.backend_agg import RendererAgg  # noqa: F401

        with os.fdopen(requests, "rb") as incoming:
            data = incoming.read()
        if data:
            labels, values, texts, font_path = json.loads(data)
            png = bar_chart(labels, values, texts, font_path)
            with os.fdopen(replies, "wb") as out:
                out.write(png)
        code = 0
    finally:
        os._exit(code)


WIDTH_IN, HEIGHT_IN, DPI = 6.2, 2.9, 200
MARGINS = (0.1, 0.02, 0.13, 0.1)  # left, right, bottom, top: shares of the image
TEXT_COLOR, AXIS_COLOR, GRID_COLOR = "#333333", "#000000", "#D9D9D9"


def bar_chart(labels: Sequence[str], values: Sequence[float], texts: Sequence[str], font_path: str) -> bytes:
    """A PNG of one bar per label (values in percent), each bar labelled with its text.

    Drawn on matplotlib's Agg renderer directly: its Figure and Axes would add a fifth of a
    second of imports for a chart of a few rectangles and labels."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties
    from PIL import Image

    width, height = round(WIDTH_IN * DPI), round(HEIGHT_IN * DPI)
    canvas = _Canvas(RendererAgg(width, height, DPI), FontProperties(fname=font_path, size=10))
    left, right = MARGINS[0] * width, (1 - MARGINS[1]) * width
    bottom, top = MARGINS[2] * height, (1 - MARGINS[3]) * height
    ceiling = max(110.0, max(values, default=0) * 1.1)

    def y_of(value: float) -> float:
        return bottom + (top - bottom) * value / ceiling

    for tick in range(0, int(ceiling) + 1, 20):
        y = y_of(tick)
        canvas.line([(left, y), (right, y)], GRID_COLOR if tick else AXIS_COLOR)
        canvas.text(str(tick), left - 8, y, "right", "center")
    canvas.line([(left, bottom), (left, top)], AXIS_COLOR)
    canvas.text("得分率（%）", 0.03 * width, (bottom + top) / 2, "center", "center", angle=90)
    slot = (right - left) / max(len(labels), 1)
    for k, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        middle = left + slot * (k + 0.5)
        canvas.rectangle(middle - slot / 4, bottom, middle + slot / 4, y_of(value), BAR_COLOR)
        canvas.text(text, middle, y_of(value) + 10, "center", "bottom")
        canvas.text(label, middle, bottom - 8, "center", "top")
    image = Image.frombuffer("RGBA", (width, height), canvas.renderer.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


class _Canvas:
    """Lines, rectangles and text on an Agg renderer, in pixels from the bottom left."""

    def __init__(self, renderer: Any, font: Any) -> None:
        from matplotlib.path import Path
        from matplotlib.transforms import IdentityTransform

        self.renderer = renderer
        self.font = font
        self.path = Path
        self.identity = IdentityTransform()
        self.renderer.draw_path(
            self._gc("#FFFFFF"), self._box(0, 0, renderer.width, renderer.height), self.identity, (1, 1, 1, 1)
        )

    def _gc(self, color: str) -> Any:
        gc = self.renderer.new_gc()
        gc.set_foreground(color)
        gc.set_linewidth(0.6)
        return gc

    def _box(self, x0: float, y0: float, x1: float, y1: float) -> Any:
        return self.path([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], closed=True)

    def line(self, points: Sequence[tuple[float, float]], color: str) -> None:
        self.renderer.draw_path(self._gc(color), self.path(points), self.identity)

    def rectangle(self, x0: float, y0: float, x1: float, y1: float, color: str) -> None:
        from matplotlib.colors import to_rgba

        self.renderer.draw_path(self._gc(color), self._box(x0, y0, x1, y1), self.identity, to_rgba(color))

    def text(self, text: str, x: float, y: float, ha: str, va: str, angle: float = 0) -> None:
        """*text* placed by its horizontal (left/center/right) and vertical (bottom/center/top) alignment."""
        w, h, d = self.renderer.get_text_width_height_descent(text, self.font, ismath=False)
        if angle:  # rotated a quarter turn: its width runs up the page
            w, h = h, w
        dx = {"left": 0, "center": -w / 2, "right": -w}[ha]
        dy = {"bottom": 0, "center": -h / 2, "top": -h}[va]
        base_x, base_y = x + dx + (w - d if angle else 0), y + dy + (0 if angle else d)
        gc = self._gc(TEXT_COLOR)
        self.renderer.draw_text(gc, base_x, self.renderer.height - base_y, text, self.font, angle)
