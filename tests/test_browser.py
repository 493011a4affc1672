"""The built site as a reader meets it: every page in a real browser, offline.

Playwright drives Debian's Chromium (never a browser Playwright downloads) over
the site served from 127.0.0.1; every request to any other host is blocked and
counted as a failure, so a page that needs the network to render fails here.
Each page is visited once at desktop and once at phone width; the tests below
check what those visits recorded. Screenshots go to _build/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
import yaml

from tests.explorers.pages import chromium, serve
from tests.test_site import CALLOUT_KINDS

# Builds the site (and drives a browser over it): the slow tier.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_ALLOWLIST = Path(__file__).with_name("axe_allowlist.yml")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# Generous: on a busy machine a widget-heavy page takes tens of seconds to draw,
# and only a fault should fail a test, not the load.
TIMEOUT_MS = 120_000
SEARCH_TERM = "convolution"

# Resolves once MathJax (if the page loads it) has typeset the whole page.
WAIT_FOR_MATH = """async () => {
  if (window.MathJax && window.MathJax.startup) {
    await window.MathJax.startup.promise;
  }
}"""
# True once every embedded widget view has been drawn: the widget manager puts a
# div.widget-subarea right before the view's script tag, and an anywidget fills
# it only after its module has loaded, so wait for text or an image in it too
# (a view that never draws times the wait out, and the test fails).
WIDGETS_RENDERED = """() => [...document.querySelectorAll(
  'script[type="application/vnd.jupyter.widget-view+json"]')].every(s => {
    const view = s.previousElementSibling;
    return view && view.matches('.widget-subarea') && (view.innerText.trim() !== ''
      || view.querySelector('img, canvas, svg') !== null);
  })"""
# Everything the checks need from one page, read in one go.
INSPECT = r"""() => {
  const skip = el => el.closest('pre, code, script, style, mjx-container, textarea');
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && !skip(node.parentElement)) texts.push(node.textContent);
  }
  const views = [...document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]')];
  return {
    text: texts.join(' '),
    typeset: document.querySelectorAll('mjx-container').length,
    untypeset: [...document.querySelectorAll('.math')]
      .filter(e => !e.querySelector('mjx-container'))
      .map(e => e.textContent.slice(0, 80)),
    images: [...document.images].map(i => ({
      src: i.currentSrc || i.src, loaded: i.complete && i.naturalWidth > 0,
      alt: (i.getAttribute('alt') || '').trim(),
      drawn: i.naturalWidth, shown: i.getBoundingClientRect().width})),
    widgets: views.map(s => {
      const view = s.previousElementSibling;
      const box = view ? view.getBoundingClientRect() : {width: 0, height: 0};
      return {text: view ? view.innerText.trim() : '',
              media: view ? view.querySelectorAll('img, canvas, svg').length : 0,
              visible: box.width > 0 && box.height > 0};
    }),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    overflow: document.documentElement.scrollWidth
      - document.documentElement.clientWidth,
  };
}"""
# preload: false stops axe fetching stylesheets itself; it resolves their @import
# against the page, asks for files that do not exist, and those 404s are axe's.
RUN_AXE = """async () => (await axe.run(document,
    {resultTypes: ['violations'], preload: false}))
  .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                         targets: v.nodes.map(n => n.target.join(' '))}))"""
# TeX left as text: delimiters, $$, or $...$ around a command, ^ or _.
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$|\\begin\{|\$[^$\n]*[\\^_][^$\n]*\$")


@dataclass
class Visit:
    """What the browser saw on one page at one viewport size."""

    problems: list[str] = field(default_factory=list)
    inspection: dict = field(default_factory=dict)
    axe: list[dict] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """Base URL of the built site on a local HTTP server."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright; CI must have it, elsewhere it may skip."""
    with chromium() as browser:
        yield browser


