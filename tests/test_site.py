"""The site builds with zero warnings, and the built pages carry what readers need.

The build is the README's (`jupyter-book build -W -n --keep-going`), run once
into a temporary folder; the checks read the HTML it wrote.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
CALLOUT_KINDS = (
    "key-insight",
    "misconception",
    "practical-example",
    "try-this",
    "library-shortcut",
    "research-frontier",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [
            str(jupyter_book),
            "build",
            "-W",
            "-n",
            "--keep-going",
            str(ROOT),
            "--path-output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"},
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"site build failed:\n{log[-6000:]}"
    warnings = [line for line in log.splitlines() if re.search(r"WARNING|ERROR", line)]
    assert not warnings, "site build warned:\n" + "\n".join(warnings)
    return out / "_build" / "html"


def page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / f"{name}.html").read_text(), "html.parser")


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [chapter["file"] for chapter in toc["chapters"]]


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def test_every_toc_page_is_built(site: Path) -> None:
    missing = [name for name in toc_pages() if not (site / f"{name}.html").is_file()]
    assert not missing, f"pages not built: {missing}"


def test_images_have_alt_text_and_exist(site: Path) -> None:
    for name in toc_pages():
        for img in page(site, name).select("main img"):
            src = img.get("src", "").split("?")[0]
            assert img.get("alt", "").strip(), f"{name}: image {src} has no alt text"
            if not src.startswith("data:"):
                assert (site / name).parent.joinpath(src).resolve().is_file(), (
                    f"{name}: image {src} is missing from the built site"
                )


def test_figures_are_numbered_and_captioned(site: Path) -> None:
    numbers = page(site, "chapters/01_fc_scaling").select("figure .caption-number")
    assert numbers, "chapter 1 has no numbered figure"
    assert numbers[0].get_text(strip=True).startswith("Fig. 1")


def test_callout_css_has_a_rule_for_every_kind(site: Path) -> None:
    css = (site / "_static" / "callouts.css").read_text()
    for kind in CALLOUT_KINDS:
        assert f".admonition.{kind}" in css
    head = page(site, "index").head
    assert head.find("link", href=re.compile(r"_static/callouts\.css")), (
        "callouts.css is not linked from the pages"
    )


def test_chapters_use_callout_classes(site: Path) -> None:
    used = {
        kind
        for name in toc_pages()
        for kind in CALLOUT_KINDS
        if page(site, name).select(f"div.admonition.{kind}")
    }
    assert {"key-insight", "misconception", "try-this"} <= used


def test_repository_setting_drives_buttons(site: Path) -> None:
    url = config()["repository"]["url"].rstrip("/")
    owner_repo = url.removeprefix("https://github.com/")
    html = str(page(site, "chapters/01_fc_scaling"))
    assert f'href="{url}"' in html, "repository button does not use repository.url"
    assert f"mybinder.org/v2/gh/{owner_repo}/main" in html, (
        "Binder launch button missing"
    )
    assert f"colab.research.google.com/github/{owner_repo}/blob/main" in html, (
        "Colab launch button missing"
    )
    download = "_sources/chapters/01_fc_scaling.ipynb"
    assert f'href="../{download}"' in html, ".ipynb download button missing"
    assert (site / download).is_file(), (
        "the .ipynb behind the download button is missing"
    )


def test_exercise_and_dropdown_solution_render(site: Path) -> None:
    chapter = page(site, "chapters/01_fc_scaling")
    assert chapter.select("div.exercise"), "no sphinx-exercise exercise on the page"
    assert chapter.select("div.solution.dropdown, details.solution"), (
        "no collapsed solution on the page"
    )


def test_citations_resolve_to_bibliography(site: Path) -> None:
    references = page(site, "references").get_text()
    assert "Gradient-based learning applied to document recognition" in references
    links = page(site, "chapters/01_fc_scaling").select('a[href*="references.html#id"]')
    assert links, (
        "chapter 1 cites nothing, or citations do not link to the bibliography"
    )


def test_exercise_pages_fold_each_solution_under_its_task(site: Path) -> None:
    assert (site / "graded_exercises.html").is_file()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        html = page(site, f"solutions/{path.stem}")
        assert html.select("div.exercise"), f"{path.stem}: no exercise box"
        folded = html.select("div.solution.dropdown")
        assert folded, f"{path.stem}: no solution in a dropdown"
        # The gated solution holds the notebook's solution cells.
        assert any(block.select("div.cell") or block.select("pre") for block in folded)
