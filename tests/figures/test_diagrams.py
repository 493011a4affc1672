"""book.figures.diagrams: the wiring diagram draws every connection from its weight."""

from __future__ import annotations

import pytest
import torch
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from torch import nn

from book.figures.diagrams import wiring_figure

pytestmark = pytest.mark.usefixtures("close_figures")


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