def new_page(browser, base_url: str, viewport: dict, problems: list[str]):
    """A page whose requests may only reach `base_url`; failures go to `problems`."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    local = urlsplit(base_url).netloc

    def only_local(route, request) -> None:
        if urlsplit(request.url).netloc == local:
            route.continue_()
        else:
            problems.append(f"blocked request to {request.url}")
            route.abort()

    context.route("**/*", only_local)
    page.on(
        "console",
        lambda msg: (
            msg.type == "error" and problems.append(f"console error: {msg.text}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: (
            urlsplit(request.url).netloc == local
            and problems.append(f"failed request: {request.url} ({request.failure})")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and problems.append(f"HTTP {response.status}: {response.url}")
        ),
    )
    page.set_default_timeout(TIMEOUT_MS)
    return page


def load(page, url: str) -> None:
    """Open `url` and wait until its math is typeset and its widgets are drawn."""
    page.goto(url, wait_until="load")
    page.evaluate(WAIT_FOR_MATH)
    page.wait_for_function(WIDGETS_RENDERED)


def screenshot_name(name: str, suffix: str) -> Path:
    return SCREENSHOTS / f"{name.removesuffix('.html').replace('/', '__')}{suffix}.png"


@pytest.fixture(scope="module")
def pages(site: Path) -> list[str]:
    """Every HTML page of the built site, relative to its root."""
    found = sorted(
        str(path.relative_to(site))
        for path in site.rglob("*.html")
        if not path.relative_to(site).parts[0].startswith("_")
    )
    assert "index.html" in found, f"no index.html among the built pages: {found}"
    return found


def visit_pages(
    browser,
    base_url: str,
    pages: list[str],
    viewport: dict,
    then: Callable[[object, str, Visit], None] | None = None,
) -> dict[str, Visit]:
    """Load each page, inspect it, and run `then(page, name, visit)` on it."""
    visits = {}
    for name in pages:
        visit = Visit()
        page = new_page(browser, base_url, viewport, visit.problems)
        try:
            load(page, base_url + name)
            visit.inspection = page.evaluate(INSPECT)
            if then is not None:
                then(page, name, visit)
        except Exception as error:  # noqa: BLE001 - reported per page by the tests
            visit.problems.append(f"could not load: {error}")
        finally:
            page.context.close()
        visits[name] = visit
    return visits


@pytest.fixture(scope="module")
def desktop(browser, server: str, pages: list[str]) -> dict[str, Visit]:
    """Each page visited at desktop width: checks, axe-core, full-page screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe_source = AXE.read_text()

    def screenshot_and_axe(page, name: str, visit: Visit) -> None:
        page.screenshot(path=screenshot_name(name, ""), full_page=True)
        page.add_script_tag(content=axe_source)
        visit.axe = page.evaluate(RUN_AXE)

    return visit_pages(browser, server, pages, DESKTOP, screenshot_and_axe)


