"""Noticing a listing that goes round in circles, with a few fields of cursor state.

A server that ignores the page number, or whose next link points back at a page already
read, would keep a listing going for ever. Every page's call ids are hashed into a short
fingerprint, and Brent's cycle detection compares it with one saved fingerprint, moved at
powers of two: a repeating run of pages (of any length) is noticed within about three times
(the pages before it + its length) requests, and the cursor stays the same size whatever the
listing's length. Two different pages never share a fingerprint in practice (64-bit hash of
every id in order), so an honest server is never taken for a looping one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import attrs

from telephony._errors import ListingLoopError, ValidationError

__all__ = ["PageTrail", "fingerprint"]


def fingerprint(ids: Iterable[str]) -> str:
    # Any str, even one a JSON answer made with a lone surrogate: never an encoding error.
    text = "\n".join(ids).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


@attrs.frozen
class PageTrail:
    """Brent's state: the saved fingerprint, the current power of two, steps since saved."""

    saved: str | None = None
    power: int = 1
    steps: int = 0

    def after(self, ids: Iterable[str], *, provider: str) -> PageTrail:
        """The trail once a page holding ``ids`` (in order) has been read; ListingLoopError
        if that page was read already."""
        mark = fingerprint(ids)
        if mark == self.saved:
            raise ListingLoopError(
                "the server answered a page this listing had already read (it ignores the "
                "page asked for, or its next link points back): stopped instead of looping",
                provider=provider,
            )
        steps = self.steps + 1
        if steps == self.power:
            return PageTrail(mark, self.power * 2, 0)
        return PageTrail(self.saved, self.power, steps)

    def to_json(self) -> list[Any]:
        return [self.saved, self.power, self.steps]

    @classmethod
    def from_json(cls, value: Any) -> PageTrail:
        """The trail a cursor stored (none in cursors made before it existed)."""
        if value is None:
            return cls()
        if (
            isinstance(value, list)
            and len(value) == 3
            and (value[0] is None or (isinstance(value[0], str) and len(value[0]) == 16))
            and all(type(n) is int for n in value[1:])
            and 1 <= value[1] <= 2**40
            and 0 <= value[2] < value[1]
        ):
            return cls(value[0], value[1], value[2])
        raise ValidationError("is not a cursor made by this library", field="cursor")
