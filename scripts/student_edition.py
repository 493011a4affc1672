"""Write the student edition: what a teacher hands to students, nothing more.

Usage: python scripts/student_edition.py [OUT] [--no-site]
(`make book EDITION=student` writes _build/student.)

OUT (default _build/student) gets:
- `exercises/`: the student notebooks, regenerated from solutions/;
- `book/`: the helper package without the answer key (`grading/references.py`)
  and without the hidden tests (`grading/hidden/`), with `pyproject.toml` and
  `requirements.txt` to install it (`pip install -r requirements.txt -e .`);
- `site/`: the web site built from the chapters and the student notebooks, so
  the exercise pages have no solution dropdowns.
A marker file tells an older edition from a folder of other files: only the
former is replaced.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from author_exercises import ROOT, student_version  # noqa: E402
from build_site import build_command  # noqa: E402

MARKER = ".student-edition"
# The answer key and the hidden tests stay with the teacher.
WITHHELD = ("grading/references.py", "grading/hidden")
PACKAGE_FILES = ("pyproject.toml", "requirements.txt")
SITE_FILES = (
    "index.ipynb",
    "chapters",
    "_config.yml",
    "_static",
    "_ext",
    "references.bib",
    "references.md",
    "status.md",
)
# graded_exercises.md marks what only the teacher needs between these lines.
TEACHER_ONLY = re.compile(r"<!-- teacher-only -->.*?<!-- /teacher-only -->\n?", re.S)


def prepare(out: Path) -> None:
    """An empty `out`: an older edition is removed, any other content refused."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise SystemExit(
                f"{out} holds files that are not a student edition: "
                "choose an empty or a new folder"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by scripts/student_edition.py\n")


def write_exercises(folder: Path) -> list[str]:
    """The student notebooks into `folder`; every solution line they leave out."""
    folder.mkdir(parents=True)
    withheld = []
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        notebook, hidden = student_version(nbformat.read(path, as_version=4))
        nbformat.write(notebook, folder / path.name)
        withheld += hidden
    return withheld


def write_package(out: Path) -> None:
    """The `book` package without answer key and hidden tests; its install files."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "book", out / "book", ignore=ignore)
    for part in WITHHELD:
        target = out / "book" / part
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    for name in PACKAGE_FILES:
        shutil.copy(ROOT / name, out / name)


def without_solutions(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without its solution dropdowns: every cell from a
    `solution-start` to its `solution-end`, both included."""
    kept, inside = [], False
    for cell in notebook.cells:
        starts = cell.cell_type == "markdown" and "{solution-start}" in cell.source
        inside = inside or starts
        if not inside:
            kept.append(cell)
        if cell.cell_type == "markdown" and "{solution-end}" in cell.source:
            inside = False
    notebook.cells = kept
    return notebook


def stage_site(source: Path, exercises: Path) -> None:
    """A book source whose exercise pages are the student notebooks."""
    source.mkdir()
    for name in SITE_FILES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name)
    shutil.copytree(exercises, source / "exercises")
    for path in [source / "index.ipynb", *sorted(source.glob("chapters/*.ipynb"))]:
        nbformat.write(without_solutions(nbformat.read(path, as_version=4)), path)
    (source / "node_modules").symlink_to(ROOT / "node_modules")
    toc = (
        (ROOT / "_toc.yml").read_text().replace("file: solutions/", "file: exercises/")
    )
    (source / "_toc.yml").write_text(toc)
    page = TEACHER_ONLY.sub("", (ROOT / "graded_exercises.md").read_text())
    (source / "graded_exercises.md").write_text(
        page.replace("solutions/", "exercises/")
    )


def build_site(out: Path, exercises: Path) -> None:
    """Build the staged source with jupyter-book into `out/site`."""
    source = out / ".source"
    stage_site(source, exercises)
    subprocess.run(build_command(source=source), check=True)
    shutil.move(source / "_build" / "html", out / "site")
    shutil.rmtree(source)


def main(argv: list[str] | None = None) -> int:
    """Write the student edition into OUT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "_build/student")
    parser.add_argument(
        "--no-site",
        action="store_true",
        help="skip the site build (notebooks and package only)",
    )
    args = parser.parse_args(argv)
    prepare(args.out)
    write_exercises(args.out / "exercises")
    write_package(args.out)
    if not args.no_site:
        build_site(args.out, args.out / "exercises")
    print(f"wrote the student edition to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