@pytest.fixture(scope="module")
def phone(browser, server: str, pages: list[str]) -> dict[str, Visit]:
    """Each page visited at phone width, with a screenshot of the first screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def screenshot(page, name: str, visit: Visit) -> None:
        page.screenshot(path=screenshot_name(name, "-phone"))

    return visit_pages(browser, server, pages, PHONE, screenshot)


def report(failures: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{name}: {problem}" for name, found in failures.items() for problem in found
    )


def test_every_page_loads_offline_without_errors(desktop: dict[str, Visit]) -> None:
    failures = {
        name: visit.problems for name, visit in desktop.items() if visit.problems
    }
    assert not failures, report(failures)


def test_all_math_is_typeset(desktop: dict[str, Visit]) -> None:
    failures = {}
    for name, visit in desktop.items():
        left = [f"not typeset: {tex!r}" for tex in visit.inspection["untypeset"]]
        left += [
            f"raw TeX in the text: {m!r}"
            for m in RAW_TEX.findall(visit.inspection["text"])
        ]
        if left:
            failures[name] = left
    assert not failures, report(failures)
    # Guards the check above: it must have seen typeset math somewhere.
    assert any(visit.inspection["typeset"] for visit in desktop.values()), (
        "no page has typeset math: the math check checked nothing"
    )


def test_every_image_loads_and_has_alt_text(desktop: dict[str, Visit]) -> None:
    failures = {}
    for name, visit in desktop.items():
        bad = [
            f"{image['src']}: "
            + ("not loaded" if not image["loaded"] else "no alt text")
            for image in visit.inspection["images"]
            if not image["loaded"] or not image["alt"]
        ]
        if bad:
            failures[name] = bad
    assert not failures, report(failures)
    assert any(visit.inspection["images"] for visit in desktop.values())


# A figure is drawn at 100 dpi and shown at most as wide as the text column
# (672 px at desktop width): shrunk below 60%, its 10 pt labels fall under 8 px.
SMALLEST_SHOWN = 0.6


def test_figures_are_shown_large_enough_to_read(desktop: dict[str, Visit]) -> None:
    failures = {}
    for name, visit in desktop.items():
        small = [
            f"{image['src']}: drawn {image['drawn']} px wide, shown at "
            f"{image['shown']:.0f} px"
            for image in visit.inspection["images"]
            if "/_images/" in image["src"]
            and image["shown"] < SMALLEST_SHOWN * image["drawn"]
        ]
        if small:
            failures[name] = small
    assert not failures, report(failures)
    figures = [
        image
        for visit in desktop.values()
        for image in visit.inspection["images"]
        if "/_images/" in image["src"]
    ]
    assert len(figures) > 10 and all(image["shown"] > 0 for image in figures)


def shows_something(widget: dict) -> bool:
    """A drawn widget takes space and shows text (a label, a value) or an image."""
    return widget["visible"] and bool(widget["text"] or widget["media"])


def test_every_widget_shows_its_saved_state(
    desktop: dict[str, Visit], site: Path
) -> None:
    stored = [n for n in desktop if "widget-state+json" in (site / n).read_text()]
    assert stored, "no page embeds widget state: the widget check checks nothing"
    failures = {}
    for name in stored:
        widgets = desktop[name].inspection["widgets"]
        bad = [
            f"widget {i} is blank or hidden"
            for i, widget in enumerate(widgets)
            if not shows_something(widget)
        ]
        if not widgets:
            bad.append("widget state is embedded but no widget view is on the page")
        if bad:
            failures[name] = bad
    assert not failures, report(failures)


def test_internal_links_and_anchors_resolve(
    desktop: dict[str, Visit], server: str, site: Path
) -> None:
    ids = {name: set(visit.inspection["ids"]) for name, visit in desktop.items()}
    failures = {}
    for name, visit in desktop.items():
        bad = []
        for link in visit.inspection["links"]:
            url, fragment = urldefrag(link)
            if not url.startswith(server):
                continue
            target = unquote(urlsplit(url).path.removeprefix(urlsplit(server).path))
            target = target or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if not (site / target).is_file():
                bad.append(f"{link}: no such file in the site")
            elif fragment and target in ids and unquote(fragment) not in ids[target]:
                bad.append(f"{link}: no element with id {fragment!r}")
        if bad:
            failures[name] = sorted(set(bad))
    assert not failures, report(failures)


def allowed_by_list(violation: dict, allowed: dict) -> bool:
    """Whether the allow-list excuses every element this violation names."""
    entry = allowed.get(violation["id"])
    return entry is not None and set(violation["targets"]) <= set(entry["targets"])


def test_axe_finds_no_serious_violations(desktop: dict[str, Visit]) -> None:
    allowed = yaml.safe_load(AXE_ALLOWLIST.read_text()) or {}
    failures = {}
    for name, visit in desktop.items():
        bad = [
            f"{v['impact']} {v['id']} ({v['help']}): {v['targets'][:3]}"
            for v in visit.axe
            if v["impact"] in ("critical", "serious")
            and not allowed_by_list(v, allowed)
        ]
        if bad:
            failures[name] = bad
    assert not failures, report(failures)


def test_axe_allowlist_entries_are_narrow_and_explained() -> None:
    allowed = yaml.safe_load(AXE_ALLOWLIST.read_text()) or {}
    for rule, entry in allowed.items():
        assert entry.get("targets"), f"{rule}: name the elements it excuses"
        assert len(entry.get("reason", "")) >= 40, f"{rule}: give the reason"


def test_phone_width_has_no_horizontal_scroll(phone: dict[str, Visit]) -> None:
    failures = {}
    for name, visit in phone.items():
        if visit.problems:
            failures[name] = visit.problems
        elif visit.inspection["overflow"] > 0:
            failures[name] = [
                f"{visit.inspection['overflow']} px wider than the screen"
            ]
    assert not failures, report(failures)


def test_search_page_finds_a_term(browser, server: str) -> None:
    problems: list[str] = []
    page = new_page(browser, server, DESKTOP, problems)
    try:
        page.goto(f"{server}search.html?q={SEARCH_TERM}")
        page.wait_for_selector("#search-results ul.search li")
        results = page.locator("#search-results ul.search li")
        count = results.count()
        page.screenshot(path=screenshot_name("search", "-results"))
    finally:
        page.context.close()
    assert count >= 1
    assert not problems, problems


def switch_to_dark(page) -> None:
    """Click the theme's switch until the page is in dark mode."""
    for _ in range(3):
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            return
        page.locator(".theme-switch-button").first.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark", (
        "the theme switch never reached dark mode"
    )


