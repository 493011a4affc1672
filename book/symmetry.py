"""Shifts and symmetry measurements: is f(T(x)) equal to T(f(x)), and where not?

- `shift()`: move the content of an image (or a stack of feature maps) by whole
  pixels, filling the vacated strip with zeros or wrapping it around.
- `equivariance_error()`: |f(T(x)) - T(f(x))| per column (or row), so that a
  plot against position shows which border band breaks equivariance.
- `shift_comparison()`: everything the shift explorer displays, for one setting.
- `rotate()`: rotate images about their centre, for the symmetries a
  convolution does not have.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from book.validation import direction_steps, whole_number

# Float32 rounding of a 3 x 3 dot product stays far below this; real
# disagreement at the border is far above it.
TOLERANCE = 1e-6


def _check_image(x: object, name: str = "x") -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() < 2:
        raise ValueError(
            f"{name} must have at least two axes (..., H, W), got {tuple(x.shape)}"
        )
    return x


def _axis(direction: str) -> int:
    """The tensor axis a direction moves along: -1 for columns, -2 for rows."""
    return -2 if direction_steps(direction)[0] else -1


def shift(
    x: torch.Tensor,
    amount: int,
    direction: str = "horizontal",
    *,
    circular: bool = False,
) -> torch.Tensor:
    """Move the last two axes' content `amount` pixels right or down (negative: back).

    The strip the content leaves is filled with zeros, or with what fell off the
    other side when `circular` is true.

    >>> shift(torch.tensor([[1, 2, 3, 4]]), 1)
    tensor([[0, 1, 2, 3]])
    >>> shift(torch.tensor([[1, 2, 3, 4]]), -1, circular=True)
    tensor([[2, 3, 4, 1]])
    """
    x = _check_image(x)
    axis = _axis(direction)
    size = x.shape[axis]
    amount = whole_number("amount", amount, -size)
    if amount > size:
        raise ValueError(
            f"amount must be at most {size}, the {direction} size of x, got {amount}"
        )
    moved = torch.roll(x, amount, dims=axis)
    if not circular:
        vacated = slice(0, amount) if amount >= 0 else slice(size + amount, size)
        index = [slice(None)] * x.dim()
        index[axis] = vacated
        moved[tuple(index)] = 0
    return moved


def equivariance_error(
    f: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    amount: int,
    direction: str = "horizontal",
    *,
    circular: bool = False,
    output_amount: int | None = None,
) -> torch.Tensor:
    """Largest |f(T(x)) - T(f(x))| in each column (horizontal) or row (vertical).

    T shifts by `amount` pixels in the input and by `output_amount` (default:
    the same) in the output, where a strided map is smaller. Returns a 1-D
    tensor with one value per output column or row: zero where f commutes
    with the shift.
    """
    x = _check_image(x)
    axis = _axis(direction)
    if output_amount is None:
        output_amount = amount
    with torch.no_grad():
        moved_then_mapped = f(shift(x, amount, direction, circular=circular))
        mapped_then_moved = shift(f(x), output_amount, direction, circular=circular)
    difference = (moved_then_mapped - mapped_then_moved).abs()
    # Reduce over every axis except the one the shift moves along.
    keep = difference.dim() + axis
    others = [d for d in range(difference.dim()) if d != keep]
    return difference.amax(dim=others) if others else difference


@dataclass
class ShiftComparison:
    """What the shift explorer shows for one shift, direction and comparison window."""

    amount: int
    direction: str
    shifted_input: torch.Tensor
    moved_then_mapped: torch.Tensor
    mapped_then_moved: torch.Tensor
    difference: torch.Tensor
    margin: int
    equal_inside: bool
    equal_everywhere: bool

    @property
    def spoiled(self) -> int:
        """How many pixels of the map differ between the two orders."""
        return int((self.difference > TOLERANCE).sum())


def _check_comparison(
    x: torch.Tensor, kernel: torch.Tensor, margin: int
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """A 2-D image, an odd-sided 2-D kernel and a margin that leaves a window."""
    x, kernel = _check_image(x), _check_image(kernel, "kernel")
    if x.dim() != 2 or kernel.dim() != 2:
        raise ValueError(
            f"x and kernel must be 2-D, got {tuple(x.shape)} and {tuple(kernel.shape)}"
        )
    if kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(
            f"kernel sides must be odd so that padding keeps the size, "
            f"got {tuple(kernel.shape)}"
        )
    margin = whole_number("margin", margin, 0)
    if 2 * margin >= min(x.shape):
        raise ValueError(
            f"margin {margin} leaves no window inside a {x.shape[0]} x {x.shape[1]} "
            f"image: it must be below {math.ceil(min(x.shape) / 2)}"
        )
    return x, kernel, margin


def shift_comparison(
    x: torch.Tensor,
    kernel: torch.Tensor,
    amount: int,
    direction: str = "horizontal",
    *,
    margin: int = 0,
    bias: float = 0.0,
) -> ShiftComparison:
    """Compare conv(shift(x)) with shift(conv(x)) for a 2-D image and kernel.

    The convolution keeps the image size (zero padding of half the kernel);
    `margin` pixels along every border are left out of the comparison window.

    >>> result = shift_comparison(torch.ones(6, 6), torch.ones(3, 3), 1, margin=2)
    >>> result.equal_inside, result.equal_everywhere
    (True, False)
    """
    x, kernel, margin = _check_comparison(x, kernel, margin)
    padding = (kernel.shape[0] // 2, kernel.shape[1] // 2)

    def conv(image: torch.Tensor) -> torch.Tensor:
        y = F.conv2d(image[None, None], kernel[None, None], padding=padding)
        return y[0, 0] + bias

    shifted = shift(x, amount, direction)
    moved_then_mapped = conv(shifted)
    mapped_then_moved = shift(conv(x), amount, direction)
    difference = (moved_then_mapped - mapped_then_moved).abs()
    height, width = x.shape
    inside = difference[margin : height - margin, margin : width - margin]
    return ShiftComparison(
        amount=amount,
        direction=direction,
        shifted_input=shifted,
        moved_then_mapped=moved_then_mapped,
        mapped_then_moved=mapped_then_moved,
        difference=difference,
        margin=margin,
        equal_inside=bool((inside <= TOLERANCE).all()),
        equal_everywhere=bool((difference <= TOLERANCE).all()),
    )


def rotate(images: torch.Tensor, degrees: float) -> torch.Tensor:
    """Rotate (N, C, H, W) images anticlockwise about their centre, bilinear, zero fill.

    >>> x = torch.zeros(1, 1, 3, 3); x[0, 0, 0, 1] = 1
    >>> rotate(x, 90)[0, 0].round().int().tolist()
    [[0, 0, 0], [1, 0, 0], [0, 0, 0]]
    """
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        shape = getattr(images, "shape", type(images).__name__)
        raise ValueError(f"images must be a tensor of shape (N, C, H, W), got {shape}")
    if isinstance(degrees, bool) or not isinstance(degrees, int | float):
        raise TypeError(f"degrees must be a number, got {degrees!r}")
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    # affine_grid maps output coordinates to input ones, with y pointing down:
    # this matrix turns the picture anticlockwise as seen on screen.
    theta = torch.tensor([[cos, -sin, 0.0], [sin, cos, 0.0]], dtype=images.dtype)
    grid = F.affine_grid(
        theta.expand(len(images), 2, 3), list(images.shape), align_corners=False
    )
    return F.grid_sample(images, grid, mode="bilinear", align_corners=False)
