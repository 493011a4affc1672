"""Graded exercises: the student's `check()` and the teacher's grader.

In a notebook: `from book.grading import check`, then `check("ex1_count_savings")`.
The teacher: `python -m book.grading grade --exercise ID --out DIR FILE.ipynb ...`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the grader's in-sandbox runner imports this
    # package too, and must not pay for PyTorch, which `check` needs.
    if name == "check":
        from book.grading.checking import check

        return check
    raise AttributeError(f"module 'book.grading' has no attribute {name!r}")
