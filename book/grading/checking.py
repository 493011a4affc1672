"""The student's `check()`: public tests on the notebook's functions, never raising.

Three things a student's notebook could otherwise do to it:
- patch PyTorch so that a reference computed in the kernel agrees with a wrong
  function: the expected values are data, `public_expected.json`, written by
  the authoring tool, so nothing is computed with the kernel's libraries;
- raise `KeyboardInterrupt` (or `SystemExit`) from a tested function, or catch
  `BaseException` to survive a time limit: each call runs in a forked child
  process, which reports its result through a pipe and is killed at the limit;
- print without end: the child's output goes to /dev/null.
"""

from __future__ import annotations

import inspect
import json
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

from book.grading.answers import expected_answers
from book.grading.exercises import EXERCISES
from book.grading.feedback import detail_lines, result_line, slip_lines
from book.grading.records import (
    Missing,
    NotCallable,
    Other,
    Raised,
    RecordError,
    Timeout,
    Value,
    to_json,
    value_from_json,
)
from book.grading.spec import Exercise, Test

# Per call; generous, since a busy laptop is slow and a wrong verdict is worse.
CALL_SECONDS = 10.0
# A result larger than this is refused: the judge needs at most a small tensor.
MAX_RESULT_BYTES = 4_000_000


def _call(namespace: Mapping[str, Any], test: Test) -> Value:
    """Call the tested function in this process and encode what happened."""
    from book.grading.wire import decode, encode

    try:
        value = namespace[test.target]
        if test.call:
            if not callable(value):
                return NotCallable(type(value).__name__[:100])
            kwargs = {key: decode(spec) for key, spec in test.kwargs.items()}
            value = value(*decode(list(test.args)), **kwargs)
        return encode(value)
    except BaseException as error:  # noqa: BLE001 - KeyboardInterrupt is data here
        return Raised(type(error).__name__[:100], str(error)[:500])


def _child(write_end: int, namespace: Mapping[str, Any], test: Test) -> None:
    """In the forked child: call, write the JSON result, exit without cleanup."""
    try:
        os.setpgid(0, 0)  # its own group: the parent kills what it starts too
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
        import torch

        torch.set_num_threads(1)  # a forked child must not reuse the parent's pool
        payload = json.dumps(to_json(_call(namespace, test))).encode()
        while payload:
            payload = payload[os.write(write_end, payload) :]
    finally:
        os._exit(0)


def _collect(pid: int, read_end: int, seconds: float) -> Value:
    """Read the child's result, killing its group at the time limit."""
    deadline, chunks, size = time.monotonic() + seconds, [], 0
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            if not select.select([read_end], [], [], remaining)[0]:
                continue
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_RESULT_BYTES:
                return Other("result", "too large to send back")
        else:
            return Timeout(seconds)
    finally:
        os.close(read_end)
        for kill in (
            lambda: os.killpg(pid, signal.SIGKILL),
            lambda: os.kill(pid, signal.SIGKILL),
        ):
            try:
                kill()
            except OSError:
                pass
        os.waitpid(pid, 0)
    if not chunks:
        return Other("process", "the function ended the process before returning")
    try:
        # Read back with every field checked: the child ran the student's code.
        return value_from_json(json.loads(b"".join(chunks)))
    except (ValueError, RecordError):
        return Other("result", "could not be read back")


def _call_in_thread(namespace: Mapping[str, Any], test: Test, seconds: float) -> Value:
    # Where fork is missing (Windows), a daemon thread: check() returns at the
    # limit, though the runaway call keeps its thread.
    box: list[Value] = []
    worker = threading.Thread(
        target=lambda: box.append(_call(namespace, test)), daemon=True
    )
    worker.start()
    worker.join(seconds)
    return box[0] if box else Timeout(seconds)


def call_isolated(
    namespace: Mapping[str, Any], test: Test, seconds: float = CALL_SECONDS
) -> Value:
    """The test's call, run in a child process with a hard time limit, as data."""
    if test.target not in namespace:
        return Missing(test.target)
    if not hasattr(os, "fork"):
        return _call_in_thread(namespace, test, seconds)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(write_end, namespace, test)
    os.close(write_end)
    return _collect(pid, read_end, seconds)


def _judged(
    exercise: Exercise, namespace: Mapping[str, Any], answers: dict, seconds: float
) -> list[tuple[Test, str | None, str | None]]:
    """(test, problem, slip) for each public test; a hung function is not re-run."""
    judged, hung = [], set()
    for test, answer in zip(exercise.public, answers["public"], strict=True):
        if test.target in hung:
            result: Value = Timeout(seconds)
        else:
            result = call_isolated(namespace, test, seconds)
        if isinstance(result, Timeout):
            hung.add(test.target)
        expected = value_from_json(answer["expected"], "expected")
        judged.append((test, test.judge(result, expected), test.slip(result, expected)))
    return judged


def _score_lines(exercise: Exercise, score: int, answers: dict) -> list[str]:
    hidden, written = answers["hidden_points"], exercise.manual_points
    lines = [
        f"Provisional score: {score}/{exercise.public_points} points on the "
        f"public tests.",
        f"Still to come from your teacher's grader: {answers['hidden_tests']} "
        f"hidden tests worth {hidden} points"
        + (
            f", and {written} points for your {len(exercise.questions)} written "
            "answer(s), graded by hand"
            if written
            else ""
        )
        + f". The maximum is {exercise.public_points + hidden + written} points.",
    ]
    return lines


def report(
    exercise: Exercise, namespace: Mapping[str, Any], seconds: float = CALL_SECONDS
) -> str:
    """The public tests' report for the names defined in `namespace`."""
    answers = expected_answers()[exercise.id]
    if [a["name"] for a in answers["public"]] != [t.name for t in exercise.public]:
        return (
            f"The expected answers of {exercise.id} are out of date: "
            "run `make exercises`."
        )
    lines = [f"{exercise.title} ({exercise.id}): public tests"]
    score, slips = 0, []
    for test, problem, slip in _judged(exercise, namespace, answers, seconds):
        earned = 0 if problem else test.points
        score += earned
        lines.append(result_line(problem is None, earned, test.points, test.name))
        # The slip's note replaces the per-test hint, once for the function.
        lines += detail_lines(problem, "" if slip else test.hint)
        if slip:
            slips.append((test.target, slip))
    return "\n".join(lines + slip_lines(slips) + _score_lines(exercise, score, answers))


def check(exercise_id: str) -> None:
    """Run an exercise's public tests on this notebook's functions and print a report.

    It never raises: whatever the notebook holds, the report says what passed.
    """
    try:
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        namespace = caller.f_globals if caller is not None else {}
        if exercise_id not in EXERCISES:
            known = ", ".join(sorted(EXERCISES))
            print(f"There is no exercise {exercise_id!r}; the exercises are {known}.")
            return
        print(report(EXERCISES[exercise_id], namespace))
    except KeyboardInterrupt:
        print("check() was interrupted before it finished.")
    except Exception as error:  # noqa: BLE001 - check() must never raise
        print(f"check() could not finish ({type(error).__name__}: {error}).")
