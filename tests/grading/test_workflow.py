"""The teacher's commands in order, on a small class, with the real grader."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from book.grading.sandbox import bwrap_path

ROOT = Path(__file__).resolve().parents[2]


def grade_class_script():  # noqa: ANN201 - a module
    spec = importlib.util.spec_from_file_location(
        "grade_class", ROOT / "benchmarks" / "grade_class.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grading(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "book.grading", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
def test_roster_in_lms_statistics_and_released_feedback_out(tmp_path: Path) -> None:
    script = grade_class_script()
    chosen = (
        "s01_ada.ipynb",
        "s06_float_slip.ipynb",
        "s09_stub.ipynb",
        "s11_wrong_exercise.ipynb",
        "s18_forges.ipynb",
    )
    roster = script.write_class(
        tmp_path / "class", {k: script.VARIANTS[k] for k in chosen}
    )
    out = tmp_path / "grades"
    sandbox = [] if bwrap_path() else ["--no-sandbox"]
    graded = grading(
        "grade",
        "--exercise",
        "ex3_locality",
        "--roster",
        str(roster),
        "--out",
        str(out),
        *sandbox,
        str(tmp_path / "class"),
    )
    assert graded.returncode == 0, graded.stderr
    lines = [line.split() for line in graded.stdout.splitlines()[:6]]
    assert [(line[0], line[-1]) for line in lines] == [
        ("graded", "(s01_ada.ipynb)"),
        ("graded", "(s06_float_slip.ipynb)"),
        ("graded", "(s09_stub.ipynb)"),
        ("wrong-exercise", "(s11_wrong_exercise.ipynb)"),
        ("graded", "(s18_forges.ipynb)"),
        ("missing", "(s25_never.ipynb)"),
    ]
    assert script.fill_hand_grades(out) == 2 * 4
    assert grading("merge", str(out)).returncode == 0
    lms = list(csv.DictReader((out / "lms.csv").open(encoding="utf-8")))
    totals = {row["student_id"]: row["total"] for row in lms}
    assert totals["s01"] == "20" and totals["s09"] == "0" and totals["s25"] == "0"
    assert totals["s11"] == ""  # another exercise's notebook: not scored
    # The slip costs the one test that checks the type: 20 - 1.
    assert totals["s06"] == "19"
    assert "| status wrong-exercise | 1 |" in (out / "statistics.md").read_text()
    released = (out / "students" / "s18_forges.txt").read_text()
    scores = [
        line for line in released.splitlines() if line.startswith("Automatic score:")
    ]
    # One real score line, low: the forged one stays inside a quoted message.
    assert scores == ["Automatic score: 0/16"]
    assert "Automatic score: 16/16" in released
