"""The grader's data as typed records, and the one place they become JSON and back.

Three kinds of data cross a trust boundary: a call the grader asks for
(`Call`), what the student's function gave (a `Value`: `Scalar`, `Array`,
`Raised`, ...), and what the sandboxed run reported (`ProbeReport`). The
grader's verdict per test (`TestOutcome`) and per submission
(`SubmissionResult`) are records too, so every module names the same fields.

`to_json` turns any record into plain JSON data; `value_from_json`,
`report_from_json` and `result_from_json` read it back (`encode_calls` and
`decode_calls` frame a list of calls as one base64 word). Decoding never trusts
its input: every field is checked for its type and its bounds, and anything
else raises `RecordError` naming the field and the rule.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, ClassVar, Literal

# Bounds on what a submission can make the grader hold or print.
MAX_ELEMENTS = 10_000
MAX_DEPTH = 8
MAX_DIMS = 8
MAX_TEXT = 1000
MAX_MESSAGE = 500
MAX_REPR = 200

# dtypes a tensor or array may name (torch's and numpy's spellings).
KNOWN_DTYPES = frozenset(
    {
        "bool",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "int8",
        "int16",
        "int32",
        "int64",
        "float16",
        "bfloat16",
        "float32",
        "float64",
    }
)
STATUSES = ("graded", "timeout", "crashed", "invalid")
Status = Literal["graded", "timeout", "crashed", "invalid"]
Spec = Any  # an argument spec of `book.grading.wire` (grader-authored JSON)


class RecordError(ValueError):
    """Data that does not match its record: which field, and which rule it broke."""


@dataclass(frozen=True)
class Call:
    """One call the grader asks for: `target(*args, **kwargs)`, or read `target`."""

    target: str
    args: tuple[Spec, ...] = ()
    kwargs: Mapping[str, Spec] = field(default_factory=dict)
    call: bool = True
    # Torch functions the call may not reach (see `book.grading.policy`).
    forbidden: tuple[str, ...] = ()


# --- What a tested function gave ---------------------------------------------


@dataclass(frozen=True)
class Scalar:
    """A Python int, float, bool or str (strings cut to MAX_TEXT characters)."""

    kind: Literal["int", "float", "bool", "str"]
    value: int | float | bool | str


@dataclass(frozen=True)
class NoneValue:
    """The function returned None."""

    kind: ClassVar[str] = "none"


@dataclass(frozen=True)
class NumpyScalar:
    """A numpy scalar such as numpy.int64(5): named apart, it is a common slip."""

    kind: ClassVar[str] = "numpy scalar"
    type: str
    value: int | float | bool


@dataclass(frozen=True)
class Array:
    """A tensor or ndarray: dtype, shape and, up to MAX_ELEMENTS, its flat data."""

    kind: Literal["tensor", "ndarray"]
    dtype: str
    shape: tuple[int, ...]
    data: tuple[float, ...] | None

    @property
    def size(self) -> int:
        """Number of elements the shape promises."""
        return math.prod(self.shape)


@dataclass(frozen=True)
class Items:
    """A list or tuple of values."""

    kind: Literal["list", "tuple"]
    items: tuple[Value, ...]


@dataclass(frozen=True)
class Raised:
    """The call raised: the exception's class name and (cut) message."""

    kind: ClassVar[str] = "raised"
    type: str
    message: str


@dataclass(frozen=True)
class Missing:
    """The notebook does not define the name."""

    kind: ClassVar[str] = "missing"
    name: str


@dataclass(frozen=True)
class NotCallable:
    """The name is defined but is not a function."""

    kind: ClassVar[str] = "not callable"
    type: str


@dataclass(frozen=True)
class Timeout:
    """The call ran past its time limit and was stopped."""

    kind: ClassVar[str] = "timeout"
    seconds: float


@dataclass(frozen=True)
class Other:
    """Anything else, described by its type and a cut repr."""

    kind: ClassVar[str] = "other"
    type: str
    repr: str


Value = (
    Scalar
    | NoneValue
    | NumpyScalar
    | Array
    | Items
    | Raised
    | Missing
    | NotCallable
    | Timeout
    | Other
)


# --- What the sandboxed run and the grader report ---------------------------


