"""The authoring tool: write exercises/ and the public tests' answers from solutions/.

Usage: python scripts/author_exercises.py [--check]   (`make exercises`)

It is not part of the `book` package that students and the grader import. In a
solution notebook, code between `### BEGIN SOLUTION` and `### END SOLUTION`
becomes a stub raising NotImplementedError (its cell tagged `raises-exception`
for nbval); markdown cells tagged `answer:<key>` become an empty answer; the
site-only `solution-start`/`solution-end` cells are dropped; outputs are cleared.
It also writes `book/grading/public_expected.json`: each public test's expected
value as plain data, and the number of hidden tests and points, so the
student's `check()` needs neither the answer key nor the hidden tests.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

import nbformat


def repository_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds pyproject.toml."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    raise FileNotFoundError(f"no pyproject.toml in {start} or above it")


ROOT = repository_root(Path(__file__).resolve().parent)
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
EXPECTED = ROOT / "book" / "grading" / "public_expected.json"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ANSWER_PLACEHOLDER = "*Write your answer here, in your own words.*"
SITE_ONLY = re.compile(r"\{solution-(start|end)\}")


def stub_source(source: str) -> tuple[str, list[str]]:
    """Replace each solution region by a stub; return the code and the removed lines.

    >>> source = "x = 1\\n### BEGIN SOLUTION\\ny = 2\\n### END SOLUTION"
    >>> code, removed = stub_source(source)
    >>> print(code)
    x = 1
    raise NotImplementedError("replace this line with your code")
    >>> removed
    ['y = 2']
    """
    kept, removed, inside = [], [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"nested {BEGIN!r} in:\n{source}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(
                f'{indent}raise NotImplementedError("replace this line with your code")'
            )
        elif marker == END:
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r} in:\n{source}")
            inside = False
        elif inside:
            removed.append(line)
        else:
            kept.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r} in:\n{source}")
    return "\n".join(kept), removed


def student_version(
    solution: nbformat.NotebookNode,
) -> tuple[nbformat.NotebookNode, list[str]]:
    """The student notebook of a solution notebook, and every solution line it hides."""
    notebook = copy.deepcopy(solution)
    cells, hidden = [], []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and SITE_ONLY.search(cell.source):
            continue
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and any(t.startswith("answer:") for t in tags):
            hidden += cell.source.splitlines()
            cell.source = ANSWER_PLACEHOLDER
        if cell.cell_type == "code":
            cell.source, removed = stub_source(cell.source)
            hidden += removed
            if removed and "raises-exception" not in tags:
                cell.metadata["tags"] = [*tags, "raises-exception"]
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    notebook.cells = cells
    # Outputs are cleared, so the widget state and the record of when the
    # solution ran (the status page's data) describe nothing in this notebook.
    for key in ("widgets", "execution_record"):
        notebook.metadata.pop(key, None)
    return notebook, [line.strip() for line in hidden if line.strip()]


def _rounded(data: object) -> object:
    # Ten significant digits, far finer than the judge's tolerance: the file
    # then reads the same on machines whose float arithmetic differs in the
    # last bit.
    if isinstance(data, float):
        return float(f"{data:.10g}")
    if isinstance(data, list):
        return [_rounded(item) for item in data]
    if isinstance(data, dict):
        return {key: _rounded(value) for key, value in data.items()}
    return data


def public_expected() -> str:
    """Per exercise: the public tests' expected values, the points, the hidden tests'
    number; as JSON text (what `check()` and `python -m book.grading list` read)."""
    from book.grading.exercises import EXERCISES as BY_ID
    from book.grading.hidden import HIDDEN_TESTS
    from book.grading.records import to_json

    data = {
        exercise.id: {
            "public": [
                {"name": test.name, "expected": _rounded(to_json(test.expected()))}
                for test in exercise.public
            ],
            "title": exercise.title,
            "public_points": exercise.public_points,
            "manual_points": exercise.manual_points,
            "hidden_tests": len(HIDDEN_TESTS[exercise.id]),
            "hidden_points": sum(test.points for test in HIDDEN_TESTS[exercise.id]),
        }
        for exercise in BY_ID.values()
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def rendered() -> dict[Path, str]:
    """Every generated file as it should be on disk, by path."""
    notebooks = {
        EXERCISES / path.name: nbformat.writes(
            student_version(nbformat.read(path, as_version=4))[0]
        )
        + "\n"
        for path in sorted(SOLUTIONS.glob("*.ipynb"))
    }
    return {**notebooks, EXPECTED: public_expected()}


def main(argv: list[str] | None = None) -> int:
    """Write the generated files (or with --check, report stale ones); 1 if stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only report whether the generated files are up to date",
    )
    check_only = parser.parse_args(argv).check
    expected = rendered()
    stale = sorted(
        str(path.relative_to(ROOT))
        for path, text in expected.items()
        if not path.is_file() or path.read_text() != text
    )
    extra = sorted(
        str(p.relative_to(ROOT)) for p in EXERCISES.glob("*.ipynb") if p not in expected
    )
    if check_only:
        for name in stale + extra:
            print(f"out of date: {name} (run `make exercises`)")
        return 1 if stale or extra else 0
    EXERCISES.mkdir(exist_ok=True)
    for path in map(ROOT.joinpath, extra):
        path.unlink()
    for path, text in expected.items():
        path.write_text(text)
    print(
        f"wrote {len(expected) - 1} notebooks to {EXERCISES.relative_to(ROOT)}/ "
        f"and {EXPECTED.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
