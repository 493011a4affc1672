"""The dense matrix of a convolution, and receptive fields: against PyTorch."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from test_layers_properties import ConvShape, conv_shapes
from torch import nn
from torch.testing import assert_close

from book.layers import conv_as_matrix, gradient_receptive_field, receptive_field

FAST = settings(max_examples=50, deadline=None)


@FAST
@given(shape=conv_shapes())
def test_matrix_times_flattened_input_is_f_conv2d(
    random_tensor: Callable[..., torch.Tensor], shape: ConvShape
) -> None:
    x = random_tensor(shape.batch, shape.in_channels, *shape.image, seed=shape.seed)
    weight = random_tensor(
        shape.out_channels, shape.in_channels, *shape.kernel, seed=shape.seed + 1
    )
    expected = F.conv2d(x, weight, stride=shape.stride, padding=shape.padding)
    matrix = conv_as_matrix(weight, shape.image, shape.stride, shape.padding)
    assert matrix.shape == (expected[0].numel(), x[0].numel())
    assert_close((x.flatten(1) @ matrix.T).reshape(expected.shape), expected)


@FAST
@given(shape=conv_shapes())
def test_every_entry_is_a_kernel_weight_or_zero(
    random_tensor: Callable[..., torch.Tensor], shape: ConvShape
) -> None:
    weight = random_tensor(
        shape.out_channels, shape.in_channels, *shape.kernel, seed=shape.seed
    )
    matrix = conv_as_matrix(weight, shape.image, shape.stride, shape.padding)
    nonzero = matrix[matrix != 0]
    assert torch.isin(nonzero, weight.flatten()).all()
    # Each output row holds at most one copy of each of its kernel's weights.
    per_row = (matrix != 0).sum(dim=1)
    assert per_row.max() <= shape.in_channels * shape.kernel[0] * shape.kernel[1]


def test_one_row_of_a_small_example_by_hand() -> None:
    kernel = torch.arange(1.0, 10.0).reshape(3, 3)
    matrix = conv_as_matrix(kernel, 4)
    # Output (0, 0) reads rows 0-2 and columns 0-2 of the 4 x 4 input.
    expected = torch.tensor([1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0.0])
    assert torch.equal(matrix[0], expected)
    assert matrix.shape == (4, 16)
    # Weight sharing: every row is the first one moved along the input.
    assert torch.equal(matrix[1], torch.roll(expected, 1))
    assert torch.equal(matrix[2], torch.roll(expected, 4))


def test_padding_drops_the_taps_that_fall_outside() -> None:
    matrix = conv_as_matrix(torch.ones(3, 3), 5, padding=1)
    assert matrix.shape == (25, 25)
    # A corner output reads 4 real pixels, an edge one 6, an inner one 9.
    counts = (matrix != 0).sum(dim=1).reshape(5, 5)
    assert counts[0, 0] == 4 and counts[0, 2] == 6 and counts[2, 2] == 9


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (([[1.0]], 3), TypeError, "weight must be a torch.Tensor, got list"),
        ((torch.ones(3), 3), ValueError, r"\(kh, kw\) or \(K, C, kh, kw\), got \(3,\)"),
        ((torch.ones(3, 3), 0), ValueError, "input_size must be positive, got 0"),
        ((torch.ones(5, 5), 3), ValueError, "kernel_size 5 is larger than"),
        ((torch.ones(3, 3), 8, 0), ValueError, "stride must be positive, got 0"),
        ((torch.ones(3, 3), 8, 1, -1), ValueError, "padding must be at least 0"),
    ],
)
def test_conv_as_matrix_rejects_bad_input(
    args: tuple, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        conv_as_matrix(*args)


# --- receptive fields --------------------------------------------------------------


def stack(num_layers: int, kernel_size: int) -> nn.Sequential:
    torch.manual_seed(num_layers)
    layers: list[nn.Module] = []
    for _ in range(num_layers):
        layers += [nn.Conv2d(2, 2, kernel_size, padding=kernel_size // 2), nn.Tanh()]
    layers[0] = nn.Conv2d(1, 2, kernel_size, padding=kernel_size // 2)
    return nn.Sequential(*layers)


@pytest.mark.parametrize(
    ("num_layers", "kernel_size"), [(1, 3), (2, 3), (4, 3), (3, 5)]
)
def test_gradients_measure_the_formula(num_layers: int, kernel_size: int) -> None:
    measured = gradient_receptive_field(stack(num_layers, kernel_size), 31)
    assert measured == receptive_field(num_layers, kernel_size)
    assert measured == num_layers * (kernel_size - 1) + 1


def test_the_measurement_is_capped_by_the_input() -> None:
    assert gradient_receptive_field(stack(6, 3), 9) == 9


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0, 3), ValueError, "num_layers must be positive, got 0"),
        ((2, 0), ValueError, "kernel_size must be positive, got 0"),
        ((2.0, 3), TypeError, "num_layers must be an int"),
    ],
)
def test_receptive_field_rejects_bad_input(
    args: tuple, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        receptive_field(*args)


def test_gradient_receptive_field_rejects_models_it_cannot_measure() -> None:
    with pytest.raises(ValueError, match="no nn.Conv2d"):
        gradient_receptive_field(nn.Identity(), 9)
    with pytest.raises(
        ValueError, match=r"keep the spatial size 9 x 9, got .*\(7, 7\)"
    ):
        gradient_receptive_field(nn.Conv2d(1, 1, 3), 9)
    with pytest.raises(ValueError, match="input_size must be positive"):
        gradient_receptive_field(nn.Conv2d(1, 1, 3, padding=1), 0)
