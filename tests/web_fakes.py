"""Stand-ins for perfxl.api's functions in the web page's worker processes (tests/test_web.py).

They live in a module of their own so that worker processes can import them by name.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import perfxl


def crash_on_name(source: Any, options: Any = None, *, name: str | None = None) -> Any:
    """Score, except that a file named crash*.xlsx kills its worker (a native crash)."""
    if name and name.startswith("crash"):
        os._exit(3)
    return perfxl.score(source, options, name=name)


def slow_on_name(source: Any, options: Any = None, *, name: str | None = None) -> Any:
    """Score, taking 20 s more for a file named slow*.xlsx."""
    if name and name.startswith("slow"):
        time.sleep(20)
    return perfxl.score(source, options, name=name)


def write_report(ev: Any, path: str | os.PathLike[str]) -> Path:
    """What ``perfxl.write_report`` will do, as far as the page can tell: a file at *path*."""
    Path(path).write_bytes(b"PK report for " + ev.file.encode())
    return Path(path)
