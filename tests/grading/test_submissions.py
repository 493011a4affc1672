"""The teacher's input: files and folders, the roster, names, other exercises."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from book.grading.exercises import EXERCISES
from book.grading.grader import all_tests
from book.grading.submissions import (
    STEM_LENGTH,
    display_name,
    expand,
    identify,
    match,
    read_roster,
    unique_stems,
)

ROOT = Path(__file__).resolve().parents[2]
TARGETS = {eid: {t.target for t in all_tests(e)} for eid, e in EXERCISES.items()}


def test_names_of_any_encoding_and_length_give_safe_unique_stems() -> None:
    latin = Path(os.fsdecode(b"Jos\xe9.ipynb"))
    assert display_name(latin) == "José.ipynb"
    names = [
        "José.ipynb",
        "Jose.ipynb",
        "a" * 300 + ".ipynb",
        "../../etc.ipynb",
        "---.ipynb",
        "Ada Lovelace.ipynb",
    ]
    stems = unique_stems(names)
    assert stems[:2] == ["Jose", "Jose-2"]
    assert all(len(s) <= STEM_LENGTH + 4 for s in stems)
    assert all(s and "/" not in s and not s.startswith(".") for s in stems)
    assert stems[4] == "submission" and stems[5] == "Ada_Lovelace"
    assert len({s.lower() for s in stems}) == len(stems)


def test_folders_expand_to_their_notebooks_in_name_order(tmp_path: Path) -> None:
    for name in ("b.ipynb", "a.ipynb", ".hidden.ipynb", "notes.txt"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in expand([tmp_path])] == ["a.ipynb", "b.ipynb"]
    # A file named twice (once in its folder) is graded once.
    assert len(expand([tmp_path, tmp_path / "a.ipynb"])) == 3 - 1
    with pytest.raises(ValueError, match="no such file or folder: nowhere"):
        expand([Path("nowhere")])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no .ipynb file in"):
        expand([empty])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id,file\n1,a.ipynb\n", "header must be student_id,submission"),
        ("student_id,submission\n,a.ipynb\n", "line 2: empty student_id"),
        ("student_id,submission\n1,a.ipynb\n2,a.ipynb\n", "'a.ipynb' is listed twice"),
        ("student_id,submission\n1,a.ipynb\n1,b.ipynb\n", "'1' is listed twice"),
    ],
)
def test_a_bad_roster_is_refused_with_the_line(
    tmp_path: Path, text: str, words: str
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(text)
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        read_roster(roster)


def test_the_roster_maps_files_and_lists_who_handed_nothing_in(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffstudent_id,submission\n7,a.ipynb\n8,b.ipynb\n")
    subs = match([tmp_path / "a.ipynb", tmp_path / "c.ipynb"], read_roster(roster))
    assert [(s.student_id, s.name, s.path is None) for s in subs] == [
        ("7", "a.ipynb", False),
        ("c", "c.ipynb", False),
        ("8", "b.ipynb", True),
    ]


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_each_exercise_notebook_is_recognised(exercise_id: str) -> None:
    for folder in ("exercises", "solutions"):
        path = ROOT / folder / f"{exercise_id}.ipynb"
        assert identify(path, TARGETS) == {exercise_id}


def test_unreadable_or_unrecognisable_files_identify_as_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "bad.ipynb").write_text("not json")
    (tmp_path / "empty.ipynb").write_text('{"cells": []}')
    assert identify(tmp_path / "bad.ipynb", TARGETS) == set()
    assert identify(tmp_path / "empty.ipynb", TARGETS) == set()
    assert identify(tmp_path / "absent.ipynb", TARGETS) == set()
    # Links are not followed, and a device is not read without end.
    (tmp_path / "link.ipynb").symlink_to(ROOT / "solutions" / "ex1_count_savings.ipynb")
    assert identify(tmp_path / "link.ipynb", TARGETS) == set()
    (tmp_path / "zero.ipynb").symlink_to("/dev/zero")
    assert identify(tmp_path / "zero.ipynb", TARGETS) == set()
