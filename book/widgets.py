"""Interactive explorers: ipywidgets control panels for live use in Jupyter.

Each explorer only wires sliders to a pure, tested function and a figure; the
site shows a static twin of it (small multiples) drawn by the same code.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from IPython.display import display

from book.bias_plots import shift_comparison_figure
from book.symmetry import shift_comparison


def shift_explorer(
    x: torch.Tensor, kernel: torch.Tensor, *, bias: float = 0.0, max_shift: int = 6
) -> widgets.VBox:
    """Sliders for shift amount, direction and comparison window over conv vs shift."""
    amount = widgets.IntSlider(
        value=2, min=-max_shift, max=max_shift, description="shift"
    )
    direction = widgets.ToggleButtons(
        options=["horizontal", "vertical"], description="direction"
    )
    margin = widgets.IntSlider(
        value=1, min=0, max=min(x.shape) // 2 - 1, description="margin"
    )
    output = widgets.Output()

    def redraw(_: object = None) -> None:
        comparison = shift_comparison(
            x, kernel, amount.value, direction.value, margin=margin.value, bias=bias
        )
        with output:
            output.clear_output(wait=True)
            fig = shift_comparison_figure(comparison)
            display(fig)
            plt.close(fig)

    for control in (amount, direction, margin):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([amount, margin]), direction, output])
