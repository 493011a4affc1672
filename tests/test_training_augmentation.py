"""shift_experiment with translation augmentation (train_max_shift)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from book.training import shift_experiment


def tiny_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(40, 4, 4, generator=generator)
    return images, torch.arange(40) % 2


class Recorder(nn.Module):
    """A linear model that remembers every batch it was trained on."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(100, 2)
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.seen.append(x.detach().clone())
        return self.linear(x.flatten(1))


@pytest.mark.parametrize("max_shift", [0, 2])
def test_training_positions_stay_within_max_shift(max_shift: int) -> None:
    images, labels = tiny_data()
    result = shift_experiment(
        Recorder,
        images,
        labels,
        canvas_size=10,
        shifts=[0],
        seeds=[0],
        num_epochs=1,
        train_max_shift=max_shift,
        progress=False,
    )
    seen = torch.cat(result.models[0].seen)[:, 0]
    inked = seen.abs().sum(dim=0) > 0
    rows = inked.any(dim=1).nonzero().flatten()
    cols = inked.any(dim=0).nonzero().flatten()
    # Centre corner is (3, 3); the 4-pixel image covers 3..6 without shifts.
    assert rows.min() == cols.min() == 3 - max_shift
    assert rows.max() == cols.max() == 6 + max_shift


def test_augmentation_refuses_bad_values() -> None:
    images, labels = tiny_data()
    common = dict(canvas_size=10, shifts=[0], seeds=[0], num_epochs=1, progress=False)
    with pytest.raises(ValueError, match="train_max_shift must be at least 0"):
        shift_experiment(Recorder, images, labels, train_max_shift=-1, **common)
    with pytest.raises(ValueError, match="needs square images"):
        shift_experiment(Recorder, images[:, :3], labels, train_max_shift=1, **common)
