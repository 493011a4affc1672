"""The sample-efficiency study: test accuracy against the number of training images.

Each model is trained on the first N images of a seeded split, for each N and
seed, with about the same number of optimiser steps whatever N is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import torch
from tqdm.auto import tqdm

from book.data import train_test_split
from book.experiments.models import ModelFactory, seeded_model
from book.experiments.results import SeededAccuracy
from book.training import accuracy, single_threaded, train_classifier
from book.validation import whole_number


@dataclass
class SampleEfficiency(SeededAccuracy):
    """Test accuracy per model, seed and training-set size.

    The curves are the models, the points the training-set sizes.
    """

    point_name: ClassVar[str] = "size"
    curve_name: ClassVar[str] = "model"

    sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    # accuracy[model][i][j]: trained with seeds[i] on the first sizes[j] images.
    accuracy: dict[str, list[list[float]]]


def _empty_result(
    models: Mapping[str, ModelFactory],
    num_images: int,
    sizes: Sequence[int],
    seeds: Sequence[int],
    test_fraction: float,
) -> SampleEfficiency:
    """The checked settings with every accuracy still 0.0, or a ValueError."""
    if not models:
        raise ValueError("models is empty: give at least one name -> factory")
    if len(seeds) == 0:
        raise ValueError("seeds is empty: give at least one seed, e.g. [0]")
    seeds = tuple(whole_number("seed", seed, 0) for seed in seeds)
    if len(sizes) == 0:
        raise ValueError("sizes is empty: give at least one training-set size")
    pool_size = num_images - round(num_images * test_fraction)
    sizes = tuple(whole_number("size", size, 1) for size in sizes)
    if max(sizes) > pool_size:
        raise ValueError(
            f"size {max(sizes)} is more than the {pool_size} training images left "
            f"after holding out test_fraction={test_fraction} of {num_images}"
        )
    return SampleEfficiency(
        sizes=sizes,
        seeds=seeds,
        accuracy={name: [[0.0] * len(sizes) for _ in seeds] for name in models},
    )


def _trained_accuracy(
    make: ModelFactory,
    seed: int,
    split: tuple[torch.Tensor, ...],
    size: int,
    *,
    num_steps: int,
    batch_size: int,
    lr: float,
) -> float:
    """Test accuracy of `make()` trained on the first `size` images of `split`."""
    x_pool, x_test, y_pool, y_test = split
    batch = min(batch_size, size)
    # About num_steps Adam steps whatever the size: whole epochs, rounded up.
    num_epochs = math.ceil(num_steps / math.ceil(size / batch))
    model = seeded_model(make, seed)
    train_classifier(
        model,
        x_pool[:size],
        y_pool[:size],
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch,
        seed=seed,
        progress=False,
    )
    return accuracy(model, x_test, y_test)


def sample_efficiency(
    models: Mapping[str, ModelFactory],
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    sizes: Sequence[int],
    seeds: Sequence[int],
    num_steps: int = 300,
    test_fraction: float = 0.3,
    batch_size: int = 32,
    lr: float = 3e-3,
    progress: bool = True,
    desc: str = "sample efficiency",
) -> SampleEfficiency:
    """Train every model on the first N images of a seeded split, for each N and seed.

    Each run takes about `num_steps` Adam steps whatever N is, so small training
    sets are not also under-trained. Seed j fixes the split (hence the test
    set, shared by all models and sizes), the initial weights and batch order.
    Models get images of shape (N, 1, H, W).
    """
    result = _empty_result(models, len(images), sizes, seeds, test_fraction)
    num_steps = whole_number("num_steps", num_steps, 1)
    # One split per seed, whatever the size: a run takes the first N of its pool.
    splits = {
        seed: train_test_split(
            images[:, None], labels, test_fraction=test_fraction, seed=seed
        )
        for seed in result.seeds
    }
    runs = [
        (i, j, size, seed)
        for i, size in enumerate(result.sizes)
        for j, seed in enumerate(result.seeds)
    ]
    with single_threaded():
        for i, j, size, seed in tqdm(runs, desc=desc, disable=not progress):
            for name, make in models.items():
                result.accuracy[name][j][i] = _trained_accuracy(
                    make,
                    seed,
                    splits[seed],
                    size,
                    num_steps=num_steps,
                    batch_size=batch_size,
                    lr=lr,
                )
    return result
