"""Repository-wide pytest hooks."""

from __future__ import annotations

from pathlib import Path

import pytest

EXERCISES = Path(__file__).resolve().parent / "exercises"
# Fixtures that make any test using them slow: the built site.
SLOW_FIXTURES = frozenset({"site"})


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Run exercises/ in nbval's lax mode: stubs raise and outputs are not stored."""
    is_notebook = collector.__class__.__name__ == "IPyNbFile"
    if is_notebook and collector.path.parent == EXERCISES:
        collector.compare_outputs = False


def is_slow(item: pytest.Item) -> bool:
    """Notebook cells (they need a kernel) and users of a slow fixture are slow."""
    is_notebook_cell = item.__class__.__name__ == "IPyNbCell"
    uses_slow_fixture = not SLOW_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
    return is_notebook_cell or uses_slow_fixture


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark slow what nobody should have to remember to mark: see `is_slow`."""
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
