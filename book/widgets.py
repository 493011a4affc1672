"""Interactive explorers: ipywidgets controls wired to pure, tested functions.

Each explorer only wires controls to a computation that lives elsewhere in the
package (tested without a browser) and to a figure function; the site shows a
static twin of it drawn by the same code.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from book.figures.explorers import draw_conv_arithmetic, shift_comparison_figure
from book.figures.style import VERMILION
from book.layers import conv_arithmetic
from book.symmetry import shift_comparison


def figure_html(fig: Figure, alt: str) -> str:
    """The figure as an <img> with alt text, and close it.

    An Output widget would show the PNG without alt text, which leaves the
    picture unnamed for screen readers in Jupyter and on the static site.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        'style="max-width: 100%">'
    )


def conv_arithmetic_explorer(
    input_size: int = 7, kernel_size: int = 3, stride: int = 2, padding: int = 0
) -> widgets.VBox:
    """Sliders for W, F, S and P; shows the formula, the windows and the parameters."""
    # Validates the starting values before any widget exists.
    conv_arithmetic(input_size, kernel_size, stride, padding)
    sliders = {
        # Ranges widen to fit larger starting values instead of clamping them.
        "input_size": widgets.IntSlider(
            input_size, 1, max(32, input_size), description="input W"
        ),
        "kernel_size": widgets.IntSlider(
            kernel_size, 1, max(11, kernel_size), description="kernel F"
        ),
        "stride": widgets.IntSlider(stride, 1, max(6, stride), description="stride S"),
        "padding": widgets.IntSlider(
            padding, 0, max(6, padding), description="padding P"
        ),
    }
    text = widgets.HTML()
    picture = widgets.HTML()

    def update(_change: object = None) -> None:
        arithmetic = conv_arithmetic(**{k: s.value for k, s in sliders.items()})
        colour = "inherit" if arithmetic.valid else VERMILION
        text.value = (
            f'<pre style="color: {colour}; white-space: pre-wrap">'
            f"{html.escape(arithmetic.summary())}</pre>"
        )
        fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
        draw_conv_arithmetic(ax, arithmetic)
        picture.value = figure_html(
            fig, "Windows of the kernel over the padded input. " + arithmetic.summary()
        )

    for slider in sliders.values():
        slider.observe(update, names="value")
    update()
    return widgets.VBox(
        [
            widgets.HBox(list(sliders.values())[:2]),
            widgets.HBox(list(sliders.values())[2:]),
            text,
            picture,
        ]
    )


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
    picture = widgets.HTML()

    def redraw(_: object = None) -> None:
        comparison = shift_comparison(
            x, kernel, amount.value, direction.value, margin=margin.value, bias=bias
        )
        picture.value = figure_html(
            shift_comparison_figure(comparison),
            f"Conv of the input shifted {amount.value} pixels {direction.value}ly "
            "beside the shifted conv output, their difference, and the comparison "
            f"window {margin.value} pixels inside the border.",
        )

    for control in (amount, direction, margin):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([amount, margin]), direction, picture])
