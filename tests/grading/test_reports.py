"""The report folder: refused or replaced, totals with hand points, the tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from book.grading.reports import prepare_folder, score_rows, totals

RUN = {
    "exercise": "ex",
    "tests": [{"name": "t", "points": 2, "public": True}],
    "questions": [{"key": "why", "points": 3}],
    "automatic_max": 2,
    "manual_max": 3,
    "order": ["a", "b", "c"],
}


def record(stem: str, status: str, score: int = 0, passed: bool = False) -> dict:
    tests = (
        [
            {
                "name": "t",
                "public": True,
                "points": 2,
                "earned": 2 * passed,
                "passed": passed,
                "problem": None,
                "hint": "",
            }
        ]
        if status == "graded"
        else []
    )
    return {
        "stem": stem,
        "student_id": stem.upper(),
        "submission": f"{stem}.ipynb",
        "status": status,
        "score": score,
        "tests": tests,
        "answers": {},
    }


def test_totals_add_hand_points_and_leave_other_exercises_blank() -> None:
    hand = {"a": {"why": {"points": 1.5, "comment": ""}}}
    assert totals(record("a", "graded", 2, True), RUN, hand) == {
        "automatic": 2,
        "hand_graded": 1.5,
        "total": 3.5,
    }
    assert totals(record("b", "wrong-exercise"), RUN, hand)["total"] == ""
    assert totals(record("c", "missing"), RUN, {})["total"] == 0


def test_score_rows_have_a_column_per_test_and_per_question() -> None:
    rows = score_rows(
        RUN,
        [record("a", "graded", 2, True), record("c", "missing")],
        {"a": {"why": {"points": 3.0, "comment": ""}}},
    )
    assert rows[0]["public 1: t"] == 2 and rows[0]["hand why"] == 3
    assert rows[0]["total"] == 5 and rows[0]["max_score"] == 5
    assert rows[1]["public 1: t"] == "" and rows[1]["hand why"] == ""


def test_the_folder_is_made_refused_or_replaced(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    prepare_folder(out, force=False)
    assert sorted(p.name for p in out.iterdir()) == [
        "gradescope",
        "students",
        "teacher",
    ]
    (out / "run.json").write_text("{}")
    (out / "students" / "old.txt").write_text("old")
    with pytest.raises(ValueError, match="older run: pass --force"):
        prepare_folder(out, force=False)
    prepare_folder(out, force=True)
    assert not (out / "students" / "old.txt").exists()
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        prepare_folder(blocker / "x" / "y", force=True)
