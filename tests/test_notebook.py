"""`setup_notebook()`: the first cell of every notebook, and nothing at import."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator

import matplotlib as mpl
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from book.notebook import STYLE, setup_notebook

# Runs in a fresh interpreter: snapshot every global setting the package could
# touch, import the package, and print the names of the settings that changed.
IMPORT_SCRIPT = """
import json, random
import matplotlib, numpy, torch

def snapshot():
    return {
        "matplotlib.rcParams": {k: repr(v) for k, v in matplotlib.rcParams.items()},
        "torch deterministic": torch.are_deterministic_algorithms_enabled(),
        "torch fills new tensors": torch.utils.deterministic.fill_uninitialized_memory,
        "torch random state": torch.get_rng_state().tolist(),
        "torch print options": repr(torch._tensor_str.PRINT_OPTS.__dict__),
        "numpy random state": repr(numpy.random.get_state()),
        "numpy print options": repr(numpy.get_printoptions()),
        "random state": repr(random.getstate()),
    }

before = snapshot()
import book, book.notebook, book.layers, book.data, book.validation, book.training
import book.experiments.shift, book.experiments.sample_efficiency
import book.figures.curves, book.figures.diagrams, book.figures.panels
import book.figures.explorers
after = snapshot()
print(json.dumps(sorted(name for name in before if before[name] != after[name])))
"""


def test_importing_the_package_changes_no_global_state() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


@pytest.fixture
def global_state() -> Iterator[None]:
    """Put back everything setup_notebook changes, so later tests see no trace."""
    deterministic = torch.are_deterministic_algorithms_enabled()
    fill = torch.utils.deterministic.fill_uninitialized_memory
    numpy_print = np.get_printoptions()
    torch_random = torch.get_rng_state()
    numpy_random = np.random.get_state()  # noqa: NPY002
    python_random = random.getstate()
    with mpl.rc_context():
        yield
    torch.use_deterministic_algorithms(deterministic)
    torch.utils.deterministic.fill_uninitialized_memory = fill
    np.set_printoptions(**numpy_print)
    torch.set_printoptions(profile="default")
    torch.set_rng_state(torch_random)
    np.random.set_state(numpy_random)  # noqa: NPY002
    random.setstate(python_random)


def draw_from_every_generator() -> tuple[list[float], list[float], float]:
    """What a notebook cell would draw from torch, NumPy and Python."""
    return (
        torch.rand(3).tolist(),
        np.random.rand(3).tolist(),  # noqa: NPY002
        random.random(),
    )


@pytest.mark.usefixtures("global_state")
def test_setup_notebook_makes_torch_deterministic() -> None:
    torch.use_deterministic_algorithms(False)
    setup_notebook(0)
    assert torch.are_deterministic_algorithms_enabled()
    # ...without filling every new tensor with NaN, which only slows training.
    assert not torch.utils.deterministic.fill_uninitialized_memory


@pytest.mark.usefixtures("global_state")
def test_setup_notebook_applies_the_style() -> None:
    mpl.rcdefaults()
    assert mpl.rcParams["image.cmap"] != STYLE["image.cmap"]
    setup_notebook(0)
    for key, value in STYLE.items():
        expected = list(value) if isinstance(value, tuple) else value
        assert mpl.rcParams[key] == expected, key


@pytest.mark.usefixtures("global_state")
def test_same_seed_same_numbers_from_every_generator() -> None:
    setup_notebook(3)
    first = draw_from_every_generator()
    draw_from_every_generator()  # move every generator on
    setup_notebook(3)
    assert draw_from_every_generator() == first
    setup_notebook(4)
    other = draw_from_every_generator()
    for numbers, other_numbers in zip(first, other, strict=True):
        assert numbers != other_numbers


@pytest.mark.usefixtures("global_state")
def test_setup_notebook_sets_print_options() -> None:
    setup_notebook(0)
    assert np.get_printoptions()["precision"] == 4
    assert np.get_printoptions()["suppress"] is True
    # No scientific notation: a learner reads 0.0000, not 1.0000e-08.
    assert "e-" not in str(torch.tensor([1e-8, 1.0]))
    assert str(torch.tensor([1 / 3])) == "tensor([0.3333])"


@pytest.mark.usefixtures("global_state")
def test_inside_ipython_figures_are_png_only() -> None:
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:
        formatters = shell.display_formatter.formatters
        formatters["image/svg+xml"].for_type(Figure, lambda figure: "<svg/>")
        setup_notebook(0)
        assert Figure in formatters["image/png"].type_printers
        assert Figure not in formatters["image/svg+xml"].type_printers
    finally:
        interactiveshell.InteractiveShell.clear_instance()
