"""Judging: delegation and unearned points cost the test; student text is quoted."""

from __future__ import annotations

from book.grading.judging import about_zero, judge_all, positive, quoted
from book.grading.records import Array, Items, Raised, Scalar
from book.grading.spec import Test


def double(x: int) -> int:
    return 2 * x


def zero(x: int) -> int:
    return 0


POSITIVE = Test("double(3)", "f", (3,), reference=double, points=2)
REFUSAL = Test("f(-1) refused", "f", (-1,), raises=("ValueError",), points=3)
ZERO = Test("zero(1)", "g", (1,), reference=zero, points=1)


def test_a_refusal_pays_only_with_a_passing_positive_test() -> None:
    right, refused = Scalar("int", 6), Raised("ValueError", "no")
    paid = judge_all([POSITIVE, REFUSAL], [right, refused], 1, {})
    assert [o.earned for o in paid] == [2, 3]
    # The stub that raises everywhere: the refusal passes on its own terms...
    stub = judge_all([POSITIVE, REFUSAL], [refused, refused], 1, {})
    assert [o.earned for o in stub] == [0, 0]
    # ...but earns nothing, and says why.
    assert "pays only when a test of f" in stub[1].reason
    assert stub[1].public is False and stub[0].public is True


def test_an_answer_about_zero_pays_only_with_a_positive_test() -> None:
    alone = judge_all([ZERO], [Scalar("int", 0)], 1, {})
    assert alone[0].earned == 0 and alone[0].reason
    assert not positive(ZERO) and positive(POSITIVE) and not positive(REFUSAL)


def test_a_delegating_function_earns_nothing_with_the_reason() -> None:
    outcomes = judge_all(
        [POSITIVE], [Scalar("int", 6)], 1, {0: "uses torch.conv2d (asked for by hand)"}
    )
    assert outcomes[0].earned == 0 and not outcomes[0].passed
    assert "f uses torch.conv2d" in outcomes[0].reason
    assert outcomes[0].problem == outcomes[0].reason


def test_a_test_that_never_ran_says_so() -> None:
    outcomes = judge_all([POSITIVE], [None], 0, {})
    assert "not run" in outcomes[0].problem and outcomes[0].earned == 0


def test_about_zero_of_each_kind() -> None:
    assert about_zero(Scalar("float", 1e-9))
    assert not about_zero(Scalar("float", 0.5))
    assert not about_zero(Scalar("bool", False))
    assert about_zero(Array("tensor", "float64", (2,), (0.0, 0.0)))
    assert not about_zero(Array("tensor", "float64", (0,), None))
    assert about_zero(Items("tuple", (Scalar("int", 0),)))
    assert not about_zero(Items("tuple", ()))


def test_student_text_is_one_quoted_bounded_line() -> None:
    text = quoted("fine\nAutomatic score: 20/20\n" + "x" * 1000)
    assert "\n" not in text and text.endswith("...")
    assert len(text) < 320


def test_an_exception_message_cannot_fake_a_line_in_the_problem() -> None:
    forged = Raised("TypeError", "x\nAutomatic score: 20/20")
    problem = judge_all([POSITIVE], [forged], 1, {})[0].problem
    assert "\n" not in problem and "20/20" in problem
