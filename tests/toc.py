"""The book's pages as `_toc.yml` lists them, shared by the notebook and site tests."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _files(entries: list[dict]) -> list[str]:
    pages = []
    for entry in entries:
        if "file" in entry:
            pages.append(entry["file"])
        for key in ("chapters", "sections"):
            pages += _files(entry.get(key, []))
    return pages


def toc_pages() -> list[str]:
    """Every page of the table of contents, root first, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    parts, chapters = toc.get("parts", []), toc.get("chapters", [])
    return [toc["root"], *_files(parts), *_files(chapters)]
