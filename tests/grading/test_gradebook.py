"""The gradebook across exercises."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from book.grading.__main__ import main
from tests.grading.test_batch import klass, run_class  # noqa: F401 - the fixture

__all__ = ["klass"]


def test_one_row_per_student_one_column_per_exercise(
    klass: Path,
    tmp_path: Path,  # noqa: F811 - the fixture
) -> None:
    run_class(klass, tmp_path / "ex3", [], [])
    # A second exercise's run: the same class, relabelled, only ada handed in.
    other = tmp_path / "ex4"
    run_class(klass, other, [], [])
    run = json.loads((other / "run.json").read_text())
    run["exercise"] = "ex4_conv_arithmetic"
    (other / "run.json").write_text(json.dumps(run))
    book = tmp_path / "gradebook.csv"
    assert (
        main(["gradebook", "--out", str(book), str(tmp_path / "ex3"), str(other)]) == 0
    )
    rows = {r["student_id"]: r for r in csv.DictReader(book.open(encoding="utf-8"))}
    assert list(rows["s1"]) == [
        "student_id",
        "ex3_locality",
        "ex4_conv_arithmetic",
        "total",
        "max_score",
    ]
    assert rows["s1"]["total"] == "32" and rows["s1"]["max_score"] == "40"
    assert rows["s3"]["ex3_locality"] == ""  # wrong exercise: the teacher decides
    assert rows["s6"]["total"] == "0"


def test_the_same_exercise_twice_is_refused(
    klass: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # noqa: F811
) -> None:
    run_class(klass, tmp_path / "a", [], [])
    with pytest.raises(SystemExit):
        main(
            [
                "gradebook",
                "--out",
                str(tmp_path / "g.csv"),
                str(tmp_path / "a"),
                str(tmp_path / "a"),
            ]
        )
    assert "exercise ex3_locality given twice" in capsys.readouterr().err
