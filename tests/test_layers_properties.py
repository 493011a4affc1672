"""Property tests: the hand-written operations agree with PyTorch and SciPy.

Hypothesis draws the shapes, strides and paddings, so the agreement holds on
cases nobody thought to write down, not only on the examples in test_layers.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import scipy.signal
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.testing import assert_close

from book.layers import (
    LocallyConnected2d,
    conv_output_size,
    convolve2d,
    cross_correlate2d,
    cross_correlate2d_unfold,
)

# Small and few: the whole file runs in seconds on a laptop CPU.
FAST = settings(max_examples=50, deadline=None)
MAX_IMAGE, MAX_KERNEL, MAX_STRIDE, MAX_PADDING = 12, 5, 3, 2


@dataclass(frozen=True)
class ConvShape:
    """One convolution problem: input (N, C, H, W), kernel (K, C, kh, kw) and steps."""

    batch: int
    in_channels: int
    out_channels: int
    image: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    seed: int

    @property
    def axes(self) -> list[tuple[int, int, int, int]]:
        """(image, kernel, stride, padding) for rows, then for columns."""
        return list(
            zip(self.image, self.kernel, self.stride, self.padding, strict=True)
        )

    @property
    def output(self) -> tuple[int, ...]:
        """Output (height, width) as F.conv2d computes it: floored."""
        return tuple(conv_output_size(*axis, floor=True) for axis in self.axes)


@st.composite
def axis(draw: st.DrawFn, tiling: bool) -> tuple[int, int, int, int]:
    """(image, kernel, stride, padding) along one axis, with the kernel fitting
    the padded image; with `tiling`, the stride also tiles it exactly."""
    kernel = draw(st.integers(1, MAX_KERNEL))
    stride = draw(st.integers(1, MAX_STRIDE))
    padding = draw(st.integers(0, MAX_PADDING))
    smallest = max(1, kernel - 2 * padding)
    if not tiling:
        return draw(st.integers(smallest, MAX_IMAGE)), kernel, stride, padding
    # Choose the output size instead, so (image - kernel + 2*padding) / stride
    # is whole: image = (output - 1) * stride + kernel - 2 * padding.
    fewest = 1 + math.ceil((smallest - kernel + 2 * padding) / stride)
    most = (MAX_IMAGE - kernel + 2 * padding) // stride + 1
    output = draw(st.integers(fewest, most))
    return (output - 1) * stride + kernel - 2 * padding, kernel, stride, padding


@st.composite
def conv_shapes(draw: st.DrawFn, tiling: bool = False) -> ConvShape:
    """Batch 1-3, channels 1-3, and an independent `axis` for rows and columns."""
    rows, cols = draw(axis(tiling)), draw(axis(tiling))
    image, kernel, stride, padding = zip(rows, cols, strict=True)
    return ConvShape(
        batch=draw(st.integers(1, 3)),
        in_channels=draw(st.integers(1, 3)),
        out_channels=draw(st.integers(1, 3)),
        image=image,
        kernel=kernel,
        stride=stride,
        padding=padding,
        seed=draw(st.integers(0, 2**16)),
    )


def make_inputs(
    shape: ConvShape, random_tensor: Callable[..., torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Seeded float64 input, kernels and biases for `shape`."""
    x = random_tensor(shape.batch, shape.in_channels, *shape.image, seed=shape.seed)
    weight = random_tensor(
        shape.out_channels, shape.in_channels, *shape.kernel, seed=shape.seed + 1
    )
    bias = random_tensor(shape.out_channels, seed=shape.seed + 2)
    return x, weight, bias


@FAST
@given(shape=conv_shapes(), use_bias=st.booleans())
def test_loop_and_unfold_agree_with_f_conv2d(
    random_tensor: Callable[..., torch.Tensor], shape: ConvShape, use_bias: bool
) -> None:
    x, weight, bias = make_inputs(shape, random_tensor)
    bias = bias if use_bias else None
    expected = F.conv2d(x, weight, bias, shape.stride, shape.padding)
    assert expected.shape[2:] == shape.output
    for correlate in (cross_correlate2d, cross_correlate2d_unfold):
        assert_close(correlate(x, weight, bias, shape.stride, shape.padding), expected)


@FAST
@given(shape=conv_shapes())
def test_convolve2d_is_f_conv2d_with_the_flipped_kernel(
    random_tensor: Callable[..., torch.Tensor], shape: ConvShape
) -> None:
    x, weight, bias = make_inputs(shape, random_tensor)
    y = convolve2d(x, weight, bias, shape.stride, shape.padding)
    expected = F.conv2d(x, weight.flip(-2, -1), bias, shape.stride, shape.padding)
    assert y.shape[2:] == shape.output
    assert_close(y, expected)


@FAST
@given(
    image=st.tuples(st.integers(1, MAX_IMAGE), st.integers(1, MAX_IMAGE)),
    kernel=st.tuples(st.integers(1, MAX_KERNEL), st.integers(1, MAX_KERNEL)),
    seed=st.integers(0, 2**16),
)
def test_one_channel_agrees_with_scipy(
    random_tensor: Callable[..., torch.Tensor],
    image: tuple[int, int],
    kernel: tuple[int, int],
    seed: int,
) -> None:
    # SciPy's "valid" mode is padding 0, stride 1; it needs the kernel to fit.
    kernel = (min(kernel[0], image[0]), min(kernel[1], image[1]))
    x, weight = random_tensor(*image, seed=seed), random_tensor(*kernel, seed=seed + 1)
    x_np, weight_np = x.numpy(), weight.numpy()
    convolved = scipy.signal.convolve(x_np, weight_np, mode="valid", method="direct")
    correlated = scipy.signal.correlate(x_np, weight_np, mode="valid", method="direct")
    assert_close(convolve2d(x, weight), torch.from_numpy(convolved))
    assert_close(cross_correlate2d(x, weight), torch.from_numpy(correlated))
    assert_close(cross_correlate2d_unfold(x, weight), torch.from_numpy(correlated))


@FAST
@given(shape=conv_shapes(tiling=True), use_bias=st.booleans())
def test_locally_connected_copy_of_a_conv_is_that_conv(
    random_tensor: Callable[..., torch.Tensor], shape: ConvShape, use_bias: bool
) -> None:
    torch.manual_seed(shape.seed)
    conv = nn.Conv2d(
        shape.in_channels,
        shape.out_channels,
        shape.kernel,
        shape.stride,
        shape.padding,
        bias=use_bias,
        dtype=torch.float64,
    )
    layer = LocallyConnected2d.from_conv2d(conv, shape.image)
    # The tiling shapes need no flooring: the strict size is the same.
    assert layer.output_size == shape.output
    assert layer.output_size == tuple(conv_output_size(*axis) for axis in shape.axes)
    x, _, _ = make_inputs(shape, random_tensor)
    with torch.no_grad():
        assert_close(layer(x), conv(x))


@pytest.mark.parametrize("tiling", [False, True])
@FAST
@given(data=st.data())
def test_generated_shapes_stay_in_range(tiling: bool, data: st.DataObject) -> None:
    # Guards the generator itself: a bug there would quietly test less.
    shape = data.draw(conv_shapes(tiling=tiling))
    for image, kernel, stride, padding in shape.axes:
        assert 1 <= image <= MAX_IMAGE
        assert kernel <= image + 2 * padding
        if tiling:
            assert (image - kernel + 2 * padding) % stride == 0
