"""Panels: images, weights and feature maps drawn side by side as 2-D maps."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.figures.style import DIVERGING, as_numpy, frame, outline


def weight_change_figure(
    changes: torch.Tensor,
    window: tuple[int, int, int, int],
    *,
    titles: Sequence[str] | None = None,
    columns: int = 4,
) -> Figure:
    """Maps of how training changed first-layer FC weights, training window outlined.

    `changes` is (units, S, S); `window` is (row, col, height, width). All
    panels share one symmetric colour scale, so equal colours mean equal change.
    """
    if not isinstance(changes, torch.Tensor) or changes.dim() != 3:
        shape = getattr(changes, "shape", type(changes).__name__)
        raise ValueError(f"changes must be a tensor (units, S, S), got {shape}")
    count = changes.shape[0]
    if titles is not None and len(titles) != count:
        raise ValueError(f"got {len(titles)} titles for {count} maps")
    if columns < 1:
        raise ValueError(f"columns must be positive, got {columns}")
    columns = min(columns, count)
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(1.9 * columns + 1.2, 2.0 * rows + 0.3),
        squeeze=False,
        layout="constrained",
    )
    limit = float(changes.abs().max()) or 1.0
    values = as_numpy(changes)
    for index, ax in enumerate(axes.flat):
        if index >= count:
            ax.set_axis_off()
            continue
        image = ax.imshow(values[index], cmap=DIVERGING, vmin=-limit, vmax=limit)
        outline(ax, window[:2], window[2:])
        frame(ax)
        ax.set_title(titles[index] if titles else f"hidden unit {index}", fontsize=9)
    bar = fig.colorbar(image, ax=axes, shrink=0.9)
    bar.set_label("change in weight\n(after training − at initialisation)")
    return fig


def _draw_kernel_values(ax: plt.Axes, kernel: np.ndarray, largest: float) -> None:
    """The kernel as coloured cells, each with its value written in it."""
    ax.imshow(kernel, cmap=DIVERGING, vmin=-largest, vmax=largest)
    for (r, c), value in np.ndenumerate(kernel):
        # Dark text on pale cells, white text on saturated ones.
        colour = "white" if abs(value) > 0.6 * largest else "black"
        ax.text(c, r, f"{value:g}", ha="center", va="center", fontsize=13, color=colour)
    frame(ax)
    ax.set_title(f"the kernel:\n{kernel.size} weights")


def _draw_stamps(
    ax: plt.Axes,
    photo: torch.Tensor,
    kernel: np.ndarray,
    largest: float,
    stamp_at: Sequence[tuple[int, int]],
) -> None:
    """The photo with an enlarged copy of the kernel at each (row, col) place."""
    height, width = photo.shape
    ax.imshow(as_numpy(photo), cmap="gray", vmin=0, vmax=1)
    glyph = 0.09 * width  # enlarged: a 3-pixel kernel would be invisible
    for row, col in stamp_at:
        extent = (col, col + glyph, row + glyph, row)
        ax.imshow(kernel, cmap=DIVERGING, vmin=-largest, vmax=largest, extent=extent)
        ax.add_patch(
            Rectangle((col, row), glyph, glyph, fill=False, edgecolor="white", lw=2)
        )
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    ax.set_title("the same kernel,\napplied everywhere\n(a few places, enlarged)")


def _draw_fc_unit(ax: plt.Axes, fc_weights: torch.Tensor) -> plt.Axes:
    """One FC unit's weights, with an inset zoom on a corner; returns the inset."""
    height, width = fc_weights.shape
    fc_limit = float(fc_weights.abs().max()) or 1.0
    # Five colour levels read as the same noise but keep the PNG small: random
    # values in a continuous colormap do not compress.
    coarse = plt.get_cmap(DIVERGING, 5)
    ax.imshow(as_numpy(fc_weights), cmap=coarse, vmin=-fc_limit, vmax=fc_limit)
    ax.set_title(
        f"one FC hidden unit's weights:\n{fc_weights.numel():,} weights,\none per pixel"
    )
    # A zoom into one corner, so that single weights are visible as squares.
    zoom = ax.inset_axes((0.5, 0.5, 0.46, 0.46 * width / height))
    corner = as_numpy(fc_weights[:16, :16])
    zoom.imshow(corner, cmap=DIVERGING, vmin=-fc_limit, vmax=fc_limit)
    zoom.text(
        0.5,
        -0.04,
        "top-left 16 × 16 weights, enlarged",
        transform=zoom.transAxes,
        ha="center",
        va="top",
        fontsize=8,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
    )
    ax.indicate_inset_zoom(zoom, edgecolor="black", alpha=1)
    return zoom


