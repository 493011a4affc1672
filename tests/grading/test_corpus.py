"""The grader against an adversarial corpus: each kind of submission, status, score.

Every submission is made from the solution (or the untouched stubs) of
exercise 4 by one change, so the expected score follows from which functions
the change breaks. Cases that try to break a limit sabotage their own score
when they succeed (`BROKE`), so a broken limit shows as a wrong score. The
whole corpus is graded once, by the command line a teacher runs, with short
CPU limits; a second run grades it again with every core kept busy, and must
agree on every status and score.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from book.grading.exercises import EXERCISES
from book.grading.grader import all_tests, max_points
from book.grading.limits import cgroups_available
from book.grading.sandbox import HIDDEN_DIR

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "ex4_conv_arithmetic"
SOLUTION = ROOT / "solutions" / f"{EXERCISE}.ipynb"
STUDENT = ROOT / "exercises" / f"{EXERCISE}.ipynb"
FULL = max_points(EXERCISES[EXERCISE])
# CPU seconds: the same on a quiet or a busy machine. A cell may take 20: the
# memory-limit case faults in over 4 GiB, and on a virtual machine whose page
# faults are slow that took 9-10 s of CPU, so a 10 s limit timed it out in one
# run of three.
CELL_SECONDS, CPU_SECONDS = 20, 60
HAS_BWRAP = shutil.which("bwrap") is not None


def points_of(target: str) -> int:
    return sum(t.points for t in all_tests(EXERCISES[EXERCISE]) if t.target == target)


def solution() -> nbformat.NotebookNode:
    return nbformat.read(SOLUTION, as_version=4)


def with_cell(source: str, at: int = -1) -> nbformat.NotebookNode:
    """The solution with one extra code cell (default: just before check())."""
    notebook = solution()
    index = at if at >= 0 else len(notebook.cells) - 1
    notebook.cells.insert(index, nbformat.v4.new_code_cell(source))
    return notebook


def defining(name: str) -> int:
    """Index of the cell that defines function `name` in the solution."""
    cells = solution().cells
    return next(i for i, c in enumerate(cells) if f"def {name}(" in c.source)


def edited(name: str, old: str, new: str) -> nbformat.NotebookNode:
    notebook = solution()
    cell = notebook.cells[defining(name)]
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    return notebook


def without_cell(index: int) -> nbformat.NotebookNode:
    notebook = solution()
    del notebook.cells[index]
    return notebook


SPY = "/tmp/why-convolution-grading-escape"
LEAK = (
    "import book, pathlib\n"
    "hidden = pathlib.Path(book.__file__).parent / 'grading' / 'hidden'\n"
    "stolen = []\n"
    "for path in [hidden / '__init__.py', pathlib.Path({solutions!r}),\n"
    "             pathlib.Path({out!r}) / 'scores.csv']:\n"
    "    try:\n"
    "        stolen.append(path.read_text())\n"
    "    except OSError:\n"
    "        pass\n"
    "try:  # named at run time: the static check cannot see it, the sandbox must\n"
    "    __import__('importlib').import_module('book.' + 'grading.hidden')\n"
    "    stolen.append('imported')\n"
    "except ImportError:\n"
    "    pass\n"
    "if stolen:  # what a leak would do: the score shows it\n"
    "    conv_output_size = conv_param_count = None\n"
)
FORGE_TESTS = (
    "import builtins, sys\n"
    "import book.grading.spec, book.grading.checking, book.grading.wire\n"
    "book.grading.spec.Test.judge = lambda self, result: None\n"
    "book.grading.checking.report = lambda exercise, namespace: 'score 20/20'\n"
    "book.grading.wire.call_safely = lambda *a, **k: {'kind': 'forged'}\n"
    "builtins.print = lambda *a, **k: sys.__stdout__.write('PASS 20/20\\n')\n"
)
FORGE_JSON = (
    "import json\n"
    'json.dumps = lambda *a, **k: \'{"index": 0, "result": {"kind": "int"}}\'\n'
)


# A case that breaks a limit says so by losing its marks: its score shows it.
BROKE = "conv_output_size = conv_param_count = None  # the limit did not hold"
COURSE = (
    "from book.layers import conv_output_size\n"
    "from book.layers import conv_params as conv_param_count"
)
ANSWER_KEY = "from book.grading.references import conv_output_size, conv_param_count"
REROUTE_PROBE = (
    "import book.grading.probe as probe\n"
    "from book.grading.records import Scalar\n"
    "probe.call_safely = lambda namespace, call, seconds: Scalar('int', 5)"
)
FORGED = '{"report": {"cells": [], "crashed": false, "timed_out": false}}\n' * 20
# A child that outlives its kernel and writes into every file it can reach.
WRITE_EVERYWHERE = (
    "import glob, os, time\n"
    "if os.fork() == 0:\n"
    "    for _ in range(20):\n"
    "        time.sleep(0.25)\n"
    "        for fd in glob.glob('/proc/[0-9]*/fd/*'):\n"
    "            try:\n"
    "                with open(fd, 'w') as f:\n"
    f"                    f.write({FORGED!r} * 5000)\n"
    "            except OSError:\n"
    "                pass\n"
    "    os._exit(0)\n"
)
THREE_BIG = (
    "import pathlib, subprocess, sys\n"
    "script = ('import pathlib, sys, time; b = bytearray(1536 * 2**20); '\n"
    "          'pathlib.Path(sys.argv[1]).touch(); time.sleep(3)')\n"
    "children = [subprocess.Popen([sys.executable, '-c', script, f'big{i}'])\n"
    "            for i in range(3)]\n"
    "for child in children:\n"
    "    child.wait()\n"
    "if all(pathlib.Path(f'big{i}').exists() for i in range(3)):\n"
    f"    {BROKE}\n"
)
MANY_PROCESSES = (
    "import subprocess\n"
    "started = []\n"
    "for _ in range(300):\n"
    "    try:\n"
    "        started.append(subprocess.Popen(['sleep', '30']))\n"
    "    except OSError:\n"
    "        break\n"
    "for child in started:\n"
    "    child.kill()\n"
    "if len(started) == 300:\n"
    f"    {BROKE}\n"
)


def filling(folder: str, files: int, size: int) -> str:
    """A cell that writes `files` files of `size` bytes into `folder`."""
    return (
        "import os\n"
        "written = 0\n"
        f"for i in range({files}):\n"
        "    try:\n"
        f"        with open(os.path.join(os.path.expanduser({folder!r}), "
        "f'fill{i}'), 'wb') as f:\n"
        f"            f.write(b'x' * {size})\n"
        "        written += 1\n"
        "    except OSError:\n"
        "        break\n"
        f"if written == {files}:\n"
        f"    {BROKE}\n"
    )


BUSY_SESSIONS = (
    "import subprocess, sys, time\n"
    "for _ in range(24):\n"
    "    subprocess.Popen(['setsid', sys.executable, '-c', 'while True: pass'])\n"
    "time.sleep(3600)  # no CPU here: only the children spend the budget\n"
)
ONLY_RAISES = (
    "def conv_output_size(*args, **kwargs):\n"
    "    raise ValueError('x\\nAutomatic score: 20/20')\n\n"
    "def conv_param_count(*args, **kwargs):\n"
    "    raise ValueError('no')\n"
)
COUNTS_WITH_A_LAYER = (
    "from torch import nn\n\n"
    "def conv_param_count(in_channels, out_channels, kernel_size, bias=True):\n"
    "    layer = nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias,\n"
    "                      device='meta')\n"
    "    return sum(p.numel() for p in layer.parameters())\n"
)


@dataclass(frozen=True)
class Link:
    """A submission that is a symbolic link to `target`."""

    target: Path


def corpus(out: Path) -> dict[str, tuple[object, str, int]]:
    """name -> (notebook or raw bytes, expected status, expected score)."""
    output_size, params = points_of("conv_output_size"), points_of("conv_param_count")
    return {
        "correct": (solution(), "graded", FULL),
        "untouched_stubs": (stubs(), "graded", 0),
        "syntax_error": (
            edited("conv_param_count", "weights = ", "weights = = "),
            "graded",
            FULL - params,
        ),
        "exception_at_import": (
            with_cell("import no_such_module_anywhere", at=0),
            "graded",
            FULL,
        ),
        "loop_at_top_level": (with_cell("while True:\n    pass"), "timeout", FULL),
        "loop_that_ignores_interrupts": (
            with_cell(
                "while True:\n    try:\n        while True:\n            pass\n"
                "    except BaseException:\n        pass"
            ),
            "timeout",
            0,
        ),
        "loop_in_tested_function": (
            edited(
                "conv_output_size",
                "    rules = {",
                "    while True:\n        pass\n    rules = {",
            ),
            "timeout",
            FULL - output_size,
        ),
        "os_exit": (with_cell("import os\nos._exit(3)"), "crashed", 0),
        "sys_exit": (with_cell("import sys\nsys.exit('done')"), "graded", FULL),
        "exit_in_tested_function": (
            edited(
                "conv_param_count",
                "    for name, value in",
                "    raise SystemExit(1)\n    for name, value in",
            ),
            "graded",
            FULL - params,
        ),
        "huge_memory": (with_cell("hog = bytearray(64 * 2**30)"), "graded", FULL),
        "output_flood": (
            with_cell("for i in range(300_000):\n    print('flood', i)"),
            "graded",
            FULL,
        ),
        "child_left_running": (
            with_cell(
                "import subprocess\nsubprocess.Popen(['sleep', '4242'])\n"
                "subprocess.Popen(['setsid', 'sleep', '4343'])"
            ),
            "graded",
            FULL,
        ),
        "writes_outside": (
            with_cell(
                f"for target in [{str(out / 'writes_outside.ipynb')!r}, "
                f"{str(out / 'report' / 'scores.csv')!r}, {SPY!r}]:\n"
                "    try:\n        open(target, 'w').write('owned')\n"
                "    except OSError:\n        pass"
            ),
            "graded",
            FULL,
        ),
        # Naming the grader's modules at all costs every test.
        "imports_hidden_tests": (
            with_cell("from book.grading.hidden import HIDDEN_TESTS"),
            "graded",
            0,
        ),
        "reads_hidden_tests": (
            with_cell(LEAK.format(solutions=str(SOLUTION), out=str(out / "report"))),
            "graded",
            FULL,
        ),
        "forges_score_in_the_kernel": (stubs_with_cell(FORGE_TESTS), "graded", 0),
        # Replacing json.dumps garbles the kernel's own messages too.
        "forges_the_results": (stubs_with_cell(FORGE_JSON), "graded", 0),
        "deleted_cell": (
            without_cell(defining("conv_param_count")),
            "graded",
            FULL - params,
        ),
        "renamed_function": (
            edited("conv_output_size", "def conv_output_size(", "def output_size("),
            "graded",
            FULL - output_size,
        ),
        "renamed file (final) v2": (solution(), "graded", FULL),
        "not_a_notebook": (b"print('this is a Python script')\n", "invalid", 0),
        "json_but_not_a_notebook": (b'{"cells": 5}', "invalid", 0),
        # No points without the work (issue 15, item 1).
        "imports_the_course": (stubs_with_cell(COURSE), "graded", 0),
        "imports_the_answer_key": (stubs_with_cell(ANSWER_KEY), "graded", 0),
        "reroutes_the_probe": (stubs_with_cell(REROUTE_PROBE), "graded", 0),
        "counts_with_a_layer": (
            with_cell(COUNTS_WITH_A_LAYER),
            "graded",
            FULL - params,
        ),
        # The probe's channel (root cause 1).
        "child_writes_everywhere": (with_cell(WRITE_EVERYWHERE), "graded", FULL),
        "child_writes_after_the_kernel_died": (
            with_cell(WRITE_EVERYWHERE + "os._exit(1)\n"),
            "crashed",
            0,
        ),
        # Limits per submission (root cause 2).
        "three_processes_of_1_5_gib": (with_cell(THREE_BIG), "graded", FULL),
        "three_hundred_processes": (with_cell(MANY_PROCESSES), "graded", FULL),
        "fills_tmp": (with_cell(filling("/tmp", 32, 32 * 2**20)), "graded", FULL),
        "fills_home_with_bytes": (
            with_cell(filling("~", 32, 32 * 2**20)),
            "graded",
            FULL,
        ),
        "fills_home_with_files": (with_cell(filling("~", 20_000, 0)), "graded", FULL),
        "busy_processes_in_own_sessions": (with_cell(BUSY_SESSIONS), "timeout", 0),
        # Untrusted files (root cause 3).
        "link_to_the_solution": (Link(SOLUTION), "invalid", 0),
        "link_to_a_secret": (Link(Path(SECRET_FILE)), "invalid", 0),
        "six_hundred_thousand_cells": (huge_notebook(), "invalid", 0),
        # The judge (root cause 5).
        "only_raises": (stubs_with_cell(ONLY_RAISES), "graded", 0),
    }


SECRET_FILE = "/tmp/why-convolution-grading-secret"
SECRET = "only-the-teacher-may-read-this"


def huge_notebook() -> bytes:
    """The red team's 600,000 empty cells (34 MiB): refused before parsing."""
    cell = (
        '{"cell_type": "code", "execution_count": null, "metadata": {}, '
        '"outputs": [], "source": []}'
    )
    return (
        '{"cells": [' + ", ".join([cell] * 600_000) + '], "metadata": {}, '
        '"nbformat": 4, "nbformat_minor": 5}'
    ).encode()


