"""What every explorer's front end shares: its ES module, stylesheet and palette.

An explorer is an anywidget: Python holds the setting in synced traits, and the
browser computes and draws from them, so the same widget works live in Jupyter
and on the static site, where no kernel answers.
"""

from __future__ import annotations

from pathlib import Path

import anywidget

from book.figures.style import BLUE, MODEL_COLOURS, ORANGE, VERMILION

JS = Path(__file__).with_name("js")
STYLE = (JS / "explorers.css").read_text()
PALETTE = {"blue": BLUE, "orange": ORANGE, "vermilion": VERMILION}
# The digit explorer's bars, in the colours every figure gives the two models.
MODEL_PALETTE = {name: MODEL_COLOURS[name] for name in ("FC", "CNN")}


def front_end(*names: str) -> str:
    """common.js followed by `names`, as one module: a blob URL cannot import."""
    return "\n".join((JS / name).read_text() for name in ("common.js", *names))


class Explorer(anywidget.AnyWidget):
    """An explorer widget whose plain-text form is a note, not an object address.

    Where no widget can be drawn (a notebook viewer, a kernel that has not run
    the cell), this note is what the reader sees; it also keeps memory
    addresses out of the committed outputs.
    """

    title = "Explorer"

    def __repr__(self) -> str:
        return f"{self.title}: run this cell in JupyterLab, or open the website"
