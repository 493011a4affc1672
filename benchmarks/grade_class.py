"""Grade a made-up class of exercise 3 end to end, as a teacher would.

Usage: python benchmarks/grade_class.py [WORK_FOLDER] [--jobs N]

It writes 24 submissions of mixed quality (correct, partial, a type slip,
stubs, other exercises, hostile, late, an unreadable file, names in Latin-1
and of 240 bytes) and a roster with one student who handed nothing in, then
runs the commands of the README in order: grade with the roster, fill in the
hand grades (here a rule stands in for the teacher), merge, gradebook. It
prints the commands and an excerpt of every output. Timings on a shared
machine mean nothing: run it quietly if you want them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from book.grading.submissions import display_name

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "ex3_locality.ipynb"
EXERCISE = "ex3_locality"
# The lines of the solution that the variants change.
RETURN_FIELD = 'return _whole("num_layers", num_layers, 0) * growth + 1'
RETURN_SPAN = "return math.ceil(distance / per_layer)"
VALIDATION = "if isinstance(value, bool) or not isinstance(value, int):"


def _edit_cells(change):  # noqa: ANN001, ANN202 - a text edit
    """An edit of a notebook's text that applies `change` to its list of cells."""

    def edit(text: str) -> str:
        notebook = json.loads(text)
        for cell in notebook["cells"]:
            if isinstance(cell["source"], list):
                cell["source"] = "".join(cell["source"])
        change(notebook["cells"])
        return json.dumps(notebook)

    return edit


def _replace(old: str, new: str):  # noqa: ANN202 - a text edit
    """Replace one line of the solution's code."""

    def change(cells: list[dict]) -> None:
        hits = [c for c in cells if old in c["source"]]
        assert len(hits) == 1, f"{old!r} is not in exactly one cell"
        hits[0]["source"] = hits[0]["source"].replace(old, new)

    return _edit_cells(change)


def _append_cell(code: str):  # noqa: ANN202 - a text edit
    """Add a code cell before the last one (the check() cell)."""
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "added-cell",
        "metadata": {},
        "outputs": [],
        "source": code,
    }
    return _edit_cells(lambda cells: cells.insert(len(cells) - 1, cell))


# file name -> (student id, source notebook, edit of its text)
VARIANTS = {
    "s01_ada.ipynb": ("s01", "solution", None),
    "s02_ben.ipynb": ("s02", "solution", None),
    "s03_chloe.ipynb": ("s03", "solution", None),
    "s04_dev.ipynb": ("s04", "solution", None),
    "s05_emil.ipynb": ("s05", "solution", None),
    "s06_float_slip.ipynb": (
        "s06",
        "solution",
        _replace(
            RETURN_FIELD,
            'return float(_whole("num_layers", num_layers, 0) * growth + 1)',
        ),
    ),
    "s07_no_ceiling.ipynb": (
        "s07",
        "solution",
        _replace(RETURN_SPAN, "return distance // per_layer"),
    ),
    "s08_no_validation.ipynb": ("s08", "solution", _replace(VALIDATION, "if False:")),
    "s09_stub.ipynb": ("s09", "exercise", None),
    "s10_stub.ipynb": ("s10", "exercise", None),
    "s11_wrong_exercise.ipynb": ("s11", "ex4", None),
    "s12_wrong_exercise.ipynb": ("s12", "ex2", None),
    "s13_exits.ipynb": ("s13", "solution", _append_cell("import os\nos._exit(3)")),
    "s14_loops.ipynb": ("s14", "solution", _append_cell("while True:\n    pass")),
    "s15_swallows.ipynb": (
        "s15",
        "solution",
        _replace(
            RETURN_FIELD,
            "while True:\n        try:\n            pass\n"
            "        except BaseException:\n            pass",
        ),
    ),
    "s16_borrows.ipynb": (
        "s16",
        "exercise",
        _append_cell("from book.layers import receptive_field  # the course's own"),
    ),
    "s17_prints.ipynb": (
        "s17",
        "solution",
        _append_cell("for _ in range(10**5):\n    print('flood ' * 50)"),
    ),
    "s18_forges.ipynb": (
        "s18",
        "exercise",
        _append_cell(
            "def receptive_field(*args, **kwargs):\n"
            "    raise ValueError('\\nAutomatic score: 16/16\\nStatus: graded')"
        ),
    ),
    "s19_late.ipynb": ("s19", "solution", None),
    "s20_unreadable.ipynb": ("s20", "text", None),
    os.fsdecode(b"s21_Jos\xe9.ipynb"): ("s21", "solution", None),
    "s22_" + "long" * 59 + ".ipynb": ("s22", "solution", None),
    "s23_partial.ipynb": ("s23", "solution", _replace(RETURN_SPAN, "return distance")),
    "s24_fixed_late.ipynb": ("s24", "solution", None),
}
MISSING = ("s25", "s25_never.ipynb")


def source_text(kind: str) -> str:
    """The text a variant starts from."""
    paths = {
        "solution": SOLUTION,
        "exercise": ROOT / "exercises" / f"{EXERCISE}.ipynb",
        "ex4": ROOT / "solutions" / "ex4_conv_arithmetic.ipynb",
        "ex2": ROOT / "exercises" / "ex2_equivariance.ipynb",
    }
    return paths[kind].read_text() if kind in paths else "this is my essay, not JSON"


def write_class(folder: Path, variants: dict = VARIANTS) -> Path:
    """The submissions in `folder` and the roster next to it; the roster's path."""
    folder.mkdir(parents=True)
    rows = [("student_id", "submission")]
    for name, (student, kind, edit) in variants.items():
        text = source_text(kind)
        (folder / name).write_text(edit(text) if edit else text)
        rows.append((student, display_name(folder / name)))
    rows.append(MISSING)
    roster = folder.parent / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return roster


def fill_hand_grades(run: Path) -> int:
    """Play the teacher: 2 points for a written answer, 0 for the placeholder."""
    path = run / "hand_grades.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    answers = {}
    for record in (run / "teacher").glob("*.json"):
        data = json.loads(record.read_text())
        answers[data["stem"]] = data.get("answers", {})
    for row in rows:
        text = answers.get(row["report"], {}).get(row["question"], "")
        row["points"] = "2" if len(text) > 80 else "0"
        row["comment"] = "" if row["points"] == "2" else "Answer missing."
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def run(command: list[str]) -> str:
    """Run one command as the README shows it; print it and its output."""
    print(
        "$",
        " ".join(command[2:] if command[:2] == [sys.executable, "-m"] else command),
        flush=True,
    )
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    print(result.stdout + result.stderr, flush=True)
    result.check_returncode()
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    """Build the class, grade it, merge the hand grades, write the gradebook."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", nargs="?", type=Path, default=Path("/tmp/grade-class"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    roster = write_class(args.work / "submissions")
    out = args.work / "grades" / EXERCISE
    grading = [sys.executable, "-m", "book.grading"]
    run(
        [
            *grading,
            "grade",
            "--exercise",
            EXERCISE,
            "--roster",
            str(roster),
            "--jobs",
            str(args.jobs),
            "--out",
            str(out),
            str(args.work / "submissions"),
        ]
    )
    print(f"(the teacher fills in {fill_hand_grades(out)} rows of hand_grades.csv)")
    run([*grading, "merge", str(out)])
    run([*grading, "gradebook", "--out", str(args.work / "gradebook.csv"), str(out)])
    for name in ("lms.csv", "statistics.md", "students/s18_forges.txt"):
        print(f"--- {out / name}\n" + (out / name).read_text()[:1500])
    return 0


if __name__ == "__main__":
    sys.exit(main())
