"""A submission's result in Gradescope's `results.json` format.

The same tests can then run as a Gradescope autograder: its script grades the
one submission and copies this file to `/autograder/results/results.json`.
Public tests are `visible`; hidden tests are shown after the grades are
published, by their hint only (no name, no expected value); written answers
appear once the teacher has merged their points.
"""

from __future__ import annotations

from typing import Any

from book.grading.reports import STATUS_TEXT, totals
from book.grading.spec import Exercise


def _test_entry(number: int, test: dict[str, Any]) -> dict[str, Any]:
    passed = "passed" if test["passed"] else "failed"
    entry = {
        "number": str(number),
        "score": test["earned"],
        "max_score": test["points"],
        "status": passed,
    }
    if test["public"]:
        output = "" if test["passed"] else f"{test['problem']}\nhint: {test['hint']}"
        output += f"\nno points: {test['reason']}" if test.get("reason") else ""
        return entry | {"name": test["name"], "output": output, "visibility": "visible"}
    return entry | {
        "name": f"hidden test {number}",
        "output": test["hint"],
        "visibility": "after_published",
    }


def results_json(
    record: dict, run: dict, exercise: Exercise, hand: dict
) -> dict[str, Any]:
    """Gradescope's results.json for one record (and its hand grades, if any)."""
    tests = [_test_entry(i, t) for i, t in enumerate(record["tests"], start=1)]
    given = hand.get(record["stem"], {})
    for question in exercise.questions:
        points = given.get(question.key, {}).get("points")
        if points is not None:
            tests.append(
                {
                    "name": f"written answer: {question.key}",
                    "score": points,
                    "max_score": question.points,
                    "output": given[question.key]["comment"],
                    "visibility": "after_published",
                }
            )
    total = totals(record, run, hand)["total"]
    return {
        "score": total if total != "" else 0,
        "output": f"{record['status']}: {STATUS_TEXT[record['status']]}",
        "visibility": "after_published",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
