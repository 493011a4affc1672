"""Class statistics: counts, totals of scored submissions, pass rates."""

from __future__ import annotations

from pathlib import Path

from book.grading.statistics import bar_label, summary, write_statistics

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


def test_overview_says_which_submissions_the_totals_count(tmp_path: Path) -> None:
    records = [
        record("a", "graded", (True, True)),
        record("b", "timeout"),
        record("c", "wrong-exercise"),
        record("d", "missing"),
    ]
    write_statistics(tmp_path, RUN, records, {})
    cells = [
        line.strip("|").split(" | ")
        for line in (tmp_path / "statistics.md").read_text().splitlines()
        if line.startswith("| ") and "---" not in line
    ]
    rows = {key.strip(): value.strip() for key, value in cells}
    assert rows["rows of scores.csv"] == "4"
    # The timeout scores 0 and counts; the missing and the other exercise do not.
    assert rows["scored (all but missing and wrong-exercise)"] == "2"
    assert rows["tested (their tests ran)"] == "1"
    assert rows["mean total of the scored"] == "1.0 / 2"
    assert rows["public t1"] == rows["hidden t2"] == "100%"


def test_bar_labels_keep_the_whole_test_name() -> None:
    name = "layers_to_span(5, kernel_size=1) never spans, whatever the input size"
    label = bar_label(name, public=False)
    assert label.startswith("H layers_to_span")
    assert " ".join(label.split()) == f"H {name}"
    assert all(len(line) <= 44 for line in label.splitlines())