def stubs() -> nbformat.NotebookNode:
    return nbformat.read(STUDENT, as_version=4)


def stubs_with_cell(source: str) -> nbformat.NotebookNode:
    """The untouched student notebook with one extra cell before check()."""
    notebook = stubs()
    notebook.cells.insert(len(notebook.cells) - 1, nbformat.v4.new_code_cell(source))
    return notebook


def running(word: str) -> bool:
    """Whether any process's command line contains `word`."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if word.encode() in cmdline.read_bytes():
                return True
        except OSError:
            continue
    return False


def write_cases(folder: Path, cases: dict) -> list[Path]:
    """Each case as a file (or link) in `folder`, named after it."""
    Path(SECRET_FILE).write_text(SECRET)
    os.chmod(SECRET_FILE, 0o600)
    paths = []
    for name, (content, _, _) in cases.items():
        path = folder / f"{name}.ipynb"
        if isinstance(content, Link):
            path.symlink_to(content.target)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, path)
        paths.append(path)
    return paths


def grade(paths: list[Path], out: Path) -> dict:
    """Grade with the teacher's command line; the CSV rows and JSON reports."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "book.grading",
            "grade",
            "--exercise",
            EXERCISE,
            "--out",
            str(out),
            "--jobs",
            "2",
            "--cell-timeout",
            str(CELL_SECONDS),
            "--timeout",
            str(CPU_SECONDS),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert result.returncode == 0, result.stderr
    with (out / "scores.csv").open() as handle:
        rows = {Path(row["submission"]).stem: row for row in csv.DictReader(handle)}
    # The teacher's record of each submission: status, automatic score, reasons.
    reports = {
        Path(data["submission"]).stem: data
        for data in (json.loads(p.read_text()) for p in out.glob("teacher/*.json"))
    }
    return {"rows": rows, "reports": reports, "out": out, "stdout": result.stdout}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not HAS_BWRAP and os.environ.get("CI"):
        pytest.fail("CI must install bubblewrap (apt-get install bubblewrap)")
    folder = tmp_path_factory.mktemp("corpus")
    cases = corpus(folder)
    paths = write_cases(folder, cases)
    digests = {
        p: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in paths
        if not p.is_symlink()
    }
    Path(SPY).unlink(missing_ok=True)
    return {
        "cases": cases,
        "digests": digests,
        "paths": paths,
        **grade(paths, folder / "report"),
    }


