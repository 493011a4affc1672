"""Figures of Sections 4 and 5: they draw what they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

from book.bias_plots import (  # noqa: E402
    band_figure,
    map_grid,
    sample_efficiency_figure,
    shift_comparison_figure,
)
from book.experiments import SampleEfficiency  # noqa: E402
from book.symmetry import shift_comparison  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


def image(seed: int = 0) -> torch.Tensor:
    return torch.rand(12, 12, generator=torch.Generator().manual_seed(seed))


def test_map_grid_shares_one_symmetric_scale_per_signed_column() -> None:
    fig = map_grid(
        [[("a", image()), ("b", -2 * image())], [("c", image(1)), ("d", image(1))]],
        signed=[False, True],
    )
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c", "d"]
    signed_limits = {ax.images[0].get_clim() for ax in (fig.axes[1], fig.axes[3])}
    assert len(signed_limits) == 1
    low, high = signed_limits.pop()
    assert low == -high == pytest.approx(-2 * image().max().item())
    assert fig.axes[0].images[0].get_clim() == (0, 1)


@pytest.mark.parametrize(
    ("rows", "signed", "message"),
    [
        ([], None, "non-empty list of equally long rows"),
        ([[("a", image())], []], None, "equally long rows"),
        ([[("a", image())]], [True, False], "signed needs 1 entries, got 2"),
    ],
)
def test_map_grid_rejects_bad_layouts(rows: list, signed: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        map_grid(rows, signed=signed)


def test_band_figure_leaves_exact_agreement_white() -> None:
    errors = {"horizontal": {1: torch.tensor([0.5, 0.0, 0.0, 0.2])}}
    fig = band_figure(errors)
    data = fig.axes[0].images[0].get_array()
    assert data.mask.tolist() == [[False, True, True, False]]
    with pytest.raises(ValueError, match="errors is empty"):
        band_figure({})


def test_shift_comparison_figure_draws_the_window_per_row() -> None:
    kernel = torch.ones(3, 3)
    rows = [shift_comparison(image(), kernel, s, margin=2) for s in (1, 3)]
    fig = shift_comparison_figure(rows)
    assert len(fig.axes) == 8
    windows = [ax.patches[0] for ax in fig.axes[3::4]]
    assert [w.get_width() for w in windows] == [8, 8]
    assert "horizontal shift +3" in fig.axes[4].get_title()
    assert len(shift_comparison_figure(rows[0]).axes) == 4


def test_sample_efficiency_figure_has_a_panel_per_condition() -> None:
    result = SampleEfficiency(
        sizes=(10, 100),
        seeds=(0, 1),
        accuracy={"FC": [[0.3, 0.4], [0.7, 0.8]], "CNN": [[0.5, 0.5], [0.9, 0.9]]},
    )
    fig = sample_efficiency_figure({"a": result, "b": result})
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["FC", "CNN"]
    with pytest.raises(ValueError, match="results is empty"):
        sample_efficiency_figure({})
