"""What nbval cannot see in a committed notebook.

nbval skips code cells that were never executed, does not compare figures, and
happily accepts a notebook run out of order; these tests close those gaps and
hold every notebook to the conventions of docs/design.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.toc import toc_pages

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_FOLDERS = ("chapters", "solutions")
NOTEBOOKS = sorted(
    [ROOT / "index.ipynb"]
    + [path for folder in NOTEBOOK_FOLDERS for path in (ROOT / folder).glob("*.ipynb")]
)
MEMORY_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}")
CHAPTER_5 = ROOT / "chapters" / "05_inductive_bias.ipynb"


def code_cells(path: Path) -> list[nbformat.NotebookNode]:
    notebook = nbformat.read(path, as_version=4)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in paths]


def test_notebooks_are_found() -> None:
    assert ROOT / "index.ipynb" in NOTEBOOKS
    assert any(path.parent.name == "chapters" for path in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_code_cell_ran_once_in_order(path: Path) -> None:
    cells = [cell for cell in code_cells(path) if cell.source.strip()]
    counts = [cell.execution_count for cell in cells]
    never_run = [i for i, count in enumerate(counts) if count is None]
    assert not never_run, (
        f"code cells {never_run} were never executed: run `make execute`"
    )
    assert counts == list(range(1, len(cells) + 1)), (
        f"execution counts {counts} show the notebook was not run top to bottom "
        "in one fresh kernel: run `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_cell_errors_unless_tagged(path: Path) -> None:
    for index, cell in enumerate(code_cells(path)):
        errors = [out for out in cell.outputs if out.output_type == "error"]
        if "raises-exception" not in cell.metadata.get("tags", []):
            assert not errors, f"code cell {index} raised {errors[0].ename}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_setup_follows_the_colab_install_cell(path: Path) -> None:
    first, second = code_cells(path)[:2]
    assert first.get("id") == "colab-install", (
        "the first code cell must be the Colab install cell (scripts/colab_cell.py)"
    )
    assert "setup_notebook(" in second.source, (
        "the second code cell must call setup_notebook()"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_figure_has_caption_and_alt_text(path: Path) -> None:
    for index, cell in enumerate(code_cells(path)):
        images = [out for out in cell.outputs if "image/png" in out.get("data", {})]
        if not images:
            continue
        assert len(images) == 1, (
            f"code cell {index} shows {len(images)} figures; one per cell"
        )
        options = cell.metadata.get("mystnb", {})
        caption = options.get("figure", {}).get("caption", "")
        alt = options.get("image", {}).get("alt", "")
        assert caption.strip(), (
            f"figure in code cell {index} has no mystnb.figure.caption"
        )
        assert len(alt.strip()) >= 20, (
            f"figure in code cell {index} needs real alt text"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_outputs_hold_no_memory_addresses(path: Path) -> None:
    for index, cell in enumerate(code_cells(path)):
        for out in cell.outputs:
            text = out.get("text", "") + out.get("data", {}).get("text/plain", "")
            assert not MEMORY_ADDRESS.search(text), (
                f"code cell {index} prints a memory address: {text!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_metadata_is_normalised(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.metadata.get("language_info") == {"name": "python"}


def test_every_table_of_contents_entry_exists() -> None:
    for entry in toc_pages():
        assert any(
            (ROOT / f"{entry}{suffix}").is_file() for suffix in (".ipynb", ".md")
        ), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("folder", NOTEBOOK_FOLDERS)
def test_table_of_contents_lists_each_notebook_once_in_numbered_order(
    folder: str,
) -> None:
    # File names start with their number (01_..., ex1_...), so sorting them
    # gives the reading order the sidebar must show.
    on_disk = sorted(
        f"{folder}/{path.stem}" for path in (ROOT / folder).glob("*.ipynb")
    )
    listed = [entry for entry in toc_pages() if entry.startswith(f"{folder}/")]
    assert on_disk, f"no notebooks found in {folder}/"
    assert listed == on_disk, f"_toc.yml lists {listed}; {folder}/ holds {on_disk}"


@pytest.mark.slow  # ten seeds at nine sizes, on one thread here: minutes
def test_chapter_5_runs_top_to_bottom_with_its_full_study() -> None:
    """The reader's switch `FULL_STUDY = True` must not meet a failing assert.

    Every claim of the page is asserted on the default study; the larger one
    checks that those claims are not an accident of its five seeds and sizes.
    """
    notebook = nbformat.read(CHAPTER_5, as_version=4)
    switch = "FULL_STUDY = False"
    cells = [cell for cell in notebook.cells if switch in cell.source]
    assert len(cells) == 1, f"chapter 5 should set {switch!r} in one cell"
    cells[0].source = cells[0].source.replace(switch, "FULL_STUDY = True")
    client = NotebookClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(CHAPTER_5.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on a failure
    (table,) = [cell for cell in notebook.cells if "show(study)" in cell.source]
    printed = "".join(out.get("text", "") for out in table.outputs)
    assert " 500 " in printed, "the full study did not run its nine sizes"
