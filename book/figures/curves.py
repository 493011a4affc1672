"""Curves: a measured quantity against a setting (size, shift, distance, N)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from book.data import place_on_canvas
from book.experiments.sample_efficiency import SampleEfficiency
from book.experiments.shift import ShiftExperiment, shifted_position
from book.figures.style import (
    BLUE,
    GREEN,
    KERNEL_COLOURS,
    MODEL_COLOURS,
    ORANGE,
    VERMILION,
    as_numpy,
    frame,
    outline,
    panel_grid,
    panel_row,
)


def _annotate_scaling(
    ax: plt.Axes,
    sides: Sequence[int],
    fc_counts: Sequence[int],
    conv_counts: Sequence[int],
) -> None:
    """Label the last count of each line and the FC line's growth rate."""
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
    _annotate_scaling(ax, sides, fc_counts, conv_counts)
    ax.set_ylim(min(conv_counts) / 4, max(fc_counts) * 8)
    memory = ax.secondary_yaxis(
        "right", functions=(lambda n: n * 4 / 1e6, lambda mb: mb * 1e6 / 4)
    )
    memory.set_ylabel("float32 memory (MB)")
    ax.legend(loc="upper left")
    return fig


def _draw_shift_thumbnails(
    axes: Sequence[plt.Axes], result: ShiftExperiment, example: torch.Tensor
) -> None:
    """`example` at each horizontal shift, the training window outlined."""
    for ax, shift in zip(axes, result.shifts, strict=True):
        moved = shifted_position(result.position, shift, "horizontal")
        canvas = place_on_canvas(example[None], result.canvas_size, moved)[0]
        ax.imshow(as_numpy(canvas), cmap="gray_r", vmin=0, vmax=1)
        outline(ax, result.position, result.image_size)
        frame(ax)
        ax.set_title("0 (train)" if shift == 0 else f"{shift:+d}", fontsize=9)


def _draw_seed_curves(ax: plt.Axes, result: ShiftExperiment, chance: float) -> None:
    """Per direction: every seed as dots, their range as a band, the mean as a line."""
    shifts = list(result.shifts)
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
    count = len(result.shifts)
    fig, axes = plt.subplots(
        2,
        count,
        figsize=(max(7.5, 0.85 * count), 5.6),
        gridspec_kw={"height_ratios": [1, 3.6]},
        layout="constrained",
    )
    axes = np.atleast_2d(axes.reshape(2, count))
    _draw_shift_thumbnails(axes[0], result, example)
    # One wide axis for the curves, in place of the bottom row.
    grid = axes[1, 0].get_gridspec()
    for ax in axes[1]:
        ax.remove()
    _draw_seed_curves(fig.add_subplot(grid[1, :]), result, chance)
    fig.suptitle(
        "An FC classifier trained on centred digits, tested on moved digits",
        fontsize=12,
    )
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
    ax.set_xticks(sorted({s for r in results.values() for s in r.shifts}))
    ax.set_xlabel("horizontal shift of the test digits from the training position")
    ax.set_ylabel("test accuracy (mean, band: range over seeds)")
    ax.grid(True, axis="y", color="0.92")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, fontsize=9)
    return fig


def convergence_figure(result: SampleEfficiency, sizes: Sequence[int]) -> Figure:
    """Training loss against step for each trained model family, at a few sizes.

    One panel per family, three to a row; one line per seed and size (solid:
    the largest size, dashed: the smallest), each ending where the stopping
    rule ended that run.
    """
    names = list(result.trainings)
    if not names:
        raise ValueError("the result holds no trained models to show")
    columns = min(3, len(names))
    fig, axes = panel_grid(len(names), 3.1, 2.6, columns=columns, sharey=True)
    for ax, name in zip(axes, names, strict=True):
        training = result.trainings[name]
        steps = training.check_steps
        colour = MODEL_COLOURS.get(name, VERMILION)
        for size, style in zip(sizes, ("--", "-"), strict=False):
            for seed in result.seeds:
                curve = training.train_loss[:, result.run(seed, size)]
                ax.plot(steps, as_numpy(curve), style, color=colour, lw=1, alpha=0.8)
            ax.plot([], [], style, color=colour, label=f"N = {size}")
        ax.set_yscale("log")
        # Decades only: minor ticks on five log axes took the layout a second.
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("training step")
        ax.grid(True, color="0.92")
        ax.legend(fontsize=8)
    for ax in axes[::columns]:
        ax.set_ylabel("training loss\n(mean since last check)")
    return fig


def sample_efficiency_figure(
    results: Mapping[str, SampleEfficiency], *, chance: float = 0.1
) -> Figure:
    """Test accuracy against training-set size, one panel per condition.

    Lines are means over seeds, bands span the seeds; a model that is not
    trained (the nearest-neighbour baseline) is dashed.
    """
    if not results:
        raise ValueError("results is empty: give at least one condition")
    fig, axes = panel_row(len(results), 5.4, 4.2, sharey=True)
    for ax, (condition, result) in zip(axes, results.items(), strict=True):
        for model in result.accuracy:
            colour = MODEL_COLOURS.get(model, VERMILION)
            # Columns: one training-set size each, one value per seed.
            columns = [result.at(size, model) for size in result.sizes]
            low = [min(c) for c in columns]
            high = [max(c) for c in columns]
            ax.fill_between(result.sizes, low, high, color=colour, alpha=0.15, lw=0)
            # The baseline without training is dashed, the trained models solid.
            style = "s--" if model not in result.trainings else "o-"
            ax.plot(result.sizes, result.mean(model), style, color=colour, label=model)
        ax.axhline(chance, color="0.6", ls=":", lw=1)
        ax.set_xscale("log")
        ax.set_xticks(list(result.sizes), [str(s) for s in result.sizes])
        ax.minorticks_off()
        ax.set_xlabel("training images N")
        ax.set_title(condition)
        ax.grid(True, color="0.92")
    axes[0].set_ylabel("test accuracy")
    axes[0].legend(loc="upper left", fontsize=8)
    return fig


def training_curves_figure(
    results: Mapping[str, ShiftExperiment], *, level: float | None = None
) -> Figure:
    """Validation accuracy against training images seen: one thin line per seed.

    Each line ends where its model's stopping rule stopped it; a dot marks the
    check whose weights it kept. `level` draws a dashed line at that accuracy.
    """
    if not results:
        raise ValueError("results is empty: give at least one name -> experiment")
    if any(result.training is None for result in results.values()):
        raise ValueError("every experiment must be trained (its training is None)")
    fig, ax = plt.subplots(figsize=(8.5, 4.6), layout="constrained")
    for index, (name, result) in enumerate(results.items()):
        colour = KERNEL_COLOURS[index % len(KERNEL_COLOURS)]
        seen = np.array(result.training.check_steps) * result.batch_size
        curves = result.training.val_accuracy.numpy()
        for seed_index, best in enumerate(result.images_seen):
            label = name if seed_index == 0 else None
            ax.plot(seen, curves[:, seed_index], color=colour, lw=1, label=label)
            best_value = curves[list(seen).index(best), seed_index]
            ax.plot([best], [best_value], "o", color=colour, ms=4)
    if level is not None:
        ax.axhline(level, color="0.35", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("training images seen (log scale)")
    ax.set_ylabel("validation accuracy")
    ax.grid(True, color="0.92")
    ax.legend(loc="lower right", fontsize=9)
    return fig
