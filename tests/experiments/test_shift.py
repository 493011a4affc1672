"""book.experiments.shift: the shift study learns, is seeded, and checks its inputs."""

from __future__ import annotations

import statistics

import pytest
import torch
from torch import nn

from book.data import load_digits, place_on_canvas
from book.experiments.batched import StoppingRule
from book.experiments.shift import (
    ShiftExperiment,
    _Placements,
    every_placement,
    shift_experiment,
    shifted_position,
)
from tests.test_training import CANVAS, digits, tiny_fc

# Short enough for a unit test: checks every 5 steps, at most 40 steps.
QUICK = StoppingRule(eval_every=5, patience=2, min_delta=0.005, max_steps=40)


def run(**overrides: object) -> ShiftExperiment:
    images, labels = digits()
    arguments = {
        "canvas_size": CANVAS,
        "shifts": [-2, 0, 2],
        "seeds": [0, 1],
        "directions": ("horizontal", "vertical"),
        "batch_size": 32,
        "rule": QUICK,
    }
    arguments.update(overrides)
    return shift_experiment(tiny_fc, images, labels, **arguments)


def test_shifted_position_moves_right_or_down() -> None:
    assert shifted_position((4, 4), 3, "horizontal") == (4, 7)
    assert shifted_position((4, 4), -2, "vertical") == (2, 4)


def test_shifted_position_rejects_unknown_direction() -> None:
    with pytest.raises(ValueError, match="'diagonal'"):
        shifted_position((0, 0), 1, "diagonal")


def test_every_placement_pastes_each_image_at_every_corner_row_major() -> None:
    images = torch.arange(8.0).reshape(2, 2, 2)
    placed = every_placement(images, 4)
    assert placed.shape == (2, 9, 1, 4, 4)
    corners = [(r, c) for r in range(3) for c in range(3)]
    for index, corner in enumerate(corners):
        assert torch.equal(placed[:, index, 0], place_on_canvas(images, 4, corner))


@pytest.mark.slow  # loads the digits and builds every placement
def test_augmented_minibatches_reach_every_place_the_noise_draws() -> None:
    images, _ = digits(4)
    result = ShiftExperiment(
        canvas_size=10,
        image_size=(8, 8),
        position=(1, 1),
        shifts=(0,),
        seeds=(0,),
        augment=True,
        batch_size=9,
        accuracy={"horizontal": []},
    )
    build = _Placements(images, result, seed=0)
    # Noise in the middle of each of the 9 equal bins draws each place once.
    noise = ((torch.arange(9) + 0.5) / 9)[None, :, None]
    batch = build(torch.zeros(1, 9, dtype=torch.int64), noise)
    corners = [(r, c) for r in range(3) for c in range(3)]
    expected = torch.stack([place_on_canvas(images[:1], 10, c)[0] for c in corners])
    assert torch.equal(batch[0, :, 0], expected)
    # Validation digits: one fixed place each, seeded, not always the centre.
    assert build.fixed.shape == (4, 1, 10, 10)
    again = _Placements(images, result, seed=0)
    assert torch.equal(build.fixed, again.fixed)


@pytest.mark.slow  # trains
def test_shift_experiment_shape_of_the_result() -> None:
    result = run()
    assert result.position == (2, 2)  # an 8 x 8 digit centred on 12 x 12
    assert result.image_size == (8, 8)
    assert result.shifts == (-2, 0, 2) and result.seeds == (0, 1)
    assert set(result.accuracy) == {"horizontal", "vertical"}
    for rows in result.accuracy.values():
        assert len(rows) == 2 and all(len(row) == 3 for row in rows)
        assert all(isinstance(a, float) and 0 <= a <= 1 for row in rows for a in row)
    assert len(result.models) == len(result.initial_states) == 2
    assert len(result.train_accuracy) == len(result.splits) == 2
    assert len(result.mean("vertical")) == 3
    # At shift 0 both directions test the same canvases.
    assert result.at(0, "horizontal") == result.at(0, "vertical")


