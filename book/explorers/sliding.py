"""The sliding-window player: a kernel stepping over an image, one output cell a frame.

The reader steps through the positions of the window (buttons, a slider, or the
arrow keys on it); each frame shows the window on the image, the products of
the window and the kernel, and the output cell their sum fills. The page
computes every frame itself (js/sliding.js), so it works on the static site
with no kernel; `frame()` is the Python reference for the frame shown.
"""

from __future__ import annotations

import torch
import traitlets

from book.explorers.export import decode_tensor, encode_tensor
from book.explorers.widget import PALETTE, STYLE, Explorer, front_end
from book.layers import WindowFrame, window_frames
from book.validation import whole_number


class SlidingWindowPlayer(Explorer):
    """Frames of a cross-correlation (stride 1, no padding), stepped through by hand."""

    title = "Sliding-window player"

    _esm = front_end("sliding.js")
    _css = STYLE
    image = traitlets.Dict().tag(sync=True)
    kernel = traitlets.Dict().tag(sync=True)
    # 0-based: the page shows position `index + 1`.
    index = traitlets.Int(0).tag(sync=True)
    count = traitlets.Int(1).tag(sync=True)
    palette = traitlets.Dict(PALETTE).tag(sync=True)

    @traitlets.validate("index")
    def _check_index(self, proposal: traitlets.Bunch) -> int:
        value = whole_number("index", proposal["value"], 0)
        if value >= self.count:
            raise ValueError(
                f"index must be at most {self.count - 1} (there are {self.count} "
                f"window positions), got {value}"
            )
        return value

    def frame(self) -> WindowFrame:
        """What the page shows now, by the tested Python function."""
        frames = window_frames(decode_tensor(self.image), decode_tensor(self.kernel))
        return frames[self.index]


def sliding_window_player(
    image: torch.Tensor, kernel: torch.Tensor, *, start: int = 0
) -> SlidingWindowPlayer:
    """Step a kernel over a small image, from window position `start` (0-based)."""
    # Checks both tensors and counts the positions before any widget exists.
    count = len(window_frames(image, kernel))
    if max(image.shape) > 12:
        raise ValueError(
            f"image must be at most 12 x 12 to be read cell by cell, got "
            f"{tuple(image.shape)}"
        )
    return SlidingWindowPlayer(
        image=encode_tensor(image),
        kernel=encode_tensor(kernel),
        count=count,
        index=start,
    )
