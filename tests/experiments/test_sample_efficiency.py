"""book.experiments.sample_efficiency: placed digits, split by source, and the study."""

from __future__ import annotations

import statistics
from functools import cache

import pytest
import torch

from book.data import load_digits
from book.experiments.batched import StoppingRule
from book.experiments.models import digit_models
from book.experiments.sample_efficiency import (
    NEAREST_NEIGHBOUR,
    PlacedDigits,
    SampleEfficiency,
    nearest_neighbour_accuracy,
    placed_digits,
    sample_efficiency,
    sample_efficiency_studies,
)
from book.training import single_threaded

QUICK = StoppingRule(eval_every=5, patience=2, max_steps=20)


@cache
def digits(seeds: tuple[int, ...] = (0, 1)) -> PlacedDigits:
    images, labels = load_digits()
    return placed_digits(images, labels, canvas_size=12, seeds=seeds)


def test_test_digits_are_never_training_digits_at_any_place() -> None:
    data = digits()
    count = len(data.digits)
    for i in range(len(data.seeds)):
        parts = [data.pools[i], data.validation[i], data.test[i]]
        # Each seed's indices point into its own block of canvases...
        assert all(((part // count) == i).all() for part in parts)
        # ...and no source digit is in two parts of the split.
        sources = [set((part % count).tolist()) for part in parts]
        assert sum(len(s) for s in sources) == len(set().union(*sources))


def test_the_first_n_of_a_pool_hold_n_over_ten_of_each_class() -> None:
    data = digits()
    for pool in data.pools:
        for size in (10, 30, 100):
            counts = torch.bincount(data.labels[pool[:size]], minlength=10)
            assert counts.tolist() == [size // 10] * 10


def test_canvases_hold_the_digits_at_the_seeds_places() -> None:
    data = digits()
    count, side = len(data.digits), data.canvas_size
    i, k = 1, 17
    row, col = data.positions[i][k].tolist()
    canvas = data.inputs[i * count + k, 0]
    assert torch.equal(canvas[row : row + 8, col : col + 8], data.digits[k])
    assert canvas.sum() == data.digits[k].sum()
    assert not torch.equal(data.positions[0], data.positions[1])
    assert data.inputs.shape == (2 * count, 1, side, side)


def test_permuted_moves_pixels_and_keeps_everything_else() -> None:
    data = digits()
    permutation = torch.randperm(144, generator=torch.Generator().manual_seed(3))
    shuffled = data.permuted(permutation)
    assert torch.equal(
        shuffled.inputs.flatten(1), data.inputs.flatten(1)[:, permutation]
    )
    assert shuffled.pools == data.pools and shuffled.test == data.test


def test_nearest_neighbour_is_the_closest_training_canvas() -> None:
    data = digits()
    accuracy = nearest_neighbour_accuracy(data, [30])
    pool, test = data.pools[1][:30], data.test[1]
    flat = data.inputs.flatten(1)
    hits = 0
    for t in test.tolist():
        distances = ((flat[pool] - flat[t]) ** 2).sum(dim=1)
        hits += int(data.labels[pool[distances.argmin()]] == data.labels[t])
    assert accuracy[1][0] == pytest.approx(hits / len(test))


def test_nearest_neighbour_ignores_the_order_of_the_pixels() -> None:
    data = digits()
    permutation = torch.randperm(144, generator=torch.Generator().manual_seed(0))
    sizes = [10, 100]
    assert nearest_neighbour_accuracy(
        data.permuted(permutation), sizes
    ) == nearest_neighbour_accuracy(data, sizes)


def made_up_result() -> SampleEfficiency:
    return SampleEfficiency(
        sizes=(10, 100, 1000),
        seeds=(0, 1),
        accuracy={
            "CNN": [[0.2, 0.6, 0.9], [0.2, 0.6, 0.9]],
            "FC": [[0.1, 0.3, 0.8]] * 2,
        },
        train_accuracy={},
        trainings={},
    )


def test_images_to_reach_reads_the_mean_curve_in_log_n() -> None:
    result = made_up_result()
    # The CNN's 0.4 lies halfway between 0.2 (N = 10) and 0.6 (N = 100): halfway
    # in log N is their geometric mean.
    assert result.images_to_reach("CNN", 0.4) == pytest.approx(10**1.5)
    assert result.images_to_reach("CNN", 0.1) == 10
    assert result.images_to_reach("FC", 0.95) is None
    assert result.images_to_reach("FC", 0.8) == pytest.approx(1000)
    # One seed's curve instead of the mean: seed 1 of FC is [0.1, 0.3, 0.8].
    assert result.images_to_reach("FC", 0.55, seed=1) == pytest.approx(10**2.5)
    with pytest.raises(ValueError, match="seed 3 was not run"):
        result.images_to_reach("FC", 0.5, seed=3)


def test_lead_is_per_seed_and_run_is_seed_major() -> None:
    result = made_up_result()
    assert result.lead(100) == pytest.approx([0.3, 0.3])
    assert result.lead(100, "FC", "CNN") == pytest.approx([-0.3, -0.3])
    assert result.run(1, 10) == 3 and result.run(0, 1000) == 2
    with pytest.raises(ValueError, match=r"seed 7 was not run; seeds: \(0, 1\)"):
        result.run(7, 10)
    with pytest.raises(ValueError, match="size 30 was not measured"):
        result.run(0, 30)
    with pytest.raises(ValueError, match="'ViT' is not a trained model"):
        result.model("ViT", 0, 10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": []}, "seeds is empty"),
        ({"test_fraction": 1.0}, r"test_fraction must lie in \(0, 1\), got 1.0"),
        ({"val_per_class": 200}, "leave some class with no training digits"),
    ],
)
def test_placed_digits_rejects_bad_input(kwargs: dict, message: str) -> None:
    images, labels = load_digits()
    arguments = {"canvas_size": 12, "seeds": [0], **kwargs}
    with pytest.raises(ValueError, match=message):
        placed_digits(images, labels, **arguments)


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([], "sizes is empty"),
        ([0], "size must be positive, got 0"),
        ([5000], "size 5000 is more than the 1020 class-balanced"),
    ],
)
def test_sample_efficiency_rejects_bad_sizes(sizes: list, message: str) -> None:
    models = {"FC": digit_models(12)["FC"]}
    with pytest.raises(ValueError, match=message):
        sample_efficiency(models, digits(), sizes=sizes, rule=QUICK)
    with pytest.raises(ValueError, match="models is empty"):
        sample_efficiency({}, digits(), sizes=[10], rule=QUICK)


@pytest.mark.slow  # trains
def test_result_has_one_accuracy_per_model_size_and_seed() -> None:
    models = {name: digit_models(12)[name] for name in ("FC", "CNN")}
    result = sample_efficiency(models, digits(), sizes=[20, 60], rule=QUICK)
    assert result.sizes == (20, 60) and result.seeds == (0, 1)
    assert set(result.accuracy) == {"FC", "CNN", NEAREST_NEIGHBOUR}
    assert set(result.trainings) == set(result.train_accuracy) == {"FC", "CNN"}
    for rows in result.accuracy.values():
        assert len(rows) == 2 and all(len(row) == 2 for row in rows)
    # The module handed out for (seed 1, N = 60) scores what the table says.
    model = result.model("CNN", 1, 60)
    data = digits()
    with torch.no_grad():
        predicted = model(data.inputs[data.test[1]]).argmax(dim=1)
    measured = (predicted == data.labels[data.test[1]]).float().mean().item()
    assert measured == pytest.approx(result.at(60, "CNN")[1])
    # Seeded: the same call gives the same numbers.
    again = sample_efficiency(models, digits(), sizes=[20, 60], rule=QUICK)
    assert again.accuracy == result.accuracy


@pytest.mark.slow  # trains
def test_a_study_trained_beside_its_control_equals_the_study_alone() -> None:
    models = {name: digit_models(12)[name] for name in ("FC", "CNN")}
    data = digits()
    permutation = torch.randperm(144, generator=torch.Generator().manual_seed(0))
    conditions = {"in place": data, "shuffled": data.permuted(permutation)}
    # The control may run fewer sizes than the study, as chapter 5's does.
    sizes = {"in place": [20, 60], "shuffled": [60]}
    before = torch.get_num_threads()
    torch.set_num_threads(2)  # two workers, even in a one-thread test run
    try:
        both = sample_efficiency_studies(models, conditions, sizes=sizes, rule=QUICK)
    finally:
        torch.set_num_threads(before)
    assert list(both) == ["in place", "shuffled"]
    for name, condition in conditions.items():
        with single_threaded():
            alone = sample_efficiency(models, condition, sizes=sizes[name], rule=QUICK)
        assert both[name].sizes == tuple(sizes[name]), name
        assert both[name].accuracy == alone.accuracy, name
        assert both[name].train_accuracy == alone.train_accuracy, name


def test_studies_reject_no_conditions_and_sizes_missing_a_condition() -> None:
    models = {"FC": digit_models(12)["FC"]}
    data = digits()
    with pytest.raises(ValueError, match="conditions is empty"):
        sample_efficiency_studies(models, {}, sizes=[20], rule=QUICK)
    with pytest.raises(ValueError, match="no list for condition 'shuffled'"):
        sample_efficiency_studies(
            models,
            {"in place": data, "shuffled": data},
            sizes={"in place": [20]},
            rule=QUICK,
        )


@pytest.mark.slow  # trains
@pytest.mark.parametrize("patience", [8, 24])
def test_the_cnns_lead_holds_for_other_seeds_and_longer_training(patience: int) -> None:
    """Chapter 5's conclusion on seeds it never used, and with 3x the patience."""
    models = {name: digit_models(12)[name] for name in ("FC", "CNN")}
    rule = StoppingRule(eval_every=20, patience=patience, min_delta=0.005)
    result = sample_efficiency(
        models, digits((10, 11, 12, 13, 14)), sizes=[30, 300], rule=rule
    )
    for size in (30, 300):
        # The chapter's claims: the CNN ahead of the FC network (here on every
        # new seed), the nearest neighbour ahead of it on average.
        assert min(result.lead(size)) > 0, size
        assert statistics.mean(result.lead(size, "1-NN", "FC")) > 0, size
    assert all(all(t.stopped_by_rule) for t in result.trainings.values())
