"""The toolkit for adapter authors: everything an adapter needs, public and documented.

An adapter is a sans-IO class (in the spirit of ``httpx.Auth`` and ``httpx.BaseTransport``):
each operation is a *flow*, a generator that yields the ``httpx.Request`` to send next,
receives its ``httpx.Response`` and returns a neutral result or raises a neutral error. The
clients drive the flows; an adapter never opens a connection. The adapters of this
distribution import from here only, and so can one in another distribution.

A provider package holds three things:

1. ``ProviderInfo``, the provider's description of itself: its ``Setting``\\ s (each a
   ``connect`` keyword, with its environment variable, whether it is secret, its default, the
   placeholder recordings store), which settings are ``required`` and which ``Credentials``
   sets are alternatives, what a ``Recording`` must scrub (headers, JSON/form/XML/query fields,
   ``PathSegment``\\ s such as account ids), and its ``Capabilities``. The registry, the command
   line (flags, environment variables, ``--help``, hints) and the testing kit (scrubbing, replay
   placeholders) read it; none of them names a provider.
2. An ``Adapter`` subclass: ``name`` and ``capabilities`` (from the description), a keyword-only
   ``__init__`` taking the settings (raise ``ValidationError`` naming the bad one), and the flows
   ``create_call``, ``get_call``, ``get_page``, ``hangup``, ``redirect`` (``replace_bxml`` is
   optional). Validate input before the first ``yield``.
3. An entry point in the ``telephony.adapters`` group naming the description::

       [project.entry-points."telephony.adapters"]
       acme = "acme_telephony._provider:ACME"

The helpers:

- errors: ``provider_error(response, provider=...)`` builds the neutral ``ProviderError``
  subclass for an error answer (404 ``NotFoundError``, 429 ``RateLimitedError`` with
  ``retry_after``...); ``status_error_class`` maps a status; ``body_text`` cuts a body for an
  exception; ``MalformedResponseError`` for a 2xx answer that cannot be read;
- retries: mark a request with ``with_retry_mode(request, RetryMode.CREATE)`` (never resent
  once it may have left: a call is never placed twice) or ``RetryMode.UPDATE``; reads default
  to ``RetryMode.IDEMPOTENT``;
- answers: ``with_body_limit(request, bytes)`` caps what is read of an answer (a larger 2xx
  answer is a ``ResponseTooLargeError``);
- paging: ``encode_cursor(provider, state)`` / ``decode_cursor(provider, cursor)`` make the
  storable ``Page.next_cursor`` strings and refuse another provider's; a ``NextPage``
  subclass given as ``Page(next_cursor=...)`` keeps the listing's state in memory, so a client
  iterating follows it without writing and reading a cursor per page (``encode`` runs only
  when someone asks for ``next_cursor``); ``CallFilter`` carries
  the neutral filters (``matches`` refines on the client what the server cannot filter; a page
  refined so says how many records it read in ``Page(..., scanned=len(records))``);
  ``PageTrail`` notices a server that serves pages already read (``ListingLoopError`` instead
  of an endless listing);
- times: ``parse_iso`` (ISO 8601, any offset) and ``parse_datetime`` (ISO 8601 or RFC 2822)
  give timezone-aware UTC datetimes;
- wire models: ``register_renames(converter, wire_name, forbid_extra_keys=...)`` makes a cattrs
  converter use the vendor's field names;
- checks: ``check_url`` / ``check_method`` / ``check_call_id`` / ``check_text`` /
  ``check_number`` / ``check_whole`` (``ValidationError`` naming the field, never echoing a
  URL), ``parse_base_url`` (a root URL; ``user:password@`` in it is refused) and
  ``same_origin`` (a paging link to another origin is an ``UnsafeRedirectError``: credentials
  are only ever sent to the configured one);
- cursor fields: ``cursor_whole``, ``cursor_moment``, ``cursor_texts`` and ``cursor_url`` read
  one field of a decoded cursor, refusing (``ValidationError`` on ``cursor``) anything a
  listing did not write;
- callbacks: a ``CallbackParser`` subclass named by ``ProviderInfo.callbacks`` turns a
  ``CallbackRequest`` into a ``CallEvent`` (raising ``InvalidCallbackError``) and says what a
  receiver answers (``Reply``); ``read_pairs`` reads forms and queries with bare keys,
  ``basic_credentials`` an ``Authorization: Basic`` header, ``same_secret`` compares secrets
  in constant time;
- auth: ``ClientCredentialsAuth``, OAuth2 client credentials as an ``httpx.Auth``;
- vendor-only operations take a ``Runner`` (or ``AsyncRunner``): any client with an
  ``adapter`` and a ``run(flow)`` that drives a flow on its connection and retries.
"""

