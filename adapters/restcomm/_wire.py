"""Restcomm's wire shapes (the ``Call`` XML element, the create and modify forms) and the
converter that reads and writes them in Restcomm's PascalCase. The neutral model never sees
these names.

Listing does not build ``CallRecord`` objects (``_normalize`` goes straight to ``Call``); the
record class is the schema: tests structure every fixture through it with extra keys forbidden,
so a field the server sends and this adapter does not know about shows up.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
import cattrs

from telephony.toolkit import parse_datetime, register_renames

__all__ = [
    "CallRecord",
    "CreateCallForm",
    "ModifyCallForm",
    "SubresourceUris",
    "make_converter",
    "pascal",
]

# Restcomm's Java writes most names in PascalCase, but not all: these keep their own spelling.
_WIRE_NAME = "restcomm_wire_name"


def pascal(name: str) -> str:
    """``date_created`` -> ``DateCreated``, ``from_`` -> ``From``."""
    return "".join(part[:1].upper() + part[1:] for part in name.rstrip("_").split("_"))


def wire_name(field: attrs.Attribute[Any]) -> str:
    named = field.metadata.get(_WIRE_NAME)
    return named if isinstance(named, str) else pascal(field.name)


@attrs.frozen(kw_only=True)
class SubresourceUris:
    notifications: str | None = None
    recordings: str | None = None


@attrs.frozen(kw_only=True)
class CallRecord:
    """One ``<Call>`` element, in the server's field order. Empty elements are None."""

    sid: str
    instance_id: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    parent_call_sid: str | None = None
    account_sid: str | None = None
    to: str | None = None
    from_: str | None = None
    phone_number_sid: str | None = None
    status: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    price: Decimal | None = None
    price_unit: str | None = None
    direction: str | None = None
    answered_by: str | None = None
    api_version: str | None = None
    forwarded_from: str | None = None
    caller_name: str | None = None
    uri: str | None = None
    subresource_uris: SubresourceUris | None = None
    ring_duration: int | None = attrs.field(default=None, metadata={_WIRE_NAME: "Ring_duration"})


@attrs.frozen(kw_only=True)
class CreateCallForm:
    """``POST .../Calls`` (form-encoded). ``password`` is the SIP password: never shown."""

    from_: str
    to: str
    url: str
    method: str | None = None
    fallback_url: str | None = None
    fallback_method: str | None = None
    status_callback: str | None = None
    status_callback_method: str | None = None
    status_callback_event: str | None = None
    timeout: int | None = None
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class ModifyCallForm:
    """``POST .../Calls/{CallSid}`` (form-encoded): live call modification."""

    url: str | None = None
    method: str | None = None
    status: str | None = None
    fallback_url: str | None = None
    fallback_method: str | None = None
    status_callback: str | None = None
    status_callback_method: str | None = None
    move_connected_call_leg: bool | None = None
    mute: bool | None = None


def _structure_datetime(value: Any, _type: Any) -> datetime | None:
    if value is None or value == "null":
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {type(value).__name__}")
    return parse_datetime(value)


def _structure_decimal(value: Any, _type: Any) -> Decimal:
    if not isinstance(value, str | int):
        raise TypeError(f"expected decimal text, got {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal: {value!r}") from None


def _structure_int(value: Any, _type: Any) -> int:
    # XML gives text; int() of a dict or of "6.5" must fail rather than guess.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"expected whole-number text, got {type(value).__name__}")
    return int(value)


def _structure_str(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def make_converter(*, forbid_extra_keys: bool = False) -> cattrs.Converter:
    """Restcomm's converter: PascalCase names (``Ring_duration`` as the server spells it);
    form values as the text Restcomm expects (``true``/``false``, whole seconds); None fields
    left out of requests."""
    converter = cattrs.Converter(forbid_extra_keys=forbid_extra_keys)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(str, _structure_str)
    converter.register_unstructure_hook(bool, lambda value: "true" if value else "false")
    converter.register_unstructure_hook(int, str)

    register_renames(converter, wire_name, forbid_extra_keys=forbid_extra_keys)
    return converter
