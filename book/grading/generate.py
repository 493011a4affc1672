"""Write the student notebooks of exercises/ from the solutions of solutions/.

In a solution notebook, code between `### BEGIN SOLUTION` and `### END SOLUTION`
becomes a stub raising NotImplementedError (its cell tagged `raises-exception`
for nbval); markdown cells tagged `answer:<key>` become an empty answer; the
site-only `solution-start`/`solution-end` cells are dropped; outputs are cleared.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
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
            kept.append(f'{indent}raise NotImplementedError("replace this line '
                        'with your code")')
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


def rendered() -> dict[Path, str]:
    """Every exercise notebook as it should be on disk, by path."""
    return {
        EXERCISES / path.name: nbformat.writes(
            student_version(nbformat.read(path, as_version=4))[0]
        ) + "\n"
        for path in sorted(SOLUTIONS.glob("*.ipynb"))
    }


def main(check_only: bool = False) -> int:
    """Write exercises/ (or with check_only, report stale files); 1 if stale."""
    expected = rendered()
    stale = sorted(
        str(path.relative_to(ROOT)) for path, text in expected.items()
        if not path.is_file() or path.read_text() != text
    )
    extra = sorted(str(p.relative_to(ROOT)) for p in EXERCISES.glob("*.ipynb")
                   if p not in expected)
    if check_only:
        for name in stale + extra:
            print(f"out of date: {name} (run `make exercises`)")
        return 1 if stale or extra else 0
    EXERCISES.mkdir(exist_ok=True)
    for path in map(ROOT.joinpath, extra):
        path.unlink()
    for path, text in expected.items():
        path.write_text(text)
    print(f"wrote {len(expected)} notebooks to {EXERCISES.relative_to(ROOT)}/")
    return 0
