"""The models the studies compare: same depth, different priors."""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch
from torch import nn

from book.layers import LocallyConnected2d
from book.validation import whole_number

ModelFactory = Callable[[], nn.Module]
_GLOBAL_GENERATOR = threading.Lock()


def seeded_model(make: ModelFactory, seed: int) -> nn.Module:
    """`make()` with its initial weights drawn under `seed`.

    fork_rng: the weights depend on the seed alone, not on what ran before, and
    the caller's generator is left where it was. The global generator is shared
    by all threads: the lock keeps jobs running side by side
    (`book.training.side_by_side`) from seeding it between each other's draws.
    """
    with _GLOBAL_GENERATOR, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()


def _fc(inputs: int, hidden: int) -> ModelFactory:
    def make() -> nn.Module:
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(inputs, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 10),
        )

    return make


def matched_width(inputs: int, parameters: int) -> int:
    """Hidden width of a two-hidden-layer FC classifier closest to `parameters`.

    >>> matched_width(144, 2698)
    16
    """

    def count(hidden: int) -> int:
        return (inputs + 1) * hidden + (hidden + 1) * hidden + (hidden + 1) * 10

    return min(range(1, parameters + 1), key=lambda h: abs(count(h) - parameters))


def digit_models(
    image_size: int = 12, channels: tuple[int, int] = (8, 16), hidden: int = 128
) -> dict[str, ModelFactory]:
    """Factories for the classifiers the sample-efficiency study compares.

    "FC" flattens first, then two hidden layers of `hidden` units. "locally
    connected" and "CNN" have two 3 x 3 layers (padding 1), each followed by
    2 x 2 max pooling, then a linear head; the CNN shares one kernel per channel
    pair everywhere. "small FC" is the FC model with as many parameters as the
    CNN; "logistic regression" is one linear layer on the pixels.

    >>> sorted(digit_models())
    ['CNN', 'FC', 'locally connected', 'logistic regression', 'small FC']
    """
    image_size = whole_number("image_size", image_size, 4)
    if image_size % 4:
        raise ValueError(
            f"image_size must be a multiple of 4 (two 2 x 2 poolings), got {image_size}"
        )
    first, second = (whole_number("channels", c, 1) for c in channels)
    hidden = whole_number("hidden", hidden, 1)
    pixels = image_size**2
    pooled = second * (image_size // 4) ** 2

    def local(layer: Callable[[int, int, int], nn.Module]) -> ModelFactory:
        def make() -> nn.Module:
            # Pooling before ReLU: the same function (both keep the order of
            # values), with a quarter of the values to rectify.
            return nn.Sequential(
                layer(1, first, image_size),
                nn.MaxPool2d(2),
                nn.ReLU(),
                layer(first, second, image_size // 2),
                nn.MaxPool2d(2),
                nn.ReLU(),
                nn.Flatten(),
                nn.Linear(pooled, 10),
            )

        return make

    def conv(c_in: int, c_out: int, _size: int) -> nn.Module:
        return nn.Conv2d(c_in, c_out, 3, padding=1)

    def locally_connected(c_in: int, c_out: int, size: int) -> nn.Module:
        return LocallyConnected2d(c_in, c_out, size, 3, padding=1)

    cnn = local(conv)
    with torch.device("meta"):
        cnn_parameters = sum(p.numel() for p in cnn().parameters())

    def logistic_regression() -> nn.Module:
        return nn.Sequential(nn.Flatten(), nn.Linear(pixels, 10))

    return {
        "FC": _fc(pixels, hidden),
        "small FC": _fc(pixels, matched_width(pixels, cnn_parameters)),
        "locally connected": local(locally_connected),
        "CNN": cnn,
        "logistic regression": logistic_regression,
    }
