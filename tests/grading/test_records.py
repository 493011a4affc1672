"""The grader's typed records: what encodes decodes back, and bad data is refused."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from book.grading.records import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    Array,
    Call,
    Items,
    NoneValue,
    ProbeReport,
    Raised,
    RecordError,
    Scalar,
    SubmissionResult,
    TestOutcome,
    Timeout,
    call_from_json,
    report_from_json,
    result_from_json,
    to_json,
    value_from_json,
)
from book.grading.wire import encode, seeded_tensor


def through_json(data: object) -> object:
    return json.loads(json.dumps(data))


@pytest.mark.parametrize(
    "value",
    [
        5,
        2.5,
        True,
        "text",
        None,
        torch.arange(6.0).reshape(2, 3),
        np.eye(2),
        np.int64(3),
        (1, [2.0, "x"]),
        torch.zeros(0),
        object(),
    ],
)
def test_every_encoded_value_decodes_to_itself(value: object) -> None:
    record = encode(value)
    assert value_from_json(through_json(to_json(record))) == record


def test_a_report_and_a_result_decode_to_themselves() -> None:
    report = ProbeReport(
        cells=(None, "NameError"),
        crashed=False,
        timed_out=True,
        results=(Scalar("int", 3), None, Timeout(5.0)),
        delegations={2: "calls torch.nn.functional.conv2d"},
    )
    assert report_from_json(through_json(to_json(report)), 3) == report
    outcome = TestOutcome("t", True, 2, 0, False, "wrong", "hint", "delegates")
    result = SubmissionResult(
        "a.ipynb",
        "ex4",
        "graded",
        0,
        2,
        "",
        (outcome,),
        {"q": "answer"},
        (None,),
        "bubblewrap",
        1.5,
    )
    assert result_from_json(through_json(to_json(result))) == result
    call = Call("f", (1, {"__tensor__": [1.0], "dtype": "float64"}), {"k": 2}, True)
    assert call_from_json(through_json(to_json(call))) == call


@pytest.mark.parametrize(
    ("data", "words"),
    [
        # A shape with no data would broadcast against any expected array.
        (
            {"kind": "tensor", "dtype": "float64", "shape": [3, 3], "data": []},
            "needs 9 values, got 0",
        ),
        (
            {"kind": "tensor", "dtype": "float64", "shape": [2], "data": None},
            "missing for 2 elements",
        ),
        (
            {"kind": "tensor", "dtype": "object", "shape": [1], "data": [1]},
            "not a known dtype",
        ),
        (
            {"kind": "tensor", "dtype": "float64", "shape": [-1], "data": []},
            "at least 0",
        ),
        ({"kind": "int", "value": "5"}, "must be an int"),
        ({"kind": "int", "value": True}, "must be an int"),
        ({"kind": "raised", "type": "E"}, "'message' is missing"),
        ({"kind": "raised", "type": "E", "message": "x" * 10_000}, "at most 500"),
        ({"kind": "forged"}, "not a known kind"),
        ([1, 2], "must be an object"),
    ],
)
def test_malformed_values_are_refused_with_the_rule(data: object, words: str) -> None:
    with pytest.raises(RecordError, match=words):
        value_from_json(data)


def test_nesting_is_bounded_both_ways() -> None:
    deep: list = []
    for _ in range(3 * MAX_DEPTH):
        deep = [deep]
    assert encode(deep) is not None  # cut, not a recursion error
    data: dict = {"kind": "none"}
    for _ in range(MAX_DEPTH + 2):
        data = {"kind": "list", "items": [data]}
    with pytest.raises(RecordError, match="deeper"):
        value_from_json(data)


def test_large_arrays_carry_no_data_and_small_ones_all_of_it() -> None:
    big = encode(torch.zeros(MAX_ELEMENTS + 1))
    assert isinstance(big, Array) and big.data is None
    small = encode(torch.tensor([[1, 2], [3, 4]]))
    assert small == Array("tensor", "int64", (2, 2), (1.0, 2.0, 3.0, 4.0))


def test_non_finite_floats_survive() -> None:
    record = value_from_json(through_json(to_json(encode(float("nan")))))
    assert isinstance(record, Scalar) and math.isnan(record.value)


def test_a_report_must_answer_every_call() -> None:
    report = {
        "cells": [],
        "crashed": False,
        "timed_out": False,
        "results": [{"kind": "none"}],
    }
    assert report_from_json(report, 1).results == (NoneValue(),)
    with pytest.raises(RecordError, match="2 expected, got 1"):
        report_from_json(report, 2)
    with pytest.raises(RecordError, match="not a call index"):
        report_from_json({**report, "delegations": {"7": "x"}}, 1)


def test_records_of_kinds_with_fixed_names_carry_their_kind() -> None:
    assert to_json(Raised("ValueError", "m")) == {
        "kind": "raised",
        "type": "ValueError",
        "message": "m",
    }
    assert to_json(Items("tuple", (NoneValue(),))) == {
        "kind": "tuple",
        "items": [{"kind": "none"}],
    }


def test_seeded_tensor_is_the_decoded_random_spec() -> None:
    a, b = seeded_tensor(3, 4, seed=7), seeded_tensor(3, 4, seed=7)
    assert torch.equal(a, b) and a.dtype == torch.float64
    assert a.min() >= -1 and a.max() < 1
