"""The explorers in real Chromium, offline: every control against Python's answer.

A page written like the site's (pages.py) carries the three explorers; every
request off the page's own host is blocked and fails the test. Each control is
operated from the keyboard (Tab to it, then keys), and after each step the
numbers the page shows are compared with the tested Python function for the
setting the page shows, computed here.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn

from book.data import place_on_canvas
from book.explorers import conv_arithmetic_explorer, digit_explorer, shift_explorer
from book.explorers.digit import MAX_PARAMETERS
from book.explorers.sliding import sliding_window_player
from book.layers import conv_arithmetic, number, window_frames
from book.symmetry import shift_comparison

from .pages import (
    ROOT,
    added_weight_gzipped,
    chromium,
    open_page,
    serve,
    write_page,
)

pytestmark = pytest.mark.slow

JS = ROOT / "book" / "explorers" / "js"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# float32 weights, float64 arithmetic in the page, float32 in PyTorch.
CLOSE = {"atol": 1e-5, "rtol": 1e-5}
PAGE_BUDGET = 300_000
EDGE = torch.tensor([[-1.0, 0.0, 1.0]] * 3)
SIZE = 20


def models() -> tuple[nn.Sequential, nn.Sequential]:
    torch.manual_seed(0)
    fc = nn.Sequential(
        nn.Flatten(), nn.Linear(SIZE * SIZE, 32), nn.ReLU(), nn.Linear(32, 10)
    )
    cnn = nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 10),
    )
    # Larger weights than the default, so the probabilities differ visibly.
    with torch.no_grad():
        for parameter in [*fc.parameters(), *cnn.parameters()]:
            parameter.mul_(4)
    return fc.eval(), cnn.eval()


@pytest.fixture(scope="module")
def image() -> torch.Tensor:
    generator = torch.Generator().manual_seed(5)
    return torch.rand(12, 14, generator=generator)


@pytest.fixture(scope="module")
def digit() -> torch.Tensor:
    generator = torch.Generator().manual_seed(6)
    return torch.rand(7, 5, generator=generator)


def sliding_image() -> torch.Tensor:
    """Small whole numbers, not square: every product and sum is exact."""
    generator = torch.Generator().manual_seed(7)
    return torch.randint(0, 4, (5, 6), generator=generator).float()


@pytest.fixture(scope="module")
def explorers(image: torch.Tensor, digit: torch.Tensor) -> list:
    return [
        conv_arithmetic_explorer(7, 3, 2, 0),
        shift_explorer(image, EDGE, bias=0.1, max_shift=5),
        digit_explorer(*models(), digit, SIZE, start=(3, 4)),
        sliding_window_player(sliding_image(), EDGE, start=1),
    ]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory, explorers: list) -> Path:
    return write_page(tmp_path_factory.mktemp("explorers"), explorers, "light")


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def url(page_file: Path):
    with serve(page_file.parents[1]) as base:
        yield f"{base}chapters/{page_file.name}"


@pytest.fixture
def problems() -> list[str]:
    """Blocked requests and errors a test's pages met: must be none at the end."""
    found: list[str] = []
    yield found
    assert not found, found


