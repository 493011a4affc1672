"""book.figures.panels: maps share their colour scales and the inputs are checked."""

from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure

from book.figures.panels import (
    band_figure,
    image_panels_figure,
    kernel_preview_figure,
    map_grid,
    weight_change_figure,
)

pytestmark = pytest.mark.usefixtures("close_figures")


def test_weight_change_figure_one_panel_per_unit_and_a_colour_bar() -> None:
    changes = torch.randn(6, 16, 16)
    fig = weight_change_figure(changes, (4, 4, 8, 8), columns=4)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 6
    assert len(fig.axes) == 2 * 4 + 1  # 8 grid cells (2 left empty) + colour bar
    assert all(len(ax.patches) == 1 for ax in panels)  # the training window
    limits = {ax.images[0].get_clim() for ax in panels}
    assert len(limits) == 1  # one shared, symmetric scale
    low, high = limits.pop()
    assert low == -high == pytest.approx(-float(changes.abs().max()))


def test_weight_change_figure_uses_given_titles() -> None:
    fig = weight_change_figure(torch.randn(2, 8, 8), (0, 0, 4, 4), titles=["a", "b"])
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["a", "b"]


def test_weight_change_figure_rejects_bad_inputs() -> None:
    with pytest.raises(
        ValueError, match=r"\(units, S, S\), got torch.Size\(\[16, 16\]\)"
    ):
        weight_change_figure(torch.zeros(16, 16), (0, 0, 4, 4))
    with pytest.raises(ValueError, match="got 1 titles for 2 maps"):
        weight_change_figure(torch.zeros(2, 8, 8), (0, 0, 4, 4), titles=["a"])
    with pytest.raises(ValueError, match="columns must be positive, got 0"):
        weight_change_figure(torch.zeros(2, 8, 8), (0, 0, 4, 4), columns=0)


def test_kernel_preview_has_four_panels_a_zoom_and_a_stamp_per_place() -> None:
    photo = torch.rand(60, 50)
    kernel = torch.tensor([[-1.0, 0.0, 1.0]] * 3)
    stamps = [(5, 5), (20, 30), (40, 10)]
    fig = kernel_preview_figure(
        photo, kernel, torch.randn(58, 48), torch.randn(60, 50), stamps
    )
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4  # kernel, photo, feature map, FC weights
    (zoom,) = fig.axes[3].child_axes  # the enlarged corner of the FC weights
    assert zoom.images[0].get_array().shape == (16, 16)
    ax_kernel, ax_photo = fig.axes[:2]
    assert len(ax_kernel.texts) == kernel.numel()  # every weight written out
    assert len(ax_photo.images) == 1 + len(stamps)
    assert "2,784 places" in fig.axes[2].get_title()  # 58 * 48 positions
    assert "3,000 weights" in fig.axes[3].get_title()  # 60 * 50 pixels


def test_kernel_preview_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"photo's shape \(6, 5\), got \(5, 6\)"):
        kernel_preview_figure(
            torch.rand(6, 5), torch.ones(3, 3), torch.rand(4, 3), torch.rand(5, 6), []
        )
    with pytest.raises(ValueError, match="must be 2-D"):
        kernel_preview_figure(
            torch.rand(6, 5),
            torch.ones(1, 3, 3),
            torch.rand(4, 3),
            torch.rand(6, 5),
            [],
        )


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
