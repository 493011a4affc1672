"""Fixtures shared by the tests: seeded tensors, figure cleanup and the built site."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch

from book.grading.wire import seeded_tensor
from scripts.build_site import build_command

MakeTensor = Callable[..., torch.Tensor]


@pytest.fixture
def close_figures() -> Iterator[None]:
    """Close every figure a test made (use with pytest.mark.usefixtures)."""
    yield
    import matplotlib.pyplot as plt  # only the figure tests pay for the import

    plt.close("all")


@pytest.fixture(scope="session")
def random_tensor() -> MakeTensor:
    """`random_tensor(*shape, seed=0)`: a seeded float64 tensor, same every run."""
    return seeded_tensor


def _build_site(out: Path) -> str:
    """Build the site as `make book` does, into `out`; return the problems found."""
    result = subprocess.run(
        build_command(out),
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"},
    )
    log = result.stdout + result.stderr
    if result.returncode != 0:
        return f"site build failed:\n{log[-6000:]}"
    warnings = [line for line in log.splitlines() if re.search(r"WARNING|ERROR", line)]
    return "site build warned:\n" + "\n".join(warnings) if warnings else ""


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The built site's HTML folder: one build per test run, shared by all workers."""
    # pytest-xdist workers share the parent of their temporary folders; the first
    # to take the lock builds, the others wait and read its verdict.
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    verdict = shared / "site-verdict.txt"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not verdict.exists():
            verdict.write_text(_build_site(shared / "site"))
    problems = verdict.read_text()
    assert not problems, problems
    return shared / "site" / "_build" / "html"
