"""Build the site: the one place that spells out the jupyter-book command.

Usage: python scripts/build_site.py [--out DIR]

`make book`, the `site` test fixture and `benchmarks/site_speed.py` all build
with `build_command()`, so the site the tests check is the site readers get:
warnings are errors (-W), every reference must resolve (-n), and the build
reports every problem before failing (--keep-going).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_command(out: Path | None = None, source: Path = ROOT) -> list[str]:
    """The build of the site in `source`, into `out` (default: source/_build)."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", "-W", "-n", "--keep-going", str(source)]
    return command + (["--path-output", str(out)] if out is not None else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder to build into")
    args = parser.parse_args(argv)
    return subprocess.run(build_command(args.out)).returncode


if __name__ == "__main__":
    sys.exit(main())
