"""Hidden tests: run only by the teacher's grader, outside the student's process.

The grader's sandbox mounts an empty folder over this one, so a submission can
neither import nor read it.
"""

from __future__ import annotations

from book.grading import references as ref
from book.grading.spec import Test
from book.grading.wire import ndarray, random_tensor, tensor

VALUE = ("ValueError",)
TYPE = ("TypeError",)

# Hints a student may read (the student's feedback shows hidden tests only as
# counts and these hints): each names what kind of case failed, never its values.
SIZES = "other sizes than the public tests: check the formula, not one example"
NONSQUARE = "a height that differs from the width: keep the two apart"
REFUSE = "an input the task says to refuse: raise the exception the task names"
TYPES = "an argument of the wrong type: the task says which exception to raise"
EDGE_CASE = "a boundary case (zero, nothing left, or sizes that just fit)"
NEGATIVE = "negative arguments: the task says what they mean"
SHIFTS = "other shifts and margins than the public tests"
ARGUMENTS = (
    "the optional arguments (stride, padding, dilation, bias) in other combinations"
)

HIDDEN_TESTS: dict[str, tuple[Test, ...]] = {
    "ex1_count_savings": (
        Test(
            "fc_weights(128, 128)",
            "fc_weights",
            (128, 128),
            reference=ref.fc_weights,
            hint=SIZES,
        ),
        Test(
            "fc_weights(32, 32)",
            "fc_weights",
            (32, 32),
            reference=ref.fc_weights,
            hint=SIZES,
        ),
        Test(
            "fc_weights(48, 80): not square",
            "fc_weights",
            (48, 80),
            reference=ref.fc_weights,
            hint=NONSQUARE,
        ),
        Test(
            "locally_connected_weights(32, 32, 3)",
            "locally_connected_weights",
            (32, 32, 3),
            reference=ref.locally_connected_weights,
            hint=SIZES,
        ),
        Test(
            "locally_connected_weights(128, 128, 5)",
            "locally_connected_weights",
            (128, 128, 5),
            reference=ref.locally_connected_weights,
            hint=SIZES,
        ),
        Test(
            "locally_connected_weights(48, 80, 3)",
            "locally_connected_weights",
            (48, 80, 3),
            reference=ref.locally_connected_weights,
            hint=NONSQUARE,
        ),
        Test(
            "conv_weights(3)",
            "conv_weights",
            (3,),
            reference=ref.conv_weights,
            hint=SIZES,
        ),
        Test(
            "conv_weights(0) is invalid",
            "conv_weights",
            (0,),
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "fc_weights(0, 64) is invalid",
            "fc_weights",
            (0, 64),
            raises=VALUE,
            hint=REFUSE,
        ),
    ),
    "ex2_equivariance": (
        Test(
            "shift up and left",
            "shift",
            (random_tensor(5, 6, seed=10), -2, -1),
            reference=ref.shift,
            hint=NEGATIVE,
        ),
        Test(
            "shift by zero",
            "shift",
            (random_tensor(4, 4, seed=11), 0, 0),
            reference=ref.shift,
            hint=EDGE_CASE,
        ),
        Test(
            "shift by more than the size",
            "shift",
            (random_tensor(3, 3, seed=12), 4, 0),
            reference=ref.shift,
            hint=EDGE_CASE,
        ),
        Test(
            "equivariance_gap, diagonal shift",
            "equivariance_gap",
            (random_tensor(16, 16, seed=13), random_tensor(3, 3, seed=14), 1, 1, 2),
            reference=ref.equivariance_gap,
            hint=SHIFTS,
        ),
        Test(
            "equivariance_gap, margin 0 shows the border",
            "equivariance_gap",
            (random_tensor(12, 12, seed=15), random_tensor(3, 3, seed=16), 0, 2, 0),
            reference=ref.equivariance_gap,
            hint=SHIFTS,
        ),
        Test(
            "equivariance_gap, 5 x 5 kernel on a 10 x 14 image",
            "equivariance_gap",
            (random_tensor(10, 14, seed=17), random_tensor(5, 5, seed=18), 1, 0, 3),
            reference=ref.equivariance_gap,
            hint=NONSQUARE,
        ),
        Test(
            "equivariance_gap with a margin that leaves nothing",
            "equivariance_gap",
            (random_tensor(6, 6, seed=19), random_tensor(3, 3, seed=20), 0, 1, 3),
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "global_average_pool of a 7 x 2 map",
            "global_average_pool",
            (random_tensor(7, 2, seed=21),),
            reference=ref.global_average_pool,
            hint=NONSQUARE,
        ),
    ),
    "ex3_locality": (
        Test(
            "receptive_field(0)",
            "receptive_field",
            (0,),
            reference=ref.receptive_field,
            hint=EDGE_CASE,
        ),
        Test(
            "receptive_field(4, kernel_size=7)",
            "receptive_field",
            (4,),
            {"kernel_size": 7},
            reference=ref.receptive_field,
            hint=ARGUMENTS,
        ),
        Test(
            "receptive_field(3, dilation=2)",
            "receptive_field",
            (3,),
            {"dilation": 2},
            reference=ref.receptive_field,
            hint=ARGUMENTS,
        ),
        Test(
            "receptive_field(-1) is invalid",
            "receptive_field",
            (-1,),
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "receptive_field(2.0) is the wrong type",
            "receptive_field",
            (2.0,),
            raises=TYPE,
            hint=TYPES,
        ),
        Test(
            "layers_to_span(0)",
            "layers_to_span",
            (0,),
            reference=ref.layers_to_span,
            hint=EDGE_CASE,
        ),
        Test(
            "layers_to_span(1)",
            "layers_to_span",
            (1,),
            reference=ref.layers_to_span,
            hint=EDGE_CASE,
        ),
        Test(
            "layers_to_span(5, kernel_size=1) never spans",
            "layers_to_span",
            (5,),
            {"kernel_size": 1},
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "layers_to_span(100, dilation=4)",
            "layers_to_span",
            (100,),
            {"dilation": 4},
            reference=ref.layers_to_span,
            hint=ARGUMENTS,
        ),
        Test(
            "layers_to_span(224, kernel_size=31)",
            "layers_to_span",
            (224,),
            {"kernel_size": 31},
            reference=ref.layers_to_span,
            hint=ARGUMENTS,
        ),
    ),
    "ex4_conv_arithmetic": (
        Test(
            "conv_output_size(32, 3, padding=1) keeps the size",
            "conv_output_size",
            (32, 3),
            {"padding": 1},
            reference=ref.conv_output_size,
            hint=ARGUMENTS,
        ),
        Test(
            "conv_output_size(227, 11, stride=4)",
            "conv_output_size",
            (227, 11),
            {"stride": 4},
            reference=ref.conv_output_size,
            hint=ARGUMENTS,
        ),
        Test(
            "conv_output_size(224, 11, stride=4, padding=2) is invalid (55.25)",
            "conv_output_size",
            (224, 11),
            {"stride": 4, "padding": 2},
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "conv_output_size(10, 3, stride=3, padding=1)",
            "conv_output_size",
            (10, 3),
            {"stride": 3, "padding": 1},
            reference=ref.conv_output_size,
            hint=ARGUMENTS,
        ),
        Test(
            "conv_output_size(5, 5): kernel as large as the input",
            "conv_output_size",
            (5, 5),
            reference=ref.conv_output_size,
            hint=EDGE_CASE,
        ),
        Test(
            "conv_output_size(3, 5, padding=1)",
            "conv_output_size",
            (3, 5),
            {"padding": 1},
            reference=ref.conv_output_size,
            hint=EDGE_CASE,
        ),
        Test(
            "conv_output_size(3, 5): kernel larger than the input",
            "conv_output_size",
            (3, 5),
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "conv_output_size(10, 3, stride=2) is invalid",
            "conv_output_size",
            (10, 3),
            {"stride": 2},
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "conv_output_size(7, 3, stride=0) is invalid",
            "conv_output_size",
            (7, 3),
            {"stride": 0},
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "conv_output_size(7, 3, padding=-1) is invalid",
            "conv_output_size",
            (7, 3),
            {"padding": -1},
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "conv_output_size(7.0, 3) is the wrong type",
            "conv_output_size",
            (7.0, 3),
            raises=TYPE,
            hint=TYPES,
        ),
        Test(
            "conv_param_count(3, 96, 11, bias=False)",
            "conv_param_count",
            (3, 96, 11),
            {"bias": False},
            reference=ref.conv_param_count,
            hint=ARGUMENTS,
        ),
        Test(
            "conv_param_count(64, 128, 3)",
            "conv_param_count",
            (64, 128, 3),
            reference=ref.conv_param_count,
            hint=SIZES,
        ),
        Test(
            "conv_param_count(0, 1, 3) is invalid",
            "conv_param_count",
            (0, 1, 3),
            raises=VALUE,
            hint=REFUSE,
        ),
    ),
    "ex5_cross_correlation": (
        Test(
            "cross_correlate_loops, stride 2",
            "cross_correlate_loops",
            (random_tensor(7, 7, seed=20), random_tensor(3, 3, seed=21)),
            {"stride": 2},
            reference=ref.cross_correlate,
            hint=ARGUMENTS,
        ),
        Test(
            "cross_correlate_loops, padding 2",
            "cross_correlate_loops",
            (random_tensor(5, 5, seed=22), random_tensor(3, 3, seed=23)),
            {"padding": 2},
            reference=ref.cross_correlate,
            hint=ARGUMENTS,
        ),
        Test(
            "cross_correlate_loops, 5 x 8 image and 2 x 3 kernel",
            "cross_correlate_loops",
            (random_tensor(5, 8, seed=24), random_tensor(2, 3, seed=25)),
            reference=ref.cross_correlate,
            hint=NONSQUARE,
        ),
        Test(
            "cross_correlate_loops, stride 3 drops the leftover like F.conv2d",
            "cross_correlate_loops",
            (random_tensor(10, 10, seed=26), random_tensor(3, 3, seed=27)),
            {"stride": 3},
            reference=ref.cross_correlate,
            hint=ARGUMENTS,
        ),
        Test(
            "cross_correlate_vectorised, stride 3, padding 2, 6 x 9 image",
            "cross_correlate_vectorised",
            (random_tensor(6, 9, seed=28), random_tensor(3, 2, seed=29)),
            {"stride": 3, "padding": 2},
            reference=ref.cross_correlate,
            hint=NONSQUARE,
        ),
        Test(
            "cross_correlate_vectorised, 1 x 1 kernel",
            "cross_correlate_vectorised",
            (random_tensor(4, 4, seed=30), tensor([[2.0]])),
            reference=ref.cross_correlate,
            hint=EDGE_CASE,
        ),
        Test(
            "cross_correlate_vectorised, kernel as large as the image",
            "cross_correlate_vectorised",
            (random_tensor(4, 4, seed=31), random_tensor(4, 4, seed=32)),
            reference=ref.cross_correlate,
            hint=EDGE_CASE,
        ),
        Test(
            "convolve, stride 2 and padding 1",
            "convolve",
            (random_tensor(8, 8, seed=33), random_tensor(3, 3, seed=34)),
            {"stride": 2, "padding": 1},
            reference=ref.convolve,
            hint=ARGUMENTS,
        ),
        Test(
            "convolve with a lopsided 2 x 3 kernel",
            "convolve",
            (random_tensor(6, 7, seed=35), tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
            reference=ref.convolve,
            hint=NONSQUARE,
        ),
        Test(
            "cross_correlate_loops, kernel larger than the image",
            "cross_correlate_loops",
            (random_tensor(3, 3, seed=36), random_tensor(4, 4, seed=37)),
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "cross_correlate_vectorised, kernel larger than the image",
            "cross_correlate_vectorised",
            (random_tensor(3, 3, seed=38), random_tensor(5, 5, seed=39)),
            raises=VALUE,
            hint=REFUSE,
        ),
        Test(
            "cross_correlate_vectorised on a numpy image",
            "cross_correlate_vectorised",
            (ndarray([[1.0, 2.0], [3.0, 4.0]]), tensor([[1.0]])),
            raises=TYPE,
            hint=TYPES,
        ),
    ),
}
