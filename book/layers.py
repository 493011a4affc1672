"""Layers and their arithmetic: sizes, parameter counts, and hand-written operations.

The hand-written operations (`cross_correlate2d`, `cross_correlate2d_unfold`,
`convolve2d`, `LocallyConnected2d`) exist to be read and compared against
PyTorch; the tests check them against `torch.nn.functional.conv2d` and SciPy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import torch
import torch.nn.functional as F
from torch import nn

from book.validation import int_pair, whole_number

IntOrPair = int | tuple[int, int]


def _size_formula(input_size: int, kernel_size: int, stride: int, padding: int) -> str:
    """(W - F + 2P) / S + 1 with the numbers filled in and the result evaluated."""
    span = input_size - kernel_size + 2 * padding
    # Up to 4 decimals without rounding away integer digits (":g" would show
    # 500000.5 as 500000, a "not a whole number" that looks whole).
    value = f"{span / stride + 1:.4f}".rstrip("0").rstrip(".")
    return f"({input_size} - {kernel_size} + 2*{padding}) / {stride} + 1 = {value}"


def conv_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    *,
    floor: bool = False,
) -> int:
    """Output length of a convolution along one axis: (W - F + 2P) / S + 1.

    A stride that does not tile the padded input exactly is an error, unless
    `floor=True`, which drops the leftover positions as PyTorch does.

    >>> conv_output_size(7, 3, stride=1)
    5
    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size(8, 3, stride=2, floor=True)
    3
    """
    input_size = whole_number("input_size", input_size, 1)
    kernel_size = whole_number("kernel_size", kernel_size, 1)
    stride = whole_number("stride", stride, 1)
    padding = whole_number("padding", padding, 0)
    span = input_size - kernel_size + 2 * padding
    formula = _size_formula(input_size, kernel_size, stride, padding)
    if span < 0:
        raise ValueError(
            f"kernel_size {kernel_size} is larger than the padded input "
            f"{input_size} + 2*{padding} = {input_size + 2 * padding}, "
            f"so {formula} is not a positive size"
        )
    if span % stride and not floor:
        raise ValueError(
            f"{formula} is not a whole number, so stride "
            f"{stride} does not tile an input of {input_size} with kernel "
            f"{kernel_size} and padding {padding} (pass floor=True to drop the "
            f"leftover positions as PyTorch does)"
        )
    return span // stride + 1


def fc_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Parameters of a fully connected layer: one weight per input per output.

    >>> fc_params(224 * 224 * 3, 1000, bias=False)
    150528000
    """
    in_features = whole_number("in_features", in_features, 1)
    out_features = whole_number("out_features", out_features, 1)
    return in_features * out_features + (out_features if bias else 0)


def conv_params(
    in_channels: int, out_channels: int, kernel_size: IntOrPair, bias: bool = True
) -> int:
    """Parameters of a 2-D convolution: F*F*D_in*K weights plus K biases.

    >>> conv_params(3, 96, 11)
    34944
    """
    in_channels = whole_number("in_channels", in_channels, 1)
    out_channels = whole_number("out_channels", out_channels, 1)
    kernel_h, kernel_w = int_pair("kernel_size", kernel_size, 1)
    weights = kernel_h * kernel_w * in_channels * out_channels
    return weights + (out_channels if bias else 0)


def _output_shape(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair,
    padding: IntOrPair,
    *,
    floor: bool = False,
) -> tuple[int, int]:
    """(height, width) of a convolution's output: `conv_output_size` on each axis."""
    in_h, in_w = int_pair("input_size", input_size, 1)
    k_h, k_w = int_pair("kernel_size", kernel_size, 1)
    s_h, s_w = int_pair("stride", stride, 1)
    p_h, p_w = int_pair("padding", padding, 0)
    return (
        conv_output_size(in_h, k_h, s_h, p_h, floor=floor),
        conv_output_size(in_w, k_w, s_w, p_w, floor=floor),
    )


def locally_connected_params(
    in_channels: int,
    out_channels: int,
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    bias: bool = True,
) -> int:
    """Parameters of a locally connected layer: own kernel and bias per output position.

    >>> locally_connected_params(1, 1, 32, 3, padding=1, bias=False)
    9216
    """
    out_h, out_w = _output_shape(input_size, kernel_size, stride, padding)
    per_position = conv_params(in_channels, out_channels, kernel_size, bias)
    return out_h * out_w * per_position


def count_parameters(module: nn.Module) -> int:
    """Number of scalar parameters of a module; works on the meta device too.

    >>> count_parameters(nn.Linear(1024, 1024, device="meta"))
    1049600
    """
    return sum(p.numel() for p in module.parameters())


