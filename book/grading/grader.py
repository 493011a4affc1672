"""The teacher's grader: run each submission in a sandbox, judge the plain results.

Each submission is read with care (`book.grading.untrusted`), checked for
hand-offs of the asked-for work (`book.grading.policy`), and run in a fresh
home, in a sandbox, in a control group of its own (`book.grading.sandbox`,
`book.grading.limits`). The hidden and public tests are judged here, outside
the student's process, from the report the run sent on its own channel
(`book.grading.judging`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import nbformat

from book.grading.exercises import EXERCISES
from book.grading.judging import judge_all, quoted
from book.grading.limits import Cgroup, cgroups_available, mount_home, unmount
from book.grading.policy import rule_for, static_delegations
from book.grading.records import (
    ProbeReport,
    RecordError,
    Status,
    SubmissionResult,
    report_from_json,
    to_json,
)
from book.grading.sandbox import (
    HOME,
    SEED,
    Limits,
    Outcome,
    bwrap_path,
    minimal_book,
    run_limited,
    sandboxed,
)
from book.grading.spec import Exercise, Test
from book.grading.untrusted import Refused, read_notebook

NOTEBOOK_NAME = "submission.ipynb"


def all_tests(exercise: Exercise) -> tuple[Test, ...]:
    """Public then hidden tests of an exercise (the hidden ones only here)."""
    from book.grading.hidden import HIDDEN_TESTS

    return exercise.public + HIDDEN_TESTS[exercise.id]


def max_points(exercise: Exercise) -> int:
    """The automatic points of an exercise: its public and hidden tests."""
    return sum(test.points for test in all_tests(exercise))


def read_answers(notebook: nbformat.NotebookNode, exercise: Exercise) -> dict:
    """Free-text answers: markdown cells tagged `answer:<question key>`."""
    answers = {q.key: "" for q in exercise.questions}
    for cell in notebook.cells:
        for tag in cell.metadata.get("tags", []):
            key = tag.removeprefix("answer:")
            if tag.startswith("answer:") and key in answers:
                answers[key] = cell.source.strip()
    return answers


def _environment(home: str) -> dict[str, str]:
    # Kernels run `python` from PATH; every cache goes into the submission's home.
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": home,
        "MPLCONFIGDIR": f"{home}/.cache/matplotlib",
        "IPYTHONDIR": f"{home}/.cache/ipython",
        "JUPYTER_RUNTIME_DIR": f"{home}/.cache/jupyter",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }


@dataclass(frozen=True)
class Batch:
    """What every submission of a batch shares: the exercise, limits and sandbox."""

    exercise: Exercise
    limits: Limits
    scratch: Path
    bwrap: str | None
    cgroups: bool

    @property
    def library(self) -> Path:
        """The minimal `book` package the sandbox shows."""
        return self.scratch / "library"


def _invalid(name: str, exercise: Exercise, reason: str) -> SubmissionResult:
    return SubmissionResult(
        submission=name,
        exercise=exercise.id,
        status="invalid",
        score=0,
        max_score=max_points(exercise),
        reason=reason,
        tests=(),
        answers={},
        cells=(),
    )


def _request(tests: tuple[Test, ...], batch: Batch, notebook: str, seed: str) -> dict:
    calls = [
        to_json(test.request())
        | {"forbidden": sorted(rule_for(batch.exercise.id, test.target).forbidden)}
        for test in tests
    ]
    return {
        "notebook": notebook,
        "seed": seed,
        "calls": calls,
        "cell_seconds": batch.limits.cell_seconds,
        "call_seconds": batch.limits.call_seconds,
        "wall_factor": batch.limits.wall_factor,
    }


def _run(
    notebook: nbformat.NotebookNode, tests: tuple[Test, ...], batch: Batch
) -> Outcome:
    """Run the notebook in a fresh home, sandboxed where bubblewrap is installed."""
    with ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(dir=batch.scratch))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        home = workdir / "home"
        home.mkdir()
        mounted = batch.bwrap is not None and mount_home(home, batch.limits)
        if mounted:
            stack.callback(unmount, home)
        # A copy: the submitted file is never opened for writing, nor shown.
        nbformat.write(notebook, home / NOTEBOOK_NAME)
        shutil.copytree(batch.scratch / "matplotlib", home / ".cache" / "matplotlib")
        command = [sys.executable, "-m", "book.grading.runner"]
        inside = str(home)
        if batch.bwrap:
            command = sandboxed(
                command, home, batch.library, batch.bwrap, batch.limits, mounted
            )
            inside = HOME
        seed = "" if mounted or not batch.bwrap else SEED
        group = Cgroup(batch.limits) if batch.cgroups else None
        request = _request(tests, batch, f"{inside}/{NOTEBOOK_NAME}", seed)
        return run_limited(
            command,
            json.dumps(request),
            workdir,
            batch.limits,
            _environment(inside),
            group,
        )


def grade_submission(path: Path, batch: Batch) -> SubmissionResult:
    """Grade one submission; never raises for anything the submission contains."""
    name, exercise = str(path), batch.exercise
    try:
        notebook = read_notebook(path)
    except Refused as refusal:
        return _invalid(name, exercise, f"the file {refusal}")
    tests = all_tests(exercise)
    sources = [c.source for c in notebook.cells if c.cell_type == "code"]
    static = static_delegations(exercise.id, sources, {t.target for t in tests})
    outcome = _run(notebook, tests, batch)
    report, status, reason = _verdict(outcome, len(tests))
    delegations = {
        i: static[t.target] for i, t in enumerate(tests) if t.target in static
    }
    for index, tripped in report.delegations.items():
        delegations.setdefault(index, tripped)
    results = judge_all(tests, report.results, len(exercise.public), delegations)
    failing = [i for i, error in enumerate(report.cells) if error]
    if status == "graded" and failing:
        reason = f"code cells {failing} raised an error"
    return SubmissionResult(
        submission=name,
        exercise=exercise.id,
        status=status,
        score=sum(r.earned for r in results),
        max_score=max_points(exercise),
        reason=reason,
        tests=results,
        answers=read_answers(notebook, exercise),
        cells=report.cells,
        sandbox="bubblewrap" if batch.bwrap else "none",
        cpu_seconds=outcome.cpu_seconds,
        accounting=outcome.accounting,
    )


def _report(channel: str, calls: int) -> ProbeReport | None:
    """The report the runner sent last on its channel, or None if none is valid."""
    lines = channel.rstrip("\n").split("\n")
    try:
        message = json.loads(lines[-1])
        return report_from_json(message["report"], calls)
    except (ValueError, KeyError, TypeError, RecordError):
        return None


def _verdict(outcome: Outcome, calls: int) -> tuple[ProbeReport, Status, str]:
    """The run's report (empty if it sent none), its status and why."""
    report = _report(outcome.channel, calls)
    empty = ProbeReport(
        cells=(), crashed=True, timed_out=False, results=(None,) * calls
    )
    if outcome.killed:
        flooded = outcome.killed.startswith("the run sent")
        return report or empty, "crashed" if flooded else "timeout", outcome.killed
    if report is None:
        return (
            empty,
            "crashed",
            (
                "the run ended without a report (a crash, or "
                "the memory or process limit): " + quoted(outcome.stderr[-300:])
            ),
        )
    if report.crashed:
        return report, "crashed", "the kernel died (exit, crash or memory limit)"
    if report.timed_out:
        return report, "timeout", "a cell or a call passed its CPU time limit"
    return report, "graded", ""


