"""The digit explorer's models, canvas and position: what the page will compute on."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from book.data import place_on_canvas
from book.explorers import digit_explorer


def small_models(size: int = 16) -> tuple[nn.Sequential, nn.Sequential]:
    torch.manual_seed(0)
    fc = nn.Sequential(nn.Flatten(), nn.Linear(size * size, 10))
    cnn = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 10),
    )
    return fc, cnn


def test_explorer_starts_centred_and_builds_the_models_canvas() -> None:
    digit = torch.rand(6, 4)
    explorer = digit_explorer(*small_models(), digit, 16)
    assert (explorer.row, explorer.col) == (5, 6)
    explorer.row, explorer.col = 10, 0
    expected = place_on_canvas(digit[None], 16, (10, 0))[None]
    assert torch.equal(explorer.canvas(), expected)
    assert [layer["kind"] for layer in explorer.fc] == ["flatten", "linear"]
    assert explorer.labels == list("0123456789")


def test_positions_off_the_canvas_are_refused() -> None:
    explorer = digit_explorer(*small_models(), torch.rand(6, 4), 16, start=(0, 0))
    with pytest.raises(ValueError, match="row must be at most 10 so that the digit"):
        explorer.row = 11
    with pytest.raises(ValueError, match="col must be at least 0"):
        explorer.col = -1


def test_a_model_that_cannot_read_the_canvas_is_named() -> None:
    _, cnn = small_models()
    no_flatten = nn.Sequential(nn.Linear(256, 10))
    with pytest.raises(ValueError, match=r"fc_model must accept a \(1, 1, 16, 16\)"):
        digit_explorer(no_flatten, cnn, torch.rand(6, 6), 16)


def test_scores_must_match_the_labels() -> None:
    fc, cnn = small_models()
    with pytest.raises(ValueError, match=r"cnn_model must give one score per label"):
        digit_explorer(fc, cnn[:-1], torch.rand(6, 6), 16)


def test_models_too_heavy_for_the_page_are_refused() -> None:
    fc = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 100), nn.Linear(100, 10))
    _, cnn = small_models(28)
    with pytest.raises(ValueError, match="the page carries at most 45,000"):
        digit_explorer(fc, cnn, torch.rand(8, 8), 28)


def test_bad_digits_and_canvases_are_refused() -> None:
    with pytest.raises(ValueError, match=r"digit must be a 2-D \(h, w\) tensor"):
        digit_explorer(*small_models(), torch.rand(1, 6, 6), 16)
    with pytest.raises(ValueError, match="canvas_size must be at least 20"):
        digit_explorer(*small_models(), torch.rand(20, 4), 16)
