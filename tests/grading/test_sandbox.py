"""The sandbox's command line: what the student's kernel sees, in which order."""

from __future__ import annotations

from pathlib import Path

from book.grading.sandbox import BOOK_DIR, HIDDEN_DIR, sandboxed


def mount_order(command: list[str]) -> list[tuple[str, str]]:
    """(option, target) of every mount in a bubblewrap command, in order."""
    mounts, options = [], {"--ro-bind": 2, "--bind": 2, "--tmpfs": 1, "--symlink": 2}
    for index, arg in enumerate(command):
        if arg in options:
            mounts.append((arg, command[index + options[arg]]))
    return mounts


def test_sandbox_mounts_empty_tmp_before_an_environment_under_tmp() -> None:
    # A checkout (and its venv) under /tmp must stay visible inside the sandbox.
    command = sandboxed(["python"], Path("/tmp/work"), "bwrap")
    mounts = mount_order(command)
    empty_tmp = mounts.index(("--tmpfs", "/tmp"))
    book_dir = mounts.index(("--ro-bind", str(BOOK_DIR)))
    hidden = mounts.index(("--tmpfs", str(HIDDEN_DIR)))
    assert empty_tmp < book_dir < hidden
    assert mounts[-1] == ("--bind", "/home/student")
