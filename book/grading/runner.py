"""Run one submission's notebook and probe its functions (inside the sandbox).

Usage: python -m book.grading.runner FD < request.json, with the results
channel open as file descriptor FD. The runner starts a kernel, warms it up (imports
that do not count against the student), runs the code cells under a CPU-time
limit each, then the probe cell. It speaks only on the channel, which the
kernel cannot reach: the kernel does not inherit it, and the runner makes
itself non-dumpable, so its /proc entries and memory are closed to the
kernel's user. Messages are one JSON object per line: `{"ready": cpu}` once
the kernel is warm, then the report (`book.grading.records.ProbeReport`).
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any

if __name__ == "__main__":
    # jsonschema, imported by nbformat's validator, compiles the grammar of its
    # optional IRI format check when it is installed: 0.8 s of every submission's
    # start. Notebooks have no IRI fields; without the module the check is left
    # out. Only in the runner's own process: importing this module changes nothing.
    sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: E402

# Not book.grading.probe: it imports torch, which only the kernel needs.
from book.grading.records import (  # noqa: E402
    Call,
    ProbeReport,
    RecordError,
    Value,
    call_from_json,
    encode_calls,
    to_json,
    value_from_json,
)

# Imports every exercise needs, made before the student's cells: their cost is
# the same for every submission and is not the student's.
WARM_UP = "import book.notebook, book.grading.probe, torch.nn.functional"
# CPU seconds a cell may go on after its interrupt before the kernel is killed.
GRACE_SECONDS = 2.0
TIMEOUT_ERROR = {
    "ename": "CellTimeout",
    "evalue": "stopped at the time limit",
    "traceback": [],
}


def not_dumpable() -> None:
    """Close this process's /proc entries and memory to other processes of its user."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_dumpable = 4
    if libc.prctl(pr_set_dumpable, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def cpu_seconds(pid: int) -> float:
    """CPU time of process `pid` and its waited-for children (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime: fields 14-17 of stat(5), here 11-14.
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class CappedClient(NotebookClient):
    """A notebook client that keeps at most `output_limit` characters of output.

    A submission printing without end must not fill the runner's memory.
    """

    output_limit = 200_000
    kept = 0
    timed_out = False

    async def _async_handle_timeout(self, timeout, cell=None):  # noqa: ANN001, ANN202
        # The kernel's reply to the interrupt is a KeyboardInterrupt like any
        # other: only here do we know that the wall-clock backstop sent it.
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001, ANN201
        size = len(json.dumps(msg.get("content", {})))
        if self.kept + size > self.output_limit:
            return None
        self.kept += size
        return super().output(outs, msg, display_id, cell_index)


class CpuWatch:
    """Interrupts the kernel when a cell used `limit` CPU seconds; kills it after.

    One thread for the whole run, started before the student's code: a
    submission that uses up its process limit cannot stop the watch.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cell: tuple[int, float, float] | None = None  # pid, start, limit
        self.fired = self.killed = False
        threading.Thread(target=self._watch, daemon=True).start()

    def arm(self, pid: int, limit: float) -> None:
        """Start counting a cell's CPU time."""
        with self._lock:
            self.fired = self.killed = False
            self._cell = (pid, cpu_seconds(pid), limit)

    def disarm(self) -> None:
        """The cell is over."""
        with self._lock:
            self._cell = None

    def _watch(self) -> None:
        while True:
            time.sleep(0.05)
            with self._lock:
                if self._cell is not None:
                    self._check(*self._cell)

    def _check(self, pid: int, start: float, limit: float) -> None:
        used = cpu_seconds(pid) - start
        try:
            if used > limit + GRACE_SECONDS and not self.killed:
                os.kill(pid, signal.SIGKILL)
                self.killed = True
            elif used > limit and not self.fired:
                os.kill(pid, signal.SIGINT)
                self.fired = True
        except ProcessLookupError:
            pass


def send(channel: int, message: dict[str, Any]) -> None:
    """One line on the results channel."""
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(channel, data) :]


def read_probe(
    outputs: list, nonce: str, calls: int
) -> tuple[list[Value | None], dict[int, str]]:
    """The values the probe printed: only lines with the nonce, each index once."""
    results: list[Value | None] = [None] * calls
    tripped: dict[int, str] = {}
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    for line in text.splitlines():
        if not line.startswith(nonce + " "):
            continue
        try:
            entry = json.loads(line[len(nonce) + 1 :])
            index = entry["index"]
            if (
                type(index) is not int
                or not 0 <= index < calls
                or (results[index] is not None)
            ):
                continue
            results[index] = value_from_json(entry["result"])
            if entry.get("tripped"):
                tripped[index] = str(entry["tripped"])[:200]
        except (ValueError, KeyError, TypeError, RecordError):
            continue
    return results, tripped


