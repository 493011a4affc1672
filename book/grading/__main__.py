"""Command line of the grader, for the teacher.

    python -m book.grading list
    python -m book.grading grade --exercise ID --out DIR [--roster CSV] [--force]
                                 [--] SUBMISSION_OR_FOLDER ...
    python -m book.grading merge DIR
    python -m book.grading gradebook --out FILE DIR ...

A submission whose file name starts with `-` goes after `--`, which ends the
options: `grade --exercise ID --out DIR -- --out=x.ipynb`.

Exit status: 0 when it did its job (whatever the scores), 2 for a mistake on
the command line or in an input file (the message names the value and the
rule). Heavy modules are imported inside the commands: `list` reads plain data.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path


def seconds(text: str) -> float:
    """A time limit: a finite number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} must be a finite number of seconds above 0"
        )
    return value


def jobs(text: str) -> int:
    """How many submissions run at once: a whole number of at least 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number >= 1")
    return int(text)


def _list() -> int:
    from book.grading.answers import expected_answers

    for exercise_id, data in expected_answers().items():
        automatic = data["public_points"] + data["hidden_points"]
        print(
            f"{exercise_id}  {data['title']}: {automatic} points automatic "
            f"({data['public_points']} public, {data['hidden_points']} hidden), "
            f"{data['manual_points']} by hand"
        )
    return 0


def _grade(args: argparse.Namespace) -> int:
    from book.grading.batch import Request, grade_class
    from book.grading.exercises import EXERCISES
    from book.grading.grader import grade_many
    from book.grading.records import to_json
    from book.grading.sandbox import Limits, bwrap_path

    if args.exercise not in EXERCISES:
        raise ValueError(
            f"unknown exercise {args.exercise!r}; `python -m "
            f"book.grading list` shows them"
        )
    if args.roster and not args.roster.is_file():
        raise ValueError(f"--roster {args.roster}: no such file")
    use_bwrap = not args.no_sandbox
    if use_bwrap and bwrap_path() is None:
        print(
            "warning: bubblewrap (bwrap) is not installed: submissions run with "
            "limits but with network and file access",
            file=sys.stderr,
        )
    given = {"cell_seconds": args.cell_timeout, "cpu_seconds": args.timeout}
    limits = Limits(**{key: value for key, value in given.items() if value})

    def grading(paths: list[Path], progress) -> None:  # noqa: ANN001
        for result in grade_many(paths, args.exercise, limits, args.jobs, use_bwrap):
            progress(to_json(result))

    request = Request(
        EXERCISES[args.exercise], args.submissions, args.out, args.roster, args.force
    )
    grade_class(request, grading)
    print(
        f"wrote the reports to {args.out}: scores.csv, lms.csv, statistics.md; "
        f"feedback to release in {args.out / 'students'}"
    )
    return 0


def _merge(args: argparse.Namespace) -> int:
    from book.grading.exercises import EXERCISES
    from book.grading.manual import read_hand, ungraded
    from book.grading.reports import read_run, write_submission, write_tables
    from book.grading.statistics import write_statistics

    run, records = read_run(args.folder)
    exercise = EXERCISES[run["exercise"]]
    hand = read_hand(args.folder, run, {r["stem"] for r in records})
    for record in records:
        write_submission(args.folder, record, run, exercise, hand)
    write_tables(args.folder, run, records, hand)
    write_statistics(args.folder, run, records, hand)
    left = ungraded(hand, records, run)
    print(
        f"merged the hand grades into {args.folder}"
        + (f"; {left} written answer(s) have no points yet" if left else "")
    )
    return 0


def _gradebook(args: argparse.Namespace) -> int:
    from book.grading.gradebook import write_gradebook

    write_gradebook(args.out, args.folders)
    print(f"wrote {args.out}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line's parser, sub-command by sub-command."""
    main_parser = argparse.ArgumentParser(
        prog="python -m book.grading", description="Grade the course's exercises."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="each exercise id, title and points")
    _grade_options(commands.add_parser("grade", help="grade one exercise's work"))
    merge = commands.add_parser("merge", help="merge hand_grades.csv into a run")
    merge.add_argument("folder", type=Path, help="report folder of a run")
    book = commands.add_parser("gradebook", help="one table across exercises")
    book.add_argument("--out", required=True, type=Path, help="CSV file to write")
    book.add_argument("folders", nargs="+", type=Path, help="report folders")
    return main_parser


def _grade_options(grade: argparse.ArgumentParser) -> None:
    grade.add_argument("--exercise", required=True, help="exercise id (see list)")
    grade.add_argument("--out", required=True, type=Path, help="report folder")
    grade.add_argument(
        "--roster", type=Path, help="CSV with the columns student_id,submission"
    )
    grade.add_argument(
        "--force", action="store_true", help="replace an older run in --out"
    )
    grade.add_argument(
        "--jobs",
        type=jobs,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: CPU cores)",
    )
    grade.add_argument(
        "--timeout",
        type=seconds,
        default=None,
        help="CPU seconds for a whole submission, kernel start excluded (the "
        "wall clock stops it at 10x)",
    )
    grade.add_argument(
        "--cell-timeout", type=seconds, default=None, help="CPU seconds for one cell"
    )
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not use bubblewrap even where it is installed",
    )
    grade.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        help="notebooks or folders of notebooks; put -- before a "
        "name that starts with -",
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the sub-command."""
    command_line = parser()
    args = command_line.parse_args(argv)
    run = {
        "list": lambda a: _list(),
        "grade": _grade,
        "merge": _merge,
        "gradebook": _gradebook,
    }[args.command]
    try:
        return run(args)
    except ValueError as error:
        command_line.exit(2, f"{command_line.prog} {args.command}: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
