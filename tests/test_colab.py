"""The Colab install cell: what it runs where `book` is missing; a no-op elsewhere."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "colab_cell", ROOT / "scripts/colab_cell.py"
)
colab_cell = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(colab_cell)

NOTEBOOKS = colab_cell.notebooks()


def ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in paths]


def code_cells(path: Path) -> list[nbformat.NotebookNode]:
    notebook = nbformat.read(path, as_version=4)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def run_cell(source: str, monkeypatch: pytest.MonkeyPatch, *, book: bool) -> list:
    """Execute `source` with `book` importable or not; return the commands it ran."""
    commands = []

    def record(command, **kwargs):  # stands in for pip: no network, no install
        commands.append((command, kwargs))
        return subprocess.CompletedProcess(command, 0)

    with monkeypatch.context() as patch:  # undone before the next run
        patch.setattr(subprocess, "run", record)
        if not book:
            # None in sys.modules makes `import book` raise ModuleNotFoundError.
            patch.setitem(sys.modules, "book", None)
        exec(compile(source, "<colab cell>", "exec"), {})
    return commands


def expected_command() -> list[str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    target = f"git+{config['url']}@{config.get('branch', 'main')}"
    return [sys.executable, "-m", "pip", "install", "--quiet", target]


def test_the_table_of_contents_and_both_exercise_folders_are_covered() -> None:
    names = ids(NOTEBOOKS)
    assert "index.ipynb" in names
    for folder in ("chapters", "solutions", "exercises"):
        on_disk = ids(sorted((ROOT / folder).glob("*.ipynb")))
        assert on_disk and set(on_disk) <= set(names), folder


def test_the_cell_installs_from_the_configured_repository(monkeypatch) -> None:
    commands = run_cell(colab_cell.cell_source(), monkeypatch, book=False)
    assert [command for command, _ in commands] == [expected_command()]
    # A failed install must stop the notebook here, not at the next import.
    assert commands[0][1].get("check") is True


def test_the_cell_does_nothing_where_book_is_importable(monkeypatch) -> None:
    assert run_cell(colab_cell.cell_source(), monkeypatch, book=True) == []


def test_a_fork_is_one_setting(monkeypatch, tmp_path) -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"]["url"] = "https://github.com/someone/fork"
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    monkeypatch.setattr(colab_cell, "ROOT", tmp_path)
    commands = run_cell(colab_cell.cell_source(), monkeypatch, book=False)
    assert commands[0][0][-1] == "git+https://github.com/someone/fork@main"


def test_a_placeholder_url_is_refused_with_the_rule(monkeypatch, tmp_path) -> None:
    (tmp_path / "_config.yml").write_text("repository:\n  url: <your fork>\n")
    monkeypatch.setattr(colab_cell, "ROOT", tmp_path)
    with pytest.raises(ValueError, match=r"'<your fork>'.*https://"):
        colab_cell.cell_source()


def test_inserting_is_idempotent_and_keeps_the_setup_cell_second() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("setup_notebook()"),
        nbformat.v4.new_code_cell("x = 1"),
    ]
    assert colab_cell.with_install_cell(notebook, "old")
    assert colab_cell.with_install_cell(notebook, "new")  # refreshed in place
    assert not colab_cell.with_install_cell(notebook, "new")
    sources = [cell.source for cell in notebook.cells]
    assert sources == ["# Title", "new", "setup_notebook()", "x = 1"]
    assert notebook.cells[1].metadata["tags"] == ["remove-cell"]
    nbformat.validate(notebook)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_first_code_cell_is_the_current_install_cell(path, monkeypatch) -> None:
    first = code_cells(path)[0]
    assert first.get("id") == colab_cell.CELL_ID, (
        f"the first code cell is not the Colab install cell: run "
        f"`python scripts/colab_cell.py`, then `make execute NB={path.name}`"
    )
    assert first.source == colab_cell.cell_source(), "stale: run scripts/colab_cell.py"
    commands = run_cell(first.source, monkeypatch, book=False)
    assert [command for command, _ in commands] == [expected_command()]
    assert run_cell(first.source, monkeypatch, book=True) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_second_code_cell_sets_up_the_notebook(path) -> None:
    cells = code_cells(path)
    assert len(cells) >= 2 and "setup_notebook(" in cells[1].source, (
        "the second code cell, after the Colab install cell, must call setup_notebook()"
    )