def _font_cache(folder: Path) -> None:
    """Copy this environment's matplotlib font list into `folder`, building it once."""
    import matplotlib
    import matplotlib.font_manager  # noqa: F401 - builds the font list if missing

    folder.mkdir(parents=True)
    for cached in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
        shutil.copy(cached, folder)


def _grader_error(path: Path, exercise: Exercise, error: Exception) -> SubmissionResult:
    # A bug of ours, or a file system surprise: this submission is reported, the
    # batch goes on.
    return SubmissionResult(
        submission=str(path),
        exercise=exercise.id,
        status="crashed",
        score=0,
        max_score=max_points(exercise),
        reason=f"the grader could not finish this submission ({type(error).__name__})",
        tests=(),
        answers={},
        cells=(),
    )


def grade_many(
    paths: list[Path],
    exercise_id: str,
    limits: Limits,
    jobs: int,
    use_bwrap: bool = True,
) -> Iterator[SubmissionResult]:
    """Grade submissions, `jobs` at a time; yield each result in submission order.

    One submission can never stop the batch: whatever goes wrong with it is
    its own result.
    """
    bwrap = bwrap_path() if use_bwrap else None
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
        batch = Batch(
            EXERCISES[exercise_id], limits, Path(scratch), bwrap, cgroups_available()
        )
        _font_cache(batch.scratch / "matplotlib")
        minimal_book(batch.library)

        def one(path: Path) -> SubmissionResult:
            try:
                return grade_submission(path, batch)
            except Exception as error:  # noqa: BLE001 - see _grader_error
                return _grader_error(path, batch.exercise, error)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            # map hands results back in input order, each as soon as it and
            # every earlier one are done.
            yield from pool.map(one, paths)
