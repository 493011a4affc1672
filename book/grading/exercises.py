"""The five exercises: public tests (run by `check()`) and free-text questions.

Hidden tests live apart, in `book.grading.hidden`, which the grader's sandbox
does not show to the student's process. An exercise id is its notebook's stem.
"""

from __future__ import annotations

from book.grading import references as ref
from book.grading.spec import Exercise, Question, Test
from book.grading.wire import random_tensor, tensor

INT_HINT = "return a plain Python int: use // or int(), not /"

COUNT_SAVINGS = Exercise(
    id="ex1_count_savings",
    title="Count the savings",
    public=(
        Test("fc_weights(64, 64)", "fc_weights", (64, 64),
             reference=ref.fc_weights, points=2,
             hint="every one of the H*W outputs has a weight for every input pixel"),
        Test("locally_connected_weights(64, 64, 5)", "locally_connected_weights",
             (64, 64, 5), reference=ref.locally_connected_weights, points=2,
             hint="one private k x k kernel at every output position"),
        Test("conv_weights(5)", "conv_weights", (5,), reference=ref.conv_weights,
             hint="one k x k kernel, shared by every position"),
        Test("growth_at_128 (FC, locally connected, conv)", "growth_at_128",
             call=False, reference=lambda: (16, 4, 1), points=2,
             hint="divide each count at 128 x 128 by the count at 64 x 64; "
                  "a tuple of three ints"),
    ),
    questions=(
        Question("why-it-matters", "Which counts change at 128 x 128, and why "
                 "does that matter?",
                 "2 points: FC and locally connected grow (16x and 4x), conv does "
                 "not; 1 point: a consequence (memory, data needed to fit the "
                 "weights, or one detector reused at any image size).", 3),
    ),
)

EQUIVARIANCE = Exercise(
    id="ex2_equivariance",
    title="Equivariance versus invariance",
    public=(
        Test("shift down by 1", "shift",
             (tensor([[1.0, 2.0], [3.0, 4.0]]), 1, 0), reference=ref.shift,
             hint="the top row becomes zeros; the bottom row falls off"),
        Test("shift right by 2", "shift", (random_tensor(4, 5, seed=0), 0, 2),
             reference=ref.shift, hint="the two left columns become zeros"),
        Test("equivariance_gap, horizontal shift, margin 3", "equivariance_gap",
             (random_tensor(16, 16, seed=1), random_tensor(3, 3, seed=2), 0, 2, 3),
             reference=ref.equivariance_gap, points=2,
             hint="compare conv(shift(x)) with shift(conv(x)), padding k // 2"),
        Test("equivariance_gap, vertical shift, margin 3", "equivariance_gap",
             (random_tensor(16, 16, seed=3), random_tensor(3, 3, seed=4), 2, 0, 3),
             reference=ref.equivariance_gap, points=2,
             hint="a vertical shift moves rows; the same check works"),
        Test("global_average_pool of a 3 x 4 map", "global_average_pool",
             (random_tensor(3, 4, seed=5),), reference=ref.global_average_pool,
             hint="the mean of every entry, returned as a Python float (.item())"),
    ),
    questions=(
        Question("why-pooling", "Why do classification networks end in global "
                 "pooling, and why would a segmentation network not?",
                 "1 point: the label does not depend on where the object is, so "
                 "the head should be invariant; 1 point: pooling turns the "
                 "equivariant maps into an (approximately) invariant summary; "
                 "1 point: segmentation or detection must say where, so it keeps "
                 "the equivariant maps.", 3),
    ),
)

