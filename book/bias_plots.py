"""Figures of Sections 4 and 5: equivariance, invariance and inductive bias.

Each function returns the Figure it made; colours come from `book.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.experiments import SampleEfficiency
from book.plots import BLUE, DIVERGING, GREEN, ORANGE, VERMILION
from book.symmetry import ShiftComparison

MODEL_COLOURS = {"FC": BLUE, "locally connected": GREEN, "CNN": ORANGE}


def _bare(ax: plt.Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


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
            _bare(ax)
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


def sample_efficiency_figure(
    results: Mapping[str, SampleEfficiency], *, chance: float = 0.1
) -> Figure:
    """Test accuracy against training-set size, one panel per condition.

    Lines are means over seeds, bands span the seeds, dots are single seeds.
    """
    if not results:
        raise ValueError("results is empty: give at least one condition")
    fig, axes = plt.subplots(
        1,
        len(results),
        figsize=(5.4 * len(results), 4.2),
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for ax, (condition, result) in zip(axes[0], results.items(), strict=True):
        for model, rows in result.accuracy.items():
            colour = MODEL_COLOURS.get(model, VERMILION)
            low = [min(r) for r in rows]
            high = [max(r) for r in rows]
            ax.fill_between(result.sizes, low, high, color=colour, alpha=0.2, lw=0)
            ax.plot(result.sizes, result.mean(model), "o-", color=colour, label=model)
            for size, row in zip(result.sizes, rows, strict=True):
                ax.scatter([size] * len(row), row, s=8, color=colour, alpha=0.6)
        ax.axhline(chance, color="0.6", ls=":", lw=1)
        ax.set_xscale("log")
        ax.set_xticks(list(result.sizes), [str(s) for s in result.sizes])
        ax.minorticks_off()
        ax.set_xlabel("training images N")
        ax.set_title(condition)
        ax.grid(True, color="0.92")
    axes[0, 0].set_ylabel("test accuracy")
    axes[0, 0].legend(loc="lower right")
    return fig
