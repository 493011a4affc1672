"""Command line of the grader.

    python -m book.grading list
    python -m book.grading grade --exercise ID --out DIR SUBMISSION.ipynb ...
    python -m book.grading generate [--check]

Exit status: 0 when it did its job (whatever the scores), 2 for a usage error,
1 when `generate --check` finds exercises/ out of date.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from book.grading.exercises import EXERCISES
from book.grading.grader import grade_many, max_points
from book.grading.reports import write_reports
from book.grading.sandbox import Limits, bwrap_path


def _grade(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.exercise not in EXERCISES:
        parser.error(
            f"unknown exercise {args.exercise!r}; "
            f"`python -m book.grading list` shows them"
        )
    missing = [str(p) for p in args.submissions if not p.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} exists and is not a folder")
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    use_bwrap = not args.no_sandbox
    if use_bwrap and bwrap_path() is None:
        print(
            "warning: bubblewrap (bwrap) is not installed: submissions run with "
            "limits but with network and file access",
            file=sys.stderr,
        )
    limits = Limits(cell_seconds=args.cell_timeout, wall_seconds=args.timeout)

    def progress(result: dict) -> None:
        print(
            f"{result['status']:>8}  {result['score']:>3}/{result['max_score']:<3}"
            f"  {result['submission']}",
            flush=True,
        )

    results = grade_many(
        args.submissions, args.exercise, limits, args.jobs, use_bwrap, progress
    )
    write_reports(args.out, results, EXERCISES[args.exercise])
    print(f"wrote {args.out / 'scores.csv'} and a .json and .txt per submission")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m book.grading", description="Grade the course's exercises."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="print each exercise id and its maximum points")
    grade = commands.add_parser("grade", help="grade submissions of one exercise")
    grade.add_argument("--exercise", required=True, help="exercise id (see list)")
    grade.add_argument("--out", required=True, type=Path, help="report folder")
    grade.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: CPU cores)",
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=Limits.wall_seconds,
        help="seconds for a whole submission",
    )
    grade.add_argument(
        "--cell-timeout",
        type=float,
        default=Limits.cell_seconds,
        help="seconds for one cell",
    )
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not use bubblewrap even where it is installed",
    )
    grade.add_argument("submissions", nargs="+", type=Path)
    generate = commands.add_parser("generate", help="write exercises/ from solutions/")
    generate.add_argument(
        "--check",
        action="store_true",
        help="only report whether exercises/ is up to date",
    )
    args = parser.parse_args(argv)
    if args.command == "list":
        for exercise in EXERCISES.values():
            print(
                f"{exercise.id}  {max_points(exercise)} points automatic, "
                f"{exercise.manual_points} by hand"
            )
        return 0
    if args.command == "grade":
        return _grade(args, parser)
    from book.grading.generate import main as generate_main

    return generate_main(check_only=args.check)


if __name__ == "__main__":
    sys.exit(main())
