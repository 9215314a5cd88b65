"""An in-memory provider for fast unit tests of code that uses telephony.

::

    fake = FakeProvider(outcomes={"+15550100002": CallStatus.BUSY})
    client = fake.connect()                    # or telephony.connect("fake", provider=fake)
    call = client.create_call(NewCall(...))    # QUEUED
    fake.finish()                              # every live call reaches its scripted outcome
    assert client.get_call(call.id).status is CallStatus.BUSY

The fake goes through the real ``Client`` machinery (requests, retries, errors, paging,
cursors) over an in-memory ``httpx.MockTransport``, so your code sees exactly the behaviour it
would see with a real provider, without a network.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from telephony._client import AsyncClient, Client
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
    ProviderInfo,
    RetryMode,
    ValidationError,
    check_url,
    decode_cursor,
    encode_cursor,
    provider_error,
    with_retry_mode,
)

__all__ = ["FAKE", "FakeAdapter", "FakeProvider"]

_BASE = httpx.URL("https://fake.telephony.invalid/")
_ADDRESS = re.compile(r"\+?[0-9]{2,15}|sips?:\S+@\S+|client:\w+")
_LIVE = (CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _json(status: int, body: Any = None, **headers: str) -> httpx.Response:
    return (
        httpx.Response(status, json=body, headers=headers)
        if body is not None
        else (httpx.Response(status, headers=headers))
    )


class FakeProvider:
    """The fake vendor: holds calls, answers requests, and lets a test script outcomes.

    ``outcomes`` maps a destination number to the status its calls end in (default
    ``default_outcome``); ``clock`` gives "now" (default: the real UTC time).
    """

    def __init__(
        self,
        *,
        outcomes: Mapping[str, CallStatus] | None = None,
        default_outcome: CallStatus = CallStatus.COMPLETED,
        talk_time: timedelta = timedelta(seconds=30),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.outcomes = dict(outcomes or {})
        self.default_outcome = default_outcome
        self.talk_time = talk_time
        self.clock = clock or (lambda: datetime.now(UTC))
        self.requests: list[httpx.Request] = []
        self._calls: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._failures: list[tuple[str | None, httpx.Response]] = []

    # -- scripting ---------------------------------------------------------------------------

    def script(self, to: str, outcome: CallStatus) -> None:
        """Calls to ``to`` end in ``outcome`` when finished."""
        self.outcomes[to] = CallStatus(outcome)

    def fail_next(
        self,
        status: int,
        *,
        message: str = "scripted failure",
        retry_after: float | None = None,
        method: str | None = None,
    ) -> None:
        """The next request (of ``method``, if given) answers ``status``."""
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        self._failures.append((method, _json(status, {"error": message}, **headers)))

    def add_call(
        self,
        *,
        to: str = "+15550100001",
        from_: str = "+15550100000",
        status: CallStatus = CallStatus.COMPLETED,
        direction: Direction = Direction.INBOUND,
        created_at: datetime | None = None,
        duration: timedelta | None = None,
        price: Decimal | None = None,
        currency: str | None = None,
        parent_id: str | None = None,
    ) -> str:
        """Add a call to the history (e.g. for reporting tests); returns its id."""
        created = created_at or self.clock()
        answered = created + timedelta(seconds=5) if status is CallStatus.COMPLETED else None
        talk = duration if duration is not None else self.talk_time
        call_id = f"FC{next(self._ids):08d}"
        self._calls[call_id] = {
            "id": call_id,
            "to": to,
            "from": from_,
            "status": CallStatus(status).value,
            "direction": Direction(direction).value,
            "parent_id": parent_id,
            "created_at": _iso(created),
            "answered_at": _iso(answered),
            "ended_at": _iso(answered + talk if answered else created)
            if CallStatus(status).is_terminal
            else None,
            "price": str(price) if price is not None else None,
            "currency": currency,
        }
        return call_id

    def answer(self, call_id: str) -> None:
        """The far end picks up: the call is IN_PROGRESS."""
        record = self._calls[call_id]
        record.update(status=CallStatus.IN_PROGRESS.value, answered_at=_iso(self.clock()))

    def finish(self, call_id: str | None = None) -> None:
        """Every live call (or just ``call_id``) reaches its scripted outcome now."""
        for record in [self._calls[call_id]] if call_id else list(self._calls.values()):
            if CallStatus(record["status"]) not in _LIVE:
                continue
            outcome = self.outcomes.get(record["to"], self.default_outcome)
            now = self.clock()
            if outcome is CallStatus.COMPLETED:
                answered = record["answered_at"] or now.isoformat()
                ended = datetime.fromisoformat(answered) + self.talk_time
                record.update(answered_at=answered, ended_at=ended.isoformat())
            elif outcome.is_terminal:
                record.update(answered_at=None, ended_at=_iso(now))
            record["status"] = outcome.value

    @property
    def calls(self) -> list[dict[str, Any]]:
        """The calls the fake holds, as plain dicts, oldest first."""
        return list(self._calls.values())

    def connect(self, **kwargs: Any) -> Client:
        return Client(FakeAdapter(provider=self), **kwargs)

    def connect_async(self, **kwargs: Any) -> AsyncClient:
        return AsyncClient(FakeAdapter(provider=self), **kwargs)

    # -- the fake vendor API -----------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for index, (method, failure) in enumerate(self._failures):
            if method is None or method == request.method:
                del self._failures[index]
                return failure
        path = request.url.path.strip("/").split("/")
        if path == ["calls"]:
            if request.method == "POST":
                return self._create(json.loads(request.content))
            offset = int(request.url.params.get("offset", "0"))
            limit = int(request.url.params.get("limit", "50"))
            rows = list(self._calls.values())[offset : offset + limit]
            return _json(200, {"calls": rows, "more": offset + limit < len(self._calls)})
        if len(path) == 2 and path[0] == "calls":
            record = self._calls.get(path[1])
            if record is None:
                return _json(404, {"error": f"no call {path[1]}"})
            if request.method == "GET":
                return _json(200, record)
            return self._modify(record, json.loads(request.content))
        return _json(404, {"error": "no such resource"})

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        call_id = self.add_call(
            to=body["to"],
            from_=body["from"],
            status=CallStatus.QUEUED,
            direction=Direction.OUTBOUND_API,
        )
        return _json(201, self._calls[call_id])

    def _modify(self, record: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
        status = CallStatus(record["status"])
        if status not in _LIVE:
            return _json(409, {"error": "call already ended"})
        if body.get("action") == "hangup":
            now = self.clock()
            ended = (
                CallStatus.COMPLETED if status is CallStatus.IN_PROGRESS else CallStatus.CANCELED
            )
            record.update(status=ended.value, ended_at=_iso(now))
        return _json(200)


# Registered in the ``telephony.adapters`` entry-point group like any provider. Its one
# keyword, ``provider=``, is a Python object, so it has no setting an environment variable or
# a flag could give.
FAKE = ProviderInfo(
    name="fake",
    adapter="telephony.testing.fake:FakeAdapter",
    summary="in-memory fake provider for tests (telephony.testing.FakeProvider)",
    capabilities=Capabilities(max_page_size=1000),
)


class FakeAdapter(Adapter):
    """``telephony.connect("fake", provider=FakeProvider(...))``; a new provider if none."""

    name: ClassVar[str] = FAKE.name
    capabilities: ClassVar[Capabilities] = FAKE.capabilities

    def __init__(self, *, provider: FakeProvider | None = None) -> None:
        self.provider = provider if provider is not None else FakeProvider()
        self.base_url = _BASE
        self.auth = None

    def default_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.provider.handle)

    def _answer(self, response: httpx.Response, *ok: int) -> Any:
        if response.status_code not in ok:
            message = None
            if response.content:
                message = json.loads(response.content).get("error")
            raise provider_error(response, provider=self.name, message=message)
        return json.loads(response.content) if response.content else None

    def _call(self, record: dict[str, Any]) -> Call:
        try:
            answered = record["answered_at"] and datetime.fromisoformat(record["answered_at"])
            ended = record["ended_at"] and datetime.fromisoformat(record["ended_at"])
            created = datetime.fromisoformat(record["created_at"])
            return Call(
                provider=self.name,
                id=record["id"],
                status=CallStatus(record["status"]),
                vendor_status=record["status"],
                direction=Direction(record["direction"]),
                parent_id=record["parent_id"],
                from_=record["from"],
                to=record["to"],
                created_at=created,
                started_at=created,
                answered_at=answered or None,
                ended_at=ended or None,
                duration=ended - answered if answered and ended else None,
                price=Decimal(record["price"]) if record["price"] else None,
                currency=record["currency"],
                raw=record,
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise MalformedResponseError(f"bad fake record: {exc}", provider=self.name) from None

    def create_call(self, new_call: NewCall) -> Flow[Call]:
        if new_call.options is not None:
            raise ValidationError("the fake provider takes no options", field="options")
        for field in ("to", "from_"):
            if not _ADDRESS.fullmatch(getattr(new_call, field)):
                raise ValidationError("must be a number, SIP URI or client:NAME", field=field)
        request = httpx.Request(
            "POST", _BASE.join("calls"), json={"to": new_call.to, "from": new_call.from_}
        )
        return self._one(with_retry_mode(request, RetryMode.CREATE), 201)

    def _one(self, request: httpx.Request, ok: int) -> Flow[Call]:
        return self._call(self._answer((yield request), ok))

    def get_call(self, call_id: str) -> Flow[Call]:
        return self._one(httpx.Request("GET", _BASE.join(f"calls/{call_id}")), 200)

    def _modify(self, call_id: str, body: dict[str, Any]) -> Flow[None]:
        request = httpx.Request("POST", _BASE.join(f"calls/{call_id}"), json=body)
        self._answer((yield with_retry_mode(request, RetryMode.UPDATE)), 200)

    def hangup(self, call_id: str) -> Flow[None]:
        return self._modify(call_id, {"action": "hangup"})

    def redirect(self, call_id: str, url: str, *, method: str = "POST") -> Flow[None]:
        check_url(url, "url")
        return self._modify(call_id, {"action": "redirect", "url": url, "method": method})

    def get_page(
        self, *, cursor: str | None, page_size: int | None, filters: CallFilter
    ) -> Flow[Page[Call]]:
        if cursor is not None:
            state = decode_cursor(self.name, cursor)
            offset, size = int(state["o"]), int(state["s"])
            filters = CallFilter.from_json(state.get("f", {}))
        else:
            size = 50 if page_size is None else page_size
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1000:
                raise ValidationError("must be a whole number from 1 to 1000", field="page_size")
            offset = 0
        return self._page(offset, size, filters)

    def _page(self, offset: int, size: int, filters: CallFilter) -> Flow[Page[Call]]:
        url = _BASE.join("calls").copy_with(params={"offset": offset, "limit": size})
        data = self._answer((yield httpx.Request("GET", url)), 200)
        calls = [self._call(record) for record in data["calls"]]
        items = [call for call in calls if filters.matches(call)]
        cursor = None
        if data["more"]:
            cursor = encode_cursor(
                self.name, {"o": offset + size, "s": size, "f": filters.to_json()}
            )
        return Page(items=items, next_cursor=cursor)
