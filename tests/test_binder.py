"""Binder's configuration (binder/) agrees with requirements.txt and the package.

repo2docker cannot run here (no Docker engine, no network), so these tests
check what it reads: with a binder/ folder it ignores the root's files, uses
binder/runtime.txt for Python, `pip install -r binder/requirements.txt`, then
runs binder/postBuild.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
_spec = importlib.util.spec_from_file_location(
    "binder_requirements", ROOT / "scripts/binder_requirements.py"
)
binder_requirements = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(binder_requirements)


def test_binder_python_is_the_one_the_package_requires() -> None:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert match, f"binder/runtime.txt is {runtime!r}, expected python-X.Y"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floor = re.fullmatch(r">=(\d+)\.(\d+)", project["requires-python"])
    assert tuple(map(int, match.groups())) >= tuple(map(int, floor.groups()))


def test_binder_requirements_are_current() -> None:
    expected = binder_requirements.rendered()
    assert (BINDER / "requirements.txt").read_text() == expected, (
        "binder/requirements.txt is stale: run scripts/binder_requirements.py"
    )


def test_every_binder_pin_is_the_requirements_pin() -> None:
    pins = binder_requirements.pins()
    binder = binder_requirements.pins(BINDER / "requirements.txt")
    assert binder, "binder/requirements.txt pins nothing"
    for name, line in binder.items():
        assert pins.get(name) == line, f"{line} differs from requirements.txt"


def test_binder_installs_cpu_torch_and_no_maintainer_tools() -> None:
    text = (BINDER / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    binder = binder_requirements.pins(BINDER / "requirements.txt")
    for name in ("torch", "jupyterlab", "jupyterlab-myst", "ipywidgets", "ipykernel"):
        assert name in binder, f"{name} missing from binder/requirements.txt"
    for tool in ("jupyter-book", "playwright", "pytest", "ruff", "hypothesis", "nbval"):
        assert tool not in binder, f"{tool} is a maintainer's tool, not the learner's"


def test_a_package_missing_from_requirements_is_named(monkeypatch) -> None:
    monkeypatch.setattr(binder_requirements, "READER_TOOLS", ("not-a-real-pkg-xyz",))
    monkeypatch.setattr(binder_requirements.metadata, "requires", lambda name: [])
    with pytest.raises(ValueError, match=r"not-a-real-pkg-xyz.*make lock"):
        binder_requirements.rendered()


def test_post_build_installs_the_package_and_lab_settings(tmp_path) -> None:
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    text = post_build.read_text()
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text
    # Run it with pip and jupyter recorded, not executed: every step must succeed
    # and the files it copies must exist.
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "log"
    for tool in ("python", "jupyter"):
        (fake / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> {log}\n')
        (fake / tool).chmod(0o755)
    home = tmp_path / "home"
    env = {"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(home)}
    subprocess.run([str(post_build)], cwd=ROOT, env=env, check=True)
    calls = log.read_text()
    assert "python -m pip install --no-cache-dir --no-deps -e ." in calls
    assert "jupyter trust index.ipynb chapters/" in calls
    css = home / ".jupyter/custom/custom.css"
    assert css.read_text() == (ROOT / "lab/custom/custom.css").read_text()
    config = (home / ".jupyter/jupyter_server_config.py").resolve()
    assert config == ROOT / "lab/jupyter_server_config.py"
