"""book.questions: the public tests pass a right answer and explain a wrong one."""

from __future__ import annotations

import pytest
import torch

from book.layers import receptive_field
from book.questions import QUESTIONS, check_question

RIGHT = {
    "fc_weight_count": lambda h, w, c, hidden: h * w * c * hidden,
    "local_weight_count": lambda side, k, i, o: (side - k + 1) ** 2 * o * i * k * k,
    "conv_output_shape": lambda shape, k, f, s, p: (
        k,
        (shape[1] - f + 2 * p) // s + 1,
        (shape[2] - f + 2 * p) // s + 1,
    ),
    "global_max_pool": lambda maps: maps.flatten(1).max(dim=1).values,
    "stacked_receptive_field": lambda layers, k: layers * (k - 1) + 1,
}


def test_every_question_has_a_right_answer_here() -> None:
    assert set(RIGHT) == set(QUESTIONS)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_passes_every_public_test(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_question(name, RIGHT[name]) is True
    out = capsys.readouterr().out
    total = len(QUESTIONS[name])
    assert out.count("PASS") == total and "FAIL" not in out
    assert f"{total}/{total} public tests passed" in out


def test_a_wrong_answer_fails_with_the_values_and_a_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The common slip: forgetting the channels.
    assert check_question("fc_weight_count", lambda h, w, c, n: h * w * n) is False
    out = capsys.readouterr().out
    assert "PASS  fc_weight_count(8, 8, 1, 10)" in out  # one channel hides the slip
    assert "returned 50176000, expected 150528000" in out
    assert "hint: the input is height x width x channels values" in out
    assert "1/3 public tests passed" in out


def test_a_crash_is_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(maps: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write me")

    assert check_question("global_max_pool", broken) is False
    out = capsys.readouterr().out
    assert out.count("raised NotImplementedError: write me") == 3


def test_the_wrong_type_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    as_float = lambda layers, k: float(receptive_field(layers, k))  # noqa: E731
    assert check_question("stacked_receptive_field", as_float) is False
    assert "returned a float, expected a int (3)" in capsys.readouterr().out


def test_pooling_from_zero_fails_on_negative_maps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def from_zero(maps: torch.Tensor) -> torch.Tensor:
        return maps.flatten(1).clamp(min=0).max(dim=1).values

    assert check_question("global_max_pool", from_zero) is False
    assert "hint: start from the first value" in capsys.readouterr().out


def test_bad_calls_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="there is no question 'nope'; the questions"):
        check_question("nope", len)
    with pytest.raises(ValueError, match="fn must be a function, got int"):
        check_question("fc_weight_count", 3)
