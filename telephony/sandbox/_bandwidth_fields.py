"""What a Bandwidth create-call or update-call body must hold, checked the way the API
checks it before it does anything: a bad field is a 400 ``validation`` error whose
description names it (``InvalidRequestError`` carries that text). Apart from the handlers in
``_bandwidth.py``, which only read the fields these checks let through.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["InvalidRequestError", "create_fields", "update_state"]

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SIP_URI = re.compile(r"sips?:[^\s@]+@[^\s@]+")


class InvalidRequestError(Exception):
    """A request the API refuses with 400."""


def _url(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise InvalidRequestError(f"'{name}' is required.")
        return None
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value):
        raise InvalidRequestError(f"Invalid {name}: only http and https are allowed.")
    if len(value) > 2048:
        raise InvalidRequestError(f"Invalid {name}: longer than 2048 characters.")
    return value


def _text(body: dict[str, Any], name: str, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidRequestError(f"'{name}' must be a string of at most {limit} characters.")
    return value


def _method(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return "POST"
    if value not in ("GET", "POST"):
        raise InvalidRequestError(f"'{name}' must be GET or POST.")
    return str(value)


def _number(body: dict[str, Any], name: str, low: float, high: float, default: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidRequestError(f"'{name}' must be a number from {low:g} to {high:g}.")
    return float(value)


def create_fields(body: dict[str, Any], *, application_id: str) -> dict[str, Any]:
    """The fields of a create-call body, defaults filled in (callback URLs, methods,
    credentials, timeouts, priority)."""
    for name in ("to", "from", "applicationId", "answerUrl"):
        if body.get(name) is None:
            raise InvalidRequestError(f"'{name}' is required.")
    to, from_ = body["to"], body["from"]
    if not isinstance(to, str) or not (_E164.fullmatch(to) or _SIP_URI.fullmatch(to)):
        raise InvalidRequestError(f"'to' must be an E.164 number or a SIP URI, not {to!r}.")
    if not isinstance(from_, str) or not _E164.fullmatch(from_):
        raise InvalidRequestError(f"'from' must be an E.164 number, not {from_!r}.")
    if body["applicationId"] != application_id:
        raise InvalidRequestError(f"Application {body['applicationId']!r} was not found.")
    priority = body.get("priority")
    if priority is not None and (
        isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 5
    ):
        raise InvalidRequestError("'priority' must be a whole number from 1 to 5.")
    privacy = body.get("privacy")
    if privacy is not None and not isinstance(privacy, bool):
        raise InvalidRequestError("'privacy' must be true or false.")
    _text(body, "displayName", 256)
    _text(body, "uui", 350)
    detection = body.get("machineDetection")
    if detection is not None:
        if not isinstance(detection, dict):
            raise InvalidRequestError("'machineDetection' must be an object.")
        if detection.get("mode") not in (None, "sync", "async"):
            raise InvalidRequestError("'machineDetection.mode' must be sync or async.")
        _url(detection, "callbackUrl")
        _url(detection, "fallbackUrl")
    call_timeout = _number(body, "callTimeout", 1, 300, 30)
    callback_timeout = _number(body, "callbackTimeout", 1, 25, 15)
    return {
        "to": to,
        "from": from_,
        "applicationId": body["applicationId"],
        "answerUrl": _url(body, "answerUrl", required=True),
        "answerMethod": _method(body, "answerMethod"),
        "answerFallbackUrl": _url(body, "answerFallbackUrl"),
        "answerFallbackMethod": _method(body, "answerFallbackMethod"),
        "disconnectUrl": _url(body, "disconnectUrl"),
        "disconnectMethod": _method(body, "disconnectMethod"),
        "callTimeout": call_timeout,
        "callbackTimeout": callback_timeout,
        "tag": _text(body, "tag", 4096),
        "username": _text(body, "username", 1024),
        "password": _text(body, "password", 1024),
        "fallbackUsername": _text(body, "fallbackUsername", 1024),
        "fallbackPassword": _text(body, "fallbackPassword", 1024),
        "priority": priority if priority is not None else 5,
    }


def update_state(body: dict[str, Any]) -> str:
    """The state an update-call body asks for, ``active`` (a redirect) or ``completed`` (a
    hang-up), once its other fields are checked against it."""
    state = body.get("state")
    if state is None:
        state = "active"
    if state not in ("active", "completed"):
        raise InvalidRequestError("'state' must be active or completed.")
    if state == "completed":
        for name in ("redirectUrl", "redirectFallbackUrl", "tag"):
            if body.get(name) is not None:
                raise InvalidRequestError(f"'{name}' is not allowed when state is completed.")
        # The official SDK sends the methods' defaults with every update, hang-ups
        # included, and the server takes them: only their values are checked.
        _method(body, "redirectMethod")
        _method(body, "redirectFallbackMethod")
    else:
        _url(body, "redirectUrl", required=True)
        _url(body, "redirectFallbackUrl")
        _method(body, "redirectMethod")
        _method(body, "redirectFallbackMethod")
        _text(body, "tag", 4096)
    for name in ("username", "password", "fallbackUsername", "fallbackPassword"):
        _text(body, name, 1024)
    return "completed" if state == "completed" else "active"
