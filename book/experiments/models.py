"""The models the studies compare: same depth, different priors."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from book.layers import LocallyConnected2d
from book.validation import whole_number

ModelFactory = Callable[[], nn.Module]


def seeded_model(make: ModelFactory, seed: int) -> nn.Module:
    """`make()` with its initial weights drawn under `seed`.

    fork_rng: the weights depend on the seed alone, not on what ran before, and
    the caller's generator is left where it was.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()


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