@pytest.mark.slow  # trains
def test_splits_are_disjoint_and_cover_the_digits() -> None:
    result = run(seeds=[0])
    train, val, test = result.splits[0]
    together = torch.cat([train, val, test])
    assert sorted(together.tolist()) == list(range(240))
    assert len(test) == 60 and len(val) == round(180 * 0.2)


@pytest.mark.slow  # trains
def test_shift_experiment_is_deterministic_and_seeded() -> None:
    first, second = run(), run()
    assert first.accuracy == second.accuracy
    assert first.train_accuracy == second.train_accuracy
    for a, b in zip(first.models, second.models, strict=True):
        for p, q in zip(a.parameters(), b.parameters(), strict=True):
            assert torch.equal(p, q)
    # Different seeds give different models.
    weights = [model[1].weight for model in first.models]
    assert not torch.equal(weights[0], weights[1])


@pytest.mark.slow  # trains
def test_shift_experiment_leaves_the_global_generator_alone() -> None:
    torch.manual_seed(123)
    before = torch.get_rng_state()
    run(seeds=[0])
    assert torch.equal(before, torch.get_rng_state())


@pytest.mark.slow  # trains
def test_shift_experiment_keeps_the_initial_weights() -> None:
    result = run(seeds=[0])
    torch.manual_seed(0)
    fresh = tiny_fc()
    assert torch.equal(result.initial_states[0]["1.weight"], fresh[1].weight)
    assert not torch.equal(result.models[0][1].weight, fresh[1].weight)


@pytest.mark.slow  # trains
def test_weights_outside_the_training_window_never_change() -> None:
    result = run()
    row, col = result.position
    window = torch.zeros(CANVAS, CANVAS, dtype=torch.bool)
    window[row : row + 8, col : col + 8] = True
    for model, initial in zip(result.models, result.initial_states, strict=True):
        change = (model[1].weight - initial["1.weight"]).reshape(-1, CANVAS, CANVAS)
        assert change[:, ~window].abs().max() == 0
        assert change[:, window].abs().max() > 0


@pytest.mark.slow  # trains
def test_augmented_training_reaches_weights_outside_the_centre() -> None:
    result = run(seeds=[0], augment=True)
    row, col = result.position
    window = torch.zeros(CANVAS, CANVAS, dtype=torch.bool)
    window[row : row + 8, col : col + 8] = True
    model, initial = result.models[0], result.initial_states[0]
    change = (model[1].weight - initial["1.weight"]).reshape(-1, CANVAS, CANVAS)
    assert change[:, ~window].abs().max() > 0


@pytest.mark.slow  # trains
def test_training_record_counts_images_and_stopping() -> None:
    result = run(rule=StoppingRule(eval_every=5, patience=100, max_steps=20))
    # patience longer than the cap: every model stops at the cap.
    assert result.stopped_by_rule == [False, False]
    assert all(seen % 32 == 0 and 0 < seen <= 20 * 32 for seen in result.images_seen)
    assert result.images_to_reach(0.0) == [5 * 32, 5 * 32]
    assert result.images_to_reach(1.01) == [None, None]


def test_a_result_not_yet_trained_says_so() -> None:
    empty = ShiftExperiment(
        canvas_size=12,
        image_size=(8, 8),
        position=(2, 2),
        shifts=(0,),
        seeds=(0,),
        augment=False,
        batch_size=8,
        accuracy={"horizontal": []},
    )
    with pytest.raises(ValueError, match="nothing was trained"):
        empty.models  # noqa: B018


