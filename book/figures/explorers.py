"""What the interactive explorers draw, and the static twins the site shows.

The live explorers of `book.explorers` compute in the page; these functions are
their Python drawing, and a notebook cell calls them to show a fixed selection
of settings as a static figure (the twin that print and the PDF keep).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.figures.panels import map_grid
from book.figures.style import (
    BLUE,
    DIVERGING,
    KERNEL_COLOURS,
    ORANGE,
    VERMILION,
    panel_grid,
)
from book.layers import ConvArithmetic, WindowFrame, number
from book.symmetry import ShiftComparison


def _draw_padded_input(ax: plt.Axes, arithmetic: ConvArithmetic) -> None:
    """The input cells in a row: padding hatched, cells no window reaches vermilion."""
    size, pad = arithmetic.input_size, arithmetic.padding
    padded = size + 2 * pad
    reached = arithmetic.starts
    unreached = range(padded - arithmetic.leftover, padded) if reached else range(0)
    for cell in range(padded):
        is_pad = cell < pad or cell >= pad + size
        colour = VERMILION if cell in unreached else ("0.93" if is_pad else "white")
        ax.add_patch(
            Rectangle(
                (cell, 0),
                1,
                1,
                facecolor=colour,
                edgecolor="0.4",
                hatch="//" if is_pad else None,
            )
        )


def _draw_windows_and_outputs(ax: plt.Axes, arithmetic: ConvArithmetic) -> float:
    """A bar per window under the input, then the output cells; returns their y."""
    starts, k = arithmetic.starts, arithmetic.kernel_size
    for row, start in enumerate(starts, start=1):
        colour = KERNEL_COLOURS[(row - 1) % 2]
        ax.add_patch(
            Rectangle((start + 0.08, -row * 0.55), k - 0.16, 0.38, color=colour)
        )
    out_y = -(len(starts) + 1) * 0.55 - 0.6
    for index, start in enumerate(starts):
        # Each output cell sits under the centre of the window it came from.
        centre = start + k / 2
        ax.add_patch(
            Rectangle(
                (centre - 0.5, out_y),
                1,
                1,
                facecolor=ORANGE if arithmetic.valid else "0.8",
                edgecolor="0.3",
            )
        )
        ax.text(centre, out_y + 0.5, str(index), ha="center", va="center", fontsize=9)
    return out_y


def _verdict(arithmetic: ConvArithmetic) -> str:
    """The last line of the panel's title: the output size, or why there is none."""
    if arithmetic.valid:
        return f"output {arithmetic.output_size} × {arithmetic.output_size}"
    if arithmetic.starts:
        return f"invalid; PyTorch floors to {arithmetic.floored_size}"
    return "invalid: kernel larger than input"


