"""Networks drawn as nodes and connections, each line drawn from a real weight."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from torch import nn

from book.figures.style import KERNEL_COLOURS, as_numpy


def _draw_nodes(ax: plt.Axes, xs: Sequence[float], y: float, name: str) -> None:
    """White circles labelled with subscripted names, e.g. $x_1$ ... $x_7$."""
    ax.scatter(xs, [y] * len(xs), s=520, c="white", edgecolors="black", zorder=3)
    for i, x in enumerate(xs, start=1):
        ax.text(x, y, f"${name}_{{{i}}}$", ha="center", va="center", zorder=4)


def _check_wiring(linear: nn.Linear, conv: nn.Conv1d) -> None:
    """Refuse what the diagram cannot draw: it shows one 1-D kernel, unstrided."""
    if not isinstance(linear, nn.Linear):
        raise TypeError(f"linear must be an nn.Linear, got {type(linear).__name__}")
    if not isinstance(conv, nn.Conv1d):
        raise TypeError(f"conv must be an nn.Conv1d, got {type(conv).__name__}")
    size = conv.kernel_size[0]
    simple = (conv.stride, conv.padding, conv.dilation, conv.groups) == (
        (1,),
        (0,),
        (1,),
        1,
    )
    if (conv.in_channels, conv.out_channels) != (1, 1) or not simple:
        raise ValueError(
            "conv must be nn.Conv1d(1, 1, k) with stride 1, no padding, no "
            f"dilation and one group, got {conv}"
        )
    if size > len(KERNEL_COLOURS):
        raise ValueError(
            f"kernel_size {size} needs more than the {len(KERNEL_COLOURS)} "
            "colours available; use a kernel of at most that size"
        )
    if linear.in_features < size:
        raise ValueError(
            f"linear.in_features {linear.in_features} is smaller than the conv "
            f"kernel {size}, so the conv layer would have no output"
        )


def _draw_fc_wiring(
    fig: Figure, ax: plt.Axes, weight: np.ndarray, width: Callable[[float], float]
) -> None:
    """Every output reads every input through its own weight, coloured by value."""
    num_out, num_in = weight.shape
    x_in = np.arange(num_in, dtype=float)
    x_out = (num_in - 1) / 2 + np.arange(num_out) - (num_out - 1) / 2
    norm = Normalize(-np.abs(weight).max(), np.abs(weight).max())
    cmap = plt.get_cmap("viridis")
    for out, x_end in enumerate(x_out):
        for i, x in enumerate(x_in):
            w = weight[out, i]
            ax.plot([x, x_end], [0, 1], color=cmap(norm(w)), lw=width(w), zorder=1)
    _draw_nodes(ax, x_in, 0, "x")
    _draw_nodes(ax, x_out, 1, "y")
    ax.set_title(
        f"Fully connected, nn.Linear({num_in}, {num_out})\n"
        f"{weight.size} connections, each with its own weight"
    )
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.75)
    bar.set_label("weight value")


def _draw_conv_wiring(
    ax: plt.Axes, kernel: np.ndarray, num_in: int, width: Callable[[float], float]
) -> None:
    """Output j reads inputs j .. j+size-1 through the same `size` weights."""
    size = len(kernel)
    num_out = num_in - size + 1
    x_out = np.arange(num_out) + (size - 1) / 2
    for out, x_end in enumerate(x_out):
        for k in range(size):
            ax.plot(
                [float(out + k), x_end],
                [0, 1],
                color=KERNEL_COLOURS[k],
                lw=width(kernel[k]),
                zorder=1,
            )
    _draw_nodes(ax, np.arange(num_in, dtype=float), 0, "x")
    _draw_nodes(ax, x_out, 1, "y")
    ax.set_title(
        f"Convolution, nn.Conv1d(1, 1, {size})\n"
        f"{num_out * size} connections sharing {size} weights"
    )
    handles = [
        Line2D([], [], color=KERNEL_COLOURS[k], lw=width(kernel[k]))
        for k in range(size)
    ]
    labels = [f"$w_{{{k + 1}}}$ = {kernel[k]:+.2f}" for k in range(size)]
    ax.legend(
        handles,
        labels,
        title="the kernel",
        loc="center left",
        bbox_to_anchor=(0.98, 0.5),
    )


def wiring_figure(linear: nn.Linear, conv: nn.Conv1d) -> Figure:
    """An FC layer and a 1-D conv layer side by side, each line drawn from its weight.

    Line width grows with |weight| (one scale for both panels). FC lines are
    coloured by value; conv lines by kernel index, so a shared weight keeps
    its colour wherever it is used. Biases are not drawn.
    """
    _check_wiring(linear, conv)
    fc_weight = as_numpy(linear.weight)
    kernel = as_numpy(conv.weight)[0, 0]
    largest = max(np.abs(fc_weight).max(), np.abs(kernel).max())

    def width(w: float) -> float:
        return 0.5 + 3.0 * abs(w) / largest

    fig, (ax_fc, ax_conv) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    _draw_fc_wiring(fig, ax_fc, fc_weight, width)
    _draw_conv_wiring(ax_conv, kernel, linear.in_features, width)
    for ax in (ax_fc, ax_conv):
        ax.set_xlim(-0.6, linear.in_features - 0.4)
        ax.set_ylim(-0.25, 1.25)
        ax.set_axis_off()
        ax.text(-0.55, 0, "inputs", ha="right", va="center", fontsize=9)
        ax.text(-0.55, 1, "outputs", ha="right", va="center", fontsize=9)
    return fig
