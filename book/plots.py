"""The book's figures: each function draws one figure from real weights or data.

Every function returns the matplotlib Figure it made with `plt.subplots`, so a
notebook cell shows it exactly once. Nothing here changes rcParams: the house
style comes from `book.notebook.setup_notebook()`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from torch import nn

from book.data import place_on_canvas
from book.layers import ConvArithmetic
from book.training import ShiftExperiment, shifted_position

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
# Signed quantities (weights, weight changes, edge responses): purple < 0 < orange,
# white at zero; ColorBrewer's PuOr is safe for colour-blind readers.
DIVERGING = "PuOr_r"


def _as_numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()


def _draw_nodes(ax: plt.Axes, xs: Sequence[float], y: float, name: str) -> None:
    """White circles labelled with subscripted names, e.g. $x_1$ ... $x_7$."""
    ax.scatter(xs, [y] * len(xs), s=520, c="white", edgecolors="black", zorder=3)
    for i, x in enumerate(xs, start=1):
        ax.text(x, y, f"${name}_{{{i}}}$", ha="center", va="center", zorder=4)


def wiring_figure(linear: nn.Linear, conv: nn.Conv1d) -> Figure:
    """An FC layer and a 1-D conv layer side by side, each line drawn from its weight.

    Line width grows with |weight| (one scale for both panels). FC lines are
    coloured by value; conv lines by kernel index, so a shared weight keeps
    its colour wherever it is used. Biases are not drawn.
    """
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
    num_in = linear.in_features
    if num_in < size:
        raise ValueError(
            f"linear.in_features {num_in} is smaller than the conv kernel {size}, "
            "so the conv layer would have no output"
        )
    fc_weight = _as_numpy(linear.weight)
    kernel = _as_numpy(conv.weight)[0, 0]
    largest = max(np.abs(fc_weight).max(), np.abs(kernel).max())

    def width(w: float) -> float:
        return 0.5 + 3.0 * abs(w) / largest

    fig, (ax_fc, ax_conv) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
    x_in = np.arange(num_in, dtype=float)
    centre = (num_in - 1) / 2

    # FC: every output reads every input through its own weight.
    x_fc = centre + np.arange(linear.out_features) - (linear.out_features - 1) / 2
    norm = Normalize(-np.abs(fc_weight).max(), np.abs(fc_weight).max())
    cmap = plt.get_cmap("viridis")
    for out, x_out in enumerate(x_fc):
        for i, x in enumerate(x_in):
            w = fc_weight[out, i]
            ax_fc.plot([x, x_out], [0, 1], color=cmap(norm(w)), lw=width(w), zorder=1)
    _draw_nodes(ax_fc, x_in, 0, "x")
    _draw_nodes(ax_fc, x_fc, 1, "y")
    ax_fc.set_title(
        f"Fully connected, nn.Linear({num_in}, {linear.out_features})\n"
        f"{fc_weight.size} connections, each with its own weight"
    )
    bar = fig.colorbar(
        plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax_fc, shrink=0.75
    )
    bar.set_label("weight value")

    # Conv: output j reads inputs j .. j+size-1 through the same `size` weights.
    num_out = num_in - size + 1
    x_conv = np.arange(num_out) + (size - 1) / 2
    for out, x_out in enumerate(x_conv):
        for k in range(size):
            ax_conv.plot(
                [x_in[out + k], x_out],
                [0, 1],
                color=KERNEL_COLOURS[k],
                lw=width(kernel[k]),
                zorder=1,
            )
    _draw_nodes(ax_conv, x_in, 0, "x")
    _draw_nodes(ax_conv, x_conv, 1, "y")
    ax_conv.set_title(
        f"Convolution, nn.Conv1d(1, 1, {size})\n"
        f"{num_out * size} connections sharing {size} weights"
    )
    handles = [
        Line2D([], [], color=KERNEL_COLOURS[k], lw=width(kernel[k]))
        for k in range(size)
    ]
    labels = [f"$w_{{{k + 1}}}$ = {kernel[k]:+.2f}" for k in range(size)]
    ax_conv.legend(
        handles,
        labels,
        title="the kernel",
        loc="center left",
        bbox_to_anchor=(0.98, 0.5),
    )

    for ax in (ax_fc, ax_conv):
        ax.set_xlim(-0.6, num_in - 0.4)
        ax.set_ylim(-0.25, 1.25)
        ax.set_axis_off()
        ax.text(-0.55, 0, "inputs", ha="right", va="center", fontsize=9)
        ax.text(-0.55, 1, "outputs", ha="right", va="center", fontsize=9)
    return fig


def parameter_scaling_figure(
    sides: Sequence[int],
    fc_counts: Sequence[int],
    conv_counts: Sequence[int],
    *,
    fc_label: str,
    conv_label: str,
) -> Figure:
    """Parameter count against image side length (log-log), FC layer versus conv layer.

    A right-hand axis converts counts to float32 memory in decimal megabytes.
    """
    if not len(sides) == len(fc_counts) == len(conv_counts) >= 2:
        raise ValueError(
            "sides, fc_counts and conv_counts need the same length (at least 2), "
            f"got {len(sides)}, {len(fc_counts)} and {len(conv_counts)}"
        )
    if min(sides) < 1 or min(fc_counts) < 1 or min(conv_counts) < 1:
        raise ValueError("sides and counts must be positive for a log-log plot")
    fig, ax = plt.subplots(figsize=(7.5, 4.6), layout="constrained")
    ax.loglog(sides, fc_counts, "o-", color=BLUE, label=fc_label, base=2)
    ax.loglog(sides, conv_counts, "s-", color=ORANGE, label=conv_label, base=2)
    ax.set_yscale("log", base=10)
    ax.set_xticks(list(sides), [str(s) for s in sides])
    ax.minorticks_off()
    ax.set_xlabel("image side length S (input is S × S × 3)")
    ax.set_ylabel("parameters")
    ax.grid(True, which="major", color="0.9")
    ax.set_title("FC parameters grow with the image area; conv parameters do not")
    ax.annotate(
        f"{fc_counts[-1]:,}",
        (sides[-1], fc_counts[-1]),
        xytext=(-8, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        color=BLUE,
    )
    ax.annotate(
        f"{conv_counts[-1]:,} at every size",
        (sides[-1], conv_counts[-1]),
        xytext=(0, 9),
        textcoords="offset points",
        ha="right",
        color=ORANGE,
    )
    middle = len(sides) // 2
    ax.annotate(
        "× 4 each time S doubles",
        (sides[middle], fc_counts[middle]),
        xytext=(10, -14),
        textcoords="offset points",
        color=BLUE,
    )
    ax.set_ylim(min(conv_counts) / 4, max(fc_counts) * 8)
    memory = ax.secondary_yaxis(
        "right", functions=(lambda n: n * 4 / 1e6, lambda mb: mb * 1e6 / 4)
    )
    memory.set_ylabel("float32 memory (MB)")
    ax.legend(loc="upper left")
    return fig


def _outline(ax: plt.Axes, corner: tuple[int, int], size: tuple[int, int]) -> None:
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


def _frame(ax: plt.Axes) -> None:
    """No ticks, and a thin box on all four sides (the house style hides two)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("0.6")


