"""The report folder of one exercise's run, written as the results come.

    OUT/run.json                    what was graded: exercise, tests, submissions
    OUT/teacher/<name>.json, .txt   everything, for the teacher
    OUT/students/<name>.txt         feedback that can be released to the student
    OUT/gradescope/<name>/results.json   the same, in Gradescope's format
    OUT/scores.csv                  per student: every test's points, hand points
    OUT/lms.csv                     per student: total and maximum, for an LMS
    OUT/hand_grades.csv             the teacher fills in points for written answers
    OUT/statistics.md, .html, .png  the class's distribution and pass rates

Only plain data and files here: no PyTorch, so `merge` is quick.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

from book.grading.feedback import answer_lines, quoted, result_lines
from book.grading.spec import Exercise

RUN_FILE = "run.json"
HAND_FILE = "hand_grades.csv"
HAND_FIELDS = ("report", "student_id", "question", "max_points", "points", "comment")
# What each status means, in words a student can read.
STATUS_TEXT = {
    "graded": "the notebook ran and its functions were tested",
    "timeout": "a cell or the whole run passed its time limit; what could still "
    "be tested was",
    "crashed": "the notebook's kernel stopped (an exit, a crash or the memory limit)",
    "invalid": "the file could not be read as a notebook",
    "wrong-exercise": "this notebook is another exercise's: it was not graded",
    "missing": "no submission was received",
}
# Statuses whose automatic score is not a grade: the teacher decides.
UNSCORED = ("wrong-exercise",)
# Rows with no score to count: no submission, or an unscored one.
NOT_SCORED = ("missing", *UNSCORED)


def prepare_folder(out: Path, force: bool) -> None:
    """Create `out`; refuse a file in the way, an older run without `force`, or a
    folder of other files; with `force`, remove the older run first."""
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"--out {out}: {folder} is a file, not a folder")
        if folder.exists():
            break
    if out.is_dir() and any(out.iterdir()):
        if not (out / RUN_FILE).is_file():
            raise ValueError(
                f"--out {out} holds files that are not a grading run: "
                "choose an empty or a new folder"
            )
        if not force:
            raise ValueError(
                f"--out {out} holds an older run: pass --force to "
                "replace it, or choose another folder"
            )
        shutil.rmtree(out)
    for part in ("teacher", "students", "gradescope"):
        (out / part).mkdir(parents=True, exist_ok=True)


def run_description(exercise: Exercise, tests: list[dict], stems: list[str]) -> dict:
    """What run.json holds: enough to rebuild every table without the grader."""
    return {
        "exercise": exercise.id,
        "tests": tests,
        "questions": [{"key": q.key, "points": q.points} for q in exercise.questions],
        "automatic_max": sum(test["points"] for test in tests),
        "manual_max": exercise.manual_points,
        "order": stems,
    }


def read_run(out: Path) -> tuple[dict, list[dict]]:
    """run.json and the teacher's record of every submission, in submission order."""
    if not (out / RUN_FILE).is_file():
        raise ValueError(f"{out} is not a grading run (no {RUN_FILE})")
    run = json.loads((out / RUN_FILE).read_text())
    records = [
        json.loads((out / "teacher" / f"{stem}.json").read_text())
        for stem in run["order"]
    ]
    return run, records


def whole(points: Any) -> Any:
    """Half points are allowed by hand; whole ones print without `.0`.

    >>> whole(2.0), whole(1.5), whole("")
    (2, 1.5, '')
    """
    is_number = isinstance(points, int | float) and not isinstance(points, bool)
    return int(points) if is_number and float(points).is_integer() else points


def totals(record: dict, run: dict, hand: dict[str, dict]) -> dict[str, Any]:
    """Automatic, hand-graded and total points of one record ('' when unscored)."""
    given = [
        entry["points"]
        for entry in hand.get(record["stem"], {}).values()
        if entry.get("points") is not None
    ]
    manual = whole(sum(given))
    if record["status"] in UNSCORED:
        return {"automatic": "", "hand_graded": "", "total": ""}
    return {
        "automatic": record["score"],
        "hand_graded": manual,
        "total": record["score"] + manual,
    }


