"""The conv-arithmetic computation the explorer shows, and the explorer's setting.

What the page draws for each setting is checked in Chromium by test_in_browser.py.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from book.explorers import conv_arithmetic_explorer
from book.layers import conv_arithmetic, conv_output_size


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding"),
    [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 1, 1), (32, 4, 4, 0), (1, 1, 1, 0)],
)
def test_valid_settings_match_conv2d(
    size: int, kernel: int, stride: int, padding: int
) -> None:
    result = conv_arithmetic(size, kernel, stride, padding, 3, 4)
    conv = nn.Conv2d(3, 4, kernel, stride=stride, padding=padding)
    out = conv(torch.zeros(1, 3, size, size))
    assert result.valid and result.error is None
    assert (
        result.output_size
        == out.shape[-1]
        == conv_output_size(size, kernel, stride, padding)
    )
    assert result.parameters == sum(p.numel() for p in conv.parameters())
    assert result.leftover == 0
    assert f"= {result.output_size}" in result.formula


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "leftover"),
    [(7, 3, 3, 0, 1), (8, 3, 2, 0, 1), (10, 3, 4, 1, 1), (9, 2, 3, 0, 1)],
)
def test_invalid_settings_are_flagged_and_floored_like_pytorch(
    size: int, kernel: int, stride: int, padding: int, leftover: int
) -> None:
    result = conv_arithmetic(size, kernel, stride, padding)
    out = nn.functional.conv2d(
        torch.zeros(1, 1, size, size),
        torch.zeros(1, 1, kernel, kernel),
        stride=stride,
        padding=padding,
    )
    assert not result.valid and result.output_size is None
    assert result.floored_size == out.shape[-1]
    assert result.leftover == leftover
    assert "is not a whole number" in result.error
    assert "PyTorch floors instead" in result.summary()
    # The last window ends exactly `leftover` cells before the padded edge.
    assert result.starts[-1] + kernel + leftover == size + 2 * padding


def test_kernel_larger_than_input_has_no_windows() -> None:
    result = conv_arithmetic(3, 5)
    assert not result.valid and result.starts == () and result.floored_size == 0
    assert "larger than the padded input" in result.error


def test_starts_are_stride_apart() -> None:
    assert conv_arithmetic(7, 3, 2).starts == (0, 2, 4)
    assert conv_arithmetic(5, 3, 2, 1).starts == (0, 2, 4)


def test_summary_states_formula_and_parameters() -> None:
    summary = conv_arithmetic(224, 11, 4, 2, in_channels=3, out_channels=96).summary()
    assert "(224 - 11 + 2*2) / 4 + 1 = 55.25" in summary
    assert "11*11*3*96 + 96 = 34,944" in summary


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        (
            {"input_size": 0, "kernel_size": 3},
            ValueError,
            "input_size must be positive",
        ),
        ({"input_size": 7, "kernel_size": 0}, ValueError, "kernel_size must be"),
        ({"input_size": 7, "kernel_size": 3, "stride": 0}, ValueError, "stride"),
        ({"input_size": 7, "kernel_size": 3, "padding": -1}, ValueError, "padding"),
        ({"input_size": 7.0, "kernel_size": 3}, TypeError, "input_size must be an int"),
        ({"input_size": 7, "kernel_size": 3, "in_channels": 0}, ValueError, "in_"),
    ],
)
def test_bad_input_is_refused(kwargs: dict, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        conv_arithmetic(**kwargs)


def test_explorer_reports_the_arithmetic_of_its_setting() -> None:
    explorer = conv_arithmetic_explorer(7, 3, 2, 0)
    assert explorer.arithmetic().output_size == 3
    explorer.stride = 3
    assert not explorer.arithmetic().valid
    assert "2.3333" in explorer.arithmetic().summary()


def test_explorer_refuses_bad_start_values() -> None:
    with pytest.raises(ValueError, match="stride must be positive"):
        conv_arithmetic_explorer(stride=0)


def test_explorer_refuses_a_setting_the_page_cannot_draw() -> None:
    # A stride of 0 would never end the page's loop over window starts.
    explorer = conv_arithmetic_explorer()
    with pytest.raises(ValueError, match="stride must be positive, got 0"):
        explorer.stride = 0
    with pytest.raises(ValueError, match="padding must be at least 0, got -1"):
        explorer.padding = -1
    assert (explorer.stride, explorer.padding) == (2, 0)


def test_explorer_keeps_large_starting_values() -> None:
    explorer = conv_arithmetic_explorer(input_size=64, kernel_size=13, stride=8)
    assert explorer.maxima == {
        "input_size": 64,
        "kernel_size": 13,
        "stride": 8,
        "padding": 6,
    }
    assert "(64 - 13 + 2*0) / 8 + 1" in explorer.arithmetic().summary()


def test_explorer_state_carries_its_front_end() -> None:
    state = conv_arithmetic_explorer().get_state()
    assert "export default { render }" in state["_esm"]
    assert "function decodeFloat32" in state["_esm"]  # common.js came along
    assert ".book-explorer" in state["_css"]
