"""The shift study: train on digits at one place of a canvas, test them moved.

`shift_experiment` trains one model per seed, all seeds in one batched
computation (`book.experiments.batched.train_batched`), each until its
validation accuracy stops rising (`StoppingRule`). It then measures every
model's test accuracy with the digits moved by each shift, along each
direction asked for. With `augment=True` every training digit is pasted at a
place drawn anew, uniformly over every place where it fits, each time a
minibatch uses it: translation augmentation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import nn

from book.data import place_on_canvas, train_test_split
from book.experiments.batched import (
    BatchedTraining,
    StoppingRule,
    rows_at,
    train_batched,
)
from book.experiments.models import ModelFactory
from book.experiments.results import SeededAccuracy
from book.training import accuracy, threads_at_most
from book.validation import direction_steps, whole_number

# Patient enough that the slow learner of the study (an FC model learning every
# place from augmented digits) is not stopped by one noisy check.
SHIFT_RULE = StoppingRule(eval_every=20, patience=10, min_delta=0.005, max_steps=4000)


@dataclass
class ShiftExperiment(SeededAccuracy):
    """What `shift_experiment` measured: accuracies per direction, seed and shift.

    The curves are the directions, the points the shifts; `at(shift)` and
    `mean()` read the horizontal direction unless told another. `training`
    holds every seed's model (best validation weights), its initial weights
    and its training record.
    """

    point_name: ClassVar[str] = "shift"
    curve_name: ClassVar[str] = "direction"
    default_curve: ClassVar[str | None] = "horizontal"

    canvas_size: int
    image_size: tuple[int, int]
    position: tuple[int, int]
    shifts: tuple[int, ...]
    seeds: tuple[int, ...]
    augment: bool
    batch_size: int
    # accuracy[direction][i][j]: model of seeds[i], test digits moved by shifts[j].
    accuracy: dict[str, list[list[float]]]
    # splits[i]: the (train, validation, test) indices of seeds[i] into the images.
    splits: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = field(
        default_factory=list, repr=False
    )
    # Each model's accuracy on its own training digits, placed as in training.
    train_accuracy: list[float] = field(default_factory=list)
    training: BatchedTraining | None = field(default=None, repr=False)

    @property
    def models(self) -> list[nn.Module]:
        """Every seed's trained model, with its best validation weights."""
        return [self._trained().module(i) for i in range(len(self.seeds))]

    @property
    def initial_states(self) -> list[dict[str, torch.Tensor]]:
        """Every seed's weights before training, as state dicts."""
        trained = self._trained()
        return [
            trained.module(i, initial=True).state_dict() for i in range(len(self.seeds))
        ]

    @property
    def stopped_by_rule(self) -> list[bool]:
        """Whether each model stopped on a validation plateau, not at the step cap."""
        return self._trained().stopped_by_rule

    @property
    def images_seen(self) -> list[int]:
        """Training images each model had seen when it reached its best weights."""
        return [step * self.batch_size for step in self._trained().best_step]

    def images_to_reach(self, level: float) -> list[int | None]:
        """Images each model had seen at its first check with validation accuracy
        at least `level`; None for a model that never got there."""
        trained = self._trained()
        reached: list[int | None] = []
        for column in trained.val_accuracy.T.tolist():
            checks = [
                step
                for step, value in zip(trained.check_steps, column, strict=True)
                if value >= level
            ]
            reached.append(checks[0] * self.batch_size if checks else None)
        return reached

    def _trained(self) -> BatchedTraining:
        if self.training is None:
            raise ValueError("nothing was trained: run shift_experiment first")
        return self.training


def shifted_position(
    position: tuple[int, int], shift: int, direction: str
) -> tuple[int, int]:
    """Top-left corner `position` moved by `shift` pixels right or down.

    >>> shifted_position((4, 4), -3, "horizontal")
    (4, 1)
    >>> shifted_position((4, 4), 2, "vertical")
    (6, 4)
    """
    step_row, step_col = direction_steps(direction)
    return position[0] + shift * step_row, position[1] + shift * step_col


def _check_shifts(
    shifts: Sequence[int],
    directions: Sequence[str],
    position: tuple[int, int],
    image_size: tuple[int, int],
    canvas_size: int,
) -> tuple[int, ...]:
    """Every shift as an int that keeps the image on the canvas, or a ValueError."""
    if len(shifts) == 0:
        raise ValueError("shifts is empty: give at least one shift, e.g. [0]")
    checked = tuple(whole_number("shift", s, -canvas_size) for s in shifts)
    for direction in directions:
        for shift in checked:
            row, col = shifted_position(position, shift, direction)
            axis = 0 if direction_steps(direction)[0] else 1
            corner, name = (row, "row") if axis == 0 else (col, "column")
            last = canvas_size - image_size[axis]
            if not 0 <= corner <= last:
                start = position[axis]
                raise ValueError(
                    f"shift {shift} ({direction}) moves the {image_size[axis]}-pixel "
                    f"image from {name} {start} to {corner}, off the "
                    f"{canvas_size}-pixel canvas ({name}s 0..{last} fit)"
                )
    return checked


