"""Argument checks and the size arithmetic of a convolution: (W - F + 2P) / S + 1."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from book.layers import conv_output_size
from book.validation import int_pair, whole_number

NOT_INTS = [3.0, True, False, "3", None, np.float64(3.0), [3]]


# --- whole_number and int_pair ------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 7, np.int64(7), np.int32(7), np.uint8(7)])
def test_whole_number_returns_a_plain_int(value: object) -> None:
    result = whole_number("stride", value, 0)
    assert result == value
    assert type(result) is int


@pytest.mark.parametrize("value", NOT_INTS)
def test_whole_number_rejects_non_integers_naming_the_value(value: object) -> None:
    with pytest.raises(TypeError, match=r"stride must be an int, got .* of type"):
        whole_number("stride", value, 1)


@pytest.mark.parametrize(
    ("value", "minimum", "rule"),
    [
        (0, 1, "stride must be positive, got 0"),
        (-2, 1, "stride must be positive"),
        (-1, 0, "stride must be at least 0, got -1"),
        (4, 5, "at least 5, got 4"),
    ],
)
def test_whole_number_rejects_values_below_the_minimum(
    value: int, minimum: int, rule: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(rule)):
        whole_number("stride", value, minimum)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, (3, 3)), ((2, 5), (2, 5)), ([4, 1], (4, 1)), ((np.int64(2), 3), (2, 3))],
)
def test_int_pair_accepts_an_int_or_a_pair(value: object, expected: tuple) -> None:
    result = int_pair("kernel_size", value, 1)
    assert result == expected
    assert all(type(size) is int for size in result)


@pytest.mark.parametrize("value", [(), (3,), (1, 2, 3)])
def test_int_pair_rejects_the_wrong_length(value: tuple) -> None:
    with pytest.raises(ValueError, match=r"kernel_size must be an int or a pair"):
        int_pair("kernel_size", value, 1)


@pytest.mark.parametrize(
    ("value", "error", "name"),
    [
        ((3, 0), ValueError, r"kernel_size\[1\]"),
        ((2.0, 3), TypeError, r"kernel_size\[0\]"),
        (1.5, TypeError, "kernel_size"),
        (-1, ValueError, "kernel_size"),
    ],
)
def test_int_pair_names_the_bad_element(value: object, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        int_pair("kernel_size", value, 1)


# --- conv_output_size: the formula --------------------------------------------


@pytest.mark.parametrize(
    ("input_size", "kernel_size", "stride", "padding", "expected"),
    [
        (7, 3, 1, 0, 5),  # the 7 x 7 input, 3 x 3 filter example
        (7, 3, 2, 0, 3),  # ... with stride 2
        (5, 5, 1, 0, 1),  # the kernel covers the whole input
        (32, 3, 1, 1, 32),
        (227, 11, 4, 0, 55),  # AlexNet conv1
        (55, 1, 2, 0, 28),  # a 1 x 1 kernel with stride 2
        (1, 1, 1, 0, 1),
        (1, 3, 1, 1, 1),
        (4, 2, 2, 0, 2),
        (11, 4, 3, 1, 4),
    ],
)
def test_conv_output_size_follows_the_formula(
    input_size: int, kernel_size: int, stride: int, padding: int, expected: int
) -> None:
    assert (input_size - kernel_size + 2 * padding) / stride + 1 == expected
    result = conv_output_size(input_size, kernel_size, stride, padding)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("kernel_size", [1, 3, 5, 7, 11])
@pytest.mark.parametrize("input_size", [1, 2, 8, 31, 224])
def test_same_padding_keeps_the_size(input_size: int, kernel_size: int) -> None:
    padding = (kernel_size - 1) // 2
    assert conv_output_size(input_size, kernel_size, 1, padding) == input_size


def test_numpy_integers_give_a_plain_int() -> None:
    result = conv_output_size(np.int64(7), np.int32(3), np.int64(2), np.uint8(0))
    assert result == 3
    assert type(result) is int


# --- conv_output_size: bad input ----------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "formula"),
    [
        ((8, 3, 2, 0), "(8 - 3 + 2*0) / 2 + 1 = 3.5"),
        ((7, 3, 3, 0), "(7 - 3 + 2*0) / 3 + 1 = 2.3333"),
        ((6, 3, 2, 1), "(6 - 3 + 2*1) / 2 + 1 = 3.5"),
        ((224, 11, 4, 0), "(224 - 11 + 2*0) / 4 + 1 = 54.25"),
        # Large sizes keep every digit: 500000.5 must not print as 500000.
        ((1000001, 2, 2, 0), "(1000001 - 2 + 2*0) / 2 + 1 = 500000.5"),
    ],
)
def test_a_stride_that_does_not_tile_shows_the_formula(
    arguments: tuple[int, int, int, int], formula: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(formula) + ".*not a whole number"):
        conv_output_size(*arguments)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((3, 5, 1, 0), "kernel_size 5 is larger than the padded input 3 + 2*0 = 3"),
        ((2, 7, 1, 2), "kernel_size 7 is larger than the padded input 2 + 2*2 = 6"),
        ((1, 2, 1, 0), "kernel_size 2 is larger than the padded input 1 + 2*0 = 1"),
    ],
)
@pytest.mark.parametrize("floor", [False, True])
def test_a_kernel_larger_than_the_padded_input_is_refused(
    arguments: tuple[int, int, int, int], message: str, floor: bool
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        conv_output_size(*arguments, floor=floor)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"input_size": 0}, "input_size must be positive, got 0"),
        ({"input_size": -4}, "input_size must be positive, got -4"),
        ({"kernel_size": 0}, "kernel_size must be positive, got 0"),
        ({"kernel_size": -3}, "kernel_size must be positive, got -3"),
        ({"stride": 0}, "stride must be positive, got 0"),
        ({"stride": -1}, "stride must be positive, got -1"),
        ({"padding": -1}, "padding must be at least 0, got -1"),
    ],
)
def test_sizes_out_of_range_raise_value_error(arguments: dict, message: str) -> None:
    valid = {"input_size": 7, "kernel_size": 3, "stride": 1, "padding": 0}
    with pytest.raises(ValueError, match=re.escape(message)):
        conv_output_size(**(valid | arguments))


@pytest.mark.parametrize("value", NOT_INTS)
@pytest.mark.parametrize("name", ["input_size", "kernel_size", "stride", "padding"])
def test_non_integers_raise_type_error_naming_the_argument(
    name: str, value: object
) -> None:
    valid = {"input_size": 7, "kernel_size": 3, "stride": 1, "padding": 0}
    with pytest.raises(TypeError, match=f"{name} must be an int, got "):
        conv_output_size(**(valid | {name: value}))


# --- conv_output_size(floor=True) against PyTorch -----------------------------


@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_floor_agrees_with_pytorch(stride: int, padding: int) -> None:
    checked = 0
    for input_size in range(1, 13):
        for kernel_size in range(1, 6):
            # The meta device computes shapes only: no memory, no arithmetic.
            x = torch.empty(1, 1, input_size, input_size + 1, device="meta")
            weight = torch.empty(1, 1, kernel_size, kernel_size, device="meta")
            case = f"W={input_size}, F={kernel_size}, S={stride}, P={padding}"
            if input_size + 2 * padding < kernel_size:
                with pytest.raises(RuntimeError):
                    F.conv2d(x, weight, stride=stride, padding=padding)
                with pytest.raises(ValueError, match="larger than the padded input"):
                    conv_output_size(
                        input_size, kernel_size, stride, padding, floor=True
                    )
                continue
            y = F.conv2d(x, weight, stride=stride, padding=padding)
            height = conv_output_size(
                input_size, kernel_size, stride, padding, floor=True
            )
            width = conv_output_size(
                input_size + 1, kernel_size, stride, padding, floor=True
            )
            assert (height, width) == tuple(y.shape[2:]), case
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [((8, 3, 2, 0), 3), ((7, 3, 3, 0), 2), ((7, 3, 2, 0), 3), ((224, 7, 2, 3), 112)],
)
def test_floor_drops_the_leftover_positions(
    arguments: tuple[int, int, int, int], expected: int
) -> None:
    result = conv_output_size(*arguments, floor=True)
    assert result == expected
    assert type(result) is int
