"""Time the site build and measure the heaviest page a reader downloads.

Usage: python benchmarks/site_speed.py [--notebook chapters/NN_name.ipynb]

Runs the README's build (`scripts/build_site.py`, as `make book` does) three times
into a fresh temporary folder: a clean build, a rebuild with nothing changed,
and a rebuild after one notebook changed (its modification time is moved, which
is what Sphinx looks at; the file's content is untouched). Then it adds up, for
every page, the bytes of the page and of the scripts, style sheets and images it
references, raw and gzip-compressed (as GitHub Pages serves them), and reports
the largest. Fonts and scripts loaded later by MathJax or the widget manager are
not counted. Wall times include the noise of whatever else the machine is
doing; the CPU times of the build processes are printed next to them.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make scripts/ importable
from scripts.build_site import build_command  # noqa: E402

# Targets from the issue, for the 2-core machine with committed outputs.
TARGETS = {"clean build": 60.0, "no-change rebuild": 10.0}


def children_cpu_seconds() -> float:
    """User + system CPU seconds used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one README build into `out`; fails if the build does."""
    start, cpu_start = time.perf_counter(), children_cpu_seconds()
    result = subprocess.run(build_command(out), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu = children_cpu_seconds() - cpu_start
    if result.returncode != 0:
        raise SystemExit(
            f"site build failed:\n{(result.stdout + result.stderr)[-4000:]}"
        )
    return seconds, cpu


def local_assets(page: Path, site: Path) -> set[Path]:
    """Files of the site that `page` loads through script, stylesheet and img tags."""
    soup = BeautifulSoup(page.read_text(), "html.parser")
    urls = [tag.get("src") for tag in soup.find_all(["script", "img"])]
    urls += [
        tag.get("href")
        for tag in soup.find_all("link")
        if "stylesheet" in tag.get("rel", [])
    ]
    files = set()
    for url in filter(None, urls):
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            continue
        path = (page.parent / unquote(parts.path)).resolve()
        if path.is_file() and path.is_relative_to(site.resolve()):
            files.add(path)
    return files


def transfer_size(page: Path, site: Path) -> tuple[int, int]:
    """(raw, gzip) bytes of a page plus the assets it loads."""
    files = {page.resolve(), *local_assets(page, site)}
    raw = sum(path.stat().st_size for path in files)
    packed = sum(len(gzip.compress(path.read_bytes(), 6)) for path in files)
    return raw, packed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notebook",
        type=Path,
        default=ROOT / "chapters" / "01_fc_scaling.ipynb",
        help="the notebook whose change the third build sees",
    )
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    with tempfile.TemporaryDirectory(prefix="site-speed-") as folder:
        out = Path(folder)
        times = {"clean build": build(out), "no-change rebuild": build(out)}
        stat = args.notebook.stat()
        try:
            os.utime(args.notebook, ns=(stat.st_atime_ns, time.time_ns()))
            times["one-notebook-changed rebuild"] = build(out)
        finally:
            os.utime(args.notebook, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        site = out / "_build" / "html"
        sizes = {
            str(page.relative_to(site)): transfer_size(page, site)
            for page in site.rglob("*.html")
            if not page.relative_to(site).parts[0].startswith("_")
        }
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{os.cpu_count()} CPU cores, load average {load} (shared machines add noise)"
    )
    # CPU time is what the build itself costs; wall time adds the waiting for
    # cores that other processes hold, which on a shared machine can dominate.
    print(f"{'build':<30} {'wall s':>7} {'CPU s':>7}")
    for name, (seconds, cpu) in times.items():
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"  target < {target:.0f} s: " + (
                "met" if seconds < target else "missed"
            )
        print(f"{name:<30} {seconds:7.1f} {cpu:7.1f}{verdict}")
    page, (raw, packed) = max(sizes.items(), key=lambda item: item[1][0])
    print(
        f"largest page: {page}, {raw / 1e6:.2f} MB with its assets "
        f"({packed / 1e6:.2f} MB gzip-compressed)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
