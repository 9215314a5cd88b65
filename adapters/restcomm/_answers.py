"""Restcomm's answers read into calls or typed errors: the XML request every call makes (an
Accept header and a body size cap), error answers mapped onto the neutral error tree, and
single-call and list answers read into ``Call`` objects.

Kept apart from the adapter so that its flows only say what to send and what to do next; every
way an answer can be wrong (an error status, unreadable XML, a missing or broken ``Call``
element) becomes a ``TelephonyError`` here.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from telephony.adapters.restcomm._fastxml import read_call_list
from telephony.adapters.restcomm._normalize import PROVIDER, call_from_record
from telephony.adapters.restcomm._xml import (
    UnreadableXMLError,
    checked_text,
    decode_body,
    find_elements,
    parse_checked_text,
    parse_xml,
)
from telephony.toolkit import (
    Call,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    ProviderError,
    body_text,
    provider_error,
    with_body_limit,
)

__all__ = [
    "CALL_BODY_BYTES",
    "RECORD_BYTES",
    "checked",
    "one_call",
    "page_records",
    "to_call",
    "xml_request",
]

_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.DOTALL)
_XML_ACCEPT = {"Accept": "application/xml"}
# Restcomm sends most errors with an empty body; say what its status means there.
_EMPTY_BODY_MESSAGE = {
    400: "the server refused the request (it gave no detail)",
    401: "authentication failed: check account_sid and auth_token",
    403: "this account may not do that, or is not active",
    404: "not found",
    406: "no call with this SID",
    410: "the call is already over",
}
_ERROR_CLASS: dict[int, type[ProviderError]] = {406: NotFoundError, 410: ConflictError}
# Answer size caps (after decompression): one Call element is about 1.5 KiB.
CALL_BODY_BYTES = 1024 * 1024
RECORD_BYTES = 8192  # a page may hold page size x this
# Where a bad answer shows up as a Python error: all become MalformedResponseError.
_UNREADABLE = (AttributeError, KeyError, TypeError, ValueError, OverflowError, RecursionError)


def xml_request(
    method: str, url: httpx.URL, limit: int = CALL_BODY_BYTES, **kw: Any
) -> httpx.Request:
    """A request asking for XML, its answer capped at ``limit`` bytes."""
    return with_body_limit(httpx.Request(method, url, headers=_XML_ACCEPT, **kw), limit)


def _error(response: httpx.Response) -> ProviderError:
    """The neutral error for an error answer: empty, plain text, or a ``<Message>`` XML body
    (built by the server without escaping, so found with a pattern, not a parser)."""
    status = response.status_code
    text = decode_body(response.content[:65536])
    message = None
    found = _MESSAGE.search(text)
    if found:
        message = html.unescape(found.group(1)).strip()[:300]
    elif text.strip() and not text.lstrip().startswith("<"):
        message = text.strip().splitlines()[0][:300]
    if not message:
        message = _EMPTY_BODY_MESSAGE.get(status) or response.reason_phrase or f"HTTP {status}"
    return provider_error(
        response, provider=PROVIDER, message=message, error_class=_ERROR_CLASS.get(status)
    )


def checked(response: httpx.Response, *ok: int) -> httpx.Response:
    """``response`` if its status is one of ``ok``, else its neutral error raised."""
    if response.status_code not in ok:
        raise _error(response)
    return response


def _malformed(message: str, response: httpx.Response) -> MalformedResponseError:
    return MalformedResponseError(
        message, provider=PROVIDER, status_code=response.status_code, body=body_text(response)
    )


def _document(response: httpx.Response) -> dict[str, Any]:
    try:
        return parse_xml(response.content)
    except UnreadableXMLError as exc:
        raise _malformed(str(exc), response) from None


def to_call(record: Any, response: httpx.Response) -> Call:
    """The ``Call`` of one ``Call`` element of ``response``."""
    try:
        if not isinstance(record, dict):
            raise TypeError("the Call element has no fields")
        return call_from_record(record)
    except _UNREADABLE as exc:
        raise _malformed(
            f"unreadable Call element ({type(exc).__name__}: {exc})", response
        ) from None


def one_call(response: httpx.Response) -> Call:
    """The one call of a create, get or modify answer."""
    records = find_elements(_document(response), "Call")
    if not records or len(records) != 1:
        raise _malformed("expected one Call element in the answer", response)
    return to_call(records[0], response)


def page_records(response: httpx.Response) -> list[Any]:
    """The ``Call`` elements of a list answer, not yet read into calls."""
    try:
        text = checked_text(response.content)
        # The plain shape every server sends, read in C; anything else, the general reader.
        records: list[Any] | None = read_call_list(text)
        if records is not None:
            return records
        document = parse_checked_text(text)
    except UnreadableXMLError as exc:
        raise _malformed(str(exc), response) from None
    containers = find_elements(document, "Calls")
    if containers is None:
        records = find_elements(document, "Call")  # a root without the Calls wrapper
        if records is None:
            raise _malformed("no Calls element in the list answer", response)
        return records
    container = containers[0]
    if container is None:
        return []
    if not isinstance(container, dict):
        raise _malformed("the Calls element holds no Call elements", response)
    records = container.get("Call")
    return records if isinstance(records, list) else []
