"""The sample-efficiency study: test accuracy against the number of training images.

Each digit is pasted once at a seeded random place on a canvas, so an FC model
sees every placement as a new pattern. The digits are split by *source image*:
a test digit was never seen in training at any place. For each seed, model
family and training-set size N, a model trains on the first N digits of the
seed's class-balanced pool until its validation accuracy stops rising (the
batched trainer's `StoppingRule`); all seeds and sizes of one family train
together, and the families (and a control's, in `sample_efficiency_studies`)
train side by side, one on each core. A 1-nearest-neighbour classifier on the
same splits is the non-neural baseline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import ClassVar

import torch
from torch import nn

from book.data import permute_pixels, place_on_canvas, random_positions
from book.experiments.batched import BatchedTraining, StoppingRule, train_batched
from book.experiments.models import ModelFactory
from book.experiments.results import SeededAccuracy
from book.training import side_by_side
from book.validation import whole_number

NEAREST_NEIGHBOUR = "1-NN"


@dataclass(frozen=True)
class PlacedDigits:
    """Digits pasted at random places, with each seed's split by source image.

    `inputs` stacks one canvas per digit *per seed* (seed i's placements are
    rows i*n .. (i+1)*n - 1); `pools[i]`, `validation[i]` and `test[i]` index
    into it. A pool is ordered so that its first N digits hold N/10 of each class.
    """

    canvas_size: int
    seeds: tuple[int, ...]
    inputs: torch.Tensor = field(repr=False)  # (seeds * n, 1, S, S)
    labels: torch.Tensor = field(repr=False)
    digits: torch.Tensor = field(repr=False)  # (n, h, w), the source images
    positions: tuple[torch.Tensor, ...] = field(repr=False)  # per seed, (n, 2)
    pools: tuple[torch.Tensor, ...] = field(repr=False)
    validation: tuple[torch.Tensor, ...] = field(repr=False)
    test: tuple[torch.Tensor, ...] = field(repr=False)

    @property
    def max_size(self) -> int:
        """The largest class-balanced training set every seed's pool can give."""
        return min(len(pool) for pool in self.pools)

    def permuted(self, permutation: torch.Tensor) -> PlacedDigits:
        """The same digits, places and splits, with one pixel permutation applied."""
        side = self.canvas_size
        flat = permute_pixels(self.inputs.reshape(-1, side, side), permutation)
        return replace(self, inputs=flat.reshape(self.inputs.shape))


