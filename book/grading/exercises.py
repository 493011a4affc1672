"""The five exercises: public tests (run by `check()`) and free-text questions.

Hidden tests live apart, in `book.grading.hidden`, which the grader's sandbox
does not show to the student's process. An exercise id is its notebook's stem.

The reference answers (`book.grading.references`) are imported only when a
test's expected value is computed: the student's `check()` reads the public
tests' expected values from `public_expected.json` instead, so this module
loads where the answer key is absent (the student edition, the sandbox).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from book.grading.spec import Exercise, Question, Test
from book.grading.wire import random_tensor, tensor

INT_HINT = "return a plain Python int: use // or int(), not /"


def answer(name: str) -> Callable[..., Any]:
    """The reference function `name`, imported from the answer key when called."""

    def reference(*args: Any, **kwargs: Any) -> Any:
        key = importlib.import_module("book.grading.references")
        return getattr(key, name)(*args, **kwargs)

    reference.__name__ = name
    return reference


def _growth_at_128() -> tuple[int, int, int]:
    counts = [answer(name) for name in ("fc_weights", "locally_connected_weights")]
    small = [counts[0](64, 64), counts[1](64, 64, 5)]
    large = [counts[0](128, 128), counts[1](128, 128, 5)]
    return large[0] // small[0], large[1] // small[1], 1


COUNT_SAVINGS = Exercise(
    id="ex1_count_savings",
    title="Count the savings",
    public=(
        Test(
            "fc_weights(64, 64)",
            "fc_weights",
            (64, 64),
            reference=answer("fc_weights"),
            points=2,
            exact_type=True,
            hint="every one of the H*W outputs has a weight for every input pixel",
        ),
        Test(
            "locally_connected_weights(64, 64, 5)",
            "locally_connected_weights",
            (64, 64, 5),
            reference=answer("locally_connected_weights"),
            points=2,
            exact_type=True,
            hint="one private k x k kernel at every output position",
        ),
        Test(
            "conv_weights(5)",
            "conv_weights",
            (5,),
            reference=answer("conv_weights"),
            exact_type=True,
            hint="one k x k kernel, shared by every position",
        ),
        Test(
            "growth_at_128 (FC, locally connected, conv)",
            "growth_at_128",
            call=False,
            reference=_growth_at_128,
            points=2,
            hint="divide each count at 128 x 128 by the count at 64 x 64, "
            "with //: a tuple of three ints",
            exact_type=True,
        ),
    ),
    questions=(
        Question(
            "why-it-matters",
            "Which counts change at 128 x 128, and why does that matter?",
            "2 points: FC and locally connected grow (16x and 4x), conv does "
            "not; 1 point: a consequence (memory, data needed to fit the "
            "weights, or one detector reused at any image size).",
            3,
        ),
    ),
)

EQUIVARIANCE = Exercise(
    id="ex2_equivariance",
    title="Equivariance versus invariance",
    public=(
        Test(
            "shift down by 1",
            "shift",
            (tensor([[1.0, 2.0], [3.0, 4.0]]), 1, 0),
            reference=answer("shift"),
            hint="the top row becomes zeros; the bottom row falls off",
        ),
        Test(
            "shift right by 2",
            "shift",
            (random_tensor(4, 5, seed=0), 0, 2),
            reference=answer("shift"),
            hint="the two left columns become zeros",
        ),
        Test(
            "equivariance_gap, horizontal shift, margin 3",
            "equivariance_gap",
            (random_tensor(16, 16, seed=1), random_tensor(3, 3, seed=2), 0, 2, 3),
            reference=answer("equivariance_gap"),
            points=2,
            hint="compare conv(shift(x)) with shift(conv(x)), padding k // 2",
        ),
        Test(
            "equivariance_gap, vertical shift, margin 3",
            "equivariance_gap",
            (random_tensor(16, 16, seed=3), random_tensor(3, 3, seed=4), 2, 0, 3),
            reference=answer("equivariance_gap"),
            points=2,
            hint="a vertical shift moves rows; the same check works",
        ),
        Test(
            "global_average_pool of a 3 x 4 map",
            "global_average_pool",
            (random_tensor(3, 4, seed=5),),
            reference=answer("global_average_pool"),
            hint="the mean of every entry, returned as a Python float (.item())",
        ),
    ),
    questions=(
        Question(
            "why-pooling",
            "Why do classification networks end in global "
            "pooling, and why would a segmentation network not?",
            "1 point: the label does not depend on where the object is, so "
            "the head should be invariant; 1 point: pooling turns the "
            "equivariant maps into an (approximately) invariant summary; "
            "1 point: segmentation or detection must say where, so it keeps "
            "the equivariant maps.",
            3,
        ),
    ),
)

LOCALITY = Exercise(
    id="ex3_locality",
    title="When locality hurts",
    public=(
        Test(
            "receptive_field(1)",
            "receptive_field",
            (1,),
            reference=answer("receptive_field"),
            exact_type=True,
            hint="start from the one pixel that zero layers see; return an int",
        ),
        Test(
            "receptive_field(2)",
            "receptive_field",
            (2,),
            reference=answer("receptive_field"),
            hint="each layer adds k - 1 pixels to the field",
        ),
        Test(
            "receptive_field(5, kernel_size=3)",
            "receptive_field",
            (5,),
            {"kernel_size": 3},
            reference=answer("receptive_field"),
        ),
        Test(
            "layers_to_span(223)",
            "layers_to_span",
            (223,),
            reference=answer("layers_to_span"),
            points=2,
            exact_type=True,
            hint="two pixels d apart are both in a field of d + 1 pixels",
        ),
        Test(
            "layers_to_span(10, kernel_size=5)",
            "layers_to_span",
            (10,),
            {"kernel_size": 5},
            reference=answer("layers_to_span"),
            hint="round up: a partial layer is a whole layer",
        ),
    ),
    questions=(
        Question(
            "task",
            "Name a task where the output at one place depends on a "
            "distant region, and the distance in pixels.",
            "1 point: a concrete task with a real long-range dependency "
            "(e.g. is this closed curve connected, does the left shoe match "
            "the right one, scene context); 1 point: a distance in pixels "
            "used with layers_to_span.",
            2,
        ),
        Question(
            "mechanism",
            "Name a mechanism that relates distant pixels directly, and how.",
            "1 point: attention, dilation or large kernels; 1 point: how it "
            "shortens the path (all pairs in one step, field growing "
            "exponentially with depth, or one big window).",
            2,
        ),
    ),
)

CONV_ARITHMETIC = Exercise(
    id="ex4_conv_arithmetic",
    title="Convolution arithmetic",
    public=(
        Test(
            "conv_output_size(7, 3, stride=1)",
            "conv_output_size",
            (7, 3),
            {"stride": 1},
            reference=answer("conv_output_size"),
            exact_type=True,
            hint=INT_HINT,
        ),
        Test(
            "conv_output_size(7, 3, stride=2)",
            "conv_output_size",
            (7, 3),
            {"stride": 2},
            reference=answer("conv_output_size"),
            hint=INT_HINT,
        ),
        Test(
            "conv_output_size(8, 3, stride=2) is invalid",
            "conv_output_size",
            (8, 3),
            {"stride": 2},
            raises=("ValueError",),
            hint="work out the formula for these sizes: the task says what to do "
            "when it does not give a whole number",
        ),
        Test(
            "conv_param_count(3, 96, 11): AlexNet conv1",
            "conv_param_count",
            (3, 96, 11),
            reference=answer("conv_param_count"),
            points=2,
            exact_type=True,
            hint="F*F*D_in weights per filter, times K filters, plus K biases",
        ),
        Test(
            "conv_param_count(1, 1, 3)",
            "conv_param_count",
            (1, 1, 3),
            reference=answer("conv_param_count"),
            hint="every filter has a bias too: compare with nn.Conv2d's parameters",
        ),
    ),
)

# The worked example of exercise 5's task text: a vertical edge and its detector.
EDGE_IMAGE = [[0.0, 0.0, 1.0, 1.0, 1.0]] * 5
EDGE_KERNEL = [[-1.0, 0.0, 1.0]] * 3

CROSS_CORRELATION = Exercise(
    id="ex5_cross_correlation",
    title="Cross-correlation from scratch",
    public=(
        Test(
            "cross_correlate_loops on the worked 5 x 5 example",
            "cross_correlate_loops",
            (tensor(EDGE_IMAGE), tensor(EDGE_KERNEL)),
            reference=answer("cross_correlate"),
            points=2,
            hint="output (i, j) is the sum of kernel * patch at rows i..i+2, "
            "cols j..j+2",
        ),
        Test(
            "cross_correlate_loops on a random 6 x 6 image",
            "cross_correlate_loops",
            (random_tensor(6, 6, seed=0), random_tensor(3, 3, seed=1)),
            reference=answer("cross_correlate"),
        ),
        Test(
            "cross_correlate_vectorised on a random 6 x 6 image",
            "cross_correlate_vectorised",
            (random_tensor(6, 6, seed=2), random_tensor(3, 3, seed=3)),
            reference=answer("cross_correlate"),
            hint="F.unfold turns every patch into a column",
        ),
        Test(
            "cross_correlate_vectorised, stride 2 and padding 1",
            "cross_correlate_vectorised",
            (random_tensor(7, 7, seed=4), random_tensor(3, 3, seed=5)),
            {"stride": 2, "padding": 1},
            reference=answer("cross_correlate"),
            hint="pad first, then take every stride-th patch",
        ),
        Test(
            "convolve flips the kernel",
            "convolve",
            (random_tensor(6, 6, seed=6), random_tensor(3, 3, seed=7)),
            reference=answer("convolve"),
            hint="convolution is cross-correlation with the kernel turned half "
            "a turn: which tensor method reverses dimensions?",
        ),
        Test(
            "edge_map of the worked example",
            "edge_map",
            call=False,
            reference=answer("edge_map"),
            hint="apply your cross_correlate_loops to the worked example's "
            "image and kernel",
        ),
    ),
)

EXERCISES = {
    exercise.id: exercise
    for exercise in (
        COUNT_SAVINGS,
        EQUIVARIANCE,
        LOCALITY,
        CONV_ARITHMETIC,
        CROSS_CORRELATION,
    )
}
