"""Train many models of one family at once, each until its validation score plateaus.

A study trains the same architecture many times: once per seed and training-set
size. `train_batched` stacks all those models' parameters and trains them in one
vectorised computation (the hand-written stacked layers of
`book.experiments.stacked` where they cover the architecture, `torch.func.vmap`
over `functional_call` otherwise), each model on minibatches drawn from its
*own* training indices, so models trained on
different N train together. Every `eval_every` steps each model is scored on
its own validation indices; it keeps the weights of its best score, and stops
when `patience` checks in a row brought no gain of at least `min_delta`
(`StoppingRule`). Stopped models leave the stack, so they cost nothing more.

The result is the same as training each model alone with `torch.optim.Adam`
and the same minibatches, to float rounding (tested).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, stack_module_state, vmap
from torch.optim.adam import adam

from book.experiments.models import seeded_model
from book.experiments.stacked import stacked_forward
from book.validation import whole_number

# inputs(indices (M, B), noise (M, B, k)) -> model inputs (M, B, ...): builds each
# model's minibatch, e.g. digits pasted at positions drawn from the noise.
InputBuilder = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Tensors = dict[str, torch.Tensor]


@dataclass(frozen=True)
class StoppingRule:
    """When a model counts as trained: its validation accuracy stopped rising.

    Every `eval_every` steps a model is scored on its validation set. A score
    above its best so far by at least `min_delta` is a gain: the model keeps
    those weights. After `patience` checks in a row without a gain, or `max_steps`
    steps, it stops.
    """

    eval_every: int = 20
    patience: int = 6
    min_delta: float = 0.005
    max_steps: int = 5000

    def __post_init__(self) -> None:
        whole_number("eval_every", self.eval_every, 1)
        whole_number("patience", self.patience, 1)
        whole_number("max_steps", self.max_steps, self.eval_every)
        if not 0 <= self.min_delta < 1:
            raise ValueError(f"min_delta must lie in [0, 1), got {self.min_delta}")


@dataclass
class BatchedTraining:
    """Every model's best-validation weights, stacked, with its training record.

    `curves` holds one row per check: the mean training loss of the minibatches
    since the last check, and the validation accuracy (NaN once stopped).
    """

    base: nn.Module = field(repr=False)
    params: Tensors = field(repr=False)
    initial: Tensors = field(repr=False)
    buffers: Tensors = field(repr=False)
    seeds: tuple[int, ...]
    best_step: list[int]
    stop_step: list[int]
    max_steps: int
    check_steps: list[int]
    train_loss: torch.Tensor  # (checks, models)
    val_accuracy: torch.Tensor  # (checks, models)

    @property
    def stopped_by_rule(self) -> list[bool]:
        """Whether each model stopped on a plateau rather than at the step cap."""
        return [step < self.max_steps for step in self.stop_step]

    def module(self, i: int, initial: bool = False) -> nn.Module:
        """Model `i` as an ordinary `nn.Module`, with its best (or initial) weights."""
        if not 0 <= i < len(self.seeds):
            raise ValueError(f"model {i} does not exist: 0..{len(self.seeds) - 1}")
        module = copy.deepcopy(self.base)
        params = self.initial if initial else self.params
        state = {k: v[i].clone() for k, v in {**params, **self.buffers}.items()}
        module.load_state_dict(state, assign=True)
        return module.eval()

    @torch.no_grad()
    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Every model's outputs on the same inputs x: shape (models, len(x), ...)."""
        return self.own_logits(x.expand(len(self.seeds), *x.shape))

    @torch.no_grad()
    def own_logits(self, xs: torch.Tensor) -> torch.Tensor:
        """Model m's outputs on its own inputs xs[m]: xs has shape (models, n, ...)."""
        if len(xs) != len(self.seeds):
            raise ValueError(
                f"xs must hold one batch per model ({len(self.seeds)}), got {len(xs)}"
            )
        return _in_chunks(_forward(self.base), self.params, self.buffers, xs)

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> list[float]:
        """Every model's accuracy on the same labelled inputs."""
        hits = self.logits(x).argmax(dim=-1) == y
        return hits.float().mean(dim=1).tolist()