def header(record: dict, run: dict, exercise: Exercise, hand: dict) -> list[str]:
    """The first lines of a feedback file: who, what, status and points."""
    points = totals(record, run, hand)
    maximum = run["automatic_max"] + run["manual_max"]
    lines = [
        f"Submission: {record['submission']}",
        f"Student: {record['student_id']}",
        f"Exercise: {exercise.title} ({exercise.id})",
        f"Status: {record['status']}: {STATUS_TEXT[record['status']]}",
    ]
    if points["total"] == "":
        return lines
    lines.append(f"Automatic score: {points['automatic']}/{run['automatic_max']}")
    if run["manual_max"]:
        lines.append(f"Written answers: {points['hand_graded']:g}/{run['manual_max']}")
    return [*lines, f"Total: {points['total']:g}/{maximum}"]


def feedback(
    record: dict, run: dict, exercise: Exercise, hand: dict, audience: str
) -> str:
    """The teacher's feedback (everything) or the student's (releasable)."""
    lines = header(record, run, exercise, hand)
    if audience == "teacher" and record.get("reason"):
        lines += ["Details:"] + quoted(record["reason"])
    if record["tests"]:
        lines += [""] + result_lines(record["tests"], audience)
    if exercise.questions and record["status"] not in NOT_SCORED:
        lines += [
            "",
            f"Written answers (graded by hand, {exercise.manual_points} points):",
        ]
        lines += answer_lines(
            list(exercise.questions),
            record.get("answers", {}),
            hand.get(record["stem"], {}),
            audience,
        )
    return "\n".join(lines) + "\n"


def write_submission(
    out: Path, record: dict, run: dict, exercise: Exercise, hand: dict
) -> None:
    """One submission's files: the record, both feedbacks and results.json."""
    # Imported here: gradescope builds on this module's totals and texts.
    from book.grading.gradescope import results_json

    stem = record["stem"]
    (out / "teacher" / f"{stem}.json").write_text(json.dumps(record, indent=1) + "\n")
    for audience, folder in (("teacher", "teacher"), ("student", "students")):
        text = feedback(record, run, exercise, hand, audience)
        (out / folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    (out / "gradescope" / stem).mkdir(exist_ok=True)
    (out / "gradescope" / stem / "results.json").write_text(
        json.dumps(results_json(record, run, exercise, hand), indent=1) + "\n"
    )


def _test_column(index: int, test: dict) -> str:
    return f"{'public' if test['public'] else 'hidden'} {index + 1}: {test['name']}"


def score_rows(run: dict, records: list[dict], hand: dict) -> list[dict]:
    """scores.csv's rows: id, status, each test's points, hand points, totals."""
    rows = []
    for record in records:
        row = {
            "student_id": record["student_id"],
            "submission": record["submission"],
            "status": record["status"],
        }
        earned = [t["earned"] for t in record["tests"]] or [""] * len(run["tests"])
        row |= {
            _test_column(i, t): e
            for i, (t, e) in enumerate(zip(run["tests"], earned, strict=True))
        }
        given = hand.get(record["stem"], {})
        row |= {
            f"hand {q['key']}": whole(given.get(q["key"], {}).get("points", ""))
            for q in run["questions"]
        }
        row |= totals(record, run, hand)
        row["max_score"] = run["automatic_max"] + run["manual_max"]
        rows.append(row)
    return rows


def _write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


def write_tables(out: Path, run: dict, records: list[dict], hand: dict) -> None:
    """scores.csv and lms.csv for the records so far, in submission order."""
    rows = score_rows(run, records, hand)
    fields = (
        ["student_id", "submission", "status"]
        + [_test_column(i, t) for i, t in enumerate(run["tests"])]
        + [f"hand {q['key']}" for q in run["questions"]]
        + ["automatic", "hand_graded", "total", "max_score"]
    )
    _write_csv(out / "scores.csv", rows, fields)
    lms = [
        {
            "student_id": r["student_id"],
            "total": r["total"],
            "max_score": r["max_score"],
        }
        for r in rows
    ]
    _write_csv(out / "lms.csv", lms, ["student_id", "total", "max_score"])


def write_hand_template(out: Path, run: dict, records: list[dict]) -> None:
    """hand_grades.csv: one row per written answer, `points` left for the teacher."""
    rows = [
        {
            "report": r["stem"],
            "student_id": r["student_id"],
            "question": q["key"],
            "max_points": q["points"],
            "points": "",
            "comment": "",
        }
        for r in records
        if r["status"] not in NOT_SCORED
        for q in run["questions"]
    ]
    if rows:
        _write_csv(out / HAND_FILE, rows, list(HAND_FIELDS))
