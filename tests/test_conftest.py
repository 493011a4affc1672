"""The repository's conftest.py: slow tests are marked without anyone remembering."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import is_slow

ROOT = Path(__file__).resolve().parents[1]


class IPyNbCell:
    """Stands in for nbval's item class, which `is_slow` knows by name."""


class FakeTest:
    def __init__(self, *fixturenames: str) -> None:
        self.fixturenames = fixturenames


def test_notebook_cells_and_users_of_the_site_are_slow() -> None:
    assert is_slow(IPyNbCell())
    assert is_slow(FakeTest("tmp_path", "site"))
    assert not is_slow(FakeTest("tmp_path", "random_tensor"))
    assert not is_slow(FakeTest())


@pytest.mark.slow
def test_the_fast_tier_collects_no_notebook_cell() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not slow"]
        + ["-p", "no:randomly", "index.ipynb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    # Exit status 5: every item was deselected, none is left to run.
    assert result.returncode == 5, result.stdout + result.stderr
    assert "deselected" in result.stdout