@pytest.mark.slow  # trains
def test_shift_experiment_accepts_one_direction_as_a_string() -> None:
    result = run(directions="vertical", seeds=[0])
    assert set(result.accuracy) == {"vertical"}


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        (
            {"shifts": [0, 3]},
            ValueError,
            r"shift 3 \(horizontal\) moves .* column 2 to 5",
        ),
        ({"shifts": [-3]}, ValueError, r"shift -3 .*\(columns 0\.\.4 fit\)"),
        ({"shifts": []}, ValueError, "shifts is empty"),
        ({"shifts": [0.5]}, TypeError, "shift must be an int, got 0.5"),
        ({"seeds": []}, ValueError, "seeds is empty"),
        ({"seeds": [-1]}, ValueError, "seed must be at least 0, got -1"),
        ({"directions": ()}, ValueError, "directions is empty"),
        ({"directions": ("sideways",)}, ValueError, "got 'sideways'"),
        ({"canvas_size": 6}, ValueError, "canvas_size must be at least 8, got 6"),
        ({"batch_size": 0}, ValueError, "batch_size must be positive, got 0"),
        ({"augment": "yes"}, TypeError, "augment must be True or False, got 'yes'"),
    ],
)
def test_shift_experiment_rejects_bad_inputs(
    overrides: dict, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        run(**overrides)


def test_shift_experiment_rejects_images_that_are_not_a_stack() -> None:
    with pytest.raises(ValueError, match=r"\(N, h, w\), got torch.Size\(\[64\]\)"):
        shift_experiment(
            tiny_fc,
            torch.zeros(64),
            torch.zeros(64).long(),
            canvas_size=CANVAS,
            shifts=[0],
            seeds=[0],
        )


@pytest.mark.slow  # trains
def test_result_lookups_name_what_was_not_measured() -> None:
    result = run(seeds=[0], directions=("horizontal",))
    with pytest.raises(
        ValueError, match=r"shift 1 was not measured; shifts: \(-2, 0, 2\)"
    ):
        result.at(1)
    with pytest.raises(ValueError, match="direction 'vertical' was not measured"):
        result.mean("vertical")


def _defect_fc() -> nn.Module:
    """Chapter 3's FC model on the 12 x 12 canvas."""
    return nn.Sequential(nn.Flatten(), nn.Linear(144, 64), nn.ReLU(), nn.Linear(64, 10))


def _defect_cnn() -> nn.Module:
    """Chapter 3's CNN: one 5 x 5 conv layer, global max pooling, a linear head."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 5),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(16, 10),
    )


@pytest.mark.slow  # trains chapter 3's four arms: about 15 s on one core
def test_the_defect_that_moved_holds_for_seeds_the_chapter_never_used() -> None:
    """Chapter 3's conclusions, re-run with three other seeds.

    FC fails two pixels away; the CNN, with or without augmentation, does not;
    augmentation brings FC close to the CNN, but only after several times as
    many training images.
    """
    images, labels = load_digits()
    arms = {
        "FC": (_defect_fc, False, 128),
        "CNN": (_defect_cnn, False, 16),
        "FC + augmentation": (_defect_fc, True, 128),
        "CNN + augmentation": (_defect_cnn, True, 16),
    }
    results = {
        name: shift_experiment(
            make,
            images,
            labels,
            canvas_size=12,
            shifts=[-2, 0, 2],
            seeds=[11, 12, 13],
            augment=augment,
            batch_size=batch_size,
        )
        for name, (make, augment, batch_size) in arms.items()
    }
    for result in results.values():
        assert all(result.stopped_by_rule)
    fc, cnn, fc_aug, cnn_aug = (statistics.mean(r.at(2)) for r in results.values())
    assert statistics.mean(results["FC"].at(0)) > 0.85 and fc < 0.35
    assert cnn > 0.8 and cnn_aug > 0.8
    assert fc_aug > fc + 0.4 and cnn - fc_aug < 0.12
    level = cnn - 0.05
    cnn_needs = results["CNN"].images_to_reach(level)
    aug_needs = results["FC + augmentation"].images_to_reach(level)
    assert None not in cnn_needs + aug_needs
    assert statistics.median(aug_needs) > 3 * statistics.median(cnn_needs)