# The accessible name of the focused element: its label, legend or aria-label.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (el.labels && el.labels.length) {
    const group = el.closest('fieldset');
    return group ? group.querySelector('legend').textContent : el.labels[0].textContent;
  }
  return el.getAttribute('aria-label') || '';
}"""


def tab_to(page, name: str) -> None:
    """Press Tab until the control named `name` has the focus (keyboard only)."""
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME).startswith(name):
            return
    raise AssertionError(f"Tab never reached a control named {name!r}")


def values(explorer) -> list[int]:
    return [
        int(v)
        for v in explorer.locator("input[type=range]").evaluate_all(
            "inputs => inputs.map(i => i.value)"
        )
    ]


def test_conv_arithmetic_shows_python_for_every_control(browser, url, problems) -> None:
    page = open_page(browser, url, problems, viewport=DESKTOP)
    explorer = page.locator(".book-explorer").nth(0)
    steps = [
        ("input W", "ArrowRight"),  # 8: stride 2 no longer tiles
        ("kernel F", "ArrowRight"),  # 4: tiles again
        ("stride S", "ArrowRight"),  # 3: does not
        ("padding P", "ArrowRight"),  # 1
        ("input W", "Home"),  # 1: the kernel is larger than the padded input
        ("stride S", "Home"),  # 1
        ("padding P", "End"),  # 6
    ]
    seen = set()
    for name, key in steps:
        tab_to(page, name)
        page.keyboard.press(key)
        setting = values(explorer)
        expected = conv_arithmetic(*setting)
        assert explorer.locator("pre").text_content() == expected.summary(), setting
        label = explorer.locator("svg").get_attribute("aria-label")
        n = expected.floored_size
        stride = f"stride {setting[2]}"
        if expected.valid:
            assert label.endswith(f"{stride}, output {n} x {n}, valid"), label
        elif n:
            assert label.endswith(
                f"{stride}, invalid: PyTorch floors the output to {n} x {n}"
            )
        else:
            assert label.endswith(
                f"{stride}, invalid: the kernel is larger than the padded input"
            )
        # One bar per window, as many as Python's window starts.
        assert explorer.locator("rect.window").count() == len(expected.starts)
        seen.add("valid" if expected.valid else "floored" if n else "no window")
        page.keyboard.press("Shift+Tab")  # the next tab_to starts before the slider
    assert seen == {"valid", "floored", "no window"}


def read_shift(explorer) -> dict:
    return explorer.evaluate(
        """el => ({
          amount: Number(el.querySelectorAll('input[type=range]')[0].value),
          margin: Number(el.querySelectorAll('input[type=range]')[1].value),
          direction: el.querySelector('input[type=radio]:checked').value,
          maps: [...el.querySelectorAll('canvas')].map(c => Array.from(c.values)),
          text: el.querySelector('.explorer-summary').textContent,
          label: el.querySelector('[role=img]').getAttribute('aria-label'),
        })"""
    )


def expected_shift_text(c, size: int) -> str:
    where = "equal" if c.equal_inside else "NOT equal"
    largest = float(c.difference.max())
    return (
        f"{c.direction} shift {c.amount:+d}: f(T(x)) and T(f(x)) differ at "
        f"{c.spoiled} of {size} pixels (largest difference {largest:.4f}); inside "
        f"the window {c.margin} pixels from the border they are {where}."
    ).replace("shift +0", "shift 0")


def test_shift_explorer_shows_python_for_every_control(
    browser, url, problems, image
) -> None:
    page = open_page(browser, url, problems, viewport=DESKTOP)
    explorer = page.locator(".book-explorer").nth(1)
    steps = [
        ("shift", "ArrowRight"),  # +3
        ("margin", "ArrowRight"),  # 2: the window leaves the spoiled band out
        ("direction", "ArrowRight"),  # vertical
        ("shift", "Home"),  # -5
        ("margin", "End"),  # 5
        ("direction", "ArrowLeft"),  # horizontal
        ("shift", "End"),  # +5
        ("margin", "Home"),  # 0
    ]
    verdicts = set()
    for name, key in steps:
        tab_to(page, name)
        page.keyboard.press(key)
        shown = read_shift(explorer)
        setting = (shown["amount"], shown["direction"])
        c = shift_comparison(image, EDGE, *setting, margin=shown["margin"], bias=0.1)
        # The page computes in float64: its text is compared with float64 Python.
        exact = shift_comparison(
            image.double(), EDGE.double(), *setting, margin=shown["margin"], bias=0.1
        )
        assert shown["text"] == expected_shift_text(exact, image.numel()), shown
        assert shown["text"] in shown["label"]
        maps = (c.shifted_input, c.moved_then_mapped, c.mapped_then_moved, c.difference)
        for drawn, reference in zip(shown["maps"], maps, strict=True):
            torch.testing.assert_close(
                torch.tensor(drawn, dtype=torch.float64).reshape(reference.shape),
                reference.double(),
                **CLOSE,
            )
        verdicts.add(c.equal_inside)
        page.keyboard.press("Shift+Tab")
    assert verdicts == {True, False}


READ_FRAME = """el => ({
  index: Number(el.querySelector('input[type=range]').value) - 1,
  text: el.querySelector('.explorer-summary').textContent,
  label: el.querySelector('[role=img]').getAttribute('aria-label'),
  products: [...el.querySelectorAll('text.product')].map(t => t.textContent),
  output: [...el.querySelectorAll('text.out')].map(t => t.textContent),
  values: el.querySelector('svg').values,
})"""


def check_frame(explorer) -> int:
    """The frame the page shows equals Python's frame at that position."""
    shown = explorer.evaluate(READ_FRAME)
    frame = window_frames(sliding_image(), EDGE)[shown["index"]]
    assert shown["text"] == frame.summary()
    assert shown["label"].endswith(frame.summary())
    assert shown["products"] == [number(v) for v in frame.products.flatten().tolist()]
    output = [
        "" if math.isnan(v) else number(v) for v in frame.output.flatten().tolist()
    ]
    assert shown["output"] == output
    torch.testing.assert_close(
        torch.tensor(shown["values"]["products"], dtype=torch.float64),
        frame.products.flatten().double(),
        **CLOSE,
    )
    return shown["index"]


