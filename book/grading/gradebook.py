"""The gradebook: one row per student, one column per exercise, across runs.

`python -m book.grading gradebook --out gradebook.csv grades/ex1 ... grades/ex5`
reads each run's records and hand grades (merged or not) and writes, per
student id, each exercise's total, the sum and the maximum. A student without
a submission for an exercise gets an empty cell (the roster's `missing`
status gives 0); an exercise handed in twice is refused.
"""

from __future__ import annotations

import csv
from pathlib import Path

from book.grading.manual import read_hand
from book.grading.reports import read_run, score_rows


def exercise_totals(folder: Path) -> tuple[str, int, dict[str, float | str]]:
    """(exercise id, maximum, student id -> total) of one run."""
    run, records = read_run(folder)
    hand = read_hand(folder, run, {r["stem"] for r in records})
    totals: dict[str, float | str] = {}
    for row in score_rows(run, records, hand):
        if row["student_id"] in totals:
            raise ValueError(
                f"{folder}: student {row['student_id']!r} has two "
                "submissions; grade with a roster to tell them apart"
            )
        totals[row["student_id"]] = row["total"]
    return run["exercise"], run["automatic_max"] + run["manual_max"], totals


def write_gradebook(out: Path, folders: list[Path]) -> None:
    """gradebook.csv: student id, one total per exercise, the sum and the maximum."""
    runs = [exercise_totals(folder) for folder in folders]
    ids = [run[0] for run in runs]
    repeated = {e for e in ids if ids.count(e) > 1}
    if repeated:
        raise ValueError(f"exercise {', '.join(sorted(repeated))} given twice")
    students = sorted({sid for _, _, totals in runs for sid in totals})
    maximum = sum(run[1] for run in runs)
    rows = []
    for sid in students:
        cells = {e: totals.get(sid, "") for e, _, totals in runs}
        numbers = [float(v) for v in cells.values() if v != ""]
        rows.append(
            {
                "student_id": sid,
                **cells,
                "total": f"{sum(numbers):g}",
                "max_score": maximum,
            }
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["student_id", *ids, "total", "max_score"])
        writer.writeheader()
        writer.writerows(rows)
