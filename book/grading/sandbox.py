"""Run a command for one submission: resource limits, own process group, hard kill.

With bubblewrap (`bwrap`) the command also runs with no network, as an
unprivileged user, seeing only the system's programs and libraries, this
Python environment, the `book` package (with its hidden tests covered by an
empty folder) and the submission's own working copy.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import book

BOOK_DIR = Path(book.__file__).resolve().parent
HIDDEN_DIR = BOOK_DIR / "grading" / "hidden"
HOME = "/home/student"
# System files a Python kernel reads; the rest of /etc is not shown.
ETC_FILES = ("ld.so.cache", "fonts", "passwd", "group", "nsswitch.conf",
             "localtime", "hosts", "mime.types")


@dataclass(frozen=True)
class Limits:
    """Limits for one submission; the defaults suit the exercises with room to spare."""

    cell_seconds: float = 30
    call_seconds: float = 5
    wall_seconds: float = 240
    memory_bytes: int = 4 * 2**30
    cpu_seconds: int = 180
    file_bytes: int = 64 * 2**20


@dataclass(frozen=True)
class Outcome:
    """What came back from the command, and whether the wall-clock limit killed it."""

    stdout: str
    stderr: str
    killed: bool


def bwrap_path() -> str | None:
    """The bubblewrap executable, or None where it is not installed."""
    return shutil.which("bwrap")


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.exists():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC_FILES:
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def sandboxed(command: list[str], workdir: Path, bwrap: str) -> list[str]:
    """`command` wrapped in bubblewrap, run in `workdir` mounted as the home folder."""
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    binds = [arg for prefix in sorted(prefixes)
             for arg in ("--ro-bind", str(prefix), str(prefix))]
    return [
        bwrap, "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000",
        "--cap-drop", "ALL", "--die-with-parent", "--new-session",
        # Mounts apply in order: the empty /tmp first, so that an environment or
        # checkout that lives under /tmp is bound on top of it, not hidden.
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        *_system_binds(), *binds,
        "--ro-bind", str(BOOK_DIR), str(BOOK_DIR),
        "--tmpfs", str(HIDDEN_DIR),
        "--bind", str(workdir), HOME, "--chdir", HOME,
        "--", *command,
    ]


def _limit(limits: Limits) -> None:
    """Set in the child before it runs: every process it starts inherits these."""
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))


def run_limited(
    command: list[str], stdin: str, workdir: Path, limits: Limits,
    env: dict[str, str],
) -> Outcome:
    """Run `command` in its own session; kill its group at the wall-clock limit."""
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=workdir, env=env, text=True,
        start_new_session=True, preexec_fn=lambda: _limit(limits),
    )
    killed = False
    try:
        stdout, stderr = process.communicate(stdin, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        killed = True
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    finally:
        # Whatever the submission left running in its group goes too. The
        # kernel has a session of its own: bubblewrap's PID namespace and
        # --die-with-parent end it; without bubblewrap it may outlive this kill.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return Outcome(stdout, stderr, killed)
