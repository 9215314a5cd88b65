"""Cursors: opaque, storable strings that say where a listing goes on."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from telephony._errors import ValidationError

__all__ = ["decode_cursor", "encode_cursor"]

_VERSION = 1


def encode_cursor(provider: str, state: dict[str, Any]) -> str:
    payload = json.dumps({"v": _VERSION, "p": provider, **state}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(provider: str, cursor: str) -> dict[str, Any]:
    """The state ``encode_cursor`` stored; ValidationError for anything else."""
    if not isinstance(cursor, str) or not cursor:
        raise ValidationError("must be a cursor string from Page.next_cursor", field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        state = json.loads(raw)
    except (binascii.Error, ValueError):
        raise ValidationError("is not a cursor made by this library", field="cursor") from None
    if not isinstance(state, dict) or state.get("v") != _VERSION:
        raise ValidationError("is not a cursor made by this library", field="cursor")
    if state.get("p") != provider:
        raise ValidationError(
            f"was made for provider {state.get('p')!r}, not {provider!r}", field="cursor"
        )
    return state