# WCAG relative luminance of an element's background; null when transparent.
LUMINANCE = """el => {
  const rgba = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g).map(Number);
  if (rgba.length === 4 && rgba[3] === 0) return null;
  const [r, g, b] = rgba.slice(0, 3).map(c => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""
# WCAG AAA contrast, for black figure text on the figure's background.
LEGIBLE_CONTRAST = 7.0


def test_dark_mode_switches_and_figures_stay_legible(
    browser, server: str, site: Path, pages: list[str]
) -> None:
    with_figures = [n for n in pages if "<figure" in (site / n).read_text()]
    assert with_figures, "no page has a figure"
    problems: list[str] = []
    page = new_page(browser, server, DESKTOP, problems)
    try:
        load(page, server + with_figures[0])
        switch_to_dark(page)
        body = page.locator("body").evaluate(LUMINANCE)
        figures = page.locator("figure img")
        backgrounds = [
            figures.nth(i).evaluate(LUMINANCE) for i in range(figures.count())
        ]
        figures.first.scroll_into_view_if_needed()
        page.screenshot(path=screenshot_name(with_figures[0], "-dark"))
    finally:
        page.context.close()
    assert body is not None and body < 0.1, f"dark mode page background: {body}"
    # Figures are drawn in black on white: each must keep a light background.
    contrasts = [None if b is None else (b + 0.05) / 0.05 for b in backgrounds]
    assert contrasts and all(c and c >= LEGIBLE_CONTRAST for c in contrasts), (
        f"contrast of black figure text on its dark-mode background: {contrasts}"
    )
    assert not problems, problems


CALLOUT_LOOK = """kinds => {
  const main = document.querySelector('main') || document.body;
  return kinds.map(kind => {
    const box = document.createElement('div');
    box.className = `admonition ${kind}`;
    box.innerHTML = '<p class="admonition-title">Title</p><p>Body</p>';
    main.prepend(box);
    const title = box.querySelector('.admonition-title');
    const look = {
      border: getComputedStyle(box).borderLeftColor,
      background: getComputedStyle(title).backgroundColor,
      icon: getComputedStyle(title, '::after').content,
    };
    box.remove();
    return look;
  });
}"""


def test_callout_kinds_look_distinct_in_light_and_dark(browser, server: str) -> None:
    problems: list[str] = []
    page = new_page(browser, server, DESKTOP, problems)
    try:
        load(page, server + "index.html")
        page.evaluate("document.documentElement.dataset.theme = 'light'")
        light = page.evaluate(CALLOUT_LOOK, list(CALLOUT_KINDS))
        switch_to_dark(page)
        dark = page.evaluate(CALLOUT_LOOK, list(CALLOUT_KINDS))
    finally:
        page.context.close()
    for mode, looks in (("light", light), ("dark", dark)):
        signatures = [json.dumps(look, sort_keys=True) for look in looks]
        assert len(set(signatures)) == len(CALLOUT_KINDS), f"{mode}: {looks}"
        borders = [look["border"] for look in looks]
        assert len(set(borders)) == len(CALLOUT_KINDS), f"{mode} colours: {borders}"
        icons = [look["icon"] for look in looks]
        assert all(icon not in ("none", "normal", "") for icon in icons), icons
    assert [look["border"] for look in light] != [look["border"] for look in dark]
    assert not problems, problems


def test_every_page_works_opened_from_disk(
    browser, site: Path, pages: list[str]
) -> None:
    # A reader may open index.html straight from the folder, with no server.
    visits = visit_pages(browser, site.as_uri() + "/", pages, DESKTOP)
    failures = {}
    for name, visit in visits.items():
        problems = list(visit.problems)
        if visit.inspection:
            problems += [f"not typeset: {t!r}" for t in visit.inspection["untypeset"]]
            problems += [
                f"widget {i} is blank"
                for i, widget in enumerate(visit.inspection["widgets"])
                if not shows_something(widget)
            ]
        if problems:
            failures[name] = problems
    assert not failures, report(failures)


AXE_ON_EXPLORERS = """async () => (await axe.run({include: ['.book-explorer']},
    {resultTypes: ['violations'], preload: false}))
  .violations.map(v => ({id: v.id, impact: v.impact,
                         targets: v.nodes.map(n => n.target.join(' '))}))"""


def test_every_explorer_computes_in_the_page(browser, server: str, site: Path) -> None:
    # Explorers (book.explorers, anywidget) must answer a reader with no kernel.
    with_state = [
        path.relative_to(site).as_posix()
        for path in sorted(site.rglob("*.html"))
        if '"model_module": "anywidget"' in path.read_text()
    ]
    sources = [ROOT / "index.ipynb", *sorted((ROOT / "chapters").glob("*.ipynb"))]
    expected = {
        path.relative_to(ROOT).with_suffix(".html").as_posix()
        for path in sources
        if "book.explorers" in path.read_text()
    }
    assert expected <= set(with_state), f"explorers missing from {expected}"
    failures = {}
    for name in with_state:
        problems: list[str] = []
        page = new_page(browser, server, DESKTOP, problems)
        try:
            load(page, server + name)
            explorers = page.locator(".book-explorer")
            if explorers.count() == 0:
                problems.append("anywidget state embedded but no explorer drawn")
            for i in range(explorers.count()):
                explorer = explorers.nth(i)
                before = explorer.locator(".explorer-summary").text_content()
                slider = explorer.locator("input[type=range]").first
                at_top = slider.evaluate("s => Number(s.value) >= Number(s.max)")
                slider.press("ArrowLeft" if at_top else "ArrowRight")
                if explorer.locator(".explorer-summary").text_content() == before:
                    problems.append(f"explorer {i} did not respond to its slider")
            # The page-wide axe run is in light mode; the explorers' own text
            # sits on the widget area's ground, so check it in dark mode too.
            switch_to_dark(page)
            page.add_script_tag(content=AXE.read_text())
            problems += [
                f"dark mode: {v['impact']} {v['id']}: {v['targets'][:3]}"
                for v in page.evaluate(AXE_ON_EXPLORERS)
                if v["impact"] in ("critical", "serious")
            ]
        finally:
            page.context.close()
        if problems:
            failures[name] = problems
    assert not failures, report(failures)
