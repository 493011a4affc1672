"""results.json in Gradescope's format: hidden tests by their hint only."""

from __future__ import annotations

from book.grading.exercises import EXERCISES
from book.grading.gradescope import results_json

EX3 = EXERCISES["ex3_locality"]
RUN = {"automatic_max": 3, "manual_max": 4, "questions": []}


def test_public_visible_hidden_after_publishing_and_hand_points_added() -> None:
    tests = [
        {
            "name": "receptive_field(1)",
            "public": True,
            "points": 1,
            "earned": 0,
            "passed": False,
            "problem": "expected the int 3, got 4",
            "hint": "idea",
            "reason": "",
        },
        {
            "name": "receptive_field(4, kernel_size=7)",
            "public": False,
            "points": 2,
            "earned": 2,
            "passed": True,
            "problem": None,
            "hint": "arguments",
        },
    ]
    record = {"stem": "a", "status": "graded", "score": 2, "tests": tests}
    hand = {"a": {"task": {"points": 2, "comment": "good"}}}
    result = results_json(record, RUN, EX3, hand)
    assert result["score"] == 4
    public, hidden, written = result["tests"]
    assert (
        public["visibility"] == "visible" and "expected the int 3" in (public["output"])
    )
    assert hidden == {
        "number": "2",
        "score": 2,
        "max_score": 2,
        "status": "passed",
        "name": "hidden test 2",
        "output": "arguments",
        "visibility": "after_published",
    }
    assert written["name"] == "written answer: task" and written["score"] == 2
