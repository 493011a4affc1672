"""No points without the work: one corpus of hand-offs per exercise.

Each submission is an exercise's solution with the asked-for work handed to
the course's code, to the answer key or to a library the task rules out. The
expected score is the solution's minus the points of every function that no
longer does its own work (and of the functions that call it).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from book.grading.exercises import EXERCISES
from book.grading.grader import all_tests, grade_many, max_points
from book.grading.limits import Limits

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LIMITS = Limits(cell_seconds=10, cpu_seconds=60)


def points_of(exercise_id: str, *targets: str) -> int:
    return sum(
        t.points for t in all_tests(EXERCISES[exercise_id]) if t.target in targets
    )


def full(exercise_id: str) -> int:
    return max_points(EXERCISES[exercise_id])


def solution_with(exercise_id: str, source: str) -> nbformat.NotebookNode:
    """The solution with one more code cell just before check()."""
    notebook = nbformat.read(ROOT / "solutions" / f"{exercise_id}.ipynb", 4)
    notebook.cells.insert(len(notebook.cells) - 1, nbformat.v4.new_code_cell(source))
    return notebook


def stubs_with(exercise_id: str, source: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(ROOT / "exercises" / f"{exercise_id}.ipynb", 4)
    notebook.cells.insert(len(notebook.cells) - 1, nbformat.v4.new_code_cell(source))
    return notebook


EX1, EX2, EX3 = "ex1_count_savings", "ex2_equivariance", "ex3_locality"
EX4, EX5 = "ex4_conv_arithmetic", "ex5_cross_correlation"
LOOPS_BY_CONV2D = (
    "def cross_correlate_loops(image, kernel, stride=1, padding=0):\n"
    "    return F.conv2d(image[None, None], kernel[None, None], stride=stride,\n"
    "                    padding=padding)[0, 0]\n"
)
# Named at run time: only the runtime tripwire can see it.
VECTORISED_BY_HIDDEN_CONV2D = (
    "def cross_correlate_vectorised(image, kernel, stride=1, padding=0):\n"
    "    operation = getattr(torch, 'conv' + '2d')\n"
    "    return operation(image[None, None], kernel[None, None], stride=stride,\n"
    "                     padding=padding)[0, 0]\n"
)

# name -> (exercise, notebook, grade in the sandbox?, expected score)
CASES = {
    "ex1_answer_key": (
        EX1,
        solution_with(
            EX1,
            "del fc_weights, conv_weights\nfrom "
            "book.grading.references import fc_weights, conv_weights",
        ),
        True,
        0,
    ),
    "ex2_course_shift": (
        EX2,
        solution_with(EX2, "del shift\nfrom book.symmetry import shift"),
        True,
        points_of(EX2, "global_average_pool"),
    ),
    "ex3_answer_key": (
        EX3,
        solution_with(
            EX3, "from book.grading.references import receptive_field, layers_to_span"
        ),
        True,
        0,
    ),
    # The example, without the sandbox: the course's code is
    # importable and right, so only the static check stands between it and
    # full marks.
    "ex4_course_without_sandbox": (
        EX4,
        stubs_with(
            EX4,
            "from book.layers import conv_output_size\n"
            "from book.layers import conv_params as conv_param_count",
        ),
        False,
        0,
    ),
    "ex5_loops_by_conv2d": (
        EX5,
        solution_with(EX5, LOOPS_BY_CONV2D),
        True,
        full(EX5) - points_of(EX5, "cross_correlate_loops"),
    ),
    "ex5_vectorised_by_hidden_conv2d": (
        EX5,
        solution_with(EX5, VECTORISED_BY_HIDDEN_CONV2D),
        True,
        full(EX5) - points_of(EX5, "cross_correlate_vectorised", "convolve"),
    ),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("delegation")
    graded = {}
    for name, (exercise_id, notebook, sandbox, _) in CASES.items():
        path = folder / f"{name}.ipynb"
        nbformat.write(notebook, path)
        graded[name] = next(grade_many([path], exercise_id, LIMITS, 1, sandbox))
    return graded


@pytest.mark.parametrize("name", list(CASES))
def test_handing_off_the_work_earns_nothing_for_it(results: dict, name: str) -> None:
    result = results[name]
    expected = CASES[name][3]
    assert (result.status, result.score) == ("graded", expected), [
        (t.name, t.problem) for t in result.tests if not t.passed
    ]


def test_each_exercise_has_a_case() -> None:
    assert {case[0] for case in CASES.values()} == set(EXERCISES)


def test_the_runtime_tripwire_names_what_it_caught(results: dict) -> None:
    tests = results["ex5_vectorised_by_hidden_conv2d"].tests
    caught = [t for t in tests if "conv2d" in t.reason]
    assert caught and all(t.earned == 0 for t in caught)
    assert "called torch's conv2d" in caught[0].reason


def test_the_static_check_names_the_course_function(results: dict) -> None:
    reasons = {t.reason for t in results["ex4_course_without_sandbox"].tests}
    assert any("book.layers.conv_params" in r for r in reasons)
    assert any("book.layers.conv_output_size" in r for r in reasons)
