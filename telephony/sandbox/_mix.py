"""Deterministic numbers and call ids from (seed, index): no stored state, no random module.

A call's id encodes its position in its account's ledger through an invertible scramble,
so the sandbox finds any of a million seeded calls from its id alone.
"""

from __future__ import annotations

import struct

__all__ = ["MASK", "IdCodec", "mix64", "unit"]

MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_ODD_A = 0xD6E8FEB86659FD93
_ODD_B = 0xA0761D6478BD642F
_INV_A = pow(_ODD_A, -1, 1 << 64)
_PACK = struct.Struct(">QQI").pack


def mix64(value: int) -> int:
    """A well spread 64-bit hash of ``value`` (multiply, xor-shift, twice): cheap, because
    the sandbox hashes a few times for each of up to millions of seeded calls."""
    z = (value * _GOLDEN + 0xBF58476D1CE4E5B9) & MASK
    z ^= z >> 32
    z = (z * _ODD_A) & MASK
    return z ^ (z >> 29)


def unit(value: int) -> float:
    """A float in [0, 1) from the top 53 bits of a 64-bit hash."""
    return (value >> 11) * (1.0 / (1 << 53))


class IdCodec:
    """Turns a ledger position into opaque-looking hex and back.

    ``encode(n)`` is 16 hex digits of a keyed bijection of ``n`` followed by ``check_digits``
    hex digits of a keyed hash, so a made-up id is recognised as unknown.
    """

    def __init__(self, key: int, *, check_digits: int) -> None:
        if not 1 <= check_digits <= 24:
            raise ValueError("check_digits must be 1..24")
        self._key = key & MASK
        self._check_key = mix64(key ^ 0x5A5A5A5A5A5A5A5A)
        self._check_digits = check_digits

    def _scramble(self, n: int) -> int:
        x = (n * _ODD_A + self._key) & MASK
        return x ^ (x >> 32)

    def _unscramble(self, x: int) -> int:
        x ^= x >> 32
        return ((x - self._key) * _INV_A) & MASK

    def _check(self, scrambled: int) -> str:
        check = mix64(scrambled ^ self._check_key)
        more = (check * _ODD_B) >> 32 & 0xFFFFFFFF  # a few more digits, derived cheaply
        return f"{check:016x}{more:08x}"[: self._check_digits]

    def encode(self, n: int) -> str:
        # _scramble and _check with mix64 written out: every listed call's id comes from here.
        x = (n * _ODD_A + self._key) & MASK
        scrambled = x ^ (x >> 32)
        z = ((scrambled ^ self._check_key) * _GOLDEN + 0xBF58476D1CE4E5B9) & MASK
        z ^= z >> 32
        z = (z * _ODD_A) & MASK
        check = z ^ (z >> 29)
        more = (check * _ODD_B) >> 32 & 0xFFFFFFFF
        # = f"{scrambled:016x}{check:016x}{more:08x}", three times faster.
        return _PACK(scrambled, check, more).hex()[: 16 + self._check_digits]

    def decode(self, text: str) -> int | None:
        """The position ``text`` encodes, or None when it is not one of ours."""
        if len(text) != 16 + self._check_digits:
            return None
        try:
            scrambled = int(text[:16], 16)
        except ValueError:
            return None
        if text[16:].lower() != self._check(scrambled) or text[:16] != text[:16].lower():
            return None
        return self._unscramble(scrambled)
