"""book.experiments.models: the classifiers the sample-efficiency study compares."""

from __future__ import annotations

import pytest
import torch

from book.experiments.models import digit_models, matched_width
from book.layers import LocallyConnected2d, count_parameters


@pytest.mark.parametrize("image_size", [8, 12])
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


@pytest.mark.parametrize("image_size", [8, 12, 16])
def test_the_small_fc_network_has_about_the_cnns_parameter_count(
    image_size: int,
) -> None:
    models = digit_models(image_size)
    small, cnn = (count_parameters(models[name]()) for name in ("small FC", "CNN"))
    # One more hidden unit changes the count by about 2 * width + pixels + 12.
    assert abs(small - cnn) <= image_size**2 + 2 * 40
    assert count_parameters(models["FC"]()) > 5 * cnn


def test_matched_width_is_the_closest_width() -> None:
    def count(hidden: int) -> int:
        return 145 * hidden + (hidden + 1) * hidden + (hidden + 1) * 10

    width = matched_width(144, 5000)
    assert all(
        abs(count(width) - 5000) <= abs(count(other) - 5000) for other in range(1, 80)
    )


def test_logistic_regression_is_one_linear_layer() -> None:
    model = digit_models(12)["logistic regression"]()
    assert count_parameters(model) == 144 * 10 + 10


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"image_size": 10},
            ValueError,
            "image_size must be a multiple of 4 .* got 10",
        ),
        ({"image_size": 2}, ValueError, "image_size must be at least 4, got 2"),
        ({"channels": (0, 4)}, ValueError, "channels must be positive, got 0"),
        ({"hidden": 2.5}, TypeError, "hidden must be an int, got 2.5"),
    ],
)
def test_digit_models_rejects_bad_input(
    kwargs: dict, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        digit_models(**kwargs)
