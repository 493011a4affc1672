"""book.experiments.models: three classifiers of equal depth, different priors."""

from __future__ import annotations

import pytest
import torch

from book.experiments.models import digit_models
from book.layers import LocallyConnected2d


@pytest.mark.parametrize("image_size", [8, 10])
def test_every_model_maps_images_to_ten_scores(image_size: int) -> None:
    for name, make in digit_models(image_size).items():
        model = make()
        assert model(torch.zeros(5, 1, image_size, image_size)).shape == (5, 10), name


def test_only_the_cnn_shares_weights() -> None:
    models = digit_models(8, channels=(4, 8))
    local, cnn = models["locally connected"](), models["CNN"]()
    assert isinstance(local[0], LocallyConnected2d)
    assert isinstance(cnn[0], torch.nn.Conv2d)
    # Same windows and channels: the locally connected layer has one kernel per
    # output position (64 of them) where the convolution has one.
    assert local[0].weight.numel() == 64 * cnn[0].weight.numel()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"image_size": 9}, ValueError, "image_size must be even .* got 9"),
        ({"image_size": 1}, ValueError, "image_size must be at least 2, got 1"),
        ({"channels": (0, 4)}, ValueError, "channels must be positive, got 0"),
        ({"hidden": 2.5}, TypeError, "hidden must be an int, got 2.5"),
    ],
)
def test_digit_models_rejects_bad_input(
    kwargs: dict, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        digit_models(**kwargs)
