"""perfxl: score Chinese budget performance evaluations (预算绩效评价) kept in Excel.

The public API lives in :mod:`perfxl.api` and is re-exported here; it is loaded on
first use, so that ``import perfxl`` (and ``perfxl --help``) stays fast.  See docs/api.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import (
        ArgumentError,
        Evaluation,
        Failure,
        Finding,
        IndicatorResult,
        Interrupted,
        Options,
        PerfxlError,
        RuleExplanation,
        analyze_survey,
        batch,
        check,
        compare,
        explain_rule,
        fill_template,
        make_options,
        read_summary,
        score,
        score_folder,
        serve,
        surveys_to_dict,
        tables,
        write_annotated,
        write_report,
        write_summary,
        write_template,
    )

__all__ = [
    "ArgumentError",
    "Evaluation",
    "Failure",
    "Finding",
    "IndicatorResult",
    "Interrupted",
    "Options",
    "PerfxlError",
    "RuleExplanation",
    "__version__",
    "analyze_survey",
    "batch",
    "check",
    "compare",
    "explain_rule",
    "fill_template",
    "make_options",
    "read_summary",
    "score",
    "score_folder",
    "serve",
    "surveys_to_dict",
    "tables",
    "write_annotated",
    "write_report",
    "write_summary",
    "write_template",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'perfxl' has no attribute {name!r}")
