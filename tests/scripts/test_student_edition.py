"""The student edition: exercises, the package without the answer key, a site
without solutions; and check() still works from it."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from book.grading.exercises import EXERCISES
from book.grading.hidden import HIDDEN_TESTS
from tests.scripts.test_author_exercises import load_script

ROOT = Path(__file__).resolve().parents[2]
edition = load_script("student_edition")
gen = load_script("author_exercises")


def solution_lines() -> set[str]:
    """Every line a student must not see: exercise solutions, chapter dropdowns."""
    lines = set()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        lines |= set(gen.student_version(nbformat.read(path, as_version=4))[1])
    for path in [ROOT / "index.ipynb", *sorted((ROOT / "chapters").glob("*.ipynb"))]:
        sources = {
            c.source
            for c in edition.without_solutions(nbformat.read(path, as_version=4)).cells
        }
        dropped = [
            c
            for c in nbformat.read(path, as_version=4).cells
            if c.source not in sources
        ]
        lines |= {line.strip() for c in dropped for line in c.source.splitlines()}
    # Short lines (`:::`, `return x`) also occur in the exercises' own text.
    return {line for line in lines if len(line) >= 30}


def public_text() -> str:
    """Everything the student edition shows on purpose, as one text."""
    parts = [t.name for e in EXERCISES.values() for t in e.public]
    for path in [ROOT / "index.ipynb", *sorted((ROOT / "chapters").glob("*.ipynb"))]:
        kept = edition.without_solutions(nbformat.read(path, as_version=4))
        parts += [c.source for c in kept.cells]
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        parts += [c.source for c in nbformat.read(path, as_version=4).cells]
    return "\n".join(parts)


def readable_text(path: Path) -> str:
    text = path.read_text(errors="replace")
    if path.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def leaks(out: Path) -> list[str]:
    """(file, line) for every solution line or hidden test found in `out`.

    The course's helper modules (book/layers.py...) are the chapters' own code
    and stay; the answer key and hidden tests are the grading package's.
    """
    secrets = solution_lines() | {
        t.name for tests in HIDDEN_TESTS.values() for t in tests if len(t.name) >= 20
    }
    # What the student may read anyway is no secret, even if a solution or a
    # hidden test repeats it (a seeded generator, the chapter's AlexNet sizes).
    shown = public_text()
    secrets = {s for s in secrets if s not in shown}
    found = []
    places = [out / "exercises", out / "site", out / "book" / "grading"]
    for path in (p for place in places for p in place.rglob("*")):
        if path.suffix in (".html", ".ipynb", ".py", ".md", ".json", ".txt"):
            text = readable_text(path)
            found += [f"{path.relative_to(out)}: {s}" for s in secrets if s in text]
    return found


def test_solution_dropdowns_are_removed_whole() -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("question"),
            nbformat.v4.new_markdown_cell("```{solution-start} q\n```\nanswer"),
            nbformat.v4.new_code_cell("secret = 1"),
            nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
            nbformat.v4.new_markdown_cell("after"),
        ]
    )
    kept = [c.source for c in edition.without_solutions(notebook).cells]
    assert kept == ["question", "after"]


def test_the_package_has_no_answer_key_and_check_still_works(tmp_path: Path) -> None:
    out = tmp_path / "student"
    assert edition.main([str(out), "--no-site"]) == 0
    assert not (out / "book/grading/references.py").exists()
    assert not (out / "book/grading/hidden").exists()
    assert sorted(p.name for p in (out / "exercises").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "solutions").glob("*.ipynb")
    )
    assert not leaks(out)
    script = (
        "import book, book.grading.checking as c\n"
        f"assert book.__file__.startswith({str(out)!r}), book.__file__\n"
        "def conv_output_size(w, k, stride=1, padding=0):\n"
        "    return (w - k + 2 * padding) // stride + 1\n"
        "c.check('ex4_conv_arithmetic')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(out)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "PASS  [1/1] conv_output_size(7, 3, stride=1)" in result.stdout
    assert "Provisional score: 2/6" in result.stdout


def test_an_older_edition_is_replaced_and_foreign_folders_refused(
    tmp_path: Path,
) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="not a student edition"):
        edition.main([str(foreign), "--no-site"])
    older = tmp_path / "older"
    edition.main([str(older), "--no-site"])
    (older / "stale.txt").write_text("from before")
    edition.main([str(older), "--no-site"])
    assert not (older / "stale.txt").exists()


@pytest.mark.slow
def test_the_student_site_shows_no_solution(tmp_path: Path) -> None:
    out = tmp_path / "student"
    assert edition.main([str(out)]) == 0
    pages = {
        p.relative_to(out / "site").as_posix() for p in (out / "site").rglob("*.html")
    }
    assert "exercises/ex4_conv_arithmetic.html" in pages
    assert not any(page.startswith("solutions/") for page in pages)
    assert not leaks(out)
