"""Pages that embed widgets as the built site does, and a browser to open them.

The chapters are not this stream's to edit, so the browser tests write their
own small page: the widget state and views as myst-nb writes them, the head
scripts from _ext/offline_assets.py, and the pinned libraries copied from
node_modules/ the same way the site build copies them. The page sits one
folder down, like a chapter, so relative paths are exercised too.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import ipywidgets
import pytest
from ipywidgets.embed import dependency_state, embed_data

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STATE = "application/vnd.jupyter.widget-state+json"
VIEW = "application/vnd.jupyter.widget-view+json"
# The theme's dark and light grounds, so contrast is checked on both.
THEME_CSS = """
html[data-theme="light"] body { background: #ffffff; color: #222832; }
html[data-theme="dark"] body { background: #121212; color: #ced6dd; }
body { font-family: sans-serif; margin: 0 1rem; }
"""


def offline_assets():
    """The site's Sphinx extension, loaded from _ext/ as the build loads it."""
    spec = importlib.util.spec_from_file_location(
        "offline_assets", ROOT / "_ext" / "offline_assets.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def script_json(data: object) -> str:
    """JSON safe inside a <script> element, as myst-nb writes it."""
    return json.dumps(data).replace("</", "<\\/")


def widget_markup(widgets: list[ipywidgets.Widget]) -> tuple[str, list[str]]:
    """The widget-state script and one widget-view script per widget.

    The full state, as a notebook's metadata stores it after execution
    (nbclient records every trait, defaults included).
    """
    # Only these widgets' models: by default embed_data takes every widget alive
    # in the process, which would weigh earlier tests' widgets into the page.
    state = dependency_state(widgets, drop_defaults=False)
    data = embed_data(views=widgets, drop_defaults=False, state=state)
    state = f'<script type="{STATE}">{script_json(data["manager_state"])}</script>'
    views = [
        f'<script type="{VIEW}">{script_json(v)}</script>' for v in data["view_specs"]
    ]
    return state, views


def write_page(folder: Path, widgets: list[ipywidgets.Widget], theme: str) -> Path:
    """Write chapters/explorers.html under `folder` with the site's assets."""
    assets = offline_assets()
    vendor = folder / "_static" / assets.VENDOR
    if not vendor.is_dir():
        assets.copy_vendor(assets.node_modules(ROOT), vendor)
    state, views = widget_markup(widgets)
    static = f"../_static/{assets.VENDOR}"
    cells = "\n".join(
        f'<div class="cell_output docutils container">{view}</div>' for view in views
    )
    page = folder / "chapters" / "explorers.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(
        f"""<!DOCTYPE html>
<html lang="en" data-theme="{theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Explorers</title>
<style>{THEME_CSS}</style>
<script>{assets.require_config(static)}</script>
<script>{assets.WIDGET_COMPAT_JS.read_text()}</script>
<script src="{static}/require.js"></script>
<script src="{static}/html-manager/embed-amd.js"></script>
{state}
</head>
<body><main><h1>Explorers</h1>
{cells}
</main></body>
</html>
"""
    )
    return page


def added_weight_gzipped(widgets: list[ipywidgets.Widget]) -> int:
    """Bytes (gzipped) the explorers add to a page: their state and anywidget's JS.

    The widget manager, require.js and MathJax are on every widget page already.
    """
    state, _ = widget_markup(widgets)
    module = (ROOT / "node_modules" / "anywidget" / "dist" / "index.js").read_bytes()
    return len(gzip.compress(state.encode(), 9)) + len(gzip.compress(module, 9))


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Drop the per-request log line."""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Base URL of `folder` on a local HTTP server."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium under Playwright (never a browser Playwright downloads).

    Without it the browser tests skip, except in CI (CI=true), where they fail.
    """
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str, problems: list[str], **context_options):
    """A page at `url` that may only load from the same host (or disk).

    Blocked requests, console errors and page errors land in `problems`.
    """
    context = browser.new_context(**context_options)
    page = context.new_page()
    home = urlsplit(url)

    def only_local(route, request) -> None:
        target = urlsplit(request.url)
        same_site = (target.scheme, target.netloc) == (home.scheme, home.netloc)
        # anywidget imports each explorer's module from a blob: URL it made.
        if same_site or target.scheme in ("data", "blob"):
            route.continue_()
        else:
            problems.append(f"blocked request to {request.url}")
            route.abort()

    context.route("**/*", only_local)
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # Generous: a busy machine is slow, and only a fault should fail a test.
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_selector(".book-explorer", state="attached")
    count = page.locator("script[type='application/vnd.jupyter.widget-view+json']")
    page.wait_for_function(
        "n => document.querySelectorAll('.book-explorer').length === n",
        arg=count.count(),
    )
    return page