class LocallyConnected2d(nn.Module):
    """A convolution without weight sharing: every output position has its own kernel.

    `weight[i, j]` is the (out_channels, in_channels, kh, kw) kernel used at output
    position (i, j); `bias[:, i, j]` its biases.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        input_size: IntOrPair,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.in_channels = whole_number("in_channels", in_channels, 1)
        self.out_channels = whole_number("out_channels", out_channels, 1)
        self.input_size = int_pair("input_size", input_size, 1)
        self.kernel_size = int_pair("kernel_size", kernel_size, 1)
        self.stride = int_pair("stride", stride, 1)
        self.padding = int_pair("padding", padding, 0)
        self.output_size = _output_shape(
            self.input_size, self.kernel_size, self.stride, self.padding
        )
        out_h, out_w = self.output_size
        k_h, k_w = self.kernel_size
        self.weight = nn.Parameter(
            torch.empty(out_h, out_w, self.out_channels, self.in_channels, k_h, k_w)
        )
        self.bias = (
            nn.Parameter(torch.empty(self.out_channels, out_h, out_w)) if bias else None
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in +-1/sqrt(fan_in), the range nn.Conv2d uses by default."""
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        bound = 1 / math.sqrt(fan_in)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)

    @classmethod
    def from_conv2d(cls, conv: nn.Conv2d, input_size: IntOrPair) -> LocallyConnected2d:
        """A locally connected layer with `conv`'s kernel copied to every position."""
        if conv.groups != 1 or conv.dilation != (1, 1) or conv.padding_mode != "zeros":
            raise ValueError(
                "from_conv2d needs groups=1, dilation=1 and zero padding, got "
                f"groups={conv.groups}, dilation={conv.dilation}, "
                f"padding_mode={conv.padding_mode!r}"
            )
        if isinstance(conv.padding, str):
            raise ValueError(
                f"from_conv2d needs numeric padding, got padding={conv.padding!r}"
            )
        # Built on conv's device and cast to its dtype, so a float64 or meta conv
        # gives a layer that accepts the same inputs (and allocates nothing on meta).
        with torch.device(conv.weight.device):
            layer = cls(
                conv.in_channels,
                conv.out_channels,
                input_size,
                conv.kernel_size,
                conv.stride,
                conv.padding,
                bias=conv.bias is not None,
            )
        layer = layer.to(conv.weight.dtype)
        with torch.no_grad():
            layer.weight.copy_(conv.weight.expand_as(layer.weight))
            if conv.bias is not None:
                layer.bias.copy_(conv.bias[:, None, None].expand_as(layer.bias))
        return layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        expected = (self.in_channels, *self.input_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f"LocallyConnected2d expects input of shape (N, {expected[0]}, "
                f"{expected[1]}, {expected[2]}), got {tuple(x.shape)}"
            )
        out_h, out_w = self.output_size
        # Columns of patches: (N, C*kh*kw, L) with L = out_h*out_w positions.
        patches = F.unfold(
            x, self.kernel_size, padding=self.padding, stride=self.stride
        )
        weight = self.weight.reshape(out_h * out_w, self.out_channels, -1)
        # Each position l multiplies its own patch by its own kernel.
        y = torch.einsum("ncl,lkc->nkl", patches, weight)
        y = y.reshape(x.shape[0], self.out_channels, out_h, out_w)
        if self.bias is not None:
            y = y + self.bias
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, input_size={self.input_size}, "
            f"kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding}, bias={self.bias is not None}"
        )


def _as_batch(
    x: object, weight: object, bias: object
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, bool]:
    """Validate F.conv2d-style arguments and lift a single image and kernel to 4-D."""
    for name, value in (("x", x), ("weight", weight)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{name} must be a torch.Tensor, got {type(value).__name__} "
                f"(convert with torch.as_tensor)"
            )
    if x.dim() != weight.dim() or x.dim() not in (2, 4):
        raise ValueError(
            "x and weight must both be 2-D (one image, one kernel) or both 4-D "
            f"(N, C, H, W) and (K, C, kh, kw), got x {tuple(x.shape)} and "
            f"weight {tuple(weight.shape)}"
        )
    single = x.dim() == 2
    if single:
        x, weight = x[None, None], weight[None, None]
    if x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"x has {x.shape[1]} channels but weight expects {weight.shape[1]} "
            f"(x {tuple(x.shape)}, weight {tuple(weight.shape)})"
        )
    if bias is not None:
        bias = torch.as_tensor(bias, dtype=x.dtype, device=x.device).reshape(-1)
        if bias.numel() != weight.shape[0]:
            raise ValueError(
                f"bias must hold one value per output channel ({weight.shape[0]}), "
                f"got {bias.numel()}"
            )
    return x, weight, bias, single


