"""Turn an `nn.Sequential` into a plain layer list the explorers' JavaScript runs.

The digit explorer carries the weights of two small models in its widget state
and runs their forward pass in the reader's browser (`js/digit.js`), so the
page needs no kernel. The list is the whole contract between the two sides:
one dict per layer, with the layer's kind, its sizes and its tensors as
base64-encoded little-endian float32 (compact, and exactly the values PyTorch
multiplies with).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

Layer = dict[str, object]


def encode_tensor(tensor: torch.Tensor) -> dict[str, object]:
    """A tensor as {"shape": [...], "float32": base64 of its little-endian values}."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(tensor).__name__}")
    values = tensor.detach().to("cpu", torch.float32).contiguous().numpy()
    raw = values.astype("<f4", copy=False).tobytes()
    return {"shape": list(values.shape), "float32": base64.b64encode(raw).decode()}


def decode_tensor(encoded: dict[str, object]) -> torch.Tensor:
    """The inverse of `encode_tensor` (what the JavaScript side does)."""
    raw = base64.b64decode(str(encoded["float32"]))
    values = np.frombuffer(raw, dtype="<f4").reshape(encoded["shape"])
    return torch.from_numpy(values.copy())


def _pair(value: int | tuple[int, ...]) -> list[int]:
    return [value, value] if isinstance(value, int) else [int(v) for v in value]


def _refuse(layer: nn.Module, rule: str) -> None:
    raise ValueError(f"{layer!r} cannot be exported: {rule}")


def _linear(layer: nn.Linear) -> Layer:
    return {
        "kind": "linear",
        "in": layer.in_features,
        "out": layer.out_features,
        "weight": encode_tensor(layer.weight),
        "bias": None if layer.bias is None else encode_tensor(layer.bias),
    }


def _conv_padding(layer: nn.Conv2d) -> list[int]:
    """Numeric padding; 'same' only where it is symmetric (odd kernel, stride 1)."""
    if layer.padding == "valid":
        return [0, 0]
    if layer.padding == "same":
        if any(k % 2 == 0 for k in layer.kernel_size):
            _refuse(layer, "padding='same' needs odd kernel sides")
        return [k // 2 for k in layer.kernel_size]
    return _pair(layer.padding)


def _conv2d(layer: nn.Conv2d) -> Layer:
    if layer.groups != 1 or _pair(layer.dilation) != [1, 1]:
        _refuse(layer, "groups and dilation must be 1")
    if layer.padding_mode != "zeros":
        _refuse(layer, f"padding_mode must be 'zeros', not {layer.padding_mode!r}")
    return {
        "kind": "conv2d",
        "in": layer.in_channels,
        "out": layer.out_channels,
        "kernel": _pair(layer.kernel_size),
        "stride": _pair(layer.stride),
        "padding": _conv_padding(layer),
        "weight": encode_tensor(layer.weight),
        "bias": None if layer.bias is None else encode_tensor(layer.bias),
    }


def _window(layer: nn.MaxPool2d | nn.AvgPool2d) -> Layer:
    if layer.ceil_mode:
        _refuse(layer, "ceil_mode must be False")
    return {
        "kernel": _pair(layer.kernel_size),
        "stride": _pair(layer.stride),
        "padding": _pair(layer.padding),
    }


def _max_pool(layer: nn.MaxPool2d) -> Layer:
    if _pair(layer.dilation) != [1, 1] or layer.return_indices:
        _refuse(layer, "dilation must be 1 and return_indices False")
    return {"kind": "maxpool2d", **_window(layer)}


def _avg_pool(layer: nn.AvgPool2d) -> Layer:
    if layer.divisor_override is not None:
        _refuse(layer, "divisor_override must be None")
    return {
        "kind": "avgpool2d",
        **_window(layer),
        "count_include_pad": bool(layer.count_include_pad),
    }


def _adaptive(kind: str) -> Callable[[nn.Module], Layer]:
    def export(layer: nn.AdaptiveMaxPool2d | nn.AdaptiveAvgPool2d) -> Layer:
        if getattr(layer, "return_indices", False):
            _refuse(layer, "return_indices must be False")
        size = layer.output_size
        # None keeps the input's size along that axis; JavaScript gets null.
        sides = [size, size] if isinstance(size, int) or size is None else size
        return {"kind": kind, "output": list(sides)}

    return export


def _flatten(layer: nn.Flatten) -> Layer:
    if layer.start_dim != 1 or layer.end_dim != -1:
        _refuse(layer, "only Flatten(start_dim=1, end_dim=-1) is supported")
    return {"kind": "flatten"}


def _batch_norm(layer: nn.BatchNorm1d | nn.BatchNorm2d) -> Layer:
    """Evaluation-mode batch norm is a per-channel scale and shift."""
    if layer.running_mean is None:
        _refuse(layer, "it needs running statistics (track_running_stats=True)")
    scale = torch.rsqrt(layer.running_var + layer.eps)
    shift = -layer.running_mean * scale
    if layer.affine:
        scale, shift = scale * layer.weight, shift * layer.weight + layer.bias
    return {
        "kind": "channel_affine",
        "scale": encode_tensor(scale),
        "shift": encode_tensor(shift),
    }


EXPORTERS: dict[type[nn.Module], Callable[[nn.Module], Layer]] = {
    nn.Linear: _linear,
    nn.Conv2d: _conv2d,
    nn.ReLU: lambda layer: {"kind": "relu"},
    nn.MaxPool2d: _max_pool,
    nn.AvgPool2d: _avg_pool,
    nn.AdaptiveMaxPool2d: _adaptive("adaptivemaxpool2d"),
    nn.AdaptiveAvgPool2d: _adaptive("adaptiveavgpool2d"),
    nn.Flatten: _flatten,
    nn.BatchNorm1d: _batch_norm,
    nn.BatchNorm2d: _batch_norm,
    # Identity at evaluation time, which is when the explorer runs a model.
    nn.Dropout: lambda layer: None,
    nn.Identity: lambda layer: None,
}


def export_sequential(model: nn.Sequential) -> list[Layer]:
    """The layers of `model` (nested Sequentials flattened) as JSON-ready dicts.

    Refuses, naming the layer and the rule, anything the JavaScript forward pass
    would compute differently from PyTorch.

    >>> [layer["kind"] for layer in export_sequential(
    ...     nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten()))]
    ['conv2d', 'relu', 'flatten']
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"model must be an nn.Sequential, got {type(model).__name__}: the "
            "browser runs a plain list of layers"
        )
    layers: list[Layer] = []
    for layer in model:
        if isinstance(layer, nn.Sequential):
            layers += export_sequential(layer)
            continue
        export = EXPORTERS.get(type(layer))
        if export is None:
            supported = ", ".join(sorted(kind.__name__ for kind in EXPORTERS))
            raise ValueError(
                f"{layer!r} cannot be exported: the browser's forward pass knows "
                f"only {supported} (and nested Sequential)"
            )
        exported = export(layer)
        if exported is not None:
            layers.append(exported)
    return layers
