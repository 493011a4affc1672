"""book.figures.curves: each curve figure plots what it is given and checks inputs."""

from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from book.experiments.batched import BatchedTraining, StoppingRule, train_batched
from book.experiments.sample_efficiency import SampleEfficiency
from book.experiments.shift import ShiftExperiment
from book.figures.curves import (
    convergence_figure,
    correlation_figure,
    models_under_shift_figure,
    parameter_scaling_figure,
    sample_efficiency_figure,
    shift_accuracy_figure,
    training_curves_figure,
)

pytestmark = pytest.mark.usefixtures("close_figures")


def test_scaling_figure_draws_two_lines_on_log_axes() -> None:
    sides = [16, 32, 64]
    fig = parameter_scaling_figure(
        sides, [100, 400, 1600], [10, 10, 10], fc_label="fc", conv_label="conv"
    )
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert len(ax.child_axes) == 1  # the float32 memory axis on the right
    assert len(ax.lines) == 2
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fc", "conv"]


def test_scaling_figure_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="got 3, 2 and 3"):
        parameter_scaling_figure(
            [1, 2, 4], [1, 4], [1, 1, 1], fc_label="", conv_label=""
        )
    with pytest.raises(ValueError, match="positive"):
        parameter_scaling_figure([1, 2], [0, 4], [1, 1], fc_label="", conv_label="")


def fake_result(
    directions: tuple[str, ...] = ("horizontal", "vertical"),
) -> ShiftExperiment:
    shifts = (-2, -1, 0, 1, 2)
    rows = [[0.1, 0.5, 0.95, 0.5, 0.1], [0.2, 0.4, 0.97, 0.45, 0.15]]
    return ShiftExperiment(
        canvas_size=12,
        image_size=(8, 8),
        position=(2, 2),
        shifts=shifts,
        seeds=(0, 1),
        augment=False,
        batch_size=8,
        accuracy={direction: rows for direction in directions},
    )


@pytest.mark.parametrize("directions", [("horizontal",), ("horizontal", "vertical")])
def test_shift_figure_has_a_thumbnail_per_shift_and_one_plot(
    directions: tuple[str, ...],
) -> None:
    result = fake_result(directions)
    fig = shift_accuracy_figure(result, torch.rand(8, 8))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == len(result.shifts) + 1
    thumbnails, plot = fig.axes[:-1], fig.axes[-1]
    assert all(len(ax.images) == 1 for ax in thumbnails)
    # Per direction: one marker line per seed and the mean; plus the chance line.
    assert len(plot.lines) == len(directions) * (len(result.seeds) + 1) + 1
    assert len(plot.collections) == len(directions)  # the seed-range bands
    assert plot.get_ylim()[0] == 0


def test_shift_figure_rejects_an_example_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match=r"image size \(8, 8\), got \(7, 8\)"):
        shift_accuracy_figure(fake_result(), torch.rand(7, 8))


def test_correlation_figure_one_line_per_curve() -> None:
    fig = correlation_figure([0, 1, 2], {"a": [1, 0.5, 0.2], "b": [1, 0, -0.1]})
    assert len(fig.axes[0].get_legend().get_texts()) == 2


def test_correlation_figure_refuses_mismatched_curves() -> None:
    with pytest.raises(ValueError, match="has 2 values for 3 distances"):
        correlation_figure([0, 1, 2], {"a": [1, 0.5]})
    with pytest.raises(ValueError, match="curves is empty"):
        correlation_figure([0], {})


def experiment(
    rows: list[list[float]], direction: str = "horizontal"
) -> ShiftExperiment:
    return ShiftExperiment(
        canvas_size=12,
        image_size=(8, 8),
        position=(2, 2),
        shifts=(-1, 0, 1),
        seeds=tuple(range(len(rows))),
        augment=False,
        batch_size=8,
        accuracy={direction: rows},
    )


def test_models_under_shift_figure_plots_the_mean_of_each_model() -> None:
    results = {
        "FC": experiment([[0.1, 0.9, 0.2], [0.3, 1.0, 0.2]]),
        "CNN": experiment([[0.9, 0.9, 0.9]]),
    }
    ax = models_under_shift_figure(results).axes[0]
    means = [line.get_ydata().tolist() for line in ax.lines[:2]]
    assert means[0] == pytest.approx([0.2, 0.95, 0.2])
    assert means[1] == pytest.approx([0.9, 0.9, 0.9])


