"""book.layers: parameter counts, the layers and the hand-written operations.

Every count is checked against a real PyTorch module, and every hand-written
operation against `torch.nn.functional.conv2d` or SciPy. Huge modules live on
the meta device, which records shapes and allocates nothing. Property tests
(Hypothesis) draw the shapes, strides and paddings, so the agreement holds on
cases nobody thought to write down, not only on the examples written here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
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
    conv_as_matrix,
    conv_output_size,
    conv_params,
    convolve2d,
    count_parameters,
    cross_correlate2d,
    cross_correlate2d_unfold,
    fc_params,
    gradient_receptive_field,
    locally_connected_params,
    number,
    receptive_field,
    window_frames,
)
from tests.test_validation import NOT_INTS

# Small and few: every property test runs in seconds on a laptop CPU.
FAST = settings(max_examples=50, deadline=None)

Correlate = Callable[..., torch.Tensor]
HAND_WRITTEN = [cross_correlate2d, cross_correlate2d_unfold]
ALL_THREE = [cross_correlate2d, cross_correlate2d_unfold, convolve2d]


def conv2d_on_one_image(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """F.conv2d for one (H, W) image and one (kh, kw) kernel."""
    return F.conv2d(x[None, None], weight[None, None])[0, 0]


# --- fc_params, conv_params, locally_connected_params, count_parameters ------


@pytest.mark.parametrize(
    ("in_features", "out_features", "bias", "expected"),
    [
        (1, 1, True, 2),
        (3, 5, False, 15),
        (3, 5, True, 20),
        (784, 10, True, 7850),
        (224 * 224 * 3, 1000, False, 150_528_000),
        (224 * 224 * 3, 100, True, 15_052_800 + 100),
    ],
)
def test_fc_params_matches_nn_linear(
    in_features: int, out_features: int, bias: bool, expected: int
) -> None:
    linear = nn.Linear(in_features, out_features, bias=bias, device="meta")
    assert fc_params(in_features, out_features, bias=bias) == expected
    assert count_parameters(linear) == expected


@pytest.mark.parametrize(
    ("in_channels", "out_channels", "kernel_size", "bias", "expected"),
    [
        (1, 1, 3, False, 9),
        (1, 1, 3, True, 10),
        (3, 96, 11, False, 34_848),
        (3, 96, 11, True, 34_944),
        (2, 4, (3, 5), True, 2 * 4 * 15 + 4),
        (2, 4, (1, 7), False, 2 * 4 * 7),
        (5, 2, [2, 3], True, 5 * 2 * 6 + 2),
    ],
)
def test_conv_params_matches_nn_conv2d(
    in_channels: int, out_channels: int, kernel_size: object, bias: bool, expected: int
) -> None:
    conv = nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, device="meta")
    assert conv_params(in_channels, out_channels, kernel_size, bias=bias) == expected
    assert count_parameters(conv) == expected


LOCALLY_CONNECTED_CASES = [
    # in, out, input_size, kernel, stride, padding, bias, output (h, w), count
    (1, 1, 5, 3, 1, 0, False, (3, 3), 9 * 9),
    (1, 1, 5, 3, 1, 0, True, (3, 3), 9 * (9 + 1)),
    (2, 3, 7, 3, 2, 1, True, (4, 4), 16 * (2 * 3 * 9 + 3)),
    (3, 2, (6, 8), (3, 5), 1, (1, 2), True, (6, 8), 48 * (3 * 2 * 15 + 2)),
    (2, 2, (7, 9), (3, 3), (2, 3), 0, False, (3, 3), 9 * (2 * 2 * 9)),
    (1, 4, 4, 1, 1, 0, True, (4, 4), 16 * (4 + 4)),
]


@pytest.mark.parametrize(
    ("in_channels", "out_channels", "input_size", "kernel_size", "stride", "padding",
     "bias", "output_size", "expected"),
    LOCALLY_CONNECTED_CASES,
)  # fmt: skip
def test_locally_connected_params_matches_the_module(
    in_channels: int,
    out_channels: int,
    input_size: object,
    kernel_size: object,
    stride: object,
    padding: object,
    bias: bool,
    output_size: tuple[int, int],
    expected: int,
) -> None:
    layer = LocallyConnected2d(
        in_channels, out_channels, input_size, kernel_size, stride, padding, bias
    )
    count = locally_connected_params(
        in_channels, out_channels, input_size, kernel_size, stride, padding, bias
    )
    assert layer.output_size == output_size
    assert count == expected
    assert count_parameters(layer) == count
    x = torch.zeros(2, in_channels, *layer.input_size)
    assert layer(x).shape == (2, out_channels, *output_size)


def test_count_parameters_counts_frozen_and_counts_shared_weights_once() -> None:
    shared = nn.Linear(4, 4)
    model = nn.Sequential(shared, nn.ReLU(), shared, nn.Conv2d(1, 2, 3))
    model[3].requires_grad_(False)
    assert count_parameters(model) == (16 + 4) + (2 * 9 + 2)
    assert count_parameters(nn.ReLU()) == 0


def test_count_parameters_of_a_locally_connected_layer_on_meta() -> None:
    # AlexNet's conv1 without weight sharing: 55 x 55 positions, each with its
    # own 96 filters of 11 x 11 x 3 and 96 biases.
    with torch.device("meta"):
        layer = LocallyConnected2d(3, 96, 227, 11, stride=4)
    assert layer.weight.is_meta
    assert layer.output_size == (55, 55)
    assert count_parameters(layer) == 105_705_600


IMAGENET_INPUTS = 224 * 224 * 3


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        pytest.param(
            partial(fc_params, IMAGENET_INPUTS, 1, False), 150_528, id="inputs"
        ),
        pytest.param(
            partial(fc_params, IMAGENET_INPUTS, 1000, False), 150_528_000, id="fc"
        ),
        pytest.param(
            partial(fc_params, IMAGENET_INPUTS, 100, False), 15_052_800, id="fc100"
        ),
        pytest.param(
            partial(fc_params, IMAGENET_INPUTS, 100),
            15_052_800 + 100,
            id="fc100 biases",
        ),
        pytest.param(partial(fc_params, 200 * 200 * 3, 1, False), 120_000, id="neuron"),
        # Table 1: 32 x 32 -> 32 x 32, one channel, biases ignored.
        pytest.param(
            partial(fc_params, 32 * 32, 32 * 32, False), 1_048_576, id="table1 fc"
        ),
        pytest.param(
            partial(locally_connected_params, 1, 1, 32, 3, padding=1, bias=False),
            9_216,
            id="table1 locally connected",
        ),
        pytest.param(partial(conv_params, 1, 1, 3, bias=False), 9, id="table1 conv"),
        # AlexNet conv1: 96 filters of 11 x 11 x 3.
        pytest.param(partial(conv_params, 3, 96, 11, bias=False), 34_848, id="alexnet"),
        pytest.param(partial(conv_params, 3, 96, 11), 34_944, id="alexnet biases"),
        pytest.param(
            partial(locally_connected_params, 3, 96, 227, 11, stride=4),
            105_705_600,
            id="alexnet locally connected",
        ),
        # Exercise 1: 64 x 64 -> 64 x 64, one channel, biases ignored.
        pytest.param(
            partial(fc_params, 64 * 64, 64 * 64, False), 16_777_216, id="ex1 fc"
        ),
        pytest.param(
            partial(locally_connected_params, 1, 1, 64, 5, padding=2, bias=False),
            102_400,
            id="ex1 locally connected",
        ),
        pytest.param(partial(conv_params, 1, 1, 5, bias=False), 25, id="ex1 conv"),
    ],
)
def test_the_numbers_the_course_states(count: Callable[[], int], expected: int) -> None:
    result = count()
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("input_size", [32, 64, 227])
def test_a_conv_layer_has_the_same_parameters_at_any_input_size(
    input_size: int,
) -> None:
    conv = nn.Conv2d(3, 96, 11, stride=4, device="meta")
    y = conv(torch.empty(1, 3, input_size, input_size, device="meta"))
    assert y.shape[-1] == conv_output_size(input_size, 11, 4, floor=True)
    assert count_parameters(conv) == conv_params(3, 96, 11) == 34_944


@pytest.mark.parametrize(
    ("function", "arguments", "error", "message"),
    [
        (fc_params, (0, 10), ValueError, "in_features must be positive, got 0"),
        (fc_params, (10, -1), ValueError, "out_features must be positive, got -1"),
        (fc_params, (2.5, 10), TypeError, "in_features must be an int, got 2.5"),
        (fc_params, ("784", 10), TypeError, "in_features must be an int"),
        (conv_params, (0, 1, 3), ValueError, "in_channels must be positive"),
        (conv_params, (1, True, 3), TypeError, "out_channels must be an int, got True"),
        (conv_params, (1, 1, 0), ValueError, "kernel_size must be positive"),
        (conv_params, (1, 1, (3, 3, 3)), ValueError, "must be an int or a pair"),
        (conv_params, (1, 1, (3, 0)), ValueError, "kernel_size[1] must be positive"),
        (locally_connected_params, (1, 1, 8, 3, 2), ValueError,
         "(8 - 3 + 2*0) / 2 + 1 = 3.5 is not a whole number"),
        (locally_connected_params, (1, 1, 3, 5), ValueError,
         "kernel_size 5 is larger than the padded input"),
        (locally_connected_params, (1, 1, 8, 3, 1, -1), ValueError,
         "padding must be at least 0, got -1"),
        (locally_connected_params, (1, 1, (8, 8.0), 3), TypeError,
         "input_size[1] must be an int"),
    ],
)  # fmt: skip
def test_parameter_counts_reject_bad_input(
    function: Callable[..., int], arguments: tuple, error: type, message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        function(*arguments)


# --- LocallyConnected2d -------------------------------------------------------

FROM_CONV_CASES = [
    # in, out, input_size, kernel, stride, padding, bias
    (1, 1, 5, 3, 1, 0, True),
    (3, 4, 8, 3, 1, 1, True),
    (2, 3, 9, 3, 2, 0, False),
    (2, 2, (7, 10), (3, 2), (2, 4), (1, 0), True),
    (3, 5, 13, 5, 3, 2, True),
    (1, 2, 6, 1, 1, 0, False),
]


def conv_and_copy(
    in_channels: int,
    out_channels: int,
    input_size: object,
    kernel_size: object,
    stride: object,
    padding: object,
    bias: bool,
    dtype: torch.dtype = torch.float32,
) -> tuple[nn.Conv2d, LocallyConnected2d]:
    """A seeded nn.Conv2d and the locally connected layer built from it."""
    torch.manual_seed(0)
    conv = nn.Conv2d(
        in_channels, out_channels, kernel_size, stride, padding, bias=bias, dtype=dtype
    )
    return conv, LocallyConnected2d.from_conv2d(conv, input_size)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", FROM_CONV_CASES)
def test_from_conv2d_computes_exactly_what_the_conv_computes(
    case: tuple, dtype: torch.dtype, random_tensor: Callable[..., torch.Tensor]
) -> None:
    conv, layer = conv_and_copy(*case, dtype=dtype)
    x = random_tensor(3, conv.in_channels, *layer.input_size).to(dtype)
    y = layer(x)
    assert y.dtype == dtype
    assert_close(y, conv(x))


def test_from_conv2d_on_the_meta_device_allocates_nothing() -> None:
    conv = nn.Conv2d(3, 96, 11, stride=4, device="meta")
    layer = LocallyConnected2d.from_conv2d(conv, 227)
    assert layer.weight.is_meta
    assert count_parameters(layer) == 105_705_600


def test_one_position_with_its_own_kernel_changes_only_that_output(
    random_tensor: Callable[..., torch.Tensor],
) -> None:
    conv, layer = conv_and_copy(2, 3, 7, 3, 1, 1, True)
    # Positive pixels, so the patch sum below is far from zero.
    x = random_tensor(2, 2, 7, 7).float().abs() + 0.5
    row, col = 2, 5
    with torch.no_grad():
        layer.weight[row, col] += 1.0
        y, y_conv = layer(x), conv(x)
    changed = (y - y_conv).abs().amax(dim=(0, 1)) > 1e-4
    expected = torch.zeros(7, 7, dtype=torch.bool)
    expected[row, col] = True
    assert torch.equal(changed, expected)
    # The new output is the old one plus the patch sum: a kernel no conv shares.
    patch = F.pad(x, (1, 1, 1, 1))[:, :, row : row + 3, col : col + 3]
    assert_close(
        y[:, :, row, col], y_conv[:, :, row, col] + patch.sum(dim=(1, 2, 3))[:, None]
    )


def test_distinct_kernels_are_not_a_convolution(
    random_tensor: Callable[..., torch.Tensor],
) -> None:
    # A 1 x 1 kernel per position: output = weight[i, j] * x[i, j]. A conv would
    # multiply every pixel by the same number.
    layer = LocallyConnected2d(1, 1, 4, 1, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.arange(16.0).reshape(4, 4, 1, 1, 1, 1))
    x = torch.ones(1, 1, 4, 4)
    assert_close(layer(x)[0, 0], torch.arange(16.0).reshape(4, 4))


@pytest.mark.parametrize(
    "shape", [(1, 2, 7, 8), (1, 2, 8, 7), (1, 3, 8, 8), (2, 8, 8), (1, 1, 2, 8, 8)]
)
def test_forward_with_the_wrong_shape_names_it(shape: tuple[int, ...]) -> None:
    layer = LocallyConnected2d(2, 1, 8, 3)
    message = f"expects input of shape (N, 2, 8, 8), got {shape}"
    with pytest.raises(ValueError, match=re.escape(message)):
        layer(torch.zeros(shape))


@pytest.mark.parametrize(
    ("conv", "message"),
    [
        (nn.Conv2d(2, 2, 3, groups=2), "groups=2"),
        (nn.Conv2d(1, 1, 3, dilation=2), "dilation=(2, 2)"),
        (
            nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect"),
            "padding_mode='reflect'",
        ),
        (nn.Conv2d(1, 1, 3, padding="same"), "padding='same'"),
        (nn.Conv2d(1, 1, 3, padding="valid"), "padding='valid'"),
    ],
)
def test_from_conv2d_refuses_what_it_cannot_copy(conv: nn.Conv2d, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        LocallyConnected2d.from_conv2d(conv, 8)


def test_from_conv2d_refuses_a_stride_that_does_not_tile() -> None:
    with pytest.raises(ValueError, match=re.escape("(8 - 3 + 2*0) / 2 + 1 = 3.5")):
        LocallyConnected2d.from_conv2d(nn.Conv2d(1, 1, 3, stride=2), 8)


def test_gradients_flow_and_sum_to_the_conv_gradients(
    random_tensor: Callable[..., torch.Tensor],
) -> None:
    conv, layer = conv_and_copy(2, 3, 6, 3, 1, 1, True, dtype=torch.float64)
    x = random_tensor(4, 2, 6, 6).requires_grad_()
    x_copy = x.detach().clone().requires_grad_()
    target = random_tensor(4, 3, 6, 6, seed=1)
    ((layer(x) - target) ** 2).sum().backward()
    ((conv(x_copy) - target) ** 2).sum().backward()
    assert layer.weight.grad is not None and layer.weight.grad.abs().sum() > 0
    # Same function, same input gradient; the shared kernel's gradient is the
    # sum of the gradients of its copies at every position.
    assert_close(x.grad, x_copy.grad)
    assert_close(layer.weight.grad.sum(dim=(0, 1)), conv.weight.grad)
    assert_close(layer.bias.grad.sum(dim=(1, 2)), conv.bias.grad)


def test_initial_weights_lie_in_the_range_nn_conv2d_uses() -> None:
    torch.manual_seed(0)
    layer = LocallyConnected2d(2, 3, 6, 3)
    bound = 1 / (2 * 3 * 3) ** 0.5
    for parameter in (layer.weight, layer.bias):
        assert parameter.abs().max() <= bound
        assert parameter.abs().max() > bound / 2
    assert LocallyConnected2d(2, 3, 6, 3, bias=False).bias is None


# --- cross_correlate2d, cross_correlate2d_unfold, convolve2d ------------------


@pytest.fixture
def edge_image_and_kernel() -> tuple[torch.Tensor, torch.Tensor]:
    """The hand-worked example: a vertical edge and a left-to-right edge detector."""
    image = torch.zeros(5, 5)
    image[:, 2:] = 1.0
    kernel = torch.tensor([[-1.0, 0.0, 1.0]] * 3)
    return image, kernel


@pytest.mark.parametrize(
    "correlate",
    [*HAND_WRITTEN, conv2d_on_one_image],
    ids=["loop", "unfold", "F.conv2d"],
)
def test_the_hand_worked_example(
    correlate: Correlate, edge_image_and_kernel: tuple[torch.Tensor, torch.Tensor]
) -> None:
    image, kernel = edge_image_and_kernel
    feature_map = correlate(image, kernel)
    assert feature_map.tolist() == [[3.0, 3.0, 0.0]] * 3


def test_true_convolution_of_the_hand_worked_example_flips_the_sign(
    edge_image_and_kernel: tuple[torch.Tensor, torch.Tensor],
) -> None:
    image, kernel = edge_image_and_kernel
    assert convolve2d(image, kernel).tolist() == [[-3.0, -3.0, 0.0]] * 3


@pytest.mark.parametrize("correlate", HAND_WRITTEN)
def test_one_image_gives_the_same_as_a_batch_of_one(
    correlate: Correlate, random_tensor: Callable[..., torch.Tensor]
) -> None:
    x, weight = random_tensor(6, 7), random_tensor(3, 2, seed=1)
    y = correlate(x, weight, stride=(1, 2), padding=1)
    assert y.shape == (6, 4)
    assert_close(
        y, correlate(x[None, None], weight[None, None], stride=(1, 2), padding=1)[0, 0]
    )
    assert_close(
        y, F.conv2d(x[None, None], weight[None, None], stride=(1, 2), padding=1)[0, 0]
    )


@pytest.mark.parametrize(
    "bias",
    [0.5, -2, torch.tensor(0.5), torch.tensor([0.5]), np.float64(0.25)],
    ids=["float", "int", "0-d tensor", "(1,) tensor", "numpy float"],
)
@pytest.mark.parametrize("correlate", HAND_WRITTEN)
def test_bias_on_one_image(
    correlate: Correlate, bias: object, random_tensor: Callable[..., torch.Tensor]
) -> None:
    x, weight = random_tensor(5, 5), random_tensor(3, 3, seed=1)
    expected = conv2d_on_one_image(x, weight) + float(bias)
    assert_close(correlate(x, weight, bias=bias), expected)


@pytest.mark.parametrize("correlate", HAND_WRITTEN)
def test_one_bias_per_output_channel(
    correlate: Correlate, random_tensor: Callable[..., torch.Tensor]
) -> None:
    x, weight = random_tensor(2, 3, 6, 6), random_tensor(4, 3, 3, 3, seed=1)
    bias = random_tensor(4, seed=2)
    assert_close(correlate(x, weight, bias=bias), F.conv2d(x, weight, bias=bias))


@pytest.mark.parametrize(
    ("stride", "padding"),
    [
        (1, 0),
        (2, 0),
        (1, 2),
        (3, 1),
        ((1, 2), 0),
        (1, (0, 2)),
        ((2, 3), (1, 2)),
        ([2, 1], [0, 1]),
    ],
)
@pytest.mark.parametrize("correlate", ALL_THREE)
def test_stride_and_padding_as_ints_and_pairs_match_f_conv2d(
    correlate: Correlate,
    stride: object,
    padding: object,
    random_tensor: Callable[..., torch.Tensor],
) -> None:
    x, weight = random_tensor(2, 3, 9, 8), random_tensor(2, 3, 3, 2, seed=1)
    bias = random_tensor(2, seed=2)
    if correlate is convolve2d:
        weight_used_by_torch = weight.flip(-2, -1)
    else:
        weight_used_by_torch = weight
    expected = F.conv2d(x, weight_used_by_torch, bias, stride, padding)
    assert_close(correlate(x, weight, bias, stride, padding), expected)


@pytest.mark.parametrize("correlate", ALL_THREE)
@pytest.mark.parametrize("which", ["x", "weight"])
def test_numpy_arrays_are_refused_with_a_hint(
    correlate: Correlate, which: str, random_tensor: Callable[..., torch.Tensor]
) -> None:
    arguments = {"x": random_tensor(5, 5), "weight": random_tensor(3, 3)}
    arguments[which] = arguments[which].numpy()
    message = (
        f"{which} must be a torch.Tensor, got ndarray (convert with torch.as_tensor)"
    )
    with pytest.raises(TypeError, match=re.escape(message)):
        correlate(**arguments)


BAD_SHAPES = [
    pytest.param(
        (5, 5), (1, 1, 3, 3), {}, "must both be 2-D", id="2-D image, 4-D kernel"
    ),
    pytest.param(
        (1, 1, 5, 5), (3, 3), {}, "must both be 2-D", id="4-D image, 2-D kernel"
    ),
    pytest.param((1, 5, 5), (1, 3, 3), {}, "got x (1, 5, 5)", id="3-D"),
    pytest.param((5,), (3,), {}, "must both be 2-D", id="1-D"),
    pytest.param(
        (2, 3, 5, 5),
        (4, 2, 3, 3),
        {},
        "x has 3 channels but weight expects 2",
        id="channels",
    ),
    pytest.param(
        (2, 3, 5, 5),
        (4, 3, 3, 3),
        {"bias": torch.zeros(3)},
        "one value per output channel (4), got 3",
        id="bias length",
    ),
    pytest.param((5, 5), (3, 3), {"bias": [1.0, 2.0]}, "(1), got 2", id="bias list"),
    pytest.param(
        (3, 3),
        (5, 5),
        {},
        "kernel_size 5 is larger than the padded input 3",
        id="kernel",
    ),
    pytest.param(
        (3, 4), (5, 5), {"padding": (1, 0)}, "padded input 4 + 2*0", id="padded"
    ),
    pytest.param(
        (5, 5), (3, 3), {"stride": 0}, "stride must be positive", id="stride 0"
    ),
    pytest.param(
        (5, 5), (3, 3), {"padding": -1}, "padding must be at least 0", id="pad -1"
    ),
    pytest.param((5, 5), (3, 3), {"stride": (1, 2, 3)}, "a pair", id="stride triple"),
]


@pytest.mark.parametrize(("x_shape", "weight_shape", "options", "message"), BAD_SHAPES)
@pytest.mark.parametrize("correlate", ALL_THREE)
def test_bad_shapes_raise_value_error_naming_them(
    correlate: Correlate,
    x_shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    options: dict,
    message: str,
) -> None:
    x, weight = torch.zeros(x_shape), torch.zeros(weight_shape)
    with pytest.raises(ValueError, match=re.escape(message)):
        correlate(x, weight, **options)


@pytest.mark.parametrize("correlate", ALL_THREE)
def test_a_float_stride_is_a_type_error(correlate: Correlate) -> None:
    with pytest.raises(TypeError, match="stride must be an int, got 1.0"):
        correlate(torch.zeros(5, 5), torch.zeros(3, 3), stride=1.0)


@pytest.mark.parametrize("kernel_shape", [(3, 3), (2, 4), (1, 1), (5, 2)])
def test_convolve2d_matches_scipy(
    kernel_shape: tuple[int, int], random_tensor: Callable[..., torch.Tensor]
) -> None:
    x, weight = random_tensor(7, 6), random_tensor(*kernel_shape, seed=1)
    x_np, weight_np = x.numpy(), weight.numpy()
    valid = scipy.signal.convolve2d(x_np, weight_np, mode="valid")
    full = scipy.signal.convolve2d(x_np, weight_np, mode="full")
    padding = (kernel_shape[0] - 1, kernel_shape[1] - 1)
    assert_close(convolve2d(x, weight), torch.from_numpy(valid))
    assert_close(convolve2d(x, weight, padding=padding), torch.from_numpy(full))
    correlated = scipy.signal.correlate2d(x_np, weight_np, mode="valid")
    assert_close(cross_correlate2d(x, weight), torch.from_numpy(correlated))


def test_convolve2d_on_a_batch_uses_the_flipped_kernel(
    random_tensor: Callable[..., torch.Tensor],
) -> None:
    x, weight = random_tensor(2, 3, 6, 6), random_tensor(4, 3, 3, 2, seed=1)
    expected = F.conv2d(x, weight.flip(-2, -1))
    assert_close(convolve2d(x, weight), expected)
    assert not torch.allclose(convolve2d(x, weight), F.conv2d(x, weight))
    # Each (output, input) channel pair is a true 2-D convolution, summed over inputs.
    channel_sum = sum(
        scipy.signal.convolve2d(x[0, c].numpy(), weight[1, c].numpy(), mode="valid")
        for c in range(3)
    )
    assert_close(convolve2d(x, weight)[0, 1], torch.from_numpy(channel_sum))


def test_convolve2d_does_not_modify_the_kernel(
    random_tensor: Callable[..., torch.Tensor],
) -> None:
    weight = random_tensor(3, 3)
    before = weight.clone()
    convolve2d(random_tensor(5, 5), weight)
    assert torch.equal(weight, before)


# --- property tests: shapes drawn by Hypothesis ---------------------------------

# The ranges stay small so that every drawn case runs in milliseconds.
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


@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_dilated_layers_measure_the_formula(dilation: int) -> None:
    torch.manual_seed(dilation)
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=dilation, dilation=dilation),
        nn.Tanh(),
        nn.Conv2d(2, 2, 3, padding=dilation, dilation=dilation),
    )
    measured = gradient_receptive_field(model, 31)
    assert measured == receptive_field(2, 3, dilation) == 4 * dilation + 1


def test_the_measurement_is_capped_by_the_input() -> None:
    assert gradient_receptive_field(stack(6, 3), 9) == 9


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((-1, 3), ValueError, "num_layers must be at least 0, got -1"),
        ((2, 0), ValueError, "kernel_size must be positive, got 0"),
        ((2, 3, 0), ValueError, "dilation must be positive, got 0"),
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


# --- conv_output_size: the formula --------------------------------------------


@pytest.mark.parametrize(
    ("input_size", "kernel_size", "stride", "padding", "expected"),
    [
        (7, 3, 1, 0, 5),  # the 7 x 7 input, 3 x 3 filter example
        (7, 3, 2, 0, 3),  # ... with stride 2
        (5, 5, 1, 0, 1),  # the kernel covers the whole input
        (32, 3, 1, 1, 32),
        (227, 11, 4, 0, 55),  # AlexNet conv1
        (55, 1, 2, 0, 28),  # a 1 x 1 kernel with stride 2
        (1, 1, 1, 0, 1),
        (1, 3, 1, 1, 1),
        (4, 2, 2, 0, 2),
        (11, 4, 3, 1, 4),
    ],
)
def test_conv_output_size_follows_the_formula(
    input_size: int, kernel_size: int, stride: int, padding: int, expected: int
) -> None:
    assert (input_size - kernel_size + 2 * padding) / stride + 1 == expected
    result = conv_output_size(input_size, kernel_size, stride, padding)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("kernel_size", [1, 3, 5, 7, 11])
@pytest.mark.parametrize("input_size", [1, 2, 8, 31, 224])
def test_same_padding_keeps_the_size(input_size: int, kernel_size: int) -> None:
    padding = (kernel_size - 1) // 2
    assert conv_output_size(input_size, kernel_size, 1, padding) == input_size


def test_numpy_integers_give_a_plain_int() -> None:
    result = conv_output_size(np.int64(7), np.int32(3), np.int64(2), np.uint8(0))
    assert result == 3
    assert type(result) is int


# --- conv_output_size: bad input ----------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "formula"),
    [
        ((8, 3, 2, 0), "(8 - 3 + 2*0) / 2 + 1 = 3.5"),
        ((7, 3, 3, 0), "(7 - 3 + 2*0) / 3 + 1 = 2.3333"),
        ((6, 3, 2, 1), "(6 - 3 + 2*1) / 2 + 1 = 3.5"),
        ((224, 11, 4, 0), "(224 - 11 + 2*0) / 4 + 1 = 54.25"),
        # Large sizes keep every digit: 500000.5 must not print as 500000.
        ((1000001, 2, 2, 0), "(1000001 - 2 + 2*0) / 2 + 1 = 500000.5"),
    ],
)
def test_a_stride_that_does_not_tile_shows_the_formula(
    arguments: tuple[int, int, int, int], formula: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(formula) + ".*not a whole number"):
        conv_output_size(*arguments)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((3, 5, 1, 0), "kernel_size 5 is larger than the padded input 3 + 2*0 = 3"),
        ((2, 7, 1, 2), "kernel_size 7 is larger than the padded input 2 + 2*2 = 6"),
        ((1, 2, 1, 0), "kernel_size 2 is larger than the padded input 1 + 2*0 = 1"),
    ],
)
@pytest.mark.parametrize("floor", [False, True])
def test_a_kernel_larger_than_the_padded_input_is_refused(
    arguments: tuple[int, int, int, int], message: str, floor: bool
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        conv_output_size(*arguments, floor=floor)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"input_size": 0}, "input_size must be positive, got 0"),
        ({"input_size": -4}, "input_size must be positive, got -4"),
        ({"kernel_size": 0}, "kernel_size must be positive, got 0"),
        ({"kernel_size": -3}, "kernel_size must be positive, got -3"),
        ({"stride": 0}, "stride must be positive, got 0"),
        ({"stride": -1}, "stride must be positive, got -1"),
        ({"padding": -1}, "padding must be at least 0, got -1"),
    ],
)
def test_sizes_out_of_range_raise_value_error(arguments: dict, message: str) -> None:
    valid = {"input_size": 7, "kernel_size": 3, "stride": 1, "padding": 0}
    with pytest.raises(ValueError, match=re.escape(message)):
        conv_output_size(**(valid | arguments))


@pytest.mark.parametrize("value", NOT_INTS)
@pytest.mark.parametrize("name", ["input_size", "kernel_size", "stride", "padding"])
def test_non_integers_raise_type_error_naming_the_argument(
    name: str, value: object
) -> None:
    valid = {"input_size": 7, "kernel_size": 3, "stride": 1, "padding": 0}
    with pytest.raises(TypeError, match=f"{name} must be an int, got "):
        conv_output_size(**(valid | {name: value}))


# --- conv_output_size(floor=True) against PyTorch -----------------------------


@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_floor_agrees_with_pytorch(stride: int, padding: int) -> None:
    checked = 0
    for input_size in range(1, 13):
        for kernel_size in range(1, 6):
            # The meta device computes shapes only: no memory, no arithmetic.
            x = torch.empty(1, 1, input_size, input_size + 1, device="meta")
            weight = torch.empty(1, 1, kernel_size, kernel_size, device="meta")
            case = f"W={input_size}, F={kernel_size}, S={stride}, P={padding}"
            if input_size + 2 * padding < kernel_size:
                with pytest.raises(RuntimeError):
                    F.conv2d(x, weight, stride=stride, padding=padding)
                with pytest.raises(ValueError, match="larger than the padded input"):
                    conv_output_size(
                        input_size, kernel_size, stride, padding, floor=True
                    )
                continue
            y = F.conv2d(x, weight, stride=stride, padding=padding)
            height = conv_output_size(
                input_size, kernel_size, stride, padding, floor=True
            )
            width = conv_output_size(
                input_size + 1, kernel_size, stride, padding, floor=True
            )
            assert (height, width) == tuple(y.shape[2:]), case
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [((8, 3, 2, 0), 3), ((7, 3, 3, 0), 2), ((7, 3, 2, 0), 3), ((224, 7, 2, 3), 112)],
)
def test_floor_drops_the_leftover_positions(
    arguments: tuple[int, int, int, int], expected: int
) -> None:
    result = conv_output_size(*arguments, floor=True)
    assert result == expected
    assert type(result) is int


EDGE_IMAGE = torch.zeros(5, 5)
EDGE_IMAGE[:, 2:] = 1.0
EDGE_KERNEL = torch.tensor([[-1.0, 0.0, 1.0]] * 3)


def test_window_frames_build_conv2d_one_cell_at_a_time(random_tensor) -> None:
    image, kernel = random_tensor(6, 7, seed=1), random_tensor(3, 2, seed=2)
    frames = window_frames(image, kernel)
    expected = F.conv2d(image[None, None], kernel[None, None])[0, 0]
    assert len(frames) == expected.numel() == 4 * 6
    for frame in frames:
        assert frame.count == len(frames)
        assert frame.patch.shape == frame.products.shape == (3, 2)
        assert frame.total == pytest.approx(float(expected[frame.row, frame.col]))
        # Filled so far: this cell and every earlier one, row by row.
        filled = ~frame.output.isnan()
        assert int(filled.sum()) == frame.index + 1
        assert bool(filled[frame.row, frame.col])
    torch.testing.assert_close(frames[-1].output, expected)
    assert [(f.row, f.col) for f in frames[:8]] == [(0, c) for c in range(6)] + [
        (1, 0),
        (1, 1),
    ]


def test_the_edge_example_frames_say_what_they_show() -> None:
    frames = window_frames(EDGE_IMAGE, EDGE_KERNEL)
    assert frames[-1].output.tolist() == [[3.0, 3.0, 0.0]] * 3
    assert frames[2].summary() == (
        "position 3 of 9: window at row 0, column 2; products "
        "[-1, 0, 1; -1, 0, 1; -1, 0, 1]; their sum 0 fills output (0, 2)"
    )
    # (-1) * 0 is -0.0, shown as 0.
    assert "products [0, 0, 1;" in frames[0].summary()


def test_number_writes_whole_numbers_plainly() -> None:
    assert [number(v) for v in (3.0, -0.0, -2.0, 0.125, 1 / 3)] == [
        "3",
        "0",
        "-2",
        "0.1250",
        "0.3333",
    ]


@pytest.mark.parametrize(
    ("image", "kernel", "message"),
    [
        (torch.zeros(5), EDGE_KERNEL, r"image must be a 2-D tensor, got torch.Size"),
        (EDGE_IMAGE, [[1.0]], "kernel must be a 2-D tensor, got list"),
        (torch.zeros(2, 5), EDGE_KERNEL, r"kernel \(3, 3\) does not fit in image"),
    ],
)
def test_window_frames_refuse_what_they_cannot_slide(image, kernel, message) -> None:
    with pytest.raises(ValueError, match=message):
        window_frames(image, kernel)
