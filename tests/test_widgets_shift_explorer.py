"""book.widgets.shift_explorer: the controls drive the comparison it draws."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

import book.widgets
from book.symmetry import shift_comparison
from book.widgets import shift_explorer

pytestmark = pytest.mark.usefixtures("close_figures")


def image(seed: int = 0) -> torch.Tensor:
    return torch.rand(12, 12, generator=torch.Generator().manual_seed(seed))


def test_shift_explorer_redraws_what_the_controls_say(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn = []

    def record(comparison: object) -> plt.Figure:
        drawn.append(comparison)
        return plt.figure()

    monkeypatch.setattr(book.widgets, "shift_comparison_figure", record)
    x = image()
    panel = shift_explorer(x, torch.ones(3, 3), bias=0.1, max_shift=4)
    (amount, margin), direction = panel.children[0].children, panel.children[1]
    assert (amount.min, amount.max, margin.max) == (-4, 4, 5)
    amount.value = -3
    direction.value = "vertical"
    margin.value = 4
    assert len(drawn) == 4  # the opening view, then one redraw per change
    expected = shift_comparison(x, torch.ones(3, 3), -3, "vertical", margin=4, bias=0.1)
    assert (drawn[-1].amount, drawn[-1].direction, drawn[-1].margin) == (
        -3,
        "vertical",
        4,
    )
    assert torch.equal(drawn[-1].difference, expected.difference)
