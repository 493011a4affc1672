"""Figures with the class `unnumbered` keep their caption but get no "Fig. N".

Sphinx numbers every captioned figure, in the order of the table of contents.
The front page's figure follows its `{tableofcontents}`, so it was numbered
after every figure of the book ("Fig. 19" on page one). A notebook figure opts
out with `"classes": "unnumbered"` in its `mystnb.figure` metadata; the figures
numbered after it move down by one, so the numbering has no gap.
"""

from __future__ import annotations

from collections.abc import Iterable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

CLASS = "unnumbered"
# Attribute on the build environment: docname -> ids of its unnumbered figures.
STORE = "unnumbered_figures"


def _store(env: BuildEnvironment) -> dict[str, set[str]]:
    if not hasattr(env, STORE):
        setattr(env, STORE, {})
    return getattr(env, STORE)


def record(app: Sphinx, doctree: nodes.document) -> None:
    """Remember the ids of this document's figures that ask to stay unnumbered."""
    ids = {
        node["ids"][0]
        for node in doctree.findall(nodes.figure)
        if CLASS in node["classes"] and node["ids"]
    }
    store = _store(app.env)
    store.pop(app.env.docname, None)
    if ids:
        store[app.env.docname] = ids


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _store(env).pop(docname, None)


def merge(
    app: Sphinx, env: BuildEnvironment, docnames: Iterable[str], other: BuildEnvironment
) -> None:
    for docname in docnames:
        if docname in _store(other):
            _store(env)[docname] = _store(other)[docname]


def renumber(
    fignumbers: dict[str, dict[str, dict[str, tuple[int, ...]]]],
    unnumbered: dict[str, set[str]],
) -> set[str]:
    """Drop the numbers of `unnumbered` figures and close the gaps; changed docs.

    `fignumbers` is Sphinx's env.toc_fignumbers: docname -> figtype -> id ->
    number tuple, where the last entry counts within the prefix (the section).
    """
    changed = set()
    for docname, ids in unnumbered.items():
        figures = fignumbers.get(docname, {}).get("figure", {})
        for figure_id in ids & figures.keys():
            removed = figures.pop(figure_id)
            changed.add(docname)
            prefix, position = removed[:-1], removed[-1]
            for other_doc, types in fignumbers.items():
                numbers = types.get("figure", {})
                for other_id, number in numbers.items():
                    if number[:-1] == prefix and number[-1] > position:
                        numbers[other_id] = (*prefix, number[-1] - 1)
                        changed.add(other_doc)
    return changed


def after_numbering(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Runs after Sphinx has numbered the figures; returns the pages to rewrite."""
    return sorted(renumber(env.toc_fignumbers, _store(env)))


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", record)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    # Sphinx numbers figures in its own env-get-updated handler (priority 500).
    app.connect("env-get-updated", after_numbering, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