def kernel_preview_figure(
    photo: torch.Tensor,
    kernel: torch.Tensor,
    feature_map: torch.Tensor,
    fc_weights: torch.Tensor,
    stamp_at: Sequence[tuple[int, int]],
    *,
    map_name: str = "vertical-edge map",
) -> Figure:
    """One small kernel stamped across a photograph and its output, next to one FC unit.

    `stamp_at` lists (row, col) places where an enlarged copy of the kernel is
    drawn; `fc_weights` is one hidden unit's weights shaped like the photo.
    """
    if kernel.dim() != 2 or photo.dim() != 2:
        raise ValueError(
            f"photo and kernel must be 2-D, got {tuple(photo.shape)} and "
            f"{tuple(kernel.shape)}"
        )
    if tuple(fc_weights.shape) != tuple(photo.shape):
        raise ValueError(
            f"fc_weights must have the photo's shape {tuple(photo.shape)}, "
            f"got {tuple(fc_weights.shape)}"
        )
    fig, (ax_kernel, ax_photo, ax_map, ax_fc) = plt.subplots(
        1,
        4,
        # At most 10 inches: the site shows a figure about 6.7 inches wide, and
        # at 13 these titles were shown at half their size.
        figsize=(10, 4.2),
        gridspec_kw={"width_ratios": [0.55, 1, 1, 1]},
        layout="constrained",
    )
    largest = float(kernel.abs().max()) or 1.0
    _draw_kernel_values(ax_kernel, as_numpy(kernel), largest)
    _draw_stamps(ax_photo, photo, as_numpy(kernel), largest, stamp_at)

    out_h, out_w = feature_map.shape
    # Clip the strongest 2% so that the many moderate edges stay visible.
    limit = float(feature_map.abs().flatten().quantile(0.98)) or 1.0
    ax_map.imshow(as_numpy(feature_map), cmap=DIVERGING, vmin=-limit, vmax=limit)
    ax_map.set_title(
        f"its output, a {map_name}:\n{kernel.numel()} weights reused\n"
        f"at {out_h * out_w:,} places"
    )

    zoom = _draw_fc_unit(ax_fc, fc_weights)
    for ax in (ax_photo, ax_map, ax_fc, zoom):
        frame(ax)
    for spine in zoom.spines.values():
        spine.set_color("white")
        spine.set_linewidth(2)
    return fig


def _check_panels(
    images: Sequence[torch.Tensor],
    titles: Sequence[str],
    signed: Sequence[bool] | None,
    clip_quantile: float,
) -> list[bool]:
    """The signed flags, one per image (default: none signed), or a ValueError."""
    if len(images) == 0 or len(images) != len(titles):
        raise ValueError(
            f"need one title per image and at least one image, got {len(images)} "
            f"images and {len(titles)} titles"
        )
    signed = [False] * len(images) if signed is None else list(signed)
    if len(signed) != len(images):
        raise ValueError(f"got {len(signed)} signed flags for {len(images)} images")
    if any(image.dim() != 2 for image in images):
        shapes = [tuple(image.shape) for image in images]
        raise ValueError(f"every image must be 2-D, got shapes {shapes}")
    if not 0 < clip_quantile <= 1:
        raise ValueError(f"clip_quantile must lie in (0, 1], got {clip_quantile}")
    return signed


