"""Class statistics of one run: the score distribution and each test's pass rate.

Written as `statistics.md` and `statistics.html` (the same tables) with the
figure `statistics.png`: a histogram of the totals and a bar per test.
"""

from __future__ import annotations

import html
import statistics as stats
import textwrap
from collections import Counter
from pathlib import Path

from book.grading.reports import NOT_SCORED, score_rows


def summary(run: dict, records: list[dict], hand: dict) -> dict:
    """Counts by status, the totals of scored submissions, how many were tested,
    and each test's pass rate among those."""
    rows = score_rows(run, records, hand)
    scored = [r for r in rows if r["status"] not in NOT_SCORED]
    tested = [r for r in records if r["tests"]]
    rates = [
        (
            test["name"],
            test["public"],
            sum(r["tests"][i]["passed"] for r in tested) / len(tested)
            if tested
            else 0.0,
        )
        for i, test in enumerate(run["tests"])
    ]
    return {
        "statuses": Counter(r["status"] for r in rows),
        "totals": [float(r["total"]) for r in scored],
        "maximum": run["automatic_max"] + run["manual_max"],
        "rates": rates,
        "tested": len(tested),
    }


def bar_label(name: str, public: bool) -> str:
    """A test's name on the figure: whole, wrapped, marked P (public) or H (hidden)."""
    return textwrap.fill(f"{'P' if public else 'H'} {name}", width=44)


def _figure(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    # The house colours; imported here, like matplotlib, to keep `list` fast.
    from book.figures.style import BLUE, GREEN, PURPLE

    # A test's bar keeps room for two lines of its name, however many tests.
    height = max(4.5, 0.35 * len(data["rates"]) + 1.5)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, height), width_ratios=(1, 1.4))
    left.hist(
        data["totals"],
        bins=range(0, data["maximum"] + 2),
        color=BLUE,
        edgecolor="white",
        align="left",
    )
    left.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole students
    left.set(
        xlabel=f"total points (of {data['maximum']})",
        ylabel="submissions",
        title=f"Score distribution ({len(data['totals'])} scored submissions)",
    )
    names = [bar_label(name, public) for name, public, _ in data["rates"]]
    right.barh(
        range(len(names)),
        [100 * rate for *_, rate in data["rates"]],
        color=[GREEN if public else PURPLE for _, public, _ in data["rates"]],
    )
    right.set_yticks(range(len(names)), names, fontsize=7)
    right.invert_yaxis()
    right.set(
        xlim=(0, 100),
        xlabel=f"% of the {data['tested']} tested submissions passing",
        title="Pass rate per test (P public, H hidden)",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _tables(data: dict) -> tuple[list[list[str]], list[list[str]]]:
    totals = data["totals"]
    overview = [["rows of scores.csv", str(sum(data["statuses"].values()))]]
    overview += [[f"status {s}", str(n)] for s, n in sorted(data["statuses"].items())]
    # lms.csv counts a missing student as 0; these totals leave them out.
    overview += [
        [f"scored (all but {' and '.join(NOT_SCORED)})", str(len(totals))],
        ["tested (their tests ran)", str(data["tested"])],
    ]
    if totals:
        overview += [
            [
                "mean total of the scored",
                f"{stats.mean(totals):.1f} / {data['maximum']}",
            ],
            ["median total", f"{stats.median(totals):g}"],
            ["lowest, highest", f"{min(totals):g}, {max(totals):g}"],
        ]
    tests = [
        [("public " if public else "hidden ") + name, f"{100 * rate:.0f}%"]
        for name, public, rate in data["rates"]
    ]
    return overview, tests


def _markdown(title: str, tables: tuple, figure: str) -> str:
    lines = [f"# {title}", "", f"![Score distribution and pass rates]({figure})", ""]
    for head, rows in zip((("", "value"), ("test", "passing")), tables, strict=True):
        lines += [f"| {head[0]} | {head[1]} |", "| --- | --- |"]
        lines += [f"| {a} | {b} |" for a, b in rows] + [""]
    return "\n".join(lines)


def _html(title: str, tables: tuple, figure: str) -> str:
    parts = [
        f"<!doctype html><html lang='en'><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>",
        f"<img src='{figure}' alt='Histogram of total scores and a bar per "
        "test showing the share of submissions that pass it' width='100%'>",
    ]
    for head, rows in zip((("", "value"), ("test", "passing")), tables, strict=True):
        cells = "".join(
            f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>"
            for a, b in rows
        )
        parts.append(
            f"<table><tr><th>{head[0]}</th><th>{head[1]}</th></tr>{cells}</table>"
        )
    return "\n".join(parts) + "\n</html>\n"


def write_statistics(out: Path, run: dict, records: list[dict], hand: dict) -> None:
    """statistics.md, statistics.html and statistics.png in `out`."""
    data = summary(run, records, hand)
    title = f"Class statistics: {run['exercise']}"
    _figure(data, out / "statistics.png")
    tables = _tables(data)
    (out / "statistics.md").write_text(_markdown(title, tables, "statistics.png"))
    (out / "statistics.html").write_text(_html(title, tables, "statistics.png"))
