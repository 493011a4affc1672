"""Every figure function returns one Figure with the right pieces and checks inputs."""

from __future__ import annotations

import importlib

import matplotlib as mpl
import pytest
import torch
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from torch import nn

import book.plots
from book.plots import (
    kernel_preview_figure,
    parameter_scaling_figure,
    shift_accuracy_figure,
    weight_change_figure,
    wiring_figure,
)
from book.training import ShiftExperiment

pytestmark = pytest.mark.usefixtures("close_figures")


def test_importing_plots_changes_no_rcparams() -> None:
    before = dict(mpl.rcParams)
    importlib.reload(book.plots)
    assert dict(mpl.rcParams) == before


# --- wiring_figure --------------------------------------------------------------


@pytest.mark.parametrize(
    ("in_features", "out_features", "kernel_size"), [(7, 5, 3), (6, 4, 2), (9, 3, 5)]
)
def test_wiring_draws_every_fc_line_and_kernel_size_colours(
    in_features: int, out_features: int, kernel_size: int
) -> None:
    torch.manual_seed(0)
    fc = nn.Linear(in_features, out_features)
    conv = nn.Conv1d(1, 1, kernel_size)
    fig = wiring_figure(fc, conv)
    assert isinstance(fig, Figure)
    ax_fc, ax_conv = fig.axes[:2]
    assert len(ax_fc.lines) == in_features * out_features
    # FC colours follow the weight values, so there are many more than the conv's.
    assert len({to_hex(line.get_color()) for line in ax_fc.lines}) > kernel_size
    num_outputs = in_features - kernel_size + 1
    assert len(ax_conv.lines) == num_outputs * kernel_size
    conv_colours = {to_hex(line.get_color()) for line in ax_conv.lines}
    assert len(conv_colours) == kernel_size
    # Each conv output uses the kernel's colours in the same order.
    colours = [to_hex(line.get_color()) for line in ax_conv.lines]
    first = colours[:kernel_size]
    assert colours == first * num_outputs


def test_wiring_line_width_follows_the_weight_size() -> None:
    fc = nn.Linear(3, 1)
    conv = nn.Conv1d(1, 1, 3)
    with torch.no_grad():
        fc.weight.copy_(torch.tensor([[0.1, -0.5, 0.0]]))
        conv.weight.copy_(torch.tensor([[[0.2, 0.5, -0.1]]]))
    ax_fc, ax_conv = wiring_figure(fc, conv).axes[:2]
    widths = [line.get_linewidth() for line in ax_fc.lines]
    assert widths[1] > widths[0] > widths[2]
    assert max(line.get_linewidth() for line in ax_conv.lines) == pytest.approx(
        max(widths)
    )


@pytest.mark.parametrize(
    ("conv", "message"),
    [
        (nn.Conv1d(1, 1, 3, stride=2), "stride 1"),
        (nn.Conv1d(2, 1, 3), "nn.Conv1d\\(1, 1, k\\)"),
        (nn.Conv1d(1, 1, 3, padding=1), "no padding"),
        (nn.Conv1d(1, 1, 7), "kernel_size 7 needs more than the 6 colours"),
    ],
)
def test_wiring_rejects_unsupported_convolutions(conv: nn.Conv1d, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wiring_figure(nn.Linear(8, 5), conv)


def test_wiring_rejects_too_few_inputs_and_wrong_types() -> None:
    with pytest.raises(
        ValueError, match="in_features 2 is smaller than the conv kernel 3"
    ):
        wiring_figure(nn.Linear(2, 5), nn.Conv1d(1, 1, 3))
    with pytest.raises(TypeError, match="linear must be an nn.Linear, got Conv1d"):
        wiring_figure(nn.Conv1d(1, 1, 3), nn.Conv1d(1, 1, 3))
    with pytest.raises(TypeError, match="conv must be an nn.Conv1d, got Linear"):
        wiring_figure(nn.Linear(7, 5), nn.Linear(7, 5))


# --- parameter_scaling_figure -------------------------------------------------------


def test_scaling_figure_draws_two_lines_on_log_axes() -> None:
    sides = [16, 32, 64]
    fig = parameter_scaling_figure(
        sides, [100, 400, 1600], [10, 10, 10], fc_label="fc", conv_label="conv"
    )
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert len(ax.child_axes) == 1  # the float32 memory axis on the right
    assert len(ax.lines) == 2
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fc", "conv"]


def test_scaling_figure_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="got 3, 2 and 3"):
        parameter_scaling_figure(
            [1, 2, 4], [1, 4], [1, 1, 1], fc_label="", conv_label=""
        )
    with pytest.raises(ValueError, match="positive"):
        parameter_scaling_figure([1, 2], [0, 4], [1, 1], fc_label="", conv_label="")


# --- shift_accuracy_figure ---------------------------------------------------------


def fake_result(
    directions: tuple[str, ...] = ("horizontal", "vertical"),
) -> ShiftExperiment:
    shifts = (-2, -1, 0, 1, 2)
    rows = [[0.1, 0.5, 0.95, 0.5, 0.1], [0.2, 0.4, 0.97, 0.45, 0.15]]
    return ShiftExperiment(
        canvas_size=12,
        image_size=(8, 8),
        position=(2, 2),
        shifts=shifts,
        seeds=(0, 1),
        accuracy={direction: rows for direction in directions},
        losses=[[1.0], [1.0]],
        models=[],
        initial_states=[],
    )


@pytest.mark.parametrize("directions", [("horizontal",), ("horizontal", "vertical")])
def test_shift_figure_has_a_thumbnail_per_shift_and_one_plot(
    directions: tuple[str, ...],
) -> None:
    result = fake_result(directions)
    fig = shift_accuracy_figure(result, torch.rand(8, 8))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == len(result.shifts) + 1
    thumbnails, plot = fig.axes[:-1], fig.axes[-1]
    assert all(len(ax.images) == 1 for ax in thumbnails)
    # Per direction: one marker line per seed and the mean; plus the chance line.
    assert len(plot.lines) == len(directions) * (len(result.seeds) + 1) + 1
    assert len(plot.collections) == len(directions)  # the seed-range bands
    assert plot.get_ylim()[0] == 0


def test_shift_figure_rejects_an_example_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match=r"image size \(8, 8\), got \(7, 8\)"):
        shift_accuracy_figure(fake_result(), torch.rand(7, 8))


# --- weight_change_figure ----------------------------------------------------------


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


# --- kernel_preview_figure ---------------------------------------------------------


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
