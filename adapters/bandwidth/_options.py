"""Bandwidth-only create options and the checks the spec allows before sending."""

from __future__ import annotations

import re
from typing import Any

import attrs
import cattrs

from telephony.adapters.bandwidth._wire import CreateCallBody, MachineDetection
from telephony.toolkit import NewCall, ValidationError, check_method, check_url

__all__ = ["BandwidthOptions", "check_flag", "check_len", "check_range", "create_call_body"]

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
SIP_URI = re.compile(r"sips?:[^\s@]+@[^\s@]+")


def check_len(value: str | None, limit: int, field: str) -> None:
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        raise ValidationError(f"must be a string of at most {limit} characters", field=field)


def check_range(value: float | None, low: float, high: float, field: str, *, whole: bool) -> None:
    if value is None:
        return
    kind = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        what = "a whole number" if whole else "a number"
        raise ValidationError(f"must be {what} from {low:g} to {high:g}", field=field)


def check_flag(value: object, field: str) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError("must be True, False or None", field=field)


# machineDetection's timings have no documented bound; an hour is far beyond any of them.
_DETECTION_SECONDS = (
    "detection_timeout",
    "silence_timeout",
    "speech_threshold",
    "speech_end_threshold",
    "machine_speech_end_threshold",
)


def _check_detection(detection: object) -> None:
    if not isinstance(detection, MachineDetection):
        raise ValidationError(
            "must be a telephony.adapters.bandwidth.MachineDetection", field="machine_detection"
        )
    if detection.mode not in (None, "sync", "async"):
        raise ValidationError("must be 'sync' or 'async'", field="machine_detection.mode")
    for name in _DETECTION_SECONDS:
        check_range(getattr(detection, name), 0, 3600, f"machine_detection.{name}", whole=False)
    check_flag(detection.delay_result, "machine_detection.delay_result")
    for name in ("callback_url", "fallback_url"):
        check_url(getattr(detection, name), f"machine_detection.{name}")
        check_len(getattr(detection, name), 2048, f"machine_detection.{name}")
    check_method(detection.callback_method, "machine_detection.callback_method")
    check_method(detection.fallback_method, "machine_detection.fallback_method")
    for name in ("username", "password", "fallback_username", "fallback_password"):
        check_len(getattr(detection, name), 1024, f"machine_detection.{name}")


@attrs.frozen(kw_only=True)
class BandwidthOptions:
    """Bandwidth-only settings for ``NewCall(options=...)``.

    ``application_id`` overrides the client's default. ``username``/``password`` are the
    Basic credentials Bandwidth presents to your answer URL (and the ``fallback_`` pair to
    the fallback URL); they are never shown in a repr.
    """

    application_id: str | None = None
    priority: int | None = None
    tag: str | None = None
    display_name: str | None = None
    privacy: bool | None = None
    uui: str | None = None
    callback_timeout: float | None = None
    machine_detection: MachineDetection | None = None
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    fallback_username: str | None = None
    fallback_password: str | None = attrs.field(default=None, repr=False)


def create_call_body(
    new_call: NewCall, *, default_application_id: str | None, converter: cattrs.Converter
) -> dict[str, Any]:
    """The createCall JSON for ``new_call``, after every check the spec allows before
    sending (ValidationError naming the field)."""
    options = new_call.options
    if options is None:
        options = BandwidthOptions()
    elif not isinstance(options, BandwidthOptions):
        raise ValidationError(
            f"Bandwidth takes BandwidthOptions, not {type(options).__name__}",
            field="options",
        )
    if not E164.fullmatch(new_call.to) and not SIP_URI.fullmatch(new_call.to):
        raise ValidationError("must be an E.164 number (+15551234567) or a SIP URI", field="to")
    if not E164.fullmatch(new_call.from_):
        raise ValidationError("must be an E.164 number (+15551234567)", field="from_")
    check_len(options.application_id, 256, "application_id")
    application_id = options.application_id or default_application_id
    if not application_id:
        raise ValidationError(
            "Bandwidth needs an application id: connect(..., application_id=...) or "
            "BandwidthOptions(application_id=...)",
            field="application_id",
        )
    for field in ("answer_url", "fallback_url", "status_callback_url"):
        check_len(getattr(new_call, field), 2048, field)
    check_range(new_call.ring_timeout, 1, 300, "ring_timeout", whole=False)
    check_range(options.callback_timeout, 1, 25, "callback_timeout", whole=False)
    check_range(options.priority, 1, 5, "priority", whole=True)
    check_len(options.tag, 4096, "tag")
    check_len(options.display_name, 256, "display_name")
    check_len(options.uui, 350, "uui")
    check_flag(options.privacy, "privacy")
    for field in ("username", "password", "fallback_username", "fallback_password"):
        check_len(getattr(options, field), 1024, field)
    detection = options.machine_detection
    if detection is not None:
        _check_detection(detection)
    body = CreateCallBody(
        to=new_call.to,
        from_=new_call.from_,
        application_id=application_id,
        answer_url=new_call.answer_url,
        answer_method=new_call.answer_method,
        answer_fallback_url=new_call.fallback_url,
        answer_fallback_method=new_call.fallback_method,
        disconnect_url=new_call.status_callback_url,
        disconnect_method=new_call.status_callback_method,
        call_timeout=new_call.ring_timeout,
        callback_timeout=options.callback_timeout,
        machine_detection=detection,
        priority=options.priority,
        tag=options.tag,
        display_name=options.display_name,
        privacy=options.privacy,
        uui=options.uui,
        username=options.username,
        password=options.password,
        fallback_username=options.fallback_username,
        fallback_password=options.fallback_password,
    )
    result: dict[str, Any] = converter.unstructure(body)
    return result
