"""Pixel correlation against distance: checked against NumPy and on known images."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from book.stats import pixel_correlation


def test_matches_numpy_corrcoef(random_tensor) -> None:
    images = random_tensor(3, 6, 9)
    result = pixel_correlation(images, 4)
    for distance, value in enumerate(result):
        left = images[..., : 9 - distance].flatten().numpy()
        right = images[..., distance:].flatten().numpy()
        assert value == pytest.approx(np.corrcoef(left, right)[0, 1])
    assert result[0] == pytest.approx(1.0)


def test_stripes_alternate_sign() -> None:
    stripes = torch.tensor([[0.0, 1.0] * 4] * 3)
    result = pixel_correlation(stripes, 3)
    assert result == pytest.approx([1.0, -1.0, 1.0, -1.0])


def test_noise_is_uncorrelated_and_smooth_images_are_not() -> None:
    generator = torch.Generator().manual_seed(0)
    noise = torch.rand(200, 200, generator=generator)
    smooth = torch.cumsum(noise, dim=1)
    assert abs(pixel_correlation(noise, 3)[3]) < 0.02
    assert pixel_correlation(smooth, 3)[3] > 0.9


@pytest.mark.parametrize(
    ("images", "distance", "error", "pattern"),
    [
        ([[1.0, 2.0]], 1, TypeError, "must be a torch.Tensor"),
        (torch.zeros(2, 2, 2, 2), 1, ValueError, r"\(H, W\) or \(N, H, W\)"),
        (torch.rand(4, 4), 4, ValueError, "at most 3"),
        (torch.rand(4, 4), -1, ValueError, "max_distance must be at least 0"),
        (torch.ones(4, 4), 1, ValueError, "constant intensity"),
    ],
)
def test_bad_input_is_refused(
    images: object, distance: int, error: type, pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        pixel_correlation(images, distance)
