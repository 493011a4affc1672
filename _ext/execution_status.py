"""The `execution-status` directive: when and how each notebook's outputs were made.

`make execute` (scripts/execute_notebooks.py) stores an `execution_record` in
each notebook's metadata: the date, the run time and the library versions. The
directive turns the records of every notebook in the book into two numbered
tables, so a notebook added later appears without any edit here.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

RECORD_KEY = "execution_record"
NOT_RECORDED = "not recorded (run make execute)"


def table(title: str, headers: list[str], rows: list[list[nodes.Node]]) -> nodes.table:
    """A docutils table with a caption (numbered by numfig) and a header row."""
    tgroup = nodes.tgroup(cols=len(headers))
    tgroup += [nodes.colspec(colwidth=1) for _ in headers]
    head, body = nodes.thead(), nodes.tbody()
    tgroup += [head, body]
    for part, part_rows in ((head, [list(map(nodes.Text, headers))]), (body, rows)):
        for cells in part_rows:
            row = nodes.row()
            row += [nodes.entry("", nodes.paragraph("", "", cell)) for cell in cells]
            part += row
    return nodes.table("", nodes.title(title, title), tgroup)


class ExecutionStatus(SphinxDirective):
    """Render the execution records of every notebook in the book."""

    def notebooks(self) -> list[tuple[str, Path]]:
        """(docname, path) of every notebook page: the front page, then by name."""
        paths = ((doc, Path(self.env.doc2path(doc))) for doc in self.env.found_docs)
        found = [(doc, path) for doc, path in paths if path.suffix == ".ipynb"]
        return sorted(found, key=lambda item: (item[0] != self.config.root_doc, item))

    def link(self, docname: str) -> nodes.Node:
        """A reference showing the page's title."""
        return addnodes.pending_xref(
            "",
            nodes.inline(docname, docname),
            refdomain="std",
            reftype="doc",
            reftarget=f"/{docname}",
            refexplicit=False,
            refdoc=self.env.docname,
        )

    def run(self) -> list[nodes.Node]:
        run_rows, versions = [], {}
        for docname, path in self.notebooks():
            self.env.note_dependency(str(path))
            record = json.loads(path.read_text())["metadata"].get(RECORD_KEY)
            if record is None:
                cells = [NOT_RECORDED, ""]
            else:
                cells = [record["date"], f"{record['seconds']:.1f}"]
                for library, used in record["libraries"].items():
                    versions.setdefault(library, set()).add(used)
            run_rows.append([self.link(docname), *map(nodes.Text, cells)])
        version_rows = [
            [nodes.literal(name, name), nodes.Text(", ".join(sorted(used)))]
            for name, used in versions.items()
        ]
        return [
            table(
                "When each notebook's outputs were produced, and how long it ran",
                ["notebook", "outputs produced", "run time (s)"],
                run_rows,
            ),
            table(
                "Library versions that produced the outputs",
                ["library", "version"],
                version_rows,
            ),
        ]


def setup(app: Sphinx) -> dict[str, object]:
    """Register the directive with Sphinx."""
    app.add_directive("execution-status", ExecutionStatus)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
