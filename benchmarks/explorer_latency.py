"""Time each explorer from an input to its updated figure, in headless Chromium.

Usage: python benchmarks/explorer_latency.py [--repeats 40]

Writes the page the browser tests use (tests/explorers/pages.py: the site's
embedding, served locally, offline) with the three explorers and chapter 3's
sliding-window player on its 5 x 5 edge example, the digit
explorer carrying models near the size limit of the page (43,000
parameters between them on a 36-pixel canvas). For each control, it sets a
new value in the page and dispatches the `input` event the browser fires
when a reader moves it, then waits until the next frame has been painted;
the time between is what a reader waits. The page's own computation runs
inside that, synchronously, and is reported alone too. The issue's target is
a median of at most 50 ms on the 2-core machine: numbers from a machine busy
with other work are not evidence, so run it on a quiet one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from book.explorers import (  # noqa: E402
    conv_arithmetic_explorer,
    digit_explorer,
    shift_explorer,
    sliding_window_player,
)
from tests.explorers.pages import chromium, open_page, serve, write_page  # noqa: E402

TARGET_MS = 50.0
CANVAS = 36

# Moves one control of explorer `index` to its next value and times it:
# `total` until the frame after the update is painted, `compute` for the
# synchronous part (the model update, the arithmetic and the drawing calls).
TIME_INPUT = """async ([index, control, step]) => {
  const el = document.querySelectorAll('.book-explorer')[index];
  const input = el.querySelectorAll('input')[control];
  const next = Number(input.value) + step;
  input.value = String(next >= Number(input.min) && next <= Number(input.max)
                       ? next : Number(input.value) - step);
  const start = performance.now();
  input.dispatchEvent(new Event('input', {bubbles: true}));
  const compute = performance.now() - start;
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  return {compute, total: performance.now() - start};
}"""


def models() -> tuple[nn.Sequential, nn.Sequential]:
    torch.manual_seed(0)
    fc = nn.Sequential(
        nn.Flatten(), nn.Linear(CANVAS * CANVAS, 32), nn.ReLU(), nn.Linear(32, 10)
    )
    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(16, 10),
    )
    return fc, cnn


# (explorer index, its name, control index, control name)
CONTROLS = [
    (0, "conv arithmetic", 0, "input W"),
    (0, "conv arithmetic", 2, "stride S"),
    (1, "shift (32 x 32)", 0, "shift"),
    (1, "shift (32 x 32)", 1, "margin"),
    (2, f"digit ({CANVAS} x {CANVAS})", 0, "digit column"),
    (2, f"digit ({CANVAS} x {CANVAS})", 1, "digit row"),
    (3, "sliding (5 x 5)", 0, "position"),
]
# Chapter 3's worked example: the edge image and kernel the player steps through.
EDGE_IMAGE = torch.tensor([[0.0, 0.0, 1.0, 1.0, 1.0]] * 5)
EDGE_KERNEL = torch.tensor([[-1.0, 0.0, 1.0]] * 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    explorers = [
        conv_arithmetic_explorer(),
        shift_explorer(torch.rand(32, 32, generator=generator), torch.ones(3, 3)),
        digit_explorer(*models(), torch.rand(12, 12, generator=generator), CANVAS),
        sliding_window_player(EDGE_IMAGE, EDGE_KERNEL),
    ]
    with tempfile.TemporaryDirectory() as folder:
        page_file = write_page(Path(folder), explorers, "light")
        with serve(Path(folder)) as base, chromium() as browser:
            problems: list[str] = []
            page = open_page(
                browser,
                f"{base}chapters/{page_file.name}",
                problems,
                viewport={"width": 1280, "height": 900},
            )
            print(
                f"{'explorer':<20} {'control':<13} {'median ms':>9} "
                f"{'p90 ms':>7} {'compute ms':>10} {'median/target':>13}"
            )
            for index, explorer, control, name in CONTROLS:
                times = [
                    page.evaluate(TIME_INPUT, [index, control, 1])
                    for _ in range(args.repeats)
                ]
                total = sorted(t["total"] for t in times)
                median = statistics.median(total)
                compute = statistics.median(t["compute"] for t in times)
                p90 = total[int(0.9 * (len(total) - 1))]
                print(
                    f"{explorer:<20} {name:<13} {median:9.1f} {p90:7.1f} "
                    f"{compute:10.2f} {median / TARGET_MS:13.2f}"
                )
            page.context.close()
    if problems:
        raise SystemExit(f"the page had problems: {problems}")
    print(
        f"target: median <= {TARGET_MS:.0f} ms (ratio <= 1); a busy machine "
        "inflates every number: run it on a quiet one"
    )


if __name__ == "__main__":
    main()