def test_sliding_window_frames_equal_python_at_every_step(
    browser, url, problems
) -> None:
    page = open_page(browser, url, problems, viewport=DESKTOP)
    explorer = page.locator(".book-explorer").nth(3)
    count = len(window_frames(sliding_image(), EDGE))
    shown = [check_frame(explorer)]
    steps = [
        ("next position", "Enter"),  # 3rd position
        ("next position", "Space"),  # 4th: the window moved down a row
        ("window position", "End"),  # the last
        ("next position", "Enter"),  # stays at the last
        ("previous position", "Enter"),
        ("window position", "Home"),  # the first: one output cell filled
        ("window position", "ArrowRight"),
    ]
    for name, key in steps:
        tab_to(page, name)
        page.keyboard.press(key)
        shown.append(check_frame(explorer))
        page.keyboard.press("Shift+Tab")
    assert shown == [1, 2, 3, count - 1, count - 1, count - 2, 0, 1]


def probabilities_shown(explorer) -> dict[str, list[float]]:
    return explorer.evaluate(
        """el => Object.fromEntries([...el.querySelectorAll('[data-model]')].map(
          panel => [panel.dataset.model, [...panel.querySelectorAll('li')].map(
            li => Number(li.dataset.probability))]
        ))"""
    )


def check_digit(explorer, digit: torch.Tensor) -> tuple[int, int]:
    """The page's probabilities equal PyTorch's for the position the page shows."""
    col, row = values(explorer)
    canvas = place_on_canvas(digit[None], SIZE, (row, col))[None]
    shown = probabilities_shown(explorer)
    fc, cnn = models()
    with torch.no_grad():
        for name, model in (("FC", fc), ("CNN", cnn)):
            expected = torch.softmax(model(canvas), dim=1)[0].double()
            torch.testing.assert_close(
                torch.tensor(shown[name], dtype=torch.float64), expected, **CLOSE
            )
    assert (
        f"row {row}, column {col}"
        in explorer.locator(".explorer-summary").text_content()
    )
    return row, col


def test_digit_probabilities_equal_pytorch_at_every_position(
    browser, url, problems, digit
) -> None:
    page = open_page(browser, url, problems, viewport=DESKTOP)
    explorer = page.locator(".book-explorer").nth(2)
    positions = {check_digit(explorer, digit)}
    steps = [
        ("digit column", "ArrowRight"),
        ("digit row", "End"),
        ("Digit at", "ArrowLeft"),  # the canvas itself, by arrow keys
        ("Digit at", "ArrowUp"),
        ("digit column", "Home"),
        ("Digit at", "ArrowDown"),
    ]
    for name, key in steps:
        tab_to(page, name)
        page.keyboard.press(key)
        positions.add(check_digit(explorer, digit))
        page.keyboard.press("Shift+Tab")
    assert len(positions) >= 6, positions
    assert (SIZE - digit.shape[0], 5) in positions  # row End, then column +1 -1


def test_digit_follows_a_drag(browser, url, problems, digit) -> None:
    page = open_page(browser, url, problems, viewport=DESKTOP)
    explorer = page.locator(".book-explorer").nth(2)
    box = explorer.locator("canvas").bounding_box()
    cell = box["width"] / SIZE
    # Grab the digit's top-left cell (row 3, col 4) and drop it 6 right, 9 down.
    start = (box["x"] + 4.5 * cell, box["y"] + 3.5 * cell)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 6 * cell, start[1] + 9 * cell, steps=5)
    page.mouse.up()
    assert check_digit(explorer, digit) == (12, 10)


