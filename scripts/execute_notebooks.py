"""Re-execute notebooks top to bottom and save them with normalised metadata.

Usage: python scripts/execute_notebooks.py NOTEBOOK.ipynb [...]

Each notebook runs in a fresh kernel from its own folder, widget state is
stored (the site renders widgets from it), and the metadata that differs from
machine to machine is reset, so that a re-run changes only what really changed.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}
# Per-run noise a re-execution would otherwise write into the file.
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")


def normalise(notebook: nbformat.NotebookNode) -> None:
    """Reset machine-specific metadata in place."""
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    for cell in notebook.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)


def execute(path: Path, timeout: int) -> float:
    """Execute one notebook in place; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    # Widget state from an earlier run must not outlive its widgets: the client
    # stores the state of this run's widgets only if there are any.
    notebook.metadata.pop("widgets", None)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    normalise(notebook)
    record_execution(notebook, seconds)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    for path in args.notebooks:
        seconds = execute(path, args.timeout)
        print(f"{path}: executed in {seconds:.1f} s")
    return 0


# What the status page reports: the libraries whose versions shape the outputs.
RECORDED_LIBRARIES = (
    "torch",
    "numpy",
    "scipy",
    "matplotlib",
    "scikit-learn",
    "ipywidgets",
    "tqdm",
)
# Notebook metadata key the site's status page reads (_ext/execution_status.py).
RECORD_KEY = "execution_record"


def record_execution(notebook: nbformat.NotebookNode, seconds: float) -> None:
    """Store when, how fast and with which library versions the outputs were made."""
    # Kept in the notebook itself, so a notebook added later needs no other file.
    notebook.metadata[RECORD_KEY] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": round(seconds, 1),
        "libraries": {
            "python": platform.python_version(),
            **{name: version(name) for name in RECORDED_LIBRARIES},
        },
    }


if __name__ == "__main__":
    sys.exit(main())
