"""The batched trainer: the result of training one model at a time, stopping rule."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from book.data import load_digits, place_on_canvas
from book.experiments.batched import (
    SCORING_CHUNK,
    StoppingRule,
    rows_at,
    train_batched,
    train_one,
)
from book.layers import LocallyConnected2d


def small_cnn(activation: type[nn.Module] = nn.ReLU) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1),
        activation(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3 * 16, 10),
    )


def small_local() -> nn.Module:
    return nn.Sequential(
        LocallyConnected2d(1, 3, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3 * 16, 10),
    )


def tanh_cnn() -> nn.Module:
    """A layer `book.experiments.stacked` does not cover: trained under vmap."""
    return small_cnn(nn.Tanh)


def same_as_alone(
    batched, make, build, labels, val_x, val_sets, train_sets, rule, noise=0
) -> list[int]:
    """Assert each stacked model equals `train_one` on its own (lr 1e-2, batch 16):
    the same best step and weights. Returns the steps the lone runs stopped at."""
    stops = []
    for i, seed in enumerate(batched.seeds):
        kept, best_step, stop_step = train_one(
            make,
            build,
            labels,
            seed=seed,
            train_set=train_sets[i],
            val_x=val_x[val_sets[i]],
            val_y=labels[val_sets[i]],
            rule=rule,
            lr=1e-2,
            batch_size=16,
            noise=noise,
        )
        assert batched.best_step[i] == best_step
        got = batched.module(i).state_dict()
        for key, value in kept.items():
            torch.testing.assert_close(got[key], value, atol=1e-5, rtol=1e-4)
        stops.append(stop_step)
    return stops


@pytest.fixture(scope="module")
def digits():
    images, labels = load_digits()
    return images, labels


def jittered(images):
    """An input builder that augments: each draw pastes the digit at a new place."""

    def build(indices, draws):
        corners = (draws * 3).long().flatten(0, 1)  # 0..2 pixels from the corner
        canvases = place_on_canvas(images[indices.flatten()], 10, corners)
        return canvases.reshape(*indices.shape, 1, 10, 10)

    return build


@pytest.mark.slow
@pytest.mark.parametrize("make", [small_cnn, small_local, tanh_cnn])
def test_batched_equals_one_model_at_a_time(digits, make):
    images, labels = digits
    x = images[:, None]
    seeds = [0, 1, 2]
    train_sets = [torch.arange(0, 30), torch.arange(100, 180), torch.arange(300, 600)]
    val_sets = [torch.arange(1000, 1100)] * 3
    rule = StoppingRule(eval_every=5, patience=2, min_delta=0.02, max_steps=60)
    batched = train_batched(
        make,
        x,
        labels,
        seeds=seeds,
        train_sets=train_sets,
        val_sets=val_sets,
        lr=1e-2,
        batch_size=16,
        rule=rule,
    )
    # Different N stop at different steps: the stack shrank during training.
    assert len(set(batched.stop_step)) > 1
    alone = same_as_alone(
        batched, make, lambda idx, _: x[idx], labels, x, val_sets, train_sets, rule
    )
    assert batched.stop_step == alone


@pytest.mark.slow
def test_augmenting_builder_gets_each_models_own_noise(digits):
    images, labels = digits
    build = jittered(images)
    val_x = place_on_canvas(images, 10, (1, 1))[:, None]
    seeds, train_sets = [3, 4], [torch.arange(0, 300), torch.arange(300, 600)]
    val_sets = [torch.arange(1000, 1200)] * 2
    rule = StoppingRule(eval_every=10, patience=3, min_delta=0.0, max_steps=40)
    batched = train_batched(
        _canvas_cnn,
        build,
        labels,
        seeds=seeds,
        train_sets=train_sets,
        val_sets=val_sets,
        val_inputs=val_x,
        noise=2,
        lr=1e-2,
        batch_size=16,
        rule=rule,
    )
    same_as_alone(
        batched, _canvas_cnn, build, labels, val_x, val_sets, train_sets, rule, noise=2
    )


def _canvas_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(3, 10),
    )


def capped_training(make, x, labels, seeds, max_steps):
    """`max_steps` steps per seed on digits 0-49, checked every 5 on 50-79."""
    return train_batched(
        make,
        x,
        labels,
        seeds=seeds,
        train_sets=[torch.arange(50)] * len(seeds),
        val_sets=[torch.arange(50, 80)] * len(seeds),
        rule=StoppingRule(eval_every=5, patience=100, max_steps=max_steps),
    )


def test_initial_weights_and_the_step_cap(digits):
    images, labels = digits
    x = images[:, None]
    batched = capped_training(small_cnn, x, labels, seeds=[7], max_steps=10)
    # Never a plateau within 10 steps: the cap stopped it, and the result says so.
    assert batched.stop_step == [10] and batched.stopped_by_rule == [False]
    torch.manual_seed(7)
    fresh = small_cnn()
    for key, value in fresh.state_dict().items():
        assert torch.equal(batched.module(0, initial=True).state_dict()[key], value)
    # Curves: one row per check, a finite training loss while the model trained.
    assert batched.check_steps == [5, 10]
    assert (
        batched.train_loss.shape == (2, 1) and torch.isfinite(batched.train_loss).all()
    )
    assert math.isclose(
        batched.accuracy(x[50:80], labels[50:80])[0],
        (batched.module(0)(x[50:80]).argmax(1) == labels[50:80]).float().mean().item(),
    )


def test_scoring_in_chunks_gives_every_models_own_outputs(digits):
    images, labels = digits
    x = images[:, None]
    batched = capped_training(small_local, x, labels, seeds=[1, 2], max_steps=5)
    # Two whole chunks and part of a third: nothing lost at the seams.
    inputs = x[: 2 * SCORING_CHUNK + 5]
    with torch.no_grad():
        alone = torch.stack([batched.module(i)(inputs) for i in range(2)])
    torch.testing.assert_close(batched.logits(inputs), alone, atol=1e-5, rtol=1e-4)
    own = batched.own_logits(torch.stack([inputs, inputs.flip(0)]))
    torch.testing.assert_close(own[1], alone[1].flip(0), atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match="one batch per model \\(2\\), got 3"):
        batched.own_logits(inputs.expand(3, *inputs.shape))


@pytest.mark.parametrize("index_shape", [(7,), (3, 4), (2, 3, 5)])
def test_rows_at_picks_what_indexing_picks(index_shape):
    generator = torch.Generator().manual_seed(0)
    for table in (
        torch.randn(9, 1, 4, 4, generator=generator),
        torch.randn(9, 6, generator=generator) > 0,
        torch.arange(9),
    ):
        indices = torch.randint(9, index_shape, generator=generator)
        assert torch.equal(rows_at(table, indices), table[indices])


def test_bad_arguments_are_named():
    x, y = torch.zeros(10, 1, 8, 8), torch.zeros(10, dtype=torch.int64)
    sets = [torch.arange(5)]
    with pytest.raises(ValueError, match="one seed, training set and validation set"):
        train_batched(small_cnn, x, y, seeds=[0, 1], train_sets=sets, val_sets=sets)
    with pytest.raises(ValueError, match="every training set needs at least one"):
        train_batched(
            small_cnn, x, y, seeds=[0], train_sets=[torch.arange(0)], val_sets=sets
        )
    with pytest.raises(ValueError, match="give val_inputs"):
        train_batched(
            small_cnn, lambda i, n: x[i], y, seeds=[0], train_sets=sets, val_sets=sets
        )
    with pytest.raises(ValueError, match="min_delta must lie in"):
        StoppingRule(min_delta=1.5)
    with pytest.raises(ValueError, match="max_steps"):
        StoppingRule(eval_every=20, max_steps=10)
