"""The authoring tool: exercises/ and the public answers, generated and never stale."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from book.grading.answers import EXPECTED_FILE
from book.grading.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str):  # noqa: ANN201 - a module
    """A script of scripts/ as a module (they are not a package)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = load_script("author_exercises")


def test_the_root_is_found_by_walking_up(tmp_path: Path) -> None:
    assert gen.ROOT == ROOT
    (tmp_path / "pyproject.toml").write_text("")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert gen.repository_root(deep) == tmp_path
    with pytest.raises(FileNotFoundError, match="no pyproject.toml"):
        gen.repository_root(Path("/"))


def test_generated_files_are_up_to_date() -> None:
    assert gen.main(["--check"]) == 0, "run `make exercises`"


def test_stale_exercises_are_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gen, "EXERCISES", tmp_path / "exercises")
    monkeypatch.setattr(gen, "EXPECTED", tmp_path / "expected.json")
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    assert gen.main(["--check"]) == 1
    gen.main([])
    assert gen.main(["--check"]) == 0
    path = next((tmp_path / "exercises").glob("*.ipynb"))
    path.write_text(path.read_text().replace("Exercise", "Exercice", 1))
    assert gen.main(["--check"]) == 1


def test_public_answers_hold_no_hidden_test() -> None:
    from book.grading.hidden import HIDDEN_TESTS

    data = json.loads(EXPECTED_FILE.read_text())
    assert sorted(data) == sorted(EXERCISES)
    for exercise_id, entry in data.items():
        names = [item["name"] for item in entry["public"]]
        assert names == [t.name for t in EXERCISES[exercise_id].public]
        assert entry["hidden_tests"] == len(HIDDEN_TESTS[exercise_id])
    text = EXPECTED_FILE.read_text()
    hidden_only = {t.name for tests in HIDDEN_TESTS.values() for t in tests} - {
        t.name for e in EXERCISES.values() for t in e.public
    }
    assert not [name for name in hidden_only if f'"{name}"' in text]


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_no_solution_line_leaks_into_the_exercise(exercise_id: str) -> None:
    solution = nbformat.read(ROOT / "solutions" / f"{exercise_id}.ipynb", 4)
    hidden = gen.student_version(solution)[1]
    assert len(hidden) >= 5
    student = nbformat.read(ROOT / "exercises" / f"{exercise_id}.ipynb", 4)
    # The Colab install cell is the same in both editions: it is not a solution.
    shown = {
        line.strip()
        for c in student.cells
        if c.get("id") != "colab-install"
        for line in c.source.splitlines()
    }
    # Lines of bare punctuation (a closing bracket) give nothing away.
    leaked = sorted(line for line in set(hidden) & shown if re.search(r"\w", line))
    assert not leaked, f"solution lines in exercises/{exercise_id}.ipynb: {leaked}"
    text = "\n".join(c.source for c in student.cells)
    assert gen.BEGIN not in text and "solution-start" not in text


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_exercise_has_stubs_and_ends_with_check(exercise_id: str) -> None:
    student = nbformat.read(ROOT / "exercises" / f"{exercise_id}.ipynb", 4)
    stubs = [c for c in student.cells if "NotImplementedError(" in c.source]
    assert stubs and all("raises-exception" in c.metadata["tags"] for c in stubs)
    assert f'check("{exercise_id}")' in student.cells[-1].source
    assert all(not c.get("outputs") for c in student.cells)


def test_stub_source_refuses_unbalanced_markers() -> None:
    with pytest.raises(ValueError, match="without"):
        gen.stub_source("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError, match="without"):
        gen.stub_source("x = 1\n### END SOLUTION")
