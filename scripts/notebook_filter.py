"""Git clean filter for notebooks: store them as JupyterLab writes them, minus noise.

Opening a notebook in JupyterLab and saving it changes two things a reader did
not touch: the kernel's full `language_info` replaces the committed
`{"name": "python"}`, and every whole-number float (`3.0` in a slider's saved
state, a duration) comes back as an integer, because JavaScript has only one
number type. This filter maps both to one form on `git add`; outputs and
sources pass through untouched. `make lab` also runs `pre_save_hook` on every
save (lab/jupyter_server_config.py), so the file Lab writes is already in that
form, byte for byte, and `git status` stays clean. `make install` registers
the filter for every other editor:

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


def normalise(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook with the kernel's language_info reduced and numbers canonical."""
    metadata = notebook.get("metadata", {})
    if isinstance(metadata.get("language_info"), dict):
        metadata["language_info"] = {"name": metadata["language_info"].get("name")}
    return canonical(notebook)


def clean(text: str) -> str:
    """The stored form of a notebook's text (unchanged if it is not a notebook)."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    if not isinstance(notebook, dict) or "cells" not in notebook:
        return text
    # The same layout as nbformat.write and Jupyter's own save.
    body = json.dumps(
        normalise(notebook),
        sort_keys=True,
        indent=1,
        ensure_ascii=False,
        separators=(",", ": "),
    )
    return body + "\n"


def pre_save_hook(model: dict[str, Any], **kwargs: Any) -> None:
    """Jupyter's pre-save hook: Lab writes the stored form, byte for byte."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        model["content"] = normalise(model["content"])


if __name__ == "__main__":
    sys.stdout.write(clean(sys.stdin.read()))
