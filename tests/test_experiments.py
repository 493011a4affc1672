"""Inductive-bias experiments: models, pixel shuffling, the sample-efficiency runner."""

from __future__ import annotations

import pytest
import torch

from book.data import load_digits
from book.experiments import (
    SampleEfficiency,
    digit_models,
    permute_pixels,
    sample_efficiency,
)
from book.layers import LocallyConnected2d


def small_run(**overrides: object) -> SampleEfficiency:
    images, labels = load_digits()
    arguments = {
        "sizes": [20, 60],
        "seeds": [0, 1],
        "num_steps": 5,
        "progress": False,
    }
    arguments.update(overrides)
    models = {k: v for k, v in digit_models().items() if k != "locally connected"}
    return sample_efficiency(models, images[:300], labels[:300], **arguments)


# --- digit_models ----------------------------------------------------------------


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


# --- permute_pixels --------------------------------------------------------------


def test_permutation_moves_every_pixel_and_can_be_undone() -> None:
    images = torch.rand(3, 4, 4, generator=torch.Generator().manual_seed(0))
    permutation = torch.randperm(16, generator=torch.Generator().manual_seed(1))
    shuffled = permute_pixels(images, permutation)
    assert torch.equal(shuffled.flatten(1), images.flatten(1)[:, permutation])
    assert torch.equal(permute_pixels(shuffled, permutation.argsort()), images)


@pytest.mark.parametrize(
    ("images", "permutation", "message"),
    [
        (torch.zeros(2, 2), torch.arange(4), r"\(N, H, W\), got torch.Size"),
        (torch.zeros(1, 2, 2), torch.tensor([0, 1, 1, 3]), "each of 0..3 once"),
        (torch.zeros(1, 2, 2), torch.arange(5), "each of 0..3 once, for the 4"),
    ],
)
def test_permute_pixels_rejects_bad_input(
    images: torch.Tensor, permutation: torch.Tensor, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        permute_pixels(images, permutation)


# --- sample_efficiency -------------------------------------------------------------


def test_result_has_one_accuracy_per_model_size_and_seed() -> None:
    result = small_run()
    assert result.sizes == (20, 60) and result.seeds == (0, 1)
    assert set(result.accuracy) == {"FC", "CNN"}
    for rows in result.accuracy.values():
        assert len(rows) == 2 and all(len(row) == 2 for row in rows)
        assert all(0 <= a <= 1 for row in rows for a in row)
    assert len(result.mean("FC")) == 2
    assert result.at("CNN", 60) == result.accuracy["CNN"][1]


def test_runs_are_seeded_and_leave_the_global_generator_alone() -> None:
    torch.manual_seed(5)
    before = torch.get_rng_state()
    first = small_run()
    assert torch.equal(torch.get_rng_state(), before)
    assert first.accuracy == small_run().accuracy


def test_more_steps_and_more_data_learn() -> None:
    result = small_run(sizes=[200], seeds=[0], num_steps=150)
    assert min(result.at(name, 200)[0] for name in ("FC", "CNN")) > 0.7


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"sizes": []}, ValueError, "sizes is empty"),
        ({"sizes": [0]}, ValueError, "size must be positive, got 0"),
        ({"sizes": [250]}, ValueError, "size 250 is more than the 210 training"),
        ({"seeds": []}, ValueError, "seeds is empty"),
        ({"num_steps": 0}, ValueError, "num_steps must be positive, got 0"),
    ],
)
def test_sample_efficiency_rejects_bad_input(
    overrides: dict, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        small_run(**overrides)


def test_sample_efficiency_needs_models() -> None:
    images, labels = load_digits()
    with pytest.raises(ValueError, match="models is empty"):
        sample_efficiency({}, images, labels, sizes=[10], seeds=[0])


def test_lookups_name_what_was_not_measured() -> None:
    result = small_run(seeds=[0])
    with pytest.raises(
        ValueError, match=r"size 30 was not measured; sizes: \(20, 60\)"
    ):
        result.at("FC", 30)
    with pytest.raises(ValueError, match="model 'ViT' was not trained"):
        result.mean("ViT")
