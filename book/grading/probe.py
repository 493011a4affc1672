"""The grader's calls, made in the student's kernel once every cell has run.

The runner executes one probe cell, `run(globals(), CALLS, NONCE, SECONDS)`
(`book.grading.runner.probe_source`), made after the student's cells finished,
with a nonce no earlier code could know; CALLS is `records.encode_calls`.
Each call runs under a CPU-time limit and a tripwire that records the
forbidden torch operations it reaches; each result is printed as one line,
`NONCE JSON`. The runner keeps only lines that carry the nonce and decodes
them with `book.grading.records`, which refuses anything malformed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from book.grading.records import Call, Timeout, Value, decode_calls, to_json
from book.grading.wire import call_safely

# The kernel's own output stream, kept when the runner's warm-up cell imports
# this module, before any student code could replace sys.stdout.
STDOUT = sys.stdout


class Tripwire(TorchFunctionMode):
    """Notes the first torch function named in `forbidden` that a call reaches."""

    def __init__(self, forbidden: frozenset[str]) -> None:
        super().__init__()
        self.forbidden = forbidden
        self.tripped: str | None = None

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        name = getattr(func, "__name__", "")
        if self.tripped is None and name in self.forbidden:
            self.tripped = f"called torch's {name} while graded"
        return func(*args, **(kwargs or {}))


def _one(
    namespace: Mapping[str, Any], call: Call, seconds: float
) -> tuple[Value, str | None]:
    tripwire = Tripwire(frozenset(call.forbidden))
    with torch.no_grad(), tripwire:
        value = call_safely(namespace, call, seconds)
    return value, tripwire.tripped


def run(namespace: Mapping[str, Any], payload: str, nonce: str, seconds: float) -> None:
    """Make every call and print one framed line each.

    A function that ran out of time once is not called again: its other tests
    fail at once instead of each costing the time limit.
    """
    calls = decode_calls(payload)
    hung: set[str] = set()
    for index, call in enumerate(calls):
        tripped = None
        if call.target in hung:
            value: Value = Timeout(seconds)
        else:
            value, tripped = _one(namespace, call, seconds)
        if isinstance(value, Timeout):
            hung.add(call.target)
        line = {"index": index, "result": to_json(value), "tripped": tripped}
        print(nonce, json.dumps(line), file=STDOUT, flush=True)
