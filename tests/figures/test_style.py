"""book.figures.style: the one palette, and figure modules that leave rcParams alone."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba

import book
from book.figures import curves, diagrams, explorers, panels, style

HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}\b")


@pytest.mark.parametrize("module", [style, diagrams, curves, panels, explorers])
def test_importing_a_figure_module_changes_no_rcparams(module: object) -> None:
    before = dict(mpl.rcParams)
    importlib.reload(module)
    assert dict(mpl.rcParams) == before


def test_colours_are_written_only_in_the_style_module() -> None:
    package = Path(book.__file__).parent
    written = {
        str(path.relative_to(package)): HEX_COLOUR.findall(path.read_text())
        for path in package.rglob("*.py")
        if path.name != "style.py"
    }
    assert {path: found for path, found in written.items() if found} == {}


def test_palette_colours_are_distinct_and_valid() -> None:
    colours = [style.BLUE, style.ORANGE, style.GREEN, style.PURPLE, style.VERMILION]
    assert len({to_rgba(c) for c in colours + [style.SKY]}) == 6
    assert set(style.KERNEL_COLOURS) == set(colours + [style.SKY])
    assert set(style.MODEL_COLOURS.values()) <= set(style.KERNEL_COLOURS)
    assert style.DIVERGING in plt.colormaps()


@pytest.mark.usefixtures("close_figures")
def test_frame_hides_ticks_and_boxes_on_request() -> None:
    fig, (boxed, bare) = plt.subplots(1, 2)
    bare.spines["top"].set_visible(False)
    style.frame(boxed)
    style.frame(bare, box=False)
    for ax in (boxed, bare):
        assert list(ax.get_xticks()) == list(ax.get_yticks()) == []
    assert all(spine.get_visible() for spine in boxed.spines.values())
    assert not bare.spines["top"].get_visible()


@pytest.mark.usefixtures("close_figures")
def test_outline_covers_exactly_the_window() -> None:
    fig, ax = plt.subplots()
    style.outline(ax, (2, 3), (4, 5))
    (box,) = ax.patches
    assert (box.get_x(), box.get_y()) == (2.5, 1.5)  # pixel centres at integers
    assert (box.get_width(), box.get_height()) == (5, 4)


def test_panel_grid_fills_rows_and_hides_the_spare_cells() -> None:
    fig, axes = style.panel_grid(5, 3.0, 2.0, columns=3, sharey=True)
    try:
        assert len(axes) == 5
        assert tuple(fig.get_size_inches()) == pytest.approx((9.0, 4.0))
        spare = [ax for ax in fig.axes if ax not in axes]
        assert len(spare) == 1 and not spare[0].axison
        # Row by row: the fourth panel starts the second row.
        assert axes[3].get_subplotspec().rowspan.start == 1
        assert axes[3].get_subplotspec().colspan.start == 0
        axes[0].set_ylim(0, 7)
        assert axes[4].get_ylim() == (0, 7)
    finally:
        plt.close(fig)


def test_panel_row_gives_count_panels_of_the_size_asked() -> None:
    fig, axes = style.panel_row(3, 2.0, 1.5, sharey=True)
    try:
        assert len(axes) == 3 and list(fig.axes) == axes
        assert tuple(fig.get_size_inches()) == pytest.approx((6.0, 1.5))
        # Shared y: one panel's limits are every panel's.
        axes[0].set_ylim(0, 7)
        assert axes[2].get_ylim() == (0, 7)
    finally:
        plt.close(fig)
