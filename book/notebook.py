"""The one call at the top of every notebook: same seeds, figures and printing."""

from __future__ import annotations

import random

import matplotlib as mpl
import numpy as np
import torch

# A restrained house style: readable on the site and in JupyterLab, light or dark.
STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.frameon": False,
    "image.cmap": "gray",
    "image.interpolation": "nearest",
    "font.size": 10,
}


def setup_notebook(seed: int = 0) -> None:
    """Seed every generator, make PyTorch deterministic, fix figure and print style."""
    random.seed(seed)
    # The legacy global generator on purpose: it is what np.random.rand() in a
    # learner's cell draws from.
    np.random.seed(seed)  # noqa: NPY002
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    # Deterministic mode also fills every new tensor with NaN, so that an
    # operation reading memory it never wrote shows up; none in this book does,
    # and the fills cost a training step up to a tenth of its time.
    torch.utils.deterministic.fill_uninitialized_memory = False
    mpl.rcParams.update(STYLE)
    np.set_printoptions(precision=4, suppress=True, linewidth=88)
    torch.set_printoptions(precision=4, sci_mode=False, linewidth=88)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        # PNG only: SVG/PDF outputs would bloat the committed notebooks.
        set_matplotlib_formats("png")
