"""Delegation rules: the static check sees hand-offs through any alias."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from book.grading.exercises import EXERCISES
from book.grading.grader import all_tests
from book.grading.policy import RULES, rule_for, static_delegations

ROOT = Path(__file__).resolve().parents[2]


def code_cells(exercise_id: str) -> list[str]:
    notebook = json.loads((ROOT / "solutions" / f"{exercise_id}.ipynb").read_text())
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def targets(exercise_id: str) -> set[str]:
    return {t.target for t in all_tests(EXERCISES[exercise_id])}


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_every_exercise_has_rules_and_its_solution_passes_them(
    exercise_id: str,
) -> None:
    assert exercise_id in RULES
    assert set(RULES[exercise_id]) <= targets(exercise_id)
    found = static_delegations(
        exercise_id, code_cells(exercise_id), targets(exercise_id)
    )
    assert found == {}


def test_unknown_exercise_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="ex9"):
        rule_for("ex9", "f")


EX4 = "ex4_conv_arithmetic"
EX5 = "ex5_cross_correlation"


@pytest.mark.parametrize(
    ("exercise_id", "cells", "target", "words"),
    [
        # The example: the course's own functions, one renamed.
        (
            EX4,
            ["from book.layers import conv_output_size"],
            "conv_output_size",
            "book.layers.conv_output_size",
        ),
        (
            EX4,
            ["from book.layers import conv_params as conv_param_count"],
            "conv_param_count",
            "book.layers.conv_params",
        ),
        (
            EX4,
            ["import book.layers as L\nconv_output_size = L.conv_output_size"],
            "conv_output_size",
            "book.layers.conv_output_size",
        ),
        (
            EX4,
            [
                "from book.grading import references as r\n"
                "def conv_output_size(*a, **k):\n    return r.conv_output_size(*a)"
            ],
            "conv_output_size",
            "book.grading.references",
        ),
        (
            EX4,
            [
                "from torch import nn\n"
                "def conv_param_count(i, o, k, bias=True):\n"
                "    return sum(p.numel() for p in nn.Conv2d(i, o, k).parameters())"
            ],
            "conv_param_count",
            "nn.Conv2d",
        ),
        (
            EX5,
            [
                "import torch.nn.functional as F\n"
                "def cross_correlate_loops(x, k, stride=1, padding=0):\n"
                "    return F.conv2d(x[None, None], k[None, None])[0, 0]"
            ],
            "cross_correlate_loops",
            "torch.nn.functional.conv2d",
        ),
        (
            EX5,
            [
                "from torch.nn.functional import conv2d as c\n"
                "def helper(x, k):\n    return c(x[None, None], k[None, None])[0, 0]\n"
                "def convolve(x, k, stride=1, padding=0):\n"
                "    return helper(x, k.flip(0, 1))"
            ],
            "convolve",
            "torch.nn.functional.conv2d",
        ),
        (
            EX5,
            [
                "import torch.nn.functional as F\nop = getattr(F, 'conv2d')\n",
                "def cross_correlate_vectorised(x, k, stride=1, padding=0):\n"
                "    return op(x[None, None], k[None, None])[0, 0]",
            ],
            "cross_correlate_vectorised",
            "conv2d",
        ),
        (
            EX5,
            [
                "def cross_correlate_loops(x, k, stride=1, padding=0):\n"
                "    p = x.unfold(0, 3, 1).unfold(1, 3, 1)\n"
                "    return (p * k).sum((-1, -2))"
            ],
            "cross_correlate_loops",
            "unfold",
        ),
        (
            EX5,
            [
                "from scipy.signal import correlate2d\nimport torch\n"
                "def cross_correlate_vectorised(x, k, stride=1, padding=0):\n"
                "    return torch.tensor(correlate2d(x, k, 'valid'))"
            ],
            "cross_correlate_vectorised",
            "scipy.signal.correlate2d",
        ),
        (
            EX5,
            [
                "def cross_correlate_loops(x, k, stride=1, padding=0):\n"
                "    return eval('__import__(\"torch\").conv2d')(x, k)"
            ],
            "cross_correlate_loops",
            "eval",
        ),
        (
            EX5,
            [
                "import torch.nn.functional as F\n"
                "edge_map = F.conv2d(torch.ones(1, 1, 5, 5), torch.ones(1, 1, 3, 3))"
            ],
            "edge_map",
            "conv2d",
        ),
    ],
)
def test_delegations_are_found_with_what_they_use(
    exercise_id: str, cells: list[str], target: str, words: str
) -> None:
    found = static_delegations(exercise_id, cells, [target])
    assert words in found[target]


def test_a_local_name_is_not_the_top_level_one_it_shadows() -> None:
    cells = [
        "import torch.nn.functional as F\nwant = F.conv2d(a, b)",
        "def cross_correlate_loops(image, kernel, stride=1, padding=0):\n"
        "    want = image.new_zeros(2, 2)\n    return want",
    ]
    assert static_delegations(EX5, cells, ["cross_correlate_loops"]) == {}


def test_the_vectorised_function_may_unfold_but_the_loops_may_not() -> None:
    cells = [
        "import torch.nn.functional as F\n"
        "def cross_correlate_vectorised(x, k, stride=1, padding=0):\n"
        "    return F.unfold(x[None, None], k.shape)\n"
        "cross_correlate_loops = cross_correlate_vectorised"
    ]
    found = static_delegations(
        EX5, cells, ["cross_correlate_vectorised", "cross_correlate_loops"]
    )
    assert list(found) == ["cross_correlate_loops"]


def test_magics_and_broken_cells_do_not_stop_the_check() -> None:
    cells = [
        "%matplotlib inline",
        "def (:",
        "from book.layers import conv_params as conv_param_count",
    ]
    assert "conv_param_count" in static_delegations(EX4, cells, ["conv_param_count"])


def test_reaching_into_the_grader_anywhere_costs_every_test() -> None:
    cells = [
        "import book.grading.probe as p\np.call_safely = None",
        "def conv_output_size(*a):\n    return 5",
    ]
    found = static_delegations(EX4, cells, ["conv_output_size", "conv_param_count"])
    assert set(found) == {"conv_output_size", "conv_param_count"}
    assert "book.grading.probe" in found["conv_param_count"]
    assert (
        static_delegations(
            EX4, ["from book.grading import check"], ["conv_output_size"]
        )
        == {}
    )


def test_a_value_computed_before_a_redefinition_keeps_its_history() -> None:
    # edge_map was made by the loops of its time; the later hand-off costs
    # the loops' tests, not edge_map's.
    cells = [
        "def cross_correlate_loops(image, kernel, stride=1, padding=0):\n"
        "    return image[:3, :3] * kernel",
        "edge_map = cross_correlate_loops(a, b)",
        "import torch.nn.functional as F\n"
        "def cross_correlate_loops(image, kernel, stride=1, padding=0):\n"
        "    return F.conv2d(image, kernel)",
    ]
    found = static_delegations(EX5, cells, ["cross_correlate_loops", "edge_map"])
    assert list(found) == ["cross_correlate_loops"]
    later = [cells[0], cells[2], cells[1]]
    found = static_delegations(EX5, later, ["cross_correlate_loops", "edge_map"])
    assert set(found) == {"cross_correlate_loops", "edge_map"}