@dataclass(frozen=True)
class ProbeReport:
    """What one sandboxed run reported: each code cell's error, each call's value."""

    cells: tuple[str | None, ...]
    crashed: bool
    timed_out: bool
    # One per requested call, in order; None where the call never ran.
    results: tuple[Value | None, ...]
    # Which tested functions reached a forbidden operation while called.
    delegations: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TestOutcome:
    """One test's verdict for one submission."""

    __test__: ClassVar[bool] = False  # a record, not a pytest test class

    name: str
    public: bool
    points: int
    earned: int
    passed: bool
    problem: str | None
    hint: str
    # Why the test earned nothing although the value may be right (delegation).
    reason: str = ""


@dataclass(frozen=True)
class SubmissionResult:
    """The grader's verdict on one submission."""

    submission: str
    exercise: str
    status: Status
    score: int
    max_score: int
    reason: str
    tests: tuple[TestOutcome, ...]
    answers: Mapping[str, str]
    cells: tuple[str | None, ...]
    sandbox: str = "none"
    # CPU seconds the submission's processes used (None where not measured).
    cpu_seconds: float | None = None
    # How they were counted: "cgroup" (every process) or "rusage" (the tree).
    accounting: str = ""


# --- Encoding ----------------------------------------------------------------


def to_json(record: Any) -> Any:
    """Plain JSON data for a record (or a tuple, mapping or scalar holding records)."""
    if is_dataclass(record) and not isinstance(record, type):
        data = {f.name: to_json(getattr(record, f.name)) for f in fields(record)}
        if hasattr(type(record), "kind") and "kind" not in data:
            data = {"kind": record.kind, **data}
        return data
    if isinstance(record, tuple | list):
        return [to_json(item) for item in record]
    if isinstance(record, Mapping):
        return {str(key): to_json(item) for key, item in record.items()}
    return record


# --- Decoding: every field checked ------------------------------------------


def _fail(where: str, rule: str, got: Any) -> RecordError:
    return RecordError(f"{where}: {rule}, got {type(got).__name__}")


def _text(where: str, got: Any, limit: int = MAX_TEXT) -> str:
    if not isinstance(got, str):
        raise _fail(where, "must be a string", got)
    if len(got) > limit:
        raise RecordError(f"{where}: at most {limit} characters, got {len(got)}")
    return got


def _optional_text(where: str, got: Any, limit: int = MAX_TEXT) -> str | None:
    return None if got is None else _text(where, got, limit)


def _integer(where: str, got: Any, low: int | None = None) -> int:
    if type(got) is not int:
        raise _fail(where, "must be an int", got)
    if low is not None and got < low:
        raise RecordError(f"{where}: must be at least {low}, got {got}")
    return got


def _number(where: str, got: Any) -> float:
    if type(got) not in (int, float):
        raise _fail(where, "must be a number", got)
    return float(got)


def _flag(where: str, got: Any) -> bool:
    if type(got) is not bool:
        raise _fail(where, "must be true or false", got)
    return got


def _mapping(where: str, got: Any) -> Mapping[str, Any]:
    if not isinstance(got, dict):
        raise _fail(where, "must be an object", got)
    return got


def _sequence(where: str, got: Any, limit: int = MAX_ELEMENTS) -> list[Any]:
    if not isinstance(got, list):
        raise _fail(where, "must be a list", got)
    if len(got) > limit:
        raise RecordError(f"{where}: at most {limit} items, got {len(got)}")
    return got


def _field(data: Mapping[str, Any], where: str, name: str) -> Any:
    if name not in data:
        raise RecordError(f"{where}: the field {name!r} is missing")
    return data[name]


def _scalar(data: Mapping[str, Any], where: str) -> Scalar:
    kind, value = data["kind"], _field(data, where, "value")
    checks: dict[str, Callable[[str, Any], Any]] = {
        "int": _integer,
        "float": _number,
        "bool": _flag,
        "str": _text,
    }
    return Scalar(kind, checks[kind](f"{where}.value", value))


