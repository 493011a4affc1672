"""Run one submission's notebook and probe its functions (inside the sandbox).

Usage: python -m book.grading.runner < request.json, where the request holds
the notebook path, the calls to make and the time limits. The kernel and this
driver share the sandbox, so they talk over its private loopback. The only
output is one JSON line on stdout: what each cell did and each call returned.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

TIMEOUT_ERROR = {"ename": "CellTimeout", "evalue": "stopped at the time limit",
                 "traceback": []}


class CappedClient(NotebookClient):
    """A notebook client that keeps at most `output_limit` characters of output.

    A submission printing without end must not fill the grader's memory.
    """

    output_limit = 200_000
    kept = 0
    timed_out = False

    async def _async_handle_timeout(self, timeout, cell=None):  # noqa: ANN001, ANN202
        # The kernel's reply to the interrupt is a KeyboardInterrupt like any
        # other: only here do we know that the time limit sent it.
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001, ANN201
        size = len(json.dumps(msg.get("content", {})))
        if self.kept + size > self.output_limit:
            return None
        self.kept += size
        return super().output(outs, msg, display_id, cell_index)


def probe_source(calls: list[dict], marker: str, call_seconds: float) -> str:
    """The code cell that calls the student's functions and prints the results."""
    payload = json.dumps(json.dumps(calls))
    return (
        "from book.grading.wire import probe as _grading_probe\n"
        "from book.grading.records import call_from_json as _grading_call\n"
        f"_grading_probe(globals(), [_grading_call(c) for c in "
        f"__import__('json').loads({payload})], {marker!r}, {call_seconds!r})"
    )


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Execute the notebook's code cells, then the probe; report plain data."""
    notebook = nbformat.read(request["notebook"], as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    marker = secrets.token_hex(16)
    probe = nbformat.v4.new_code_cell(
        probe_source(request["calls"], marker, request["call_seconds"])
    )
    run_notebook = nbformat.v4.new_notebook(cells=[*cells, probe])
    client = CappedClient(
        run_notebook,
        timeout=request["cell_seconds"],
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout=TIMEOUT_ERROR,
        resources={"metadata": {"path": "."}},
        # The sandbox is torn down anyway: no need to wait for a clean exit.
        shutdown_kernel="immediate",
    )
    report: dict[str, Any] = {"cells": [], "crashed": False, "timed_out": False,
                              "results": []}
    # The kernel's own stdout and stderr go nowhere: only this driver speaks.
    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        for index, cell in enumerate(run_notebook.cells):
            if cell is probe:
                client.timeout = (request["call_seconds"] + 1) * max(
                    len(request["calls"]), 1) + 10
                client.output_limit = client.kept + 10_000_000
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                report["timed_out"] = True
                break
            except DeadKernelError:
                report["crashed"] = True
                break
            except Exception as error:  # noqa: BLE001 - garbled kernel messages
                # A kernel whose json or zmq was tampered with sends messages
                # nbclient cannot read; the cell counts as failed.
                print(f"cell {index}: {type(error).__name__}: {error}", file=sys.stderr)
                if not client.km.is_alive():
                    report["crashed"] = True
                    break
            errors = [o for o in cell.outputs if o.output_type == "error"]
            if cell is not probe:
                report["cells"].append(errors[0].ename if errors else None)
    report["timed_out"] = report["timed_out"] or client.timed_out
    lines = "".join(o.get("text", "") for o in probe.outputs if o.output_type ==
                    "stream").splitlines()
    found = {}
    for line in lines:
        if line.startswith(marker + " "):
            entry = json.loads(line[len(marker) + 1 :])
            found[entry["index"]] = entry["result"]
    report["results"] = [found.get(i) for i in range(len(request["calls"]))]
    return report


def main() -> int:
    """Read the request on stdin, print the report as one JSON line."""
    request = json.loads(sys.stdin.read())
    print(json.dumps(run(request)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
