"""Shifts and equivariance measurements: exact where they should be, and checked."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from book.symmetry import equivariance_error, rotate, shift, shift_comparison


def seeded(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


# --- shift ---------------------------------------------------------------------


def test_shift_moves_right_down_left_and_up_with_zero_fill() -> None:
    x = torch.arange(1, 10).reshape(3, 3)
    assert shift(x, 1).tolist() == [[0, 1, 2], [0, 4, 5], [0, 7, 8]]
    assert shift(x, -1).tolist() == [[2, 3, 0], [5, 6, 0], [8, 9, 0]]
    assert shift(x, 2, "vertical").tolist() == [[0, 0, 0], [0, 0, 0], [1, 2, 3]]
    assert shift(x, -1, "vertical").tolist() == [[4, 5, 6], [7, 8, 9], [0, 0, 0]]


def test_circular_shift_is_a_roll_and_undoes_itself() -> None:
    x = seeded(2, 3, 5, 7)
    moved = shift(x, 3, "horizontal", circular=True)
    assert torch.equal(moved, torch.roll(x, 3, dims=-1))
    assert torch.equal(shift(moved, -3, circular=True), x)


def test_shift_by_zero_or_the_full_size() -> None:
    x = seeded(4, 4)
    assert torch.equal(shift(x, 0), x)
    assert torch.equal(shift(x, 4), torch.zeros(4, 4))
    assert shift(x, -4, "vertical").abs().sum() == 0


def test_shift_leaves_its_input_alone() -> None:
    x = seeded(4, 4)
    before = x.clone()
    shift(x, 2)
    assert torch.equal(x, before)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((torch.zeros(4), 1), ValueError, r"at least two axes .*got \(4,\)"),
        (([[1, 2]], 1), TypeError, "x must be a torch.Tensor, got list"),
        ((torch.zeros(3, 3), 4), ValueError, "amount must be at most 3"),
        ((torch.zeros(3, 3), -4), ValueError, "amount must be at least -3, got -4"),
        ((torch.zeros(3, 3), 1.5), TypeError, "amount must be an int, got 1.5"),
        ((torch.zeros(3, 3), 1, "diagonal"), ValueError, "got 'diagonal'"),
    ],
)
def test_shift_rejects_bad_input(args: tuple, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        shift(*args)


# --- equivariance_error ------------------------------------------------------------


def conv_layer(padding_mode: str = "zeros", stride: int = 1) -> nn.Conv2d:
    torch.manual_seed(0)
    return nn.Conv2d(1, 2, 3, stride=stride, padding=1, padding_mode=padding_mode)


def test_zero_padding_spoils_a_band_that_widens_with_the_shift() -> None:
    conv, x = conv_layer(), seeded(1, 1, 16, 16)
    for amount in (1, 2, 3, 5):
        errors = equivariance_error(conv, x, amount)
        assert errors.shape == (16,)
        spoiled = (errors > 1e-6).nonzero().flatten().tolist()
        # The vacated strip (the bias answers blank input) and the far border.
        assert spoiled == [*range(amount), 15]


def test_vertical_errors_are_per_row_and_mirror_left_shifts() -> None:
    conv, x = conv_layer(), seeded(1, 1, 12, 12)
    errors = equivariance_error(conv, x, -2, "vertical")
    assert (errors > 1e-6).nonzero().flatten().tolist() == [0, 10, 11]


def test_circular_padding_with_circular_shifts_is_exact() -> None:
    conv, x = conv_layer("circular"), seeded(1, 1, 10, 10)
    for direction in ("horizontal", "vertical"):
        for amount in (-3, 1, 4):
            errors = equivariance_error(conv, x, amount, direction, circular=True)
            assert errors.max() < 1e-6


def test_stride_two_is_exact_for_even_shifts_only() -> None:
    conv, x = conv_layer("circular", stride=2), seeded(1, 1, 12, 12)
    even = equivariance_error(conv, x, 2, circular=True, output_amount=1)
    assert even.shape == (6,) and even.max() < 1e-6
    for output_amount in (0, 1):
        odd = equivariance_error(conv, x, 1, circular=True, output_amount=output_amount)
        assert odd.min() > 1e-3


def test_an_invariant_map_has_zero_error_only_against_an_unshifted_output() -> None:
    def total(x: torch.Tensor) -> torch.Tensor:
        return x.sum(dim=(-2, -1), keepdim=True)

    x = seeded(1, 1, 6, 6)
    assert equivariance_error(total, x, 2, circular=True, output_amount=0).max() < 1e-6


def test_equivariance_error_rejects_an_output_shift_larger_than_the_map() -> None:
    with pytest.raises(ValueError, match="amount must be at most 3, .* got 4"):
        equivariance_error(lambda x: x[..., ::2, ::2], seeded(1, 1, 6, 6), 4)


# --- shift_comparison --------------------------------------------------------------


def test_shift_comparison_agrees_with_f_conv2d() -> None:
    x, kernel = seeded(9, 9), seeded(3, 3, seed=1) - 0.5
    result = shift_comparison(x, kernel, 2, "vertical", margin=1, bias=0.25)
    expected = F.conv2d(
        shift(x, 2, "vertical")[None, None], kernel[None, None], padding=1
    )
    assert torch.allclose(result.moved_then_mapped, expected[0, 0] + 0.25)
    assert torch.equal(result.shifted_input, shift(x, 2, "vertical"))
    # Rows 0 and 1 (the vacated strip) and row 8 (the far border) differ.
    assert result.spoiled == 3 * 9
    assert not result.equal_inside and not result.equal_everywhere


def test_shift_comparison_window_excludes_the_border_band() -> None:
    x, kernel = seeded(16, 16), seeded(3, 3, seed=1)
    assert shift_comparison(x, kernel, 2, margin=2).equal_inside
    assert not shift_comparison(x, kernel, 3, margin=2, bias=0.1).equal_inside
    assert shift_comparison(x, kernel, 0).equal_everywhere


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"x": torch.zeros(1, 6, 6)}, ValueError, r"must be 2-D, got \(1, 6, 6\)"),
        ({"kernel": torch.zeros(2, 2)}, ValueError, r"odd .*got \(2, 2\)"),
        ({"margin": 3}, ValueError, "margin 3 leaves no window .* below 3"),
        ({"margin": -1}, ValueError, "margin must be at least 0, got -1"),
        ({"kernel": "sobel"}, TypeError, "kernel must be a torch.Tensor, got str"),
    ],
)
def test_shift_comparison_rejects_bad_input(
    kwargs: dict, error: type, message: str
) -> None:
    arguments = {"x": torch.zeros(6, 6), "kernel": torch.ones(3, 3), "amount": 1}
    with pytest.raises(error, match=message):
        shift_comparison(**{**arguments, **kwargs})


# --- rotate --------------------------------------------------------------------


def test_rotating_by_90_degrees_matches_rot90_inside_the_image() -> None:
    x = seeded(2, 1, 7, 7)
    # torch.rot90 with dims (-2, -1) turns anticlockwise, as rotate does.
    assert torch.allclose(rotate(x, 90), torch.rot90(x, 1, dims=(-2, -1)), atol=1e-5)
    assert torch.allclose(rotate(x, 0), x, atol=1e-6)
    assert torch.allclose(rotate(rotate(x, 180), 180), x, atol=1e-5)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((torch.zeros(3, 3), 90), ValueError, r"\(N, C, H, W\), got torch.Size"),
        ((torch.zeros(1, 1, 3, 3), "90"), TypeError, "degrees must be a number"),
        ((torch.zeros(1, 1, 3, 3), True), TypeError, "degrees must be a number"),
    ],
)
def test_rotate_rejects_bad_input(args: tuple, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        rotate(*args)
