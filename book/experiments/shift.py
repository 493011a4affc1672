"""The shift study: train on digits at one place of a canvas, test them moved.

`shift_experiment` trains one model per seed and measures its test accuracy
with the digits moved by each shift, along each direction asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import nn
from tqdm.auto import tqdm

from book.data import place_on_canvas, random_positions, train_test_split
from book.experiments.models import ModelFactory, seeded_model
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


def _empty_result(
    images: torch.Tensor,
    canvas_size: int,
    shifts: Sequence[int],
    seeds: Sequence[int],
    directions: Sequence[str],
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
        accuracy={direction: [] for direction in directions},
        losses=[],
        models=[],
        initial_states=[],
    )


def _training_canvases(
    x_train: torch.Tensor, result: ShiftExperiment, seed: int, max_shift: int
) -> torch.Tensor:
    """(N, 1, S, S) canvases, each image centred or up to `max_shift` pixels off."""
    positions = (
        random_positions(
            len(x_train),
            result.image_size[0],
            result.canvas_size,
            seed=seed,
            around=result.position,
            max_shift=max_shift,
        )
        if max_shift
        else result.position
    )
    return place_on_canvas(x_train, result.canvas_size, positions)[:, None]


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


def _train_seed(
    make_model: ModelFactory,
    canvases: torch.Tensor,
    labels: torch.Tensor,
    seed: int,
    *,
    num_epochs: int,
    lr: float,
    batch_size: int,
) -> tuple[nn.Module, dict[str, torch.Tensor], list[float]]:
    """One seed's model trained on `canvases`, its initial weights and its losses."""
    model = seeded_model(make_model, seed)
    initial_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    losses = train_classifier(
        model,
        canvases,
        labels,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        seed=seed,
        progress=False,
    )
    return model, initial_state, losses


def shift_experiment(
    make_model: ModelFactory,
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
    result = _empty_result(images, canvas_size, shifts, seeds, directions)
    train_max_shift = whole_number("train_max_shift", train_max_shift, 0)
    if train_max_shift and result.image_size[0] != result.image_size[1]:
        height, width = result.image_size
        raise ValueError(f"train_max_shift needs square images, got {height} x {width}")
    # Tiny models: one thread is faster, and immune to busy neighbours.
    with single_threaded():
        for seed in tqdm(result.seeds, desc=desc, disable=not progress):
            x_train, x_test, y_train, y_test = train_test_split(
                images, labels, test_fraction=test_fraction, seed=seed
            )
            canvases = _training_canvases(x_train, result, seed, train_max_shift)
            model, initial_state, losses = _train_seed(
                make_model,
                canvases,
                y_train,
                seed,
                num_epochs=num_epochs,
                lr=lr,
                batch_size=batch_size,
            )
            result.initial_states.append(initial_state)
            result.losses.append(losses)
            result.models.append(model)
            for direction, rows in result.accuracy.items():
                rows.append(
                    _accuracy_under_shifts(model, x_test, y_test, result, direction)
                )
    return result
