"""Time each notebook against a floor notebook and print the ratios.

Usage: python benchmarks/notebook_speed.py NOTEBOOK.ipynb [...] [--repeat N]

The floor notebook does the least any notebook of the book does: start a
kernel, run the setup call, import torch and matplotlib, and draw one figure.
Every notebook runs in a fresh kernel from its own folder and is never written
back; each time is the best of --repeat runs (three by default), the usual
estimate of cost when other processes add noise.

The floor is timed beside each notebook, its runs alternating with the
notebook's, and each ratio is over that floor. A virtual machine's speed drifts
over minutes. On the 2-core machine the book is timed on, an earlier `make bench`
timed the floor first and chapter 5 three minutes later, a ratio of 7.2; run on
its own minutes before, with its floor beside it, the same chapter 5 measured
5.7. One floor timed first measured the drift as much as the notebooks.

The drift also moves each run's ratio: the floor is mostly imports, a study
mostly arithmetic, and the two slow down at different minutes. Chapter 5 run
alone five times in a row gave 4.27 to 6.15 times its floor. So the last
column lists every run's own ratio (notebook over the floor timed next to it):
a best-of ratio near a limit means little if the runs spread across it. Three
runs, not two: 14 single runs of chapter 5 gave 5.2 times the floor on average
and two of them above 6.1, so a slow run among two is not rare.
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


def beside_floor(path: Path, repeat: int) -> list[tuple[float, float]]:
    """(notebook, floor) seconds of each run, the floor timed just before."""
    notebook, floor = nbformat.read(path, 4), floor_notebook()
    times = []
    for _ in range(repeat):
        floor_time = run_time(floor, Path.cwd())
        times.append((run_time(notebook, path.parent), floor_time))
    return times


def kernels_use_this_environment() -> None:
    """Kernels run `python` from PATH: make it this interpreter's environment."""
    folder = Path(sys.executable).parent
    os.environ["PATH"] = f"{folder}{os.pathsep}{os.environ['PATH']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs per notebook")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    kernels_use_this_environment()
    rows = [(str(path), beside_floor(path, args.repeat)) for path in args.notebooks]
    width = max(len(name) for name, _ in rows)
    print(f"{os.cpu_count()} CPU cores, best of {args.repeat} runs each")
    print(
        f"{'notebook':<{width}}  {'seconds':>8}  {'floor':>6}  {'x floor':>8}  each run"
    )
    for name, runs in rows:
        seconds, floor = min(t for t, _ in runs), min(f for _, f in runs)
        each = " ".join(f"{t / f:.2f}" for t, f in runs)
        print(
            f"{name:<{width}}  {seconds:>8.1f}  {floor:>6.1f}  {seconds / floor:>8.2f}"
            f"  {each}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
