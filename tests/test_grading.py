"""The grading package: plain-data results, judging, check(), the generator, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from book.grading import check
from book.grading import generate as gen
from book.grading.checking import report
from book.grading.exercises import EXERCISES
from book.grading.grader import all_tests, max_points
from book.grading.records import Call, Raised, Scalar
from book.grading.spec import Test, mismatch
from book.grading.wire import call_safely, encode

ROOT = Path(__file__).resolve().parents[1]
EX4 = EXERCISES["ex4_conv_arithmetic"]


def test_exercise_ids_are_the_solution_notebooks() -> None:
    stems = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))
    assert sorted(EXERCISES) == stems
    assert len(stems) == 5


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_every_exercise_has_public_and_hidden_tests(exercise_id: str) -> None:
    exercise = EXERCISES[exercise_id]
    hidden = all_tests(exercise)[len(exercise.public) :]
    assert exercise.public and hidden
    assert max_points(exercise) == sum(t.points for t in exercise.public + hidden)
    # Every test's reference runs: a broken reference would fail every student.
    for test in exercise.public + hidden:
        assert test.expected().kind != "other", test.name
    assert any(t.raises for t in hidden), "no hidden test of a refused input"


@pytest.mark.parametrize(
    ("value", "kind"),
    [(5, "int"), (5.0, "float"), (True, "bool"), (None, "none"),
     (torch.zeros(2, 3), "tensor"), (np.zeros((2, 3)), "ndarray"),
     (np.int64(5), "numpy scalar"), ((1, 2), "tuple"), (object(), "other")],
)
def test_encode_gives_plain_data(value: object, kind: str) -> None:
    assert encode(value).kind == kind


def test_large_tensors_are_described_not_copied() -> None:
    encoded = encode(torch.zeros(1000, 1000))
    assert encoded.data is None and encoded.shape == (1000, 1000)


@pytest.mark.parametrize(
    ("got", "words"),
    [(5.0, "got the float 5.0"), (np.int64(5), "numpy int64"), ("5", "the str"),
     (None, "forget to return")],
)
def test_wrong_types_are_named(got: object, words: str) -> None:
    problem = mismatch(encode(5), encode(got))
    assert problem is not None and words in problem


def test_numpy_instead_of_torch_fails_with_both_types_named() -> None:
    problem = mismatch(encode(torch.ones(2, 2)), encode(np.ones((2, 2))))
    assert "torch.Tensor" in problem and "numpy.ndarray" in problem


def test_wrong_shape_and_wrong_values_are_explained() -> None:
    want = encode(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert "shape (2, 3)" in mismatch(want, encode(torch.zeros(2, 3)))
    wrong = mismatch(want, encode(torch.tensor([[1.0, 2.0], [3.0, 5.0]])))
    assert "(1, 1)" in wrong and "expected 4" in wrong and "got 5" in wrong
    assert mismatch(want, encode(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))) is None


def test_raises_test_needs_the_named_exception() -> None:
    test = Test("bad stride", "f", (1,), raises=("ValueError",))
    assert test.judge(Raised("ValueError", "")) is None
    assert "TypeError" in test.judge(Raised("TypeError", "x"))
    assert "the int 3" in test.judge(Scalar("int", 3))


def forever() -> None:
    while True:
        pass


@pytest.mark.parametrize(
    ("namespace", "kind"),
    [({}, "missing"), ({"f": 3}, "not callable"),
     ({"f": lambda: 1 / 0}, "raised"), ({"f": lambda: sys.exit(1)}, "raised"),
     ({"f": forever}, "timeout"), ({"f": lambda: print("x" * 10**6) or 2}, "int")],
)
def test_call_safely_never_raises(namespace: dict, kind: str) -> None:
    assert call_safely(namespace, Call("f"), seconds=0.5).kind == kind


def test_check_reports_pass_fail_hint_and_score(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def conv_output_size(input_size, kernel_size, stride=1, padding=0):
        return (input_size - kernel_size + 2 * padding) / stride + 1

    text = report(EX4, {"conv_output_size": conv_output_size})
    assert "FAIL  conv_output_size(7, 3, stride=1)  [0/1]" in text
    assert "expected the int 5, got the float 5.0" in text
    assert "hint: return a plain Python int" in text
    assert "expected the call to raise ValueError, got the float 3.5" in text
    assert "`conv_param_count` is not defined" in text
    assert "Provisional score: 0/6" in text


def test_check_never_raises_and_reads_the_callers_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    check("no_such_exercise")
    assert "There is no exercise 'no_such_exercise'" in capsys.readouterr().out
    check("ex3_locality")
    out = capsys.readouterr().out
    assert "`receptive_field` is not defined" in out and "Provisional score: 0/6" in out


def test_generated_exercises_are_up_to_date() -> None:
    assert gen.main(check_only=True) == 0, "run `make exercises`"


def test_stale_exercises_are_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gen, "EXERCISES", tmp_path)
    monkeypatch.setattr(gen, "ROOT", tmp_path.parent)
    assert gen.main(check_only=True) == 1
    gen.main()
    assert gen.main(check_only=True) == 0
    path = next(tmp_path.glob("*.ipynb"))
    path.write_text(path.read_text().replace("Exercise", "Exercice", 1))
    assert gen.main(check_only=True) == 1


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_no_solution_line_leaks_into_the_exercise(exercise_id: str) -> None:
    solution = nbformat.read(ROOT / "solutions" / f"{exercise_id}.ipynb", 4)
    hidden = gen.student_version(solution)[1]
    assert len(hidden) >= 5
    student = nbformat.read(ROOT / "exercises" / f"{exercise_id}.ipynb", 4)
    shown = {line.strip() for c in student.cells for line in c.source.splitlines()}
    leaked = sorted(set(hidden) & shown)
    assert not leaked, f"solution lines in exercises/{exercise_id}.ipynb: {leaked}"
    text = "\n".join(c.source for c in student.cells)
    assert gen.BEGIN not in text and "solution-start" not in text


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_exercise_has_stubs_and_ends_with_check(exercise_id: str) -> None:
    student = nbformat.read(ROOT / "exercises" / f"{exercise_id}.ipynb", 4)
    stubs = [c for c in student.cells if "NotImplementedError(" in c.source]
    assert stubs and all("raises-exception" in c.metadata["tags"] for c in stubs)
    assert f'check("{exercise_id}")' in student.cells[-1].source
    assert all(not c.get("outputs") for c in student.cells)


def test_stub_source_refuses_unbalanced_markers() -> None:
    with pytest.raises(ValueError, match="without"):
        gen.stub_source("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError, match="without"):
        gen.stub_source("x = 1\n### END SOLUTION")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "book.grading", *args],
                          capture_output=True, text=True, timeout=300)


def test_cli_lists_every_exercise_with_its_points() -> None:
    result = run_cli("list")
    assert result.returncode == 0
    for exercise in EXERCISES.values():
        assert f"{exercise.id}  {max_points(exercise)} points" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(("grade", "--exercise", "nope", "--out", "x", "a.ipynb"), "unknown exercise"),
     (("grade", "--exercise", "ex1_count_savings", "--out", "x", "missing.ipynb"),
      "no such file"),
     (("grade", "--exercise", "ex1_count_savings", "missing.ipynb"), "--out")],
)
def test_cli_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2 and message in result.stderr
