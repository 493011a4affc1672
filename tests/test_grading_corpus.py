"""The grader against an adversarial corpus: each kind of submission, status, score.

Every submission is made from the solution of exercise 4 by one change, so the
expected score follows from which functions the change breaks. The whole corpus
is graded once, by the command line a teacher runs, with short time limits.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from book.grading.exercises import EXERCISES
from book.grading.grader import all_tests, max_points
from book.grading.sandbox import HIDDEN_DIR

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = "ex4_conv_arithmetic"
SOLUTION = ROOT / "solutions" / f"{EXERCISE}.ipynb"
STUDENT = ROOT / "exercises" / f"{EXERCISE}.ipynb"
FULL = max_points(EXERCISES[EXERCISE])
# Generous for a loaded machine: a normal submission takes 10 to 40 s here.
CELL_SECONDS, WALL_SECONDS = 30, 120
HAS_BWRAP = shutil.which("bwrap") is not None


def points_of(target: str) -> int:
    return sum(t.points for t in all_tests(EXERCISES[EXERCISE]) if t.target == target)


def solution() -> nbformat.NotebookNode:
    return nbformat.read(SOLUTION, as_version=4)


def with_cell(source: str, at: int = -1) -> nbformat.NotebookNode:
    """The solution with one extra code cell (default: just before check())."""
    notebook = solution()
    index = at if at >= 0 else len(notebook.cells) - 1
    notebook.cells.insert(index, nbformat.v4.new_code_cell(source))
    return notebook


def defining(name: str) -> int:
    """Index of the cell that defines function `name` in the solution."""
    cells = solution().cells
    return next(i for i, c in enumerate(cells) if f"def {name}(" in c.source)


def edited(name: str, old: str, new: str) -> nbformat.NotebookNode:
    notebook = solution()
    cell = notebook.cells[defining(name)]
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    return notebook


def without_cell(index: int) -> nbformat.NotebookNode:
    notebook = solution()
    del notebook.cells[index]
    return notebook


SPY = "/tmp/why-convolution-grading-escape"
LEAK = (
    "import book, pathlib\n"
    "hidden = pathlib.Path(book.__file__).parent / 'grading' / 'hidden'\n"
    "stolen = []\n"
    "for path in [hidden / '__init__.py', pathlib.Path({solutions!r}),\n"
    "             pathlib.Path({out!r}) / 'scores.csv']:\n"
    "    try:\n"
    "        stolen.append(path.read_text())\n"
    "    except OSError:\n"
    "        pass\n"
    "try:\n"
    "    from book.grading.hidden import HIDDEN_TESTS\n"
    "    stolen.append('imported')\n"
    "except ImportError:\n"
    "    pass\n"
    "if stolen:  # what a leak would do: the score shows it\n"
    "    conv_output_size = conv_param_count = None\n"
)
FORGE_TESTS = (
    "import builtins, sys\n"
    "import book.grading.spec, book.grading.checking, book.grading.wire\n"
    "book.grading.spec.Test.judge = lambda self, result: None\n"
    "book.grading.checking.report = lambda exercise, namespace: 'score 20/20'\n"
    "book.grading.wire.call_safely = lambda *a, **k: {'kind': 'forged'}\n"
    "builtins.print = lambda *a, **k: sys.__stdout__.write('PASS 20/20\\n')\n"
)
FORGE_JSON = (
    "import json\n"
    "json.dumps = lambda *a, **k: '{\"index\": 0, \"result\": {\"kind\": \"int\"}}'\n"
)


def corpus(out: Path) -> dict[str, tuple[object, str, int]]:
    """name -> (notebook or raw bytes, expected status, expected score)."""
    output_size, params = points_of("conv_output_size"), points_of("conv_param_count")
    return {
        "correct": (solution(), "graded", FULL),
        "untouched_stubs": (stubs(), "graded", 0),
        "syntax_error": (edited("conv_param_count", "weights = ", "weights = = "),
                         "graded", FULL - params),
        "exception_at_import": (with_cell("import no_such_module_anywhere", at=0),
                                "graded", FULL),
        "loop_at_top_level": (with_cell("while True:\n    pass"), "timeout", FULL),
        "loop_that_ignores_interrupts": (
            with_cell("while True:\n    try:\n        while True:\n            pass\n"
                      "    except BaseException:\n        pass"), "timeout", 0),
        "loop_in_tested_function": (
            edited("conv_output_size", '    rules = {', '    while True:\n'
                   '        pass\n    rules = {'), "timeout", FULL - output_size),
        "os_exit": (with_cell("import os\nos._exit(3)"), "crashed", 0),
        "sys_exit": (with_cell("import sys\nsys.exit('done')"), "graded", FULL),
        "exit_in_tested_function": (
            edited("conv_param_count", "    for name, value in",
                   "    raise SystemExit(1)\n    for name, value in"),
            "graded", FULL - params),
        "huge_memory": (with_cell("hog = bytearray(64 * 2**30)"), "graded", FULL),
        "output_flood": (with_cell("for i in range(300_000):\n    print('flood', i)"),
                         "graded", FULL),
        "child_left_running": (
            with_cell("import subprocess\nsubprocess.Popen(['sleep', '4242'])\n"
                      "subprocess.Popen(['setsid', 'sleep', '4343'])"),
            "graded", FULL),
        "writes_outside": (
            with_cell(f"for target in [{str(out / 'writes_outside.ipynb')!r}, "
                      f"{str(out / 'report' / 'scores.csv')!r}, {SPY!r}]:\n"
                      "    try:\n        open(target, 'w').write('owned')\n"
                      "    except OSError:\n        pass"), "graded", FULL),
        "reads_hidden_tests": (
            with_cell(LEAK.format(solutions=str(SOLUTION),
                                  out=str(out / "report"))), "graded", FULL),
        "forges_score_in_the_kernel": (stubs_with_cell(FORGE_TESTS), "graded", 0),
        # Replacing json.dumps garbles the kernel's own messages too.
        "forges_the_results": (stubs_with_cell(FORGE_JSON), "graded", 0),
        "deleted_cell": (without_cell(defining("conv_param_count")), "graded",
                         FULL - params),
        "renamed_function": (edited("conv_output_size", "def conv_output_size(",
                                    "def output_size("), "graded",
                             FULL - output_size),
        "renamed file (final) v2": (solution(), "graded", FULL),
        "not_a_notebook": (b"print('this is a Python script')\n", "invalid", 0),
        "json_but_not_a_notebook": (b'{"cells": 5}', "invalid", 0),
    }


def stubs() -> nbformat.NotebookNode:
    return nbformat.read(STUDENT, as_version=4)


def stubs_with_cell(source: str) -> nbformat.NotebookNode:
    """The untouched student notebook with one extra cell before check()."""
    notebook = stubs()
    notebook.cells.insert(len(notebook.cells) - 1, nbformat.v4.new_code_cell(source))
    return notebook


def running(word: str) -> bool:
    """Whether any process's command line contains `word`."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if word.encode() in cmdline.read_bytes():
                return True
        except OSError:
            continue
    return False


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not HAS_BWRAP and os.environ.get("CI"):
        pytest.fail("CI must install bubblewrap (apt-get install bubblewrap)")
    folder = tmp_path_factory.mktemp("corpus")
    out = folder / "report"
    cases = corpus(folder)
    paths = []
    for name, (content, _, _) in cases.items():
        path = folder / f"{name}.ipynb"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, path)
        paths.append(path)
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    Path(SPY).unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "book.grading", "grade", "--exercise", EXERCISE,
         "--out", str(out), "--jobs", "2", "--cell-timeout", str(CELL_SECONDS),
         "--timeout", str(WALL_SECONDS), *map(str, paths)],
        capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stderr
    with (out / "scores.csv").open() as handle:
        rows = {Path(row["submission"]).stem: row for row in csv.DictReader(handle)}
    reports = {
        Path(data["submission"]).stem: data
        for data in (json.loads(p.read_text()) for p in out.glob("*.json"))
    }
    return {"cases": cases, "rows": rows, "reports": reports, "out": out,
            "digests": digests, "stdout": result.stdout}


