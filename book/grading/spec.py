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

from book.grading.wire import Encoded, Spec, decode, describe, encode

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

    def request(self) -> dict[str, Any]:
        """The call as plain data, as sent to the student's kernel."""
        return {
            "target": self.target,
            "args": list(self.args),
            "kwargs": dict(self.kwargs),
            "call": self.call,
        }

    def expected(self) -> Encoded:
        """The right answer, encoded like a student's result."""
        if self.reference is None:
            return {"kind": "raised", "type": " or ".join(self.raises), "message": ""}
        args = [decode(a) for a in self.args]
        kwargs = {k: decode(v) for k, v in self.kwargs.items()}
        return encode(self.reference(*args, **kwargs))

    def judge(self, result: Encoded, expected: Encoded | None = None) -> str | None:
        """None when `result` passes, else why not, in plain words.

        `expected` is the precomputed answer (the student's `check()` reads it
        from data); without it the reference function computes it here.
        """
        if self.raises:
            if result["kind"] == "raised" and result["type"] in self.raises:
                return None
            wanted = " or ".join(self.raises)
            return f"expected the call to raise {wanted}, got {describe(result)}"
        expected = self.expected() if expected is None else expected
        if not self.exact_type and type_slip(expected, result):
            result = expected if same_value(expected, result) else result
        return mismatch(expected, result)

    def slip(self, result: Encoded, expected: Encoded | None = None) -> str | None:
        """The type slip in `result` (a float for an int...), in words, or None."""
        if self.raises:
            return None
        return type_slip(self.expected() if expected is None else expected, result)


_NUMBERS = ("int", "float", "numpy scalar")


def type_slip(expected: Encoded, got: Encoded) -> str | None:
    """Name the slip when `got` is a number where another kind of number is asked.

    >>> type_slip({"kind": "int", "value": 5}, {"kind": "float", "value": 5.0})
    'a float where an int is asked for'
    >>> type_slip({"kind": "int", "value": 5}, {"kind": "int", "value": 6}) is None
    True
    """
    if expected["kind"] in ("list", "tuple") and got["kind"] == expected["kind"]:
        pairs = zip(expected["items"], got["items"], strict=False)
        return next((s for want, have in pairs if (s := type_slip(want, have))), None)
    kinds = expected["kind"], got["kind"]
    if kinds[0] == kinds[1] or not all(kind in _NUMBERS for kind in kinds):
        return None
    got_name = got.get("type", "float") if kinds[1] == "numpy scalar" else kinds[1]
    article = "an" if kinds[0] == "int" else "a"
    return f"a {got_name} where {article} {kinds[0]} is asked for"


def same_value(expected: Encoded, got: Encoded) -> bool:
    """Whether two encoded numbers (or lists of them) are equal, whatever their type.

    >>> same_value({"kind": "int", "value": 3}, {"kind": "float", "value": 3.0})
    True
    """
    if expected["kind"] in ("list", "tuple"):
        return (
            got["kind"] == expected["kind"]
            and len(got["items"]) == len(expected["items"])
            and all(map(same_value, expected["items"], got["items"]))
        )
    if got["kind"] not in _NUMBERS or expected["kind"] not in _NUMBERS:
        return mismatch(expected, got) is None
    want, have = expected["value"], got["value"]
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


def mismatch(expected: Encoded, got: Encoded) -> str | None:
    """None when `got` matches `expected`, else expected versus got in words.

    >>> mismatch({"kind": "int", "value": 5}, {"kind": "float", "value": 5.0})
    'expected the int 5, got the float 5.0'
    """
    versus = f"expected {describe(expected)}, got {describe(got)}"
    if got["kind"] != expected["kind"]:
        return versus
    kind = got["kind"]
    if kind in ("int", "bool", "str"):
        return None if got["value"] == expected["value"] else versus
    if kind == "float":
        close = math.isclose(
            got["value"], expected["value"], rel_tol=RTOL, abs_tol=ATOL
        )
        return None if close else versus
    if kind in ("tensor", "ndarray"):
        if got["shape"] != expected["shape"]:
            return versus
        if got["values"] is None:
            return f"{describe(got)} is too large to compare"
        want = np.array(expected["values"], dtype=np.float64)
        have = np.array(got["values"], dtype=np.float64)
        if np.allclose(have, want, rtol=RTOL, atol=ATOL):
            return None
        return f"the values differ: {_first_difference(want, have)}"
    if kind in ("list", "tuple"):
        if len(got["items"]) != len(expected["items"]):
            return versus
        for i, (want, have) in enumerate(
            zip(expected["items"], got["items"], strict=True)
        ):
            problem = mismatch(want, have)
            if problem:
                return f"item {i}: {problem}"
        return None
    return versus


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
