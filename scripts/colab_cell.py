"""Insert or refresh the Colab install cell as the first code cell of every notebook.

Colab opens one notebook from GitHub with nothing of this repository installed,
so `from book.notebook import setup_notebook` fails there. The cell below
installs the helper package from the repository named by `repository.url` (and
`repository.branch`) in `_config.yml` when `book` is missing; where `book` is
importable (a laptop, Binder, the tests) it does nothing.

Run it after changing `repository.url` (a fork) or after `make exercises`:

    .venv/bin/python scripts/colab_cell.py          # rewrite what is stale
    .venv/bin/python scripts/colab_cell.py --check  # exit 1 if anything is stale

It is idempotent: a notebook whose cell is already current is not rewritten.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CELL_ID = "colab-install"
# Hidden on the site and in the PDF: a reader there has nothing to install.
CELL_TAGS = ["remove-cell"]
TEMPLATE = """\
# On Colab, install this course's helper package; elsewhere this cell does nothing.
try:
    import book  # noqa: F401
except ModuleNotFoundError:
    import importlib
    import subprocess
    import sys

    PACKAGE = "git+{url}@{branch}"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", PACKAGE], check=True
    )
    importlib.invalidate_caches()"""


def repository() -> tuple[str, str]:
    """The repository URL and branch that `_config.yml` names."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    settings = config.get("repository") or {}
    url, branch = settings.get("url", ""), settings.get("branch") or "main"
    if not url.startswith("https://"):
        raise ValueError(
            f"_config.yml repository.url is {url!r}: it must be the https:// "
            "address of the repository (for example your fork on GitHub)"
        )
    return url.removesuffix("/").removesuffix(".git"), branch


def cell_source() -> str:
    """The install cell's code for the repository of `_config.yml`."""
    url, branch = repository()
    return TEMPLATE.format(url=url, branch=branch)


def notebooks() -> list[Path]:
    """Every notebook of the book's table of contents, exercises/ and solutions/."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    stack = list(toc.get("parts", [])) + list(toc.get("chapters", []))
    while stack:
        entry = stack.pop()
        pages += [entry["file"]] if "file" in entry else []
        stack += entry.get("chapters", []) + entry.get("sections", [])
    listed = {ROOT / f"{page}.ipynb" for page in pages}
    folders = {
        p for f in ("exercises", "solutions") for p in (ROOT / f).glob("*.ipynb")
    }
    return sorted(path for path in listed | folders if path.is_file())


def with_install_cell(notebook: nbformat.NotebookNode, source: str) -> bool:
    """Put the install cell before the first other code cell; True if it changed."""
    cells = notebook.cells
    current = [i for i, cell in enumerate(cells) if cell.get("id") == CELL_ID]
    first_code = next(
        (i for i, c in enumerate(cells) if c.cell_type == "code" and i not in current),
        len(cells),
    )
    if current == [first_code - 1] and cells[current[0]].source == source:
        return False
    for index in reversed(current):
        del cells[index]
        first_code -= index < first_code
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(CELL_TAGS)})
    cell.id = CELL_ID
    cells.insert(first_code, cell)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    source, stale = cell_source(), []
    for path in notebooks():
        notebook = nbformat.read(path, as_version=4)
        if with_install_cell(notebook, source):
            stale.append(path.relative_to(ROOT))
            if not args.check:
                nbformat.write(notebook, path)
    verb = "stale" if args.check else "updated"
    for name in stale:
        print(f"{verb}: {name}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
