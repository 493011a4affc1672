"""Time each notebook against a floor notebook and print the ratios.

Usage: python benchmarks/notebook_speed.py NOTEBOOK.ipynb [...] [--repeat N]

The floor notebook does the least any notebook of the book does: start a
kernel, run the setup call, import torch and matplotlib, and draw one figure.
Every notebook runs in a fresh kernel from its own folder and is never written
back; each time is the best of --repeat runs, the usual estimate of cost when
other processes add noise.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

FLOOR_CELLS = (
    "from book.notebook import setup_notebook\n\nsetup_notebook()",
    "import matplotlib.pyplot as plt\nimport torch\n\n"
    "fig, ax = plt.subplots()\nax.plot(torch.arange(10), torch.arange(10) ** 2);",
)


def floor_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in FLOOR_CELLS]
    return notebook


def best_time(notebook: nbformat.NotebookNode, folder: Path, repeat: int) -> float:
    """Best of `repeat` runs: start a kernel in `folder`, execute top to bottom."""
    times = []
    for _ in range(repeat):
        # nbclient fills in the copy's outputs; the file on disk is never written.
        client = NotebookClient(
            copy.deepcopy(notebook),
            timeout=900,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        start = time.perf_counter()
        client.execute()
        times.append(time.perf_counter() - start)
    return min(times)


def kernels_use_this_environment() -> None:
    """Kernels run `python` from PATH: make it this interpreter's environment."""
    folder = Path(sys.executable).parent
    os.environ["PATH"] = f"{folder}{os.pathsep}{os.environ['PATH']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=2, help="runs per notebook")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    kernels_use_this_environment()
    floor = best_time(floor_notebook(), Path.cwd(), args.repeat)
    rows = [
        (str(path), best_time(nbformat.read(path, 4), path.parent, args.repeat))
        for path in args.notebooks
    ]
    width = max(len(name) for name, _ in rows + [("floor", 0)])
    print(f"{os.cpu_count()} CPU cores, best of {args.repeat} runs each")
    print(f"{'notebook':<{width}}  {'seconds':>8}  {'x floor':>8}")
    print(f"{'floor':<{width}}  {floor:>8.1f}  {1:>8.2f}")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:>8.1f}  {seconds / floor:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