def _forward(
    base: nn.Module,
) -> Callable[[Tensors, Tensors, torch.Tensor], torch.Tensor]:
    """Every model's outputs on its own inputs: (params, buffers, xs (M, B, ...))."""
    stacked = stacked_forward(base)
    if stacked is not None:
        return lambda params, _buffers, xs: stacked(params, xs)

    def forward(params: Tensors, buffers: Tensors, x: torch.Tensor) -> torch.Tensor:
        return functional_call(base, (params, buffers), (x,))

    return vmap(forward)


# Inputs per model per forward pass when scoring. A locally connected layer
# copies each input into every window that reads it: scoring chapter 5's 25
# such networks on 1,797 images each took 2.2 s in chunks of 4,096 (gigabytes
# of windows, freshly paged in) and 0.5 s in chunks of 64 (one thread).
SCORING_CHUNK = 64


def _in_chunks(forward, params: Tensors, buffers: Tensors, xs: torch.Tensor):
    """forward(params, buffers, xs), SCORING_CHUNK inputs per model at a time."""
    parts = [
        forward(params, buffers, xs[:, start : start + SCORING_CHUNK])
        for start in range(0, xs.shape[1], SCORING_CHUNK)
    ]
    return torch.cat(parts, dim=1)


def rows_at(table: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    """`table[indices]` for integer `indices` of any shape, as whole rows copied.

    The same tensor as indexing gives; index_select copies each row at once.
    Picking a training step's minibatch by indexing took 0.27 ms of a 20 ms
    step of chapter 5's locally connected stack, element by element.
    """
    picked = table.index_select(0, indices.flatten())
    return picked.view(*indices.shape, *table.shape[1:])


def padded(index_sets: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Index sets of different lengths as one (M, longest) table and their lengths."""
    lengths = torch.tensor([len(indices) for indices in index_sets])
    table = torch.zeros(len(index_sets), int(lengths.max()), dtype=torch.int64)
    for row, indices in enumerate(index_sets):
        table[row, : len(indices)] = torch.as_tensor(indices, dtype=torch.int64)
    return table, lengths


class MinibatchStream:
    """Each model's minibatches: indices drawn with replacement from its own set.

    Model m draws from a generator seeded with its seed alone, so its batches
    are the ones it would get if trained by itself. Each draw also carries
    `noise` uniform numbers per example, for input builders that augment.
    """

    def __init__(
        self,
        seeds: Sequence[int],
        index_sets: Sequence[torch.Tensor],
        batch_size: int,
        noise: int = 0,
        chunk: int = 50,
    ) -> None:
        self.generators = [torch.Generator().manual_seed(seed) for seed in seeds]
        self.table, self.lengths = padded(index_sets)
        self.shape = (chunk, batch_size, 1 + noise)
        self.buffer = torch.empty(len(seeds), *self.shape)
        self.position = chunk  # the buffer is used up: draw at the first call

    def keep(self, rows: torch.Tensor) -> None:
        """Continue with the models at these rows only."""
        self.generators = [self.generators[row] for row in rows.tolist()]
        self.table, self.lengths = self.table[rows], self.lengths[rows]
        self.buffer = self.buffer[rows]

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Indices (M, B) into the data and noise (M, B, noise) for the next step."""
        if self.position == self.shape[0]:
            # Drawn in chunks: one generator call per model per 50 steps.
            self.buffer = torch.stack(
                [torch.rand(self.shape, generator=g) for g in self.generators]
            )
            self.position = 0
        uniform = self.buffer[:, self.position]
        self.position += 1
        picks = (uniform[..., 0] * self.lengths[:, None]).long()
        return self.table.gather(1, picks), uniform[..., 1:]


class _StackedAdam:
    """Adam over stacked weights. Its update acts elementwise, so on a stack it
    is every model's own Adam: `torch.optim.Adam`'s fused arithmetic, called
    through its functional form `torch.optim.adam.adam`. The class's `step`
    imports TorchDynamo on first use (1.5 s of a chapter's run) and adds
    bookkeeping to every step; the function does neither.
    """

    def __init__(self, params: Sequence[torch.Tensor], lr: float) -> None:
        self.params, self.lr = list(params), lr
        self.exp_avgs = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p) for p in self.params]
        # Float steps beside their weights, as torch.optim.Adam keeps them for
        # its fused update; betas and eps below are its defaults.
        self.steps = [torch.zeros((), device=p.device) for p in self.params]

    @torch.no_grad()
    def step(self) -> None:
        """One update from the gradients in `.grad`, which it then clears."""
        adam(
            self.params,
            [p.grad for p in self.params],
            self.exp_avgs,
            self.exp_avg_sqs,
            [],
            self.steps,
            fused=True,
            amsgrad=False,
            beta1=0.9,
            beta2=0.999,
            lr=self.lr,
            weight_decay=0.0,
            eps=1e-8,
            maximize=False,
        )
        for p in self.params:
            p.grad = None

    def keep(self, params: Sequence[torch.Tensor], rows: torch.Tensor) -> None:
        """Continue with `params`, the weights of the models at `rows` only.

        The step counts carry over: every model in the stack took every step.
        """
        self.params = list(params)
        self.exp_avgs = [m[rows] for m in self.exp_avgs]
        self.exp_avg_sqs = [v[rows] for v in self.exp_avg_sqs]


