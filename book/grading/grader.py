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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat

from book.grading.exercises import EXERCISES
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


def _invalid(name: str, exercise: Exercise, reason: str) -> dict[str, Any]:
    return {"submission": name, "exercise": exercise.id, "status": "invalid",
            "score": 0, "max_score": max_points(exercise), "reason": reason,
            "tests": [], "answers": {}, "cells": []}


def grade_submission(
    path: Path, exercise: Exercise, scratch: Path, limits: Limits, bwrap: str | None,
) -> dict[str, Any]:
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
    request = {"notebook": NOTEBOOK_NAME, "calls": [t.request() for t in tests],
               "cell_seconds": limits.cell_seconds,
               "call_seconds": limits.call_seconds}
    command = [sys.executable, "-m", "book.grading.runner"]
    if bwrap:
        command = sandboxed(command, workdir, bwrap)
    home = HOME if bwrap else str(workdir)
    outcome = run_limited(command, json.dumps(request), workdir, limits,
                          _environment(home))
    shutil.rmtree(workdir, ignore_errors=True)
    report = _parse(outcome.stdout)
    if report is None:
        status = "timeout" if outcome.killed else "crashed"
        report = {"cells": [], "results": [None] * len(tests)}
    elif report["crashed"]:
        status = "crashed"
    elif report["timed_out"]:
        status = "timeout"
    else:
        status = "graded"
    results = [_judge(test, result) for test, result in
               zip(tests, report["results"], strict=True)]
    # all_tests lists the public tests first; names may repeat across the two.
    for index, entry in enumerate(results):
        entry["public"] = index < len(exercise.public)
    return {
        "submission": name, "exercise": exercise.id, "status": status,
        "score": sum(r["earned"] for r in results), "max_score": max_points(exercise),
        "reason": _reason(status, report, outcome.stderr),
        "tests": results, "answers": read_answers(notebook, exercise),
        "cells": report["cells"],
    }


def _parse(stdout: str) -> dict[str, Any] | None:
    lines = stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        return None
    return report if isinstance(report, dict) and "results" in report else None


def _judge(test: Test, result: dict | None) -> dict[str, Any]:
    if result is None:
        problem = "not run: the notebook stopped before the tests could run"
    else:
        try:
            problem = test.judge(result)
        except Exception as error:  # noqa: BLE001 - malformed data fails the test
            problem = f"could not judge the result ({type(error).__name__})"
    return {"name": test.name, "points": test.points,
            "earned": 0 if problem else test.points, "passed": problem is None,
            "problem": problem, "hint": test.hint}


def _reason(status: str, report: dict[str, Any], stderr: str) -> str:
    if status == "timeout":
        return "a cell or the whole run passed its time limit"
    if status == "crashed":
        return "the kernel died (exit, crash or memory limit): " + stderr[-300:]
    failing = [i for i, error in enumerate(report["cells"]) if error]
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


def grade_many(
    paths: list[Path], exercise_id: str, limits: Limits, jobs: int,
    use_bwrap: bool = True, progress: Callable[[dict], None] | None = None,
) -> list[dict[str, Any]]:
    """Grade submissions in parallel, `jobs` at a time; results in input order."""
    exercise = EXERCISES[exercise_id]
    bwrap = bwrap_path() if use_bwrap else None
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
        _font_cache(Path(scratch) / "matplotlib")
        def one(path: Path) -> dict[str, Any]:
            result = grade_submission(path, exercise, Path(scratch), limits, bwrap)
            result["sandbox"] = "bubblewrap" if bwrap else "none"
            if progress:
                progress(result)
            return result

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(one, paths))
