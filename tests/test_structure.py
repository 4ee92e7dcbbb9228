"""The house rules of the code, read from the source: layers, one way to make a finding."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "visitplan"


def modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(SRC).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(SRC.rglob("*.py"))
    }


def test_findings_are_made_only_through_the_catalogue() -> None:
    """Severity and default hint come from the catalogue: no module builds a Finding or
    an InputError's finding by hand."""
    by_hand = []
    for name, tree in modules().items():
        if name == "findings.py":
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Finding"
            ):
                by_hand.append(f"{name}:{node.lineno}")
    assert by_hand == []
