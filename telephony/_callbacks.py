"""Status callbacks (webhooks): one neutral ``CallEvent`` from whatever a vendor posts.

The vendors differ most here (Bandwidth posts JSON with Basic auth; Restcomm posts forms with
no authentication and hides a call's outcome), so each adapter package parses its own vendor's
callbacks with a ``CallbackParser`` its ``ProviderInfo`` names; ``parse_callback`` finds it
through the registry, exactly as ``connect`` finds an adapter. What every parser needs (reading
a request, form pairs with bare keys, constant-time credential checks) lives here, public
through ``telephony.toolkit``.
"""

from __future__ import annotations

import abc
import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar
from urllib.parse import unquote_plus, urlsplit

import attrs

from telephony._errors import InvalidCallbackError, UnsupportedOperationError, ValidationError
from telephony._models import CallStatus, Direction

__all__ = [
    "CallEvent",
    "CallbackParser",
    "CallbackRequest",
    "Reply",
    "callback_parser",
    "parse_callback",
    "read_pairs",
    "same_secret",
]


def _readonly(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return value if isinstance(value, MappingProxyType) else MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class CallEvent:
    """One status callback in neutral terms, whichever vendor sent it.

    ``event`` is the vendor's event name as sent (``disconnect``, ``completed``...). ``status``
    is the call's status the event proves, None when it proves nothing certain (Restcomm's
    progress ``completed`` ends the call without saying how; Bandwidth's ``transferComplete``
    is about another leg; an event nobody documented). ``is_terminal`` says the call is over,
    even when its outcome is not in the event. Times are UTC-aware or None; ``raw`` holds the
    parameters as received.
    """

    provider: str
    call_id: str
    event: str
    status: CallStatus | None = None
    is_terminal: bool = False
    parent_id: str | None = None
    account_id: str | None = None
    occurred_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    direction: Direction = Direction.UNKNOWN
    answered_by: str | None = None
    disconnect_cause: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, converter=_readonly, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class CallbackRequest:
    """A callback request as received: ``method`` upper-cased, ``url`` the full URL (query
    string included), ``headers`` with lower-cased names, ``body`` bytes (empty for GET)."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes

    @classmethod
    def build(
        cls, *, method: object, url: object, headers: object, body: object
    ) -> CallbackRequest:
        """Checks the arguments' types (``ValidationError`` naming the argument): what is in
        them is the parser's to judge."""
        if not isinstance(method, str) or not method:
            raise ValidationError("must be an HTTP method name", field="method")
        if not isinstance(url, str):
            raise ValidationError("must be the URL as received, as a string", field="url")
        if not isinstance(headers, Mapping):
            raise ValidationError("must be a mapping of header names to values", field="headers")
        if isinstance(body, bytearray | memoryview):
            body = bytes(body)
        if not isinstance(body, bytes):
            raise ValidationError("must be bytes (empty for GET)", field="body")
        folded: dict[str, str] = {}
        for name, value in headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise ValidationError("names and values must be strings", field="headers")
            folded[name.lower()] = value
        return cls(method=method.upper(), url=url, headers=MappingProxyType(folded), body=body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        return urlsplit(self.url).query

    @property
    def media_type(self) -> str:
        """The body's media type, lower-cased, without parameters (``application/json``)."""
        return (self.header("content-type") or "").partition(";")[0].strip().lower()


@attrs.frozen
class Reply:
    """What a receiver answers the vendor: status, headers, body."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def read_pairs(text: str) -> list[tuple[str, str | None]]:
    """``a=1&b&c=`` as ``[("a", "1"), ("b", None), ("c", "")]``: form or query pairs in order,
    a bare key (what Apache's form encoder writes for a null) kept apart from an empty value.
    Decoding is UTF-8, strictly: undecodable text raises ``UnicodeDecodeError``."""
    pairs: list[tuple[str, str | None]] = []
    for part in text.split("&"):
        if not part:
            continue
        key, equals, value = part.partition("=")
        name = unquote_plus(key, errors="strict")
        pairs.append((name, unquote_plus(value, errors="strict") if equals else None))
    return pairs


def same_secret(given: str | bytes, expected: str | bytes) -> bool:
    """Constant-time comparison (``hmac.compare_digest``) of two texts of any characters."""
    left = given.encode() if isinstance(given, str) else given
    right = expected.encode() if isinstance(expected, str) else expected
    return hmac.compare_digest(left, right)


def basic_credentials(request: CallbackRequest) -> tuple[str, str] | None:
    """The ``Authorization: Basic`` user and password, None when absent or unreadable."""
    header = request.header("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon else None


class CallbackParser(abc.ABC):
    """A provider's callback reader. Subclasses set ``provider`` and ``auth`` (the keyword
    names ``parse`` takes, e.g. ``("username", "password")``) and implement ``parse``; they may
    change what a receiver answers (``acknowledge``, ``refuse``)."""

    provider: ClassVar[str]
    auth: ClassVar[tuple[str, ...]] = ()
    media_type: ClassVar[str] = "application/xml"
    """The media type of what the application answers (BXML, RCML...)."""

    @abc.abstractmethod
    def parse(self, request: CallbackRequest, /, **auth: str) -> CallEvent:
        """The event in ``request``, after checking ``auth`` (each keyword given must match).
        Raises ``InvalidCallbackError``; ``ValueError``/``TypeError``/``KeyError`` raised
        inside are turned into one by ``parse_callback``."""

    def acknowledge(self, event: CallEvent, content: bytes | None = None) -> Reply:
        """The answer to an accepted event: ``content`` (the application's instructions) as
        ``200``, else an empty ``200``."""
        if content is None:
            return Reply(200)
        return Reply(200, (("Content-Type", self.media_type),), content)

    def refuse(self, error: InvalidCallbackError) -> Reply:
        """The answer to a refused request: ``401`` for credentials, ``400`` for the rest."""
        if error.unauthenticated:
            return Reply(401, (("WWW-Authenticate", 'Basic realm="callbacks"'),))
        return Reply(400)


_parsers: dict[str, CallbackParser] = {}


def callback_parser(provider: str) -> CallbackParser:
    """The ``CallbackParser`` of ``provider`` (``ProviderInfo.callbacks``), made once.
    ``ValidationError`` for an unknown provider, ``UnsupportedOperationError`` for one that
    does not describe its callbacks."""
    from telephony._registry import describe

    info = describe(provider)
    found = _parsers.get(provider)
    if found is None:
        parser_class = info.callback_parser_class()
        if parser_class is None:
            raise UnsupportedOperationError(f"{provider} does not describe its callbacks")
        found = _parsers[provider] = parser_class()
    return found


# What a parser may raise on input it cannot read, turned into InvalidCallbackError.
_UNREADABLE = (ValueError, TypeError, KeyError, IndexError, RecursionError, OverflowError)


def parse_callback(
    provider: str,
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    **auth: str,
) -> CallEvent:
    """The neutral ``CallEvent`` of one status callback ``provider`` sent.

    ``method`` and ``url`` as received (query string included), ``headers`` any mapping,
    ``body`` the bytes (empty for GET). ``auth`` are the provider's checks (Bandwidth:
    ``username=``/``password=``; Restcomm: ``path_secret=``/``account_sid=``): each one given
    must match, compared in constant time. Raises ``InvalidCallbackError`` for a request that
    cannot be read or fails them; ``ValidationError`` for arguments of the wrong type or an
    auth keyword the provider does not take.
    """
    parser = callback_parser(provider)
    for name, value in auth.items():
        if name not in parser.auth:
            takes = ", ".join(parser.auth) or "none"
            raise ValidationError(
                f"{provider} callbacks take no such check (they take: {takes})", field=name
            )
        if not isinstance(value, str) or not value:
            raise ValidationError("must be a non-empty string", field=name)
    request = CallbackRequest.build(method=method, url=url, headers=headers, body=body)
    try:
        return parser.parse(request, **auth)
    except (InvalidCallbackError, ValidationError):
        raise  # ValidationError: the parser's own check of the auth arguments
    except _UNREADABLE as error:
        raise InvalidCallbackError(
            f"cannot be read ({type(error).__name__})", provider=provider
        ) from None