def forward_models() -> list[nn.Sequential]:
    """Every layer kind, odd sizes, non-square inputs, and padding with negatives."""
    torch.manual_seed(1)
    norm2d, norm1d = nn.BatchNorm2d(4), nn.BatchNorm1d(6)
    for norm in (norm2d, norm1d):
        norm.running_mean.uniform_(-1, 1)
        norm.running_var.uniform_(0.5, 2)
        nn.init.uniform_(norm.weight, 0.5, 1.5)
        nn.init.uniform_(norm.bias, -0.5, 0.5)
    return [
        nn.Sequential(
            nn.Conv2d(1, 3, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(3 * 3 * 3, 5),
        ),
        nn.Sequential(
            nn.Conv2d(1, 4, (3, 5), stride=(2, 1), padding=(0, 2)),
            nn.AvgPool2d(3, stride=2, padding=1),
            nn.Conv2d(4, 2, (1, 3)),
            nn.AdaptiveMaxPool2d((3, 2)),
            nn.Flatten(),
            nn.Linear(12, 4),
        ),
        nn.Sequential(
            nn.Conv2d(1, 4, 3, padding="same", bias=False),
            norm2d,
            nn.AvgPool2d(2, padding=1, count_include_pad=False),
            nn.AdaptiveAvgPool2d((5, 3)),
            nn.Flatten(),
            nn.Linear(60, 6),
            norm1d,
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(6, 3),
        ),
        nn.Sequential(
            nn.Sequential(nn.MaxPool2d(3, stride=2, padding=1)),
            nn.AdaptiveMaxPool2d(1),
            nn.Flatten(),
        ),
    ]


def test_forward_pass_equals_pytorch_for_every_layer_kind(browser, problems) -> None:
    from book.explorers.export import export_sequential

    page = browser.new_page()
    try:
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.add_script_tag(
            content=(JS / "common.js").read_text() + (JS / "forward.js").read_text()
        )
        x = torch.randn(1, 1, 13, 11, generator=torch.Generator().manual_seed(2)) - 0.5
        for model in forward_models():
            with torch.no_grad():
                expected = model.eval()(x)[0]
            got = page.evaluate(
                "([layers, x]) => Array.from(forward(prepareLayers(layers), x).data)",
                [
                    export_sequential(model),
                    {"shape": [1, 13, 11], "data": x.flatten().tolist()},
                ],
            )
            torch.testing.assert_close(
                torch.tensor(got, dtype=torch.float64).reshape(expected.shape),
                expected.double(),
                **CLOSE,
            )
    finally:
        page.close()


RUN_AXE = """async () => (await axe.run({include: ['.book-explorer']},
    {resultTypes: ['violations']}))
  .violations.map(v => ({id: v.id, impact: v.impact,
                         targets: v.nodes.map(n => n.target)}))"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_nothing_serious_in_light_and_dark(
    browser, url, problems, theme
) -> None:
    page = open_page(browser, url, problems, viewport=DESKTOP, color_scheme=theme)
    page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    page.add_script_tag(content=AXE.read_text())
    violations = page.evaluate(RUN_AXE)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    # The surrounding text colour reaches the explorers in both themes.
    colours = page.locator(".explorer-summary").evaluate_all(
        "els => els.map(e => getComputedStyle(e).color)"
    )
    body = page.evaluate("getComputedStyle(document.body).color")
    assert set(colours) == {body}


def test_every_control_has_an_accessible_name(browser, url, problems) -> None:
    page = open_page(browser, url, problems, viewport=DESKTOP)
    snapshot = page.locator("main").aria_snapshot()
    for name in (
        "input W",
        "kernel F",
        "stride S",
        "padding P",
        "shift",
        "margin",
        "horizontal",
        "vertical",
        "digit column",
        "digit row",
        "window position",
        "previous position",
        "next position",
    ):
        assert f'"{name}"' in snapshot, (name, snapshot)
    assert snapshot.count('img "') >= 4  # each figure's text alternative


def test_phone_width_fits_without_sideways_scroll(browser, url, problems) -> None:
    page = open_page(browser, url, problems, viewport=PHONE)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px wider than a 375 px phone"
    widths = page.locator(".book-explorer").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().right)"
    )
    assert max(widths) <= PHONE["width"], widths
    # Still live at phone width.
    tab_to(page, "stride S")
    page.keyboard.press("ArrowRight")
    assert "(7 - 3 + 2*0) / 3 + 1 = 2.3333" in page.locator("pre").first.text_content()


def test_the_page_works_opened_from_disk(browser, page_file, problems) -> None:
    page = open_page(browser, page_file.as_uri(), problems, viewport=DESKTOP)
    before = page.locator(".explorer-summary").all_text_contents()
    for name, key in (
        ("kernel F", "ArrowRight"),
        ("margin", "End"),
        ("digit row", "Home"),
        ("next position", "Enter"),
    ):
        tab_to(page, name)
        page.keyboard.press(key)
    after = page.locator(".explorer-summary").all_text_contents()
    assert len(after) == 4
    changed = [b != a for b, a in zip(before, after, strict=True)]
    assert all(changed), (before, after)


def test_added_page_weight_is_within_budget(explorers) -> None:
    weight = added_weight_gzipped(explorers)
    print(f"the four explorers add {weight / 1000:.1f} KB gzipped to a page")
    assert weight <= PAGE_BUDGET


def test_models_at_the_parameter_cap_stay_within_the_page_budget() -> None:
    # Float32 weights barely compress: the cap is what keeps the page light.
    torch.manual_seed(0)
    fc = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 47), nn.Linear(47, 10))
    cnn = nn.Sequential(
        nn.Conv2d(1, 16, 5),
        nn.ReLU(),
        nn.Conv2d(16, 16, 5),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(16, 10),
    )
    parameters = sum(p.numel() for m in (fc, cnn) for p in m.parameters())
    assert MAX_PARAMETERS - 1_000 < parameters <= MAX_PARAMETERS
    explorers = [
        conv_arithmetic_explorer(),
        shift_explorer(torch.rand(32, 32), EDGE),
        digit_explorer(fc, cnn, torch.rand(20, 20), 28),
    ]
    weight = added_weight_gzipped(explorers)
    print(f"with {parameters:,} parameters: {weight / 1000:.1f} KB gzipped")
    assert weight <= PAGE_BUDGET
