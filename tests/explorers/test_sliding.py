"""The sliding-window player's setting and its Python reference.

What the page draws for each frame is checked in Chromium by test_in_browser.py.
"""

from __future__ import annotations

import pytest
import torch

from book.explorers.sliding import sliding_window_player
from book.layers import window_frames

IMAGE = torch.zeros(5, 5)
IMAGE[:, 2:] = 1.0
KERNEL = torch.tensor([[-1.0, 0.0, 1.0]] * 3)


def test_the_player_counts_positions_and_starts_where_told() -> None:
    player = sliding_window_player(IMAGE, KERNEL, start=4)
    assert player.count == 9 and player.index == 4
    expected = window_frames(IMAGE, KERNEL)[4]
    assert player.frame().summary() == expected.summary()
    player.index = 8
    assert player.frame().output.tolist() == [[3.0, 3.0, 0.0]] * 3


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (9, ValueError, "index must be at most 8 .* got 9"),
        (-1, ValueError, "index must be at least 0, got -1"),
    ],
)
def test_the_player_refuses_positions_that_do_not_exist(value, error, message) -> None:
    player = sliding_window_player(IMAGE, KERNEL)
    with pytest.raises(error, match=message):
        player.index = value


def test_the_player_refuses_images_too_large_to_read() -> None:
    with pytest.raises(ValueError, match=r"at most 12 x 12 .* got \(13, 13\)"):
        sliding_window_player(torch.zeros(13, 13), KERNEL)
    with pytest.raises(ValueError, match="does not fit"):
        sliding_window_player(torch.zeros(2, 2), KERNEL)


def test_the_player_prints_a_note_not_an_address() -> None:
    assert repr(sliding_window_player(IMAGE, KERNEL)).startswith(
        "Sliding-window player: run this cell"
    )
