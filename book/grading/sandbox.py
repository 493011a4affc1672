"""Run one submission: a bubblewrap sandbox, its limits, and a channel only it can use.

With bubblewrap (`bwrap`) the runner and the student's kernel run with no
network, as an unprivileged user in their own PID namespace (a fresh /proc;
nothing outlives the sandbox), seeing only the system's programs and
libraries, this Python environment, a sized tmpfs `/tmp`, a home capped in
bytes and files, and a *minimal* `book` package: `setup_notebook`, a `check`
stand-in and the runner's own modules, never the course's implementations,
the answer key or the hidden tests.

The runner reports on a pipe of its own (not stdout): the grader reads it,
and stderr, with bounded reads, and counts the submission's CPU time from its
control group while it runs (`book.grading.limits`).
"""

from __future__ import annotations

import json
import math
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import book
from book.grading.limits import Cgroup, Limits

__all__ = [
    "HOME",
    "Limits",
    "Outcome",
    "bwrap_path",
    "minimal_book",
    "run_limited",
    "sandboxed",
]

BOOK_DIR = Path(book.__file__).resolve().parent
HIDDEN_DIR = BOOK_DIR / "grading" / "hidden"
HOME = "/home/student"
LIBRARY = "/opt/grading"  # where the minimal `book` is mounted
SEED = "/opt/submission"  # the home's first files, where the home is not mounted
# System files a Python kernel reads; the rest of /etc is not shown.
ETC_FILES = (
    "ld.so.cache",
    "fonts",
    "passwd",
    "group",
    "nsswitch.conf",
    "localtime",
    "hosts",
    "mime.types",
)
# What a graded notebook may import from the course, and the runner needs.
MINIMAL_FILES = (
    "__init__.py",
    "notebook.py",
    "grading/records.py",
    "grading/wire.py",
    "grading/probe.py",
    "grading/runner.py",
)
CHECK_STAND_IN = '''"""The course's grading package as a graded notebook sees it."""


def check(exercise_id: str) -> None:
    """check() is for students; while the teacher's grader runs, it says so."""
    print(f"check({exercise_id!r}) does not run inside the teacher's grader.")
'''
CHANNEL_CAP = 32 * 2**20  # bytes of report a run may send
STDERR_KEPT = 4096


@dataclass(frozen=True)
class Outcome:
    """What came back from one sandboxed run."""

    channel: str  # the runner's messages, one JSON object per line
    stderr: str  # the last STDERR_KEPT bytes of its error output
    killed: str  # "" or why the grader stopped it (CPU, wall clock, flood)
    cpu_seconds: float | None  # the student's CPU time, warm-up excluded
    accounting: str  # "cgroup" or "rusage"


def bwrap_path() -> str | None:
    """The bubblewrap executable, or None where it is not installed."""
    return shutil.which("bwrap")


def minimal_book(folder: Path) -> Path:
    """Write the sandbox's `book` package into `folder`; return the folder to mount."""
    for name in MINIMAL_FILES:
        target = folder / "book" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BOOK_DIR / name, target)
    (folder / "book" / "grading" / "__init__.py").write_text(CHECK_STAND_IN)
    return folder


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


def sandboxed(
    command: list[str],
    home: Path,
    library: Path,
    bwrap: str,
    limits: Limits,
    home_mounted: bool,
) -> list[str]:
    """`command` wrapped in bubblewrap: `home` as the home folder, `library` as book."""
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    binds = [
        arg
        for prefix in sorted(prefixes)
        for arg in ("--ro-bind", str(prefix), str(prefix))
    ]
    # A home already capped in files and bytes is bound; otherwise a sized
    # tmpfs is made and only the notebook is shown in it.
    home_args = (
        ["--bind", str(home), HOME]
        if home_mounted
        else [
            "--size",
            str(limits.home_bytes),
            "--tmpfs",
            HOME,
            "--ro-bind",
            str(home),
            SEED,
        ]
    )
    return [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--uid",
        "1000",
        "--gid",
        "1000",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        # Mounts apply in order: the empty /tmp first, so that an environment
        # that lives under /tmp is bound on top of it, not hidden.
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(limits.tmp_bytes),
        "--tmpfs",
        "/tmp",
        *_system_binds(),
        *binds,
        "--ro-bind",
        str(library),
        LIBRARY,
        *home_args,
        "--chdir",
        HOME,
        "--setenv",
        "PYTHONPATH",
        LIBRARY,
        "--",
        *command,
    ]


def _rlimits(limits: Limits) -> None:
    """Per-process limits every process of the submission inherits."""
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_CORE, 0),
        # Without a control group this is the only CPU limit; with one it
        # never bites before the group's.
        (resource.RLIMIT_CPU, math.ceil(limits.cpu_seconds + limits.startup_seconds)),
    ):
        resource.setrlimit(which, (value, value))


