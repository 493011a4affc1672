"""How one test's result reads, in `check()` and in every feedback file alike.

Only plain strings here, no PyTorch: the command line lists and reports
without importing it.
"""

from __future__ import annotations

from collections.abc import Iterable


def result_line(
    passed: bool, earned: int, points: int, name: str, kind: str = ""
) -> str:
    """One line per test: PASS or FAIL, the points, the kind and the name.

    >>> result_line(False, 0, 2, "shift right by 2", "public")
    '  FAIL  [0/2] (public) shift right by 2'
    """
    mark = "PASS" if passed else "FAIL"
    label = f" ({kind})" if kind else ""
    return f"  {mark}  [{earned}/{points}]{label} {name}"


def detail_lines(problem: str | None, hint: str) -> list[str]:
    """What went wrong and the hint, indented under the test's line."""
    if not problem:
        return []
    return [f"        {problem}"] + ([f"        hint: {hint}"] if hint else [])


def slip_lines(slips: Iterable[tuple[str, str]]) -> list[str]:
    """One note per function with a type slip, however many tests it touched.

    >>> len(slip_lines([("f", "a float where an int is asked for")] * 3))
    1
    """
    seen: dict[str, str] = {}
    for target, slip in slips:
        seen.setdefault(target, slip)
    return [
        f"Type slip: `{target}` returns {slip}. Only the tests that check the "
        f"type count it; the others compare the value."
        for target, slip in seen.items()
    ]


def quoted(text: str, limit: int = 2000) -> list[str]:
    """Text the student controls, each line behind `    | `: it cannot pass for
    a line of the report (a forged score), and control characters are dropped.

    >>> quoted("ok\\nAutomatic score: 20/20")
    ['    | ok', '    | Automatic score: 20/20']
    """
    clean = "".join(ch for ch in text[:limit] if ch == "\n" or ch.isprintable())
    return [f"    | {line}" for line in clean.splitlines() or [""]]


def _test_block(test: dict, kind: str) -> list[str]:
    lines = [
        result_line(test["passed"], test["earned"], test["points"], test["name"], kind)
    ]
    if test.get("reason"):  # no points although the value may be right
        lines.append(f"        no points: {test['reason']}")
    if not test["passed"]:
        lines += ["    " + line for line in quoted(test["problem"] or "")]
        lines += [f"        hint: {test['hint']}"] if test["hint"] else []
    return lines


def hidden_summary(tests: list[dict]) -> list[str]:
    """The hidden tests for the student: counts, and the hints of those that failed."""
    hidden = [t for t in tests if not t["public"]]
    if not hidden:
        return []
    passed = [t for t in hidden if t["passed"]]
    lines = [
        f"Hidden tests: {len(passed)} of {len(hidden)} passed "
        f"({sum(t['earned'] for t in hidden)}/{sum(t['points'] for t in hidden)}"
        " points)."
    ]
    hints: dict[str, int] = {}
    for test in hidden:
        if not test["passed"]:
            hint = test["hint"] or "no hint for this one"
            hints[hint] = hints.get(hint, 0) + 1
    if hints:
        lines.append("What the failed hidden tests were about:")
        lines += [
            f"  - {hint} ({count} test{'s' * (count > 1)})"
            for hint, count in hints.items()
        ]
    return lines


def result_lines(tests: list[dict], audience: str) -> list[str]:
    """All tests for the teacher; for a student, public ones in full, hidden counted."""
    if audience == "teacher":
        lines = ["Tests:"]
        for test in tests:
            lines += _test_block(test, "public" if test["public"] else "hidden")
        return lines
    lines = ["Public tests:"]
    for test in tests:
        lines += _test_block(test, "") if test["public"] else []
    return lines + [""] + hidden_summary(tests)


def answer_lines(
    questions: list, answers: dict, hand: dict, audience: str
) -> list[str]:
    """The written answers: the teacher sees the rubric, the student the points."""
    lines = []
    for question in questions:
        given = hand.get(question.key, {})
        points = given.get("points")
        graded = (
            f"{points:g}/{question.points}"
            if points is not None
            else f"not graded yet (out of {question.points})"
        )
        lines += ["", f"[{question.key}] {question.prompt}"]
        if audience == "teacher":
            lines.append(f"Rubric ({question.points} points): {question.rubric}")
        lines += ["Answer:"] + quoted(answers.get(question.key) or "(no answer found)")
        lines.append(f"Points: {graded}")
        if given.get("comment"):
            lines += ["Comment:"] + quoted(given["comment"])
    return lines
