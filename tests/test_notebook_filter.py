"""The notebook git filter: a notebook saved by JupyterLab stores as it was."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "notebook_filter", ROOT / "scripts/notebook_filter.py"
)
notebook_filter = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebook_filter)

NOTEBOOKS = sorted(
    path.relative_to(ROOT)
    for pattern in (
        "index.ipynb",
        "chapters/*.ipynb",
        "solutions/*.ipynb",
        "exercises/*.ipynb",
    )
    for path in ROOT.glob(pattern)
)
LAB_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11.7",
}


def as_lab_saves(text: str) -> str:
    """What JupyterLab writes for `text` after opening it with a kernel.

    The page holds the notebook as JavaScript values (one number type, so 3.0
    arrives as 3), the kernel fills in language_info, and the server writes it
    with nbformat.
    """
    notebook = nbformat.reads(text, as_version=4)
    notebook.metadata["language_info"] = LAB_LANGUAGE_INFO
    as_javascript = json.loads(
        json.dumps(notebook),
        parse_float=lambda x: int(float(x)) if float(x).is_integer() else float(x),
    )
    return nbformat.writes(nbformat.from_dict(as_javascript)) + "\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=map(str, NOTEBOOKS))
def test_opening_and_saving_in_lab_stores_the_same_notebook(path: Path) -> None:
    text = (ROOT / path).read_text()
    assert notebook_filter.clean(as_lab_saves(text)) == notebook_filter.clean(text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=map(str, NOTEBOOKS))
def test_the_committed_notebook_is_already_in_stored_form(path: Path) -> None:
    # The blob in git's index, not the file: `make execute` may have just
    # rewritten the file, and the filter cleans it when it is added.
    stored = subprocess.run(
        ["git", "show", f":{path.as_posix()}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert notebook_filter.clean(stored) == stored, (
        f"{path} is stored with a whole-number float or a full language_info: "
        "run `make install` (it registers the filter), then "
        "`git add --renormalize '*.ipynb'` and commit"
    )


def test_cleaning_is_idempotent_and_touches_only_the_noise() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["language_info"] = LAB_LANGUAGE_INFO
    notebook.metadata["record"] = {"seconds": 11.0, "ratio": 0.25}
    notebook.cells = [nbformat.v4.new_code_cell("x = 3.0")]
    once = notebook_filter.clean(nbformat.writes(notebook))
    assert notebook_filter.clean(once) == once
    stored = json.loads(once)
    assert stored["metadata"]["language_info"] == {"name": "python"}
    assert stored["metadata"]["record"] == {"seconds": 11, "ratio": 0.25}
    assert stored["cells"][0]["source"] == ["x = 3.0"]  # code is text, untouched


@pytest.mark.parametrize("text", ["", "<<<<<<< HEAD\n{", '{"not": "a notebook"}'])
def test_anything_but_a_notebook_passes_through(text: str) -> None:
    assert notebook_filter.clean(text) == text
