"""Grade a class: submissions in, a report folder out, written as results come.

The sandboxed grading of each notebook is `book.grading.grader`'s; this module
decides what to grade (folders, roster, another exercise's notebook, students
without a file), writes each result the moment it is known, prints progress in
submission order, and ends with the class tables and statistics.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from book.grading.reports import (
    RUN_FILE,
    prepare_folder,
    run_description,
    write_hand_template,
    write_submission,
    write_tables,
)
from book.grading.spec import Exercise
from book.grading.submissions import Submission, expand, identify, match, read_roster


@dataclass(frozen=True)
class Request:
    """What the teacher asked for on the command line."""

    exercise: Exercise
    paths: list[Path]
    out: Path
    roster: Path | None = None
    force: bool = False


def readable(value: Any) -> Any:
    """`value` with every string made writable as UTF-8 (file names of any encoding
    come back from the file system with surrogate escapes)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(value, list):
        return [readable(item) for item in value]
    if isinstance(value, dict):
        return {readable(key): readable(item) for key, item in value.items()}
    return value


def unscored(sub: Submission, status: str, reason: str) -> dict[str, Any]:
    """The record of a submission that was not run: missing, or another exercise's."""
    return {
        "student_id": sub.student_id,
        "submission": sub.name,
        "stem": sub.stem,
        "status": status,
        "reason": reason,
        "score": 0,
        "tests": [],
        "answers": {},
    }


def _triage(request: Request, subs: list[Submission]) -> dict[int, dict[str, Any]]:
    """Records decided before running anything: missing files, wrong exercises."""
    from book.grading.exercises import EXERCISES
    from book.grading.grader import all_tests

    targets = {eid: {t.target for t in all_tests(e)} for eid, e in EXERCISES.items()}
    decided = {}
    for index, sub in enumerate(subs):
        if sub.path is None:
            decided[index] = unscored(sub, "missing", "on the roster, no file given")
            continue
        found = identify(sub.path, targets)
        if found and request.exercise.id not in found:
            decided[index] = unscored(
                sub,
                "wrong-exercise",
                f"this notebook is {' or '.join(sorted(found))}, not "
                f"{request.exercise.id}: grade it with that exercise",
            )
    return decided


class Collector:
    """Writes each record as it arrives; prints them in submission order."""

    def __init__(
        self, out: Path, run: dict, exercise: Exercise, echo: Callable[[str], None]
    ) -> None:
        self.out, self.run, self.exercise, self.echo = out, run, exercise, echo
        self.records: list[dict | None] = [None] * len(run["order"])
        self.printed = 0
        self.lock = threading.Lock()

    def add(self, index: int, record: dict[str, Any]) -> None:
        """Store, write and (in order) print one record; never raises."""
        with self.lock:
            self.records[index] = record
            try:
                write_submission(self.out, record, self.run, self.exercise, {})
                write_tables(self.out, self.run, self.done(), {})
            except Exception as error:  # noqa: BLE001 - one report must not stop all
                self.echo(f"could not write the report of {record['stem']}: {error}")
            while self.printed < len(self.records) and self.records[self.printed]:
                self.echo(self.line(self.records[self.printed]))
                self.printed += 1

    def done(self) -> list[dict]:
        """The records known so far, in submission order."""
        return [record for record in self.records if record is not None]

    def line(self, record: dict) -> str:
        """One progress line: status, automatic score, student and file."""
        score = (
            ""
            if record["status"] == "wrong-exercise"
            else f"{record['score']}/{self.run['automatic_max']}"
        )
        return (
            f"{record['status']:>14}  {score:>7}  {record['student_id']}  "
            f"({record['submission']})"
        )


def grade_class(
    request: Request, grading: Callable[..., Any], echo: Callable[[str], None] = print
) -> list[dict]:
    """Grade every submission; `grading(paths, progress)` runs the grader."""
    from book.grading.grader import all_tests

    files = expand(request.paths)
    roster = read_roster(request.roster) if request.roster else None
    subs = match(files, roster)
    prepare_folder(request.out, request.force)
    for sub in subs:
        if roster is not None and sub.path and sub.name not in roster:
            echo(
                f"warning: {sub.name} is not on the roster; its id is {sub.student_id}"
            )
    exercise = request.exercise
    tests = [
        {"name": t.name, "points": t.points, "public": i < len(exercise.public)}
        for i, t in enumerate(all_tests(exercise))
    ]
    run = readable(run_description(exercise, tests, [s.stem for s in subs]))
    (request.out / RUN_FILE).write_text(json.dumps(run, indent=1) + "\n")
    collector = Collector(request.out, run, exercise, echo)
    decided = _triage(request, subs)
    waiting = {str(sub.path): i for i, sub in enumerate(subs) if i not in decided}

    def progress(result: dict[str, Any]) -> None:
        index = waiting.pop(result["submission"])
        sub = subs[index]
        record = {
            **result,
            "submission": sub.name,
            "student_id": sub.student_id,
            "stem": sub.stem,
        }
        collector.add(index, readable(record))

    for index, record in decided.items():
        collector.add(index, record)
    grading([subs[i].path for i in sorted(waiting.values())], progress)
    return finish(request.out, run, exercise, collector.done())


def finish(out: Path, run: dict, exercise: Exercise, records: list[dict]) -> list[dict]:
    """The class-level files once every record is in."""
    from book.grading.statistics import write_statistics

    write_tables(out, run, records, {})
    write_hand_template(out, run, records)
    write_statistics(out, run, records, {})
    return records
