"""book.figures.volumes: what each figure draws, and the inputs it refuses."""

from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure

from book.figures.volumes import (
    filter_volume_figure,
    learned_filters_figure,
    position_profile_figure,
)

pytestmark = pytest.mark.usefixtures("close_figures")


def test_filter_volume_draws_every_channel_and_the_window_through_the_depth() -> None:
    volume = torch.randint(-2, 3, (3, 5, 5)).float()
    filters = torch.randn(2, 3, 3, 3)
    fig = filter_volume_figure(volume, filters, at=(1, 2))
    assert isinstance(fig, Figure)
    volume_ax, *filter_axes = fig.axes
    assert len(filter_axes) == 2
    assert len(volume_ax.images) == 3  # one per channel
    assert all(len(ax.images) == 3 for ax in filter_axes)
    dashed = [p for p in volume_ax.patches if p.get_linestyle() == "--"]
    assert len(dashed) == 3  # the window, outlined on each channel
    assert (dashed[0].get_width(), dashed[0].get_height()) == (3, 3)
    assert len(volume_ax.texts) == 25  # the front channel's values
    assert volume_ax.texts[0].get_text() == f"{volume[0, 0, 0].item():g}"
    # The front channel hides the windows drawn on the channels behind it.
    front = max(im.get_zorder() for im in volume_ax.images)
    assert dashed[0].get_zorder() > front > dashed[1].get_zorder()
    limits = {im.get_clim() for ax in fig.axes for im in ax.images}
    assert len(limits) == 1  # input and filters share one colour scale


def test_filter_volume_rejects_bad_inputs() -> None:
    volume = torch.zeros(3, 5, 5)
    with pytest.raises(ValueError, match=r"volume must be a tensor \(D, H, W\)"):
        filter_volume_figure(torch.zeros(5, 5), torch.zeros(2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"as deep as the volume's 3 channels"):
        filter_volume_figure(volume, torch.zeros(2, 1, 3, 3))
    with pytest.raises(ValueError, match=r"window at \(3, 0\) of size 3 does not fit"):
        filter_volume_figure(volume, torch.zeros(2, 3, 3, 3), at=(3, 0))


def test_learned_filters_rows_of_four_with_their_own_scales() -> None:
    filters = torch.randn(16, 1, 5, 5)
    templates = 10 * torch.randn(4, 24, 24)
    fig = learned_filters_figure(filters, templates, max_panels=6)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 6 + 4
    # Filters in two rows (four, then two), the templates in a row of their own.
    starts = [
        (ax.get_subplotspec().rowspan.start, ax.get_subplotspec().colspan.start)
        for ax in panels
    ]
    assert starts[3:5] == [(0, 3), (1, 0)] and starts[6] == (2, 0)
    top, bottom = panels[:6], panels[6:]
    assert top[0].images[0].get_array().shape == (5, 5)
    assert bottom[0].images[0].get_array().shape == (24, 24)
    assert top[0].images[0].get_clim()[1] == pytest.approx(
        float(filters[:6].abs().max())
    )
    assert bottom[0].images[0].get_clim()[1] == pytest.approx(
        float(templates.abs().max())
    )
    assert [ax.get_title() for ax in bottom] == [f"FC unit {i}" for i in range(4)]


def test_learned_filters_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="one input channel, got 3"):
        learned_filters_figure(torch.zeros(4, 3, 3, 3), torch.zeros(2, 8, 8))
    with pytest.raises(ValueError, match=r"fc_templates must be a tensor \(U, H, W\)"):
        learned_filters_figure(torch.zeros(4, 1, 3, 3), torch.zeros(2, 64))
    with pytest.raises(ValueError, match="max_panels must be positive, got 0"):
        learned_filters_figure(
            torch.zeros(4, 1, 3, 3), torch.zeros(2, 8, 8), max_panels=0
        )


def test_position_profile_one_panel_per_title_one_line_per_profile() -> None:
    fig = position_profile_figure(
        {
            "photo": {"brightness": [0.9, 0.5, 0.1]},
            "digits": {"rows": [0, 1], "cols": [1, 0]},
        }
    )
    assert [ax.get_title() for ax in fig.axes] == ["photo", "digits"]
    assert [len(ax.lines) for ax in fig.axes] == [1, 2]
    assert list(fig.axes[0].lines[0].get_ydata()) == [0.9, 0.5, 0.1]
    with pytest.raises(ValueError, match="at least one titled panel"):
        position_profile_figure({})
    with pytest.raises(ValueError, match="panel 'x' has no profiles"):
        position_profile_figure({"x": {}})
