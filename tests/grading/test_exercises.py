"""The exercises' tests: they run, hints point to the idea, the tasks ask for them."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from book.grading.exercises import EXERCISES
from book.grading.grader import all_tests, max_points
from book.grading.hidden import HIDDEN_TESTS
from book.grading.records import Array, Items, Scalar, Value

ROOT = Path(__file__).resolve().parents[2]


def task_text(exercise_id: str) -> str:
    """The markdown of the exercise's notebook (what the student reads)."""
    notebook = nbformat.read(ROOT / "solutions" / f"{exercise_id}.ipynb", 4)
    return "\n".join(
        c.source
        for c in notebook.cells
        if c.cell_type == "markdown"
        and not any(t.startswith("answer:") for t in c.metadata.get("tags", []))
    )


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


def _answer_texts(value: Value) -> set[str]:
    if isinstance(value, Scalar) and value.kind in ("int", "float"):
        return {f"{value.value:g}"}
    if isinstance(value, Items):
        return set().union(*map(_answer_texts, value.items))
    if isinstance(value, Array) and value.data is not None and value.shape:
        row = value.data[: value.shape[-1]]
        return {"[" + ", ".join(f"{v:g}" for v in row) + "]"}
    return set()


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_no_hint_or_test_name_gives_the_answer(exercise_id: str) -> None:
    for test in all_tests(EXERCISES[exercise_id]):
        if test.raises:
            continue
        answers = _answer_texts(test.expected())
        # The arguments are shown anyway; only numbers that are not one count.
        shown = set(re.findall(r"-?\d+(?:\.\d+)?", test.name))
        for text in answers - shown:
            if len(text) > 1:  # single digits appear in any sentence
                assert not re.search(
                    rf"(?<![\d.]){re.escape(text)}(?![\d.])", f"{test.hint} {test.name}"
                ), (test.name, text)


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_hidden_hints_name_no_value(exercise_id: str) -> None:
    for test in HIDDEN_TESTS[exercise_id]:
        assert test.hint, f"{test.name}: the student's feedback shows only hints"
        assert not re.search(r"\d", test.hint), test.hint


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_hidden_tests_ask_only_what_the_task_says(exercise_id: str) -> None:
    # A hidden test that wants an exception from a function is fair only when
    # the task text names that exception.
    text = task_text(exercise_id)
    for test in HIDDEN_TESTS[exercise_id]:
        for exception in test.raises:
            assert exception in text, f"{test.name}: the task never asks for it"


def test_the_parameter_count_task_asks_for_its_validation() -> None:
    text = task_text("ex4_conv_arithmetic")
    part = text[text.index("conv_param_count(in_channels") :]
    assert "ValueError" in part.split(":::")[0]