def test_corpus_has_at_least_fifteen_kinds(graded: dict) -> None:
    assert len(graded["cases"]) >= 15


@pytest.mark.parametrize("name", list(corpus(Path("/unused")).keys()))
def test_status_and_score(graded: dict, name: str) -> None:
    _, status, score = graded["cases"][name]
    row = graded["rows"][name]
    assert (row["status"], int(row["score"])) == (status, score), (
        graded["reports"][name]["reason"]
    )
    assert row["exercise"] == EXERCISE
    assert int(row["max_score"]) == FULL


def test_submissions_are_unchanged(graded: dict) -> None:
    for path, digest in graded["digests"].items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path.name


def test_every_submission_has_a_json_and_a_feedback_file(graded: dict) -> None:
    assert len(list(graded["out"].glob("*.json"))) == len(graded["cases"])
    assert len(list(graded["out"].glob("*.txt"))) == len(graded["cases"])
    report = graded["reports"]["untouched_stubs"]
    assert len(report["tests"]) == len(all_tests(EXERCISES[EXERCISE]))
    assert not any(test["passed"] for test in report["tests"])


def test_csv_has_the_documented_columns(graded: dict) -> None:
    header = (graded["out"] / "scores.csv").read_text().splitlines()[0]
    assert header == "submission,exercise,score,max_score,status"


def test_no_child_process_survives(graded: dict) -> None:
    assert not running("sleep\x004242")
    if HAS_BWRAP:
        assert not running("sleep\x004343")


@pytest.mark.skipif(not HAS_BWRAP, reason="the file sandbox needs bubblewrap")
def test_sandbox_kept_the_submission_inside(graded: dict) -> None:
    assert not Path(SPY).exists()
    assert graded["reports"]["writes_outside"]["sandbox"] == "bubblewrap"
    assert HIDDEN_DIR.joinpath("__init__.py").is_file()
