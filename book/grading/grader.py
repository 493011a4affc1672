"""The teacher's grader: run each submission in a sandbox, judge the plain results.

Each submission is copied into a fresh folder; the copy runs in its own process
group with limits (see `book.grading.sandbox`); the hidden and public tests are
judged here, outside the student's process, from the JSON the run printed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from book.grading.exercises import EXERCISES
from book.grading.records import (
    ProbeReport,
    RecordError,
    Status,
    SubmissionResult,
    TestOutcome,
    Value,
    report_from_json,
    to_json,
)
from book.grading.sandbox import HOME, Limits, bwrap_path, run_limited, sandboxed
from book.grading.spec import Exercise, Test

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
    # Kernels run `python` from PATH; every cache goes into the submission's copy.
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


def grade_submission(
    path: Path,
    exercise: Exercise,
    scratch: Path,
    limits: Limits,
    bwrap: str | None,
) -> SubmissionResult:
    """Grade one submission; never raises for anything the submission contains."""
    name = str(path)
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 - any unreadable file is invalid
        return _invalid(name, exercise, f"not a readable notebook: {error}"[:300])
    workdir = Path(tempfile.mkdtemp(dir=scratch))
    # A copy: the submitted file is never opened for writing, nor shown to it.
    shutil.copyfile(path, workdir / NOTEBOOK_NAME)
    # matplotlib's font list, built once: building it costs seconds per kernel.
    shutil.copytree(scratch / "matplotlib", workdir / ".cache" / "matplotlib")
    tests = all_tests(exercise)
    request = {
        "notebook": NOTEBOOK_NAME,
        "calls": [to_json(t.request()) for t in tests],
        "cell_seconds": limits.cell_seconds,
        "call_seconds": limits.call_seconds,
    }
    command = [sys.executable, "-m", "book.grading.runner"]
    if bwrap:
        command = sandboxed(command, workdir, bwrap)
    home = HOME if bwrap else str(workdir)
    outcome = run_limited(
        command, json.dumps(request), workdir, limits, _environment(home)
    )
    shutil.rmtree(workdir, ignore_errors=True)
    report = _parse(outcome.stdout, len(tests))
    status: Status
    if report is None:
        status = "timeout" if outcome.killed else "crashed"
        report = ProbeReport(
            cells=(),
            crashed=True,
            timed_out=outcome.killed,
            results=(None,) * len(tests),
        )
    elif report.crashed:
        status = "crashed"
    elif report.timed_out:
        status = "timeout"
    else:
        status = "graded"
    # all_tests lists the public tests first; names may repeat across the two.
    results = tuple(
        _judge(test, result, index < len(exercise.public))
        for index, (test, result) in enumerate(zip(tests, report.results, strict=True))
    )
    return SubmissionResult(
        submission=name,
        exercise=exercise.id,
        status=status,
        score=sum(r.earned for r in results),
        max_score=max_points(exercise),
        reason=_reason(status, report, outcome.stderr),
        tests=results,
        answers=read_answers(notebook, exercise),
        cells=report.cells,
        sandbox="bubblewrap" if bwrap else "none",
    )


def _parse(stdout: str, calls: int) -> ProbeReport | None:
    lines = stdout.strip().splitlines()
    try:
        return report_from_json(json.loads(lines[-1]), calls) if lines else None
    except (json.JSONDecodeError, RecordError):
        return None


def _judge(test: Test, result: Value | None, public: bool) -> TestOutcome:
    if result is None:
        problem = "not run: the notebook stopped before the tests could run"
    else:
        try:
            problem = test.judge(result)
        except Exception as error:  # noqa: BLE001 - malformed data fails the test
            problem = f"could not judge the result ({type(error).__name__})"
    return TestOutcome(
        name=test.name,
        public=public,
        points=test.points,
        earned=0 if problem else test.points,
        passed=problem is None,
        problem=problem,
        hint=test.hint,
    )


def _reason(status: str, report: ProbeReport, stderr: str) -> str:
    if status == "timeout":
        return "a cell or the whole run passed its time limit"
    if status == "crashed":
        return "the kernel died (exit, crash or memory limit): " + stderr[-300:]
    failing = [i for i, error in enumerate(report.cells) if error]
    if failing:
        return f"code cells {failing} raised an error"
    return ""


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
    exercise = EXERCISES[exercise_id]
    bwrap = bwrap_path() if use_bwrap else None
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
        _font_cache(Path(scratch) / "matplotlib")

        def one(path: Path) -> SubmissionResult:
            try:
                return grade_submission(path, exercise, Path(scratch), limits, bwrap)
            except Exception as error:  # noqa: BLE001 - see _grader_error
                return _grader_error(path, exercise, error)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            # map hands results back in input order, each as soon as it and
            # every earlier one are done.
            yield from pool.map(one, paths)
