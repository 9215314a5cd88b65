"""argparse value types shared by the parsers: numbers with a clear message when wrong."""

from __future__ import annotations

import argparse
import math

__all__ = ["non_negative_float", "port", "positive_float", "positive_int", "whole"]


def _int_at_least(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {text!r}")
    return value


def whole(text: str) -> int:
    """0, 1, 2, ..."""
    return _int_at_least(text, 0)


def positive_int(text: str) -> int:
    """1, 2, 3, ..."""
    return _int_at_least(text, 1)


def port(text: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    value = _int_at_least(text, 0)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return value
