"""The shift explorer's setting and the image data it carries."""

from __future__ import annotations

import pytest
import torch

from book.explorers import shift_explorer
from book.explorers.export import decode_tensor
from book.symmetry import shift_comparison


def test_explorer_carries_the_image_and_kernel_and_opens_as_before(
    random_tensor,
) -> None:
    x = random_tensor(12, 10).float()
    kernel = torch.tensor([[-1.0, 0.0, 1.0]] * 3)
    explorer = shift_explorer(x, kernel, bias=0.1)
    assert torch.equal(decode_tensor(explorer.image), x)
    assert torch.equal(decode_tensor(explorer.kernel), kernel)
    assert (explorer.amount, explorer.direction, explorer.margin) == (
        2,
        "horizontal",
        1,
    )
    expected = shift_comparison(x, kernel, 2, margin=1, bias=0.1)
    got = explorer.comparison()
    assert got.spoiled == expected.spoiled
    assert torch.equal(got.difference, expected.difference)


def test_comparison_follows_the_setting(random_tensor) -> None:
    x = random_tensor(9, 9).float()
    explorer = shift_explorer(x, torch.ones(3, 3))
    explorer.amount, explorer.direction, explorer.margin = -3, "vertical", 3
    expected = shift_comparison(x, torch.ones(3, 3), -3, "vertical", margin=3)
    assert torch.equal(
        explorer.comparison().moved_then_mapped, expected.moved_then_mapped
    )
    assert explorer.comparison().equal_inside == expected.equal_inside


def test_the_image_is_small_in_the_page() -> None:
    # A 32 x 32 float32 crop is 4 KB, under 6 KB as base64.
    explorer = shift_explorer(torch.rand(32, 32), torch.ones(3, 3))
    assert len(explorer.image["float32"]) < 6_000


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"max_shift": 0}, ValueError, "max_shift must be positive"),
        ({"max_shift": 9}, ValueError, "max_shift must be at most 8"),
        ({"max_shift": 2.0}, TypeError, "max_shift must be an int"),
    ],
)
def test_bad_start_values_are_refused(kwargs: dict, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        shift_explorer(torch.rand(8, 8), torch.ones(3, 3), **kwargs)


def test_bad_images_and_directions_are_refused() -> None:
    with pytest.raises(ValueError, match="kernel sides must be odd"):
        shift_explorer(torch.rand(8, 8), torch.ones(2, 2))
    explorer = shift_explorer(torch.rand(8, 8), torch.ones(3, 3))
    with pytest.raises(ValueError, match="direction must be one of"):
        explorer.direction = "diagonal"


def test_settings_beyond_the_sliders_are_refused() -> None:
    explorer = shift_explorer(torch.rand(8, 10), torch.ones(3, 3), max_shift=4)
    with pytest.raises(ValueError, match="amount must be between -4 and 4, got 5"):
        explorer.amount = 5
    with pytest.raises(ValueError, match="margin must be between 0 and 3, got 4"):
        explorer.margin = 4
    explorer.amount, explorer.margin = -4, 3
    assert explorer.comparison().margin == 3
