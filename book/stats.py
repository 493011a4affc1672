"""Statistics of images that justify the convolutional prior."""

from __future__ import annotations

import torch

from book.validation import whole_number


def pixel_correlation(images: torch.Tensor, max_distance: int) -> list[float]:
    """Correlation of pixel intensities `d` columns apart, for d = 0 .. max_distance.

    `images` is one (H, W) image or a stack (N, H, W); every pair of pixels in
    the same row and `d` columns apart, in every image, is one sample.

    >>> stripes = torch.tensor([[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]])
    >>> [round(c, 4) for c in pixel_correlation(stripes, 2)]
    [1.0, -1.0, 1.0]
    """
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor, got {type(images).__name__}")
    if images.dim() not in (2, 3):
        raise ValueError(
            f"images must have shape (H, W) or (N, H, W), got {tuple(images.shape)}"
        )
    width = images.shape[-1]
    max_distance = whole_number("max_distance", max_distance, 0)
    if max_distance >= width:
        raise ValueError(
            f"max_distance {max_distance} leaves no pixel pairs in images "
            f"{width} pixels wide; use at most {width - 1}"
        )
    images = images.double()
    correlations = []
    for distance in range(max_distance + 1):
        left = images[..., : width - distance].flatten()
        right = images[..., distance:].flatten()
        pair = torch.stack([left, right])
        if (pair.std(dim=1) == 0).any():
            raise ValueError(
                f"pixels {distance} apart have constant intensity, so their "
                "correlation is undefined"
            )
        correlations.append(torch.corrcoef(pair)[0, 1].item())
    return correlations
