"""The site builds with zero warnings, and the built pages carry what readers need.

The build is the README's (`jupyter-book build -W -n --keep-going`), run once
per test run into a temporary folder (the `site` fixture of conftest.py, shared
with the browser tests); the checks read the HTML it wrote.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.toc import toc_pages

# Builds the site (and drives a browser over it): the slow tier.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CALLOUT_KINDS = (
    "key-insight",
    "misconception",
    "practical-example",
    "try-this",
    "library-shortcut",
    "research-frontier",
)


def page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / f"{name}.html").read_text(), "html.parser")


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


def notebook_pages() -> list[str]:
    return [name for name in toc_pages() if (ROOT / f"{name}.ipynb").is_file()]


def test_status_page_lists_every_notebook_with_its_record(site: Path) -> None:
    status = page(site, "status")
    rows = {}
    for row in status.select("table tbody tr"):
        link = row.find("a", href=True)
        if link is not None:
            rows[link["href"].removesuffix(".html")] = [
                cell.get_text(" ", strip=True) for cell in row.find_all("td")
            ]
    for name in notebook_pages():
        assert name in rows, f"the status page does not list {name}"
        produced, seconds = rows[name][1:3]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", produced), (
            f"{name}: no execution record ({produced!r}): run `make execute`"
        )
        assert float(seconds) > 0, f"{name}: run time {seconds!r}"
    versions = status.get_text(" ", strip=True)
    for library in ("python", "torch", "numpy", "matplotlib"):
        assert re.search(rf"{library} \d+\.\d+", versions), f"no {library} version"


def table_numbers(site: Path, name: str) -> list[int]:
    """The numbers of the captioned tables of one page, in page order."""
    captions = page(site, name).select("table caption")
    numbers = [c.select_one(".caption-number") for c in captions]
    assert all(numbers), f"{name}: a table caption has no number"
    return [int(re.search(r"\d+", n.get_text())[0]) for n in numbers]


def test_tables_are_numbered_and_captioned_in_reading_order(site: Path) -> None:
    numbers = [n for name in toc_pages() for n in table_numbers(site, name)]
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    assert table_numbers(site, "chapters/03_weight_sharing")[0] == 1, "not Table 1"
    assert len(table_numbers(site, "status")) == 2, "status tables lack captions"


def test_every_page_links_to_the_previous_and_next_page(site: Path) -> None:
    names = toc_pages()
    for before, after in zip(names, names[1:], strict=False):
        forward = page(site, before).select_one("a.right-next")
        backward = page(site, after).select_one("a.left-prev")
        assert forward is not None, f"{before} has no link to the next page"
        assert backward is not None, f"{after} has no link to the previous page"
        expected = posixpath.relpath(f"{after}.html", posixpath.dirname(before))
        assert forward["href"] == expected, (before, forward["href"])


def test_every_notebook_page_has_download_and_launch_buttons(site: Path) -> None:
    owner_repo = config()["repository"]["url"].removeprefix("https://github.com/")
    for name in notebook_pages():
        html = str(page(site, name))
        depth = "../" * name.count("/")
        # A solution page offers the student's notebook (tests/test_student_launch.py).
        download = name.replace("solutions/", "exercises/", 1)
        assert f'href="{depth}_sources/{download}.ipynb"' in html, (
            f"{name}: no .ipynb download button"
        )
        assert f"mybinder.org/v2/gh/{owner_repo}/main" in html, f"{name}: no Binder"
        assert f"colab.research.google.com/github/{owner_repo}" in html, (
            f"{name}: no Colab button"
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
