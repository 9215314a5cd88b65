"""The Bandwidth Voice API v2 adapter (sans-IO flows; see telephony._adapter)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

import attrs
import cattrs
import httpx

from adapters.bandwidth._normalize import CAUSE_FOR_STATUS, PROVIDER, call_from_state
from adapters.bandwidth._wire import (
    CreateCallBody,
    CreateCallResponse,
    MachineDetection,
    UpdateCallBody,
    VoiceApiError,
    make_converter,
)
from telephony._adapter import Adapter, Flow
from telephony._auth import ClientCredentialsAuth
from telephony._cursor import decode_cursor, encode_cursor
from telephony._errors import MalformedResponseError, ProviderError, ValidationError
from telephony._filters import CallFilter
from telephony._http import body_text, provider_error, same_origin
from telephony._models import (
    Call,
    CallStatus,
    Capabilities,
    Direction,
    NewCall,
    Page,
    check_method,
    check_url,
)
from telephony._retry import RetryMode, with_retry_mode
from telephony._times import parse_iso

__all__ = ["BandwidthAdapter", "BandwidthOptions"]

DEFAULT_BASE_URL = "https://voice.bandwidth.com/api/v2"
DEFAULT_TOKEN_URL = "https://api.bandwidth.com/api/v1/oauth2/token"  # noqa: S105 - a URL
MAX_PAGE_SIZE = 10000
MAX_LISTED = 10000  # calls one list query answers at most, across its pages

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SIP_URI = re.compile(r"sips?:[^\s@]+@[^\s@]+")
_JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def _check_len(value: str | None, limit: int, field: str) -> None:
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        raise ValidationError(f"must be a string of at most {limit} characters", field=field)


def _check_range(value: float | None, low: float, high: float, field: str, *, whole: bool) -> None:
    if value is None:
        return
    kind = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        what = "a whole number" if whole else "a number"
        raise ValidationError(f"must be {what} from {low:g} to {high:g}", field=field)


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


def _error(response: httpx.Response, converter: cattrs.Converter) -> ProviderError:
    """The neutral error for a ``voiceApiError`` answer (or anything else a proxy sent)."""
    detail = VoiceApiError()
    try:
        data = json.loads(response.content)
        if isinstance(data, dict):
            detail = converter.structure(data, VoiceApiError)
    except (ValueError, cattrs.BaseValidationError):
        pass
    return provider_error(
        response,
        provider=PROVIDER,
        message=detail.description,
        code=detail.type,
        request_id=detail.id,
    )


class BandwidthAdapter(Adapter):
    """Bandwidth Voice API v2, ``Calls``. Basic auth (``username``/``password``) or OAuth2
    client credentials (``client_id``/``client_secret``, token URL ``token_url``)."""

    name: ClassVar[str] = PROVIDER
    capabilities: ClassVar[Capabilities] = Capabilities(
        replace_bxml=True, server_side_status_filter=False, max_page_size=MAX_PAGE_SIZE
    )

    def __init__(
        self,
        *,
        account_id: str,
        username: str | None = None,
        password: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        application_id: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        token_url: str = DEFAULT_TOKEN_URL,
    ) -> None:
        if not isinstance(account_id, str) or not account_id or "/" in account_id:
            raise ValidationError("must be your Bandwidth account id", field="account_id")
        check_url(base_url, "base_url")
        self.account_id = account_id
        self.application_id = application_id
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        if client_id is not None or client_secret is not None:
            if not client_id or not client_secret or username or password:
                raise ValidationError(
                    "give client_id and client_secret (OAuth2) or username and password",
                    field="client_secret",
                )
            check_url(token_url, "token_url")
            self.auth: httpx.Auth = ClientCredentialsAuth(
                token_url=token_url,
                client_id=client_id,
                client_secret=client_secret,
                provider=PROVIDER,
            )
        elif username and password:
            self.auth = httpx.BasicAuth(username, password)
        else:
            raise ValidationError(
                "give username and password, or client_id and client_secret", field="password"
            )
        self._calls_url = self.base_url.join(f"accounts/{account_id}/calls")
        self._converter = make_converter()

    def __repr__(self) -> str:
        return f"BandwidthAdapter(account_id={self.account_id!r}, base_url={str(self.base_url)!r})"

    # -- helpers -----------------------------------------------------------------------------

    def _call_url(self, call_id: str) -> httpx.URL:
        return self._calls_url.copy_with(path=f"{self._calls_url.path}/{call_id}")

    def _json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            raise MalformedResponseError(
                "answer is not JSON",
                provider=PROVIDER,
                status_code=response.status_code,
                body=body_text(response),
            ) from None

    def _checked(self, response: httpx.Response, *ok: int) -> httpx.Response:
        if response.status_code not in ok:
            raise _error(response, self._converter)
        return response

    def _to_calls(self, records: list[Any], response: httpx.Response) -> list[Call]:
        # One try around the whole page: the listing hot path pays no per-record guard.
        try:
            return [call_from_state(record) for record in records]
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MalformedResponseError(
                f"unreadable call record ({type(exc).__name__}: {exc})",
                provider=PROVIDER,
                status_code=response.status_code,
                body=body_text(response),
            ) from None

    # -- operations --------------------------------------------------------------------------

    def _create_body(self, new_call: NewCall) -> dict[str, Any]:
        options = new_call.options
        if options is None:
            options = BandwidthOptions()
        elif not isinstance(options, BandwidthOptions):
            raise ValidationError(
                f"Bandwidth takes BandwidthOptions, not {type(options).__name__}",
                field="options",
            )
        if not _E164.fullmatch(new_call.to) and not _SIP_URI.fullmatch(new_call.to):
            raise ValidationError("must be an E.164 number (+15551234567) or a SIP URI", field="to")
        if not _E164.fullmatch(new_call.from_):
            raise ValidationError("must be an E.164 number (+15551234567)", field="from_")
        application_id = options.application_id or self.application_id
        if not application_id:
            raise ValidationError(
                "Bandwidth needs an application id: connect(..., application_id=...) or "
                "BandwidthOptions(application_id=...)",
                field="application_id",
            )
        for field in ("answer_url", "fallback_url", "status_callback_url"):
            _check_len(getattr(new_call, field), 2048, field)
        _check_range(new_call.ring_timeout, 1, 300, "ring_timeout", whole=False)
        _check_range(options.callback_timeout, 1, 25, "callback_timeout", whole=False)
        _check_range(options.priority, 1, 5, "priority", whole=True)
        _check_len(options.tag, 4096, "tag")
        _check_len(options.display_name, 256, "display_name")
        _check_len(options.uui, 350, "uui")
        for field in ("username", "password", "fallback_username", "fallback_password"):
            _check_len(getattr(options, field), 1024, field)
        detection = options.machine_detection
        if detection is not None:
            if detection.mode not in (None, "sync", "async"):
                raise ValidationError("must be 'sync' or 'async'", field="machine_detection.mode")
            check_url(detection.callback_url, "machine_detection.callback_url")
            check_url(detection.fallback_url, "machine_detection.fallback_url")
            check_method(detection.callback_method, "machine_detection.callback_method")
            check_method(detection.fallback_method, "machine_detection.fallback_method")
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
        result: dict[str, Any] = self._converter.unstructure(body)
        return result

    def create_call(self, new_call: NewCall) -> Flow[Call]:
        if not isinstance(new_call, NewCall):
            raise ValidationError("must be a telephony.NewCall", field="new_call")
        body = self._create_body(new_call)  # validates before the flow starts
        return self._create(body)

    def _create(self, body: dict[str, Any]) -> Flow[Call]:
        request = httpx.Request("POST", self._calls_url, json=body, headers=_JSON)
        response = yield with_retry_mode(request, RetryMode.CREATE)
        data = self._json(self._checked(response, 201, 200))
        try:
            created = self._converter.structure(data, CreateCallResponse)
        except (cattrs.BaseValidationError, TypeError, AttributeError):
            raise MalformedResponseError(
                "unreadable createCall answer",
                provider=PROVIDER,
                status_code=response.status_code,
                body=body_text(response),
            ) from None
        # The call is queued: a get right now may still answer 404 (near-realtime), so the
        # answer itself is the call's state.
        enqueued = parse_iso(created.enqueued_time)
        return Call(
            provider=PROVIDER,
            id=created.call_id,
            status=CallStatus.QUEUED,
            vendor_status="queued",
            direction=Direction.OUTBOUND_API,
            account_id=created.account_id,
            from_=created.from_,
            to=created.to,
            created_at=enqueued,
            updated_at=enqueued,
            raw=data,
        )

    def get_call(self, call_id: str) -> Flow[Call]:
        response = yield httpx.Request("GET", self._call_url(call_id), headers=_JSON)
        (call,) = self._to_calls([self._json(self._checked(response, 200))], response)
        return call

    def _update(self, call_id: str, body: UpdateCallBody) -> Flow[None]:
        request = httpx.Request(
            "POST", self._call_url(call_id), json=self._converter.unstructure(body), headers=_JSON
        )
        self._checked((yield with_retry_mode(request, RetryMode.UPDATE)), 200, 204)

    def hangup(self, call_id: str) -> Flow[None]:
        # "completed" hangs up an answered call and cancels or rejects an unanswered one.
        return self._update(call_id, UpdateCallBody(state="completed"))

    def redirect(self, call_id: str, url: str, *, method: str = "POST") -> Flow[None]:
        check_url(url, "url")
        check_method(method, "method")
        _check_len(url, 2048, "url")
        body = UpdateCallBody(state="active", redirect_url=url, redirect_method=method)
        return self._update(call_id, body)

    def replace_bxml(self, call_id: str, bxml: str) -> Flow[None]:
        if not isinstance(bxml, str) or "<Bxml" not in bxml:
            raise ValidationError("must be a BXML document (<Bxml>...</Bxml>)", field="bxml")
        return self._replace_bxml(call_id, bxml)

    def _replace_bxml(self, call_id: str, bxml: str) -> Flow[None]:
        url = self._call_url(call_id)
        request = httpx.Request(
            "PUT",
            url.copy_with(path=url.path + "/bxml"),
            content=bxml.encode(),
            headers={"Content-Type": "application/xml", "Accept": "application/json"},
        )
        self._checked((yield with_retry_mode(request, RetryMode.UPDATE)), 204, 200)

    # -- paging ------------------------------------------------------------------------------
    #
    # Bandwidth answers at most ``listing_cap`` (10000) calls per query, oldest created first,
    # then sends no more Link. A listing does not stop there: it asks again from
    # minStartTime = the enqueued time of the last call seen (no call created later can have
    # started earlier), skipping the calls already seen that started at or after it.

    listing_cap = MAX_LISTED

    def get_page(
        self, *, cursor: str | None, page_size: int | None, filters: CallFilter
    ) -> Flow[Page[Call]]:
        if cursor is None:
            if page_size is not None:
                _check_range(page_size, 1, MAX_PAGE_SIZE, "page_size", whole=True)
            url = self._calls_url.copy_with(params=self._list_params(filters, page_size))
            return self._page(url, filters, _Window())
        state = decode_cursor(PROVIDER, cursor)
        if not isinstance(state.get("url"), str):
            raise ValidationError("is not a Bandwidth cursor", field="cursor")
        url = same_origin(httpx.URL(state["url"]), self.base_url)
        return self._page(url, CallFilter.from_json(state.get("f", {})), _Window.from_json(state))

    def _list_params(self, filters: CallFilter, page_size: int | None) -> dict[str, str]:
        params: dict[str, str] = {}
        if filters.to is not None:
            params["to"] = filters.to
        if filters.from_ is not None:
            params["from"] = filters.from_
        if filters.started_after is not None:
            params["minStartTime"] = _iso_z(filters.started_after)
        if filters.started_before is not None:
            params["maxStartTime"] = _iso_z(filters.started_before)
        if filters.status is not None and len(filters.status) == 1:
            (only,) = filters.status
            if only in CAUSE_FOR_STATUS:
                params["disconnectCause"] = CAUSE_FOR_STATUS[only]
        if page_size is not None:
            params["pageSize"] = str(page_size)
        return params

    def _page(self, url: httpx.URL, filters: CallFilter, window: _Window) -> Flow[Page[Call]]:
        response = yield httpx.Request("GET", url, headers=_JSON)
        records = self._json(self._checked(response, 200))
        if not isinstance(records, list):
            raise MalformedResponseError(
                "list answer is not a JSON array",
                provider=PROVIDER,
                status_code=response.status_code,
                body=body_text(response),
            )
        calls = self._to_calls(records, response)
        state: dict[str, Any] | None = None
        link = response.links.get("next", {}).get("url")
        if records:
            window = window.after(calls, len(records))  # skipped calls still count as seen
            if link:
                state = {"url": str(response.request.url.join(link)), **window.to_json()}
            elif window.seen >= self.listing_cap:
                state = window.continuation(response.request.url)
        if window.skip:
            calls = [call for call in calls if call.id not in window.skip]
        if not filters.is_empty:
            # status has no server filter; the others are refined so they mean exactly
            # the neutral thing whatever the server did.
            calls = [call for call in calls if filters.matches(call)]
        next_cursor = None
        if state is not None:
            next_cursor = encode_cursor(PROVIDER, {**state, "f": filters.to_json()})
        return Page(items=calls, next_cursor=next_cursor)


@attrs.frozen
class _Window:
    """Where a listing is inside one capped Bandwidth query.

    ``pending`` holds the calls seen so far that started at or after the newest creation
    time seen (calls that sat in the queue): the next query past the cap, which starts from
    that creation time, answers them again, so they are skipped by id.
    """

    seen: int = 0
    skip: frozenset[str] = frozenset()
    pending: tuple[tuple[str, str], ...] = ()
    since: str | None = None

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> _Window:
        try:
            return cls(
                seen=int(state.get("n", 0)),
                skip=frozenset(map(str, state.get("skip", ()))),
                pending=tuple((str(i), str(t)) for i, t in state.get("pending", ())),
                since=state.get("since"),
            )
        except (TypeError, ValueError):
            raise ValidationError("is not a Bandwidth cursor", field="cursor") from None

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.seen,
            "skip": sorted(self.skip),
            "pending": [list(p) for p in self.pending],
            "since": self.since,
        }

    def after(self, calls: list[Call], records: int) -> _Window:
        newest = (calls[-1].created_at or calls[-1].started_at) if calls else None
        if newest is None:
            return attrs.evolve(self, seen=self.seen + records)
        since = _iso_z(newest)
        # Compare times first and format only the few calls that qualify (this runs on every
        # page); the cut-off is whole milliseconds, as the cursor's ISO strings are.
        cutoff = newest.replace(microsecond=newest.microsecond // 1000 * 1000)
        fresh = tuple(
            (call.id, _iso_z(call.started_at))
            for call in calls
            if call.started_at is not None and call.started_at >= cutoff
        )
        # ISO 8601 UTC strings of one shape compare as times do.
        pending = tuple(p for p in self.pending if p[1] >= since) + fresh
        return attrs.evolve(self, seen=self.seen + records, pending=pending, since=since)

    def continuation(self, url: httpx.URL) -> dict[str, Any] | None:
        """The query that goes on past the cap, from the newest creation time seen."""
        current = url.params.get("minStartTime")
        if self.since is None or (current is not None and self.since <= current):
            return None  # no progress: stop rather than ask the same query again
        params = {k: v for k, v in url.params.items() if k not in ("pageToken", "cursor")}
        params["minStartTime"] = self.since
        following = _Window(skip=frozenset(i for i, _ in self.pending))
        return {"url": str(url.copy_with(params=params)), **following.to_json()}


def _iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
