"""docs/design.md: linked, cited instead of the old DESIGN.md, and true to the tree."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTE = ROOT / "docs" / "design.md"


def tracked_text_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    paths = [ROOT / name for name in listing.split("\0") if name]
    return [p for p in paths if p.is_file() and p.suffix != ".ipynb"]


def test_the_readme_links_the_note() -> None:
    assert "(docs/design.md)" in (ROOT / "README.md").read_text()


def test_no_file_cites_a_note_outside_the_repository() -> None:
    outside = re.compile(r"DESIGN\.md|\.\./shared")
    citing = [
        str(path.relative_to(ROOT))
        for path in tracked_text_files()
        if path != Path(__file__) and outside.search(path.read_text(errors="ignore"))
    ]
    assert citing == []


def test_the_callout_table_lists_the_classes_the_css_styles() -> None:
    styled = set(
        re.findall(
            r"^\.admonition\.([\w-]+)",
            (ROOT / "_static/callouts.css").read_text(),
            re.M,
        )
    )
    documented = set(re.findall(r"^\| `([\w-]+)` ", NOTE.read_text(), re.M))
    assert styled and documented == styled


def test_every_module_the_layout_names_exists() -> None:
    layout = NOTE.read_text().split("## Layout", 1)[1].split("```")[1]
    folder, named = "book/", []
    for line in layout.splitlines():
        depth = len(line) - len(line.lstrip())
        name = line.split()[0] if line.strip() else ""
        if depth == 2 and name.endswith("/"):
            folder = f"book/{name}"
        elif name.endswith(".py") and depth in (2, 4):
            named.append(f"book/{name}" if depth == 2 else f"{folder}{name}")
    assert len(named) >= 15, named
    assert [path for path in named if not (ROOT / path).is_file()] == []
