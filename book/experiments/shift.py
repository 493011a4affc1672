"""The shift study: train on digits at one place of a canvas, test them moved.

`shift_experiment` trains one model per seed and measures its test accuracy
with the digits moved by each shift, along each direction asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import nn
from tqdm.auto import tqdm

from book.data import place_on_canvas, random_positions, train_test_split
from book.experiments.results import SeededAccuracy
from book.training import accuracy, single_threaded, train_classifier
from book.validation import direction_steps, whole_number


@dataclass
class ShiftExperiment(SeededAccuracy):
    """What `shift_experiment` measured: accuracies per direction, seed and shift.

    The curves are the directions, the points the shifts; `at(shift)` and
    `mean()` read the horizontal direction unless told another.
    """

    point_name: ClassVar[str] = "shift"
    curve_name: ClassVar[str] = "direction"
    default_curve: ClassVar[str | None] = "horizontal"

    canvas_size: int
    image_size: tuple[int, int]
    position: tuple[int, int]
    shifts: tuple[int, ...]
    seeds: tuple[int, ...]
    # accuracy[direction][i][j]: model of seeds[i], test digits moved by shifts[j].
    accuracy: dict[str, list[list[float]]]
    losses: list[list[float]]
    models: list[nn.Module] = field(repr=False)
    initial_states: list[dict[str, torch.Tensor]] = field(repr=False)


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


def shift_experiment(
    make_model: Callable[[], nn.Module],
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    canvas_size: int,
    shifts: Sequence[int],
    seeds: Sequence[int],
    num_epochs: int,
    directions: Sequence[str] = ("horizontal",),
    train_max_shift: int = 0,
    test_fraction: float = 0.25,
    lr: float = 1e-2,
    batch_size: int = 64,
    progress: bool = True,
    desc: str = "training, one model per seed",
) -> ShiftExperiment:
    """Train one model per seed on images centred on a canvas; test them shifted.

    Each seed fixes the train/test split, the model's initial weights (drawn by
    `make_model()` under that seed, without touching the global generator) and
    the batch order, so equal arguments give equal results. Models get canvases
    of shape (N, 1, canvas_size, canvas_size). With `train_max_shift` > 0 each
    training image sits at its own seeded position up to that many pixels from
    the centre along each axis (translation augmentation).
    """
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
    seeds = tuple(whole_number("seed", seed, 0) for seed in seeds)
    position = (
        (canvas_size - image_size[0]) // 2,
        (canvas_size - image_size[1]) // 2,
    )
    shifts = _check_shifts(shifts, directions, position, image_size, canvas_size)
    train_max_shift = whole_number("train_max_shift", train_max_shift, 0)
    if train_max_shift and image_size[0] != image_size[1]:
        raise ValueError(
            f"train_max_shift needs square images, got {image_size[0]} x "
            f"{image_size[1]}"
        )

    result = ShiftExperiment(
        canvas_size=canvas_size,
        image_size=image_size,
        position=position,
        shifts=shifts,
        seeds=seeds,
        accuracy={direction: [] for direction in directions},
        losses=[],
        models=[],
        initial_states=[],
    )
    # Tiny models: one thread is faster, and immune to busy neighbours.
    with single_threaded():
        for seed in tqdm(seeds, desc=desc, disable=not progress):
            x_train, x_test, y_train, y_test = train_test_split(
                images, labels, test_fraction=test_fraction, seed=seed
            )
            # fork_rng: seed the initial weights, leave the caller's stream alone.
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                model = make_model()
            result.initial_states.append(
                {
                    key: value.detach().clone()
                    for key, value in model.state_dict().items()
                }
            )
            train_positions = (
                random_positions(
                    len(x_train),
                    image_size[0],
                    canvas_size,
                    seed=seed,
                    around=position,
                    max_shift=train_max_shift,
                )
                if train_max_shift
                else position
            )
            canvases = place_on_canvas(x_train, canvas_size, train_positions)[:, None]
            result.losses.append(
                train_classifier(
                    model,
                    canvases,
                    y_train,
                    num_epochs=num_epochs,
                    lr=lr,
                    batch_size=batch_size,
                    seed=seed,
                    progress=False,
                )
            )
            result.models.append(model)
            for direction in directions:
                row = []
                for shift in shifts:
                    moved = shifted_position(position, shift, direction)
                    test = place_on_canvas(x_test, canvas_size, moved)[:, None]
                    row.append(accuracy(model, test, y_test))
                result.accuracy[direction].append(row)
    return result
