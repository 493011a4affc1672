"""Untrusted files: links refused, size and cells capped, reasons never quote."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from book.grading import untrusted
from book.grading.untrusted import Refused, read_notebook

SECRET = "TOP-SECRET-CONTENT"


def notebook(path: Path, cells: int = 1) -> Path:
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(f"x = {i}") for i in range(cells)]
    )
    nbformat.write(nb, path)
    return path


def test_a_plain_notebook_is_read(tmp_path: Path) -> None:
    assert len(read_notebook(notebook(tmp_path / "a.ipynb", 3)).cells) == 3


def test_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    target = notebook(tmp_path / "classmate.ipynb")
    (tmp_path / "mine.ipynb").symlink_to(target)
    with pytest.raises(Refused, match="symbolic link"):
        read_notebook(tmp_path / "mine.ipynb")


def test_a_link_to_a_secret_never_quotes_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    os.chmod(secret, 0o600)
    (tmp_path / "s.ipynb").symlink_to(secret)
    with pytest.raises(Refused) as refusal:
        read_notebook(tmp_path / "s.ipynb")
    assert SECRET not in str(refusal.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (f"print('{SECRET}')".encode(), "not JSON"),
        (json.dumps({"cells": 5, "x": SECRET}).encode(), "no list of cells"),
        (json.dumps({"cells": [{"cell_type": SECRET}]}).encode(), "not a valid"),
        (b"\xff\xfe" + SECRET.encode(), "not UTF-8"),
    ],
)
def test_refusals_name_the_rule_not_the_content(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(Refused, match=words) as refusal:
        read_notebook(path)
    assert SECRET not in str(refusal.value)


def test_size_is_checked_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = notebook(tmp_path / "big.ipynb", 50)
    monkeypatch.setattr(untrusted, "MAX_BYTES", 100)
    with pytest.raises(Refused, match="more than the 100 allowed"):
        untrusted.read_notebook(path)


def test_too_many_cells_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The red team's 600,000 empty cells, scaled down.
    monkeypatch.setattr(untrusted, "MAX_CELLS", 10)
    with pytest.raises(Refused, match="11 cells, more than the 10"):
        read_notebook(notebook(tmp_path / "many.ipynb", 11))


def test_a_fifo_or_folder_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.ipynb")
    with pytest.raises(Refused, match="not a regular file"):
        read_notebook(tmp_path / "pipe.ipynb")
    (tmp_path / "dir.ipynb").mkdir()
    with pytest.raises(Refused):
        read_notebook(tmp_path / "dir.ipynb")