def draw_conv_arithmetic(ax: plt.Axes, arithmetic: ConvArithmetic) -> None:
    """One axis of a convolution: padded input cells, each window, the output cells.

    Zero padding is hatched, every window is a bar over the cells it reads, and
    padded cells that no window reaches (an invalid setting) are vermilion.
    """
    _draw_padded_input(ax, arithmetic)
    out_y = _draw_windows_and_outputs(ax, arithmetic)
    padded = arithmetic.input_size + 2 * arithmetic.padding
    ax.set_xlim(-0.5, max(padded, arithmetic.kernel_size) + 0.5)
    ax.set_ylim(out_y - 0.3, 1.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(
        f"W={arithmetic.input_size}, F={arithmetic.kernel_size}, "
        f"S={arithmetic.stride}, P={arithmetic.padding}\n"
        f"{arithmetic.formula}\n{_verdict(arithmetic)}",
        fontsize=9,
        color="black" if arithmetic.valid else VERMILION,
    )


def conv_arithmetic_figure(
    settings: Sequence[ConvArithmetic], *, columns: int = 3
) -> Figure:
    """Small multiples of `draw_conv_arithmetic`, one panel per setting."""
    if len(settings) == 0:
        raise ValueError("settings is empty: give at least one conv_arithmetic(...)")
    if columns < 1:
        raise ValueError(f"columns must be positive, got {columns}")
    columns = min(columns, len(settings))
    fig, axes = panel_grid(len(settings), 3.2, 2.7, columns=columns)
    for ax, setting in zip(axes, settings, strict=True):
        draw_conv_arithmetic(ax, setting)
    return fig


def shift_comparison_figure(
    comparisons: Sequence[ShiftComparison] | ShiftComparison,
) -> Figure:
    """One row per comparison: shifted input, conv then shift, shift then conv, error.

    The dashed box on the error map is the comparison window.
    """
    if isinstance(comparisons, ShiftComparison):
        comparisons = [comparisons]
    rows = []
    for c in comparisons:
        verdict = "equal" if c.equal_inside else "NOT equal"
        rows.append(
            [
                (f"T(x): {c.direction} shift {c.amount:+d}", c.shifted_input),
                ("f(T(x))", c.moved_then_mapped),
                ("T(f(x))", c.mapped_then_moved),
                (f"margin {c.margin}: {verdict} in window", c.difference),
            ]
        )
    fig = map_grid(rows, signed=[False, True, True, False])
    largest = max(float(c.difference.max()) for c in comparisons) or 1.0
    for ax, c in zip(fig.axes[3::4], comparisons, strict=True):
        ax.images[0].set(cmap="Oranges", clim=(0, largest))
        height, width = c.difference.shape
        ax.add_patch(
            Rectangle(
                (c.margin - 0.5, c.margin - 0.5),
                width - 2 * c.margin,
                height - 2 * c.margin,
                fill=False,
                edgecolor=BLUE,
                lw=1.5,
                ls="--",
            )
        )
    return fig


def _draw_frame(ax: plt.Axes, image: torch.Tensor, frame: WindowFrame) -> None:
    """The image in grey, the window outlined, each product written in its cell."""
    ax.imshow(image.detach().numpy(), cmap="gray", vmin=0, vmax=1)
    size = frame.products.shape
    ax.add_patch(
        Rectangle(
            (frame.col - 0.5, frame.row - 0.5),
            size[1],
            size[0],
            fill=False,
            edgecolor=ORANGE,
            lw=2.5,
        )
    )
    for (i, j), value in np.ndenumerate(frame.products.numpy()):
        shade = float(image[frame.row + i, frame.col + j])
        ax.text(
            frame.col + j,
            frame.row + i,
            number(value),
            ha="center",
            va="center",
            fontsize=8,
            color="black" if shade > 0.5 else "white",
        )
    ax.set_title(f"({frame.row}, {frame.col}): sum = {number(frame.total)}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def window_frames_figure(image: torch.Tensor, frames: Sequence[WindowFrame]) -> Figure:
    """Small multiples of the sliding window, one panel per position, then the output.

    Each panel writes the window's products (image times kernel) in the cells
    they come from; the last panel is the finished output map.
    """
    if len(frames) == 0:
        raise ValueError("frames is empty: give window_frames(image, kernel)")
    columns = min(5, len(frames) + 1)
    rows = math.ceil((len(frames) + 1) / columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(2.1 * columns, 2.3 * rows), layout="constrained"
    )
    axes = np.atleast_1d(axes).flatten()
    for ax, frame in zip(axes, frames, strict=False):
        _draw_frame(ax, image, frame)
    result = frames[-1].output.numpy()
    last = axes[len(frames)]
    limit = float(np.nanmax(np.abs(result))) or 1.0
    # Twice the range: light colours, so the black numbers stay legible.
    last.imshow(result, cmap=DIVERGING, vmin=-2 * limit, vmax=2 * limit)
    for (i, j), value in np.ndenumerate(result):
        last.text(j, i, number(value), ha="center", va="center", fontsize=10)
    last.set_title("output", fontsize=9)
    last.set_xticks([])
    last.set_yticks([])
    for ax in axes[len(frames) + 1 :]:
        ax.set_axis_off()
    return fig
