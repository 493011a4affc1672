"""Plain data across the boundary: arguments into the student's kernel, results out.

Everything that crosses is JSON (ints, floats, strings, lists, dicts), never a
pickle, so a hostile result can at worst be wrong, not run code in the grader.
`call_safely` is the one place where a student's function is called, by the
student's `check()` and by the grader's probe alike.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import torch

from book.grading.records import (
    KNOWN_DTYPES,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_MESSAGE,
    MAX_REPR,
    MAX_TEXT,
    Array,
    Call,
    Items,
    Missing,
    NoneValue,
    NotCallable,
    NumpyScalar,
    Other,
    Raised,
    Scalar,
    Timeout,
    Value,
)

Spec = Any


def tensor(values: list, dtype: str = "float64") -> Spec:
    """Argument spec for a torch tensor with these values.

    >>> decode(tensor([[1, 2]], "int64"))
    tensor([[1, 2]])
    """
    return {"__tensor__": values, "dtype": dtype}


def ndarray(values: list) -> Spec:
    """Argument spec for a float64 numpy array (to test what a function accepts)."""
    return {"__ndarray__": values}


def random_tensor(*shape: int, seed: int) -> Spec:
    """Argument spec for a seeded float64 tensor in [-1, 1), the same on both sides."""
    return {"__random__": list(shape), "seed": seed}


def seeded_tensor(*shape: int, seed: int = 0) -> torch.Tensor:
    """Seeded float64 values in [-1, 1): the same on every machine and every run."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(*shape, generator=generator, dtype=torch.float64) * 2 - 1


def decode(spec: Spec) -> Any:
    """Turn an argument spec into the value passed to the student's function."""
    if isinstance(spec, list):
        return [decode(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    if "__tensor__" in spec:
        return torch.tensor(spec["__tensor__"], dtype=getattr(torch, spec["dtype"]))
    if "__ndarray__" in spec:
        return np.array(spec["__ndarray__"], dtype=np.float64)
    if "__random__" in spec:
        return seeded_tensor(*spec["__random__"], seed=spec["seed"])
    raise ValueError(f"unknown argument spec {spec!r}")


def _array(kind: Literal["tensor", "ndarray"], value: np.ndarray, dtype: str) -> Array:
    shape = tuple(int(n) for n in value.shape)
    if value.size > MAX_ELEMENTS:
        return Array(kind, dtype, shape, None)
    flat = value.astype(np.float64).ravel().tolist()
    return Array(kind, dtype, shape, tuple(flat))


def encode(value: Any, depth: int = 0) -> Value:
    """Describe a returned value as a plain record (nesting cut at MAX_DEPTH).

    >>> encode(25), encode(25.0).kind, encode(torch.zeros(2)).shape
    (Scalar(kind='int', value=25), 'float', (2,))
    """
    if isinstance(value, bool):
        return Scalar("bool", value)
    if type(value) in (int, float):
        return Scalar(type(value).__name__, value)
    if isinstance(value, str):
        return Scalar("str", value[:MAX_TEXT])
    if value is None:
        return NoneValue()
    if isinstance(value, torch.Tensor) and not value.is_complex():
        array = value.detach().cpu().numpy(force=True)
        return _array("tensor", array, str(value.dtype).removeprefix("torch."))
    if isinstance(value, np.ndarray) and value.dtype.name in KNOWN_DTYPES:
        return _array("ndarray", value, value.dtype.name)
    if isinstance(value, np.bool_ | np.integer | np.floating):
        return NumpyScalar(type(value).__name__, value.item())
    if (
        isinstance(value, list | tuple)
        and len(value) <= MAX_ELEMENTS
        and (depth < MAX_DEPTH)
    ):
        return Items(type(value).__name__, tuple(encode(v, depth + 1) for v in value))
    return Other(type(value).__name__[:100], repr(value)[:MAX_REPR])


class CallTimeout(BaseException):
    """Raised inside a student's function that ran past its time limit.

    A BaseException, so a student's `except Exception:` cannot swallow it.
    """


class _Discard:
    """A text stream that drops everything: a tested function may print a flood."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


# The wall clock only stops a call that waits (sleeps, blocks) instead of
# computing: this many times its CPU limit.
WALL_FACTOR = 10


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise CallTimeout after `seconds` of this process's CPU time.

    CPU time, not the wall clock, so a busy machine does not change the
    verdict; a call that waits instead of computing is stopped by the wall
    clock at WALL_FACTOR times the limit. Only in the main thread (signals
    are delivered there); elsewhere there is no limit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise CallTimeout

    timers = (
        (signal.SIGPROF, signal.ITIMER_PROF, seconds),
        (signal.SIGALRM, signal.ITIMER_REAL, seconds * WALL_FACTOR),
    )
    previous = [signal.signal(number, expire) for number, _, _ in timers]
    for _, timer, limit in timers:
        signal.setitimer(timer, limit)
    try:
        yield
    finally:
        for (number, timer, _), handler in zip(timers, previous, strict=True):
            signal.setitimer(timer, 0)
            signal.signal(number, handler)


def call_safely(
    namespace: Mapping[str, Any], call: Call, seconds: float = 5.0
) -> Value:
    """Make `call` on `namespace[call.target]` (or read it) and encode what happened.

    Never raises for anything the student's code does: a missing name, an
    exception, a timeout or an unencodable result all come back as data.
    """
    if call.target not in namespace:
        return Missing(call.target)
    try:
        with _time_limit(seconds), contextlib.redirect_stdout(_Discard()):
            value = namespace[call.target]
            if call.call:
                if not callable(value):
                    return NotCallable(type(value).__name__[:100])
                named = {key: decode(spec) for key, spec in call.kwargs.items()}
                value = value(*decode(list(call.args)), **named)
            return encode(value)
    except CallTimeout:
        return Timeout(seconds)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - SystemExit too: it is data here
        return Raised(type(error).__name__[:100], str(error)[:MAX_MESSAGE])


def _array_words(value: Array) -> str:
    name = "torch.Tensor" if value.kind == "tensor" else "numpy.ndarray"
    return f"a {name} of shape {value.shape}"


def _name(text: str) -> str:
    """A type name the student chose, shown as is only if it is a plain name."""
    return text if text.isidentifier() and text.isascii() else repr(text[:100])


# Every string the student's code controls is quoted (repr: one line, escapes
# shown) or checked to be a plain name, and is already cut by its record.
_WORDS = {
    Scalar: lambda v: f"the {v.kind} {v.value!r}",
    NoneValue: lambda v: "None (did you forget to return?)",
    NumpyScalar: lambda v: f"the numpy {_name(v.type)} {v.value!r}",
    Array: _array_words,
    Items: lambda v: f"a {v.kind} of {len(v.items)} items",
    Raised: lambda v: f"an exception, {_name(v.type)}: {v.message!r}",
    Missing: lambda v: f"nothing: `{v.name}` is not defined (run its cell)",
    NotCallable: lambda v: f"a {_name(v.type)}, which is not a function",
    Timeout: lambda v: f"no answer within {v.seconds:g} CPU s (stopped)",
    Other: lambda v: f"a {_name(v.type)} ({v.repr!r})",
}


def describe(value: Value) -> str:
    """A learner-readable description of an encoded value.

    >>> describe(Scalar("float", 25.0))
    'the float 25.0'
    """
    return _WORDS[type(value)](value)
