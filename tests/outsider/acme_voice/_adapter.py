"""The Acme Voice adapter: JSON over HTTP, an API key header, ``after``-id paging."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Generator
from typing import Any, ClassVar

import httpx

from telephony.toolkit import (
    Adapter,
    Call,
    CallFilter,
    CallStatus,
    Capabilities,
    Direction,
    Flow,
    MalformedResponseError,
    NewCall,
    Page,
    RetryMode,
    ValidationError,
    body_text,
    check_method,
    check_url,
    decode_cursor,
    encode_cursor,
    parse_iso,
    provider_error,
    with_retry_mode,
)
from tests.outsider.acme_voice._provider import ACME, API_KEY_HEADER, DEFAULT_BASE_URL

__all__ = ["AcmeAdapter"]

_NUMBER = re.compile(r"\+[1-9][0-9]{1,14}")
_LIVE = {"queued": CallStatus.QUEUED, "ringing": CallStatus.RINGING, "live": CallStatus.IN_PROGRESS}
_DIRECTIONS = {"inbound": Direction.INBOUND, "outbound": Direction.OUTBOUND_API}


class _KeyAuth(httpx.Auth):
    def __init__(self, key: str) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "KeyAuth()"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[API_KEY_HEADER] = self._key
        yield request


def _status(record: dict[str, Any]) -> CallStatus:
    state = record.get("state")
    if state in _LIVE:
        return _LIVE[state]
    if state == "ended":
        try:
            return CallStatus(str(record.get("outcome")))
        except ValueError:
            return CallStatus.FAILED
    return CallStatus.UNKNOWN


class AcmeAdapter(Adapter):
    name: ClassVar[str] = ACME.name
    capabilities: ClassVar[Capabilities] = ACME.capabilities

    def __init__(self, *, tenant_id: str, api_key: str, base_url: str = DEFAULT_BASE_URL) -> None:
        if not isinstance(tenant_id, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", tenant_id):
            raise ValidationError("must be your Acme tenant id", field="tenant_id")
        if not isinstance(api_key, str) or not api_key:
            raise ValidationError("must be your Acme API key", field="api_key")
        check_url(base_url, "base_url")
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        self.auth = _KeyAuth(api_key)
        self._calls = self.base_url.join(f"tenants/{tenant_id}/calls")

    def _url(self, *parts: str) -> httpx.URL:
        return self._calls.copy_with(path="/".join([self._calls.path, *parts]))

    def _answer(self, response: httpx.Response, *ok: int) -> Any:
        if response.status_code not in ok:
            message = None
            with contextlib.suppress(ValueError, KeyError, TypeError):
                message = json.loads(response.content)["error"]["message"]
            raise provider_error(response, provider=self.name, message=message)
        if response.status_code == 204:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise MalformedResponseError(
                "answer is not JSON",
                provider=self.name,
                status_code=response.status_code,
                body=body_text(response),
            ) from None

    def _call(self, record: dict[str, Any], response: httpx.Response) -> Call:
        try:
            answered, ended = parse_iso(record.get("answeredAt")), parse_iso(record.get("endedAt"))
            created = parse_iso(record["createdAt"])
            return Call(
                provider=self.name,
                id=record["id"],
                account_id=record.get("tenantId"),
                from_=record["from"],
                to=record["to"],
                status=_status(record),
                vendor_status=str(record.get("outcome") or record.get("state")),
                direction=_DIRECTIONS.get(record.get("direction", ""), Direction.UNKNOWN),
                created_at=created,
                started_at=created,
                answered_at=answered,
                ended_at=ended,
                duration=ended - answered if answered and ended else None,
                raw=record,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponseError(
                f"unreadable call record ({type(exc).__name__})",
                provider=self.name,
                status_code=response.status_code,
                body=body_text(response),
            ) from None

    def create_call(self, new_call: NewCall) -> Flow[Call]:
        for field in ("to", "from_"):
            if not _NUMBER.fullmatch(getattr(new_call, field)):
                raise ValidationError("must be an E.164 number", field=field)
        if new_call.options is not None:
            raise ValidationError("Acme takes no options", field="options")
        body = {"to": new_call.to, "from": new_call.from_, "answerUrl": new_call.answer_url}
        request = httpx.Request("POST", self._calls, json=body)
        return self._one(with_retry_mode(request, RetryMode.CREATE), 201)

    def _one(self, request: httpx.Request, ok: int) -> Flow[Call]:
        response = yield request
        return self._call(self._answer(response, ok), response)

    def get_call(self, call_id: str) -> Flow[Call]:
        return self._one(httpx.Request("GET", self._url(call_id)), 200)

    def _action(self, call_id: str, body: dict[str, str]) -> Flow[None]:
        request = httpx.Request("POST", self._url(call_id, "actions"), json=body)
        self._answer((yield with_retry_mode(request, RetryMode.UPDATE)), 204)

    def hangup(self, call_id: str) -> Flow[None]:
        return self._action(call_id, {"action": "hangup"})

    def redirect(self, call_id: str, url: str, *, method: str = "POST") -> Flow[None]:
        check_url(url, "url")
        check_method(method, "method")
        return self._action(call_id, {"action": "redirect", "url": url, "method": method})

    def get_page(
        self, *, cursor: str | None, page_size: int | None, filters: CallFilter
    ) -> Flow[Page[Call]]:
        if cursor is None:
            size = 20 if page_size is None else page_size
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 100:
                raise ValidationError("must be a whole number from 1 to 100", field="page_size")
            return self._page(None, size, filters)
        state = decode_cursor(self.name, cursor)
        after, stored = state.get("a"), state.get("s")
        if not isinstance(after, str) or not isinstance(stored, int):
            raise ValidationError("is not an Acme cursor", field="cursor")
        return self._page(after, stored, CallFilter.from_json(state.get("f", {})))

    def _page(self, after: str | None, size: int, filters: CallFilter) -> Flow[Page[Call]]:
        params = {"pageSize": str(size), **({"after": after} if after else {})}
        response = yield httpx.Request("GET", self._calls.copy_with(params=params))
        data = self._answer(response, 200)
        if not isinstance(data, dict) or not isinstance(data.get("calls"), list):
            raise MalformedResponseError("no calls list", provider=self.name)
        calls = [self._call(record, response) for record in data["calls"]]
        following = data.get("nextAfter")
        cursor = None
        if isinstance(following, str) and following and calls:
            cursor = encode_cursor(self.name, {"a": following, "s": size, "f": filters.to_json()})
        return Page(items=[c for c in calls if filters.matches(c)], next_cursor=cursor)
