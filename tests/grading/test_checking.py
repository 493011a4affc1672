"""The student's check(): data for answers, a child process per call, never raising."""

from __future__ import annotations

import time

import pytest
import torch
import torch.nn.functional as F

from book.grading import check
from book.grading.answers import expected_answers
from book.grading.checking import call_isolated, report
from book.grading.exercises import EXERCISES
from book.grading.records import Raised, Timeout
from book.grading.spec import Test

EX4 = EXERCISES["ex4_conv_arithmetic"]
EX5 = EXERCISES["ex5_cross_correlation"]


def slash_output_size(input_size, kernel_size, stride=1, padding=0):  # noqa: ANN001, ANN201
    span = input_size - kernel_size + 2 * padding
    if span < 0 or span % stride:
        raise ValueError(f"{span} does not tile")
    return span / stride + 1  # the slip: / instead of //


def test_check_reports_pass_fail_hint_and_the_points_still_to_come() -> None:
    text = report(EX4, {"conv_output_size": slash_output_size})
    assert "FAIL  [0/1] conv_output_size(7, 3, stride=1)" in text
    assert "expected the int 5, got the float 5.0" in text
    assert "PASS  [1/1] conv_output_size(7, 3, stride=2)" in text
    assert "`conv_param_count` is not defined" in text
    assert "Provisional score: 2/6 points on the public tests." in text
    hidden = expected_answers()["ex4_conv_arithmetic"]["hidden_points"]
    assert f"hidden tests worth {hidden} points" in text
    assert f"The maximum is {6 + hidden} points." in text


def test_a_type_slip_is_named_once_and_costs_one_test() -> None:
    text = report(EX4, {"conv_output_size": slash_output_size})
    assert text.count("Type slip: `conv_output_size` returns a float") == 1
    # The per-test int hint is replaced by the one note.
    assert "hint: return a plain Python int" not in text


def test_written_answers_are_counted_in_the_maximum() -> None:
    text = report(EXERCISES["ex3_locality"], {})
    assert "4 points for your 2 written answer(s), graded by hand" in text


def test_patching_torch_in_the_kernel_does_not_change_the_expected_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def wrong(image, kernel, stride=1, padding=0):  # noqa: ANN001, ANN201
        return F.conv2d(
            image[None, None], kernel[None, None], stride=stride, padding=padding
        )[0, 0]

    # A notebook that makes F.conv2d return zeros makes `wrong` return zeros:
    # with references computed in the kernel, zeros would have matched.
    monkeypatch.setattr(
        F,
        "conv2d",
        lambda x, w, **kw: torch.zeros(
            1,
            1,
            x.shape[-2] - w.shape[-2] + 1,
            x.shape[-1] - w.shape[-1] + 1,
            dtype=x.dtype,
        ),
    )
    text = report(EX5, {"cross_correlate_vectorised": wrong})
    assert "PASS  [1/1] cross_correlate_vectorised on a random" not in text
    assert "the values differ" in text


def test_keyboard_interrupt_and_exit_from_the_function_are_results() -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    def leaves(*args: object) -> None:
        raise SystemExit(3)

    test = Test("f(1)", "f", (1,), reference=lambda n: n)
    for function, kind in ((interrupted, "KeyboardInterrupt"), (leaves, "SystemExit")):
        result = call_isolated({"f": function}, test, seconds=20)
        assert result == Raised(kind, result.message)


def test_a_function_that_swallows_every_exception_is_stopped_at_the_limit() -> None:
    def stubborn(*args: object) -> None:
        while True:
            try:
                time.sleep(0.05)
            except BaseException:  # noqa: BLE001, S110 - the hostile part
                pass

    test = Test("f(1)", "f", (1,), reference=lambda n: n)
    started = time.monotonic()
    assert call_isolated({"f": stubborn}, test, seconds=1.0) == Timeout(1.0)
    # The limit is wall-clock in this process; the margin covers a loaded machine.
    assert time.monotonic() - started < 30


def test_a_function_that_ends_its_process_is_reported() -> None:
    import os

    test = Test("f(1)", "f", (1,), reference=lambda n: n)
    result = call_isolated({"f": lambda n: os._exit(0)}, test, seconds=20)
    assert "ended the process" in result.repr


def test_check_never_raises_and_reads_the_callers_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    check("no_such_exercise")
    assert "There is no exercise 'no_such_exercise'" in capsys.readouterr().out
    check("ex3_locality")
    out = capsys.readouterr().out
    assert "`receptive_field` is not defined" in out
    assert "Provisional score: 0/6" in out
