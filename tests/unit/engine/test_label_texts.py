"""The sentences core modules hand to Qt labels and message boxes carry no markdown: a backtick would show as
a literal "`" (plain text) or is not a code span in Qt's rich text either. Commands are written plainly."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

# Modules whose strings the views show as they are: message boxes, banners, plain labels, tooltips, the
# Dockerfile findings list and the explanation panel (which escapes its text, so markup would show too).
SHOWN_IN_LABELS = [
    "gui.core.errors",
    "gui.core.engine.help",
    "gui.core.engine.exit_codes",
    "gui.core.registry.refusals",
    "gui.core.registry.credentials",
    "gui.core.build.failures",
    "gui.core.build.spec",
    "gui.core.dockerfile.rules",
    "gui.core.dockerfile.explain",
    "gui.core.dockerfile.hadolint",
]
# Not gui.core.engine.doctor: its checks are printed only by `portside doctor` in a terminal, where backticks suit.


def shown_strings(module_name: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal but docstrings, f-string pieces included."""
    path = Path(importlib.import_module(module_name).__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module_name", SHOWN_IN_LABELS)
def test_no_markdown_backticks_in_shown_text(module_name):
    with_backticks = [(line, text) for line, text in shown_strings(module_name) if "`" in text]
    assert with_backticks == []