def _geometry(
    x: torch.Tensor, weight: torch.Tensor, stride: IntOrPair, padding: IntOrPair
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """Validated stride, padding and (floored, like F.conv2d) output size."""
    stride_hw = int_pair("stride", stride, 1)
    padding_hw = int_pair("padding", padding, 0)
    out_hw = _output_shape(
        tuple(x.shape[2:]), tuple(weight.shape[2:]), stride_hw, padding_hw, floor=True
    )
    return stride_hw, padding_hw, out_hw


def _add_bias_and_unbatch(
    y: torch.Tensor, bias: torch.Tensor | None, single: bool
) -> torch.Tensor:
    """Add one bias per output channel; give a single image back as one 2-D map."""
    if bias is not None:
        y = y + bias[:, None, None]
    return y[0, 0] if single else y


def cross_correlate2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | Real | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> torch.Tensor:
    """Cross-correlation with plain loops over output positions, as F.conv2d computes.

    >>> image = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    >>> cross_correlate2d(image, torch.tensor([[1.0, 0.0], [0.0, -1.0]]))
    tensor([[-4., -4.],
            [-4., -4.]])
    """
    x, weight, bias, single = _as_batch(x, weight, bias)
    (s_h, s_w), (p_h, p_w), (out_h, out_w) = _geometry(x, weight, stride, padding)
    k_h, k_w = weight.shape[2:]
    padded = F.pad(x, (p_w, p_w, p_h, p_h))
    y = x.new_zeros(x.shape[0], weight.shape[0], out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            patch = padded[:, :, i * s_h : i * s_h + k_h, j * s_w : j * s_w + k_w]
            # Dot product of the patch with every kernel: (N, 1, ...) * (1, K, ...).
            y[:, :, i, j] = (patch[:, None] * weight[None]).sum(dim=(2, 3, 4))
    return _add_bias_and_unbatch(y, bias, single)


def cross_correlate2d_unfold(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | Real | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> torch.Tensor:
    """Cross-correlation as im2col: unfold every patch into a column, then one matmul.

    >>> image = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    >>> cross_correlate2d_unfold(image, torch.tensor([[1.0, 0.0], [0.0, -1.0]]))
    tensor([[-4., -4.],
            [-4., -4.]])
    """
    x, weight, bias, single = _as_batch(x, weight, bias)
    stride_hw, padding_hw, (out_h, out_w) = _geometry(x, weight, stride, padding)
    columns = F.unfold(x, weight.shape[2:], padding=padding_hw, stride=stride_hw)
    # (K, C*kh*kw) @ (N, C*kh*kw, L) -> (N, K, L): every kernel against every patch.
    y = weight.reshape(weight.shape[0], -1) @ columns
    y = y.reshape(x.shape[0], weight.shape[0], out_h, out_w)
    return _add_bias_and_unbatch(y, bias, single)


def convolve2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | Real | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> torch.Tensor:
    """True convolution: cross-correlation with the kernel rotated by 180 degrees.

    >>> image = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    >>> convolve2d(image, torch.tensor([[1.0, 0.0], [0.0, -1.0]]))
    tensor([[4., 4.],
            [4., 4.]])
    """
    # Flip only what has two spatial axes; anything else is refused, with a
    # message, by the cross-correlation.
    if isinstance(weight, torch.Tensor) and weight.dim() >= 2:
        weight = weight.flip(-2, -1)
    return cross_correlate2d_unfold(x, weight, bias, stride, padding)


@dataclass(frozen=True)
class ConvArithmetic:
    """What a convolution with these settings does along one axis, valid or not."""

    input_size: int
    kernel_size: int
    stride: int
    padding: int
    in_channels: int
    out_channels: int
    # The output-size formula with the numbers filled in.
    formula: str
    # Window start offsets in padded coordinates, as PyTorch would place them.
    starts: tuple[int, ...]
    # Padded cells at the end that no window reaches (PyTorch drops them).
    leftover: int
    # Why the settings are invalid, in conv_output_size's words; None if valid.
    error: str | None
    parameters: int

    @property
    def valid(self) -> bool:
        """True when the windows tile the padded input exactly."""
        return self.error is None

    @property
    def output_size(self) -> int | None:
        """Output side length by the formula, or None for an invalid setting."""
        return len(self.starts) if self.valid else None

    @property
    def floored_size(self) -> int:
        """Output side length PyTorch gives (0 when the kernel does not fit)."""
        return len(self.starts)

    def summary(self) -> str:
        """A few plain lines saying what the explorer shows for this setting."""
        lines = [f"output size: {self.formula}"]
        if self.valid:
            size = self.output_size
            lines.append(f"output grid: {size} x {size} = {size * size} positions")
        else:
            lines.append(f"invalid: {self.error}")
            if self.starts:
                lines.append(
                    f"PyTorch floors instead: {self.floored_size} x "
                    f"{self.floored_size}, ignoring the last {self.leftover} "
                    "padded row(s) and column(s)"
                )
        weights = self.kernel_size**2 * self.in_channels
        lines.append(
            f"parameters: {self.kernel_size}*{self.kernel_size}*{self.in_channels}"
            f"*{self.out_channels} + {self.out_channels} = {self.parameters:,} "
            f"({weights} weights per filter), whatever the input size"
        )
        return "\n".join(lines)


def conv_arithmetic(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    in_channels: int = 1,
    out_channels: int = 1,
) -> ConvArithmetic:
    """Formula, window positions and parameter count of a square convolution.

    Invalid combinations are reported in the result (the explorer flags them),
    not raised; wrong types and out-of-range values still raise.

    >>> conv_arithmetic(7, 3, stride=2).output_size
    3
    >>> conv_arithmetic(8, 3, stride=2).valid, conv_arithmetic(8, 3, 2).floored_size
    (False, 3)
    """
    input_size = whole_number("input_size", input_size, 1)
    kernel_size = whole_number("kernel_size", kernel_size, 1)
    stride = whole_number("stride", stride, 1)
    padding = whole_number("padding", padding, 0)
    parameters = conv_params(in_channels, out_channels, kernel_size)
    span = input_size + 2 * padding - kernel_size
    starts = tuple(range(0, span + 1, stride))
    try:
        conv_output_size(input_size, kernel_size, stride, padding)
        error = None
    except ValueError as invalid:
        error = str(invalid)
    formula = _size_formula(input_size, kernel_size, stride, padding)
    leftover = span - starts[-1] if starts else 0
    return ConvArithmetic(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        in_channels=in_channels,
        out_channels=out_channels,
        formula=formula,
        starts=starts,
        leftover=leftover,
        error=error,
        parameters=parameters,
    )


def conv_as_matrix(
    weight: torch.Tensor,
    input_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> torch.Tensor:
    """The dense matrix of a convolution: flattened input (C*H*W) to output (K*Ho*Wo).

    `weight` is (K, C, kh, kw) as in `F.conv2d`, or one (kh, kw) kernel; the
    output size is floored as `F.conv2d` does. Every non-zero entry is a copy of
    a kernel weight; the rest are forced zeros.

    >>> conv_as_matrix(torch.tensor([[1.0, 2.0]]), (1, 3))
    tensor([[1., 2., 0.],
            [0., 1., 2.]])
    """
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.dim() == 2:
        weight = weight[None, None]
    if weight.dim() != 4:
        raise ValueError(
            f"weight must be (kh, kw) or (K, C, kh, kw), got {tuple(weight.shape)}"
        )
    out_channels, in_channels, k_h, k_w = weight.shape
    in_h, in_w = int_pair("input_size", input_size, 1)
    s_h, s_w = int_pair("stride", stride, 1)
    p_h, p_w = int_pair("padding", padding, 0)
    # Floored like F.conv2d: positions a stride cannot reach are dropped.
    out_h, out_w = _output_shape(
        (in_h, in_w), (k_h, k_w), (s_h, s_w), (p_h, p_w), floor=True
    )
    # Every (k, i, j, c, u, v): output (k, i, j) reads input pixel
    # (c, i*s - p + u, j*s - p + v) with weight[k, c, u, v].
    k, i, j, c, u, v = torch.meshgrid(
        *(torch.arange(n) for n in (out_channels, out_h, out_w, in_channels, k_h, k_w)),
        indexing="ij",
    )
    row, col = i * s_h - p_h + u, j * s_w - p_w + v
    # Taps that land on padding read a zero: they leave no entry in the matrix.
    inside = (row >= 0) & (row < in_h) & (col >= 0) & (col < in_w)
    output_index = (k * out_h + i) * out_w + j
    input_index = (c * in_h + row) * in_w + col
    matrix = weight.new_zeros(out_channels * out_h * out_w, in_channels * in_h * in_w)
    matrix[output_index[inside], input_index[inside]] = weight[k, c, u, v][inside]
    return matrix


def receptive_field(num_layers: int, kernel_size: int, dilation: int = 1) -> int:
    """Side of the input window one output sees after L stacked k x k stride-1 layers.

    Each layer widens the window by d(k - 1) pixels: L d (k - 1) + 1; no layer
    sees one pixel. Exercise 3 asks learners to write the same function with
    `kernel_size=3` as a default; its answer key is
    `book.grading.references.receptive_field`, which must agree with this one.

    >>> receptive_field(1, 3), receptive_field(3, 3), receptive_field(2, 5)
    (3, 7, 9)
    >>> receptive_field(0, 3), receptive_field(3, 3, dilation=2)
    (1, 13)
    """
    num_layers = whole_number("num_layers", num_layers, 0)
    kernel_size = whole_number("kernel_size", kernel_size, 1)
    dilation = whole_number("dilation", dilation, 1)
    return num_layers * dilation * (kernel_size - 1) + 1


def gradient_receptive_field(model: nn.Module, input_size: int) -> int:
    """Measured receptive field: width of the input region the centre output depends on.

    Backpropagates from the centre pixel of the first output channel of `model`
    (which must keep the spatial size) to a (1, C, S, S) input of ones, and
    counts the columns where the gradient is not exactly zero.
    """
    input_size = whole_number("input_size", input_size, 1)
    first = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    if first is None:
        raise ValueError("model has no nn.Conv2d, so its input channels are unknown")
    x = torch.ones(1, first.in_channels, input_size, input_size, requires_grad=True)
    y = model(x)
    if tuple(y.shape[2:]) != (input_size, input_size):
        raise ValueError(
            f"model must keep the spatial size {input_size} x {input_size}, "
            f"got an output of {tuple(y.shape[2:])}"
        )
    centre = input_size // 2
    (grad,) = torch.autograd.grad(y[0, 0, centre, centre], x)
    reached = (grad[0] != 0).any(dim=(0, 1)).nonzero()
    if len(reached) == 0:
        return 0
    return int(reached.max() - reached.min() + 1)


@dataclass(frozen=True)
class WindowFrame:
    """One step of a kernel sliding over an image (stride 1, no padding).

    The window's top-left corner is (row, col); `products` is the window times
    the kernel, elementwise; `total` their sum, which fills output (row, col);
    `output` is the map with the cells of this and every earlier step filled
    and NaN elsewhere.
    """

    index: int
    count: int
    row: int
    col: int
    patch: torch.Tensor
    products: torch.Tensor
    total: float
    output: torch.Tensor

    def summary(self) -> str:
        """The frame in one sentence: the page's text alternative says the same."""
        rows = "; ".join(
            ", ".join(number(v) for v in row) for row in self.products.tolist()
        )
        return (
            f"position {self.index + 1} of {self.count}: window at row {self.row}, "
            f"column {self.col}; products [{rows}]; their sum {number(self.total)} "
            f"fills output ({self.row}, {self.col})"
        )


def number(value: float) -> str:
    """A whole number without decimals, anything else with four (as the page).

    >>> number(3.0), number(-0.0), number(0.25)
    ('3', '0', '0.2500')
    """
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


def window_frames(image: torch.Tensor, kernel: torch.Tensor) -> list[WindowFrame]:
    """Every position of `kernel` over `image`, row by row: the cross-correlation
    `F.conv2d` computes, one output cell at a time."""
    for name, value in (("image", image), ("kernel", kernel)):
        if not isinstance(value, torch.Tensor) or value.dim() != 2:
            shape = getattr(value, "shape", type(value).__name__)
            raise ValueError(f"{name} must be a 2-D tensor, got {shape}")
    height = image.shape[0] - kernel.shape[0] + 1
    width = image.shape[1] - kernel.shape[1] + 1
    if height < 1 or width < 1:
        raise ValueError(
            f"kernel {tuple(kernel.shape)} does not fit in image {tuple(image.shape)}"
        )
    output = torch.full((height, width), math.nan, dtype=image.dtype)
    frames = []
    for index in range(height * width):
        row, col = divmod(index, width)
        patch = image[row : row + kernel.shape[0], col : col + kernel.shape[1]]
        # + 0.0 turns the -0.0 of (-1) * 0 into a plain 0.0.
        products = patch * kernel + 0.0
        total = float(products.sum())
        output[row, col] = total
        frames.append(
            WindowFrame(
                index, height * width, row, col, patch, products, total, output.clone()
            )
        )
    return frames
