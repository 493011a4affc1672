"""The hand-written stacked forward pass: what vmap over functional_call computes."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from book.experiments.models import digit_models, seeded_model
from book.experiments.stacked import stacked_forward
from book.layers import LocallyConnected2d


def stack(make, count: int = 3):
    models = [seeded_model(make, seed) for seed in range(count)]
    params, buffers = stack_module_state(models)
    params = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
    return params, buffers, copy.deepcopy(models[0]).to("meta")


def by_vmap(base, params, buffers, x):
    def forward(p, b, inputs):
        return functional_call(base, (p, b), (inputs,))

    return vmap(forward)(params, buffers, x)


def assert_same_as_vmap(make, x: torch.Tensor) -> None:
    """Outputs and every weight's gradient agree with vmap, to float rounding."""
    params, buffers, base = stack(make, len(x))
    forward = stacked_forward(base)
    assert forward is not None
    got, expected = forward(params, x), by_vmap(base, params, buffers, x)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)
    weights = list(params.values())
    target = torch.randn_like(expected)
    for a, b in zip(
        torch.autograd.grad((got * target).sum(), weights),
        torch.autograd.grad((expected * target).sum(), weights),
        strict=True,
    ):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(digit_models(8)))
def test_the_study_models_match_vmap(name: str) -> None:
    x = torch.randn(3, 5, 1, 8, 8)
    assert_same_as_vmap(digit_models(8)[name], x)


@pytest.mark.parametrize(
    "layer",
    [
        lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"),
        lambda: nn.Conv2d(2, 3, (3, 2), stride=2, padding=(1, 0), bias=False),
        lambda: nn.Conv2d(2, 3, 3, dilation=2, padding_mode="reflect", padding=2),
        lambda: nn.Conv2d(2, 3, (3, 5), padding=(1, 2), padding_mode="replicate"),
        lambda: nn.Conv2d(2, 3, (5, 3), padding=(2, 3), padding_mode="circular"),
        lambda: LocallyConnected2d(2, 3, 7, 3, stride=2, padding=1),
        lambda: LocallyConnected2d(2, 3, 7, (2, 3), bias=False),
    ],
)
def test_each_image_layer_matches_vmap_then_pooling_and_relu(layer) -> None:
    def make() -> nn.Module:
        return nn.Sequential(layer(), nn.MaxPool2d(2, ceil_mode=True), nn.ReLU())

    assert_same_as_vmap(make, torch.randn(2, 4, 2, 7, 7))


@pytest.mark.parametrize("pool", [nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d])
def test_global_pooling_and_a_linear_layer_on_images(pool) -> None:
    def make() -> nn.Module:
        return nn.Sequential(nn.Conv2d(1, 4, 3), pool(1), nn.Flatten(), nn.Linear(4, 2))

    assert_same_as_vmap(make, torch.randn(3, 6, 1, 9, 9))


def test_a_single_example_per_model_is_not_mistaken_for_another_layout() -> None:
    # With B = 1 every layout has stride 1 in the batch axis.
    local = digit_models(8)["locally connected"]
    assert_same_as_vmap(local, torch.randn(3, 1, 1, 8, 8))


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)),  # buffers
        lambda: nn.Sequential(nn.Conv2d(2, 2, 3, groups=2)),
        lambda: nn.Sequential(nn.Flatten(start_dim=2)),
        lambda: nn.Sequential(nn.Tanh()),
        lambda: nn.Sequential(nn.AdaptiveAvgPool2d(2)),
        lambda: nn.Sequential(nn.AdaptiveMaxPool2d(1, return_indices=True)),
        lambda: nn.Sequential(nn.MaxPool2d(2, return_indices=True)),
        lambda: nn.Conv2d(1, 2, 3),  # not a Sequential
    ],
)
def test_what_it_does_not_cover_is_left_to_vmap(make) -> None:
    assert stacked_forward(make()) is None
