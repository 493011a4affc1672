"""Exercise pages launch and download the student notebook, not the solution.

The site builds each exercise page from `solutions/<name>.ipynb` (the solution
stays folded on the page), so the theme points the Binder, Colab and download
buttons at that file. A student who clicks them should get `exercises/<name>.ipynb`:
this extension rewrites those links and copies the student notebooks next to
the other downloadable sources.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

SOLUTIONS, EXERCISES = "solutions", "exercises"


def _rewrite_urls(buttons: list[dict[str, Any]], old: str, new: str) -> int:
    """Replace `old` by `new` in every button URL, nested menus included."""
    count = 0
    for button in buttons:
        url = button.get("url")
        if isinstance(url, str) and old in url:
            button["url"] = url.replace(old, new)
            count += 1
        count += _rewrite_urls(button.get("buttons", []), old, new)
    return count


def point_buttons_at_exercise(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    if not pagename.startswith(f"{SOLUTIONS}/"):
        return
    name = pagename.removeprefix(f"{SOLUTIONS}/")
    if not (Path(app.srcdir) / EXERCISES / f"{name}.ipynb").is_file():
        raise ExtensionError(
            f"{pagename}: no {EXERCISES}/{name}.ipynb to launch; "
            "every solution page needs its student notebook (run `make exercises`)"
        )
    _rewrite_urls(
        context.get("header_buttons", []),
        f"{SOLUTIONS}/{name}.ipynb",
        f"{EXERCISES}/{name}.ipynb",
    )


def copy_student_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_sources" / EXERCISES
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((Path(app.srcdir) / EXERCISES).glob("*.ipynb")):
        shutil.copy2(path, target / path.name)


def setup(app: Sphinx) -> dict[str, Any]:
    # After the theme (priority 501) has built the header buttons.
    app.connect("html-page-context", point_buttons_at_exercise, priority=900)
    app.connect("build-finished", copy_student_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