def _stack_models(
    make_model: Callable[[], nn.Module], seeds: Sequence[int]
) -> tuple[Tensors, Tensors, nn.Module]:
    """Initial weights drawn under each seed (the caller's generator untouched)."""
    models = [seeded_model(make_model, seed) for seed in seeds]
    params, buffers = stack_module_state(models)
    params = {k: v.detach().clone() for k, v in params.items()}
    # The skeleton that functional_call fills in: shapes only, no storage.
    return params, buffers, copy.deepcopy(models[0]).to("meta")


def _check_runs(
    seeds: Sequence[int],
    train_sets: Sequence[torch.Tensor],
    val_sets: Sequence[torch.Tensor],
) -> tuple[int, ...]:
    if len(seeds) == 0:
        raise ValueError("seeds is empty: give one seed per model to train")
    if not len(seeds) == len(train_sets) == len(val_sets):
        raise ValueError(
            f"one seed, training set and validation set per model: got "
            f"{len(seeds)} seeds, {len(train_sets)} training and "
            f"{len(val_sets)} validation sets"
        )
    for name, sets in (("training", train_sets), ("validation", val_sets)):
        if any(len(indices) == 0 for indices in sets):
            raise ValueError(f"every {name} set needs at least one index")
    return tuple(whole_number("seed", seed, 0) for seed in seeds)


class _Validation:
    """Each model's validation inputs and labels, padded to one table, and its best."""

    def __init__(
        self,
        val_sets: Sequence[torch.Tensor],
        inputs: torch.Tensor,
        labels: torch.Tensor,
    ) -> None:
        table, lengths = padded(val_sets)
        self.inputs, self.labels = inputs[table], labels[table]
        self.mask = torch.arange(table.shape[1])[None] < lengths[:, None]
        count = len(val_sets)
        self.best = torch.full((count,), -1.0, dtype=torch.float64)
        self.best_step = torch.zeros(count, dtype=torch.int64)
        self.waited = torch.zeros(count, dtype=torch.int64)

    @torch.no_grad()
    def score(self, forward, params, buffers, active: torch.Tensor) -> torch.Tensor:
        logits = _in_chunks(forward, params, buffers, rows_at(self.inputs, active))
        mask = rows_at(self.mask, active)
        hits = (logits.argmax(dim=-1) == rows_at(self.labels, active)) & mask
        # In double precision, so a gain of exactly min_delta is never lost to rounding.
        return hits.sum(dim=1).double() / mask.sum(dim=1).double()

    def update(self, accuracy, active, step: int, min_delta: float) -> torch.Tensor:
        """Record the check; return which active models improved."""
        best = self.best[active]
        gain = (accuracy - best >= min_delta) & (accuracy > best)
        self.best[active] = torch.where(gain, accuracy, self.best[active])
        self.best_step[active[gain]] = step
        self.waited[active] = torch.where(gain, 0, self.waited[active] + 1)
        return gain


