"""book.experiments.sample_efficiency: accuracy against training-set size, seeded."""

from __future__ import annotations

import pytest
import torch

from book.data import load_digits
from book.experiments.models import digit_models
from book.experiments.sample_efficiency import SampleEfficiency, sample_efficiency


def small_run(**overrides: object) -> SampleEfficiency:
    images, labels = load_digits()
    arguments = {
        "sizes": [20, 60],
        "seeds": [0, 1],
        "num_steps": 5,
        "progress": False,
    }
    arguments.update(overrides)
    models = {k: v for k, v in digit_models().items() if k != "locally connected"}
    return sample_efficiency(models, images[:300], labels[:300], **arguments)


@pytest.mark.slow  # trains
def test_result_has_one_accuracy_per_model_size_and_seed() -> None:
    result = small_run()
    assert result.sizes == (20, 60) and result.seeds == (0, 1)
    assert set(result.accuracy) == {"FC", "CNN"}
    for rows in result.accuracy.values():
        assert len(rows) == 2 and all(len(row) == 2 for row in rows)
        assert all(0 <= a <= 1 for row in rows for a in row)
    assert len(result.mean("FC")) == 2
    # accuracy[model][seed][size]: at() reads one size across the seeds.
    assert result.at(60, "CNN") == [row[1] for row in result.accuracy["CNN"]]


@pytest.mark.slow  # trains
def test_runs_are_seeded_and_leave_the_global_generator_alone() -> None:
    torch.manual_seed(5)
    before = torch.get_rng_state()
    first = small_run()
    assert torch.equal(torch.get_rng_state(), before)
    assert first.accuracy == small_run().accuracy


@pytest.mark.slow  # trains
def test_more_steps_and_more_data_learn() -> None:
    result = small_run(sizes=[200], seeds=[0], num_steps=150)
    assert min(result.at(200, name)[0] for name in ("FC", "CNN")) > 0.7


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"sizes": []}, ValueError, "sizes is empty"),
        ({"sizes": [0]}, ValueError, "size must be positive, got 0"),
        ({"sizes": [250]}, ValueError, "size 250 is more than the 210 training"),
        ({"seeds": []}, ValueError, "seeds is empty"),
        ({"num_steps": 0}, ValueError, "num_steps must be positive, got 0"),
    ],
)
def test_sample_efficiency_rejects_bad_input(
    overrides: dict, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        small_run(**overrides)


def test_sample_efficiency_needs_models() -> None:
    images, labels = load_digits()
    with pytest.raises(ValueError, match="models is empty"):
        sample_efficiency({}, images, labels, sizes=[10], seeds=[0])


@pytest.mark.slow  # trains
def test_lookups_name_what_was_not_measured() -> None:
    result = small_run(seeds=[0])
    with pytest.raises(
        ValueError, match=r"size 30 was not measured; sizes: \(20, 60\)"
    ):
        result.at(30, "FC")
    with pytest.raises(ValueError, match="model 'ViT' was not measured"):
        result.mean("ViT")
