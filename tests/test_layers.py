"""The layering DESIGN.md §1 promises, checked on the source: who may import whom, and that
the domain services build no SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "skill"

# Which of our packages each one may import (besides itself and the leaf modules below).
ALLOWED = {
    "store": set(),
    "services": {"store"},
    "alexa": {"services", "store"},
    "nlu": set(),
    "simulator": {"alexa", "services", "store", "nlu"},
    "voice": {"alexa", "nlu"},
    "web": {"alexa", "services", "store"},
    "packaging": set(),
    "cli": {"alexa", "services", "store", "nlu", "simulator", "voice", "web", "packaging"},
}
LEAVES = {"skill.config", "skill.errors", "skill.startup", "skill.values"}
"""Top-level modules with no imports of our packages: anyone may use them."""


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "skill" or name.startswith("skill.")}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_dependencies_point_one_way(package: str) -> None:
    wrong = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for name in imports_of(path):
            if name in LEAVES and package != "nlu":
                continue
            target = name.split(".")[1] if "." in name else ""
            if target != package and target not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_leaf_modules_import_only_each_other() -> None:
    for name in LEAVES:
        path = PACKAGE / f"{name.split('.')[1]}.py"
        assert imports_of(path) <= LEAVES, path


SQL = re.compile(
    r"(?<![.\w])(select|insert|update|delete|bindparam|text)\(|\.(exec_driver_sql|with_for_update)\("
    r"|\bfunc\."
    r"|sqlalchemy\.dialects|^\s*(SELECT|INSERT|UPDATE|DELETE)\b",
    re.MULTILINE,
)


def test_services_build_no_sql() -> None:
    found = []
    for path in sorted((PACKAGE / "services").rglob("*.py")):
        code = ast.unparse(_without_docstrings(ast.parse(path.read_text())))
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in SQL.finditer(code)]
    assert found == []


def _without_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        if docstring and isinstance(first.value.value, str):  # type: ignore[union-attr]
            body[0] = ast.Pass()  # type: ignore[index]
    return tree
