"""The Bandwidth Voice API v2 adapter (sans-IO flows; see telephony._adapter)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import cattrs
import httpx

from telephony.adapters.bandwidth._fast import calls_from_page
from telephony.adapters.bandwidth._normalize import CAUSE_FOR_STATUS, PROVIDER, call_from_state
from telephony.adapters.bandwidth._options import (
    BandwidthOptions,
    check_len,
    check_range,
    create_call_body,
)
from telephony.adapters.bandwidth._paging import (
    FollowingPage,
    ListingState,
    Window,
    iso_z,
    next_link,
)
from telephony.adapters.bandwidth._provider import (
    BANDWIDTH,
    DEFAULT_BASE_URL,
    DEFAULT_TOKEN_URL,
    MAX_PAGE_SIZE,
)
from telephony.adapters.bandwidth._wire import (
    CreateCallResponse,
    UpdateCallBody,
    VoiceApiError,
    make_converter,
)
from telephony.toolkit import (
    Adapter,
    Call,
    CallFilter,
    CallStatus,
    Capabilities,
    ClientCredentialsAuth,
    Direction,
    Flow,
    ListingLoopError,
    MalformedResponseError,
    NewCall,
    Page,
    PageTrail,
    ProviderError,
    RetryMode,
    ValidationError,
    body_text,
    check_call_id,
    check_method,
    check_text,
    check_url,
    cursor_url,
    decode_cursor,
    parse_base_url,
    parse_iso,
    provider_error,
    with_body_limit,
    with_retry_mode,
)

__all__ = ["BandwidthAdapter", "BandwidthOptions"]

MAX_LISTED = 10000  # calls one list query answers at most, across its pages

_CREDENTIAL_SETTINGS = "username= and password= (or client_id= and client_secret=)"
_JSON = {"Content-Type": "application/json", "Accept": "application/json"}
# Answer size caps (after decompression): one call state is about 1 KiB.
_CALL_BODY_BYTES = 1024 * 1024
_RECORD_BYTES = 4096  # a page may hold page size x this
_DEFAULT_SERVER_PAGE = 1000  # what the server answers when no pageSize is sent
# Where a bad answer shows up as a Python error: all become MalformedResponseError.
_UNREADABLE = (AttributeError, KeyError, TypeError, ValueError, OverflowError, RecursionError)


def _get(url: httpx.URL, limit: int = _CALL_BODY_BYTES) -> httpx.Request:
    return with_body_limit(httpx.Request("GET", url, headers=_JSON), limit)


def _page_limit(url: httpx.URL) -> int:
    size = url.params.get("pageSize", "")
    pages = int(size) if size.isdigit() and len(size) <= 5 else _DEFAULT_SERVER_PAGE
    return max(_CALL_BODY_BYTES, min(pages, MAX_PAGE_SIZE) * _RECORD_BYTES)


def _error(response: httpx.Response, converter: cattrs.Converter) -> ProviderError:
    """The neutral error for a ``voiceApiError`` answer (or anything else a proxy sent)."""
    detail = VoiceApiError()
    try:
        data = json.loads(response.content)
        if isinstance(data, dict):
            detail = converter.structure(data, VoiceApiError)
    except (ValueError, RecursionError, cattrs.BaseValidationError):
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

    name: ClassVar[str] = BANDWIDTH.name
    capabilities: ClassVar[Capabilities] = BANDWIDTH.capabilities

    def __init__(
        self,
        *,
        account_id: str,
        username: str | None = None,
        password: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        application_id: str | None = None,
        base_url: str | None = None,
        token_url: str | None = None,
    ) -> None:
        check_call_id(account_id, "account_id")  # a path segment, like a call id
        check_text(application_id, "application_id", max_length=256)
        for field, value in (
            ("username", username),
            ("password", password),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ):
            if value is not None and (not isinstance(value, str) or not value):
                raise ValidationError("must be a non-empty string", field=field)
        if username is not None and ":" in username:
            raise ValidationError(
                "must not hold ':' (HTTP Basic cannot carry it)", field="username"
            )
        self.account_id = account_id
        self.application_id = application_id
        self.base_url = parse_base_url(
            DEFAULT_BASE_URL if base_url is None else base_url,
            "base_url",
            credentials_hint=_CREDENTIAL_SETTINGS,
        )
        if client_id is not None or client_secret is not None:
            if not client_id or not client_secret or username or password:
                raise ValidationError(
                    "give client_id and client_secret (OAuth2) or username and password",
                    field="client_secret",
                )
            token = parse_base_url(
                DEFAULT_TOKEN_URL if token_url is None else token_url,
                "token_url",
                credentials_hint=_CREDENTIAL_SETTINGS,
                directory=False,
            )
            self.auth: httpx.Auth = ClientCredentialsAuth(
                token_url=str(token),
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
        check_call_id(call_id)
        return self._calls_url.copy_with(path=f"{self._calls_url.path}/{call_id}")

    def _json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
            raise MalformedResponseError(
                "answer is not JSON (or nested too deeply)",
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
        except _UNREADABLE as exc:
            raise MalformedResponseError(
                f"unreadable call record ({type(exc).__name__}: {exc})",
                provider=PROVIDER,
                status_code=response.status_code,
                body=body_text(response),
            ) from None

    def _page_calls(self, response: httpx.Response) -> list[Call]:
        # The typed decode takes the pages every server sends; anything it does not take
        # exactly as call_from_state would, the general path reads (and names the fault).
        calls = calls_from_page(response.content)
        if calls is not None:
            return calls
        records = self._json(response)
        if not isinstance(records, list):
            raise MalformedResponseError(
                "list answer is not a JSON array",
                provider=PROVIDER,
                status_code=response.status_code,
                body=body_text(response),
            )
        return self._to_calls(records, response)

    # -- operations --------------------------------------------------------------------------

    def create_call(self, new_call: NewCall) -> Flow[Call]:
        if not isinstance(new_call, NewCall):
            raise ValidationError("must be a telephony.NewCall", field="new_call")
        body = create_call_body(
            new_call, default_application_id=self.application_id, converter=self._converter
        )  # validates before the flow starts
        return self._create(body)

    def _create(self, body: dict[str, Any]) -> Flow[Call]:
        request = httpx.Request("POST", self._calls_url, json=body, headers=_JSON)
        with_body_limit(request, _CALL_BODY_BYTES)
        response = yield with_retry_mode(request, RetryMode.CREATE)
        data = self._json(self._checked(response, 201, 200))
        try:
            created = self._converter.structure(data, CreateCallResponse)
            if not created.call_id:
                raise ValueError("callId is empty")
            enqueued = parse_iso(created.enqueued_time)
        except (cattrs.BaseValidationError, *_UNREADABLE):
            raise MalformedResponseError(
                "unreadable createCall answer",
                provider=PROVIDER,
                status_code=response.status_code,
                body=body_text(response),
            ) from None
        # The call is queued: a get right now may still answer 404 (near-realtime), so the
        # answer itself is the call's state.
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
        return self._get_call(self._call_url(call_id))  # the id is checked before the flow

    def _get_call(self, url: httpx.URL) -> Flow[Call]:
        response = yield _get(url)
        (call,) = self._to_calls([self._json(self._checked(response, 200))], response)
        return call

    def _update(self, call_id: str, body: UpdateCallBody) -> Flow[None]:
        url = self._call_url(call_id)  # checked before the flow starts
        return self._send_update(url, self._converter.unstructure(body))

    def _send_update(self, url: httpx.URL, body: dict[str, Any]) -> Flow[None]:
        request = httpx.Request("POST", url, json=body, headers=_JSON)
        with_body_limit(request, _CALL_BODY_BYTES)
        self._checked((yield with_retry_mode(request, RetryMode.UPDATE)), 200, 204)

    def hangup(self, call_id: str) -> Flow[None]:
        # "completed" hangs up an answered call and cancels or rejects an unanswered one.
        return self._update(call_id, UpdateCallBody(state="completed"))

    def redirect(self, call_id: str, url: str, *, method: str = "POST") -> Flow[None]:
        check_url(url, "url", required=True)
        check_method(method, "method", required=True)
        check_len(url, 2048, "url")
        body = UpdateCallBody(state="active", redirect_url=url, redirect_method=method)
        return self._update(call_id, body)

    def replace_bxml(self, call_id: str, bxml: str) -> Flow[None]:
        url = self._call_url(call_id)
        if not isinstance(bxml, str) or "<Bxml" not in bxml:
            raise ValidationError("must be a BXML document (<Bxml>...</Bxml>)", field="bxml")
        return self._replace_bxml(url, bxml)

    def _replace_bxml(self, url: httpx.URL, bxml: str) -> Flow[None]:
        request = httpx.Request(
            "PUT",
            url.copy_with(path=url.path + "/bxml"),
            content=bxml.encode(),
            headers={"Content-Type": "application/xml", "Accept": "application/json"},
        )
        with_body_limit(request, _CALL_BODY_BYTES)
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
                check_range(page_size, 1, MAX_PAGE_SIZE, "page_size", whole=True)
            url = self._calls_url.copy_with(params=self._list_params(filters, page_size))
            return self._page(url, filters, Window(), PageTrail())
        state = decode_cursor(PROVIDER, cursor)
        url = cursor_url(state, "url", base_url=self.base_url)
        filters = CallFilter.from_json(state.get("f", {}))
        return self._page(
            url, filters, Window.from_json(state), PageTrail.from_json(state.get("r"))
        )

    def _list_params(self, filters: CallFilter, page_size: int | None) -> dict[str, str]:
        params: dict[str, str] = {}
        if filters.to is not None:
            params["to"] = filters.to
        if filters.from_ is not None:
            params["from"] = filters.from_
        if filters.started_after is not None:
            params["minStartTime"] = iso_z(filters.started_after)
        if filters.started_before is not None:
            params["maxStartTime"] = iso_z(filters.started_before)
        if filters.status is not None and len(filters.status) == 1:
            (only,) = filters.status
            if only in CAUSE_FOR_STATUS:
                params["disconnectCause"] = CAUSE_FOR_STATUS[only]
        if page_size is not None:
            params["pageSize"] = str(page_size)
        return params

    def _page(
        self, url: httpx.URL, filters: CallFilter, window: Window, trail: PageTrail
    ) -> Flow[Page[Call]]:
        response = yield _get(url, _page_limit(url))
        calls = self._page_calls(self._checked(response, 200))
        records = len(calls)  # one call per record read
        following: FollowingPage | None = None
        if calls:
            # Every way a server could keep a listing going for ever ends here, in an error.
            trail = trail.after([call.id for call in calls], provider=PROVIDER)
            window = window.advanced(calls, records)
            link = next_link(response)
            if link is not None:
                if window.seen > self.listing_cap:
                    raise ListingLoopError(
                        f"the server answered more than {self.listing_cap} calls for one query "
                        "(it repeats pages): stopped instead of looping",
                        provider=PROVIDER,
                    )
                following = self._following(link, window, filters, trail)
            elif window.seen >= self.listing_cap:
                continued = window.continuation(response.request.url)
                if continued is None:
                    raise ListingLoopError(
                        f"cannot list past the server's {self.listing_cap} calls per query: "
                        "the next query would start where this one did (calls without times, "
                        "or more than the cap created at one instant)",
                        provider=PROVIDER,
                    )
                following = self._following(*continued, filters, trail)
        calls = window.unseen(calls)
        scanned: int | None = None  # records read, when some may be dropped here
        if not filters.is_empty:
            scanned = records
            # status has no server filter; the others are refined so they mean exactly
            # the neutral thing whatever the server did.
            calls = [call for call in calls if filters.matches(call)]
        return Page(items=calls, next_cursor=following, scanned=scanned)

    def _following(
        self, url: str, window: Window, filters: CallFilter, trail: PageTrail
    ) -> FollowingPage:
        state = ListingState(url=url, window=window, filters=filters, trail=trail)
        return FollowingPage(state, page=self._page, base_url=self.base_url)
