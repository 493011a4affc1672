"""The student's `check()`: public tests in the notebook's own kernel, never raising."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from book.grading.exercises import EXERCISES
from book.grading.spec import Exercise, Test
from book.grading.wire import call_safely


def _judge(test: Test, namespace: Mapping[str, Any]) -> str | None:
    return test.judge(call_safely(namespace, test.request()))


def report(exercise: Exercise, namespace: Mapping[str, Any]) -> str:
    """The public tests' report for the names defined in `namespace`."""
    lines = [f"{exercise.title} ({exercise.id}): public tests"]
    score = 0
    for test in exercise.public:
        try:
            problem = _judge(test, namespace)
        except Exception as error:  # noqa: BLE001 - a report, whatever happened
            problem = f"the test itself failed ({type(error).__name__}: {error})"
        score += 0 if problem else test.points
        mark = "PASS" if problem is None else "FAIL"
        got = test.points if problem is None else 0
        lines.append(f"  {mark}  {test.name}  [{got}/{test.points}]")
        if problem:
            lines.append(f"        {problem}")
            if test.hint:
                lines.append(f"        hint: {test.hint}")
    lines.append(
        f"Provisional score: {score}/{exercise.public_points} on the public tests."
    )
    lines.append(
        "The teacher's grader also runs hidden tests"
        + (f" and reads your {len(exercise.questions)} written answer(s)."
           if exercise.questions else ".")
    )
    return "\n".join(lines)


def check(exercise_id: str) -> None:
    """Run an exercise's public tests on this notebook's functions and print a report.

    It never raises: whatever the notebook holds, the report says what passed.
    """
    try:
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        namespace = caller.f_globals if caller is not None else {}
        if exercise_id not in EXERCISES:
            known = ", ".join(sorted(EXERCISES))
            print(f"There is no exercise {exercise_id!r}; the exercises are {known}.")
            return
        print(report(EXERCISES[exercise_id], namespace))
    except Exception as error:  # noqa: BLE001 - check() must never raise
        print(f"check() could not finish ({type(error).__name__}: {error}).")
