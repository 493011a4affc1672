"""The grader's command line: a quick list, and clear errors before any grading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from book.grading.__main__ import main, parser
from book.grading.exercises import EXERCISES
from book.grading.grader import max_points

ROOT = Path(__file__).resolve().parents[2]


def test_list_shows_every_exercise_without_importing_torch() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "book.grading", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    assert "torch" not in imported and "numpy" not in imported
    for exercise in EXERCISES.values():
        assert (
            f"{exercise.id}  {exercise.title}: {max_points(exercise)} points automatic"
        ) in result.stdout
        assert f"{exercise.manual_points} by hand" in result.stdout


def usage_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    return capsys.readouterr().err


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    path = tmp_path / "a.ipynb"
    path.write_text((ROOT / "exercises" / "ex4_conv_arithmetic.ipynb").read_text())
    return path


GRADE = ["grade", "--exercise", "ex4_conv_arithmetic"]


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--timeout", "nan"], "'nan' must be a finite number of seconds above 0"),
        (["--timeout", "-1"], "'-1' must be a finite number of seconds above 0"),
        (["--cell-timeout", "inf"], "'inf' must be a finite number"),
        (["--timeout", "soon"], "'soon' is not a number"),
        (["--jobs", "0"], "'0' must be a whole number >= 1"),
    ],
)
def test_bad_limits_are_refused_by_name(
    option: list[str],
    words: str,
    notebook: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = usage_error(
        [*GRADE, "--out", str(tmp_path / "out"), *option, str(notebook)], capsys
    )
    assert words in err


def test_out_under_a_file_is_refused_before_grading(
    notebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "FILE"
    blocker.write_text("x")
    err = usage_error([*GRADE, "--out", str(blocker / "sub"), str(notebook)], capsys)
    assert f"{blocker} is a file, not a folder" in err


def test_an_older_run_is_refused_without_force_and_a_foreign_folder_always(
    notebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = tmp_path / "older"
    older.mkdir()
    (older / "run.json").write_text("{}")
    err = usage_error([*GRADE, "--out", str(older), str(notebook)], capsys)
    assert "holds an older run: pass --force" in err
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("x")
    err = usage_error([*GRADE, "--out", str(foreign), "--force", str(notebook)], capsys)
    assert "not a grading run" in err
    assert (foreign / "thesis.tex").is_file()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["grade", "--exercise", "nope", "--out", "x", "a.ipynb"],
            "unknown exercise 'nope'",
        ),
        ([*GRADE, "--out", "x", "missing.ipynb"], "no such file or folder: missing"),
        (
            [*GRADE, "--out", "x", "--roster", "nowhere.csv", "a.ipynb"],
            "--roster nowhere.csv: no such file",
        ),
    ],
)
def test_usage_errors_exit_2_with_the_value_named(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert words in usage_error(args, capsys)


def test_a_file_named_like_an_option_goes_after_double_dash() -> None:
    args = parser().parse_args([*GRADE, "--out", "o", "--", "--out=x.ipynb"])
    assert args.out == Path("o") and args.submissions == [Path("--out=x.ipynb")]
