"""Argument checks and the size arithmetic of a convolution: (W - F + 2P) / S + 1."""

from __future__ import annotations

import re

import numpy as np
import pytest

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
