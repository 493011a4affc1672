"""Class statistics: counts, totals of scored submissions, pass rates."""

from __future__ import annotations

from book.grading.statistics import summary

RUN = {
    "exercise": "ex",
    "automatic_max": 2,
    "manual_max": 0,
    "questions": [],
    "tests": [
        {"name": "t1", "points": 1, "public": True},
        {"name": "t2", "points": 1, "public": False},
    ],
}


def record(stem: str, status: str, passes: tuple[bool, ...] = ()) -> dict:
    tests = [
        {
            "name": f"t{i}",
            "public": i == 1,
            "points": 1,
            "earned": int(p),
            "passed": p,
            "problem": None,
            "hint": "",
        }
        for i, p in enumerate(passes, start=1)
    ]
    return {
        "stem": stem,
        "student_id": stem,
        "submission": stem,
        "status": status,
        "score": sum(passes),
        "tests": tests,
        "answers": {},
    }


def test_only_scored_submissions_count_in_totals_and_rates() -> None:
    records = [
        record("a", "graded", (True, True)),
        record("b", "graded", (True, False)),
        record("c", "wrong-exercise"),
        record("d", "missing"),
    ]
    data = summary(RUN, records, {})
    assert data["statuses"] == {"graded": 2, "wrong-exercise": 1, "missing": 1}
    assert sorted(data["totals"]) == [1.0, 2.0]
    assert data["rates"] == [("t1", True, 1.0), ("t2", False, 0.5)]
