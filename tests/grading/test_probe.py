"""The probe: framed lines, CPU-time limits, and a tripwire on forbidden torch calls."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

from book.grading import probe
from book.grading.records import Call, Scalar, Timeout, encode_calls, value_from_json
from book.grading.runner import cpu_seconds, probe_source, read_probe
from book.grading.wire import call_safely

NONCE = "n0nce"


def printed(
    namespace: dict,
    calls: list[Call],
    monkeypatch: pytest.MonkeyPatch,
    seconds: float = 1.0,
) -> list[dict]:
    out = io.StringIO()
    monkeypatch.setattr(probe, "STDOUT", out)
    payload = encode_calls(calls)
    probe.run(namespace, payload, NONCE, seconds)
    lines = out.getvalue().splitlines()
    assert all(line.startswith(NONCE + " ") for line in lines)
    return [json.loads(line.split(" ", 1)[1]) for line in lines]


def test_each_call_gives_one_framed_line(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = printed({"f": lambda x: x + 1}, [Call("f", (1,)), Call("g")], monkeypatch)
    assert [line["index"] for line in lines] == [0, 1]
    assert value_from_json(lines[0]["result"]) == Scalar("int", 2)
    assert lines[1]["result"]["kind"] == "missing"


def test_the_tripwire_names_the_forbidden_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def hidden_conv(x, k):
        return getattr(torch, "conv" + "2d")(x[None, None], k[None, None])[0, 0]

    def patches(x, k):
        return x.unfold(0, 2, 1).unfold(1, 2, 1).sum()

    def honest(x, k):
        return (x[:2, :2] * k).sum()

    spec = {"__random__": [3, 3], "seed": 0}
    kernel = {"__random__": [2, 2], "seed": 1}
    calls = [
        Call(name, (spec, kernel), forbidden=("conv2d", "unfold"))
        for name in ("hidden_conv", "patches", "honest")
    ]
    lines = printed(
        {"hidden_conv": hidden_conv, "patches": patches, "honest": honest},
        calls,
        monkeypatch,
    )
    assert "conv2d" in lines[0]["tripped"]
    assert "unfold" in lines[1]["tripped"]
    assert lines[2]["tripped"] is None


def test_the_tripwire_sees_functional_unfold() -> None:
    tripwire = probe.Tripwire(frozenset({"unfold"}))
    with tripwire:
        F.unfold(torch.zeros(1, 1, 3, 3), 2)
    assert tripwire.tripped and "unfold" in tripwire.tripped


def test_a_hung_function_is_stopped_by_cpu_time_and_not_called_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls_made = []

    def spin() -> None:
        calls_made.append(1)
        while True:
            pass

    lines = printed(
        {"spin": spin}, [Call("spin"), Call("spin")], monkeypatch, seconds=0.3
    )
    assert [line["result"]["kind"] for line in lines] == ["timeout", "timeout"]
    assert len(calls_made) == 1


def test_a_sleeping_function_is_stopped_by_the_wall_clock_backstop() -> None:
    import time

    start = time.monotonic()
    value = call_safely({"f": lambda: time.sleep(30)}, Call("f"), seconds=0.1)
    assert isinstance(value, Timeout)
    assert time.monotonic() - start < 10


def test_the_probe_source_carries_only_base64_and_the_nonce() -> None:
    source = probe_source([Call("f", ("quote ' and \n newline",))], NONCE, 1)
    assert "\nnewline" not in source.split("\n", 1)[1]
    assert NONCE in source and len(source.splitlines()) == 2


def test_the_runner_keeps_only_lines_with_the_nonce_once_each() -> None:
    good = {"index": 0, "result": {"kind": "int", "value": 3}, "tripped": None}
    forged = {"index": 0, "result": {"kind": "int", "value": 99}}
    outputs = [
        {
            "output_type": "stream",
            "text": "\n".join(
                [
                    json.dumps(forged),
                    f"other {json.dumps(forged)}",
                    f"{NONCE} {json.dumps(good)}",
                    f"{NONCE} {json.dumps(forged)}",  # a second answer
                    f"{NONCE} {{not json",
                    f"{NONCE} "
                    + json.dumps(
                        {
                            "index": 1,
                            "result": {
                                "kind": "tensor",
                                "dtype": "float64",
                                "shape": [3],
                                "data": [],
                            },
                        }
                    ),
                    f"{NONCE} " + json.dumps({"index": 7, "result": {"kind": "none"}}),
                ]
            ),
        }
    ]

    class Output(dict):
        output_type = "stream"

    results, tripped = read_probe([Output(o) for o in outputs], NONCE, 2)
    assert results == [Scalar("int", 3), None] and tripped == {}


def test_cpu_seconds_of_a_process() -> None:
    assert cpu_seconds(os.getpid()) > 0
    assert cpu_seconds(2**22 + 12345) == 0.0


def test_the_runner_starts_without_torch_or_the_iri_grammar() -> None:
    # Both cost every submission a second before its kernel even starts. The
    # runner, started as the grader starts it, imports everything before it
    # opens its channel (here none, so it stops there).
    started = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "book.grading.runner", "3"],
        input="",
        capture_output=True,
        text=True,
        check=False,
    )
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in started.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "nbclient" in imported  # the imports ran
    assert "torch" not in imported
    # The blocked module is looked up (and refused); its grammar is never loaded.
    assert not any(name.startswith("rfc3987_syntax.") for name in imported)
