"""Grade bands (评级标准): parse "90,80,60" or "优90,良80,中>70" and grade a total.

See docs/rules.md (totals and grades).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from .numbers import fmt_num, normalize


@dataclass(frozen=True)
class Band:
    label: str
    threshold: Decimal
    strict: bool = False  # True: total must exceed the threshold (中 > 70)

    def admits(self, total: Decimal) -> bool:
        return total > self.threshold if self.strict else total >= self.threshold

    @property
    def text(self) -> str:
        return f"{self.label}{'>' if self.strict else '≥'}{fmt_num(self.threshold)}"


DEFAULT_LABELS = ("优", "良", "中", "差")
DEFAULT_BANDS = (Band("优", Decimal(90)), Band("良", Decimal(80)), Band("中", Decimal(60)))
LOWEST_LABEL = "差"


def parse_bands(text: str) -> tuple[tuple[Band, ...], str]:
    """'90,80,60' or '优90,良80,中>70' or '优≥90，良≥80，中>70，差' → bands and the lowest label.

    Raises ValueError (Chinese message) on malformed text.
    """
    t = normalize(text).replace("，", ",").replace("、", ",").replace(";", ",").replace("；", ",")
    parts = [p for p in t.split(",") if p]
    bands: list[Band] = []
    lowest = LOWEST_LABEL
    for i, part in enumerate(parts):
        m = re.fullmatch(r"([^\d≥>=<]*?)(?:[:：])?(≥|>=|>)?(\d+(?:\.\d+)?)(?:分)?(?:\(含\))?(以上)?", part)
        if not m:
            if re.fullmatch(r"[^\d]+", part) and i == len(parts) - 1:
                lowest = part.strip(":：<")
                continue
            raise ValueError(f"评级标准“{text}”无法识别，应写成如 90,80,60 或 优90,良80,中>70")
        label = m.group(1) or (DEFAULT_LABELS[i] if i < len(DEFAULT_LABELS) else f"第{i + 1}档")
        bands.append(Band(label, Decimal(m.group(3)), m.group(2) == ">"))
    if not bands:
        raise ValueError(f"评级标准“{text}”为空")
    if any(b.threshold <= c.threshold for b, c in pairwise(bands)):
        raise ValueError(f"评级标准“{text}”应从高到低排列")
    if lowest == LOWEST_LABEL and len(bands) < len(DEFAULT_LABELS) and bands[0].label in DEFAULT_LABELS:
        lowest = DEFAULT_LABELS[len(bands)]
    return tuple(bands), lowest


def grade_of(total: Decimal, bands: tuple[Band, ...], lowest: str) -> str:
    for band in bands:
        if band.admits(total):
            return band.label
    return lowest
