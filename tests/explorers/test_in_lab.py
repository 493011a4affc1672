"""The explorers live in JupyterLab: drawn by the page, in sync with the kernel.

Starts `jupyter lab` on a notebook this test writes, runs it in Chromium, moves
controls from the keyboard and checks both directions of the sync: the kernel
sees the page's setting, and a setting made in Python redraws the page.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from book.layers import conv_arithmetic

from .pages import chromium

pytestmark = pytest.mark.slow

CELLS = [
    "import torch\nfrom torch import nn\n"
    "from book.explorers import conv_arithmetic_explorer, digit_explorer\n"
    "explorer = conv_arithmetic_explorer(7, 3, 2, 0)\nexplorer",
    "torch.manual_seed(0)\n"
    "fc = nn.Sequential(nn.Flatten(), nn.Linear(400, 10))\n"
    "cnn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveMaxPool2d(1), nn.Flatten(),\n"
    "                    nn.Linear(2, 10))\n"
    "digit = digit_explorer(fc, cnn, torch.rand(8, 8), 20)\ndigit",
]
# Generous waits: a busy 2-core machine starts Lab and torch slowly, and a wait
# that is too short fails for load, not for a fault.
START_SECONDS = 300
WAIT_MS = 300_000
SCREENSHOT = Path(__file__).resolve().parents[2] / "_build" / "screenshots" / "lab.png"
# Appends a code cell with `source` to the open notebook and runs it.
RUN_NEW_CELL = """source => {
  const panel = window.jupyterapp.shell.currentWidget;
  const model = panel.content.model;
  model.sharedModel.insertCell(model.cells.length, {cell_type: 'code', source});
  panel.content.activeCellIndex = model.cells.length - 1;
  return window.jupyterapp.commands.execute('notebook:run-cell');
}"""
# Run-all before the kernel is up runs nothing.
KERNEL_READY = """() => {
  const kernel = window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
  return kernel?.connectionStatus === 'connected' && kernel?.status === 'idle';
}"""
LAST_OUTPUT = """() => {
  const cells = document.querySelectorAll('.jp-CodeCell');
  const out = cells[cells.length - 1].querySelector('.jp-OutputArea-output pre');
  return out ? out.textContent.trim() : null;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the test notebook in a JupyterLab server of this environment."""
    root = tmp_path_factory.mktemp("lab")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(notebook, root / "explorers.ipynb")
    port, token = free_port(), secrets.token_hex(8)
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_dir / "jupyter"),
            "lab",
            "--allow-root",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.workspaces_dir={root / '.workspaces'}",
            "--LabApp.expose_app_in_browser=True",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # The kernel runs `python` from PATH: this environment's.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                assert server.poll() is None, "jupyter lab exited while starting"
                assert time.monotonic() < deadline, "jupyter lab did not start"
                time.sleep(1)
        yield f"{base}/lab/tree/explorers.ipynb?token={token}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_all(page) -> None:
    """Open the notebook's kernel (answering the kernel dialog) and run every cell."""
    page.wait_for_function("window.jupyterapp !== undefined")
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        accept.first.click(timeout=30_000)
    except Exception:  # noqa: BLE001 - the dialog only shows for a new notebook
        pass
    page.wait_for_function(KERNEL_READY, timeout=WAIT_MS)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "document.querySelectorAll('.book-explorer').length === 2", timeout=WAIT_MS
    )


def kernel_says(page, source: str) -> str:
    page.evaluate(RUN_NEW_CELL, source)
    page.wait_for_function(f"({LAST_OUTPUT})() !== null", timeout=WAIT_MS)
    return page.evaluate(LAST_OUTPUT)


def kernel_comes_to_say(page, source: str, expected: str, tries: int = 10) -> str:
    """What the kernel prints for `source`, asked again until it says `expected`.

    ipywidgets keeps one sync message in flight per widget and holds later
    changes until the kernel goes idle, so a cell run right after two quick key
    presses can overtake the second one. The page's changes must arrive, not
    arrive before the next cell: the last answer is returned for the assert.
    """
    said = kernel_says(page, source)
    for _ in range(tries - 1):
        if said == expected:
            break
        page.wait_for_timeout(1000)
        said = kernel_says(page, source)
    return said


def test_explorers_compute_and_sync_with_the_kernel_in_lab(lab: str) -> None:
    problems: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(WAIT_MS)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(lab)
        try:
            run_all(page)
        finally:
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOT)
        conv, digit = page.locator(".book-explorer").all()
        # The notebook would take the arrow key for itself if the explorer let it.
        conv.locator("input[type=range]").nth(2).focus()
        page.keyboard.press("ArrowRight")
        expected = conv_arithmetic(7, 3, 3, 0).summary()
        assert conv.locator("pre").text_content() == expected
        digit.locator("canvas").focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowDown")
        assert "row 7, column 7" in digit.locator(".explorer-summary").text_content()
        # Page to kernel: Python sees the settings the reader made.
        source = "print(explorer.stride, digit.row, digit.col)"
        assert kernel_comes_to_say(page, source, "3 7 7") == "3 7 7"
        # Kernel to page: a setting made in Python redraws the explorer.
        page.evaluate(RUN_NEW_CELL, "explorer.padding = 2")
        expected = conv_arithmetic(7, 3, 3, 2).summary()
        page.wait_for_function(
            "text => document.querySelector('.book-explorer pre').textContent === text",
            arg=expected,
        )
    assert not problems, problems
