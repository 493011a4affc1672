"""Experiments on inductive bias: the same digits, models with different priors.

- `digit_models()`: FC, locally connected and convolutional classifiers of the
  same depth for small square images.
- `sample_efficiency()`: test accuracy of each model against the number of
  training images, over several seeds, optionally with the pixels shuffled.
- `permute_pixels()`: one fixed shuffle of pixel positions, applied to every image.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from tqdm.auto import tqdm

from book.data import train_test_split
from book.layers import LocallyConnected2d
from book.training import accuracy, single_threaded, train_classifier
from book.validation import whole_number

ModelFactory = Callable[[], nn.Module]


def digit_models(
    image_size: int = 8, channels: tuple[int, int] = (8, 16), hidden: int = 128
) -> dict[str, ModelFactory]:
    """Factories for three classifiers of equal depth: two hidden layers and a head.

    "FC" flattens first; "locally connected" and "CNN" use 3 x 3 windows with
    padding 1, then 2 x 2 max pooling, the CNN with one kernel shared everywhere.

    >>> sorted(digit_models())
    ['CNN', 'FC', 'locally connected']
    """
    image_size = whole_number("image_size", image_size, 2)
    if image_size % 2:
        raise ValueError(f"image_size must be even for 2 x 2 pooling, got {image_size}")
    first, second = (whole_number("channels", c, 1) for c in channels)
    hidden = whole_number("hidden", hidden, 1)
    pooled = second * (image_size // 2) ** 2

    def fc() -> nn.Module:
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(image_size**2, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 10),
        )

    def local(layer: Callable[[int, int], nn.Module]) -> ModelFactory:
        def make() -> nn.Module:
            return nn.Sequential(
                layer(1, first),
                nn.ReLU(),
                layer(first, second),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Flatten(),
                nn.Linear(pooled, 10),
            )

        return make

    def conv(c_in: int, c_out: int) -> nn.Module:
        return nn.Conv2d(c_in, c_out, 3, padding=1)

    def locally_connected(c_in: int, c_out: int) -> nn.Module:
        return LocallyConnected2d(c_in, c_out, image_size, 3, padding=1)

    return {"FC": fc, "locally connected": local(locally_connected), "CNN": local(conv)}


def permute_pixels(images: torch.Tensor, permutation: torch.Tensor) -> torch.Tensor:
    """Rearrange the pixels of every (N, H, W) image by one permutation of H*W places.

    >>> permute_pixels(torch.arange(4.0).reshape(1, 2, 2), torch.tensor([3, 2, 1, 0]))
    tensor([[[3., 2.],
             [1., 0.]]])
    """
    if not isinstance(images, torch.Tensor) or images.dim() != 3:
        shape = getattr(images, "shape", type(images).__name__)
        raise ValueError(f"images must be a tensor of shape (N, H, W), got {shape}")
    count = images.shape[1] * images.shape[2]
    if sorted(permutation.tolist()) != list(range(count)):
        raise ValueError(
            f"permutation must hold each of 0..{count - 1} once, for the {count} "
            f"pixels of a {images.shape[1]} x {images.shape[2]} image"
        )
    return images.flatten(1)[:, permutation].reshape(images.shape)


@dataclass
class SampleEfficiency:
    """Test accuracy per model, training-set size and seed."""

    sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    # accuracy[model][i][j]: trained on sizes[i] images with seeds[j].
    accuracy: dict[str, list[list[float]]]

    def mean(self, model: str) -> list[float]:
        """Mean test accuracy over the seeds, one value per training-set size."""
        return [sum(row) / len(row) for row in self._rows(model)]

    def at(self, model: str, size: int) -> list[float]:
        """Test accuracy of every seed for one training-set size."""
        if size not in self.sizes:
            raise ValueError(f"size {size} was not measured; sizes: {self.sizes}")
        return self._rows(model)[self.sizes.index(size)]

    def _rows(self, model: str) -> list[list[float]]:
        if model not in self.accuracy:
            raise ValueError(
                f"model {model!r} was not trained; models: {tuple(self.accuracy)}"
            )
        return self.accuracy[model]


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
    if not models:
        raise ValueError("models is empty: give at least one name -> factory")
    if len(seeds) == 0:
        raise ValueError("seeds is empty: give at least one seed, e.g. [0]")
    seeds = tuple(whole_number("seed", seed, 0) for seed in seeds)
    num_steps = whole_number("num_steps", num_steps, 1)
    if len(sizes) == 0:
        raise ValueError("sizes is empty: give at least one training-set size")
    pool_size = len(images) - round(len(images) * test_fraction)
    sizes = tuple(whole_number("size", size, 1) for size in sizes)
    if max(sizes) > pool_size:
        raise ValueError(
            f"size {max(sizes)} is more than the {pool_size} training images left "
            f"after holding out test_fraction={test_fraction} of {len(images)}"
        )
    result = SampleEfficiency(
        sizes=sizes,
        seeds=seeds,
        accuracy={name: [[] for _ in sizes] for name in models},
    )
    # One split per seed, whatever the size: a run takes the first N of its pool.
    splits = {
        seed: train_test_split(
            images[:, None], labels, test_fraction=test_fraction, seed=seed
        )
        for seed in seeds
    }
    runs = [(i, seed) for i in range(len(sizes)) for seed in seeds]
    with single_threaded():
        for i, seed in tqdm(runs, desc=desc, disable=not progress):
            x_pool, x_test, y_pool, y_test = splits[seed]
            x_train, y_train = x_pool[: sizes[i]], y_pool[: sizes[i]]
            batch = min(batch_size, sizes[i])
            num_epochs = math.ceil(num_steps / math.ceil(sizes[i] / batch))
            for name, make in models.items():
                # fork_rng: the weights depend on the seed alone, not on what ran
                # before, and the caller's generator is left untouched.
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(seed)
                    model = make()
                train_classifier(
                    model,
                    x_train,
                    y_train,
                    num_epochs=num_epochs,
                    lr=lr,
                    batch_size=batch,
                    seed=seed,
                    progress=False,
                )
                result.accuracy[name][i].append(accuracy(model, x_test, y_test))
    return result
