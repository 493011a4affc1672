"""Hand grades: the teacher's file, checked row by row, merged by one command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from book.grading.__main__ import main
from tests.grading.test_batch import klass, run_class  # noqa: F401 - the fixture

__all__ = ["klass"]


@pytest.fixture
def graded(klass: Path, tmp_path: Path) -> Path:  # noqa: F811 - the fixture
    out = tmp_path / "out"
    run_class(klass, out, [], [])
    return out


def fill(out: Path, points: dict[tuple[str, str], str], comment: str = "") -> None:
    path = out / "hand_grades.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        row["points"] = points.get((row["report"], row["question"]), "")
        row["comment"] = comment
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_merge_adds_hand_points_to_every_output(
    graded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(graded, {("ada", "task"): "2", ("ada", "mechanism"): "1,5"}, "see me")
    assert main(["merge", str(graded)]) == 0
    assert "6 written answer(s) have no points yet" in capsys.readouterr().out
    rows = {
        r["student_id"]: r
        for r in csv.DictReader((graded / "scores.csv").open(encoding="utf-8"))
    }
    assert rows["s1"]["hand task"] == "2" and rows["s1"]["total"] == "19.5"
    assert "s1,19.5,20" in (graded / "lms.csv").read_text()
    student = (graded / "students" / "ada.txt").read_text()
    assert "Written answers: 3.5/4" in student and "    | see me" in student
    results = json.loads((graded / "gradescope/ada/results.json").read_text())
    assert results["score"] == 19.5
    assert any(t["name"] == "written answer: task" for t in results["tests"])


@pytest.mark.parametrize(
    ("points", "words"),
    [
        ({("ada", "task"): "3"}, "points '3' must be between 0 and 2"),
        ({("ada", "task"): "-1"}, "points '-1' must be between 0 and 2"),
        ({("ada", "task"): "nan"}, "points 'nan' must be between 0 and 2"),
        ({("ada", "task"): "two"}, "points 'two' is not a number"),
    ],
)
def test_bad_hand_points_are_refused_with_file_line_and_rule(
    graded: Path, points: dict, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(graded, points)
    with pytest.raises(SystemExit) as stopped:
        main(["merge", str(graded)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "hand_grades.csv, line" in err


def test_unknown_reports_and_questions_are_refused(
    graded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = graded / "hand_grades.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("nobody,s9,task,2,1,\n")
    with pytest.raises(SystemExit):
        main(["merge", str(graded)])
    assert "no submission has the report 'nobody'" in capsys.readouterr().err
    path.write_text(path.read_text().replace("nobody,s9,task", "ada,s1,essay"))
    with pytest.raises(SystemExit):
        main(["merge", str(graded)])
    assert "question 'essay' is not one of task, mechanism" in (capsys.readouterr().err)


def test_merge_needs_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["merge", str(tmp_path)])
    assert "is not a grading run (no run.json)" in capsys.readouterr().err