def _client(notebook: nbformat.NotebookNode, request: dict[str, Any]) -> CappedClient:
    return CappedClient(
        notebook,
        # Wall clock only as a backstop: the CPU watch is the cell's limit.
        timeout=request["cell_seconds"] * request["wall_factor"],
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout=TIMEOUT_ERROR,
        resources={"metadata": {"path": "."}},
        # The sandbox is torn down anyway: no need to wait for a clean exit.
        shutdown_kernel="immediate",
    )


def _execute(
    client: CappedClient,
    cell: Any,
    index: int,
    limit: float,
    report: dict[str, Any],
    watch: CpuWatch,
) -> bool:
    """Run one cell under its CPU limit; False when the run cannot go on."""
    watch.arm(client.km.provisioner.process.pid, limit)
    try:
        client.execute_cell(cell, index)
    except CellTimeoutError:
        report["timed_out"] = True
        return False
    except Exception as error:  # noqa: BLE001 - dead kernel or garbled messages
        # A kernel whose json or zmq was tampered with sends messages nbclient
        # cannot read; the cell counts as failed, and the run goes on if the
        # kernel is alive.
        if isinstance(error, DeadKernelError) or not client.km.is_alive():
            report["timed_out"] |= watch.killed
            report["crashed"] = not watch.killed
            return False
    finally:
        watch.disarm()
    report["timed_out"] |= watch.fired
    return True


def seed_home(seed: str) -> None:
    """Copy the home's first files (notebook, font cache) where they were not put."""
    if seed:
        shutil.copytree(seed, os.environ["HOME"], dirs_exist_ok=True)


def probe_source(calls: list[Call], nonce: str, seconds: float) -> str:
    """The probe cell run after the student's cells (`book.grading.probe.run`)."""
    return (
        "from book.grading.probe import run as _grading_probe_run\n"
        f"_grading_probe_run(globals(), {encode_calls(calls)!r}, {nonce!r}, "
        f"{float(seconds)!r})"
    )


def _probe(
    client: CappedClient,
    run_notebook: nbformat.NotebookNode,
    calls: list,
    request: dict[str, Any],
    report: dict[str, Any],
    watch: CpuWatch,
) -> tuple[list[Value | None], dict[int, str]]:
    """Run the probe cell after the student's cells; the values it printed."""
    # Made now: no code that ran before the probe could know it.
    nonce = secrets.token_hex(16)
    cell = nbformat.v4.new_code_cell(
        probe_source(calls, nonce, request["call_seconds"])
    )
    run_notebook.cells.append(cell)
    client.output_limit = client.kept + 10_000_000
    limit = (request["call_seconds"] + 1) * max(len(calls), 1) + 10
    client.timeout = limit * request["wall_factor"]
    _execute(client, cell, len(run_notebook.cells) - 1, limit, report, watch)
    return read_probe(cell.outputs, nonce, len(calls))


def run(request: dict[str, Any], channel: int) -> ProbeReport:
    """Execute the notebook's code cells, then the probe; report plain data."""
    seed_home(request["seed"])
    notebook = nbformat.read(request["notebook"], as_version=4)
    calls = [call_from_json(c, f"call {i}") for i, c in enumerate(request["calls"])]
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    warm_up = nbformat.v4.new_code_cell(WARM_UP)
    run_notebook = nbformat.v4.new_notebook(cells=[warm_up, *cells])
    client, watch = _client(run_notebook, request), CpuWatch()
    report: dict[str, Any] = {"cells": [], "crashed": False, "timed_out": False}
    results: list[Value | None] = [None] * len(calls)
    tripped: dict[int, str] = {}
    # The kernel's own stdout and stderr go nowhere: only this runner speaks.
    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        client.execute_cell(warm_up, 0)
        kernel = client.km.provisioner.process.pid
        send(channel, {"ready": cpu_seconds(os.getpid()) + cpu_seconds(kernel)})
        going = True
        for index, cell in enumerate(cells, start=1):
            limit = request["cell_seconds"]
            going = _execute(client, cell, index, limit, report, watch)
            errors = [o for o in cell.outputs if o.output_type == "error"]
            report["cells"].append(errors[0].ename[:100] if errors else None)
            if not going:
                break
        if going:
            results, tripped = _probe(
                client, run_notebook, calls, request, report, watch
            )
    return ProbeReport(
        cells=tuple(report["cells"]),
        crashed=report["crashed"],
        timed_out=report["timed_out"] or client.timed_out,
        results=tuple(results),
        delegations=tripped,
    )


def main(argv: list[str]) -> int:
    """Read the request on stdin, send the report on the channel named in argv."""
    not_dumpable()
    channel = int(argv[0])
    # The kernel must not inherit it (it does not: nothing here passes it on).
    os.set_inheritable(channel, False)
    request = json.loads(sys.stdin.read())
    send(channel, {"report": to_json(run(request, channel))})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
