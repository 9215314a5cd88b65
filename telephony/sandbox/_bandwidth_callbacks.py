"""Bandwidth's call-event webhooks for calls created through the sandbox, as
reference/bandwidth-callbacks.md describes them.

An outbound call sends ``answer`` to its ``answerUrl`` when the callee answers and
``disconnect`` to its ``disconnectUrl`` (if one was given) when it ends; there is no ringing
event. Each is one JSON object (``POST``) or the same properties in the query (when the
``*Method`` is GET), with the call's ``username``/``password`` as pre-emptive Basic
credentials. Fields follow the spec's ``answerCallback`` and ``disconnectCallback``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from telephony.sandbox._calls import CallRecord
from telephony.sandbox._delivery import Callback

__all__ = ["BandwidthCallbacks"]


class BandwidthCallbacks:
    """The ``CallbackSide`` of the Bandwidth sandbox. ``create`` holds the create request's
    fields (``record.extra["create"]``)."""

    def __init__(
        self, *, account_id: str, call_url: Callable[[], str], iso: Callable[[float], str]
    ) -> None:
        self.account_id = account_id
        self.call_url = call_url  # ".../calls/" the call id is appended to (once serving)
        self.iso = iso

    def callbacks(self, record: CallRecord, now: float) -> list[Callback]:
        create = record.extra.get("create")
        if not isinstance(create, dict):
            return []  # not created with callback URLs (a seeded call)
        found: list[Callback] = []
        answer, end = record.answer, record.end
        if answer is not None and answer <= now and answer <= end and create.get("answerUrl"):
            found.append(self._callback(record, create, "answer", answer))
        if now >= end and create.get("disconnectUrl"):
            found.append(self._callback(record, create, "disconnect", end))
        return found

    def _fields(
        self, record: CallRecord, create: dict[str, Any], event: str, moment: float
    ) -> dict[str, Any]:
        answer = record.answer
        answered = answer is not None and answer <= record.end
        fields: dict[str, Any] = {
            "eventType": event,
            "eventTime": self.iso(moment),
            "accountId": self.account_id,
            "applicationId": create.get("applicationId"),
            "from": record.from_,
            "to": record.to,
            "direction": "outbound",
            "callId": record.id,
            "callUrl": self.call_url() + record.id,
            "enqueuedTime": self.iso(record.created),
            "startTime": self.iso(record.start if record.start is not None else record.created),
            "answerTime": self.iso(answer) if answered and answer is not None else None,
            "tag": create.get("tag"),
        }
        if event == "disconnect":
            fields["endTime"] = self.iso(record.end)
            fields["cause"] = record.cause
            if record.error:
                fields["errorMessage"], fields["errorId"] = record.error
        # Absent rather than null, as the examples show for fields that do not apply.
        return {key: value for key, value in fields.items() if value is not None}

    def _callback(
        self, record: CallRecord, create: dict[str, Any], event: str, moment: float
    ) -> Callback:
        prefix = "answer" if event == "answer" else "disconnect"
        url = create[f"{prefix}Url"]
        method = (create.get(f"{prefix}Method") or "POST").upper()
        fields = self._fields(record, create, event, moment)
        headers = [("User-Agent", "BandwidthAPI/v2")]
        username, password = create.get("username"), create.get("password")
        if username is not None and password is not None:
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            headers.append(("Authorization", f"Basic {token}"))
        if method == "GET":
            joiner = "&" if "?" in url else "?"
            return Callback(
                call_id=record.id,
                name=event,
                due=moment,
                method="GET",
                url=url + joiner + urlencode(fields),
                headers=headers,
            )
        headers.append(("Content-Type", "application/json"))
        return Callback(
            call_id=record.id,
            name=event,
            due=moment,
            method=method,
            url=url,
            headers=headers,
            body=json.dumps(fields).encode(),
        )
