"""A plain training loop, the accuracy of a trained classifier, thread control.

`train_classifier` is the loop a reader can use for experiments of their own
(chapter 1's "Try this"); the book's studies train many models at once with
`book.experiments.batched.train_batched`.
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from book.validation import whole_number


def train_classifier(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    num_epochs: int,
    lr: float = 1e-2,
    batch_size: int = 64,
    seed: int = 0,
    progress: bool = True,
    desc: str = "training",
) -> list[float]:
    """Minibatch Adam on cross-entropy; returns the mean training loss of each epoch."""
    num_epochs = whole_number("num_epochs", num_epochs, 1)
    batch_size = whole_number("batch_size", batch_size, 1)
    if len(x) != len(y):
        raise ValueError(
            f"x and y must have the same length, got {len(x)} and {len(y)}"
        )
    # A private generator: the batch order depends on `seed` alone, not on
    # whatever ran before in the notebook.
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in tqdm(range(num_epochs), desc=desc, disable=not progress):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss = F.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(x))
    model.eval()
    return losses


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of examples whose top-scoring class is the label, as a plain float."""
    model.eval()
    return (model(x).argmax(dim=1) == y).float().mean().item()


@contextmanager
def single_threaded() -> Iterator[None]:
    """Run PyTorch on one CPU thread inside the block, then restore the thread count.

    Small models train faster on one thread: there is no synchronisation cost,
    and no slowdown when other processes compete for the cores. Results also no
    longer depend on how many cores the machine has.
    """
    with threads_at_most(1):
        yield


@contextmanager
def threads_at_most(count: int) -> Iterator[None]:
    """Run PyTorch on at most `count` CPU threads inside the block, then restore.

    On a core another process keeps busy, a thread waits for it: with two busy
    neighbours a study took twice as long on two threads as on one, and in a
    test run whose second worker kept the other core busy one notebook took over
    ten minutes. `make test`, which runs two workers, sets OMP_NUM_THREADS=1, and
    this cap never raises the thread count.
    """
    count = whole_number("count", count, 1)
    previous = torch.get_num_threads()
    torch.set_num_threads(min(count, previous))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


Result = TypeVar("Result")


def side_by_side(jobs: Sequence[Callable[[], Result]], cores: int = 2) -> list[Result]:
    """Run independent jobs on up to `cores` cores at once, each on one thread.

    A study trains several model families, each one stacked computation. Two
    families training side by side, each on one PyTorch thread, use two cores
    better than one family at a time on two threads. Each job computes as it
    would alone on one thread, so the results do not depend on how many cores
    ran them. Jobs start in the order given and must not use the global random
    generator (`book.experiments.models.seeded_model` guards it).

    On Linux the workers are forked processes, elsewhere threads. Two threads of
    one process share its interpreter lock, which every PyTorch call gives up
    and takes back, and a training is thousands of small calls: two CNN
    families trained as threads each took 10.8 s for 8.3 s of CPU time, waiting
    the rest. Chapter 5's study and its control took 31-38 s in two threads and
    23-29 s in two processes (four alternating pairs, 2-core machine). A forked
    worker needs no pickled job, only a picklable result.

    The count is capped by the current thread count, as `threads_at_most` caps:
    under OMP_NUM_THREADS=1 the jobs run one after another, here.
    """
    cores = whole_number("cores", cores, 1)
    workers = min(cores, torch.get_num_threads(), len(jobs))
    # PyTorch's thread count is process-wide: one thread for every job at once.
    with threads_at_most(1):
        if workers <= 1:
            return [job() for job in jobs]
        if sys.platform.startswith("linux"):
            return _in_processes(jobs, workers)
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda job: job(), jobs))


# In a forked worker: the jobs it inherited from the parent.
_inherited_jobs: Sequence[Callable[[], object]] = ()


def _inherit(jobs: Sequence[Callable[[], object]]) -> None:
    global _inherited_jobs
    _inherited_jobs = jobs
    # A forked child must not enter the parent's OpenMP pool (as in
    # book.grading.checking); threads_at_most(1) set the count before the fork.
    torch.set_num_threads(1)


def _run_inherited(index: int) -> bytes:
    # Plain pickle: tensors travel as bytes through the pipe, not as handles to
    # shared memory that a container may not have room for.
    return pickle.dumps(_inherited_jobs[index]())


def _in_processes(jobs: Sequence[Callable[[], Result]], workers: int) -> list[Result]:
    # Under fork the initializer's arguments are inherited, not pickled, so a
    # job may be a closure or a lambda defined in a notebook.
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_inherit,
        initargs=(jobs,),
    ) as pool:
        return [
            pickle.loads(result)
            for result in pool.map(_run_inherited, range(len(jobs)))
        ]