class _Reader:
    """Bounded reads of the channel and stderr while the run goes on."""

    def __init__(self, channel: int, stderr: int) -> None:
        self.channel, self.stderr = channel, stderr
        self.data = {channel: bytearray(), stderr: bytearray()}
        self.open = {channel, stderr}
        self.flooded = False

    def poll(self, seconds: float) -> None:
        if not self.open:
            time.sleep(seconds)
            return
        ready, _, _ = select.select(sorted(self.open), [], [], seconds)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                self.open.discard(fd)
                continue
            kept = self.data[fd]
            kept += chunk
            if fd == self.stderr:
                del kept[:-STDERR_KEPT]
            elif len(kept) > CHANNEL_CAP:
                self.flooded = True
                self.open.discard(fd)

    def text(self, fd: int) -> str:
        return self.data[fd].decode("utf-8", "replace")

    def ready_cpu(self) -> float | None:
        """The CPU time the runner said it had used when warm, or None before."""
        first, newline, _ = self.data[self.channel].partition(b"\n")
        if not newline:
            return None
        try:
            value = json.loads(first).get("ready")
        except (ValueError, AttributeError):
            return None
        return float(value) if type(value) in (int, float) else None


class _Run:
    """One sandboxed run being watched: limits enforced while it goes on."""

    def __init__(
        self,
        process: subprocess.Popen,
        reader: _Reader,
        limits: Limits,
        group: Cgroup | None,
    ) -> None:
        self.process, self.reader, self.limits, self.group = (
            process,
            reader,
            limits,
            group,
        )
        self.start = time.monotonic()
        self.baseline: float | None = None  # group CPU when the kernel was warm
        self.rusage_cpu: float | None = None

    def watch(self) -> str:
        """Wait for the run to end; "" or why the grader stopped it."""
        while True:
            self.reader.poll(0.05)
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.process.returncode = os.waitstatus_to_exitcode(status)
                self.rusage_cpu = usage.ru_utime + usage.ru_stime
                for _ in range(20):  # what the runner wrote before it exited
                    self.reader.poll(0.01)
                return ""
            problem = self._over_a_limit()
            if problem:
                return problem

    def _over_a_limit(self) -> str:
        if self.reader.flooded:
            return "the run sent more than the grader reads"
        if self.group is not None:
            if self.baseline is None and self.reader.ready_cpu() is not None:
                # Kernel start and imports are done: the student's time starts.
                self.baseline = self.group.cpu_seconds()
            if self.baseline is not None and (
                self.group.cpu_seconds() - self.baseline > self.limits.cpu_seconds
            ):
                return f"used more than {self.limits.cpu_seconds:g} CPU seconds"
        if time.monotonic() - self.start > self.limits.wall_seconds:
            return (
                f"still running after {self.limits.wall_seconds:g} s of wall "
                "clock (the backstop)"
            )
        return ""

    def student_cpu(self) -> float | None:
        """CPU seconds after the warm-up, from the group or the process tree."""
        ready = self.reader.ready_cpu()
        if ready is None:
            return None
        if self.group is not None:
            baseline = self.baseline if self.baseline is not None else ready
            return max(self.group.cpu_seconds() - baseline, 0.0)
        if self.rusage_cpu is None:
            return None
        return max(self.rusage_cpu - ready, 0.0)

    def stop(self) -> None:
        """Kill whatever is left of the run: its session, then its control group."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process.returncode is None:
            _, status, usage = os.wait4(self.process.pid, 0)
            self.process.returncode = os.waitstatus_to_exitcode(status)
            self.rusage_cpu = usage.ru_utime + usage.ru_stime


def run_limited(
    command: list[str],
    stdin: str,
    cwd: Path,
    limits: Limits,
    env: dict[str, str],
    group: Cgroup | None,
) -> Outcome:
    """Run `command` in its own session and control group, within `limits`.

    The command gets the channel's write end as the file descriptor whose
    number is appended to it.
    """
    channel_read, channel_write = os.pipe()
    process = subprocess.Popen(
        [*command, str(channel_write)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        start_new_session=True,
        pass_fds=(channel_write,),
        preexec_fn=lambda: (group.enter() if group else None, _rlimits(limits)),
    )
    os.close(channel_write)
    reader = _Reader(channel_read, process.stderr.fileno())
    run = _Run(process, reader, limits, group)
    try:
        try:
            process.stdin.write(stdin.encode())
            process.stdin.close()
        except BrokenPipeError:
            pass
        killed = run.watch()
    finally:
        run.stop()
        cpu = run.student_cpu()
        if group is not None:
            group.close()
        os.close(channel_read)
        process.stderr.close()
    return Outcome(
        reader.text(channel_read),
        reader.text(reader.stderr),
        killed,
        cpu,
        "cgroup" if group is not None else "rusage",
    )
