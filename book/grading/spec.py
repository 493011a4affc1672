"""What an exercise is made of: tests worth points, and questions for the teacher.

A test names a function (or variable) of the student's notebook, the arguments
to call it with, and what it must give: the value of a reference function on
the same arguments, or an exception. Judging reads only the plain data of
`book.grading.wire`, so it is the same in the student's `check()` and in the
teacher's grader.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from book.grading.records import (
    Array,
    Call,
    Items,
    NumpyScalar,
    Raised,
    Scalar,
    Value,
)
from book.grading.wire import Spec, decode, describe, encode

# Learners may compute in float32; references run in float64.
RTOL, ATOL = 1e-4, 1e-5


@dataclass(frozen=True)
class Test:
    """One graded check of one name in the student's notebook."""

    __test__ = False  # a grading test, not a pytest test class

    name: str
    target: str
    args: tuple[Spec, ...] = ()
    kwargs: dict[str, Spec] = field(default_factory=dict)
    # reference(*args, **kwargs) gives the right answer; None with `raises` set.
    reference: Callable[..., Any] | None = None
    raises: tuple[str, ...] = ()
    points: int = 1
    hint: str = ""
    call: bool = True
    # Only a test with exact_type fails an int answer given as the float of the
    # same value: a type slip then costs that test, not every test of the name.
    exact_type: bool = False

    def request(self) -> Call:
        """The call as a record, as sent to the student's kernel."""
        return Call(self.target, tuple(self.args), dict(self.kwargs), self.call)

    def expected(self) -> Value:
        """The right answer, encoded like a student's result."""
        if self.reference is None:
            return Raised(" or ".join(self.raises), "")
        args = [decode(a) for a in self.args]
        kwargs = {k: decode(v) for k, v in self.kwargs.items()}
        return encode(self.reference(*args, **kwargs))

    def judge(self, result: Value, expected: Value | None = None) -> str | None:
        """None when `result` passes, else why not, in plain words.

        `expected` is the precomputed answer (the student's `check()` reads it
        from data); without it the reference function computes it here.
        """
        if self.raises:
            if isinstance(result, Raised) and result.type in self.raises:
                return None
            wanted = " or ".join(self.raises)
            return f"expected the call to raise {wanted}, got {describe(result)}"
        expected = self.expected() if expected is None else expected
        if not self.exact_type and type_slip(expected, result):
            result = expected if same_value(expected, result) else result
        return mismatch(expected, result)

    def slip(self, result: Value, expected: Value | None = None) -> str | None:
        """The type slip in `result` (a float for an int...), in words, or None."""
        if self.raises:
            return None
        return type_slip(self.expected() if expected is None else expected, result)


_NUMBERS = ("int", "float", "numpy scalar")


def type_slip(expected: Value, got: Value) -> str | None:
    """Name the slip when `got` is a number where another kind of number is asked.

    >>> type_slip(Scalar("int", 5), Scalar("float", 5.0))
    'a float where an int is asked for'
    >>> type_slip(Scalar("int", 5), Scalar("int", 6)) is None
    True
    """
    if isinstance(expected, Items) and isinstance(got, Items):
        if got.kind != expected.kind:
            return None
        pairs = zip(expected.items, got.items, strict=False)
        return next((s for want, have in pairs if (s := type_slip(want, have))), None)
    kinds = expected.kind, got.kind
    if kinds[0] == kinds[1] or not all(kind in _NUMBERS for kind in kinds):
        return None
    got_name = got.type if isinstance(got, NumpyScalar) else got.kind
    article = "an" if kinds[0] == "int" else "a"
    return f"a {got_name} where {article} {kinds[0]} is asked for"


def same_value(expected: Value, got: Value) -> bool:
    """Whether two numbers (or lists of them) are equal, whatever their type.

    >>> same_value(Scalar("int", 3), Scalar("float", 3.0))
    True
    """
    if isinstance(expected, Items):
        return (
            isinstance(got, Items)
            and got.kind == expected.kind
            and len(got.items) == len(expected.items)
            and all(map(same_value, expected.items, got.items))
        )
    if got.kind not in _NUMBERS or expected.kind not in _NUMBERS:
        return mismatch(expected, got) is None
    want, have = expected.value, got.value
    if not isinstance(have, int | float) or isinstance(have, bool):
        return False
    return math.isclose(have, want, rel_tol=RTOL, abs_tol=ATOL)


def _first_difference(expected: np.ndarray, got: np.ndarray) -> str:
    bad = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    return (
        f"first wrong entry at {where}: expected {expected[where]:.6g}, "
        f"got {got[where]:.6g}"
    )


def mismatch(expected: Value, got: Value) -> str | None:
    """None when `got` matches `expected`, else expected versus got in words.

    >>> mismatch(Scalar("int", 5), Scalar("float", 5.0))
    'expected the int 5, got the float 5.0'
    """
    versus = f"expected {describe(expected)}, got {describe(got)}"
    if type(got) is not type(expected) or got.kind != expected.kind:
        return versus
    if isinstance(got, Scalar) and isinstance(expected, Scalar):
        if got.kind == "float":
            close = math.isclose(got.value, expected.value, rel_tol=RTOL, abs_tol=ATOL)
            return None if close else versus
        return None if got.value == expected.value else versus
    if isinstance(got, Array) and isinstance(expected, Array):
        return _array_mismatch(expected, got, versus)
    if isinstance(got, Items) and isinstance(expected, Items):
        if len(got.items) != len(expected.items):
            return versus
        for i, (want, have) in enumerate(zip(expected.items, got.items, strict=True)):
            problem = mismatch(want, have)
            if problem:
                return f"item {i}: {problem}"
        return None
    return versus


def _array_mismatch(expected: Array, got: Array, versus: str) -> str | None:
    if got.shape != expected.shape:
        return versus
    if got.data is None or expected.data is None:
        return f"{describe(got)} is too large to compare"
    want = np.array(expected.data, dtype=np.float64).reshape(expected.shape)
    have = np.array(got.data, dtype=np.float64).reshape(got.shape)
    if np.allclose(have, want, rtol=RTOL, atol=ATOL):
        return None
    return f"the values differ: {_first_difference(want, have)}"


@dataclass(frozen=True)
class Question:
    """A free-text answer the teacher grades by hand, with a rubric."""

    key: str
    prompt: str
    rubric: str
    points: int


@dataclass(frozen=True)
class Exercise:
    """An exercise: its notebook id, public tests and questions (hidden tests apart)."""

    id: str
    title: str
    public: tuple[Test, ...]
    questions: tuple[Question, ...] = ()

    @property
    def public_points(self) -> int:
        """Points of the public tests."""
        return sum(test.points for test in self.public)

    @property
    def manual_points(self) -> int:
        """Points the teacher awards by hand for the free-text answers."""
        return sum(question.points for question in self.questions)
