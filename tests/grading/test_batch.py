"""Grading a class, with the sandboxed grader replaced by a quick stand-in.

The stand-in answers in the grader's own format, out of order, so these tests
check what this side adds: triage, naming, streaming, order and the tables.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from book.grading.batch import Request, grade_class
from book.grading.exercises import EXERCISES
from book.grading.grader import all_tests

ROOT = Path(__file__).resolve().parents[2]
EX3 = EXERCISES["ex3_locality"]


def grader_result(path: Path, passing: int) -> dict:
    """What grade_many reports for one submission: the first `passing` tests pass."""
    tests = [
        {
            "name": t.name,
            "points": t.points,
            "earned": t.points * (i < passing),
            "passed": i < passing,
            "problem": None
            if i < passing
            else "expected the int 3, got the float 3.0\nAutomatic score: 20/20",
            "hint": t.hint,
            "public": i < len(EX3.public),
        }
        for i, t in enumerate(all_tests(EX3))
    ]
    return {
        "submission": str(path),
        "exercise": EX3.id,
        "status": "graded",
        "score": sum(t["earned"] for t in tests),
        "max_score": 16,
        "reason": "",
        "tests": tests,
        "answers": {"task": "a long-range task", "mechanism": ""},
        "cells": [],
    }


def fake_grading(passing: dict[str, int], seen: list[list[Path]]):  # noqa: ANN201
    def grading(paths: list[Path], progress) -> None:  # noqa: ANN001
        seen.append(paths)
        for path in reversed(paths):  # completion order is not submission order
            progress(grader_result(path, passing.get(path.stem, 0)))

    return grading


def notebook(folder: Path, name: str | bytes, exercise: str = "ex3_locality") -> Path:
    raw = name if isinstance(name, bytes) else name.encode()
    path = Path(os.fsdecode(os.fsencode(folder) + b"/" + raw))
    path.write_text((ROOT / "exercises" / f"{exercise}.ipynb").read_text())
    return path


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    notebook(folder, "ada.ipynb")
    notebook(folder, "bob.ipynb")
    notebook(folder, "eve.ipynb", "ex2_equivariance")
    notebook(folder, b"Jos\xe9.ipynb")
    notebook(folder, "x" * 240 + ".ipynb")
    (tmp_path / "roster.csv").write_text(
        "student_id,submission\ns1,ada.ipynb\ns2,bob.ipynb\ns3,eve.ipynb\n"
        "s4,José.ipynb\ns6,dan.ipynb\n"
    )
    return folder


def run_class(klass: Path, out: Path, lines: list[str], seen: list) -> list[dict]:
    request = Request(EX3, [klass], out, klass.parent / "roster.csv")
    grading = fake_grading({"ada": 16, "bob": 3}, seen)
    return grade_class(request, grading, lines.append)


def test_a_class_is_triaged_named_and_listed_in_submission_order(
    klass: Path, tmp_path: Path
) -> None:
    lines: list[str] = []
    seen: list[list[Path]] = []
    records = run_class(klass, tmp_path / "out", lines, seen)
    statuses = [(r["student_id"], r["status"]) for r in records]
    assert statuses == [
        ("s4", "graded"),
        ("s1", "graded"),
        ("s2", "graded"),
        ("s3", "wrong-exercise"),
        ("x" * 240, "graded"),
        ("s6", "missing"),
    ]
    # Only the notebooks of this exercise ran; the printout follows the files.
    assert len(seen[0]) == 4 and "eve.ipynb" not in {p.name for p in seen[0]}
    assert [line.split()[-1] for line in lines[1:]] == [
        "(José.ipynb)",
        "(ada.ipynb)",
        "(bob.ipynb)",
        "(eve.ipynb)",
        f"({'x' * 240}.ipynb)",
        "(dan.ipynb)",
    ]
    assert "is ex2_equivariance, not ex3_locality" in records[3]["reason"]
    assert f"warning: {'x' * 240}.ipynb is not on the roster" in lines[0]
    stems = [r["stem"] for r in records]
    assert stems[0] == "Jose" and len(stems[4]) <= 60 and len(set(stems)) == 6


def test_the_tables_have_ids_per_test_points_and_hand_columns(
    klass: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_class(klass, out, [], [])
    with (out / "scores.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student_id"] for r in rows][:3] == ["s4", "s1", "s2"]
    ada = rows[1]
    assert ada["public 1: receptive_field(1)"] == "1"
    assert ada["hand task"] == "" and ada["automatic"] == "16"
    assert ada["max_score"] == "20"  # 16 automatic + 4 by hand
    assert rows[3]["status"] == "wrong-exercise" and rows[3]["total"] == ""
    assert rows[5]["status"] == "missing" and rows[5]["total"] == "0"
    lms = (out / "lms.csv").read_text(encoding="utf-8").splitlines()
    assert lms[0] == "student_id,total,max_score" and lms[2] == "s1,16,20"
    template = list(csv.DictReader((out / "hand_grades.csv").open()))
    # Two questions for each of the four submissions that ran.
    assert len(template) == 8 and {r["question"] for r in template} == {
        "task",
        "mechanism",
    }


def test_student_feedback_hides_hidden_tests_and_quotes_student_text(
    klass: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_class(klass, out, [], [])
    student = (out / "students" / "bob.txt").read_text()
    teacher = (out / "teacher" / "bob.txt").read_text()
    hidden = [t for t in all_tests(EX3)[len(EX3.public) :]]
    assert all(t.name not in student for t in hidden)
    assert all(t.name in teacher for t in hidden)
    assert "Hidden tests: 0 of 10 passed (0/10 points)." in student
    assert "Rubric" in teacher and "Rubric" not in student
    # The forged score line of a student's message stays quoted.
    assert "\nAutomatic score: 20/20" not in student
    assert "    | Automatic score: 20/20" in student
    results = json.loads((out / "gradescope" / "bob" / "results.json").read_text())
    visible = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert len(visible) == len(EX3.public)
    assert all(
        t["name"].startswith("hidden test")
        for t in results["tests"]
        if t["visibility"] != "visible"
    )


def test_statistics_report_the_distribution_and_pass_rates(
    klass: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_class(klass, out, [], [])
    text = (out / "statistics.md").read_text()
    assert "| status wrong-exercise | 1 |" in text
    # Of the four that ran, ada passes everything and bob the first three tests.
    assert "| public receptive_field(1) | 50% |" in text
    assert "| public layers_to_span(223) | 25% |" in text
    assert (out / "statistics.png").read_bytes().startswith(b"\x89PNG")
    assert "<img src='statistics.png' alt=" in (out / "statistics.html").read_text()


def test_one_failing_report_does_not_stop_the_others(
    klass: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import book.grading.batch as batch

    real = batch.write_submission

    def fragile(out, record, *args):  # noqa: ANN001, ANN202
        if record["student_id"] == "s1":
            raise OSError("disk full")
        return real(out, record, *args)

    monkeypatch.setattr(batch, "write_submission", fragile)
    lines: list[str] = []
    run_class(klass, tmp_path / "out", lines, [])
    assert any("could not write the report of ada: disk full" in x for x in lines)
    assert (tmp_path / "out" / "students" / "bob.txt").is_file()