def shift_accuracy_figure(
    result: ShiftExperiment, example: torch.Tensor, *, chance: float = 0.1
) -> Figure:
    """Test accuracy against shift (mean, seed range, single seeds) under thumbnails.

    The thumbnails show `example` at each horizontal shift, with the training
    window outlined.
    """
    if tuple(example.shape) != result.image_size:
        raise ValueError(
            f"example must have the experiment's image size {result.image_size}, "
            f"got {tuple(example.shape)}"
        )
    shifts = list(result.shifts)
    count = len(shifts)
    fig, axes = plt.subplots(
        2,
        count,
        figsize=(max(7.5, 0.85 * count), 5.6),
        gridspec_kw={"height_ratios": [1, 3.6]},
        layout="constrained",
    )
    axes = np.atleast_2d(axes.reshape(2, count))
    for ax, shift in zip(axes[0], shifts, strict=True):
        moved = shifted_position(result.position, shift, "horizontal")
        canvas = place_on_canvas(example[None], result.canvas_size, moved)[0]
        ax.imshow(_as_numpy(canvas), cmap="gray_r", vmin=0, vmax=1)
        _outline(ax, result.position, result.image_size)
        _frame(ax)
        ax.set_title("0 (train)" if shift == 0 else f"{shift:+d}", fontsize=9)
    # One wide axis for the curves, in place of the bottom row.
    grid = axes[1, 0].get_gridspec()
    for ax in axes[1]:
        ax.remove()
    ax = fig.add_subplot(grid[1, :])
    colours = {"horizontal": BLUE, "vertical": VERMILION}
    for direction, rows in result.accuracy.items():
        values = np.array(rows)
        colour = colours.get(direction, GREEN)
        for row in values:
            ax.plot(shifts, row, "o", color=colour, ms=3, alpha=0.45)
        ax.fill_between(
            shifts, values.min(0), values.max(0), color=colour, alpha=0.18, lw=0
        )
        ax.plot(
            shifts,
            values.mean(0),
            "-",
            color=colour,
            lw=2,
            label=f"{direction} shift (mean and range of {len(values)} seeds)",
        )
    ax.axhline(chance, color="0.35", ls=":", lw=1.5)
    middle = (shifts[0] + shifts[-1]) / 2
    ax.text(middle, chance + 0.012, f"chance ({chance:.0%})", ha="center", color="0.35")
    ax.set_xlim(shifts[0] - 0.5, shifts[-1] + 0.5)
    ax.set_ylim(0, 1.04)
    ax.set_xticks(shifts)
    ax.set_xlabel("shift of the test digits from the training position (pixels)")
    ax.set_ylabel("test accuracy")
    ax.legend(loc="upper right", fontsize=9)
    ax.grid(True, axis="y", color="0.92")
    fig.suptitle(
        "An FC classifier trained on centred digits, tested on moved digits",
        fontsize=12,
    )
    return fig


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
    values = _as_numpy(changes)
    for index, ax in enumerate(axes.flat):
        if index >= count:
            ax.set_axis_off()
            continue
        image = ax.imshow(values[index], cmap=DIVERGING, vmin=-limit, vmax=limit)
        _outline(ax, window[:2], window[2:])
        _frame(ax)
        ax.set_title(titles[index] if titles else f"hidden unit {index}", fontsize=9)
    bar = fig.colorbar(image, ax=axes, shrink=0.9)
    bar.set_label("change in weight\n(after training − at initialisation)")
    return fig


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
    height, width = photo.shape
    k_h, k_w = kernel.shape
    fig, axes = plt.subplots(
        1,
        4,
        figsize=(13, 4.9),
        gridspec_kw={"width_ratios": [0.55, 1, 1, 1]},
        layout="constrained",
    )
    ax_kernel, ax_photo, ax_map, ax_fc = axes
    largest = float(kernel.abs().max()) or 1.0
    kernel_np = _as_numpy(kernel)

    ax_kernel.imshow(kernel_np, cmap=DIVERGING, vmin=-largest, vmax=largest)
    for (r, c), value in np.ndenumerate(kernel_np):
        # Dark text on pale cells, white text on saturated ones.
        colour = "white" if abs(value) > 0.6 * largest else "black"
        ax_kernel.text(
            c, r, f"{value:g}", ha="center", va="center", fontsize=13, color=colour
        )
    _frame(ax_kernel)
    ax_kernel.set_title(f"the kernel:\n{kernel.numel()} weights")

    ax_photo.imshow(_as_numpy(photo), cmap="gray", vmin=0, vmax=1)
    glyph = 0.09 * width  # enlarged: a 3-pixel kernel would be invisible
    for row, col in stamp_at:
        extent = (col, col + glyph, row + glyph, row)
        ax_photo.imshow(
            kernel_np, cmap=DIVERGING, vmin=-largest, vmax=largest, extent=extent
        )
        ax_photo.add_patch(
            Rectangle((col, row), glyph, glyph, fill=False, edgecolor="white", lw=2)
        )
    ax_photo.set_xlim(-0.5, width - 0.5)
    ax_photo.set_ylim(height - 0.5, -0.5)
    ax_photo.set_title("the same kernel applied everywhere\n(a few places, enlarged)")

    out_h, out_w = feature_map.shape
    # Clip the strongest 2% so that the many moderate edges stay visible.
    limit = float(feature_map.abs().flatten().quantile(0.98)) or 1.0
    ax_map.imshow(_as_numpy(feature_map), cmap=DIVERGING, vmin=-limit, vmax=limit)
    ax_map.set_title(
        f"its output, a {map_name}:\n{kernel.numel()} weights reused at "
        f"{out_h * out_w:,} places"
    )

    fc_limit = float(fc_weights.abs().max()) or 1.0
    # Five colour levels read as the same noise but keep the PNG small: random
    # values in a continuous colormap do not compress.
    coarse = plt.get_cmap(DIVERGING, 5)
    ax_fc.imshow(_as_numpy(fc_weights), cmap=coarse, vmin=-fc_limit, vmax=fc_limit)
    ax_fc.set_title(
        f"one FC hidden unit's weights\n{fc_weights.numel():,} weights, one per pixel"
    )
    # A zoom into one corner, so that single weights are visible as squares.
    zoom = ax_fc.inset_axes((0.5, 0.5, 0.46, 0.46 * width / height))
    corner = _as_numpy(fc_weights[:16, :16])
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
    ax_fc.indicate_inset_zoom(zoom, edgecolor="black", alpha=1)
    for ax in (ax_photo, ax_map, ax_fc, zoom):
        _frame(ax)
    for spine in zoom.spines.values():
        spine.set_color("white")
        spine.set_linewidth(2)
    return fig


