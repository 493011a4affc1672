"""Grade many copies of a correct submission and compare with the floor.

Usage: python benchmarks/grading_speed.py [--copies 30] [--jobs 2]
       [--exercise ex5_cross_correlation] [--looping] [--no-loaded]

The floor is what no grader can avoid: per submission, start a kernel and
import the exercise's libraries (the notebook's first cell and the grading
module), here timed as the best of --repeat runs; the batch floor is that,
times the copies, divided by the workers. The same batch is then graded
again with one busy process per core: it takes longer, but every status and
score must be the same, since limits count CPU time. With --looping, one more
submission that loops forever (ignoring interrupts) is added, to show that it
delays the batch by at most its own time limit.

Print ratios, and run it on a quiet machine: its numbers mean nothing on one
that other jobs keep busy.
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from notebook_speed import best_time, kernels_use_this_environment

from book.grading.exercises import EXERCISES
from book.grading.grader import grade_many
from book.grading.records import SubmissionResult
from book.grading.sandbox import Limits, bwrap_path

ROOT = Path(__file__).resolve().parents[1]
FLOOR_CELL = (
    "from book.notebook import setup_notebook\n\nsetup_notebook()\n"
    "import torch.nn.functional as F\nimport book.grading.probe"
)
BURN = "while True:\n    pass\n"
LOOP_CELL = (
    "while True:\n    try:\n        while True:\n            pass\n"
    "    except BaseException:\n        pass"
)


def batch_seconds(
    paths: list[Path], exercise: str, jobs: int, limits: Limits
) -> tuple[float, list[SubmissionResult]]:
    """Wall time to grade `paths`, and the results."""
    start = time.perf_counter()
    results = list(grade_many(paths, exercise, limits, jobs))
    return time.perf_counter() - start, results


def loaded(
    paths: list[Path], exercise: str, jobs: int, limits: Limits
) -> tuple[float, list[SubmissionResult]]:
    """`batch_seconds` with one busy process per core running beside it."""
    burners = [
        subprocess.Popen([sys.executable, "-c", BURN])
        for _ in range(os.cpu_count() or 1)
    ]
    try:
        return batch_seconds(paths, exercise, jobs, limits)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def verdicts(results: list[SubmissionResult]) -> list[tuple[str, int]]:
    """Status and score of each result, in order."""
    return [(r.status, r.score) for r in results]


def main(argv: list[str] | None = None) -> int:
    """Print the floor, the batch time and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--exercise", default="ex5_cross_correlation", choices=sorted(EXERCISES)
    )
    parser.add_argument("--repeat", type=int, default=2, help="floor runs")
    parser.add_argument("--looping", action="store_true")
    parser.add_argument(
        "--no-loaded",
        action="store_true",
        help="skip the run with every core kept busy",
    )
    parser.add_argument(
        "--timeout", type=float, default=60, help="CPU seconds per submission"
    )
    args = parser.parse_args(argv)
    if args.copies < 1 or args.jobs < 1 or args.repeat < 1:
        parser.error("--copies, --jobs and --repeat must be at least 1")
    kernels_use_this_environment()
    solution = nbformat.read(ROOT / "solutions" / f"{args.exercise}.ipynb", 4)
    limits = Limits(cpu_seconds=args.timeout)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index in range(args.copies):
            paths.append(Path(folder) / f"student_{index:02d}.ipynb")
            nbformat.write(solution, paths[-1])
        # Start a kernel and import what an exercise needs.
        floor_cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
        one = best_time(nbformat.v4.new_notebook(cells=floor_cells), ROOT, args.repeat)
        floor = args.copies * one / args.jobs
        wall, results = batch_seconds(paths, args.exercise, args.jobs, limits)
        full = {r.score == r.max_score and r.status == "graded" for r in results}
        print(
            f"{os.cpu_count()} CPU cores, {args.jobs} workers, sandbox: "
            f"{'bubblewrap' if bwrap_path() else 'none'}"
        )
        print(f"kernel start + imports (best of {args.repeat}): {one:.1f} s")
        print(f"floor for {args.copies} submissions: {floor:.1f} s")
        print(
            f"grading {args.copies} correct submissions: {wall:.1f} s "
            f"(all full marks: {full == {True}})"
        )
        print(f"ratio to the floor: {wall / floor:.2f}")
        same = True
        if not args.no_loaded:
            busy, busy_results = loaded(paths, args.exercise, args.jobs, limits)
            same = verdicts(busy_results) == verdicts(results)
            print(
                f"with every core busy: {busy:.1f} s, ratio to the quiet run "
                f"{busy / wall:.2f}; statuses and scores identical: {same}"
            )
        if args.looping:
            looping = copy.deepcopy(solution)
            looping.cells.insert(2, nbformat.v4.new_code_cell(LOOP_CELL))
            paths.append(Path(folder) / "looping.ipynb")
            nbformat.write(looping, paths[-1])
            with_loop, results = batch_seconds(paths, args.exercise, args.jobs, limits)
            print(
                f"with one looping submission: {with_loop:.1f} s, "
                f"{with_loop - wall:+.1f} s (its limit: {args.timeout:.0f} CPU s; "
                f"status {results[-1].status})"
            )
    # A wrong verdict is a failure whatever the times were.
    return 0 if full == {True} and same else 1


if __name__ == "__main__":
    sys.exit(main())