# The cases whose status a busy machine used to change, and their neighbours.
UNDER_LOAD = (
    "correct",
    "untouched_stubs",
    "syntax_error",
    "sys_exit",
    "exit_in_tested_function",
    "huge_memory",
    "loop_in_tested_function",
    "only_raises",
)
BURN = "while True:\n    pass\n"


@pytest.fixture(scope="module")
def graded_under_load(graded: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same submissions again, with twice as many busy processes as cores."""
    paths = [p for p in graded["paths"] if p.stem in UNDER_LOAD]
    burners = [
        subprocess.Popen([sys.executable, "-c", BURN])
        for _ in range(2 * (os.cpu_count() or 1))
    ]
    try:
        return grade(paths, tmp_path_factory.mktemp("loaded") / "report")
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def test_the_corpus_spans_every_status_and_score_level(graded: dict) -> None:
    rows = graded["rows"].values()
    assert {row["status"] for row in rows} == {
        "graded",
        "timeout",
        "crashed",
        "invalid",
    }
    scores = {report["score"] for report in graded["reports"].values()}
    assert {0, FULL} <= scores and scores - {0, FULL}, "no partial score"
    assert set(UNDER_LOAD) <= set(graded["rows"])


@pytest.mark.parametrize("name", list(corpus(Path("/unused")).keys()))
def test_status_and_score(graded: dict, name: str) -> None:
    _, status, score = graded["cases"][name]
    report = graded["reports"][name]
    assert (report["status"], report["score"]) == (status, score), report["reason"]
    assert report["exercise"] == EXERCISE
    assert report["max_score"] == FULL
    # The sheet agrees with the record: the automatic points, out of the
    # automatic plus the hand-graded maximum.
    row = graded["rows"][name]
    assert (row["status"], int(row["automatic"])) == (status, score)
    assert int(row["max_score"]) == FULL + EXERCISES[EXERCISE].manual_points


def test_submissions_are_unchanged(graded: dict) -> None:
    for path, digest in graded["digests"].items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path.name


def test_every_submission_has_a_record_and_both_feedback_files(graded: dict) -> None:
    out, count = graded["out"], len(graded["cases"])
    assert len(list(out.glob("teacher/*.json"))) == count
    assert len(list(out.glob("teacher/*.txt"))) == count
    assert len(list(out.glob("students/*.txt"))) == count
    report = graded["reports"]["untouched_stubs"]
    assert len(report["tests"]) == len(all_tests(EXERCISES[EXERCISE]))
    assert not any(test["passed"] for test in report["tests"])


def test_csv_has_the_documented_columns(graded: dict) -> None:
    header = (graded["out"] / "scores.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["student_id", "submission", "status"]
    assert header[-4:] == ["automatic", "hand_graded", "total", "max_score"]


def test_no_child_process_survives(graded: dict) -> None:
    assert not running("sleep\x004242")
    if HAS_BWRAP:
        assert not running("sleep\x004343")


def test_a_busy_machine_changes_no_status_and_no_score(
    graded: dict, graded_under_load: dict
) -> None:
    quiet = {
        name: (graded["reports"][name]["status"], graded["reports"][name]["score"])
        for name in UNDER_LOAD
    }
    loaded = {
        name: (report["status"], report["score"])
        for name, report in graded_under_load["reports"].items()
    }
    assert loaded == quiet


def test_cpu_time_is_counted_per_submission(graded: dict) -> None:
    report = graded["reports"]["correct"]
    if os.environ.get("CI") or cgroups_available():
        assert report["accounting"] == "cgroup"
    # Kernel start and imports are not the student's: a few seconds at most.
    assert 0 < report["cpu_seconds"] < 10


def test_a_delegating_function_loses_its_tests_with_the_reason(graded: dict) -> None:
    tests = graded["reports"]["counts_with_a_layer"]["tests"]
    counted = [t for t in tests if "conv_param_count" in t["name"]]
    assert counted and all(t["earned"] == 0 for t in counted)
    assert all("nn.Conv2d" in t["reason"] for t in counted)


def test_a_link_is_refused_without_quoting_its_target(graded: dict) -> None:
    for name in ("link_to_the_solution", "link_to_a_secret"):
        reason = graded["reports"][name]["reason"]
        assert "symbolic link" in reason and SECRET not in reason


def test_student_text_cannot_fake_a_line_of_the_feedback(graded: dict) -> None:
    for audience in ("teacher", "students"):
        feedback = next(graded["out"].glob(f"{audience}/*only_raises.txt")).read_text()
        faked = [
            line for line in feedback.splitlines() if line.startswith("Automatic score")
        ]
        assert faked == ["Automatic score: 0/20"], audience


@pytest.mark.skipif(not HAS_BWRAP, reason="the file sandbox needs bubblewrap")
def test_sandbox_kept_the_submission_inside(graded: dict) -> None:
    assert not Path(SPY).exists()
    assert graded["reports"]["writes_outside"]["sandbox"] == "bubblewrap"
    assert HIDDEN_DIR.joinpath("__init__.py").is_file()
