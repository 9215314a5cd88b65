"""Bandwidth's JSON shapes (spec: bandwidth-calls.yml) and the converter that reads and
writes them in camelCase. The neutral model never sees these names."""

from __future__ import annotations

from typing import Any

import attrs
import cattrs

from telephony.toolkit import register_renames

__all__ = [
    "CallState",
    "CreateCallBody",
    "CreateCallResponse",
    "MachineDetection",
    "UpdateCallBody",
    "VoiceApiError",
    "make_converter",
]


def camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part.title() for part in rest)


@attrs.frozen(kw_only=True)
class MachineDetection:
    """Answering-machine detection settings for a new call (``machineDetection``)."""

    mode: str | None = None  # "sync" | "async"
    detection_timeout: float | None = None
    silence_timeout: float | None = None
    speech_threshold: float | None = None
    speech_end_threshold: float | None = None
    machine_speech_end_threshold: float | None = None
    delay_result: bool | None = None
    callback_url: str | None = None
    callback_method: str | None = None
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    fallback_url: str | None = None
    fallback_method: str | None = None
    fallback_username: str | None = None
    fallback_password: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class CreateCallBody:
    to: str
    from_: str
    application_id: str
    answer_url: str
    answer_method: str | None = None
    answer_fallback_url: str | None = None
    answer_fallback_method: str | None = None
    disconnect_url: str | None = None
    disconnect_method: str | None = None
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    fallback_username: str | None = None
    fallback_password: str | None = attrs.field(default=None, repr=False)
    call_timeout: float | None = None
    callback_timeout: float | None = None
    machine_detection: MachineDetection | None = None
    priority: int | None = None
    tag: str | None = None
    display_name: str | None = None
    privacy: bool | None = None
    uui: str | None = None


@attrs.frozen(kw_only=True)
class UpdateCallBody:
    state: str | None = None
    redirect_url: str | None = None
    redirect_method: str | None = None


@attrs.frozen(kw_only=True)
class CreateCallResponse:
    application_id: str
    account_id: str
    call_id: str
    to: str
    from_: str
    call_url: str
    answer_url: str
    answer_method: str | None = None
    disconnect_method: str | None = None
    enqueued_time: str | None = None
    call_timeout: float | None = None
    callback_timeout: float | None = None
    tag: str | None = None
    answer_fallback_method: str | None = None
    answer_fallback_url: str | None = None
    disconnect_url: str | None = None
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    fallback_username: str | None = None
    fallback_password: str | None = attrs.field(default=None, repr=False)
    priority: int | None = None


@attrs.frozen(kw_only=True)
class CallState:
    """The ``callState`` schema. Listing does not build these (it goes straight to ``Call``);
    contract tests structure recordings through it with extra keys forbidden."""

    application_id: str | None = None
    account_id: str | None = None
    call_id: str | None = None
    parent_call_id: str | None = None
    to: str | None = None
    from_: str | None = None
    direction: str | None = None
    state: str | None = None
    stir_shaken: dict[str, str] | None = None
    identity: str | None = None
    enqueued_time: str | None = None
    start_time: str | None = None
    answer_time: str | None = None
    end_time: str | None = None
    disconnect_cause: str | None = None
    error_message: str | None = None
    error_id: str | None = None
    last_update: str | None = None


@attrs.frozen(kw_only=True)
class VoiceApiError:
    type: str | None = None
    description: str | None = None
    id: str | None = None


def _structure_str(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def make_converter(*, forbid_extra_keys: bool = False) -> cattrs.Converter:
    """Bandwidth's converter: camelCase on the wire, None fields left out of requests."""
    converter = cattrs.Converter(forbid_extra_keys=forbid_extra_keys)
    # cattrs' own str hook is str(value): a null or a number would become 'None' or '42'.
    converter.register_structure_hook(str, _structure_str)

    register_renames(converter, lambda a: camel(a.name), forbid_extra_keys=forbid_extra_keys)
    return converter
