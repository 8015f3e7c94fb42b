"""The layers import one way (docs/architecture.md): every import, lazy ones included,
goes from a module to one of a lower layer; pandas only on the paths that need it."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "perfxl"

# lower number = lower layer; a module imports only from strictly lower layers
LAYERS: dict[str, int] = {
    "errors": 0,
    "files": 0,
    "cells": 0,
    "numbers": 1,
    "book": 2,
    "read": 3,
    "base": 3,
    "survey": 3,
    "catalog": 3,
    "grades": 3,
    "sums": 2,
    "rules": 4,
    "survey_read": 4,
    "clauses": 5,
    "phrases": 6,
    "rates": 5,
    "evaluate": 7,
    "audit": 8,
    "frames": 5,
    "tidy": 5,
    "analysis": 6,
    "summary_sheets": 7,
    "comparison": 7,
    "comparison_write": 11,
    "summary_read": 12,
    "pipeline": 9,
    "write": 10,
    "report_text": 8,
    "chart": 1,
    "report": 10,
    "survey_write": 9,
    "templates": 10,
    "template_rows": 4,
    "summary_write": 11,
    "batch": 12,
    "web_forms": 1,
    "web_jobs": 10,
    "web": 11,
    "api": 13,
    "cli": 14,
    "__init__": 15,
}


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path) -> set[str]:
    """perfxl modules imported anywhere in *path* (function bodies too), TYPE_CHECKING excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking_block(node):
            return
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("perfxl."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("perfxl."))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_every_module_has_a_layer():
    modules = {p.stem for p in PKG.glob("*.py")}
    assert modules == set(LAYERS), f"add new modules to LAYERS: {modules ^ set(LAYERS)}"


def test_imports_only_go_down():
    wrong = []
    for path in sorted(PKG.glob("*.py")):
        mod = path.stem
        for dep in imports_of(path):
            if dep == "__init__" or dep not in LAYERS:
                continue
            if LAYERS[dep] >= LAYERS[mod]:
                wrong.append(f"{mod} (layer {LAYERS[mod]}) imports {dep} (layer {LAYERS[dep]})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    graph = {p.stem: imports_of(p) & set(LAYERS) for p in PKG.glob("*.py")}
    state: dict[str, int] = {}

    def dfs(node: str, stack: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*stack, node, dep]
            if dep not in state and (cycle := dfs(dep, [*stack, node])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = dfs(start, [])
            assert cycle is None, " → ".join(cycle)


def test_the_cli_uses_only_the_api():
    deps = imports_of(PKG / "cli.py")
    assert deps <= {"api", "errors", "numbers"}, deps


def test_pandas_and_writers_load_only_where_needed():
    code = (
        "import sys, perfxl, perfxl.cli, perfxl.api;"
        "ev = perfxl.score('inputs/004_政务服务和公共资源交易中心_部门整体评价.xlsx');"
        "heavy = ('pandas', 'openpyxl', 'xlsxwriter', 'click', 'docx', 'matplotlib');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    root = PKG.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['click']"
    code2 = "import sys, perfxl.cli; print('pandas' in sys.modules, 'perfxl.evaluate' in sys.modules)"
    out2 = subprocess.run([sys.executable, "-c", code2], cwd=root, capture_output=True, text=True, check=True)
    assert out2.stdout.strip() == "False False"


def test_dependencies_are_exactly_what_the_code_imports():
    """pyproject's runtime dependencies = the third-party modules perfxl imports (openpyxl only in tests);
    a module is named by the distribution that installs it (docx → python-docx)."""
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    root = PKG.parent
    declared = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.split(r"[<>=!~\[ ]", d)[0].replace("-", "_").lower() for d in declared}
    imported: set[str] = set()
    for path in PKG.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    distributions = packages_distributions()
    third_party = {
        distributions.get(m, [m])[0].replace("-", "_").lower()
        for m in imported
        if m not in sys.stdlib_module_names and m != "perfxl"
    }
    assert third_party == names, (third_party, names)