from __future__ import annotations

from telephony._adapter import Adapter, AsyncRunner, Flow, Runner
from telephony._auth import ClientCredentialsAuth
from telephony._body import with_body_limit
from telephony._callbacks import (
    CallbackParser,
    CallbackRequest,
    CallEvent,
    Reply,
    basic_credentials,
    read_pairs,
    same_secret,
)
from telephony._checks import (
    check_call_id,
    check_number,
    check_text,
    check_whole,
    parse_base_url,
)
from telephony._cursor import (
    cursor_moment,
    cursor_texts,
    cursor_url,
    cursor_whole,
    decode_cursor,
    encode_cursor,
)
from telephony._errors import (
    AuthenticationError,
    ConflictError,
    InvalidCallbackError,
    InvalidRequestError,
    ListingLoopError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderServerError,
    RateLimitedError,
    ResponseTooLargeError,
    TelephonyError,
    TransportError,
    UnsafeRedirectError,
    UnsupportedOperationError,
    ValidationError,
    WaitTimeoutError,
)
from telephony._filters import CallFilter
from telephony._http import body_text, provider_error, same_origin, status_error_class
from telephony._models import (
    Call,
    CallStatus,
    Capabilities,
    Direction,
    NewCall,
    NextPage,
    Page,
    check_method,
    check_url,
)
from telephony._provider import Credentials, PathSegment, ProviderInfo, Recording, Setting
from telephony._retry import RetryMode, with_retry_mode
from telephony._times import parse_datetime, parse_iso
from telephony._trail import PageTrail
from telephony._wire import register_renames

__all__ = [
    "Adapter",
    "AsyncRunner",
    "AuthenticationError",
    "Call",
    "CallEvent",
    "CallFilter",
    "CallStatus",
    "CallbackParser",
    "CallbackRequest",
    "Capabilities",
    "ClientCredentialsAuth",
    "ConflictError",
    "Credentials",
    "Direction",
    "Flow",
    "InvalidCallbackError",
    "InvalidRequestError",
    "ListingLoopError",
    "MalformedResponseError",
    "NewCall",
    "NextPage",
    "NotFoundError",
    "Page",
    "PageTrail",
    "PathSegment",
    "PermissionDeniedError",
    "ProviderError",
    "ProviderInfo",
    "ProviderServerError",
    "RateLimitedError",
    "Recording",
    "Reply",
    "ResponseTooLargeError",
    "RetryMode",
    "Runner",
    "Setting",
    "TelephonyError",
    "TransportError",
    "UnsafeRedirectError",
    "UnsupportedOperationError",
    "ValidationError",
    "WaitTimeoutError",
    "basic_credentials",
    "body_text",
    "check_call_id",
    "check_method",
    "check_number",
    "check_text",
    "check_url",
    "check_whole",
    "cursor_moment",
    "cursor_texts",
    "cursor_url",
    "cursor_whole",
    "decode_cursor",
    "encode_cursor",
    "parse_base_url",
    "parse_datetime",
    "parse_iso",
    "provider_error",
    "read_pairs",
    "register_renames",
    "same_origin",
    "same_secret",
    "status_error_class",
    "with_body_limit",
    "with_retry_mode",
]