def test_models_under_shift_figure_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="results is empty"):
        models_under_shift_figure({})
    with pytest.raises(ValueError, match="did not measure horizontal"):
        models_under_shift_figure({"x": experiment([[0.5] * 3], "vertical")})


def tiny_study() -> SampleEfficiency:
    """A real two-seed, two-size result: a linear model trained for a few steps."""
    images, labels = torch.rand(60, 1, 4, 4), torch.arange(60) % 10
    training = train_batched(
        lambda: torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 10)),
        images,
        labels,
        seeds=[0, 0, 1, 1],
        train_sets=[torch.arange(10), torch.arange(30)] * 2,
        val_sets=[torch.arange(40, 60)] * 4,
        rule=StoppingRule(eval_every=2, patience=2, max_steps=8),
    )
    return SampleEfficiency(
        sizes=(10, 30),
        seeds=(0, 1),
        # accuracy[model][seed][size]
        accuracy={"linear": [[0.3, 0.4], [0.7, 0.8]], "1-NN": [[0.5, 0.5], [0.9, 0.9]]},
        train_accuracy={"linear": [[1.0, 1.0], [1.0, 1.0]]},
        trainings={"linear": training},
    )


def test_sample_efficiency_figure_has_a_panel_per_condition() -> None:
    result = tiny_study()
    fig = sample_efficiency_figure({"a": result, "b": result})
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    linear_mean, neighbour_mean = fig.axes[0].lines[:2]
    assert linear_mean.get_xdata().tolist() == [10, 30]
    assert linear_mean.get_ydata().tolist() == pytest.approx([0.5, 0.6])
    # The trained model is drawn solid, the baseline without training dashed.
    assert linear_mean.get_linestyle() == "-"
    assert neighbour_mean.get_linestyle() == "--"
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["linear", "1-NN"]
    with pytest.raises(ValueError, match="results is empty"):
        sample_efficiency_figure({})


def test_convergence_figure_draws_each_runs_training_loss() -> None:
    result = tiny_study()
    fig = convergence_figure(result, sizes=(10, 30))
    assert [ax.get_title() for ax in fig.axes] == ["linear"]
    drawn = [line for line in fig.axes[0].lines if len(line.get_xdata())]
    # One line per seed and size, each the run's loss at its checks.
    assert len(drawn) == 4
    training = result.trainings["linear"]
    expected = training.train_loss[:, result.run(1, 30)].tolist()
    assert drawn[3].get_ydata().tolist() == pytest.approx(expected, nan_ok=True)
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="no trained models"):
        convergence_figure(
            SampleEfficiency(
                sizes=(10,), seeds=(0,), accuracy={}, train_accuracy={}, trainings={}
            ),
            sizes=(10,),
        )


def trained(batch_size: int) -> ShiftExperiment:
    """A result whose two models were checked 4 times and stopped after 3 and 4."""
    nan = float("nan")
    result = experiment([[0.5] * 3, [0.6] * 3])
    result.batch_size = batch_size
    result.training = BatchedTraining(
        base=nn.Linear(1, 1),
        params={},
        initial={},
        buffers={},
        seeds=(0, 1),
        best_step=[20, 40],
        stop_step=[30, 40],
        max_steps=100,
        check_steps=[10, 20, 30, 40],
        train_loss=torch.zeros(4, 2),
        val_accuracy=torch.tensor([[0.2, 0.1], [0.6, 0.3], [0.5, 0.5], [nan, 0.7]]),
    )
    return result


def test_training_curves_figure_draws_each_seed_and_its_kept_weights() -> None:
    fig = training_curves_figure({"FC": trained(8), "CNN": trained(2)}, level=0.55)
    ax = fig.axes[0]
    # Per result: a line and a best-weights dot per seed; then the level line.
    assert len(ax.lines) == 2 * 2 * 2 + 1
    fc_line, fc_dot = ax.lines[0], ax.lines[1]
    assert list(fc_line.get_xdata()) == [80, 160, 240, 320]  # images seen
    assert list(fc_dot.get_xdata()) == [160] and list(fc_dot.get_ydata()) == [
        pytest.approx(0.6)
    ]
    assert list(ax.lines[-1].get_ydata()) == [0.55, 0.55]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["FC", "CNN"]


def test_training_curves_figure_refuses_untrained_or_no_results() -> None:
    with pytest.raises(ValueError, match="results is empty"):
        training_curves_figure({})
    with pytest.raises(ValueError, match="must be trained"):
        training_curves_figure({"FC": experiment([[0.5] * 3])})
