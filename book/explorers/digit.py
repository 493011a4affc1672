"""The digit explorer: move a digit across a canvas under an FC model and a CNN.

Both models' weights travel in the widget state (see export.py) and their
forward passes run in the page (js/forward.js), so the probabilities update on
the static site as in Jupyter.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import traitlets
from torch import nn

from book.data import place_on_canvas
from book.explorers.export import decode_tensor, encode_tensor, export_sequential
from book.explorers.widget import MODEL_PALETTE, STYLE, Explorer, front_end
from book.validation import whole_number

# Both models together. Float32 weights as base64 gzip to about 4 bytes per
# parameter, so this keeps a page's explorers under the 300 KB (gzipped)
# budget with room for the other two (tests/explorers/test_in_browser.py).
MAX_PARAMETERS = 45_000


class DigitExplorer(Explorer):
    """A digit at (row, col) on a blank square canvas, and both models' predictions."""

    title = "Digit explorer (FC against CNN)"

    _esm = front_end("forward.js", "digit.js")
    _css = STYLE
    fc = traitlets.List().tag(sync=True)
    cnn = traitlets.List().tag(sync=True)
    digit = traitlets.Dict().tag(sync=True)
    canvas_size = traitlets.Int(28).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    row = traitlets.Int(0).tag(sync=True)
    col = traitlets.Int(0).tag(sync=True)
    palette = traitlets.Dict(MODEL_PALETTE).tag(sync=True)

    @traitlets.validate("row", "col")
    def _check_position(self, proposal: traitlets.Bunch) -> int:
        name = proposal["trait"].name
        side = decode_tensor(self.digit).shape[0 if name == "row" else 1]
        value = whole_number(name, proposal["value"], 0)
        if value > self.canvas_size - side:
            raise ValueError(
                f"{name} must be at most {self.canvas_size - side} so that the "
                f"digit stays on the {self.canvas_size}-pixel canvas, got {value}"
            )
        return value

    def canvas(self) -> torch.Tensor:
        """The (1, 1, S, S) input both models see now."""
        digit = decode_tensor(self.digit)[None]
        return place_on_canvas(digit, self.canvas_size, (self.row, self.col))[None]


def _check_model(name: str, model: nn.Module, size: int, classes: int) -> None:
    """The model must map one (1, 1, S, S) canvas to one score per class."""
    try:
        with torch.no_grad():
            scores = model.eval()(torch.zeros(1, 1, size, size))
    except RuntimeError as error:
        raise ValueError(
            f"{name} must accept a (1, 1, {size}, {size}) canvas (an FC model "
            f"starts with nn.Flatten()): {error}"
        ) from error
    if tuple(scores.shape) != (1, classes):
        raise ValueError(
            f"{name} must give one score per label, shape (1, {classes}), "
            f"got {tuple(scores.shape)}"
        )


def digit_explorer(
    fc_model: nn.Sequential,
    cnn_model: nn.Sequential,
    digit: torch.Tensor,
    canvas_size: int,
    *,
    start: tuple[int, int] | None = None,
    labels: Sequence[str] = tuple("0123456789"),
) -> DigitExplorer:
    """Slide `digit` (h, w) over a blank canvas; both models' softmax updates live.

    The models see the canvas as `book.data.place_on_canvas` makes it, so pass
    the models trained on such canvases. `start` is the digit's top-left
    (row, col); the default centres it.
    """
    if not isinstance(digit, torch.Tensor) or digit.dim() != 2:
        shape = tuple(digit.shape) if isinstance(digit, torch.Tensor) else type(digit)
        raise ValueError(f"digit must be a 2-D (h, w) tensor, got {shape}")
    size = whole_number("canvas_size", canvas_size, max(digit.shape))
    labels = [str(label) for label in labels]
    parameters = 0
    for name, model in (("fc_model", fc_model), ("cnn_model", cnn_model)):
        _check_model(name, model, size, len(labels))
        parameters += sum(p.numel() for p in model.parameters())
    if parameters > MAX_PARAMETERS:
        raise ValueError(
            f"the two models have {parameters:,} parameters; the page carries at "
            f"most {MAX_PARAMETERS:,} (about {MAX_PARAMETERS * 4 // 1000} KB)"
        )
    if start is None:
        start = ((size - digit.shape[0]) // 2, (size - digit.shape[1]) // 2)
    explorer = DigitExplorer(
        fc=export_sequential(fc_model),
        cnn=export_sequential(cnn_model),
        digit=encode_tensor(digit),
        canvas_size=size,
        labels=labels,
    )
    explorer.row, explorer.col = start
    return explorer