def _balanced_split(
    labels: torch.Tensor, seed: int, test_fraction: float, val_per_class: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pool (interleaved by class), validation and test indices of one seed."""
    generator = torch.Generator().manual_seed(seed)
    pools, validation, test = [], [], []
    for digit in range(10):
        members = (labels == digit).nonzero().flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        num_test = round(len(members) * test_fraction)
        test.append(members[:num_test])
        validation.append(members[num_test : num_test + val_per_class])
        pools.append(members[num_test + val_per_class :])
    if min(len(pool) for pool in pools) == 0:
        raise ValueError(
            f"test_fraction={test_fraction} and val_per_class={val_per_class} "
            "leave some class with no training digits"
        )
    # Round-robin over the classes: the first N of the pool are balanced.
    depth = min(len(pool) for pool in pools)
    pool = torch.stack([p[:depth] for p in pools], dim=1).flatten()
    return pool, torch.cat(validation), torch.cat(test)


def placed_digits(
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    canvas_size: int,
    seeds: Sequence[int],
    test_fraction: float = 0.3,
    val_per_class: int = 20,
) -> PlacedDigits:
    """Each seed's placements of all (n, h, w) digits and its split by source image.

    Seed s draws a place for every digit (every place that fits equally likely),
    then holds out `test_fraction` of each class for testing and `val_per_class`
    digits per class for the stopping rule; the rest is its training pool.
    """
    if len(seeds) == 0:
        raise ValueError("seeds is empty: give at least one seed, e.g. [0]")
    seeds = tuple(whole_number("seed", seed, 0) for seed in seeds)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    whole_number("val_per_class", val_per_class, 1)
    count, height, _ = images.shape
    canvases, positions, pools, validation, test = [], [], [], [], []
    for i, seed in enumerate(seeds):
        where = random_positions(count, height, canvas_size, seed=seed)
        canvases.append(place_on_canvas(images, canvas_size, where))
        positions.append(where)
        pool, val, held_out = _balanced_split(
            labels, seed, test_fraction, val_per_class
        )
        pools.append(pool + i * count)
        validation.append(val + i * count)
        test.append(held_out + i * count)
    return PlacedDigits(
        canvas_size=canvas_size,
        seeds=seeds,
        inputs=torch.cat(canvases)[:, None],
        labels=labels.repeat(len(seeds)),
        digits=images,
        positions=tuple(positions),
        pools=tuple(pools),
        validation=tuple(validation),
        test=tuple(test),
    )


@dataclass
class SampleEfficiency(SeededAccuracy):
    """Test accuracy per model, seed and training-set size, and how training went.

    The curves are the models, the points the training-set sizes.
    `train_accuracy` has the same layout as `accuracy`; `trainings[model]` holds
    the trained models, run r being seed `r // len(sizes)` at size `r % len(sizes)`.
    """

    point_name: ClassVar[str] = "size"
    curve_name: ClassVar[str] = "model"

    sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    # accuracy[model][i][j]: trained with seeds[i] on the first sizes[j] images.
    accuracy: dict[str, list[list[float]]]
    train_accuracy: dict[str, list[list[float]]]
    trainings: dict[str, BatchedTraining] = field(repr=False)

    def row(self, seed: int) -> int:
        """The row of `seed` in `accuracy[model]`."""
        if seed not in self.seeds:
            raise ValueError(f"seed {seed} was not run; seeds: {self.seeds}")
        return self.seeds.index(seed)

    def run(self, seed: int, size: int) -> int:
        """Which of a family's stacked models was trained with `seed` on `size`."""
        if size not in self.sizes:
            raise ValueError(f"size {size} was not measured; sizes: {self.sizes}")
        return self.row(seed) * len(self.sizes) + self.sizes.index(size)

    def model(self, name: str, seed: int, size: int) -> nn.Module:
        """The trained model of one family, seed and size, as a plain module."""
        if name not in self.trainings:
            raise ValueError(
                f"{name!r} is not a trained model: {tuple(self.trainings)}"
            )
        return self.trainings[name].module(self.run(seed, size))

    def lead(self, size: int, model: str = "CNN", over: str = "FC") -> list[float]:
        """Accuracy of `model` minus that of `over`, per seed (same test digits)."""
        pairs = zip(self.at(size, model), self.at(size, over), strict=True)
        return [a - b for a, b in pairs]

    def images_to_reach(
        self, model: str, target: float, seed: int | None = None
    ) -> float | None:
        """Training images the model needs for an accuracy of `target`.

        Read off its mean curve (or one seed's), linear in log N between the
        measured sizes; None if the curve never reaches the target.
        """
        if seed is None:
            curve = self.mean(model)
        else:
            curve = self._rows(model)[self.row(seed)]
        if curve[0] >= target:
            return float(self.sizes[0])
        points = list(zip(self.sizes, curve, strict=True))
        for (n0, a0), (n1, a1) in zip(points, points[1:], strict=False):
            if a0 < target <= a1:
                fraction = (target - a0) / (a1 - a0)
                return math.exp(math.log(n0) + fraction * math.log(n1 / n0))
        return None


def _check_sizes(sizes: Sequence[int], data: PlacedDigits) -> tuple[int, ...]:
    if len(sizes) == 0:
        raise ValueError("sizes is empty: give at least one training-set size")
    sizes = tuple(whole_number("size", size, 1) for size in sizes)
    if max(sizes) > data.max_size:
        raise ValueError(
            f"size {max(sizes)} is more than the {data.max_size} class-balanced "
            "training digits every seed's pool holds"
        )
    return sizes


def study_runs(
    data: PlacedDigits, sizes: tuple[int, ...]
) -> tuple[list[int], list[torch.Tensor], list[torch.Tensor]]:
    """Seeds, training and validation indices of every run, seed-major."""
    runs = [(i, size) for i in range(len(data.seeds)) for size in sizes]
    seeds = [data.seeds[i] for i, _ in runs]
    train_sets = [data.pools[i][:size] for i, size in runs]
    val_sets = [data.validation[i] for i, _ in runs]
    return seeds, train_sets, val_sets


def _grid(values: Sequence[float], rows: int) -> list[list[float]]:
    """Seed-major run values as rows[seed][size]."""
    width = len(values) // rows
    return [list(values[r * width : (r + 1) * width]) for r in range(rows)]


def nearest_neighbour_accuracy(
    data: PlacedDigits, sizes: Sequence[int]
) -> list[list[float]]:
    """Test accuracy of 1-nearest-neighbour (Euclidean, on pixels), [seed][size]."""
    sizes = _check_sizes(sizes, data)
    flat = data.inputs.flatten(1)
    rows = []
    for pool, test in zip(data.pools, data.test, strict=True):
        distances = torch.cdist(flat[test], flat[pool[: max(sizes)]])
        row = []
        for size in sizes:
            nearest = pool[distances[:, :size].argmin(dim=1)]
            row.append(
                (data.labels[nearest] == data.labels[test]).float().mean().item()
            )
        rows.append(row)
    return rows


@dataclass(frozen=True)
class _FamilyRun:
    """One family trained on one condition, and what each of its runs scored."""

    training: BatchedTraining
    test_accuracy: list[float]
    train_accuracy: list[float]


def _train_and_score(
    make: ModelFactory,
    data: PlacedDigits,
    sizes: tuple[int, ...],
    *,
    lr: float,
    batch_size: int,
    rule: StoppingRule,
) -> _FamilyRun:
    """Train one family's runs (seeds x sizes) on one condition; score each run."""
    seeds, train_sets, val_sets = study_runs(data, sizes)
    training = train_batched(
        make,
        data.inputs,
        data.labels,
        seeds=seeds,
        train_sets=train_sets,
        val_sets=val_sets,
        lr=lr,
        batch_size=batch_size,
        rule=rule,
    )
    # Each model is scored on its own seed's canvases only.
    rows = len(data.seeds)
    blocks = data.inputs.reshape(rows, -1, *data.inputs.shape[1:])
    block_of_run = torch.arange(len(seeds)) // len(sizes)
    own = training.own_logits(blocks[block_of_run]).argmax(dim=-1)
    hits = own == data.labels.reshape(rows, -1)[block_of_run]
    count = blocks.shape[1]
    test = [hits[r, data.test[r // len(sizes)] % count] for r in range(len(hits))]
    fitted = [hits[r, indices % count] for r, indices in enumerate(train_sets)]
    return _FamilyRun(
        training,
        [h.float().mean().item() for h in test],
        [h.float().mean().item() for h in fitted],
    )


def sample_efficiency(
    models: Mapping[str, ModelFactory],
    data: PlacedDigits,
    *,
    sizes: Sequence[int],
    rule: StoppingRule,
    lr: float = 1e-2,
    batch_size: int = 32,
    nearest_neighbour: bool = True,
) -> SampleEfficiency:
    """Train every model family on the first N digits of each seed's pool, for each N.

    Each family's runs (seeds x sizes) train together until the stopping rule
    ends each one, and keep the weights of their best validation accuracy.
    With `nearest_neighbour`, a 1-NN classifier on the same splits is added.
    """
    (result,) = sample_efficiency_studies(
        models,
        {"": data},
        sizes=sizes,
        rule=rule,
        lr=lr,
        batch_size=batch_size,
        nearest_neighbour=nearest_neighbour,
    ).values()
    return result


def sample_efficiency_studies(
    models: Mapping[str, ModelFactory],
    conditions: Mapping[str, PlacedDigits],
    *,
    sizes: Sequence[int] | Mapping[str, Sequence[int]],
    rule: StoppingRule,
    lr: float = 1e-2,
    batch_size: int = 32,
    nearest_neighbour: bool = True,
) -> dict[str, SampleEfficiency]:
    """`sample_efficiency` on several versions of the data, trained side by side.

    A study and its control (the same digits with the pixels shuffled) train
    faster together: every (family, condition) pair is one job, a stacked
    training and its scoring, and the jobs share the cores
    (`book.training.side_by_side`), a family's conditions next to each other.
    `sizes` is one list for every condition, or a list per condition name.
    Each condition's result is the one `sample_efficiency` gives for it alone.
    """
    if not models:
        raise ValueError("models is empty: give at least one name -> factory")
    if not conditions:
        raise ValueError("conditions is empty: give at least one name -> data")
    checked = {
        name: _check_sizes(_sizes_of(sizes, name), data)
        for name, data in conditions.items()
    }
    pairs = [(model, condition) for model in models for condition in conditions]
    jobs = [
        partial(
            _train_and_score,
            models[model],
            conditions[condition],
            checked[condition],
            lr=lr,
            batch_size=batch_size,
            rule=rule,
        )
        for model, condition in pairs
    ]
    runs = dict(zip(pairs, side_by_side(jobs), strict=True))
    return {
        condition: _result(
            {model: runs[model, condition] for model in models},
            data,
            checked[condition],
            nearest_neighbour,
        )
        for condition, data in conditions.items()
    }


def _sizes_of(
    sizes: Sequence[int] | Mapping[str, Sequence[int]], condition: str
) -> Sequence[int]:
    """The training-set sizes of one condition."""
    if not isinstance(sizes, Mapping):
        return sizes
    if condition not in sizes:
        raise ValueError(
            f"sizes has no list for condition {condition!r}: {tuple(sizes)}"
        )
    return sizes[condition]


def _result(
    runs: dict[str, _FamilyRun],
    data: PlacedDigits,
    sizes: tuple[int, ...],
    nearest_neighbour: bool,
) -> SampleEfficiency:
    """One condition's result, from its families' runs."""
    rows = len(data.seeds)
    result = SampleEfficiency(
        sizes=sizes, seeds=data.seeds, accuracy={}, train_accuracy={}, trainings={}
    )
    for name, run in runs.items():
        result.accuracy[name] = _grid(run.test_accuracy, rows)
        result.train_accuracy[name] = _grid(run.train_accuracy, rows)
        result.trainings[name] = run.training
    if nearest_neighbour:
        result.accuracy[NEAREST_NEIGHBOUR] = nearest_neighbour_accuracy(data, sizes)
    return result
