"""book.experiments.shift: the shift study learns, is seeded, and checks its inputs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from book.experiments.shift import ShiftExperiment, shift_experiment, shifted_position
from tests.test_training import CANVAS, digits, tiny_fc


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


def test_shifted_position_moves_right_or_down() -> None:
    assert shifted_position((4, 4), 3, "horizontal") == (4, 7)
    assert shifted_position((4, 4), -2, "vertical") == (2, 4)


def test_shifted_position_rejects_unknown_direction() -> None:
    with pytest.raises(ValueError, match="'diagonal'"):
        shifted_position((0, 0), 1, "diagonal")


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
    assert len(result.models) == len(result.initial_states) == len(result.losses) == 2
    assert len(result.mean("vertical")) == 3
    # At shift 0 both directions test the same canvases.
    assert result.at(0, "horizontal") == result.at(0, "vertical")


@pytest.mark.slow  # trains
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
    result = run(num_epochs=2)
    row, col = result.position
    window = torch.zeros(CANVAS, CANVAS, dtype=torch.bool)
    window[row : row + 8, col : col + 8] = True
    for model, initial in zip(result.models, result.initial_states, strict=True):
        change = (model[1].weight - initial["1.weight"]).reshape(-1, CANVAS, CANVAS)
        assert change[:, ~window].abs().max() == 0
        assert change[:, window].abs().max() > 0


@pytest.mark.slow  # trains
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


@pytest.mark.slow  # trains
def test_result_lookups_name_what_was_not_measured() -> None:
    result = run(seeds=[0], num_epochs=1, directions=("horizontal",))
    with pytest.raises(
        ValueError, match=r"shift 1 was not measured; shifts: \(-2, 0, 2\)"
    ):
        result.at(1)
    with pytest.raises(ValueError, match="direction 'vertical' was not measured"):
        result.mean("vertical")


def tiny_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(40, 4, 4, generator=generator)
    return images, torch.arange(40) % 2


class Recorder(nn.Module):
    """A linear model that remembers every batch it was trained on."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(100, 2)
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.seen.append(x.detach().clone())
        return self.linear(x.flatten(1))


@pytest.mark.slow  # trains
@pytest.mark.parametrize("max_shift", [0, 2])
def test_training_positions_stay_within_max_shift(max_shift: int) -> None:
    images, labels = tiny_data()
    result = shift_experiment(
        Recorder,
        images,
        labels,
        canvas_size=10,
        shifts=[0],
        seeds=[0],
        num_epochs=1,
        train_max_shift=max_shift,
        progress=False,
    )
    seen = torch.cat(result.models[0].seen)[:, 0]
    inked = seen.abs().sum(dim=0) > 0
    rows = inked.any(dim=1).nonzero().flatten()
    cols = inked.any(dim=0).nonzero().flatten()
    # Centre corner is (3, 3); the 4-pixel image covers 3..6 without shifts.
    assert rows.min() == cols.min() == 3 - max_shift
    assert rows.max() == cols.max() == 6 + max_shift


def test_augmentation_refuses_bad_values() -> None:
    images, labels = tiny_data()
    common = dict(canvas_size=10, shifts=[0], seeds=[0], num_epochs=1, progress=False)
    with pytest.raises(ValueError, match="train_max_shift must be at least 0"):
        shift_experiment(Recorder, images, labels, train_max_shift=-1, **common)
    with pytest.raises(ValueError, match="needs square images"):
        shift_experiment(Recorder, images[:, :3], labels, train_max_shift=1, **common)
