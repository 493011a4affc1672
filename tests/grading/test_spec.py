"""Judging: expected versus got in words, and type slips that cost one test."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from book.grading.records import Raised, Scalar
from book.grading.spec import Test, mismatch, same_value, type_slip
from book.grading.wire import encode


@pytest.mark.parametrize(
    ("got", "words"),
    [
        (5.0, "got the float 5.0"),
        (np.int64(5), "numpy int64"),
        ("5", "the str"),
        (None, "forget to return"),
    ],
)
def test_wrong_types_are_named(got: object, words: str) -> None:
    problem = mismatch(encode(5), encode(got))
    assert problem is not None and words in problem


def test_numpy_instead_of_torch_fails_with_both_types_named() -> None:
    problem = mismatch(encode(torch.ones(2, 2)), encode(np.ones((2, 2))))
    assert "torch.Tensor" in problem and "numpy.ndarray" in problem


def test_wrong_shape_and_wrong_values_are_explained() -> None:
    want = encode(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert "shape (2, 3)" in mismatch(want, encode(torch.zeros(2, 3)))
    wrong = mismatch(want, encode(torch.tensor([[1.0, 2.0], [3.0, 5.0]])))
    assert "(1, 1)" in wrong and "expected 4" in wrong and "got 5" in wrong
    assert mismatch(want, encode(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))) is None


def test_raises_test_needs_the_named_exception() -> None:
    test = Test("bad stride", "f", (1,), raises=("ValueError",))
    assert test.judge(Raised("ValueError", "")) is None
    assert "TypeError" in test.judge(Raised("TypeError", "x"))
    assert "the int 3" in test.judge(Scalar("int", 3))


def test_a_type_slip_fails_only_the_test_that_checks_the_type() -> None:
    value_only = Test("f(7)", "f", (7,), reference=lambda n: n // 2)
    typed = Test(
        "f(7) is an int", "f", (7,), reference=lambda n: n // 2, exact_type=True
    )
    slipped = encode(3.0)
    assert value_only.judge(slipped) is None
    assert typed.judge(slipped) == "expected the int 3, got the float 3.0"
    assert (
        value_only.slip(slipped)
        == typed.slip(slipped)
        == ("a float where an int is asked for")
    )
    # A wrong value is wrong in either kind of test, slip or not.
    assert value_only.judge(encode(4.0)) == "expected the int 3, got the float 4.0"


def test_slips_inside_tuples_and_numpy_scalars_are_named() -> None:
    want = encode((16, 4, 1))
    assert type_slip(want, encode((16.0, 4.0, 1.0))) == (
        "a float where an int is asked for"
    )
    assert same_value(want, encode((16.0, 4.0, 1.0)))
    assert not same_value(want, encode((16.0, 4.0, 2.0)))
    assert type_slip(encode(5), encode(np.int64(5))) == (
        "a int64 where an int is asked for"
    )
    assert type_slip(encode(5), encode("5")) is None
    assert type_slip(encode(5), encode(True)) is None


def test_a_given_expected_value_is_used_instead_of_the_reference() -> None:
    def broken(*args: object) -> int:
        raise AssertionError("the reference must not run")

    test = Test("f()", "f", reference=broken)
    assert test.judge(encode(2), expected=encode(2)) is None
    assert test.judge(encode(2), expected=encode(3)) is not None
