"""Graded exercises: the student's `check()` and the teacher's grader.

In a notebook: `from book.grading import check`, then `check("ex1_count_savings")`.
The teacher: `python -m book.grading grade --exercise ID --out DIR FILE.ipynb ...`.
"""

from book.grading.check import check

__all__ = ["check"]
