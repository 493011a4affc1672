"""Limits: checked on the way in, and a control group that counts every process."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from book.grading.limits import Cgroup, Limits, cgroups_available

CGROUPS = cgroups_available()
needs_cgroups = pytest.mark.skipif(
    not CGROUPS and not os.environ.get("CI"),
    reason="control groups need root and cgroup v1 (CI has both)",
)


@pytest.mark.parametrize("value", [math.nan, -1, 0, math.inf])
def test_a_limit_must_be_positive_and_finite(value: float) -> None:
    with pytest.raises(ValueError, match=f"cpu_seconds .* got {value}"):
        Limits(cpu_seconds=value)


def test_a_limit_must_be_a_number() -> None:
    with pytest.raises(TypeError, match="processes must be a number"):
        Limits(processes="many")  # type: ignore[arg-type]


def test_the_wall_clock_is_only_a_backstop() -> None:
    limits = Limits(cpu_seconds=60, wall_factor=10, startup_seconds=100)
    assert limits.wall_seconds == 700


SPIN = (
    "import time\nend = time.process_time() + {0}\n"
    "while time.process_time() < end: pass"
)


@needs_cgroups
def test_the_group_counts_children_in_their_own_sessions() -> None:
    group = Cgroup(Limits())
    try:
        # The child starts a grandchild in a new session and does not wait.
        code = (
            "import subprocess, sys\n"
            "subprocess.Popen(['setsid', sys.executable, '-c', "
            f"{SPIN.format(0.6)!r}])\n" + SPIN.format(0.3)
        )
        subprocess.run([sys.executable, "-c", code], preexec_fn=group.enter, check=True)
        for _ in range(100):  # until the grandchild is done
            if group.cpu_seconds() >= 0.9:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        assert group.cpu_seconds() >= 0.85
    finally:
        group.close()


@needs_cgroups
def test_the_group_caps_memory_across_processes() -> None:
    group = Cgroup(Limits(memory_bytes=256 * 2**20))
    try:
        code = (
            "import subprocess, sys\n"
            "hog = 'b = bytearray(100 * 2**20); import time; time.sleep(2)'\n"
            "kids = [subprocess.Popen([sys.executable, '-c', hog]) "
            "for _ in range(4)]\n"
            "sys.exit(sum(k.wait() != 0 for k in kids))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], preexec_fn=group.enter, check=False
        )
        # Four processes of 100 MiB cannot all live in 256 MiB together.
        assert result.returncode >= 1 or result.returncode < 0
        assert group.out_of_memory()
    finally:
        group.close()


@needs_cgroups
def test_close_kills_what_is_left_and_removes_the_group() -> None:
    group = Cgroup(Limits())
    subprocess.Popen(["setsid", "sleep", "300"], preexec_fn=group.enter)
    subprocess.run(["sleep", "0.2"], check=True)
    group.close()
    assert not any(path.exists() for path in group.paths)
