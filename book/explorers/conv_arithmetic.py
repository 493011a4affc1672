"""The conv-arithmetic explorer: sliders for W, F, S and P over a live figure."""

from __future__ import annotations

import traitlets

from book.explorers.widget import PALETTE, STYLE, Explorer, front_end
from book.layers import ConvArithmetic, conv_arithmetic
from book.validation import whole_number

MINIMA = {"input_size": 1, "kernel_size": 1, "stride": 1, "padding": 0}


class ConvArithmeticExplorer(Explorer):
    """Windows, output size and parameters of a square convolution, drawn in the page.

    The browser recomputes `book.layers.conv_arithmetic` (js/conv_arithmetic.js);
    `arithmetic()` is the Python result for the current setting.
    """

    title = "Convolution arithmetic explorer"

    _esm = front_end("conv_arithmetic.js")
    _css = STYLE
    input_size = traitlets.Int(7).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    stride = traitlets.Int(2).tag(sync=True)
    padding = traitlets.Int(0).tag(sync=True)
    # The sliders' upper ends, one per setting.
    maxima = traitlets.Dict().tag(sync=True)
    palette = traitlets.Dict(PALETTE).tag(sync=True)

    @traitlets.validate(*MINIMA)
    def _check_setting(self, proposal: traitlets.Bunch) -> int:
        # A stride of 0 set from Python would never end the page's window loop.
        name = proposal["trait"].name
        return whole_number(name, proposal["value"], MINIMA[name])

    def arithmetic(self) -> ConvArithmetic:
        """What the explorer shows now, by the tested Python function."""
        return conv_arithmetic(
            self.input_size, self.kernel_size, self.stride, self.padding
        )


def conv_arithmetic_explorer(
    input_size: int = 7, kernel_size: int = 3, stride: int = 2, padding: int = 0
) -> ConvArithmeticExplorer:
    """Sliders for W, F, S and P; shows the formula, the windows and the parameters."""
    # Validates the starting values before any widget exists.
    conv_arithmetic(input_size, kernel_size, stride, padding)
    return ConvArithmeticExplorer(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        # Ranges widen to fit larger starting values instead of clamping them.
        maxima={
            "input_size": max(32, input_size),
            "kernel_size": max(11, kernel_size),
            "stride": max(6, stride),
            "padding": max(6, padding),
        },
    )