def image_panels_figure(
    images: Sequence[torch.Tensor],
    titles: Sequence[str],
    *,
    signed: Sequence[bool] | None = None,
    clip_quantile: float = 0.99,
) -> Figure:
    """Grayscale or signed 2-D maps in one row; signed maps share one colour scale.

    Signed maps use the diverging colormap (purple < 0 < orange) with limits at
    the `clip_quantile` of their absolute values, so a few extreme pixels do not
    wash out the rest.
    """
    signed = _check_panels(images, titles, signed, clip_quantile)
    magnitudes = torch.cat(
        [
            image.detach().abs().flatten()
            for image, s in zip(images, signed, strict=True)
            if s
        ]
        or [torch.ones(1)]
    )
    limit = float(magnitudes.float().quantile(clip_quantile)) or 1.0
    fig, axes = plt.subplots(
        1, len(images), figsize=(3.4 * len(images), 3.9), layout="constrained"
    )
    axes = np.atleast_1d(axes)
    shown = None
    for ax, image, title, is_signed in zip(axes, images, titles, signed, strict=True):
        if is_signed:
            shown = ax.imshow(as_numpy(image), cmap=DIVERGING, vmin=-limit, vmax=limit)
        else:
            ax.imshow(as_numpy(image), cmap="gray")
        frame(ax)
        ax.set_title(title, fontsize=10)
    if shown is not None:
        bar = fig.colorbar(shown, ax=axes, shrink=0.8)
        bar.set_label("response (purple < 0 < orange)")
    return fig


def map_grid(
    rows: Sequence[Sequence[tuple[str, torch.Tensor]]],
    *,
    signed: Sequence[bool] | None = None,
    size: float = 2.4,
) -> Figure:
    """Rows of titled 2-D maps; column j is signed (purple-white-orange) if signed[j].

    Maps in one signed column share one symmetric colour scale, so equal values
    look equal across rows; unsigned columns are grayscale images in [0, 1].
    """
    if not rows or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("rows must be a non-empty list of equally long rows")
    num_cols = len(rows[0])
    signed = [False] * num_cols if signed is None else list(signed)
    if len(signed) != num_cols:
        raise ValueError(f"signed needs {num_cols} entries, got {len(signed)}")
    fig, axes = plt.subplots(
        len(rows),
        num_cols,
        figsize=(size * num_cols, size * len(rows) + 0.3),
        squeeze=False,
        layout="constrained",
    )
    for j in range(num_cols):
        column = [row[j][1].detach().float().cpu() for row in rows]
        limit = max(float(m.abs().max()) for m in column) or 1.0
        for i, image in enumerate(column):
            ax = axes[i, j]
            if signed[j]:
                ax.imshow(image.numpy(), cmap=DIVERGING, vmin=-limit, vmax=limit)
            else:
                ax.imshow(image.numpy(), cmap="gray", vmin=0, vmax=1)
            ax.set_title(rows[i][j][0], fontsize=9)
            frame(ax, box=False)
    return fig


def band_figure(
    errors: Mapping[str, Mapping[int, torch.Tensor]], *, threshold: float = 1e-6
) -> Figure:
    """Equivariance error per position, one strip per shift, one panel per direction.

    `errors[direction][shift]` is a 1-D tensor of errors along that direction;
    cells above `threshold` are coloured, exact agreement is white.
    """
    if not errors:
        raise ValueError("errors is empty: give at least one direction")
    fig, axes = plt.subplots(
        1, len(errors), figsize=(5.2 * len(errors), 3.2), layout="constrained"
    )
    axes = np.atleast_1d(axes)
    largest = max(
        float(e.max()) for by_shift in errors.values() for e in by_shift.values()
    )
    for ax, (direction, by_shift) in zip(axes, errors.items(), strict=True):
        shifts = list(by_shift)
        strips = torch.stack([by_shift[s] for s in shifts]).numpy()
        masked = np.ma.masked_less_equal(strips, threshold)
        image = ax.imshow(masked, cmap="Oranges", vmin=0, vmax=largest, aspect="auto")
        ax.set_yticks(range(len(shifts)), [f"{s:+d}" for s in shifts])
        position = "column" if direction == "horizontal" else "row"
        ax.set_xlabel(f"{position} of the feature map")
        ax.set_ylabel(f"{direction} shift (pixels)")
        ax.set_xticks(range(strips.shape[1]))
        ax.tick_params(axis="x", labelsize=7)
        for spine in ax.spines.values():
            spine.set_visible(True)
        ax.set_title(f"{direction} shifts: error per {position}")
    fig.colorbar(image, ax=axes, label="max |f(T(x)) − T(f(x))|", shrink=0.9)
    return fig