class _Stack:
    """The models still training: stacked weights, optimiser state, minibatches."""

    def __init__(
        self, base: nn.Module, params: Tensors, buffers: Tensors, stream, lr: float
    ) -> None:
        self.forward = _forward(base)
        self.params, self.all_buffers = _trainable(params), buffers
        self.optimizer = _StackedAdam(self.params.values(), lr)
        self.stream = stream
        self.active = torch.arange(len(stream.generators))

    @property
    def buffers(self) -> Tensors:
        return {k: v[self.active] for k, v in self.all_buffers.items()}

    def step(self, build: InputBuilder, labels: torch.Tensor) -> torch.Tensor:
        """One Adam step of every active model; returns their minibatch losses."""
        indices, draws = self.stream.next()
        logits = self.forward(self.params, self.buffers, build(indices, draws))
        losses = (
            F.cross_entropy(
                logits.flatten(0, 1),
                rows_at(labels, indices.flatten()),
                reduction="none",
            )
            .view(indices.shape)
            .mean(dim=1)
        )
        # A model's loss depends on its own weights only: the gradient of the sum
        # is every model's own gradient.
        losses.sum().backward()
        self.optimizer.step()
        return losses.detach()

    def keep(self, rows: torch.Tensor) -> None:
        """Stopped models leave the stack: the rest train on as before."""
        self.active = self.active[rows]
        self.params = _trainable({k: v[rows] for k, v in self.params.items()})
        self.optimizer.keep(self.params.values(), rows)
        self.stream.keep(rows)


def _trainable(params: Tensors) -> Tensors:
    """Own copies of the weights that autograd tracks (Adam updates them in place)."""
    return {k: v.detach().clone().requires_grad_() for k, v in params.items()}


class _Record:
    """What the checks found: best weights, steps, and one curve row per check."""

    def __init__(self, params: Tensors, rule: StoppingRule) -> None:
        self.rule, self.count = rule, len(next(iter(params.values())))
        self.best = {k: v.clone() for k, v in params.items()}
        self.stop_step = torch.full((self.count,), rule.max_steps)
        self.running = torch.zeros(self.count)
        self.checks: list[int] = []
        self.train_loss: list[torch.Tensor] = []
        self.val_accuracy: list[torch.Tensor] = []

    def check(self, stack: _Stack, validation: _Validation, step: int) -> torch.Tensor:
        """Score the active models, keep gains; return which of them are done."""
        active = stack.active
        accuracy = validation.score(stack.forward, stack.params, stack.buffers, active)
        gain = validation.update(accuracy, active, step, self.rule.min_delta)
        for key, value in stack.params.items():
            self.best[key][active[gain]] = value.detach()[gain]
        self.checks.append(step)
        loss = self.running[active] / self.rule.eval_every
        self.train_loss.append(_scatter(loss, active, self.count))
        self.val_accuracy.append(_scatter(accuracy.float(), active, self.count))
        self.running.zero_()
        done = validation.waited[active] >= self.rule.patience
        self.stop_step[active[done]] = step
        return done

    def curve(self, rows: list[torch.Tensor]) -> torch.Tensor:
        return torch.stack(rows) if rows else torch.empty(0, self.count)