def _empty_result(
    images: torch.Tensor,
    canvas_size: int,
    shifts: Sequence[int],
    seeds: Sequence[int],
    directions: Sequence[str] | str,
    augment: bool,
    batch_size: int,
) -> ShiftExperiment:
    """The checked settings, with the image centred on the canvas; nothing measured."""
    if not isinstance(images, torch.Tensor) or images.dim() != 3:
        shape = getattr(images, "shape", type(images).__name__)
        raise ValueError(f"images must be a tensor of shape (N, h, w), got {shape}")
    image_size = (int(images.shape[1]), int(images.shape[2]))
    canvas_size = whole_number("canvas_size", canvas_size, max(image_size))
    if isinstance(directions, str):
        directions = (directions,)
    if len(directions) == 0:
        raise ValueError("directions is empty: give 'horizontal' and/or 'vertical'")
    if len(seeds) == 0:
        raise ValueError("seeds is empty: give at least one seed, e.g. [0]")
    if not isinstance(augment, bool):
        raise TypeError(f"augment must be True or False, got {augment!r}")
    position = (
        (canvas_size - image_size[0]) // 2,
        (canvas_size - image_size[1]) // 2,
    )
    return ShiftExperiment(
        canvas_size=canvas_size,
        image_size=image_size,
        position=position,
        shifts=_check_shifts(shifts, directions, position, image_size, canvas_size),
        seeds=tuple(whole_number("seed", seed, 0) for seed in seeds),
        augment=augment,
        batch_size=whole_number("batch_size", batch_size, 1),
        accuracy={direction: [] for direction in directions},
    )


def every_placement(images: torch.Tensor, canvas_size: int) -> torch.Tensor:
    """(N, P, 1, S, S): every image at each of the P places where it fits, row-major.

    >>> every_placement(torch.ones(2, 2, 2), 3).shape
    torch.Size([2, 4, 1, 3, 3])
    """
    last_row = canvas_size - images.shape[1]
    last_col = canvas_size - images.shape[2]
    corners = [(r, c) for r in range(last_row + 1) for c in range(last_col + 1)]
    placed = [place_on_canvas(images, canvas_size, corner) for corner in corners]
    return torch.stack(placed, dim=1)[:, :, None]


class _Placements:
    """Training inputs: digits at the centre, or at a place drawn anew each time.

    All placements are pasted once; a minibatch then only picks them, so
    augmentation costs no more per step than fixed inputs.
    """

    def __init__(self, images: torch.Tensor, result: ShiftExperiment, seed: int):
        size = result.canvas_size
        if result.augment:
            self.placed = every_placement(images, size)
            # Validation and training accuracy: one fixed, seeded place per digit.
            generator = torch.Generator().manual_seed(seed)
            count = self.placed.shape[1]
            fixed = torch.randint(count, (len(images),), generator=generator)
            self.fixed = self.placed[torch.arange(len(images)), fixed]
        else:
            self.fixed = place_on_canvas(images, size, result.position)[:, None]

    def __call__(self, indices: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Each example of each model's minibatch at the place its noise draws."""
        count = self.placed.shape[1]
        place = (noise[..., 0] * count).long()
        return rows_at(self.placed.flatten(0, 1), indices * count + place)


def _splits(
    count: int, seeds: Sequence[int], test_fraction: float, val_fraction: float
) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(train, validation, test) indices per seed: the test part split off first."""
    splits = []
    for seed in seeds:
        pool, test = train_test_split(
            torch.arange(count), test_fraction=test_fraction, seed=seed
        )
        train, val = train_test_split(pool, test_fraction=val_fraction, seed=seed)
        splits.append((train, val, test))
    return splits


def _accuracy_under_shifts(
    model: nn.Module,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    result: ShiftExperiment,
    direction: str,
) -> list[float]:
    """Test accuracy with the test images moved by each of the result's shifts."""
    row = []
    for shift in result.shifts:
        moved = shifted_position(result.position, shift, direction)
        test = place_on_canvas(x_test, result.canvas_size, moved)[:, None]
        row.append(accuracy(model, test, y_test))
    return row


def shift_experiment(
    make_model: ModelFactory,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    canvas_size: int,
    shifts: Sequence[int],
    seeds: Sequence[int],
    directions: Sequence[str] | str = ("horizontal",),
    augment: bool = False,
    test_fraction: float = 0.25,
    val_fraction: float = 0.2,
    lr: float = 1e-2,
    batch_size: int = 64,
    rule: StoppingRule = SHIFT_RULE,
) -> ShiftExperiment:
    """Train one model per seed on digits centred on a canvas; test them shifted.

    Seed s fixes its split (test digits, then validation digits from the rest),
    its model's initial weights and its minibatches; equal arguments give equal
    results. Models get canvases of shape (N, 1, canvas_size, canvas_size) and
    are trained with Adam until `rule` says done, keeping their best validation
    weights. With `augment`, training digits go anywhere on the canvas, drawn
    anew every time they are used, and validation digits sit at one seeded
    random place each.
    """
    result = _empty_result(
        images, canvas_size, shifts, seeds, directions, augment, batch_size
    )
    splits = _splits(len(images), result.seeds, test_fraction, val_fraction)
    result.splits = splits
    inputs = _Placements(images, result, result.seeds[0])
    # Stacked, an arm's operations are large enough for a second core when it
    # trains alone; beside other arms (`side_by_side`) it has one.
    with threads_at_most(2):
        result.training = train_batched(
            make_model,
            inputs if augment else inputs.fixed,
            labels,
            seeds=result.seeds,
            train_sets=[train for train, _, _ in splits],
            val_sets=[val for _, val, _ in splits],
            val_inputs=inputs.fixed,
            noise=1 if augment else 0,
            lr=lr,
            batch_size=result.batch_size,
            rule=rule,
        )
        for model, (train, _, test) in zip(result.models, splits, strict=True):
            result.train_accuracy.append(
                accuracy(model, inputs.fixed[train], labels[train])
            )
            for direction, rows in result.accuracy.items():
                rows.append(
                    _accuracy_under_shifts(
                        model, images[test], labels[test], result, direction
                    )
                )
    return result
