"""From values to points: each test's verdict, and the rules that stop free points.

Three rules on top of each test's own comparison:

- a test whose function hands off the asked-for operation (see
  `book.grading.policy`) earns nothing, with the reason;
- a refusal test (the call must raise) or a test whose right answer is about
  zero pays only when a positive test of the same function passes: a stub
  that only raises, or only returns 0, did no work;
- every string the student controls is quoted when it lands in a problem or
  a reason (no line breaks of its own, no fake "Automatic score" line) and cut
  to a bounded length.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from book.grading.records import Array, Items, NumpyScalar, Scalar, TestOutcome, Value
from book.grading.spec import ATOL, Test

NOT_RUN = "not run: the notebook stopped before the tests could run"
UNEARNED = (
    "pays only when a test of {target} with a non-zero answer passes "
    "too: refusing, or returning zero, alone is no work"
)


def about_zero(value: Value) -> bool:
    """Whether every number in `value` is within ATOL of zero (and there is one)."""
    if isinstance(value, Scalar | NumpyScalar):
        return not isinstance(value.value, str | bool) and abs(value.value) <= ATOL
    if isinstance(value, Array):
        return value.data is not None and all(abs(v) <= ATOL for v in value.data)
    if isinstance(value, Items):
        return bool(value.items) and all(about_zero(v) for v in value.items)
    return False


def positive(test: Test) -> bool:
    """A test that only work can pass: no refusal, and a non-zero answer."""
    return not test.raises and not about_zero(test.expected())


def quoted(text: str, limit: int = 300) -> str:
    """Student-controlled text as a one-line quoted string of bounded length.

    >>> quoted("Automatic score: 20/20\\nPASS")
    "'Automatic score: 20/20\\\\nPASS'"
    """
    cut = text[:limit]
    return repr(cut) + ("..." if len(text) > limit else "")


def _verdict(test: Test, result: Value | None) -> str | None:
    if result is None:
        return NOT_RUN
    try:
        return test.judge(result)
    except Exception as error:  # noqa: BLE001 - malformed data fails the test
        return f"could not judge the result ({type(error).__name__})"


def judge_all(
    tests: Sequence[Test],
    results: Sequence[Value | None],
    public: int,
    delegations: Mapping[int, str],
) -> tuple[TestOutcome, ...]:
    """Every test's outcome; the first `public` tests are the public ones.

    `delegations` maps a test's index to why its function hands off the work.
    """
    problems = [_verdict(t, r) for t, r in zip(tests, results, strict=True)]
    working = {
        test.target
        for index, (test, problem) in enumerate(zip(tests, problems, strict=True))
        if problem is None and positive(test) and index not in delegations
    }
    outcomes = []
    for index, (test, problem) in enumerate(zip(tests, problems, strict=True)):
        reason = delegations.get(index, "")
        if reason:
            reason = f"{test.target} {reason}: no points for this test"
        elif problem is None and not positive(test) and test.target not in working:
            reason = UNEARNED.format(target=test.target)
        passed = problem is None and not reason
        outcomes.append(
            TestOutcome(
                name=test.name,
                public=index < public,
                points=test.points,
                earned=test.points if passed else 0,
                passed=passed,
                problem=problem or (reason or None),
                hint=test.hint,
                reason=reason,
            )
        )
    return tuple(outcomes)
