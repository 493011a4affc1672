"""The shift explorer: conv(shift(x)) beside shift(conv(x)), computed in the page."""

from __future__ import annotations

import torch
import traitlets

from book.explorers.export import decode_tensor, encode_tensor
from book.explorers.widget import PALETTE, STYLE, Explorer, front_end
from book.symmetry import ShiftComparison, shift_comparison
from book.validation import direction_steps, whole_number


class ShiftExplorer(Explorer):
    """Shift amount, direction and comparison window over one image and kernel.

    The image and kernel travel in the widget state (float32, base64); the
    browser recomputes `book.symmetry.shift_comparison` (js/shift.js), and
    `comparison()` is the Python result for the current setting.
    """

    title = "Shift explorer"

    _esm = front_end("shift.js")
    _css = STYLE
    image = traitlets.Dict().tag(sync=True)
    kernel = traitlets.Dict().tag(sync=True)
    bias = traitlets.Float(0.0).tag(sync=True)
    amount = traitlets.Int(2).tag(sync=True)
    direction = traitlets.Unicode("horizontal").tag(sync=True)
    margin = traitlets.Int(1).tag(sync=True)
    max_shift = traitlets.Int(6).tag(sync=True)
    palette = traitlets.Dict(PALETTE).tag(sync=True)

    @traitlets.validate("direction")
    def _check_direction(self, proposal: traitlets.Bunch) -> str:
        direction_steps(proposal["value"])
        return proposal["value"]

    @traitlets.validate("amount", "margin")
    def _check_within_slider(self, proposal: traitlets.Bunch) -> int:
        # The page's sliders cannot show a value beyond their ends.
        name, value = proposal["trait"].name, proposal["value"]
        if name == "amount":
            low, high = -self.max_shift, self.max_shift
        else:
            low, high = 0, min(self.image["shape"]) // 2 - 1
        if not low <= whole_number(name, value, low) <= high:
            raise ValueError(f"{name} must be between {low} and {high}, got {value}")
        return value

    def comparison(self) -> ShiftComparison:
        """What the explorer shows now, by the tested Python function."""
        return shift_comparison(
            self._tensor("image"),
            self._tensor("kernel"),
            self.amount,
            self.direction,
            margin=self.margin,
            bias=self.bias,
        )

    def _tensor(self, name: str) -> torch.Tensor:
        return decode_tensor(getattr(self, name))


def shift_explorer(
    x: torch.Tensor, kernel: torch.Tensor, *, bias: float = 0.0, max_shift: int = 6
) -> ShiftExplorer:
    """Sliders for shift amount, direction and comparison window over conv vs shift."""
    amount = min(2, whole_number("max_shift", max_shift, 1))
    # Validates x, kernel and the opening setting before any widget exists.
    shift_comparison(x, kernel, amount, margin=1, bias=bias)
    if max_shift > min(x.shape):
        raise ValueError(
            f"max_shift must be at most {min(x.shape)}, the smaller side of x, "
            f"got {max_shift}"
        )
    explorer = ShiftExplorer(
        image=encode_tensor(x),
        kernel=encode_tensor(kernel),
        bias=float(bias),
        max_shift=max_shift,
    )
    explorer.amount, explorer.margin = amount, 1
    return explorer
