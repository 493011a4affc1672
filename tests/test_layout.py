"""Imports run one way: figures -> experiments -> training, data, ... -> validation.

A module may import a lower layer, or a module of its own unit (package);
never a higher layer and never a sibling of its own layer (docs/design.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
# Lower numbers sit lower; the explorers and the grader sit on top.
LAYERS = {
    "book.validation": 0,
    "book.data": 1,
    "book.layers": 1,
    "book.notebook": 1,
    "book.stats": 1,
    "book.symmetry": 1,
    "book.training": 1,
    "book.experiments": 2,
    "book.figures": 3,
    "book.explorers": 4,
    "book.questions": 4,
    "book.grading": 4,
}


def unit(module: str) -> str:
    """The unit a module belongs to: `book.figures.curves` -> `book.figures`."""
    parts = module.split(".")
    for length in (2, 1):
        if ".".join(parts[:length]) in LAYERS:
            return ".".join(parts[:length])
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def wrong_imports(module: str, source: str) -> list[str]:
    """The book modules `source` imports that sit at or above `module`'s layer."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    here = unit(module)
    return sorted(
        name
        for name in names
        if name.startswith("book.")
        and unit(name) != here
        and LAYERS[unit(name)] >= LAYERS[here]
    )


MODULES = sorted(p for p in BOOK.rglob("*.py") if p != BOOK / "__init__.py")


@pytest.mark.parametrize(
    "path", MODULES, ids=[str(p.relative_to(BOOK.parent)) for p in MODULES]
)
def test_imports_run_one_way(path: Path) -> None:
    parts = path.relative_to(BOOK.parent).with_suffix("").parts
    module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    assert wrong_imports(module, path.read_text()) == []


def test_upward_and_sideways_imports_are_caught() -> None:
    source = (
        "from book.figures.curves import correlation_figure\n"
        "import book.data\n"
        "from book.experiments.results import SeededAccuracy\n"
        "from book.validation import whole_number\n"
    )
    assert wrong_imports("book.experiments.shift", source) == ["book.figures.curves"]
    assert wrong_imports("book.layers", source) == [
        "book.data",
        "book.experiments.results",
        "book.figures.curves",
    ]
    with pytest.raises(AssertionError, match="no layer"):
        unit("book.unknown")
