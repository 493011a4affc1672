"""What the grader writes: scores.csv, one JSON file and one feedback file each."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from book.grading.records import SubmissionResult, to_json
from book.grading.spec import Exercise

CSV_FIELDS = ("submission", "exercise", "score", "max_score", "status")


def report_stem(index: int, submission: str) -> str:
    """A file-name-safe stem, numbered so that equal names in two folders differ.

    >>> report_stem(3, "class/ada lovelace.ipynb")
    '003_ada_lovelace'
    """
    name = Path(submission).stem
    return f"{index:03d}_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def feedback(result: SubmissionResult, exercise: Exercise) -> str:
    """A readable feedback file: every test, then the answers with their rubric."""
    lines = [
        f"Submission: {result.submission}",
        f"Exercise: {exercise.title} ({exercise.id})",
        f"Status: {result.status}" + (f" ({result.reason})" if result.reason
                                      else ""),
        f"Automatic score: {result.score}/{result.max_score}",
        "",
        "Tests:",
    ]
    for test in result.tests:
        kind = "public" if test.public else "hidden"
        mark = "PASS" if test.passed else "FAIL"
        lines.append(f"  {mark}  [{test.earned}/{test.points}] ({kind}) "
                     f"{test.name}")
        if not test.passed:
            lines.append(f"        {test.problem}")
            if test.hint:
                lines.append(f"        hint: {test.hint}")
    if exercise.questions:
        lines += ["", f"Written answers (graded by hand, "
                      f"{exercise.manual_points} points):"]
    for question in exercise.questions:
        answer = result.answers.get(question.key, "") or "(no answer found)"
        lines += ["", f"[{question.key}] {question.prompt} ({question.points} points)",
                  f"Rubric: {question.rubric}", "Answer:", answer]
    return "\n".join(lines) + "\n"


def write_reports(
    out: Path, results: list[SubmissionResult], exercise: Exercise
) -> None:
    """Write scores.csv, and per submission NNN_name.json and NNN_name.txt, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "scores.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(to_json(result) for result in results)
    for index, result in enumerate(results, start=1):
        stem = report_stem(index, result.submission)
        (out / f"{stem}.json").write_text(json.dumps(to_json(result), indent=2)
                                          + "\n")
        (out / f"{stem}.txt").write_text(feedback(result, exercise))
