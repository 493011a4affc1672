"""`make install` and `make lab` decide the right thing on each machine, offline.

The Makefile's choices are checked with faked `uname`/`id` commands and a
recording `jupyter`, never by installing or starting anything.
"""

from __future__ import annotations

import http.server
import importlib.util
import os
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
_spec = importlib.util.spec_from_file_location(
    "torch_index", ROOT / "scripts/torch_index.py"
)
torch_index = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(torch_index)


def fake_commands(folder: Path, **outputs: str) -> dict[str, str]:
    """An environment whose PATH finds `name` printing `outputs[name]` first."""
    folder.mkdir(exist_ok=True)
    for name, output in outputs.items():
        (folder / name).write_text(f"#!/bin/sh\necho {output}\n")
        (folder / name).chmod(0o755)
    # The Makefile's own choice is under test: a TORCH_INDEX from the caller
    # (CI sets one) would override it.
    inherited = {k: v for k, v in os.environ.items() if k != "TORCH_INDEX"}
    return {**inherited, "PATH": f"{folder}:{os.environ['PATH']}"}


def planned_install(env: dict[str, str], *args: str) -> str:
    """What `make install` would run (`-n`: print only; `-B`: as if out of date)."""
    result = subprocess.run(
        ["make", "-n", "-B", "install", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize(
    ("system", "index"), [("Linux", CPU_INDEX), ("Darwin", ""), ("MINGW64_NT", "")]
)
def test_install_asks_for_the_cpu_index_only_on_linux(tmp_path, system, index) -> None:
    plan = planned_install(fake_commands(tmp_path / "bin", uname=system))
    assert f'scripts/torch_index.py "{index}"' in plan
    assert "$torch_options -r requirements.txt" in plan


def test_the_index_can_be_switched_off_or_replaced(tmp_path) -> None:
    env = fake_commands(tmp_path / "bin", uname="Linux")
    assert 'scripts/torch_index.py ""' in planned_install(env, "TORCH_INDEX=")
    mirror = "https://mirror.example/whl/cpu"
    assert f'torch_index.py "{mirror}"' in planned_install(env, f"TORCH_INDEX={mirror}")


def test_install_registers_the_notebook_filter(tmp_path) -> None:
    plan = planned_install(fake_commands(tmp_path / "bin", uname="Linux"))
    assert (
        'git config filter.notebook.clean "python3 scripts/notebook_filter.py"' in plan
    )
    assert "*.ipynb filter=notebook" in (ROOT / ".gitattributes").read_text()


def test_an_unreachable_index_falls_back_with_a_message(capsys) -> None:
    # Port 9 (discard) on this machine refuses at once: no network needed.
    assert torch_index.pip_options("http://127.0.0.1:9/whl/cpu") == ""
    message = capsys.readouterr().err
    assert "http://127.0.0.1:9/whl/cpu cannot be reached" in message
    assert "default index" in message and "CUDA" in message


def test_a_reachable_index_is_passed_to_pip(tmp_path) -> None:
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "index.html").write_text("<a>torch</a>")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(tmp_path)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        index = f"http://127.0.0.1:{server.server_port}"
        assert torch_index.pip_options(index) == f"--extra-index-url {index}"
    finally:
        server.shutdown()


def test_no_index_asked_for_means_no_option_and_no_probe(monkeypatch) -> None:
    monkeypatch.setattr(torch_index, "reachable", lambda index: pytest.fail("probed"))
    assert torch_index.pip_options("") == ""


def test_a_malformed_index_is_refused_with_the_rule() -> None:
    with pytest.raises(
        SystemExit, match=r"TORCH_INDEX='download\.pytorch' is not a URL"
    ):
        torch_index.pip_options("download.pytorch")


@pytest.mark.parametrize(("uid", "root_flag"), [("0", True), ("1000", False)])
def test_make_lab_adds_allow_root_only_for_root(tmp_path, uid, root_flag) -> None:
    fake = tmp_path / "bin"
    env = fake_commands(fake, id=uid)
    log = tmp_path / "jupyter.log"
    (fake / "jupyter").write_text(
        f'#!/bin/sh\necho "$JUPYTER_CONFIG_DIR $*" >> {log}\n'
    )
    (fake / "jupyter").chmod(0o755)
    stamp = tmp_path / "stamp"
    stamp.touch()  # newer than requirements.txt: nothing to install
    result = subprocess.run(
        ["make", "lab", f"BIN={fake}", f"STAMP={stamp}", "LAB_ARGS=--no-browser"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    trust, lab = log.read_text().splitlines()
    assert trust.split()[0] == "trust" and "chapters/01_fc_scaling.ipynb" in trust
    assert lab.startswith(f"{ROOT / 'lab'} lab ")
    assert ("--allow-root" in lab) is root_flag
    assert lab.endswith("--no-browser")
    assert ("running as root" in result.stdout) is root_flag


@pytest.mark.parametrize("target", ["test", "test-fast"])
def test_the_test_workers_run_pytorch_on_one_thread_each(tmp_path, target) -> None:
    # Two workers on two cores: a second thread would wait on a busy core.
    stamp = tmp_path / "stamp"
    stamp.touch()
    planned = subprocess.run(
        ["make", "-n", target, f"STAMP={stamp}", f"NPM_STAMP={stamp}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pytest_line = next(line for line in planned.splitlines() if "pytest" in line)
    assert pytest_line.startswith("OMP_NUM_THREADS=1 ")
