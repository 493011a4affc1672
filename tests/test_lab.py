"""`make lab` gives JupyterLab with the extensions the notebooks are written for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# MyST renders callouts, math and figures; the widget manager runs the explorers.
REQUIRED_EXTENSIONS = ("jupyterlab-myst", "@jupyter-widgets/jupyterlab-manager")


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
