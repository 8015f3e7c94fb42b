"""perfxl: score Chinese budget performance evaluations (预算绩效评价) kept in Excel."""

__version__ = "0.1.0"
