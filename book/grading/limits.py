"""Limits per submission: CPU time, memory and processes of all its processes together.

A submission's processes (the sandbox, the runner, the kernel and anything
they start, in whatever session) share one control group (cgroup v1: the
cpuacct, memory and pids controllers), so its CPU time is counted whatever
else the machine runs, and its memory and process count are capped as a
whole. Where control groups cannot be made (not root, no v1 controllers),
the grader falls back to per-process rlimits and the CPU time of the waited
process tree (`os.wait4`), and says so in each result.
"""

from __future__ import annotations

import math
import os
import secrets
import signal
import subprocess
from dataclasses import dataclass, fields
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("cpuacct", "memory", "pids")
PARENT = "why-convolution-grading"


@dataclass(frozen=True)
class Limits:
    """Limits for one submission; the defaults suit the exercises with room to spare.

    Times are CPU seconds of the submission's own processes, so a busy
    machine does not change them; the wall clock is only a backstop,
    `wall_factor` times the CPU budget plus `startup_seconds` for the kernel.
    """

    cell_seconds: float = 30
    call_seconds: float = 5
    cpu_seconds: float = 120
    wall_factor: float = 10
    startup_seconds: float = 120
    memory_bytes: int = 4 * 2**30
    processes: int = 128
    file_bytes: int = 64 * 2**20
    tmp_bytes: int = 256 * 2**20
    home_bytes: int = 64 * 2**20
    home_files: int = 2000

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"limit {item.name} must be a number, got {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(
                    f"limit {item.name} must be a positive finite number, got {value!r}"
                )

    @property
    def wall_seconds(self) -> float:
        """The wall-clock backstop for a whole submission."""
        return self.startup_seconds + self.wall_factor * self.cpu_seconds


class Cgroup:
    """One submission's control group in each of CONTROLLERS."""

    def __init__(self, limits: Limits) -> None:
        name = f"sub-{os.getpid()}-{secrets.token_hex(6)}"
        self.paths = [CGROUP_ROOT / c / PARENT / name for c in CONTROLLERS]
        for path in self.paths:
            path.mkdir(parents=True)
        self._write("memory", "memory.limit_in_bytes", limits.memory_bytes)
        self._write("pids", "pids.max", limits.processes)

    def _path(self, controller: str) -> Path:
        return self.paths[CONTROLLERS.index(controller)]

    def _write(self, controller: str, name: str, value: int) -> None:
        (self._path(controller) / name).write_text(f"{value}\n")

    def enter(self) -> None:
        """Move the calling process in (run in the child before it executes)."""
        for path in self.paths:
            (path / "cgroup.procs").write_text(f"{os.getpid()}\n")

    def cpu_seconds(self) -> float:
        """CPU time used by every process that was ever in the group."""
        return int((self._path("cpuacct") / "cpuacct.usage").read_text()) / 1e9

    def out_of_memory(self) -> bool:
        """Whether the memory limit was reached (a process may have been killed)."""
        return int((self._path("memory") / "memory.failcnt").read_text()) > 0

    def close(self) -> None:
        """Kill whatever is left in the group, then remove it."""
        for _ in range(100):
            pids = {
                int(p)
                for path in self.paths
                for p in (path / "cgroup.procs").read_text().split()
            }
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os.sched_yield()
        for path in self.paths:
            try:
                path.rmdir()
            except OSError:
                pass  # a process still exiting; the empty group costs nothing


def cgroups_available() -> bool:
    """Whether this process may make control groups with every controller needed."""
    try:
        Cgroup(Limits()).close()
    except OSError:
        return False
    return True


def mount_home(folder: Path, limits: Limits) -> bool:
    """Mount a tmpfs capped in bytes and files on `folder`; False where not allowed.

    Needs root (as a teacher's grading server or CI has); elsewhere the
    sandbox's own sized tmpfs caps the bytes and the memory limit the rest.
    """
    if os.geteuid() != 0:
        return False
    options = f"size={limits.home_bytes},nr_inodes={limits.home_files},mode=0755"
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def unmount(folder: Path) -> None:
    """Undo `mount_home` (lazily: a process may still hold a file open)."""
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)
