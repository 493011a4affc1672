"""The one result vocabulary of the studies: accuracy per curve, seed and point.

A study measures test accuracy along one axis of settings (the *points*: shifts,
training-set sizes) for several *curves* (shift directions, models), once per
seed. Every study's result stores `accuracy[curve][i][j]`, the accuracy of the
model trained with `seeds[i]` at `points[j]`, and answers two questions:

- `at(point, curve)`: the accuracy of every seed at one point;
- `mean(curve)`: the accuracy at each point, averaged over the seeds.
"""

from __future__ import annotations

from typing import ClassVar


class SeededAccuracy:
    """Lookups shared by the study results; subclasses are dataclasses.

    A subclass has the fields `seeds` and `accuracy` and names its points
    (`point_name`, the attribute that holds them) and its curves (`curve_name`).
    With `default_curve` set, `at` and `mean` may leave the curve out.
    """

    point_name: ClassVar[str]
    curve_name: ClassVar[str]
    default_curve: ClassVar[str | None] = None
    seeds: tuple[int, ...]
    accuracy: dict[str, list[list[float]]]

    @property
    def points(self) -> tuple[int, ...]:
        """The settings measured along the horizontal axis, e.g. the shifts."""
        return getattr(self, f"{self.point_name}s")

    def at(self, point: int, curve: str | None = None) -> list[float]:
        """Test accuracy of every seed's model at one point of one curve."""
        if point not in self.points:
            raise ValueError(
                f"{self.point_name} {point} was not measured; "
                f"{self.point_name}s: {self.points}"
            )
        column = self.points.index(point)
        return [row[column] for row in self._rows(curve)]

    def mean(self, curve: str | None = None) -> list[float]:
        """Accuracy at each point of one curve, averaged over the seeds."""
        rows = self._rows(curve)
        return [sum(column) / len(column) for column in zip(*rows, strict=True)]

    def _rows(self, curve: str | None) -> list[list[float]]:
        curve = self.default_curve if curve is None else curve
        if curve is None:
            raise ValueError(
                f"name the {self.curve_name}: one of {tuple(self.accuracy)}"
            )
        if curve not in self.accuracy:
            raise ValueError(
                f"{self.curve_name} {curve!r} was not measured; "
                f"{self.curve_name}s: {tuple(self.accuracy)}"
            )
        return self.accuracy[curve]
