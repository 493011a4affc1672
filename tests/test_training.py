"""The training loop and the shift experiment: they learn, are seeded, and check."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from book.data import load_digits
from book.training import (
    ShiftExperiment,
    accuracy,
    shift_experiment,
    shifted_position,
    single_threaded,
    train_classifier,
)

CANVAS = 12


def digits(count: int = 240) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = load_digits()
    return images[:count], labels[:count]


def tiny_fc() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(), nn.Linear(CANVAS * CANVAS, 16), nn.ReLU(), nn.Linear(16, 10)
    )


def run(**overrides: object) -> ShiftExperiment:
    images, labels = digits()
    arguments = {
        "canvas_size": CANVAS,
        "shifts": [-2, 0, 2],
        "seeds": [0, 1],
        "num_epochs": 3,
        "directions": ("horizontal", "vertical"),
        "progress": False,
    }
    arguments.update(overrides)
    return shift_experiment(tiny_fc, images, labels, **arguments)


# --- train_classifier and accuracy ------------------------------------------------


def test_training_reduces_the_loss() -> None:
    images, labels = digits(400)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    losses = train_classifier(model, images, labels, num_epochs=8, progress=False)
    assert len(losses) == 8
    assert losses[-1] < 0.5 * losses[0]
    assert accuracy(model, images, labels) > 0.9


def test_training_is_seeded() -> None:
    images, labels = digits(200)
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        model = nn.Linear(64, 10)
        flat = images.flatten(1)
        runs.append(
            train_classifier(model, flat, labels, num_epochs=2, seed=5, progress=False)
        )
    assert runs[0] == runs[1]


def test_accuracy_is_a_plain_float() -> None:
    class Echo(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    scores = torch.eye(4)
    value = accuracy(Echo(), scores, torch.tensor([0, 1, 2, 0]))
    assert isinstance(value, float) and value == 0.75


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"num_epochs": 0}, "num_epochs must be positive, got 0"),
        ({"batch_size": 0}, "batch_size must be positive, got 0"),
    ],
)
def test_training_rejects_bad_settings(overrides: dict, message: str) -> None:
    arguments = {"num_epochs": 1, "progress": False, **overrides}
    with pytest.raises(ValueError, match=message):
        train_classifier(
            nn.Linear(2, 2), torch.zeros(4, 2), torch.zeros(4).long(), **arguments
        )


def test_training_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="got 4 and 3"):
        train_classifier(
            nn.Linear(2, 2), torch.zeros(4, 2), torch.zeros(3).long(), num_epochs=1
        )


# --- single_threaded --------------------------------------------------------------


def test_single_threaded_restores_the_thread_count_even_after_an_error() -> None:
    before = torch.get_num_threads()
    with single_threaded():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError, match="boom"), single_threaded():
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


# --- shifted_position ----------------------------------------------------------


def test_shifted_position_moves_right_or_down() -> None:
    assert shifted_position((4, 4), 3, "horizontal") == (4, 7)
    assert shifted_position((4, 4), -2, "vertical") == (2, 4)


def test_shifted_position_rejects_unknown_direction() -> None:
    with pytest.raises(ValueError, match="'diagonal'"):
        shifted_position((0, 0), 1, "diagonal")


# --- shift_experiment -------------------------------------------------------------


def test_shift_experiment_shape_of_the_result() -> None:
    result = run()
    assert result.position == (2, 2)  # an 8 x 8 digit centred on 12 x 12
    assert result.image_size == (8, 8)
    assert result.shifts == (-2, 0, 2) and result.seeds == (0, 1)
    assert set(result.accuracy) == {"horizontal", "vertical"}
    for rows in result.accuracy.values():
        assert len(rows) == 2 and all(len(row) == 3 for row in rows)
        assert all(isinstance(a, float) and 0 <= a <= 1 for row in rows for a in row)
    assert len(result.models) == len(result.initial_states) == len(result.losses) == 2
    assert len(result.mean_accuracy("vertical")) == 3
    # At shift 0 both directions test the same canvases.
    assert result.accuracy_at(0, "horizontal") == result.accuracy_at(0, "vertical")


def test_shift_experiment_is_deterministic_and_seeded() -> None:
    first, second = run(), run()
    assert first.accuracy == second.accuracy
    assert first.losses == second.losses
    for a, b in zip(first.models, second.models, strict=True):
        for p, q in zip(a.parameters(), b.parameters(), strict=True):
            assert torch.equal(p, q)
    # Different seeds give different models.
    weights = [model[1].weight for model in first.models]
    assert not torch.equal(weights[0], weights[1])


def test_shift_experiment_leaves_the_global_generator_alone() -> None:
    torch.manual_seed(123)
    before = torch.get_rng_state()
    run(seeds=[0])
    assert torch.equal(before, torch.get_rng_state())


def test_shift_experiment_keeps_the_initial_weights() -> None:
    result = run(seeds=[0])
    torch.manual_seed(0)
    fresh = tiny_fc()
    assert torch.equal(result.initial_states[0]["1.weight"], fresh[1].weight)
    assert not torch.equal(result.models[0][1].weight, fresh[1].weight)


def test_weights_outside_the_training_window_never_change() -> None:
    result = run(num_epochs=2)
    row, col = result.position
    window = torch.zeros(CANVAS, CANVAS, dtype=torch.bool)
    window[row : row + 8, col : col + 8] = True
    for model, initial in zip(result.models, result.initial_states, strict=True):
        change = (model[1].weight - initial["1.weight"]).reshape(-1, CANVAS, CANVAS)
        assert change[:, ~window].abs().max() == 0
        assert change[:, window].abs().max() > 0


def test_shift_experiment_accepts_one_direction_as_a_string() -> None:
    result = run(directions="vertical", seeds=[0], num_epochs=1)
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
        ({"num_epochs": 0}, ValueError, "num_epochs must be positive, got 0"),
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
            num_epochs=1,
        )


def test_result_lookups_name_what_was_not_measured() -> None:
    result = run(seeds=[0], num_epochs=1, directions=("horizontal",))
    with pytest.raises(
        ValueError, match=r"shift 1 was not measured; shifts: \(-2, 0, 2\)"
    ):
        result.accuracy_at(1)
    with pytest.raises(ValueError, match="direction 'vertical' was not measured"):
        result.mean_accuracy("vertical")
