"""Time each notebook against a floor notebook and print the ratios.

Usage: python benchmarks/notebook_speed.py NOTEBOOK.ipynb [...] [--repeat N]

The floor notebook does the least any notebook of the book does: start a
kernel, run the setup call, import torch and matplotlib, and draw one figure.
Every notebook runs in a fresh kernel from its own folder and is never written
back; each time is the best of --repeat runs, the usual estimate of cost when
other processes add noise.

The floor is timed beside each notebook, its runs alternating with the
notebook's, and each ratio is over that floor. A virtual machine's speed drifts
over minutes. On the 2-core machine the book is timed on, one `make bench` timed
the floor at 4.6 s first and chapter 5 at 33.0 s three minutes later; run on its
own minutes before, with its floor beside it, chapter 5 took 27.7 s against a
floor of 4.9. One floor timed first measured the drift as much as the notebooks.
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
    return min(run_time(notebook, folder) for _ in range(repeat))


def run_time(notebook: nbformat.NotebookNode, folder: Path) -> float:
    """Seconds to start a kernel in `folder` and execute the notebook top to bottom."""
    # nbclient fills in the copy's outputs; the file on disk is never written.
    client = NotebookClient(
        copy.deepcopy(notebook),
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def beside_floor(path: Path, repeat: int) -> tuple[float, float]:
    """Best times of the notebook at `path` and of the floor, runs alternating."""
    notebook, floor = nbformat.read(path, 4), floor_notebook()
    times = [
        (run_time(floor, Path.cwd()), run_time(notebook, path.parent))
        for _ in range(repeat)
    ]
    return min(t for _, t in times), min(f for f, _ in times)


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
    rows = [(str(path), *beside_floor(path, args.repeat)) for path in args.notebooks]
    width = max(len(name) for name, _, _ in rows)
    print(f"{os.cpu_count()} CPU cores, best of {args.repeat} runs each")
    print(f"{'notebook':<{width}}  {'seconds':>8}  {'floor':>6}  {'x floor':>8}")
    for name, seconds, floor in rows:
        print(
            f"{name:<{width}}  {seconds:>8.1f}  {floor:>6.1f}  {seconds / floor:>8.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
