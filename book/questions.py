"""Public tests for the small coding questions at the end of each section.

`book.grading.check` runs the graded exercises, which have hidden tests and a
score. These questions are lighter: a reader writes one function, calls
`check_question(name, fn)`, and reads PASS or FAIL with a hint for each public
test. Nothing is scored or recorded. Expected values come from real PyTorch
modules or from the book's own helpers, never from numbers typed in here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from book.layers import LocallyConnected2d, count_parameters, receptive_field


@dataclass(frozen=True)
class PublicTest:
    """Call the reader's function with `args`; compare with `expected()`."""

    args: tuple[Any, ...]
    expected: Callable[[], Any]
    hint: str


def _linear_weights(height: int, width: int, channels: int, hidden: int) -> int:
    with torch.device("meta"):
        return nn.Linear(height * width * channels, hidden).weight.numel()


def _local_weights(side: int, kernel: int, in_c: int, out_c: int) -> int:
    with torch.device("meta"):
        layer = LocallyConnected2d(in_c, out_c, side, kernel, bias=False)
    return count_parameters(layer)


def _conv_shape(shape: tuple[int, int, int], k: int, f: int, s: int, p: int):
    with torch.device("meta"):
        out = nn.Conv2d(shape[0], k, f, stride=s, padding=p)(torch.empty(1, *shape))
    return tuple(out.shape[1:])


def _pooled(maps: torch.Tensor) -> torch.Tensor:
    return nn.AdaptiveMaxPool2d(1)(maps[None])[0, :, 0, 0]


_MAPS = torch.arange(2 * 4 * 5, dtype=torch.float32).reshape(2, 4, 5).sin()
# Every value below zero: a maximum that starts from 0 gets these wrong.
_NEGATIVE = -(_MAPS[:1].abs() + 0.5)

QUESTIONS: dict[str, tuple[PublicTest, ...]] = {
    "fc_weight_count": (
        PublicTest(
            (8, 8, 1, 10),
            lambda: _linear_weights(8, 8, 1, 10),
            "one weight per input value per hidden unit; leave biases out",
        ),
        PublicTest(
            (224, 224, 3, 1000),
            lambda: _linear_weights(224, 224, 3, 1000),
            "the input is height x width x channels values",
        ),
        PublicTest(
            (64, 32, 3, 7),
            lambda: _linear_weights(64, 32, 3, 7),
            "height and width need not be equal",
        ),
    ),
    "local_weight_count": (
        PublicTest(
            (5, 3, 1, 1),
            lambda: _local_weights(5, 3, 1, 1),
            "no padding: the output side is side - kernel + 1",
        ),
        PublicTest(
            (32, 3, 1, 1),
            lambda: _local_weights(32, 3, 1, 1),
            "one kernel of kernel x kernel weights per output position",
        ),
        PublicTest(
            (10, 5, 3, 4),
            lambda: _local_weights(10, 5, 3, 4),
            "each position's kernel spans every input channel, once per output channel",
        ),
    ),
    "conv_output_shape": (
        PublicTest(
            ((3, 32, 32), 16, 3, 1, 1),
            lambda: _conv_shape((3, 32, 32), 16, 3, 1, 1),
            "the depth of the output is the number of filters",
        ),
        PublicTest(
            ((3, 227, 227), 96, 11, 4, 0),
            lambda: _conv_shape((3, 227, 227), 96, 11, 4, 0),
            "(W - F + 2P) / S + 1 along each axis",
        ),
        PublicTest(
            ((1, 7, 9), 2, 3, 2, 0),
            lambda: _conv_shape((1, 7, 9), 2, 3, 2, 0),
            "height and width are computed separately",
        ),
        PublicTest(
            ((4, 8, 8), 5, 3, 3, 0),
            lambda: _conv_shape((4, 8, 8), 5, 3, 3, 0),
            "when the stride does not fit, PyTorch rounds down",
        ),
    ),
    "global_max_pool": (
        PublicTest(
            (_MAPS,),
            lambda: _pooled(_MAPS),
            "one number per channel: the largest value anywhere in its map",
        ),
        PublicTest(
            (_MAPS.roll(2, dims=2),),
            lambda: _pooled(_MAPS),
            "a circular shift moves the maximum, it does not change it",
        ),
        PublicTest(
            (_NEGATIVE,),
            lambda: _pooled(_NEGATIVE),
            "start from the first value, not from 0: maps can be negative",
        ),
    ),
    "stacked_receptive_field": (
        PublicTest((1, 3), lambda: receptive_field(1, 3), "one layer sees its window"),
        PublicTest(
            (3, 3),
            lambda: receptive_field(3, 3),
            "each stride-1 layer adds kernel - 1 pixels",
        ),
        PublicTest((2, 5), lambda: receptive_field(2, 5), "the kernel size matters"),
        PublicTest(
            (112, 3),
            lambda: receptive_field(112, 3),
            "the formula is linear in the number of layers",
        ),
    ),
}


def _same(got: Any, expected: Any) -> bool:
    if isinstance(expected, torch.Tensor):
        return (
            isinstance(got, torch.Tensor)
            and got.shape == expected.shape
            and torch.allclose(got.to(expected.dtype), expected, atol=1e-6)
        )
    return type(got) is type(expected) and got == expected


def _describe(args: tuple[Any, ...]) -> str:
    shown = [
        f"tensor{tuple(a.shape)}" if isinstance(a, torch.Tensor) else repr(a)
        for a in args
    ]
    return ", ".join(shown)


def check_question(name: str, fn: Callable[..., Any]) -> bool:
    """Run question `name`'s public tests on `fn`; print PASS/FAIL lines with hints.

    Returns True when every test passes. It never raises for a wrong or crashing
    `fn`: the report says what happened. An unknown `name` or a non-callable
    `fn` is a mistake in the calling cell, so that raises ValueError.
    """
    if name not in QUESTIONS:
        raise ValueError(
            f"there is no question {name!r}; the questions are {', '.join(QUESTIONS)}"
        )
    if not callable(fn):
        raise ValueError(f"fn must be a function, got {type(fn).__name__}")
    passed = 0
    for test in QUESTIONS[name]:
        call = f"{name}({_describe(test.args)})"
        expected = test.expected()
        try:
            got = fn(*test.args)
        except Exception as error:  # noqa: BLE001 - reported, never raised
            print(f"FAIL  {call} raised {type(error).__name__}: {error}")
            print(f"      hint: {test.hint}")
            continue
        if _same(got, expected):
            passed += 1
            print(f"PASS  {call}")
        elif type(got) is not type(expected) and not isinstance(expected, torch.Tensor):
            print(
                f"FAIL  {call} returned a {type(got).__name__}, "
                f"expected a {type(expected).__name__} ({expected!r})"
            )
            print(f"      hint: {test.hint}")
        else:
            print(f"FAIL  {call} returned {got!r}, expected {expected!r}")
            print(f"      hint: {test.hint}")
    total = len(QUESTIONS[name])
    print(f"{passed}/{total} public tests passed (nothing is recorded)")
    return passed == total