def _array(data: Mapping[str, Any], where: str) -> Array:
    dtype = _text(f"{where}.dtype", _field(data, where, "dtype"), 20)
    if dtype not in KNOWN_DTYPES:
        raise RecordError(f"{where}.dtype: {dtype!r} is not a known dtype")
    shape = tuple(
        _integer(f"{where}.shape", n, 0)
        for n in _sequence(f"{where}.shape", _field(data, where, "shape"), MAX_DIMS)
    )
    raw = _field(data, where, "data")
    if raw is None:
        if math.prod(shape) <= MAX_ELEMENTS:
            raise RecordError(f"{where}.data: missing for {math.prod(shape)} elements")
        return Array(data["kind"], dtype, shape, None)
    values = tuple(_number(f"{where}.data", v) for v in _sequence(f"{where}.data", raw))
    # The shape must match the data: a shape over empty data would broadcast.
    if len(values) != math.prod(shape):
        raise RecordError(
            f"{where}: shape {shape} needs {math.prod(shape)} values, got {len(values)}"
        )
    return Array(data["kind"], dtype, shape, values)


def _numpy_scalar(data: Mapping[str, Any], where: str) -> NumpyScalar:
    value = _field(data, where, "value")
    if type(value) not in (int, float, bool):
        raise _fail(f"{where}.value", "must be a number or a bool", value)
    return NumpyScalar(_text(f"{where}.type", _field(data, where, "type"), 40), value)


def _items(data: Mapping[str, Any], where: str, depth: int) -> Items:
    raw = _sequence(f"{where}.items", _field(data, where, "items"))
    return Items(
        data["kind"],
        tuple(
            _value(item, f"{where}.items[{i}]", depth + 1) for i, item in enumerate(raw)
        ),
    )


def _simple(
    cls: type, names: dict[str, Callable[[str, Any], Any]]
) -> Callable[[Mapping[str, Any], str], Any]:
    def read(data: Mapping[str, Any], where: str) -> Any:
        return cls(
            **{
                name: check(f"{where}.{name}", _field(data, where, name))
                for name, check in names.items()
            }
        )

    return read


def _short(limit: int) -> Callable[[str, Any], str]:
    return lambda where, got: _text(where, got, limit)


_READERS: dict[str, Callable[[Mapping[str, Any], str], Any]] = {
    "int": _scalar,
    "float": _scalar,
    "bool": _scalar,
    "str": _scalar,
    "none": lambda data, where: NoneValue(),
    "numpy scalar": _numpy_scalar,
    "tensor": _array,
    "ndarray": _array,
    "raised": _simple(Raised, {"type": _short(100), "message": _short(MAX_MESSAGE)}),
    "missing": _simple(Missing, {"name": _short(100)}),
    "not callable": _simple(NotCallable, {"type": _short(100)}),
    "timeout": _simple(Timeout, {"seconds": _number}),
    "other": _simple(Other, {"type": _short(100), "repr": _short(MAX_REPR)}),
}


def _value(data: Any, where: str, depth: int) -> Value:
    if depth > MAX_DEPTH:
        raise RecordError(f"{where}: nested deeper than {MAX_DEPTH} levels")
    data = _mapping(where, data)
    kind = _field(data, where, "kind")
    if kind in ("list", "tuple"):
        return _items(data, where, depth)
    if not isinstance(kind, str) or kind not in _READERS:
        raise RecordError(f"{where}.kind: {str(kind)[:40]!r} is not a known kind")
    return _READERS[kind](data, where)


def value_from_json(data: Any, where: str = "value") -> Value:
    """Read a `Value` back from JSON data, checking every field.

    >>> value_from_json({"kind": "int", "value": 5})
    Scalar(kind='int', value=5)
    """
    return _value(data, where, 0)


def call_from_json(data: Any, where: str = "call") -> Call:
    """Read a `Call` back from JSON data, checking every field."""
    data = _mapping(where, data)
    return Call(
        target=_text(f"{where}.target", _field(data, where, "target"), 100),
        args=tuple(_sequence(f"{where}.args", _field(data, where, "args"))),
        kwargs=dict(_mapping(f"{where}.kwargs", _field(data, where, "kwargs"))),
        call=_flag(f"{where}.call", _field(data, where, "call")),
        forbidden=tuple(
            _text(f"{where}.forbidden", name, 100)
            for name in _sequence(f"{where}.forbidden", data.get("forbidden", []))
        ),
    )


