"""book.experiments.results: the lookups every study result shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from book.experiments.results import SeededAccuracy


@dataclass
class Study(SeededAccuracy):
    point_name: ClassVar[str] = "width"
    curve_name: ClassVar[str] = "model"

    widths: tuple[int, ...]
    seeds: tuple[int, ...]
    accuracy: dict[str, list[list[float]]]


@dataclass
class StudyWithDefault(Study):
    default_curve: ClassVar[str | None] = "small"


# accuracy[curve][seed][point]: two seeds, three widths.
ROWS = {"small": [[0.1, 0.5, 0.9], [0.3, 0.7, 0.8]], "big": [[0.2] * 3, [0.4] * 3]}


def test_points_are_read_from_the_named_field() -> None:
    assert Study((1, 2, 4), (0, 1), ROWS).points == (1, 2, 4)


def test_at_reads_one_point_across_the_seeds() -> None:
    study = Study((1, 2, 4), (0, 1), ROWS)
    assert study.at(2, "small") == [0.5, 0.7]
    assert study.at(4, "big") == [0.2, 0.4]


def test_mean_averages_each_point_over_the_seeds() -> None:
    study = Study((1, 2, 4), (0, 1), ROWS)
    assert study.mean("small") == pytest.approx([0.2, 0.6, 0.85])
    assert study.mean("big") == pytest.approx([0.3, 0.3, 0.3])


def test_the_default_curve_may_be_left_out() -> None:
    study = StudyWithDefault((1, 2, 4), (0, 1), ROWS)
    assert study.at(1) == study.at(1, "small") == [0.1, 0.3]
    assert study.mean() == study.mean("small")


def test_lookups_name_what_was_not_measured() -> None:
    study = Study((1, 2, 4), (0, 1), ROWS)
    with pytest.raises(ValueError, match=r"width 3 was not measured; widths: \(1, 2"):
        study.at(3, "small")
    with pytest.raises(ValueError, match=r"model 'huge' was not measured; models: \("):
        study.mean("huge")
    with pytest.raises(ValueError, match=r"name the model: one of \('small', 'big'\)"):
        study.mean()
