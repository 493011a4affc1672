"""book.training: the one training loop learns, is seeded and checks its inputs."""

from __future__ import annotations

import os
import sys
import threading

import pytest
import torch
from torch import nn

from book.data import load_digits
from book.training import (
    accuracy,
    side_by_side,
    single_threaded,
    threads_at_most,
    train_classifier,
)

# An 8 x 8 digit on a 12 x 12 canvas: also the shift study's tests' setting.
CANVAS = 12


def digits(count: int = 240) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = load_digits()
    return images[:count], labels[:count]


def tiny_fc() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(), nn.Linear(CANVAS * CANVAS, 16), nn.ReLU(), nn.Linear(16, 10)
    )


@pytest.mark.slow  # trains
def test_training_reduces_the_loss() -> None:
    images, labels = digits(400)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    losses = train_classifier(model, images, labels, num_epochs=8, progress=False)
    assert len(losses) == 8
    assert losses[-1] < 0.5 * losses[0]
    assert accuracy(model, images, labels) > 0.9


@pytest.mark.slow  # trains
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


def test_single_threaded_restores_the_thread_count_even_after_an_error() -> None:
    before = torch.get_num_threads()
    with single_threaded():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError, match="boom"), single_threaded():
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


def test_threads_at_most_caps_never_raises_and_restores() -> None:
    before = torch.get_num_threads()
    with threads_at_most(2):
        assert torch.get_num_threads() == min(2, before)
    assert torch.get_num_threads() == before
    with single_threaded(), threads_at_most(2):
        assert torch.get_num_threads() == 1  # a cap, never more threads
    with pytest.raises(ValueError, match="count"), threads_at_most(0):
        pass


def where_and_how(index: int) -> tuple[int, int, str, int]:
    """A job that says which it is, which process and thread ran it, on how many
    threads."""
    return index, os.getpid(), threading.current_thread().name, torch.get_num_threads()


def on_two_cores(jobs: list) -> list:
    """side_by_side with two cores to share, even in a one-thread test run."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        results = side_by_side(jobs)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    return results


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux")
def test_side_by_side_runs_jobs_in_two_one_thread_processes_in_order() -> None:
    counter = iter(range(100))  # a closure's state: the jobs are never pickled
    jobs = [lambda i=i: (next(counter), *where_and_how(i)) for i in range(5)]
    results = on_two_cores(jobs)
    assert [index for _, index, _, _, _ in results] == list(range(5))
    assert all(threads == 1 for *_, threads in results)
    workers = {pid for _, _, pid, _, _ in results}
    assert os.getpid() not in workers and len(workers) <= 2
    assert next(counter) == 0  # the workers drew from their own copies


def test_side_by_side_elsewhere_runs_jobs_on_two_one_thread_workers_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    results = on_two_cores([lambda i=i: where_and_how(i) for i in range(5)])
    assert [index for index, _, _, _ in results] == list(range(5))
    assert all(threads == 1 for *_, threads in results)
    assert {pid for _, pid, _, _ in results} == {os.getpid()}
    workers = {name for _, _, name, _ in results}
    assert threading.current_thread().name not in workers and len(workers) <= 2


def test_side_by_side_on_one_thread_runs_jobs_here_one_after_another() -> None:
    jobs = [lambda i=i: where_and_how(i) for i in range(3)]
    with single_threaded():
        results = side_by_side(jobs)
    here = os.getpid(), threading.current_thread().name
    assert results == [(i, *here, 1) for i in range(3)]


def test_side_by_side_raises_a_jobs_error_and_restores_the_thread_count() -> None:
    def fails() -> None:
        raise RuntimeError("boom")

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError, match="boom"):
        on_two_cores([fails, fails])  # raised in a worker, re-raised here
    with pytest.raises(RuntimeError, match="boom"), single_threaded():
        side_by_side([fails, fails])
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="cores"):
        side_by_side([fails], cores=0)