def encode_calls(calls: list[Call]) -> str:
    """The calls as one base64 word, for the probe cell (no quoting to get wrong)."""
    return base64.b64encode(json.dumps(to_json(calls)).encode()).decode()


def decode_calls(payload: str) -> list[Call]:
    """The calls of `encode_calls`, each checked by `call_from_json`."""
    data = json.loads(base64.b64decode(payload))
    return [call_from_json(c, f"call {i}") for i, c in enumerate(data)]


def report_from_json(data: Any, calls: int) -> ProbeReport:
    """Read a `ProbeReport` for `calls` requested calls, checking every field."""
    where = "report"
    data = _mapping(where, data)
    results = _sequence(f"{where}.results", _field(data, where, "results"))
    if len(results) != calls:
        raise RecordError(f"{where}.results: {calls} expected, got {len(results)}")
    delegations = _mapping(f"{where}.delegations", data.get("delegations", {}))
    return ProbeReport(
        cells=tuple(
            _optional_text(f"{where}.cells", c, 100)
            for c in _sequence(f"{where}.cells", _field(data, where, "cells"))
        ),
        crashed=_flag(f"{where}.crashed", _field(data, where, "crashed")),
        timed_out=_flag(f"{where}.timed_out", _field(data, where, "timed_out")),
        results=tuple(
            None if r is None else value_from_json(r, f"{where}.results[{i}]")
            for i, r in enumerate(results)
        ),
        delegations={
            _index(key, calls): _text(f"{where}.delegations", text, 200)
            for key, text in delegations.items()
        },
    )


def _index(key: str, calls: int) -> int:
    if not (key.isdigit() and int(key) < calls):
        raise RecordError(f"report.delegations: {key[:20]!r} is not a call index")
    return int(key)


def outcome_from_json(data: Any, where: str = "test") -> TestOutcome:
    """Read a `TestOutcome` back from JSON data, checking every field."""
    data = _mapping(where, data)
    return TestOutcome(
        name=_text(f"{where}.name", _field(data, where, "name")),
        public=_flag(f"{where}.public", _field(data, where, "public")),
        points=_integer(f"{where}.points", _field(data, where, "points"), 0),
        earned=_integer(f"{where}.earned", _field(data, where, "earned"), 0),
        passed=_flag(f"{where}.passed", _field(data, where, "passed")),
        problem=_optional_text(
            f"{where}.problem", _field(data, where, "problem"), 4 * MAX_TEXT
        ),
        hint=_text(f"{where}.hint", _field(data, where, "hint")),
        reason=_text(f"{where}.reason", data.get("reason", "")),
    )


def result_from_json(data: Any) -> SubmissionResult:
    """Read a `SubmissionResult` back (for example from a report file)."""
    where = "result"
    data = _mapping(where, data)
    status = _field(data, where, "status")
    if status not in STATUSES:
        raise RecordError(f"{where}.status: must be one of {STATUSES}")
    cpu = data.get("cpu_seconds")
    answers = _mapping(f"{where}.answers", _field(data, where, "answers"))
    return SubmissionResult(
        submission=_text(
            f"{where}.submission", _field(data, where, "submission"), 4096
        ),
        exercise=_text(f"{where}.exercise", _field(data, where, "exercise"), 100),
        status=status,
        score=_integer(f"{where}.score", _field(data, where, "score"), 0),
        max_score=_integer(f"{where}.max_score", _field(data, where, "max_score"), 0),
        reason=_text(f"{where}.reason", _field(data, where, "reason"), 4 * MAX_TEXT),
        tests=tuple(
            outcome_from_json(t, f"{where}.tests[{i}]")
            for i, t in enumerate(
                _sequence(f"{where}.tests", _field(data, where, "tests"))
            )
        ),
        answers={
            _text(f"{where}.answers", k, 100): _text(f"{where}.answers", v, 10**6)
            for k, v in answers.items()
        },
        cells=tuple(
            _optional_text(f"{where}.cells", c, 100)
            for c in _sequence(f"{where}.cells", _field(data, where, "cells"))
        ),
        sandbox=_text(f"{where}.sandbox", data.get("sandbox", "none"), 40),
        cpu_seconds=None if cpu is None else _number(f"{where}.cpu_seconds", cpu),
        accounting=_text(f"{where}.accounting", data.get("accounting", ""), 20),
    )
