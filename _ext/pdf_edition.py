"""A "PDF edition" entry in every page's download menu.

`make pdf` prints the site to why-convolution.pdf and the publishing workflow
puts it at the root of the published site. The link is absolute, to the
GitHub Pages address of `repository.url`, so it follows a fork with that one
setting and a site built without the PDF (`make book`) has no broken link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

PDF_NAME = "why-convolution.pdf"


def pdf_url(repository_url: str) -> str:
    """The published PDF's address for a GitHub repository URL.

    >>> pdf_url("https://github.com/someone/fork")
    'https://someone.github.io/fork/why-convolution.pdf'
    """
    parts = urlsplit(repository_url)
    path = parts.path.strip("/").removesuffix(".git").split("/")
    if parts.netloc != "github.com" or len(path) != 2 or not all(path):
        raise ExtensionError(
            f"repository.url is {repository_url!r}: the PDF link needs a GitHub "
            "repository address, https://github.com/<owner>/<name>"
        )
    owner, name = path
    return f"https://{owner.lower()}.github.io/{name}/{PDF_NAME}"


def add_pdf_button(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    repository = app.config.html_theme_options.get("repository_url", "")
    menus = [b for b in context.get("header_buttons", []) if "buttons" in b]
    downloads = [m for m in menus if m.get("label") == "download-buttons"]
    if not repository or not downloads:
        return
    downloads[0]["buttons"].append(
        {
            "type": "link",
            "url": pdf_url(repository),
            "text": "PDF edition",
            "tooltip": "The whole book as one PDF",
            "icon": "fas fa-book",
            "label": "download-pdf-edition-button",
        }
    )


def setup(app: Sphinx) -> dict[str, Any]:
    # After the theme (priority 501) has built the download menu.
    app.connect("html-page-context", add_pdf_button, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
