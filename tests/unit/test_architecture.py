"""Architecture rules that CI enforces: one-way layers, small modules, no untyped package boundaries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "interview_coach"
MAX_LINES = 400
# Modules allowed above the limit, each with the reason (keep this list empty or justified).
OVER_LIMIT_ALLOWED: dict[str, str] = {}


def test_import_contracts_hold() -> None:
    """Layers point one way (ui -> graphs -> agents -> assessment -> tools -> memory -> core -> domain)."""
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("import-linter is not installed: bash scripts/setup.sh installs the dev extra")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_module_over_the_size_limit() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and str(path.relative_to(PACKAGE)) not in OVER_LIMIT_ALLOWED
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def _untyped_dict_annotations(tree: ast.AST) -> list[int]:
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            annotations = [a.annotation for a in [*node.args.args, *node.args.kwonlyargs] if a.annotation]
            if node.returns is not None:
                annotations.append(node.returns)
            lines += [node.lineno for a in annotations if "dict[str, Any]" in ast.unparse(a)]
    return lines


@pytest.mark.parametrize("layer", ["assessment", "agents", "tools", "memory", "core", "domain"])
def test_public_functions_take_typed_models_not_raw_dicts(layer: str) -> None:
    """Public functions below the graph exchange typed models, not ``dict[str, Any]``."""
    offenders = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in (PACKAGE / layer).rglob("*.py")
        for line in _untyped_dict_annotations(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"dict[str, Any] in public signatures: {sorted(offenders)}"