def draw_conv_arithmetic(ax: plt.Axes, arithmetic: ConvArithmetic) -> None:
    """One axis of a convolution: padded input cells, each window, the output cells.

    Zero padding is hatched, every window is a bar over the cells it reads, and
    padded cells that no window reaches (an invalid setting) are vermilion.
    """
    size, pad, k = arithmetic.input_size, arithmetic.padding, arithmetic.kernel_size
    padded = size + 2 * pad
    starts = arithmetic.starts
    unreached = range(padded - arithmetic.leftover, padded) if starts else range(0)
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
        ax.text(centre, out_y + 0.5, str(index), ha="center", va="center", fontsize=7)
    ax.set_xlim(-0.5, max(padded, k) + 0.5)
    ax.set_ylim(out_y - 0.3, 1.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if arithmetic.valid:
        verdict = f"output {arithmetic.output_size} × {arithmetic.output_size}"
    elif starts:
        verdict = f"invalid; PyTorch floors to {arithmetic.floored_size}"
    else:
        verdict = "invalid: kernel larger than input"
    ax.set_title(
        f"W={size}, F={k}, S={arithmetic.stride}, P={pad}\n"
        f"{arithmetic.formula}\n{verdict}",
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
    rows = math.ceil(len(settings) / columns)
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(3.9 * columns, 3.0 * rows),
        squeeze=False,
        layout="constrained",
    )
    for index, ax in enumerate(axes.flat):
        if index < len(settings):
            draw_conv_arithmetic(ax, settings[index])
        else:
            ax.set_axis_off()
    return fig


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
            shown = ax.imshow(_as_numpy(image), cmap=DIVERGING, vmin=-limit, vmax=limit)
        else:
            ax.imshow(_as_numpy(image), cmap="gray")
        _frame(ax)
        ax.set_title(title, fontsize=10)
    if shown is not None:
        bar = fig.colorbar(shown, ax=axes, shrink=0.8)
        bar.set_label("response (purple < 0 < orange)")
    return fig


def correlation_figure(
    distances: Sequence[int], curves: dict[str, Sequence[float]]
) -> Figure:
    """Correlation between two pixels against their distance, one line per dataset."""
    if not curves:
        raise ValueError("curves is empty: give at least one name -> correlations")
    for name, values in curves.items():
        if len(values) != len(distances):
            raise ValueError(
                f"curve {name!r} has {len(values)} values for {len(distances)} "
                "distances"
            )
    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    markers = "osD^v"
    for index, (name, values) in enumerate(curves.items()):
        ax.plot(
            distances,
            values,
            marker=markers[index % len(markers)],
            color=KERNEL_COLOURS[index % len(KERNEL_COLOURS)],
            label=name,
        )
    ax.axhline(0, color="0.5", lw=1)
    ax.set_xlabel("distance between the two pixels (pixels, same row)")
    ax.set_ylabel("correlation of their intensities")
    ax.set_ylim(min(-0.1, min(min(v) for v in curves.values()) - 0.05), 1.02)
    ax.grid(True, color="0.92")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def models_under_shift_figure(
    results: dict[str, ShiftExperiment], *, chance: float = 0.1
) -> Figure:
    """Test accuracy against horizontal shift for several models: mean, seed range."""
    if not results:
        raise ValueError("results is empty: give at least one name -> experiment")
    fig, ax = plt.subplots(figsize=(8.5, 5), layout="constrained")
    markers = "os^Dv"
    for name, result in results.items():
        if "horizontal" not in result.accuracy:
            raise ValueError(f"experiment {name!r} did not measure horizontal shifts")
    for index, (name, result) in enumerate(results.items()):
        values = np.array(result.accuracy["horizontal"])
        colour = KERNEL_COLOURS[index % len(KERNEL_COLOURS)]
        shifts = list(result.shifts)
        ax.fill_between(
            shifts, values.min(0), values.max(0), color=colour, alpha=0.2, lw=0
        )
        ax.plot(
            shifts,
            values.mean(0),
            marker=markers[index % len(markers)],
            color=colour,
            lw=2,
            label=name,
        )
    ax.axhline(chance, color="0.35", ls=":", lw=1.5)
    ax.text(0, chance + 0.015, f"chance ({chance:.0%})", ha="center", color="0.35")
    ax.set_ylim(0, 1.04)
    ax.set_xlabel("horizontal shift of the test digits from the training position")
    ax.set_ylabel("test accuracy (mean, band: range over seeds)")
    ax.grid(True, axis="y", color="0.92")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, fontsize=9)
    return fig
