"""`make lab` gives JupyterLab with the extensions the notebooks are written for."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.test_site import CALLOUT_KINDS

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "notebook_filter", ROOT / "scripts/notebook_filter.py"
)
notebook_filter = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebook_filter)
LABEXTENSIONS = Path(sys.prefix) / "share/jupyter/labextensions"
CUSTOM_CSS = ROOT / "lab/custom/custom.css"
SCREENSHOTS = ROOT / "_build/screenshots"
NOTEBOOK = "reader.ipynb"
CHROMIUM = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# MyST renders callouts, math and figures; the widget manager runs the explorers.
REQUIRED_EXTENSIONS = (
    "jupyterlab-myst",
    "@jupyter-widgets/jupyterlab-manager",
    "anywidget",
)
# webpack's table of the shared modules an extension needs, in the two forms
# its builds use: `requiredVersion:"^4.6.2"`, or `false, [1,4,4,6]` (the first
# number: how many leading parts must match; then the lowest version).
SHARED_LAB_MODULE = re.compile(
    r'shareKey:"(@jupyterlab/[a-z-]+)",import:[^,]*,requiredVersion:"\^([\d.]+)"'
    r'|"(@jupyterlab/[a-z-]+)", (?:false|true), \[1,([\d,]+)\]'
)
# The left border colour of each course callout, by kind.
CALLOUT_COLOURS = """() => Object.fromEntries(
    [...document.querySelectorAll('aside.myst-admonition')].map(aside => [
        aside.classList[aside.classList.length - 1],
        getComputedStyle(aside).borderLeftColor]))"""
# Unresolved citations and references as a reader sees them (CSS text included).
REFERENCE_TEXT = """() => [...document.querySelectorAll(
        'span[title="Citation Not Found"], span[title="Cross Reference Not Found"]')]
    .map(span => [getComputedStyle(span, '::before').content, span.textContent,
                  getComputedStyle(span, '::after').content]
        .join('').replaceAll('"', ''))"""
NOTEBOOK_SHOWN = """() => document.querySelectorAll('.jp-OutputArea-output').length
    && document.querySelectorAll('aside.myst-admonition').length >= 6
    && document.querySelectorAll('span[title="Citation Not Found"], '
        + 'span[title="Cross Reference Not Found"]').length >= 2"""
# The explorer drawn from the widget state saved in the notebook, no cell run:
# Lab shows "Loading widget..." in its place until the kernel has connected.
SAVED_EXPLORER = ".jp-OutputArea-output .book-explorer"
# Lab marks an unsaved notebook's tab with jp-mod-dirty.
SAVE_SECONDS = 60


def test_lab_extensions_are_enabled_and_compatible() -> None:
    jupyter = Path(sys.executable).parent / "jupyter"
    result = subprocess.run(
        [str(jupyter), "labextension", "list"], capture_output=True, text=True
    )
    listing = result.stdout + result.stderr
    assert result.returncode == 0, listing
    assert "not compatible" not in listing, listing
    for name in REQUIRED_EXTENSIONS:
        lines = [line for line in listing.splitlines() if f"{name} v" in line]
        assert lines, f"{name} is not installed:\n{listing}"
        assert "enabled" in lines[0] and "OK" in lines[0], lines[0]


def caret_allows(floor: str, version: str) -> bool:
    """Whether npm's `^floor` range admits `version` (major > 0).

    >>> caret_allows("4.4.6", "4.5.11"), caret_allows("4.6.2", "4.5.11")
    (True, False)
    """
    low = tuple(int(part) for part in floor.split("."))
    have = tuple(int(part) for part in version.split(".")[:3])
    return have[0] == low[0] and have >= low


def test_widget_extension_was_built_for_this_jupyterlab() -> None:
    lab = json.loads(
        (Path(sys.prefix) / "share/jupyter/lab/static/package.json").read_text()
    )
    installed = {name: v.lstrip("~^") for name, v in lab["resolutions"].items()}
    manager = LABEXTENSIONS / "@jupyter-widgets" / "jupyterlab-manager" / "static"
    entry = next(manager.glob("remoteEntry.*.js")).read_text()
    wanted = {
        name or old_name: floor or old_floor.replace(",", ".")
        for name, floor, old_name, old_floor in SHARED_LAB_MODULE.findall(entry)
    }
    assert "@jupyterlab/notebook" in wanted, "no @jupyterlab/ requirement found"
    for package, floor in wanted.items():
        assert caret_allows(floor, installed[package]), (
            f"the widget extension wants {package} ^{floor}, JupyterLab has "
            f"{installed[package]}: pin jupyterlab_widgets to a build for this Lab"
        )


def palette(css: str, selector: str) -> dict[str, tuple[str, str]]:
    rule = re.compile(
        selector + r"\.([a-z-]+)\s*\{\s*--callout: (#\w+); --callout-bg: (#\w+);",
        re.MULTILINE,
    )
    return {kind: (line, bg) for kind, line, bg in rule.findall(css)}


def test_lab_callouts_use_the_site_palette() -> None:
    site = palette((ROOT / "_static/callouts.css").read_text(), r"^\.admonition")
    lab = palette(CUSTOM_CSS.read_text(), r"aside\.myst-admonition")
    assert set(site) == set(CALLOUT_KINDS), site
    assert lab == site


@pytest.fixture
def lab_repo(tmp_path: Path) -> Path:
    """A git repository holding one notebook, with this project's notebook filter.

    The notebook has the six callouts, a citation, a figure reference and an
    explorer's saved widget, with chapter 3's metadata (widget state included).
    """
    repo = tmp_path / "repo"
    repo.mkdir()
    chapter = json.loads((ROOT / "chapters/03_weight_sharing.ipynb").read_text())
    explorer = next(
        cell
        for cell in chapter["cells"]
        if any(
            "application/vnd.jupyter.widget-view+json" in out.get("data", {})
            for out in cell.get("outputs", [])
        )
    )
    callouts = "\n".join(
        f":::{{admonition}} {kind}\n:class: {kind}\nA {kind} callout.\n:::\n"
        for kind in CALLOUT_KINDS
    )
    prose = "Known {cite:p}`lecun1998gradient`; see {numref}`fig-wiring`."
    chapter["cells"] = [
        {
            "cell_type": "markdown",
            "id": "callouts",
            "metadata": {},
            "source": callouts.splitlines(keepends=True),
        },
        {"cell_type": "markdown", "id": "refs", "metadata": {}, "source": [prose]},
        explorer,
    ]
    # Stored form, as `git add --renormalize` leaves every course notebook.
    (repo / NOTEBOOK).write_text(notebook_filter.clean(json.dumps(chapter)))
    # As `make lab` trusts the course's notebooks, so their widgets show.
    jupyter = Path(sys.executable).parent / "jupyter"
    subprocess.run([str(jupyter), "trust", str(repo / NOTEBOOK)], check=True)
    for name in (".gitattributes", ".gitignore"):
        shutil.copy(ROOT / name, repo)
    clean = f"{sys.executable} {ROOT / 'scripts/notebook_filter.py'}"
    for command in (
        ["init", "-q"],
        ["config", "filter.notebook.clean", clean],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"],
    ):
        subprocess.run(["git", *command], cwd=repo, check=True)
    return repo


@contextmanager
def make_lab(root_dir: Path, token: str) -> Iterator[str]:
    """`make lab` serving `root_dir`; yields its URL and stops it afterwards."""
    args = f"--no-browser --port=0 --ServerApp.token={token} "
    args += f"--ServerApp.root_dir={root_dir}"
    lab = subprocess.Popen(
        ["make", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # one process group: make, jupyter, the kernel
    )
    log = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and lab.poll() is None:
            log.append(lab.stdout.readline())
            found = re.search(r"(http://(?:localhost|127\.0\.0\.1):\d+)/", log[-1])
            if found:
                threading.Thread(target=lab.stdout.read, daemon=True).start()
                yield found[1], "".join(log)
                return
        pytest.fail("make lab did not start:\n" + "".join(log))
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=30)


def save_until_written(page, path: Path, before: int) -> None:
    """Press Ctrl+S in the notebook until Lab has written the file.

    An unchanged notebook shows no "unsaved" mark to wait for, and a key press
    that lands while Lab is still settling is dropped: so press again until the
    file's modification time moves, or give up after SAVE_SECONDS.
    """
    deadline = time.monotonic() + SAVE_SECONDS
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        page.locator(".jp-Notebook").click()
        page.keyboard.press("Control+s")
        page.wait_for_timeout(2000)


@pytest.mark.slow
def test_lab_shows_the_book_as_written_and_saving_leaves_git_clean(lab_repo) -> None:
    from playwright.sync_api import sync_playwright

    with make_lab(lab_repo, "lab-test") as (url, log), sync_playwright() as pw:
        if os.geteuid() == 0:
            assert "--allow-root" in log and "running as root" in log
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        console = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{url}/lab/tree/{NOTEBOOK}?token=lab-test")
        # The notebook is rendered once the callouts and the explorer's output are.
        page.wait_for_function(NOTEBOOK_SHOWN, timeout=120_000)
        page.wait_for_selector(SAVED_EXPLORER, timeout=60_000)
        colours = page.evaluate(CALLOUT_COLOURS)
        refs = page.evaluate(REFERENCE_TEXT)
        outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "lab.png"))
        committed = (lab_repo / NOTEBOOK).read_text()
        before = (lab_repo / NOTEBOOK).stat().st_mtime_ns
        save_until_written(page, lab_repo / NOTEBOOK, before)
        browser.close()
    assert len(set(colours.values())) == len(CALLOUT_KINDS), colours
    assert [text for text in outputs if "VBox(" in text or " at 0x" in text] == []
    assert not [text for text in outputs if "Loading widget" in text], outputs
    # No warning icon and bare key: a pointer to the site's bibliography/figure.
    assert len(refs) == 2 and refs[0].startswith("[see References: lecun1998gradient")
    assert refs[1] == "[figure fig-wiring]"
    assert not [text for text in console if "Unsatisfied version" in text], console
    saved = (lab_repo / NOTEBOOK).read_text()
    assert (lab_repo / NOTEBOOK).stat().st_mtime_ns != before
    # Lab wrote the file (the kernel's language_info, 3.0 as 3) and the pre-save
    # hook of `make lab` put it back in the stored form, byte for byte.
    assert saved == committed, "the saved notebook differs from the committed one"
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=lab_repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == "", f"opening and saving changed the notebook for git:\n{status}"
