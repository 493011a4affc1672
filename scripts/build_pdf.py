"""Print the built site to one PDF, in the order of the table of contents.

Each page of `_build/html` is opened in Debian's Chromium (driven by
Playwright), served from this machine with every other host blocked; once
MathJax has typeset and the widgets have drawn from their saved state, the
page is printed with its print stylesheet (no sidebars or buttons), the
explorers' controls hidden so each shows as its static picture. `pdfunite`
(Debian's poppler-utils) joins the pages. No TeX is needed.

    .venv/bin/python scripts/build_pdf.py [--site _build/html] [--out FILE]

It also writes FILE's manifest (FILE with .json): the pages and how many
images each showed, which tests/test_pdf.py compares with the PDF.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.toc import toc_pages  # noqa: E402  (the one reader of _toc.yml)

CHROMIUM = "/usr/bin/chromium"
# On paper: controls and progress bars mean nothing (the explorer's picture
# stays); long code lines wrap instead of being cut at the margin; shadows go,
# since Chromium prints each one as an extra bitmap.
PRINT_CSS = """
.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-button,
.widget-checkbox, .widget-inline-hbox:has(.widget-progress) {
  display: none !important;
}
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
* { box-shadow: none !important; text-shadow: none !important; }
"""
# Every picture the reader sees in the article, after scripts have run: images,
# and the explorers' canvases, which Chromium prints as images too.
VISIBLE_IMAGES = """() => [...document.querySelectorAll('main img, main canvas')]
    .filter(el => el.checkVisibility() && (el.naturalWidth ?? el.width) > 0)
    .length"""
READY = """async () => {
    if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
    await document.fonts.ready;
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # one line per file is noise
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1, for as long as the block runs."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def print_page(page: Page, url: str, out: Path) -> int:
    """Print one page to `out`; return how many images it shows."""
    page.goto(url, wait_until="networkidle")
    page.evaluate(READY)
    page.add_style_tag(content=PRINT_CSS)
    page.wait_for_timeout(300)  # let the widgets' last layout settle
    images = page.evaluate(VISIBLE_IMAGES)
    page.pdf(
        path=str(out),
        format="A4",
        print_background=True,
        margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
    )
    return images


def build(site: Path, out: Path) -> dict[str, int]:
    """Write the PDF of every TOC page of `site` to `out`; return images per page."""
    missing = [name for name in toc_pages() if not (site / f"{name}.html").is_file()]
    if missing:
        raise SystemExit(f"{site} lacks {missing}: build the site first (make book)")
    images, parts = {}, []
    with tempfile.TemporaryDirectory() as tmp, served(site) as server:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            context = browser.new_context()
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(server)
                    else route.abort()
                ),
            )
            page = context.new_page()
            for number, name in enumerate(toc_pages()):
                parts.append(Path(tmp) / f"{number:03d}.pdf")
                images[name] = print_page(page, f"{server}/{name}.html", parts[-1])
            browser.close()
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdfunite", *map(str, parts), str(out)], check=True)
    return images


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build/html")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "_build/pdf/why-convolution.pdf"
    )
    args = parser.parse_args(argv)
    for tool in ("pdfunite",):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install -y poppler-utils")
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    images = build(args.site, args.out)
    manifest = {"pages": list(images), "images": images}
    args.out.with_suffix(".json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(
        f"wrote {args.out} ({len(images)} pages of the site, "
        f"{sum(images.values())} images)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
