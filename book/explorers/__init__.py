"""Explorers that compute in the reader's browser, live in Jupyter and on the site.

- `conv_arithmetic_explorer()`: W, F, S and P against the output size.
- `shift_explorer()`: is conv(shift(x)) equal to shift(conv(x)), and where not?
- `digit_explorer()`: move a digit under an FC model and a CNN, see both predict.
- `sliding_window_player()`: step a kernel over an image, one output cell at a time.

Each is an anywidget whose JavaScript (js/) redoes the tested Python computation;
the tests in tests/explorers/ check the two agree in a real browser.
"""

from book.explorers.conv_arithmetic import conv_arithmetic_explorer
from book.explorers.digit import digit_explorer
from book.explorers.export import export_sequential
from book.explorers.shift import shift_explorer
from book.explorers.sliding import sliding_window_player

__all__ = [
    "conv_arithmetic_explorer",
    "digit_explorer",
    "export_sequential",
    "shift_explorer",
    "sliding_window_player",
]
