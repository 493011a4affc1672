"""The palette and the helpers every figure shares: colours live here and only here."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

# Okabe-Ito: distinguishable with every common kind of colour blindness.
BLUE, ORANGE, GREEN, PURPLE, VERMILION, SKY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
)
KERNEL_COLOURS = (ORANGE, BLUE, GREEN, PURPLE, VERMILION, SKY)
# One colour per model family, the same in every figure that compares them.
MODEL_COLOURS = {
    "FC": BLUE,
    "small FC": SKY,
    "locally connected": GREEN,
    "CNN": ORANGE,
    "logistic regression": PURPLE,
    "1-NN": VERMILION,
}
# Signed quantities (weights, weight changes, edge responses): purple < 0 < orange,
# white at zero; ColorBrewer's PuOr is safe for colour-blind readers.
DIVERGING = "PuOr_r"


def as_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A detached CPU copy that matplotlib can draw."""
    return tensor.detach().cpu().numpy()


def frame(ax: plt.Axes, *, box: bool = True) -> None:
    """No ticks on an image panel; with `box`, a thin grey box on all four sides.

    The house style hides the top and right spines, which suits plots but leaves
    an image half framed; `box=False` keeps the house spines.
    """
    ax.set_xticks([])
    ax.set_yticks([])
    if box:
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color("0.6")


def outline(ax: plt.Axes, corner: tuple[int, int], size: tuple[int, int]) -> None:
    """Dashed box around the pixels from `corner` (row, col) spanning `size`."""
    ax.add_patch(
        Rectangle(
            (corner[1] - 0.5, corner[0] - 0.5),
            size[1],
            size[0],
            fill=False,
            edgecolor=ORANGE,
            lw=1.5,
            ls="--",
        )
    )


def panel_row(
    count: int, width: float, height: float, *, sharey: bool = False
) -> tuple[Figure, list[plt.Axes]]:
    """A figure of `count` panels side by side, each `width` x `height` inches."""
    return panel_grid(count, width, height, columns=count, sharey=sharey)


def panel_grid(
    count: int, width: float, height: float, *, columns: int, sharey: bool = False
) -> tuple[Figure, list[plt.Axes]]:
    """`count` panels of `width` x `height` inches, `columns` to a row, row by row.

    The site shows a figure at most about 6.7 inches wide at 100 dpi: a row of
    five 3-inch panels is shown at under half its size, its labels unreadable.
    Cells left over in the last row are hidden.
    """
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(width * columns, height * rows),
        sharey=sharey,
        layout="constrained",
        squeeze=False,
    )
    cells = list(axes.flat)
    for spare in cells[count:]:
        spare.set_axis_off()
    return fig, cells[:count]
