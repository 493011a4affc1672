"""The layer list the browser's forward pass runs: complete, exact, or refused.

That the JavaScript forward pass equals PyTorch on these lists is checked in
Chromium by test_in_browser.py.
"""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from book.explorers.export import decode_tensor, encode_tensor, export_sequential


def test_tensors_round_trip_exactly_as_float32(random_tensor) -> None:
    tensor = random_tensor(3, 4, 5).float()
    encoded = encode_tensor(tensor)
    assert encoded["shape"] == [3, 4, 5]
    assert torch.equal(decode_tensor(json.loads(json.dumps(encoded))), tensor)


def test_float64_tensors_travel_as_their_float32_values(random_tensor) -> None:
    tensor = random_tensor(7, seed=1)
    assert torch.equal(decode_tensor(encode_tensor(tensor)), tensor.float())


def test_every_supported_layer_exports_its_sizes() -> None:
    model = nn.Sequential(
        nn.Conv2d(1, 4, (3, 5), stride=(1, 2), padding=(1, 2)),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=1, padding=1),
        nn.Sequential(nn.AvgPool2d(3, count_include_pad=False), nn.Dropout()),
        nn.AdaptiveMaxPool2d((2, None)),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 3, bias=False),
        nn.Identity(),
    )
    layers = export_sequential(model)
    assert [layer["kind"] for layer in layers] == [
        "conv2d",
        "channel_affine",
        "relu",
        "maxpool2d",
        "avgpool2d",
        "adaptivemaxpool2d",
        "adaptiveavgpool2d",
        "flatten",
        "linear",
    ]
    conv = layers[0]
    assert (conv["kernel"], conv["stride"], conv["padding"]) == ([3, 5], [1, 2], [1, 2])
    assert torch.equal(decode_tensor(conv["weight"]), model[0].weight.detach())
    assert layers[3]["padding"] == [1, 1] and layers[3]["stride"] == [1, 1]
    assert layers[4]["count_include_pad"] is False
    assert layers[5]["output"] == [2, None]
    assert layers[6]["output"] == [1, 1]
    assert layers[8]["bias"] is None
    # The whole list is plain JSON, as the widget state needs it.
    json.dumps(layers)


def test_batch_norm_becomes_its_evaluation_scale_and_shift(random_tensor) -> None:
    norm = nn.BatchNorm2d(3)
    norm.running_mean.copy_(random_tensor(3).float())
    norm.running_var.copy_(random_tensor(3, seed=2).float().abs() + 0.5)
    nn.init.uniform_(norm.weight)
    nn.init.uniform_(norm.bias)
    (layer,) = export_sequential(nn.Sequential(norm))
    x = random_tensor(1, 3, 4, 4, seed=3).float()
    scale = decode_tensor(layer["scale"])[None, :, None, None]
    shift = decode_tensor(layer["shift"])[None, :, None, None]
    torch.testing.assert_close(x * scale + shift, norm.eval()(x))


def test_padding_same_and_valid_become_numbers() -> None:
    layers = export_sequential(
        nn.Sequential(nn.Conv2d(1, 1, 5, padding="same"), nn.Conv2d(1, 1, 3))
    )
    assert [layer["padding"] for layer in layers] == [[2, 2], [0, 0]]


@pytest.mark.parametrize(
    ("layer", "pattern"),
    [
        (nn.Conv2d(2, 2, 3, groups=2), "groups and dilation must be 1"),
        (nn.Conv2d(1, 1, 3, dilation=2), "groups and dilation must be 1"),
        (nn.Conv2d(1, 1, 3, padding=1, padding_mode="circular"), "padding_mode"),
        (nn.Conv2d(1, 1, 4, padding="same"), "odd kernel sides"),
        (nn.MaxPool2d(2, ceil_mode=True), "ceil_mode must be False"),
        (nn.AvgPool2d(2, divisor_override=3), "divisor_override"),
        (nn.Flatten(0), r"only Flatten\(start_dim=1"),
        (nn.BatchNorm2d(2, track_running_stats=False), "running statistics"),
        (nn.Tanh(), "knows only AdaptiveAvgPool2d, .*Linear"),
    ],
)
def test_layers_the_browser_would_get_wrong_are_refused(
    layer: nn.Module, pattern: str
) -> None:
    with pytest.raises(ValueError, match=pattern):
        export_sequential(nn.Sequential(layer))


def test_only_sequentials_are_exported() -> None:
    with pytest.raises(TypeError, match="must be an nn.Sequential, got Linear"):
        export_sequential(nn.Linear(2, 2))


def test_encode_refuses_what_is_not_a_tensor() -> None:
    with pytest.raises(TypeError, match="expected a torch.Tensor, got list"):
        encode_tensor([1.0, 2.0])