LOCALITY = Exercise(
    id="ex3_locality",
    title="When locality hurts",
    public=(
        Test("receptive_field(1)", "receptive_field", (1,),
             reference=ref.receptive_field, hint="one 3 x 3 layer sees 3 pixels"),
        Test("receptive_field(2)", "receptive_field", (2,),
             reference=ref.receptive_field,
             hint="each layer adds k - 1 pixels to the field"),
        Test("receptive_field(5, kernel_size=3)", "receptive_field", (5,),
             {"kernel_size": 3}, reference=ref.receptive_field),
        Test("layers_to_span(223)", "layers_to_span", (223,),
             reference=ref.layers_to_span, points=2,
             hint="two pixels d apart are both in a field of d + 1 pixels"),
        Test("layers_to_span(10, kernel_size=5)", "layers_to_span", (10,),
             {"kernel_size": 5}, reference=ref.layers_to_span,
             hint="round up: a partial layer is a whole layer"),
    ),
    questions=(
        Question("task", "Name a task where the output at one place depends on a "
                 "distant region, and the distance in pixels.",
                 "1 point: a concrete task with a real long-range dependency "
                 "(e.g. is this closed curve connected, does the left shoe match "
                 "the right one, scene context); 1 point: a distance in pixels "
                 "used with layers_to_span.", 2),
        Question("mechanism", "Name a mechanism that relates distant pixels "
                 "directly, and how.",
                 "1 point: attention, dilation or large kernels; 1 point: how it "
                 "shortens the path (all pairs in one step, field growing "
                 "exponentially with depth, or one big window).", 2),
    ),
)

CONV_ARITHMETIC = Exercise(
    id="ex4_conv_arithmetic",
    title="Convolution arithmetic",
    public=(
        Test("conv_output_size(7, 3, stride=1)", "conv_output_size", (7, 3),
             {"stride": 1}, reference=ref.conv_output_size, hint=INT_HINT),
        Test("conv_output_size(7, 3, stride=2)", "conv_output_size", (7, 3),
             {"stride": 2}, reference=ref.conv_output_size, hint=INT_HINT),
        Test("conv_output_size(8, 3, stride=2) is invalid", "conv_output_size",
             (8, 3), {"stride": 2}, raises=("ValueError",),
             hint="(8 - 3 + 0) / 2 + 1 = 3.5 is not a whole number: raise "
                  "ValueError"),
        Test("conv_param_count(3, 96, 11): AlexNet conv1", "conv_param_count",
             (3, 96, 11), reference=ref.conv_param_count, points=2,
             hint="F*F*D_in weights per filter, times K filters, plus K biases"),
        Test("conv_param_count(1, 1, 3)", "conv_param_count", (1, 1, 3),
             reference=ref.conv_param_count, hint="nn.Conv2d(1, 1, 3) has 10"),
    ),
)

CROSS_CORRELATION = Exercise(
    id="ex5_cross_correlation",
    title="Cross-correlation from scratch",
    public=(
        Test("cross_correlate_loops on the worked 5 x 5 example",
             "cross_correlate_loops",
             (tensor(ref.EDGE_IMAGE), tensor(ref.EDGE_KERNEL)),
             reference=ref.cross_correlate, points=2,
             hint="output (i, j) is the sum of kernel * patch at rows i..i+2, "
                  "cols j..j+2"),
        Test("cross_correlate_loops on a random 6 x 6 image",
             "cross_correlate_loops",
             (random_tensor(6, 6, seed=0), random_tensor(3, 3, seed=1)),
             reference=ref.cross_correlate),
        Test("cross_correlate_vectorised on a random 6 x 6 image",
             "cross_correlate_vectorised",
             (random_tensor(6, 6, seed=2), random_tensor(3, 3, seed=3)),
             reference=ref.cross_correlate,
             hint="F.unfold turns every patch into a column"),
        Test("cross_correlate_vectorised, stride 2 and padding 1",
             "cross_correlate_vectorised",
             (random_tensor(7, 7, seed=4), random_tensor(3, 3, seed=5)),
             {"stride": 2, "padding": 1}, reference=ref.cross_correlate,
             hint="pad first, then take every stride-th patch"),
        Test("convolve flips the kernel", "convolve",
             (random_tensor(6, 6, seed=6), random_tensor(3, 3, seed=7)),
             reference=ref.convolve, hint="kernel.flip(0, 1) turns it 180 degrees"),
        Test("edge_map is [[3, 3, 0]] * 3", "edge_map", call=False,
             reference=ref.edge_map,
             hint="apply your function to the worked example"),
    ),
)

EXERCISES = {
    exercise.id: exercise
    for exercise in (COUNT_SAVINGS, EQUIVARIANCE, LOCALITY, CONV_ARITHMETIC,
                     CROSS_CORRELATION)
}
