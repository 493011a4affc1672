"""The bundled data and the canvas helpers behind "the object moved"."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable

import pytest
import torch
from torch.testing import assert_close

from book.data import (
    grace_hopper,
    load_digits,
    permute_pixels,
    place_on_canvas,
    random_positions,
    train_test_split,
)

# --- grace_hopper -------------------------------------------------------------


def test_grace_hopper_is_a_grayscale_photograph() -> None:
    photo = grace_hopper()
    assert photo.shape == (600, 512)
    assert photo.dtype == torch.float32
    assert photo.min() >= 0 and photo.max() <= 1
    # A photograph, not a blank or a constant: dark and bright areas.
    assert photo.std() > 0.1
    assert photo.min() < 0.1 and photo.max() > 0.9


@pytest.mark.parametrize(("downsample", "shape"), [(2, (300, 256)), (4, (150, 128))])
def test_downsample_averages_blocks(downsample: int, shape: tuple[int, int]) -> None:
    photo, small = grace_hopper(), grace_hopper(downsample=downsample)
    assert small.shape == shape
    assert small.dtype == torch.float32
    blocks = photo.reshape(shape[0], downsample, shape[1], downsample)
    assert_close(small, blocks.mean(dim=(1, 3)))


def test_downsample_one_is_the_full_photograph() -> None:
    assert torch.equal(grace_hopper(downsample=1), grace_hopper())


@pytest.mark.parametrize(
    ("downsample", "error", "message"),
    [
        (0, ValueError, "downsample must be positive, got 0"),
        (-4, ValueError, "downsample must be positive, got -4"),
        (513, ValueError, "downsample must be at most 512"),
        (4.0, TypeError, "downsample must be an int, got 4.0"),
        (True, TypeError, "downsample must be an int, got True"),
        ("4", TypeError, "downsample must be an int, got '4'"),
        (None, TypeError, "downsample must be an int, got None"),
    ],
)
def test_bad_downsample_raises(downsample: object, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        grace_hopper(downsample=downsample)


@pytest.mark.parametrize("downsample", [1, 4])
def test_grace_hopper_returns_a_copy(downsample: int) -> None:
    first = grace_hopper(downsample)
    original = first.clone()
    first.zero_()
    assert torch.equal(grace_hopper(downsample), original)


# --- load_digits --------------------------------------------------------------


def test_load_digits_shapes_types_and_ranges() -> None:
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8)
    assert images.dtype == torch.float32
    assert images.min() == 0 and images.max() == 1
    assert labels.shape == (1797,)
    assert labels.dtype == torch.int64
    assert labels.min() == 0 and labels.max() == 9
    # All ten classes, each about a tenth of the data.
    counts = torch.bincount(labels, minlength=10)
    assert len(counts) == 10 and counts.min() > 150


def test_load_digits_reads_what_scikit_learns_loader_reads() -> None:
    import sklearn.datasets

    bunch = sklearn.datasets.load_digits()
    images, labels = load_digits()
    assert torch.equal(images * 16, torch.tensor(bunch.images, dtype=torch.float32))
    assert torch.equal(labels, torch.tensor(bunch.target))


def test_load_digits_without_scikit_learn_says_what_to_install() -> None:
    # A fresh interpreter: this one may hold the digits already. None in
    # sys.modules makes the package unfindable, as if it were not installed.
    hidden = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from book.data import load_digits; load_digits()"
    )
    run = subprocess.run(
        [sys.executable, "-c", hidden], capture_output=True, text=True, check=False
    )
    assert run.returncode != 0
    assert "ModuleNotFoundError" in run.stderr
    assert "pip install scikit-learn" in run.stderr


def test_load_digits_returns_copies() -> None:
    images, labels = load_digits()
    images_before, labels_before = images.clone(), labels.clone()
    images.fill_(-1)
    labels.fill_(-1)
    again_images, again_labels = load_digits()
    assert torch.equal(again_images, images_before)
    assert torch.equal(again_labels, labels_before)


# --- train_test_split ---------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "test_fraction", "num_test"),
    [(10, 0.3, 3), (10, 0.5, 5), (1797, 0.2, 359), (4, 0.25, 1), (7, 0.5, 4)],
)
def test_split_sizes(count: int, test_fraction: float, num_test: int) -> None:
    train, test = train_test_split(
        torch.arange(count), test_fraction=test_fraction, seed=0
    )
    assert (len(train), len(test)) == (count - num_test, num_test)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_split_is_a_disjoint_and_complete_permutation(seed: int) -> None:
    items = torch.arange(100) * 3
    train, test = train_test_split(items, test_fraction=0.25, seed=seed)
    together = torch.cat([train, test])
    assert torch.equal(together.sort().values, items)
    assert not set(train.tolist()) & set(test.tolist())
    # Shuffled, not cut in order.
    assert not torch.equal(together, items)


def test_same_seed_same_split_different_seeds_differ() -> None:
    items = torch.arange(50)
    first = train_test_split(items, test_fraction=0.2, seed=3)
    again = train_test_split(items, test_fraction=0.2, seed=3)
    other = train_test_split(items, test_fraction=0.2, seed=4)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not torch.equal(first[1], other[1])


def test_several_tensors_stay_aligned() -> None:
    index = torch.arange(30)
    images = index[:, None, None].float().expand(30, 8, 8)
    labels = index % 10
    parts = train_test_split(index, images, labels, test_fraction=0.3, seed=0)
    assert len(parts) == 6
    index_train, index_test, images_train, images_test, labels_train, labels_test = (
        parts
    )
    for index_part, images_part, labels_part in (
        (index_train, images_train, labels_train),
        (index_test, images_test, labels_test),
    ):
        assert torch.equal(images_part[:, 3, 5], index_part.float())
        assert torch.equal(labels_part, index_part % 10)
        assert images_part.shape[1:] == (8, 8)


@pytest.mark.parametrize(
    ("tensors", "test_fraction", "message"),
    [
        ((), 0.2, "needs at least one tensor"),
        ((torch.zeros(10), torch.zeros(9)), 0.2, "same length, got [10, 9]"),
        ((torch.zeros(10),), 0.0, "strictly between 0 and 1, got 0.0"),
        ((torch.zeros(10),), 1.0, "strictly between 0 and 1, got 1.0"),
        ((torch.zeros(10),), -0.1, "strictly between 0 and 1, got -0.1"),
        ((torch.zeros(10),), 1.5, "strictly between 0 and 1, got 1.5"),
        ((torch.zeros(10),), 0.01, "gives 0 test and 10 training items"),
        ((torch.zeros(3),), 0.99, "gives 3 test and 0 training items"),
    ],
)
def test_bad_splits_raise(tensors: tuple, test_fraction: float, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        train_test_split(*tensors, test_fraction=test_fraction, seed=0)


# --- random_positions ---------------------------------------------------------


@pytest.mark.parametrize(("image_size", "canvas_size"), [(8, 24), (8, 8), (5, 6)])
def test_positions_fit_on_the_canvas(image_size: int, canvas_size: int) -> None:
    positions = random_positions(500, image_size, canvas_size, seed=0)
    assert positions.shape == (500, 2)
    assert positions.dtype == torch.int64
    assert positions.min() >= 0
    assert positions.max() <= canvas_size - image_size


def test_positions_are_seeded() -> None:
    first = random_positions(20, 8, 24, seed=5)
    assert torch.equal(first, random_positions(20, 8, 24, seed=5))
    assert not torch.equal(first, random_positions(20, 8, 24, seed=6))


def test_every_position_that_fits_occurs() -> None:
    positions = random_positions(2000, 8, 12, seed=0)
    seen = {tuple(position) for position in positions.tolist()}
    assert seen == {(row, col) for row in range(5) for col in range(5)}


def test_no_positions() -> None:
    assert random_positions(0, 8, 24, seed=0).shape == (0, 2)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((10, 8, 7), ValueError, "canvas_size must be at least 8, got 7"),
        ((10, 0, 24), ValueError, "image_size must be positive, got 0"),
        ((-1, 8, 24), ValueError, "count must be at least 0, got -1"),
        ((10.0, 8, 24), TypeError, "count must be an int, got 10.0"),
    ],
)
def test_bad_sizes_raise(arguments: tuple, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        random_positions(*arguments, seed=0)


# --- place_on_canvas ----------------------------------------------------------


def place_by_hand(
    images: torch.Tensor, canvas_size: int, positions: list[list[int]]
) -> torch.Tensor:
    """The obvious loop that place_on_canvas replaces with index arithmetic."""
    count, height, width = images.shape
    canvas = torch.zeros(count, canvas_size, canvas_size, dtype=images.dtype)
    for k, (row, col) in enumerate(positions):
        canvas[k, row : row + height, col : col + width] = images[k]
    return canvas


@pytest.mark.parametrize(
    ("image_shape", "canvas_size", "positions"),
    [
        ((3, 2, 2), 4, [[0, 0], [2, 2], [1, 0]]),
        ((2, 8, 8), 8, [[0, 0], [0, 0]]),
        ((4, 3, 5), 9, [[0, 4], [6, 0], [6, 4], [2, 3]]),
        ((1, 1, 1), 3, [[2, 1]]),
    ],
)
def test_pixels_land_at_the_given_corners(
    image_shape: tuple[int, int, int],
    canvas_size: int,
    positions: list[list[int]],
    random_tensor: Callable[..., torch.Tensor],
) -> None:
    images = random_tensor(*image_shape) + 2  # never zero, unlike the background
    canvas = place_on_canvas(images, canvas_size, torch.tensor(positions))
    assert canvas.shape == (image_shape[0], canvas_size, canvas_size)
    assert canvas.dtype == images.dtype
    assert torch.equal(canvas, place_by_hand(images, canvas_size, positions))


def test_random_positions_and_digits_together() -> None:
    images = load_digits()[0][:50]
    positions = random_positions(50, 8, 20, seed=0)
    canvas = place_on_canvas(images, 20, positions)
    assert torch.equal(canvas, place_by_hand(images, 20, positions.tolist()))
    # Nothing lost, nothing added: the same ink on a bigger page.
    assert_close(canvas.sum(dim=(1, 2)), images.sum(dim=(1, 2)))


@pytest.mark.parametrize("position", [(1, 2), [1, 2], torch.tensor([1, 2])])
def test_one_position_is_used_for_every_image(
    position: object, random_tensor: Callable[..., torch.Tensor]
) -> None:
    images = random_tensor(3, 2, 3)
    canvas = place_on_canvas(images, 6, position)
    assert torch.equal(canvas, place_by_hand(images, 6, [[1, 2]] * 3))


@pytest.mark.parametrize(
    "position", [(-1, 0), (0, -1), (4, 0), (0, 3), (5, 5), (-3, 9)]
)
def test_positions_off_the_canvas_are_named(position: tuple[int, int]) -> None:
    # A 2 x 3 image on a 5 x 5 canvas fits with its corner in rows 0..3, cols 0..2.
    images = torch.ones(2, 2, 3)
    positions = torch.tensor([[1, 1], list(position)])
    message = f"position {list(position)} puts a 2 x 3 image outside a 5 x 5 canvas"
    with pytest.raises(ValueError, match=re.escape(message)):
        place_on_canvas(images, 5, positions)
    with pytest.raises(ValueError, match=re.escape(message)):
        place_on_canvas(images, 5, position)


@pytest.mark.parametrize(
    ("images", "canvas_size", "positions", "error", "message"),
    [
        (torch.ones(4, 4), 8, (0, 0), ValueError, "shape (N, h, w), got (4, 4)"),
        (torch.ones(1, 1, 4, 4), 8, (0, 0), ValueError, "got (1, 1, 4, 4)"),
        ([[[1.0]]], 8, (0, 0), TypeError, "must be a torch.Tensor, got list"),
        (torch.ones(2, 4, 4), 3, (0, 0), ValueError, "canvas_size must be at least 4"),
        (torch.ones(2, 4, 4), 8, (0, 0, 0), ValueError, "got shape (3,)"),
        (torch.ones(2, 4, 4), 8, torch.zeros(3, 2), ValueError, "one per image (2, 2)"),
    ],
)
def test_bad_images_or_positions_raise(
    images: object, canvas_size: int, positions: object, error: type, message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        place_on_canvas(images, canvas_size, positions)


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
