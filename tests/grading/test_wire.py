"""Plain data across the sandbox: encoding results, calling safely."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from book.grading.records import Call
from book.grading.wire import call_safely, encode


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (5, "int"),
        (5.0, "float"),
        (True, "bool"),
        (None, "none"),
        (torch.zeros(2, 3), "tensor"),
        (np.zeros((2, 3)), "ndarray"),
        (np.int64(5), "numpy scalar"),
        ((1, 2), "tuple"),
        (object(), "other"),
    ],
)
def test_encode_gives_plain_data(value: object, kind: str) -> None:
    assert encode(value).kind == kind


def test_large_tensors_are_described_not_copied() -> None:
    encoded = encode(torch.zeros(1000, 1000))
    assert encoded.data is None and encoded.shape == (1000, 1000)


def forever() -> None:
    while True:
        pass


@pytest.mark.parametrize(
    ("namespace", "kind"),
    [
        ({}, "missing"),
        ({"f": 3}, "not callable"),
        ({"f": lambda: 1 / 0}, "raised"),
        ({"f": lambda: sys.exit(1)}, "raised"),
        ({"f": forever}, "timeout"),
        ({"f": lambda: print("x" * 10**6) or 2}, "int"),
    ],
)
def test_call_safely_never_raises(namespace: dict, kind: str) -> None:
    assert call_safely(namespace, Call("f"), seconds=0.5).kind == kind
