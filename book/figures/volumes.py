"""Figures about depth: filters against volumes, learned filters, statistics by place.

These draw what section 3's channels and the stationarity counterexample need:
a 3-D filter laid against a multi-channel input, the first-layer filters of a
trained CNN next to an FC network's per-position templates, and a statistic
measured row by row to show where an image is not the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.figures.style import (
    DIVERGING,
    KERNEL_COLOURS,
    ORANGE,
    as_numpy,
    frame,
    panel_row,
)

# Each channel of a volume is drawn shifted by this fraction of a cell, up and to
# the right, so the stack reads as depth without a 3-D axis.
_DEPTH_STEP = 0.6


def _check_tensor(name: str, value: object, dims: int, layout: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or value.dim() != dims:
        shape = getattr(value, "shape", type(value).__name__)
        raise ValueError(f"{name} must be a tensor {layout}, got {shape}")
    return value


def _layer_order(depth: int, channel: int) -> float:
    """Drawing order of a channel: channel 0 in front, hiding those behind it."""
    return 10.0 * (depth - channel)


def _draw_stack(ax: Axes, volume: np.ndarray, limit: float) -> None:
    """Channels stacked with channel 0 in front, each behind offset up and right."""
    depth, height, width = volume.shape
    for d in range(depth):
        dx = dy = d * _DEPTH_STEP
        z = _layer_order(depth, d)
        extent = (dx, dx + width, dy, dy + height)
        ax.imshow(
            volume[d][::-1],
            cmap=DIVERGING,
            vmin=-limit,
            vmax=limit,
            extent=extent,
            zorder=z,
        )
        ax.add_patch(
            Rectangle(
                (dx, dy), width, height, fill=False, edgecolor="0.3", lw=0.8, zorder=z
            )
        )
    # Only the front channel is fully visible, so only its values are written,
    # in white where the cell is dark enough to hide black text.
    for row in range(height):
        for col in range(width):
            value = volume[0, row, col]
            ax.text(
                col + 0.5,
                height - row - 0.5,
                f"{value:g}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if abs(value) > 0.8 * limit else "black",
                zorder=_layer_order(depth, 0) + 2,
            )


def filter_volume_figure(
    volume: torch.Tensor, filters: torch.Tensor, at: tuple[int, int] = (0, 0)
) -> Figure:
    """A (D, H, W) input volume with one window outlined, next to (K, D, F, F) filters.

    Each volume is drawn as its channels stacked front (channel 0) to back; the
    window the output at `at` reads is outlined through every channel of the
    input, because a filter spans the full depth.
    """
    volume = _check_tensor("volume", volume, 3, "(D, H, W)")
    filters = _check_tensor("filters", filters, 4, "(K, D, F, F)")
    depth, height, width = volume.shape
    count, filter_depth, size, size_w = filters.shape
    if filter_depth != depth or size != size_w:
        raise ValueError(
            f"filters {tuple(filters.shape)} must be square and as deep as the "
            f"volume's {depth} channels"
        )
    row, col = at
    if not (0 <= row <= height - size and 0 <= col <= width - size):
        raise ValueError(
            f"window at {at} of size {size} does not fit a {height} x {width} input"
        )
    limit = float(max(volume.abs().max(), filters.abs().max())) or 1.0
    fig, axes = plt.subplots(
        1,
        1 + count,
        figsize=(3.2 + 2.4 * count, 3.2),
        layout="constrained",
        width_ratios=[width + depth] + [size + depth] * count,
    )
    _draw_stack(axes[0], as_numpy(volume), limit)
    for d in range(depth):
        shift = d * _DEPTH_STEP
        axes[0].add_patch(
            Rectangle(
                (col + shift, height - row - size + shift),
                size,
                size,
                fill=False,
                edgecolor=ORANGE,
                lw=2.0,
                ls="--",
                zorder=_layer_order(depth, d) + 1,
            )
        )
    axes[0].set_title(f"input volume {depth} × {height} × {width}", fontsize=9)
    for k in range(count):
        _draw_stack(axes[1 + k], as_numpy(filters[k]), limit)
        colour = KERNEL_COLOURS[k % len(KERNEL_COLOURS)]
        axes[1 + k].set_title(
            f"filter {k}: {depth} × {size} × {size}", fontsize=9, color=colour
        )
    for ax, extent in zip(axes, [width] + [size] * count, strict=True):
        ax.set_xlim(-0.2, extent + depth * _DEPTH_STEP + 0.2)
        ax.set_ylim(
            -0.2, (height if ax is axes[0] else size) + depth * _DEPTH_STEP + 0.2
        )
        ax.set_aspect("equal")
        frame(ax, box=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
    return fig


def learned_filters_figure(
    cnn_first_layer_weight: torch.Tensor,
    fc_templates: torch.Tensor,
    *,
    max_panels: int = 8,
) -> Figure:
    """A CNN's first-layer filters (top rows) against an FC layer's templates (bottom).

    `cnn_first_layer_weight` is a conv weight (K, 1, F, F); `fc_templates` is
    the first FC layer's weight reshaped to images, (U, H, W). Each group
    shows up to `max_panels` maps, four to a row, with its own symmetric colour
    scale: the two layers' weights differ in size.
    """
    filters = _check_tensor(
        "cnn_first_layer_weight", cnn_first_layer_weight, 4, "(K, 1, F, F)"
    )
    if filters.shape[1] != 1:
        raise ValueError(
            f"cnn_first_layer_weight must have one input channel, got "
            f"{filters.shape[1]}"
        )
    templates = _check_tensor("fc_templates", fc_templates, 3, "(U, H, W)")
    if max_panels < 1:
        raise ValueError(f"max_panels must be positive, got {max_panels}")
    groups = [filters[:max_panels, 0], templates[:max_panels]]
    # Four to a row: eight in one row were shown at half size on the site.
    columns = min(4, max(len(g) for g in groups))
    rows = [math.ceil(len(g) / columns) for g in groups]
    fig, axes = plt.subplots(
        sum(rows),
        columns,
        figsize=(1.6 * columns + 1.2, 1.7 * sum(rows) + 0.2),
        squeeze=False,
        layout="constrained",
    )
    labels = ["CNN filter", "FC unit"]
    first = 0
    for maps, count, label in zip(groups, rows, labels, strict=True):
        cells = list(axes[first : first + count].flat)
        first += count
        limit = float(maps.abs().max()) or 1.0
        for index, ax in enumerate(cells):
            if index >= len(maps):
                ax.set_axis_off()
                continue
            image = ax.imshow(
                as_numpy(maps[index]), cmap=DIVERGING, vmin=-limit, vmax=limit
            )
            frame(ax)
            ax.set_title(f"{label} {index}", fontsize=9)
        fig.colorbar(image, ax=cells, shrink=0.8).set_label("weight")
    return fig


def position_profile_figure(
    panels: Mapping[str, Mapping[str, Sequence[float]]], *, xlabel: str = "row"
) -> Figure:
    """One panel per title, each plotting named profiles against the position index.

    A profile is a statistic measured at each row (or column) of an image set;
    a flat profile is what a stationary image would give.
    """
    if not panels:
        raise ValueError("panels must hold at least one titled panel")
    fig, axes = panel_row(len(panels), 4.2, 3.2)
    for ax, (title, profiles) in zip(axes, panels.items(), strict=True):
        if not profiles:
            raise ValueError(f"panel {title!r} has no profiles")
        for index, (name, values) in enumerate(profiles.items()):
            ax.plot(
                np.arange(len(values)),
                list(values),
                # Markers only where there are few points to mark.
                marker="o" if len(values) <= 20 else None,
                markersize=3,
                color=KERNEL_COLOURS[index % len(KERNEL_COLOURS)],
                label=name,
            )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.legend(fontsize=8)
    return fig
