"""Reference answers the tests compare against: PyTorch and the book's helpers.

The student's notebooks never import these; the tests call them on the same
arguments as the student's functions.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from book import symmetry
from book.layers import conv_output_size, conv_params
from book.validation import whole_number


def fc_weights(height: int, width: int) -> int:
    """FC layer from an H x W image to an H x W map, biases ignored.

    >>> fc_weights(64, 64)
    16777216
    """
    pixels = whole_number("height", height, 1) * whole_number("width", width, 1)
    return pixels * pixels


def locally_connected_weights(height: int, width: int, kernel_size: int) -> int:
    """Locally connected layer with its own k x k kernel at each of H*W positions.

    >>> locally_connected_weights(64, 64, 5)
    102400
    """
    kernel_size = whole_number("kernel_size", kernel_size, 1)
    return (
        whole_number("height", height, 1)
        * whole_number("width", width, 1)
        * kernel_size**2
    )


def conv_weights(kernel_size: int) -> int:
    """One shared k x k kernel.

    >>> conv_weights(5)
    25
    """
    return whole_number("kernel_size", kernel_size, 1) ** 2


def shift(image: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """Move an (H, W) image down by `rows` and right by `cols`, filling with zeros.

    The course's `book.symmetry.shift`, one axis at a time; a shift past the
    edge leaves only zeros, as the exercise asks.
    """
    height, width = image.shape
    down = symmetry.shift(image, max(-height, min(rows, height)), "vertical")
    return symmetry.shift(down, max(-width, min(cols, width)), "horizontal")


def _same_conv(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    padding = (kernel.shape[0] // 2, kernel.shape[1] // 2)
    return F.conv2d(image[None, None], kernel[None, None], padding=padding)[0, 0]


def equivariance_gap(
    image: torch.Tensor, kernel: torch.Tensor, rows: int, cols: int, margin: int
) -> float:
    """Largest |conv(shift(x)) - shift(conv(x))| at least `margin` from every edge."""
    height, width = image.shape
    if 2 * margin >= min(height, width):
        raise ValueError(f"margin {margin} leaves no pixel of a {height} x {width} map")
    difference = _same_conv(shift(image, rows, cols), kernel) - shift(
        _same_conv(image, kernel), rows, cols
    )
    inside = difference[margin : height - margin, margin : width - margin]
    return inside.abs().max().item()


def global_average_pool(feature_map: torch.Tensor) -> float:
    """Mean over every position of a feature map, as a Python float."""
    return feature_map.mean().item()


def receptive_field(num_layers: int, kernel_size: int = 3, dilation: int = 1) -> int:
    """Receptive field of stacked stride-1 layers: L * d * (k - 1) + 1.

    >>> receptive_field(2)
    5
    """
    num_layers = whole_number("num_layers", num_layers, 0)
    kernel_size = whole_number("kernel_size", kernel_size, 1)
    dilation = whole_number("dilation", dilation, 1)
    return num_layers * dilation * (kernel_size - 1) + 1


def layers_to_span(distance: int, kernel_size: int = 3, dilation: int = 1) -> int:
    """Fewest stacked layers whose receptive field holds two pixels `distance` apart.

    >>> layers_to_span(223)
    112
    """
    distance = whole_number("distance", distance, 0)
    growth = receptive_field(1, kernel_size, dilation) - 1
    if growth == 0 and distance > 0:
        raise ValueError("a 1 x 1 kernel never grows the receptive field")
    return 0 if distance == 0 else math.ceil(distance / growth)


# The book's own count is the right answer to exercise 4's second part.
conv_param_count = conv_params


def cross_correlate(
    image: torch.Tensor, kernel: torch.Tensor, stride: int = 1, padding: int = 0
) -> torch.Tensor:
    """F.conv2d on one 2-D image and kernel, refusing a kernel that does not fit."""
    for axis in (0, 1):
        # Validates the numbers and raises ValueError when the kernel does not fit.
        conv_output_size(
            image.shape[axis], kernel.shape[axis], stride, padding, floor=True
        )
    return F.conv2d(
        image[None, None], kernel[None, None], stride=stride, padding=padding
    )[0, 0]


def convolve(
    image: torch.Tensor, kernel: torch.Tensor, stride: int = 1, padding: int = 0
) -> torch.Tensor:
    """True convolution: cross-correlation with the kernel turned by 180 degrees."""
    return cross_correlate(image, kernel.flip(0, 1), stride, padding)


EDGE_IMAGE = [[0.0, 0.0, 1.0, 1.0, 1.0]] * 5
EDGE_KERNEL = [[-1.0, 0.0, 1.0]] * 3


def edge_map() -> torch.Tensor:
    """The worked example of section 3: every row of the 3 x 3 map is [3, 3, 0]."""
    return cross_correlate(torch.tensor(EDGE_IMAGE), torch.tensor(EDGE_KERNEL))
