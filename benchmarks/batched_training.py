"""Time chapter 5's studies trained as one batched stack against one model at a time.

Usage: python benchmarks/batched_training.py [--steps 200]

Both train the chapter's CNN, then its locally connected network, for every
seed and training-set size of its default study (5 seeds x 5 sizes), on the
same minibatches, for a fixed number of steps (the stopping rule is set so that
no model stops early: both do the same work). `train_batched` stacks the 25
models into one computation (`book.experiments.stacked`); `train_one` is the
plain loop with `torch.optim.Adam`, run 25 times. Two CPU threads at most, as
in the chapter. Prints both times and their ratio per family; numbers from a
machine busy with other work are not evidence, so run it on a quiet one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from book.data import load_digits  # noqa: E402
from book.experiments.batched import StoppingRule, train_batched, train_one  # noqa: E402
from book.experiments.models import digit_models  # noqa: E402
from book.experiments.sample_efficiency import placed_digits, study_runs  # noqa: E402
from book.training import threads_at_most  # noqa: E402

SIZES = (10, 30, 100, 300, 1000)
SEEDS = (0, 1, 2, 3, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per model")
    args = parser.parse_args(argv)
    if args.steps < 20:
        parser.error(f"--steps must be at least 20, got {args.steps}")
    images, labels = load_digits()
    data = placed_digits(images, labels, canvas_size=12, seeds=SEEDS)
    # Patience longer than the run: every model trains for all the steps.
    rule = StoppingRule(eval_every=20, patience=args.steps, max_steps=args.steps)
    seeds, train_sets, val_sets = study_runs(data, SIZES)
    print(f"chapter 5's studies: {len(seeds)} models x {args.steps} steps")
    for family in ("CNN", "locally connected"):
        make = digit_models(12)[family]
        with threads_at_most(2):
            start = time.perf_counter()
            train_batched(
                make,
                data.inputs,
                data.labels,
                seeds=seeds,
                train_sets=train_sets,
                val_sets=val_sets,
                lr=1e-2,
                rule=rule,
            )
            batched = time.perf_counter() - start
            start = time.perf_counter()
            for seed, train_set, val_set in zip(
                seeds, train_sets, val_sets, strict=True
            ):
                train_one(
                    make,
                    lambda idx, _: data.inputs[idx],
                    data.labels,
                    seed=seed,
                    train_set=train_set,
                    val_x=data.inputs[val_set],
                    val_y=data.labels[val_set],
                    lr=1e-2,
                    rule=rule,
                )
            alone = time.perf_counter() - start
        print(f"{family}: one model at a time {alone:6.1f} s, batched {batched:6.1f} s")
        print(f"{family}: batched / one at a time: {batched / alone:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
