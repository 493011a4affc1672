"""Reading a submitted file the grader cannot trust: no links, capped, never quoted.

The grader may run with more rights than the student (a teacher's account,
root on a server), so a submission is opened without following a symbolic
link, only if it is a regular file, and only up to a size checked before
anything is parsed; its cells are counted and capped before nbformat sees
them. A refusal says which rule the file broke and never shows its bytes.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import nbformat

MAX_BYTES = 8 * 2**20
MAX_CELLS = 2000
MAX_SOURCE = 2 * 2**20  # characters of cell source, all cells together


class Refused(ValueError):
    """A submission the grader will not run; the message is safe to show."""


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes: a regular file, not a link, at most `limit` bytes."""
    limit = MAX_BYTES if limit is None else limit
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if os.path.islink(path):
            raise Refused("is a symbolic link; links are not followed") from None
        raise Refused(f"cannot be opened ({type(error).__name__})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused("is not a regular file")
        if info.st_size > limit:
            raise Refused(f"is {info.st_size} bytes, more than the {limit} allowed")
        data = os.read(fd, limit + 1)
        if len(data) > limit:  # grew while being read
            raise Refused(f"is more than the {limit} bytes allowed")
        return data
    finally:
        os.close(fd)


def _check_cells(data: object) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise Refused("is JSON but not a notebook (no list of cells)")
    cells = data["cells"]
    if len(cells) > MAX_CELLS:
        raise Refused(f"has {len(cells)} cells, more than the {MAX_CELLS} allowed")
    size = 0
    for cell in cells:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        size += sum(map(len, source)) if isinstance(source, list) else len(str(source))
    if size > MAX_SOURCE:
        raise Refused(
            f"has {size} characters of source, more than the {MAX_SOURCE} allowed"
        )


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The submission as a version-4 notebook, or `Refused` saying which rule."""
    try:
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("is not UTF-8 text") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise Refused(
            f"is not JSON (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise Refused("is JSON nested too deeply") from None
    _check_cells(parsed)
    try:
        # Within the caps now: nbformat joins sources and upgrades old versions.
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception:  # noqa: BLE001 - the reason must not quote the file
        raise Refused("is not a valid Jupyter notebook (nbformat 4)") from None
    return notebook
