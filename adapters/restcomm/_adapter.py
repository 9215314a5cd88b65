"""The Restcomm-Connect adapter (sans-IO flows; see telephony._adapter).

Restcomm speaks form posts and XML at ``{base_url}/2012-04-24/Accounts/{AccountSid}/Calls``,
with HTTP Basic auth (Account SID, auth token). This module checks what the caller gives and
drives each operation; reading answers and mapping errors is ``_answers``, what a listing sends
and keeps is ``_query``, the listing order ``_paging``.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

import httpx

from telephony.adapters.restcomm._answers import (
    CALL_BODY_BYTES,
    RECORD_BYTES,
    checked,
    one_call,
    page_records,
    to_call,
    xml_request,
)
from telephony.adapters.restcomm._normalize import PROVIDER
from telephony.adapters.restcomm._options import RestcommCallUpdate, RestcommOptions
from telephony.adapters.restcomm._paging import Order, arrange
from telephony.adapters.restcomm._provider import MAX_PAGE_SIZE, RESTCOMM
from telephony.adapters.restcomm._query import list_params, matches
from telephony.adapters.restcomm._wire import CreateCallForm, ModifyCallForm, make_converter
from telephony.toolkit import (
    Adapter,
    Call,
    CallFilter,
    Capabilities,
    Flow,
    NewCall,
    Page,
    PageTrail,
    RetryMode,
    ValidationError,
    check_method,
    check_url,
    cursor_whole,
    decode_cursor,
    encode_cursor,
    parse_base_url,
    with_retry_mode,
)

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "RestcommAdapter"]

API_VERSION = "2012-04-24"
# The server's own default is 50 and it has no maximum; 100 halves the round trips of a long
# export, and answers stay far below the XML size limit even at MAX_PAGE_SIZE (~1.5 KiB a call).
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_NUMBER = 10**9  # a cursor's page number beyond this was not written by a listing

# What Restcomm dials: E.164, plain digits (short codes, extensions), a registered client, or a
# SIP URI.
_ADDRESS = re.compile(r"\+[1-9][0-9]{1,14}|[0-9]{1,32}|client:[^\s:@/]+|sips?:[^\s@]+@[^\s@]+")
# Ids go into the URL path: nothing that could change it (no '/', '?', '#', and no '.', which
# would pick another format, as in ``CA....json``).
_PATH_SAFE = re.compile(r"[A-Za-z0-9_-]{1,128}")
# What the server's Sid constructor takes; anything else it answers with a 500.
_CALL_SID = re.compile(r"(?:ID[A-Za-z0-9]{32}-)?CA[A-Za-z0-9]{32}")


def _check_address(value: str, field: str) -> None:
    if not _ADDRESS.fullmatch(value):
        raise ValidationError(
            "must be an E.164 number (+15551234567), digits, client:NAME or a SIP URI "
            f"(sip:user@host); got {value!r}",
            field=field,
        )


def _check_sid(call_id: str) -> None:
    if not isinstance(call_id, str) or not _CALL_SID.fullmatch(call_id):
        raise ValidationError(
            "must be a Restcomm call SID: CA + 32 letters or digits, or ID + 32 letters or "
            "digits + -CA + 32 letters or digits",
            field="call_id",
        )


def _check_page_size(page_size: object, field: str = "page_size") -> int:
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise ValidationError(f"must be a whole number from 1 to {MAX_PAGE_SIZE}", field=field)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"must be a whole number from 1 to {MAX_PAGE_SIZE}", field=field)
    return page_size


class RestcommAdapter(Adapter):
    """Restcomm-Connect ``Calls``: ``telephony.connect("restcomm", base_url=..., account_sid=...,
    auth_token=...)``. ``base_url`` is the server's Restcomm root, e.g.
    ``https://host/restcomm``."""

    name: ClassVar[str] = RESTCOMM.name
    capabilities: ClassVar[Capabilities] = RESTCOMM.capabilities

    def __init__(self, *, base_url: str, account_sid: str, auth_token: str) -> None:
        parsed = parse_base_url(
            base_url, "base_url", credentials_hint="account_sid= and auth_token="
        )
        if not isinstance(account_sid, str) or not _PATH_SAFE.fullmatch(account_sid):
            raise ValidationError("must be your Restcomm Account SID (AC...)", field="account_sid")
        if not isinstance(auth_token, str) or not auth_token:
            raise ValidationError("must be your Restcomm auth token", field="auth_token")
        self.account_sid = account_sid
        self.base_url = parsed
        self.auth = httpx.BasicAuth(account_sid, auth_token)
        self._calls_url = self.base_url.join(f"{API_VERSION}/Accounts/{account_sid}/Calls")
        self._converter = make_converter()

    def __repr__(self) -> str:
        return f"RestcommAdapter(account_sid={self.account_sid!r}, base_url={str(self.base_url)!r})"

    # -- URLs --------------------------------------------------------------------------------

    def _call_url(self, call_id: str) -> httpx.URL:
        return self._calls_url.copy_with(path=f"{self._calls_url.path}/{call_id}")

    # -- create ------------------------------------------------------------------------------

    def create_call(self, new_call: NewCall) -> Flow[Call]:
        if not isinstance(new_call, NewCall):
            raise ValidationError("must be a telephony.NewCall", field="new_call")
        form = self._create_form(new_call)  # validates before the flow starts
        return self._create(form)

    def _create_form(self, new_call: NewCall) -> dict[str, str]:
        options = new_call.options
        if options is None:
            options = RestcommOptions()
        elif not isinstance(options, RestcommOptions):
            raise ValidationError(
                f"Restcomm takes RestcommOptions, not {type(options).__name__}", field="options"
            )
        options.check()
        _check_address(new_call.to, "to")
        _check_address(new_call.from_, "from_")
        # Restcomm's Timeout is whole seconds: round up, never ring shorter than asked.
        timeout = None if new_call.ring_timeout is None else math.ceil(new_call.ring_timeout)
        form = CreateCallForm(
            from_=new_call.from_,
            to=new_call.to,
            url=new_call.answer_url,
            method=new_call.answer_method,
            fallback_url=new_call.fallback_url,
            fallback_method=new_call.fallback_method,
            status_callback=new_call.status_callback_url,
            status_callback_method=new_call.status_callback_method,
            status_callback_event=options.status_callback_event(),
            timeout=timeout,
            username=options.username,
            password=options.password,
        )
        result: dict[str, str] = self._converter.unstructure(form)
        return result

    def _create(self, form: dict[str, str]) -> Flow[Call]:
        request = xml_request("POST", self._calls_url, data=form)
        response = yield with_retry_mode(request, RetryMode.CREATE)
        # Restcomm answers 200 (not 201) with the new call in its first state.
        return one_call(checked(response, 200, 201))

    # -- read --------------------------------------------------------------------------------

    def get_call(self, call_id: str) -> Flow[Call]:
        _check_sid(call_id)
        return self._get(call_id)

    def _get(self, call_id: str) -> Flow[Call]:
        response = yield xml_request("GET", self._call_url(call_id))
        return one_call(checked(response, 200))

    # -- modify ------------------------------------------------------------------------------

    def _modify(self, call_id: str, form: ModifyCallForm) -> Flow[None]:
        request = xml_request(
            "POST", self._call_url(call_id), data=self._converter.unstructure(form)
        )
        checked((yield with_retry_mode(request, RetryMode.UPDATE)), 200, 204)
        # The answer shows the call as it was before this change: it is deliberately not read.

    def hangup(self, call_id: str) -> Flow[None]:
        """End the call whatever its state: ``Status=completed``, which the server applies to
        a queued, ringing or answered call alike (``canceled`` does nothing to a call answered
        in the meantime, so reading the state first and choosing would race the answer). A
        call that is already over answers 410, a ConflictError."""
        _check_sid(call_id)
        return self._modify(call_id, ModifyCallForm(status="completed"))

    def redirect(self, call_id: str, url: str, *, method: str = "POST") -> Flow[None]:
        """Fetch new RCML from ``url``. Restcomm unmutes a muted call on any change sent
        without ``Mute=true``: use ``telephony.adapters.restcomm.modify_call`` with ``mute=True`` to
        keep a muted call muted."""
        _check_sid(call_id)
        check_url(url, "url", required=True)
        check_method(method, "method", required=True)
        return self._modify(call_id, ModifyCallForm(url=url, method=method))

    def modify(self, call_id: str, update: RestcommCallUpdate) -> Flow[None]:
        """Vendor-only: a Restcomm live-call change (Mute, MoveConnectedCallLeg, redirect with
        fallbacks). Drive it with ``telephony.adapters.restcomm.modify_call`` (or
        ``modify_call_async``).
        """
        _check_sid(call_id)
        if not isinstance(update, RestcommCallUpdate):
            raise ValidationError("must be a RestcommCallUpdate", field="update")
        update.check()
        form = ModifyCallForm(
            url=update.url,
            method=update.method,
            fallback_url=update.fallback_url,
            fallback_method=update.fallback_method,
            status_callback=update.status_callback_url,
            status_callback_method=update.status_callback_method,
            mute=update.mute,
            move_connected_call_leg=update.move_connected_call_leg,
        )
        return self._modify(call_id, form)

    # -- paging ------------------------------------------------------------------------------

    def get_page(
        self, *, cursor: str | None, page_size: int | None, filters: CallFilter
    ) -> Flow[Page[Call]]:
        """Restcomm's page links drop the filters and its counts are wrong (see the package
        README), so the cursor counts pages itself: page number, page size, filters, and what
        keeps the order and each call once (``_paging.Order``)."""
        if cursor is None:
            size = DEFAULT_PAGE_SIZE if page_size is None else _check_page_size(page_size)
            return self._page(0, size, filters, PageTrail(), Order())
        state = decode_cursor(PROVIDER, cursor)
        number = cursor_whole(state, "page", low=1, high=MAX_PAGE_NUMBER, default=0)
        size = cursor_whole(state, "size", low=1, high=MAX_PAGE_SIZE, default=0)
        if page_size is not None and page_size != size:
            raise ValidationError(
                f"a cursor keeps the page size it was made with ({size})", field="page_size"
            )
        filter_state = state.get("f", {})
        order_state = state.get("o", {})
        if not isinstance(order_state, dict):
            raise ValidationError("is not a Restcomm cursor", field="cursor")
        trail = PageTrail.from_json(state.get("r"))
        order = Order.from_json(order_state)
        return self._page(number, size, CallFilter.from_json(filter_state), trail, order)

    def _page(
        self, number: int, size: int, filters: CallFilter, trail: PageTrail, order: Order
    ) -> Flow[Page[Call]]:
        url = self._calls_url.copy_with(params=list_params(filters, number, size))
        limit = max(CALL_BODY_BYTES, size * RECORD_BYTES)
        response = yield xml_request("GET", url, limit)
        if response.status_code == 400 and number > 0:
            records: list[Any] = []  # how the server says "past the last page"
        else:
            records = page_records(checked(response, 200))
        read = [(to_call(record, response), record) for record in records]
        # The server's numpages/total/nextpageuri are wrong or lossy: a full page is the
        # only sign that another may follow.
        full = len(records) >= size
        calls, order = arrange(
            order,
            read,
            to_call=lambda record: to_call(record, response),
            last_page=not full,
        )
        scanned: int | None = None  # records read, when some may be dropped here
        if not filters.is_empty:
            scanned = len(records)
            calls = [call for call in calls if matches(filters, call)]
        next_cursor = None
        if full:
            # A server that ignores Page answers the same page for ever: that ends here.
            trail = trail.after([call.id for call, _ in read], provider=PROVIDER)
            state = {"page": number + 1, "size": size, "f": filters.to_json(), "r": trail.to_json()}
            if order_state := order.to_json():
                state["o"] = order_state
            next_cursor = encode_cursor(PROVIDER, state)
        return Page(items=calls, next_cursor=next_cursor, scanned=scanned)
