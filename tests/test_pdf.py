"""The PDF edition: every page, every figure, and no source syntax left in its text."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.toc import toc_pages

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
# What a reader must never see in print: TeX that MathJax left untypeset, and
# MyST roles, directives and options that the build left as text.
RAW_SOURCE = re.compile(
    r"\\(frac|mathbf|mathrm|begin|end|sum|cdot|times|left|right)\b|\$\$|\\\(|\\\["
    r"|\{(numref|cite|cite:p|cite:t|ref|eq|doc|admonition|figure|math)\}"
    r"|^:::|:class:|```"
)
TOOLS = ("pdfinfo", "pdfimages", "pdftotext", "pdfunite")


@pytest.fixture(scope="module")
def pdf(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"{missing} missing: apt-get install -y poppler-utils"
    out = tmp_path_factory.mktemp("pdf") / "book.pdf"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/build_pdf.py"),
            "--site",
            str(site),
            "--out",
            str(out),
        ],
        check=True,
        timeout=900,
    )
    return out


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_every_page_of_the_book_is_printed(pdf: Path) -> None:
    manifest = json.loads(pdf.with_suffix(".json").read_text())
    assert manifest["pages"] == toc_pages()
    pages = int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.M)[1])
    # Every site page starts a new sheet; the chapters run to several each.
    assert len(toc_pages()) * 2 <= pages <= 400, pages


def test_every_figure_is_embedded(pdf: Path, site: Path) -> None:
    shown = json.loads(pdf.with_suffix(".json").read_text())["images"]
    for name in toc_pages():
        html = BeautifulSoup((site / f"{name}.html").read_text(), "html.parser")
        static = html.select("article.bd-article img")
        # Widgets add the explorers' pictures; nothing the page holds may vanish.
        assert shown[name] >= len(static), f"{name}: {shown[name]} of {len(static)}"
    assert sum(shown.values()) >= 15, shown
    # Figures are PNGs (kept lossless); Chromium's rasterised decorations are JPEGs.
    listing = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    figures = [
        row
        for row in listing
        if row.split()[2] == "image" and row.split()[8] == "image"
    ]
    assert len(figures) == sum(shown.values()), "\n".join(listing)


def test_no_raw_tex_or_myst_is_left_in_the_text(pdf: Path) -> None:
    text = run("pdftotext", "-layout", str(pdf), "-")
    leftovers = [line.strip() for line in text.splitlines() if RAW_SOURCE.search(line)]
    assert not leftovers, leftovers[:10]
    # Citations and figure references came out as text, not as keys.
    assert re.search(r"LeCun et al\.", text) and re.search(r"Fig\. \d", text)
    assert "goodfellow2016deep" not in text


def test_every_page_links_the_pdf_edition(site: Path) -> None:
    for name in toc_pages():
        html = BeautifulSoup((site / f"{name}.html").read_text(), "html.parser")
        links = [a["href"] for a in html.select("a[href]")]
        assert any(link.endswith("/why-convolution.pdf") for link in links), name
