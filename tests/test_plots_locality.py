"""Figures of chapters 2 and 3: each returns one Figure with the right pieces."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.layers import conv_arithmetic
from book.plots import (
    VERMILION,
    conv_arithmetic_figure,
    correlation_figure,
    draw_conv_arithmetic,
    image_panels_figure,
    models_under_shift_figure,
)
from book.training import ShiftExperiment

pytestmark = pytest.mark.usefixtures("close_figures")


def bars(ax: plt.Axes) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_draw_conv_arithmetic_draws_cells_windows_and_outputs() -> None:
    fig, ax = plt.subplots()
    draw_conv_arithmetic(ax, conv_arithmetic(7, 3, 1, 1))
    # 9 padded input cells + 7 windows + 7 output cells.
    assert len(bars(ax)) == 9 + 7 + 7
    assert "output 7 × 7" in ax.get_title()


def test_draw_conv_arithmetic_marks_unreached_cells() -> None:
    fig, ax = plt.subplots()
    draw_conv_arithmetic(ax, conv_arithmetic(8, 3, 2))
    red = [
        p
        for p in bars(ax)
        if p.get_facecolor()[:3] == plt.matplotlib.colors.to_rgb(VERMILION)
    ]
    assert len(red) == 1
    assert "PyTorch floors to 3" in ax.get_title()


def test_conv_arithmetic_figure_one_panel_per_setting() -> None:
    settings = [conv_arithmetic(7, 3), conv_arithmetic(7, 3, 2), conv_arithmetic(3, 5)]
    fig = conv_arithmetic_figure(settings, columns=2)
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 3 and "kernel larger than input" in titles[2]


@pytest.mark.parametrize("columns", [0, -1])
def test_conv_arithmetic_figure_refuses_bad_columns(columns: int) -> None:
    with pytest.raises(ValueError, match="columns must be positive"):
        conv_arithmetic_figure([conv_arithmetic(7, 3)], columns=columns)


def test_conv_arithmetic_figure_refuses_no_settings() -> None:
    with pytest.raises(ValueError, match="settings is empty"):
        conv_arithmetic_figure([])


def test_image_panels_share_one_signed_scale() -> None:
    a, b = torch.linspace(-1, 1, 100).reshape(10, 10), torch.rand(10, 10)
    fig = image_panels_figure(
        [b, a, 2 * a], ["photo", "one", "two"], signed=[False, True, True]
    )
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert images[1].get_clim() == images[2].get_clim()
    assert images[1].get_clim()[0] == -images[1].get_clim()[1]
    assert images[0].get_cmap().name == "gray"


@pytest.mark.parametrize(
    ("images", "titles", "signed", "pattern"),
    [
        ([torch.zeros(2, 2)], [], None, "one title per image"),
        ([torch.zeros(2, 2)], ["a"], [True, False], "signed flags"),
        ([torch.zeros(2)], ["a"], None, "must be 2-D"),
    ],
)
def test_image_panels_refuse_bad_input(images, titles, signed, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        image_panels_figure(images, titles, signed=signed)


def test_correlation_figure_one_line_per_curve() -> None:
    fig = correlation_figure([0, 1, 2], {"a": [1, 0.5, 0.2], "b": [1, 0, -0.1]})
    assert len(fig.axes[0].get_legend().get_texts()) == 2


def test_correlation_figure_refuses_mismatched_curves() -> None:
    with pytest.raises(ValueError, match="has 2 values for 3 distances"):
        correlation_figure([0, 1, 2], {"a": [1, 0.5]})
    with pytest.raises(ValueError, match="curves is empty"):
        correlation_figure([0], {})


def experiment(
    rows: list[list[float]], direction: str = "horizontal"
) -> ShiftExperiment:
    return ShiftExperiment(
        canvas_size=12,
        image_size=(8, 8),
        position=(2, 2),
        shifts=(-1, 0, 1),
        seeds=tuple(range(len(rows))),
        accuracy={direction: rows},
        losses=[],
        models=[],
        initial_states=[],
    )


def test_shift_comparison_figure_plots_mean_of_each_model() -> None:
    results = {
        "FC": experiment([[0.1, 0.9, 0.2], [0.3, 1.0, 0.2]]),
        "CNN": experiment([[0.9, 0.9, 0.9]]),
    }
    ax = models_under_shift_figure(results).axes[0]
    means = [line.get_ydata().tolist() for line in ax.lines[:2]]
    assert means[0] == pytest.approx([0.2, 0.95, 0.2])
    assert means[1] == pytest.approx([0.9, 0.9, 0.9])


def test_shift_comparison_figure_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="results is empty"):
        models_under_shift_figure({})
    with pytest.raises(ValueError, match="did not measure horizontal"):
        models_under_shift_figure({"x": experiment([[0.5] * 3], "vertical")})
