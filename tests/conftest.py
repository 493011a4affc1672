"""Fixtures shared by the helper-package tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

MakeTensor = Callable[..., torch.Tensor]


def _random_tensor(*shape: int, seed: int = 0) -> torch.Tensor:
    """Seeded float64 values in [-1, 1): exact enough to compare implementations."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(*shape, generator=generator, dtype=torch.float64) * 2 - 1


@pytest.fixture(scope="session")
def random_tensor() -> MakeTensor:
    """`random_tensor(*shape, seed=0)`: a seeded float64 tensor, same every run."""
    return _random_tensor
