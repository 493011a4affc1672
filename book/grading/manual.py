"""Hand-graded written answers: the file the teacher fills in, read and checked.

`hand_grades.csv` has one row per written answer (`report`, `student_id`,
`question`, `max_points`, `points`, `comment`); the teacher fills in `points`
(and, if they like, a comment the student will read). An empty `points` means
not graded yet. `python -m book.grading merge OUT` reads it with `read_hand`.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from book.grading.reports import HAND_FIELDS, HAND_FILE


def _points(text: str, maximum: int, where: str) -> float | None:
    """The points of one row: None when empty; refused unless 0 <= p <= maximum."""
    text = text.strip()
    if not text:
        return None
    try:
        points = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"{where}: points {text!r} is not a number") from None
    if not math.isfinite(points) or not 0 <= points <= maximum:
        raise ValueError(f"{where}: points {text!r} must be between 0 and {maximum}")
    return points


def read_hand(out: Path, run: dict, stems: set[str]) -> dict[str, dict[str, dict]]:
    """report -> question -> {points, comment}, every row checked against the run."""
    path = out / HAND_FILE
    if not path.is_file():
        return {}
    maxima = {q["key"]: q["points"] for q in run["questions"]}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = set(HAND_FIELDS) - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: the header lacks {', '.join(sorted(missing))}")
        hand: dict[str, dict[str, dict]] = {}
        for line, row in enumerate(reader, start=2):
            where = f"{path}, line {line}"
            report, key = row["report"].strip(), row["question"].strip()
            if report not in stems:
                raise ValueError(f"{where}: no submission has the report {report!r}")
            if key not in maxima:
                raise ValueError(
                    f"{where}: question {key!r} is not one of {', '.join(maxima)}"
                )
            if key in hand.get(report, {}):
                raise ValueError(f"{where}: {report} {key} is graded twice")
            hand.setdefault(report, {})[key] = {
                "points": _points(row["points"] or "", maxima[key], where),
                "comment": (row["comment"] or "").strip(),
            }
    return hand


def ungraded(hand: dict, records: list[dict], run: dict) -> int:
    """How many written answers of graded submissions still have no points."""
    return sum(
        1
        for record in records
        if record["status"] not in ("missing", "wrong-exercise")
        for q in run["questions"]
        if hand.get(record["stem"], {}).get(q["key"], {}).get("points") is None
    )
