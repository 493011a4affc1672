"""The sandbox: what it mounts, in which order, and that it runs for real."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from book.grading.limits import Limits
from book.grading.sandbox import (
    CHANNEL_CAP,
    HOME,
    LIBRARY,
    MINIMAL_FILES,
    bwrap_path,
    minimal_book,
    run_limited,
    sandboxed,
)

HAS_BWRAP = shutil.which("bwrap") is not None


def mount_order(command: list[str]) -> list[tuple[str, str]]:
    """(option, target) of every mount in a bubblewrap command, in order."""
    mounts, options = [], {"--ro-bind": 2, "--bind": 2, "--tmpfs": 1, "--symlink": 2}
    for index, arg in enumerate(command):
        if arg in options:
            mounts.append((arg, command[index + options[arg]]))
    return mounts


@pytest.mark.parametrize("mounted", [True, False])
def test_mounts_empty_tmp_first_and_a_home_capped_either_way(mounted: bool) -> None:
    # A checkout (and its venv) under /tmp must stay visible inside the sandbox.
    command = sandboxed(
        ["python"], Path("/tmp/work/home"), Path("/tmp/lib"), "bwrap", Limits(), mounted
    )
    mounts = mount_order(command)
    assert mounts.index(("--tmpfs", "/tmp")) < mounts.index(("--ro-bind", LIBRARY))
    sized = command[command.index("--tmpfs") - 1]
    assert sized == str(Limits().tmp_bytes)
    if mounted:
        assert ("--bind", HOME) in mounts
    else:
        home = command.index(HOME)
        assert command[home - 1] == "--tmpfs"
        assert command[home - 2] == str(Limits().home_bytes)
    assert "--unshare-all" in command and "--die-with-parent" in command


def test_the_minimal_book_has_no_answer_key(tmp_path: Path) -> None:
    library = minimal_book(tmp_path)
    found = {p.relative_to(library / "book").as_posix() for p in library.rglob("*.py")}
    assert found == set(MINIMAL_FILES) | {"grading/__init__.py"}
    assert "check" in (library / "book" / "grading" / "__init__.py").read_text()


def probe_command(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_the_channel_is_read_with_a_bound(tmp_path: Path) -> None:
    # The "runner" floods its channel: the grader stops reading and says so.
    code = (
        "import os, sys\nfd = int(sys.argv[1])\n"
        "while True:\n    os.write(fd, b'x' * 65536)"
    )
    outcome = run_limited(probe_command(code), "", tmp_path, Limits(), {}, None)
    assert outcome.killed == "the run sent more than the grader reads"
    assert len(outcome.channel) <= CHANNEL_CAP + 65536


def test_stderr_keeps_only_its_end(tmp_path: Path) -> None:
    code = (
        "import os, sys\nfd = int(sys.argv[1])\n"
        "sys.stderr.write('x' * 10_000_000 + 'END')\n"
        "os.write(fd, b'{\"ready\": 0}\\n')"
    )
    outcome = run_limited(probe_command(code), "", tmp_path, Limits(), {}, None)
    assert outcome.stderr.endswith("END") and len(outcome.stderr) <= 4096
    assert json.loads(outcome.channel.splitlines()[0]) == {"ready": 0}
    assert outcome.cpu_seconds is not None and outcome.accounting == "rusage"


def test_the_wall_clock_backstop_stops_a_sleeper(tmp_path: Path) -> None:
    limits = Limits(cpu_seconds=0.1, wall_factor=1, startup_seconds=0.5)
    outcome = run_limited(
        probe_command("import time; time.sleep(60)"), "", tmp_path, limits, {}, None
    )
    assert "wall" in outcome.killed


@pytest.mark.skipif(not HAS_BWRAP, reason="needs bubblewrap")
def test_inside_the_sandbox_only_its_own_processes_are_seen(tmp_path: Path) -> None:
    home, library = tmp_path / "home", minimal_book(tmp_path / "lib")
    home.mkdir()
    code = (
        "import os, sys\nfd = int(sys.argv[1])\n"
        "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "import book.grading\n"
        "os.write(fd, repr((sorted(pids), book.grading.__file__)).encode())"
    )
    command = sandboxed(
        probe_command(code), home, library, bwrap_path(), Limits(), True
    )
    outcome = run_limited(command, "", tmp_path, Limits(), {}, None)
    pids, where = eval(outcome.channel)  # noqa: S307 - our own repr
    assert len(pids) <= 3, pids  # bubblewrap's init, the command (and its own)
    assert where.startswith(LIBRARY)
