"""Argument checks shared by the helpers: errors that name the value and the rule."""

from __future__ import annotations

from numbers import Integral

# The two ways an image moves: (row step, column step) of a one-pixel move.
DIRECTIONS = {"horizontal": (0, 1), "vertical": (1, 0)}


def whole_number(name: str, value: object, minimum: int) -> int:
    """Return `value` as an int, or raise naming it and the rule `>= minimum`."""
    # bool is an Integral in Python, but `stride=True` is always a mistake.
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"{name} must be an int, got {value!r} of type {type(value).__name__}"
        )
    if value < minimum:
        rule = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{name} must be {rule}, got {value}")
    return int(value)


def int_pair(name: str, value: object, minimum: int) -> tuple[int, int]:
    """Return `value` as a (height, width) pair of validated ints."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be an int or a pair (height, width), got {value!r}"
            )
        return (
            whole_number(f"{name}[0]", value[0], minimum),
            whole_number(f"{name}[1]", value[1], minimum),
        )
    size = whole_number(name, value, minimum)
    return size, size


def direction_steps(direction: object) -> tuple[int, int]:
    """(row step, column step) of a one-pixel move in `direction`, or a ValueError.

    >>> direction_steps("vertical")
    (1, 0)
    """
    if direction not in DIRECTIONS:
        raise ValueError(
            f"direction must be one of {tuple(DIRECTIONS)}, got {direction!r}"
        )
    return DIRECTIONS[direction]