def train_batched(
    make_model: Callable[[], nn.Module],
    inputs: torch.Tensor | InputBuilder,
    labels: torch.Tensor,
    *,
    seeds: Sequence[int],
    train_sets: Sequence[torch.Tensor],
    val_sets: Sequence[torch.Tensor],
    val_inputs: torch.Tensor | None = None,
    noise: int = 0,
    lr: float = 3e-3,
    batch_size: int = 32,
    rule: StoppingRule = StoppingRule(),
) -> BatchedTraining:
    """Train one model per seed, model m on `train_sets[m]`, all in one computation.

    `inputs` is a tensor that the indices of `train_sets` pick from, or a
    function `inputs(indices, noise)` that builds each minibatch (then give
    `val_inputs`, which the indices of `val_sets` pick from; `noise` is the
    number of uniform numbers per example it receives). Cross-entropy, Adam.
    """
    seeds = _check_runs(seeds, train_sets, val_sets)
    batch_size = whole_number("batch_size", batch_size, 1)
    if val_inputs is None:
        if callable(inputs):
            raise ValueError("inputs is a function: give val_inputs as a tensor")
        val_inputs = inputs
    build = inputs if callable(inputs) else (lambda idx, _noise: rows_at(inputs, idx))
    params, buffers, base = _stack_models(make_model, seeds)
    initial = {k: v.clone() for k, v in params.items()}
    stream = MinibatchStream(seeds, train_sets, batch_size, noise)
    stack = _Stack(base, params, buffers, stream, lr)
    record = _Record(params, rule)
    validation = _Validation(val_sets, val_inputs, labels)
    for step in range(1, rule.max_steps + 1):
        record.running[stack.active] += stack.step(build, labels)
        if step % rule.eval_every == 0:
            done = record.check(stack, validation, step)
            if done.all():
                break
            if done.any():
                stack.keep((~done).nonzero().flatten())
    return BatchedTraining(
        base=base,
        params=record.best,
        initial=initial,
        buffers=buffers,
        seeds=seeds,
        best_step=validation.best_step.tolist(),
        stop_step=record.stop_step.tolist(),
        max_steps=rule.max_steps,
        check_steps=record.checks,
        train_loss=record.curve(record.train_loss),
        val_accuracy=record.curve(record.val_accuracy),
    )


def _scatter(values: torch.Tensor, active: torch.Tensor, count: int) -> torch.Tensor:
    """Values of the active models at their places among all, NaN elsewhere."""
    row = torch.full((count,), math.nan)
    row[active] = values
    return row


def train_one(
    make_model: Callable[[], nn.Module],
    build: InputBuilder,
    labels: torch.Tensor,
    *,
    seed: int,
    train_set: torch.Tensor,
    val_x: torch.Tensor,
    val_y: torch.Tensor,
    noise: int = 0,
    lr: float = 3e-3,
    batch_size: int = 32,
    rule: StoppingRule = StoppingRule(),
) -> tuple[dict[str, torch.Tensor], int, int]:
    """The plain loop `train_batched` must equal: one module, `torch.optim.Adam`.

    Model `seed` of a batched run, trained alone on the same minibatches with
    the same rule. Returns its kept weights, the step they are from and the
    step it stopped at. The tests check the two agree; the benchmark times both.
    """
    model = seeded_model(make_model, seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    stream = MinibatchStream([seed], [train_set], batch_size, noise=noise)
    best, waited, best_step = -1.0, 0, 0
    kept = {k: v.clone() for k, v in model.state_dict().items()}
    for step in range(1, rule.max_steps + 1):
        indices, draws = stream.next()
        loss = F.cross_entropy(model(build(indices, draws)[0]), labels[indices[0]])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % rule.eval_every:
            continue
        with torch.no_grad():
            accuracy = (model(val_x).argmax(1) == val_y).double().mean().item()
        if accuracy - best >= rule.min_delta and accuracy > best:
            best, waited, best_step = accuracy, 0, step
            kept = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
        if waited >= rule.patience:
            return kept, best_step, step
    return kept, best_step, rule.max_steps
