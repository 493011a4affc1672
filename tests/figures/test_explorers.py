"""book.figures.explorers: the drawings behind the explorers and their static twins."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.figures.explorers import (
    conv_arithmetic_figure,
    draw_conv_arithmetic,
    shift_comparison_figure,
    window_frames_figure,
)
from book.figures.style import VERMILION
from book.layers import conv_arithmetic, window_frames
from book.symmetry import shift_comparison
from tests.test_layers import EDGE_IMAGE, EDGE_KERNEL

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


def image(seed: int = 0) -> torch.Tensor:
    return torch.rand(12, 12, generator=torch.Generator().manual_seed(seed))


def test_shift_comparison_figure_draws_the_window_per_row() -> None:
    kernel = torch.ones(3, 3)
    rows = [shift_comparison(image(), kernel, s, margin=2) for s in (1, 3)]
    fig = shift_comparison_figure(rows)
    assert len(fig.axes) == 8
    windows = [ax.patches[0] for ax in fig.axes[3::4]]
    assert [w.get_width() for w in windows] == [8, 8]
    assert "horizontal shift +3" in fig.axes[4].get_title()
    assert len(shift_comparison_figure(rows[0]).axes) == 4


def test_window_frames_figure_has_a_panel_per_position_and_the_output() -> None:
    frames = window_frames(EDGE_IMAGE, EDGE_KERNEL)
    fig = window_frames_figure(EDGE_IMAGE, frames)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len(frames) + 1
    first = panels[0]
    outline = [p for p in first.patches if isinstance(p, Rectangle)]
    assert len(outline) == 1 and outline[0].get_xy() == (-0.5, -0.5)
    assert [t.get_text() for t in first.texts] == ["0", "0", "1"] * 3
    assert first.get_title() == "(0, 0): sum = 3"
    assert [t.get_text() for t in panels[-1].texts] == ["3", "3", "0"] * 3


def test_window_frames_figure_refuses_no_frames() -> None:
    with pytest.raises(ValueError, match="frames is empty"):
        window_frames_figure(EDGE_IMAGE, [])
