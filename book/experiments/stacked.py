"""Many models of one architecture run at once, as a few large operations per layer.

`train_batched` keeps M models of one architecture as stacked weights: every
parameter gains a leading model axis. `torch.func.vmap` can run any such stack,
but on a CPU it pays for generality: a max-pooling of M models becomes one
pooling over a contiguous (M * B, C, H, W) tensor, PyTorch's slowest layout for
it, and a locally connected layer becomes thousands of tiny products.
`stacked_forward` writes the forward pass of a stack out by hand for the layers
the book's studies use, in the layout each layer runs fastest in:

- a convolution of M models is one grouped convolution over their channels,
  side by side ((B, M * C, H, W), channels last); padding other than zeros
  (one gather of pixels), pooling and ReLU act on that same tensor, and their
  gradients come back in its order;
- a locally connected layer gathers each output position's window once
  (`index_select` of rows of B values, in the order of the weight as stored,
  so the weight is never copied), then multiplies every model's
  position-specific kernels in one batched product; its output keeps the batch
  innermost, which pooling reads as (M, C * B, H, W), channels last again;
- a linear layer is one batched matrix product.

It computes what `vmap` computes, to float rounding (tested). A training step
of chapter 5's 25 CNNs took 24 ms under `vmap` and takes 11 ms; of its 25
locally connected networks, 47 ms and 22 ms (one thread of the 2-core machine
the book is timed on; `make bench-batched` compares whole studies). A model
with any other layer, or with buffers, gets None: the trainer then uses `vmap`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from book.layers import LocallyConnected2d

Tensors = dict[str, torch.Tensor]
# (stacked params, inputs (M, B, ...)) -> outputs (M, B, ...): a whole stack's
# forward pass, or one layer's.
StackedForward = Callable[[Tensors, torch.Tensor], torch.Tensor]


def stacked_forward(base: nn.Module) -> StackedForward | None:
    """The forward pass of a stack of `base`-shaped models, or None if not covered.

    Covered: an `nn.Sequential` without buffers of `nn.Flatten()`, `nn.ReLU`,
    `nn.Linear`, `nn.Conv2d` (groups 1), `nn.MaxPool2d`, global average and max
    pooling (`nn.AdaptiveAvgPool2d(1)`, `nn.AdaptiveMaxPool2d(1)`) and
    `LocallyConnected2d`, taking images (M, B, C, H, W) or vectors (M, B, n).
    """
    if not isinstance(base, nn.Sequential) or next(base.buffers(), None) is not None:
        return None
    steps = [_step(name, layer) for name, layer in base.named_children()]
    if any(step is None for step in steps):
        return None

    def forward(params: Tensors, x: torch.Tensor) -> torch.Tensor:
        for step in steps:
            x = step(params, x)
        return x

    return forward


def _step(name: str, layer: nn.Module) -> StackedForward | None:
    # The exact type: a subclass may change what forward does.
    build = _STEPS.get(type(layer))
    return None if build is None else build(name, layer)


def _grouped(x: torch.Tensor) -> torch.Tensor:
    """Images (M, B, C, H, W) as (B, M * C, H, W), channels last.

    Free when x came from a grouped layer; one copy otherwise.
    """
    models, batch, channels, height, width = x.shape
    side_by_side = x.permute(1, 0, 2, 3, 4).reshape(
        batch, models * channels, height, width
    )
    return side_by_side.contiguous(memory_format=torch.channels_last)


def _ungrouped(y: torch.Tensor, models: int) -> torch.Tensor:
    """(B, M * C, H, W) back to images (M, B, C, H, W), as a view."""
    return y.unflatten(1, (models, -1)).transpose(0, 1)


def _flatten(_name: str, layer: nn.Flatten) -> StackedForward | None:
    if (layer.start_dim, layer.end_dim) != (1, -1):
        return None
    return lambda _params, x: x.flatten(2)


def _relu(_name: str, layer: nn.ReLU) -> StackedForward:
    return lambda _params, x: F.relu(x)


def _linear(name: str, layer: nn.Linear) -> StackedForward:
    def step(params: Tensors, x: torch.Tensor) -> torch.Tensor:
        rows = x.flatten(1, -2)  # (M, everything but features, in)
        weight = params[f"{name}.weight"].transpose(1, 2)
        bias = params.get(f"{name}.bias")
        if bias is None:
            out = torch.bmm(rows, weight)
        else:
            out = torch.baddbmm(bias[:, None], rows, weight)
        return out.reshape(*x.shape[:-1], -1)

    return step


def _conv2d(name: str, layer: nn.Conv2d) -> StackedForward | None:
    if layer.groups != 1:
        return None
    # Zero padding is the convolution's own; other modes pad first, as nn.Conv2d does.
    zeros = layer.padding_mode == "zeros"
    padding = layer.padding if zeros else 0

    def step(params: Tensors, x: torch.Tensor) -> torch.Tensor:
        models = x.shape[0]
        images = _grouped(x)
        if not zeros:
            # nn.Conv2d's own padding list for its padding modes.
            images = _pad_channels_last(
                images, layer._reversed_padding_repeated_twice, layer.padding_mode
            )
        weight = params[f"{name}.weight"]
        bias = params.get(f"{name}.bias")
        y = F.conv2d(
            images,
            weight.flatten(0, 1),
            None if bias is None else bias.flatten(),
            layer.stride,
            padding,
            layer.dilation,
            groups=models,
        )
        return _ungrouped(y, models)

    return step


def _pad_channels_last(
    images: torch.Tensor, padding: list[int], mode: str
) -> torch.Tensor:
    """F.pad(images, padding, mode) of channels-last images, still channels last.

    Done as one gather of pixels (rows of C values) from a table of where each
    padded pixel comes from. F.pad's own circular padding builds its output
    slice by slice, and its backward pass fills and copies the whole gradient
    once per slice; its output is also no longer channels last. The position
    task's CNN (circular padding) spent 6 of its 16 ms per step there.
    """
    left, right, top, bottom = padding
    batch, channels, height, width = images.shape
    rows = _padded_positions(height, top, bottom, mode)
    cols = _padded_positions(width, left, right, mode)
    pixels = (rows[:, None] * width + cols[None]).flatten()
    flat = images.permute(0, 2, 3, 1).reshape(batch, height * width, channels)
    padded = flat.index_select(1, pixels)
    return padded.view(batch, len(rows), len(cols), channels).permute(0, 3, 1, 2)


def _reflected(positions: torch.Tensor, size: int) -> torch.Tensor:
    mirrored = positions.abs()
    return torch.where(mirrored < size, mirrored, 2 * (size - 1) - mirrored)


# For each padding mode of nn.Conv2d but zeros: (positions of a padded axis,
# from -before to size + after - 1; size) -> the input position each copies.
_SOURCE_POSITION: dict[str, Callable[[torch.Tensor, int], torch.Tensor]] = {
    "circular": lambda positions, size: positions % size,
    "replicate": lambda positions, size: positions.clamp(0, size - 1),
    "reflect": _reflected,
}


def _padded_positions(size: int, before: int, after: int, mode: str) -> torch.Tensor:
    """For each position of a padded axis, the position of the input it copies."""
    return _SOURCE_POSITION[mode](torch.arange(-before, size + after), size)


def _max_pool2d(_name: str, layer: nn.MaxPool2d) -> StackedForward | None:
    if layer.return_indices:
        return None

    def step(_params: Tensors, x: torch.Tensor) -> torch.Tensor:
        images, restore = _as_batch_of_images(x)
        y = F.max_pool2d(
            images,
            layer.kernel_size,
            layer.stride,
            layer.padding,
            layer.dilation,
            ceil_mode=layer.ceil_mode,
        )
        return restore(y)

    return step


def _as_batch_of_images(
    x: torch.Tensor,
) -> tuple[torch.Tensor, Callable[[torch.Tensor], torch.Tensor]]:
    """Images (M, B, C, H, W) as one 4-D channels-last batch, and the way back.

    A locally connected layer leaves the batch innermost: (M, C * B, H, W) is then
    a view. Otherwise the grouped layout (B, M * C, H, W).
    """
    models, batch, channels = x.shape[:3]
    if x.stride(1) == 1 and batch > 1:
        images = x.transpose(1, 2).reshape(models, channels * batch, *x.shape[3:])
        return (
            images.contiguous(memory_format=torch.channels_last),
            lambda y: y.unflatten(1, (channels, batch)).transpose(1, 2),
        )
    return _grouped(x), lambda y: _ungrouped(y, models)


def _global_average(_name: str, layer: nn.AdaptiveAvgPool2d) -> StackedForward | None:
    if layer.output_size not in (1, (1, 1)):
        return None
    return _global_pool(torch.mean)


def _global_max(_name: str, layer: nn.AdaptiveMaxPool2d) -> StackedForward | None:
    if layer.output_size not in (1, (1, 1)) or layer.return_indices:
        return None
    return _global_pool(torch.amax)


def _global_pool(reduce: Callable[..., torch.Tensor]) -> StackedForward:
    """Global pooling by `reduce` over each image's pixels.

    Reduced as (images, pixels, channels), the order channels-last images are
    stored in, the gradient comes back in that order too. Reduced over (H, W)
    of the (M, B, C, H, W) view, it came back in another order, and the ReLU
    before it took 2.3 ms per backward pass instead of 0.1 (the position task's
    CNN: a training step took 16 ms, now 6 with `_pad_channels_last`).
    """

    def step(_params: Tensors, x: torch.Tensor) -> torch.Tensor:
        images, restore = _as_batch_of_images(x)
        count, channels = images.shape[:2]
        pixels = images.permute(0, 2, 3, 1).reshape(count, -1, channels)
        return restore(reduce(pixels, dim=1)[:, :, None, None])

    return step


def _locally_connected(name: str, layer: LocallyConnected2d) -> StackedForward:
    (k_h, k_w), (s_h, s_w), (p_h, p_w) = layer.kernel_size, layer.stride, layer.padding
    channels, in_w = layer.in_channels, layer.input_size[1]
    out_h, out_w = layer.output_size
    # windows lists, for each output position, the (padded position, channel)
    # rows its kernel reads, in the weight's own (C, kh, kw) order.
    rows = torch.arange(out_h)[:, None] * s_h + torch.arange(k_h)[None]
    cols = torch.arange(out_w)[:, None] * s_w + torch.arange(k_w)[None]
    padded_w = in_w + 2 * p_w
    places = rows[:, None, :, None] * padded_w + cols[None, :, None, :]
    windows = places[:, :, None] * channels + torch.arange(channels)[:, None, None]
    windows = windows.flatten()  # (out_h * out_w * C * kh * kw)

    def step(params: Tensors, x: torch.Tensor) -> torch.Tensor:
        models, batch = x.shape[:2]
        # Positions and channels outermost, the batch innermost: (M, H, W, C, B).
        padded = F.pad(x.permute(0, 3, 4, 2, 1), (0, 0, 0, 0, p_w, p_w, p_h, p_h))
        # index_select copies whole rows of B values: faster than [] or unfold.
        patches = padded.flatten(1, 3).index_select(1, windows)
        patches = patches.view(models * out_h * out_w, -1, batch)  # (M*L, C*kh*kw, B)
        # The weight (M, h, w, K, C, kh, kw) as stored: (M*L, K, C*kh*kw), a view.
        weight = params[f"{name}.weight"].flatten(0, 2).flatten(2)
        bias = params.get(f"{name}.bias")
        if bias is None:
            y = torch.bmm(weight, patches)
        else:
            per_place = bias.flatten(2).transpose(1, 2).reshape(len(weight), -1, 1)
            y = torch.baddbmm(per_place, weight, patches)  # (M*L, K, B)
        # Left in this layout (batch innermost): pooling and ReLU take it as is.
        return y.view(models, out_h, out_w, -1, batch).permute(0, 4, 3, 1, 2)

    return step


_STEPS: dict[type, Callable[[str, nn.Module], StackedForward | None]] = {
    nn.Flatten: _flatten,
    nn.ReLU: _relu,
    nn.Linear: _linear,
    nn.Conv2d: _conv2d,
    nn.MaxPool2d: _max_pool2d,
    nn.AdaptiveAvgPool2d: _global_average,
    nn.AdaptiveMaxPool2d: _global_max,
    LocallyConnected2d: _locally_connected,
}
