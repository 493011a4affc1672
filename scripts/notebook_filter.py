"""Git clean filter for notebooks: store them as JupyterLab writes them, minus noise.

Opening a notebook in JupyterLab and saving it changes two things a reader did
not touch: the kernel's full `language_info` replaces the committed
`{"name": "python"}`, and every whole-number float (`3.0` in a slider's saved
state, a duration) comes back as an integer, because JavaScript has only one
number type. This filter maps both to one form on `git add`/`git status`, so
an opened-and-saved notebook shows no change; outputs and sources pass through
untouched. `make install` registers it:

    git config filter.notebook.clean ".venv/bin/python scripts/notebook_filter.py"

with `*.ipynb filter=notebook` in .gitattributes. Input that is not a notebook
(a merge conflict, say) passes through unchanged.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def canonical(value: Any) -> Any:
    """`value` with every whole-number float as an int, recursively."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def clean(text: str) -> str:
    """The stored form of a notebook's text (unchanged if it is not a notebook)."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    if not isinstance(notebook, dict) or "cells" not in notebook:
        return text
    metadata = notebook.setdefault("metadata", {})
    if "language_info" in metadata:
        metadata["language_info"] = {"name": metadata["language_info"].get("name")}
    # The same layout as nbformat.write and Jupyter's own save.
    body = json.dumps(
        canonical(notebook),
        sort_keys=True,
        indent=1,
        ensure_ascii=False,
        separators=(",", ": "),
    )
    return body + "\n"


if __name__ == "__main__":
    sys.stdout.write(clean(sys.stdin.read()))
