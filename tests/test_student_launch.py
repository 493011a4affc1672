"""On the built site, exercise pages launch and download the student notebook."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted(path.stem for path in (ROOT / "solutions").glob("*.ipynb"))
LAUNCHERS = ("mybinder.org", "colab.research.google.com")

pytestmark = pytest.mark.slow


def button_links(site: Path, page: str) -> list[str]:
    html = BeautifulSoup((site / f"{page}.html").read_text(), "html.parser")
    header = html.select_one(".header-article") or html
    return [a["href"] for a in header.select("a[href]")]


@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_buttons_open_the_student_notebook(site: Path, name: str) -> None:
    links = button_links(site, f"solutions/{name}")
    launch = [link for link in links if any(host in link for host in LAUNCHERS)]
    assert len(launch) == len(LAUNCHERS), f"launch buttons missing: {links}"
    for link in launch:
        assert link.endswith(f"exercises/{name}.ipynb"), link
    downloads = [
        link for link in links if link.endswith(".ipynb") and "://" not in link
    ]
    assert downloads == [f"../_sources/exercises/{name}.ipynb"], downloads
    target = site / posixpath.normpath(f"solutions/{downloads[0]}")
    assert target.read_bytes() == (ROOT / "exercises" / f"{name}.ipynb").read_bytes()
    assert not any("solutions/" in link and link.endswith(".ipynb") for link in links)


def test_chapter_buttons_still_open_the_chapter(site: Path) -> None:
    links = button_links(site, "chapters/01_fc_scaling")
    assert any(link.endswith("chapters/01_fc_scaling.ipynb") for link in links)
    assert not any("exercises/" in link for link in links)


def test_the_solution_stays_folded_on_the_page(site: Path) -> None:
    for name in EXERCISES:
        html = BeautifulSoup(
            (site / f"solutions/{name}.html").read_text(), "html.parser"
        )
        assert html.select("div.solution.dropdown"), f"{name}: solution not folded"
