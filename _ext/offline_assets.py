"""Serve the site's browser libraries from the built site itself.

By default Sphinx loads MathJax, and myst-nb loads require.js and the Jupyter
widget manager, from public CDNs, so a reader without network sees raw TeX and
blank widgets. `npm ci` installs the versions pinned in package-lock.json into
node_modules/; this extension points the pages at copies under
`_static/npm/` and copies the files there after the build. They are not put
in the repository's `_static/`, because Jupyter Book adds every .js file found
there to every page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

VENDOR = "npm"
# Site path under _static/npm/ -> path in node_modules/ (a file or a folder).
ASSETS = {
    "require.js": "requirejs/require.js",
    "html-manager": "@jupyter-widgets/html-manager/dist",
    # The front end of the book's explorers (anywidget widgets): an AMD module
    # the widget manager would otherwise fetch from a CDN.
    "anywidget/index.js": "anywidget/dist/index.js",
    # The TeX input and HTML output bundle plus what it loads on demand:
    # TeX extensions, fonts, the menu and its accessibility tools.
    "mathjax/tex-chtml.js": "mathjax/es5/tex-chtml.js",
    "mathjax/input": "mathjax/es5/input",
    "mathjax/output/chtml": "mathjax/es5/output/chtml",
    "mathjax/ui": "mathjax/es5/ui",
    "mathjax/a11y": "mathjax/es5/a11y",
    "mathjax/sre": "mathjax/es5/sre",
}
# Source maps are for debugging the libraries, and the other widget-manager
# bundles are alternatives to embed-amd.js: none of them is loaded by a page.
SKIPPED_SUFFIXES = (".map",)
SKIPPED_NAMES = ("embed.js", "libembed-amd.js", "embed.js.LICENSE.txt")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Before require.js, which myst-nb adds with Sphinx's default priority 500.
WIDGET_ASSETS_PRIORITY = 400
# MathJax 3 and slider-label fixes for the static widgets, inlined on widget pages.
WIDGET_COMPAT_JS = Path(__file__).with_name("widget_compat.js")


def node_modules(srcdir: str | Path) -> Path:
    """The node_modules/ folder of the book root, or an error saying how to make it."""
    folder = Path(srcdir) / "node_modules"
    missing = [source for source in ASSETS.values() if not (folder / source).exists()]
    if missing:
        raise ExtensionError(
            f"the site's offline assets are missing from {folder} ({missing[0]}, "
            "...): run `npm ci` in the book root (`make book` does it; npm "
            "comes with Node.js, e.g. `apt-get install -y npm`)"
        )
    return folder


def use_local_assets(app: Sphinx, config: Config) -> None:
    """Point MathJax and the widget scripts at _static/npm/ (read by myst-nb later)."""
    node_modules(app.srcdir)
    # Relative script paths are resolved against _static/ and then made relative
    # to each page, so pages in chapters/ get ../_static/npm/...
    config.mathjax_path = f"{VENDOR}/mathjax/tex-chtml.js"
    config.nb_ipywidgets_js = {
        f"{VENDOR}/require.js": {},
        # Built-in widgets are bundled in embed-amd.js; the one third-party
        # module, anywidget, is mapped to _static/npm/ by require_config().
        f"{VENDOR}/html-manager/embed-amd.js": {},
    }


def copy_if_changed(source: Path, destination: Path) -> None:
    """Copy a file unless an identical-looking copy (size, mtime) is already there."""
    if destination.is_file():
        old, new = destination.stat(), source.stat()
        if old.st_size == new.st_size and old.st_mtime == new.st_mtime:
            return
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, destination)


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    """Copy the pinned libraries into _static/npm/ of the HTML output."""
    if exception is not None or app.builder.format != "html":
        return
    copy_vendor(node_modules(app.srcdir), Path(app.outdir) / "_static" / VENDOR)


def copy_vendor(folder: Path, target: Path) -> None:
    """Copy ASSETS from the node_modules `folder` to `target` (the site's npm/)."""
    for site_path, source_path in ASSETS.items():
        source = folder / source_path
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for file in files:
            skipped = file.name in SKIPPED_NAMES or file.name.endswith(SKIPPED_SUFFIXES)
            if file.is_file() and not skipped:
                relative = file.relative_to(source) if source.is_dir() else Path()
                copy_if_changed(file, target / site_path / relative)


def require_config(vendor: str) -> str:
    """The inline script that tells require.js where the widget modules live.

    `vendor` is _static/npm/ relative to the page. A `require` object defined
    before require.js is its config. embed-amd.js loads its icon fonts from the
    folder require.js assigns to its module (by default the page's folder,
    where they are not); the widget manager asks require.js for a third-party
    module first and only falls back to a CDN when that fails, so mapping
    anywidget here keeps every explorer offline.
    """
    paths = {
        "@jupyter-widgets/html-manager/dist": "html-manager",
        "anywidget": "anywidget/index",
    }
    entries = ", ".join(
        f"{json.dumps(module)}: new URL({json.dumps(f'{vendor}/{path}')}, "
        "document.baseURI).href"
        for module, path in paths.items()
    )
    return f"var require = {{paths: {{{entries}}}}};"


def page_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Tell require.js where the widget manager lives; drop repeated inline scripts."""
    scripts = context["script_files"]
    has_widgets = any(
        getattr(script, "attributes", {}).get("type") == WIDGET_STATE
        for script in scripts
    )
    if has_widgets:
        vendor = context["pathto"](f"_static/{VENDOR}", resource=True)
        # The builder's list is reset for every page; app.add_js_file would keep it.
        app.builder.add_js_file(
            None, body=require_config(vendor), priority=WIDGET_ASSETS_PRIORITY
        )
        app.builder.add_js_file(
            None, body=WIDGET_COMPAT_JS.read_text(), priority=WIDGET_ASSETS_PRIORITY
        )
    # Inline scripts added through the registry reach the page twice (file name
    # None, then ""), and sphinx-thebe's second `const THEBE_JS_URL` is a
    # JavaScript error on every page.
    unique = {}
    for script in scripts:
        key = (
            getattr(script, "filename", script) or "",
            getattr(script, "priority", 0),
            sorted(getattr(script, "attributes", {}).items()),
        )
        unique.setdefault(repr(key), script)
    scripts[:] = unique.values()


def setup(app: Sphinx) -> dict[str, object]:
    """Register the extension with Sphinx."""
    # After myst-nb and sphinx.ext.mathjax have declared their config values.
    app.connect("config-inited", use_local_assets, priority=900)
    # After myst-nb has added a page's widget scripts.
    app.connect("html-page-context", page_scripts, priority=900)
    app.connect("build-finished", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
