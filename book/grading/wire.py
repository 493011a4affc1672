"""Plain data across the boundary: arguments into the student's kernel, results out.

Everything that crosses is JSON (ints, floats, strings, lists, dicts), never a
pickle, so a hostile result can at worst be wrong, not run code in the grader.
`call_safely` is the one place where a student's function is called, by the
student's `check()` and by the grader's probe alike.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

# Results larger than this are described by type and shape only.
MAX_ELEMENTS = 10_000
Spec = Any
Encoded = dict[str, Any]


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
        generator = torch.Generator().manual_seed(spec["seed"])
        shape = spec["__random__"]
        return torch.rand(*shape, generator=generator, dtype=torch.float64) * 2 - 1
    raise ValueError(f"unknown argument spec {spec!r}")


def _array(kind: str, value: Any) -> Encoded:
    shape = list(value.shape)
    values = value.tolist() if value.size <= MAX_ELEMENTS else None
    return {"kind": kind, "dtype": str(value.dtype), "shape": shape, "values": values}


def encode(value: Any) -> Encoded:
    """Describe a returned value as plain JSON data.

    >>> encode(25), encode(25.0)["kind"], encode(torch.zeros(2))["shape"]
    ({'kind': 'int', 'value': 25}, 'float', [2])
    """
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if type(value) is int:
        return {"kind": "int", "value": value}
    if type(value) is float:
        return {"kind": "float", "value": value}
    if isinstance(value, str):
        return {"kind": "str", "value": value[:1000]}
    if value is None:
        return {"kind": "none"}
    if isinstance(value, torch.Tensor):
        encoded = _array("tensor", value.detach().cpu().numpy(force=True))
        return {**encoded, "dtype": str(value.dtype).removeprefix("torch.")}
    if isinstance(value, np.ndarray):
        return _array("ndarray", value)
    if isinstance(value, np.generic):
        return {"kind": "numpy scalar", "type": type(value).__name__,
                "value": value.item()}
    if isinstance(value, list | tuple) and len(value) <= MAX_ELEMENTS:
        return {"kind": type(value).__name__, "items": [encode(v) for v in value]}
    return {"kind": "other", "type": type(value).__name__, "repr": repr(value)[:200]}


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


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise CallTimeout after `seconds` (in the main thread; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise CallTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call_safely(
    namespace: Mapping[str, Any],
    target: str,
    args: list[Spec],
    kwargs: dict[str, Spec],
    call: bool = True,
    seconds: float = 5.0,
) -> Encoded:
    """Call `namespace[target](*args, **kwargs)` (or read it) and encode what happened.

    Never raises for anything the student's code does: a missing name, an
    exception, a timeout or an unencodable result all come back as data.
    """
    if target not in namespace:
        return {"kind": "missing", "name": target}
    try:
        with _time_limit(seconds), contextlib.redirect_stdout(_Discard()):
            value = namespace[target]
            if call:
                if not callable(value):
                    return {"kind": "not callable", "type": type(value).__name__}
                named = {key: decode(spec) for key, spec in kwargs.items()}
                value = value(*decode(args), **named)
            return json.loads(json.dumps(encode(value)))
    except CallTimeout:
        return {"kind": "timeout", "seconds": seconds}
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - SystemExit too: it is data here
        return {"kind": "raised", "type": type(error).__name__,
                "message": str(error)[:500]}


def probe(
    namespace: Mapping[str, Any], calls: list[dict], marker: str, seconds: float
) -> None:
    """Run the grader's calls in the student's kernel and print one JSON line each.

    A function that ran out of time once is not called again: its other tests
    fail at once instead of each costing the time limit.
    """
    hung: set[str] = set()
    for index, request in enumerate(calls):
        if request["target"] in hung:
            result = {"kind": "timeout", "seconds": seconds}
        else:
            result = call_safely(
                namespace, request["target"], request["args"], request["kwargs"],
                request["call"], seconds,
            )
        if result["kind"] == "timeout":
            hung.add(request["target"])
        print(marker, json.dumps({"index": index, "result": result}), flush=True)


def describe(result: Encoded) -> str:
    """A learner-readable description of an encoded result.

    >>> describe({"kind": "float", "value": 25.0})
    'the float 25.0'
    """
    kind = result["kind"]
    if kind in ("int", "float", "bool", "str"):
        return f"the {kind} {result['value']!r}"
    if kind in ("tensor", "ndarray"):
        name = "torch.Tensor" if kind == "tensor" else "numpy.ndarray"
        return f"a {name} of shape {tuple(result['shape'])}"
    texts: dict[str, Callable[[Encoded], str]] = {
        "none": lambda r: "None (did you forget to return?)",
        "missing": lambda r: f"nothing: `{r['name']}` is not defined (run its cell)",
        "not callable": lambda r: f"a {r['type']}, which is not a function",
        "timeout": lambda r: f"no answer within {r['seconds']:g} s (stopped)",
        "raised": lambda r: f"an exception, {r['type']}: {r['message']}",
        "numpy scalar": lambda r: f"the numpy {r['type']} {r['value']!r}",
        "list": lambda r: f"a list of {len(r['items'])} items",
        "tuple": lambda r: f"a tuple of {len(r['items'])} items",
    }
    if kind in texts:
        return texts[kind](result)
    return f"a {result.get('type', kind)} ({result.get('repr', '')})"
