"""Real data that ships with the installed libraries: nothing is downloaded.

- `grace_hopper()`: the photograph in matplotlib's sample data, as grayscale.
- `load_digits()`: scikit-learn's bundled 8 x 8 handwritten digits.
- `place_on_canvas()` and `random_positions()`: put small images on a larger
  blank canvas at chosen or seeded random positions (for "the object moved").
- `permute_pixels()`: one fixed shuffle of pixel positions, applied to every image
  (the control that removes spatial structure).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import matplotlib.cbook
import matplotlib.image
import numpy as np
import torch
import torch.nn.functional as F

from book.validation import whole_number

# ITU-R BT.601 luma weights: how much red, green and blue contribute to brightness.
_LUMA = (0.299, 0.587, 0.114)


@cache
def _grace_hopper_full() -> torch.Tensor:
    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    rgb = torch.from_numpy(matplotlib.image.imread(path).copy()).float() / 255
    return rgb @ torch.tensor(_LUMA)


def grace_hopper(downsample: int = 1) -> torch.Tensor:
    """The Grace Hopper photograph as a (H, W) float32 grayscale tensor in [0, 1].

    `downsample` averages non-overlapping blocks of that many pixels per side.

    >>> tuple(grace_hopper().shape), tuple(grace_hopper(downsample=4).shape)
    ((600, 512), (150, 128))
    """
    downsample = whole_number("downsample", downsample, 1)
    photo = _grace_hopper_full()
    if downsample > min(photo.shape):
        raise ValueError(
            f"downsample must be at most {min(photo.shape)}, the shorter side of the "
            f"{photo.shape[0]} x {photo.shape[1]} photograph, got {downsample}"
        )
    if downsample > 1:
        photo = F.avg_pool2d(photo[None, None], downsample)[0, 0]
    return photo.clone()


@cache
def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    # scikit-learn's load_digits reads this file, but importing sklearn.datasets
    # to call it takes over a second (SciPy and every other loader); finding the
    # package does not import it. tests/test_data.py checks both agree.
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise ModuleNotFoundError(
            "the digits ship with scikit-learn, which is not installed here: "
            "pip install scikit-learn (or `make install`)",
            name="sklearn",
        )
    package = Path(spec.origin).parent
    table = np.loadtxt(package / "datasets" / "data" / "digits.csv.gz", delimiter=",")
    # Pixel values are counts from 0 to 16 in the original 4 x 4 blocks.
    images = torch.tensor(table[:, :-1], dtype=torch.float32).view(-1, 8, 8) / 16
    labels = torch.tensor(table[:, -1], dtype=torch.int64)
    return images, labels


def load_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 handwritten digits: images (N, 8, 8) in [0, 1], labels (N,).

    >>> images, labels = load_digits()
    >>> tuple(images.shape), labels[:5].tolist()
    ((1797, 8, 8), [0, 1, 2, 3, 4])
    """
    images, labels = _digits()
    return images.clone(), labels.clone()


def train_test_split(
    *tensors: torch.Tensor, test_fraction: float, seed: int
) -> tuple[torch.Tensor, ...]:
    """Shuffle tensors together and split them: (a_train, a_test, b_train, b_test, ...).

    >>> a_train, a_test = train_test_split(torch.arange(10), test_fraction=0.3, seed=0)
    >>> len(a_train), len(a_test)
    (7, 3)
    """
    if not tensors:
        raise ValueError("train_test_split needs at least one tensor")
    count = len(tensors[0])
    if any(len(t) != count for t in tensors):
        lengths = [len(t) for t in tensors]
        raise ValueError(f"all tensors must have the same length, got {lengths}")
    if not 0 < test_fraction < 1:
        raise ValueError(
            f"test_fraction must lie strictly between 0 and 1, got {test_fraction}"
        )
    num_test = round(count * test_fraction)
    if not 0 < num_test < count:
        raise ValueError(
            f"test_fraction {test_fraction} of {count} items gives {num_test} test "
            f"and {count - num_test} training items; both parts must be non-empty"
        )
    order = torch.randperm(count, generator=torch.Generator().manual_seed(seed))
    test, train = order[:num_test], order[num_test:]
    return tuple(part for t in tensors for part in (t[train], t[test]))


def random_positions(
    count: int, image_size: int, canvas_size: int, *, seed: int
) -> torch.Tensor:
    """Seeded top-left corners (count, 2) as (row, col) where an image fits the canvas.

    Every position that fits is equally likely.

    >>> random_positions(3, 8, 8, seed=0).tolist()
    [[0, 0], [0, 0], [0, 0]]
    """
    count = whole_number("count", count, 0)
    image_size = whole_number("image_size", image_size, 1)
    canvas_size = whole_number("canvas_size", canvas_size, image_size)
    last = canvas_size - image_size
    generator = torch.Generator().manual_seed(seed)
    uniform = torch.rand(count, 2, generator=generator)
    return (uniform * (last + 1)).long()


def place_on_canvas(
    images: torch.Tensor, canvas_size: int, positions: torch.Tensor | tuple[int, int]
) -> torch.Tensor:
    """Paste (N, h, w) images onto blank (N, S, S) canvases at given top-left corners.

    `positions` is one (row, col) for every image, or a (N, 2) tensor of them.

    >>> canvas = place_on_canvas(torch.ones(1, 2, 2), 4, (1, 2))
    >>> canvas[0].int().tolist()
    [[0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]]
    """
    if not isinstance(images, torch.Tensor) or images.dim() != 3:
        if isinstance(images, torch.Tensor):
            raise ValueError(
                f"images must have shape (N, h, w), got {tuple(images.shape)}"
            )
        raise TypeError(f"images must be a torch.Tensor, got {type(images).__name__}")
    count, height, width = images.shape
    canvas_size = whole_number("canvas_size", canvas_size, max(height, width))
    positions = torch.as_tensor(positions, dtype=torch.int64)
    if positions.shape == (2,):
        positions = positions.expand(count, 2)
    if positions.shape != (count, 2):
        raise ValueError(
            f"positions must be one (row, col) or one per image ({count}, 2), "
            f"got shape {tuple(positions.shape)}"
        )
    limit = torch.tensor([canvas_size - height, canvas_size - width])
    outside = ((positions < 0) | (positions > limit)).any(dim=1)
    if outside.any():
        bad = positions[outside][0].tolist()
        raise ValueError(
            f"position {bad} puts a {height} x {width} image outside a "
            f"{canvas_size} x {canvas_size} canvas (rows 0..{limit[0].item()}, "
            f"cols 0..{limit[1].item()} fit)"
        )
    # Index arithmetic instead of a Python loop: each image's pixels land at
    # canvas rows row0 + r and columns col0 + c.
    rows = positions[:, 0, None, None] + torch.arange(height)[None, :, None]
    cols = positions[:, 1, None, None] + torch.arange(width)[None, None, :]
    batch = torch.arange(count)[:, None, None]
    canvas = images.new_zeros(count, canvas_size, canvas_size)
    canvas[batch, rows, cols] = images
    return canvas


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
