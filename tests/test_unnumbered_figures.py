"""_ext/unnumbered_figures: an opted-out figure loses its number, and no gap is left."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

# _ext/ is a folder of Sphinx extensions, not a package: load the file itself.
_PATH = Path(__file__).resolve().parents[1] / "_ext" / "unnumbered_figures.py"
_SPEC = importlib.util.spec_from_file_location("unnumbered_figures", _PATH)
extension = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(extension)
STORE, record, renumber = extension.STORE, extension.record, extension.renumber


def test_the_last_figure_of_the_book_loses_its_number_only() -> None:
    numbers = {
        "chapters/a": {"figure": {"f1": (1,), "f2": (2,)}, "table": {"t1": (1,)}},
        "index": {"figure": {"id3": (3,)}},
    }
    changed = renumber(numbers, {"index": {"id3"}})
    assert numbers["index"]["figure"] == {}
    assert numbers["chapters/a"]["figure"] == {"f1": (1,), "f2": (2,)}
    assert changed == {"index"}


def test_figures_after_an_unnumbered_one_move_down_within_their_section() -> None:
    numbers = {
        "a": {"figure": {"x": (1, 1), "y": (1, 2), "z": (1, 3)}},
        "b": {"figure": {"w": (2, 1)}, "table": {"t": (1, 3)}},
    }
    changed = renumber(numbers, {"a": {"y"}})
    assert numbers["a"]["figure"] == {"x": (1, 1), "z": (1, 2)}
    assert numbers["b"] == {"figure": {"w": (2, 1)}, "table": {"t": (1, 3)}}
    assert changed == {"a"}


def test_ids_unknown_to_the_numbering_change_nothing() -> None:
    numbers = {"a": {"figure": {"x": (1,)}}}
    assert renumber(numbers, {"a": {"nope"}, "missing": {"x"}}) == set()
    assert numbers == {"a": {"figure": {"x": (1,)}}}


def test_record_keeps_only_figures_with_the_class() -> None:
    settings = get_default_settings(Parser)
    settings.report_level = 5
    doctree = new_document("test", settings)
    for classes, ids in (
        (["unnumbered"], ["id1"]),
        ([], ["id2"]),
        (["unnumbered"], []),
    ):
        figure = nodes.figure(classes=classes, ids=ids)
        doctree += figure
    env = SimpleNamespace(docname="index")
    record(SimpleNamespace(env=env), doctree)
    assert getattr(env, STORE) == {"index": {"id1"}}
    env.docname = "other"
    record(SimpleNamespace(env=env), new_document("other", settings))
    assert getattr(env, STORE) == {"index": {"id1"}}
