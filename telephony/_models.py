"""The neutral model: what a call is, whichever vendor carries it."""

from __future__ import annotations

import abc
import enum
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import attrs

from telephony._checks import check_method as check_method  # re-exported: adapters use it
from telephony._checks import check_number, check_text
from telephony._checks import check_url as check_url  # re-exported: adapters use it

__all__ = ["Call", "CallStatus", "Capabilities", "Direction", "NewCall", "NextPage", "Page"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class CallStatus(enum.StrEnum):
    """Where a call is in its life, the same for every vendor."""

    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    REJECTED = "rejected"
    CANCELED = "canceled"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        """True once the call has ended (UNKNOWN is not known to have ended)."""
        return self in _TERMINAL


_TERMINAL = frozenset(
    {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.REJECTED,
        CallStatus.CANCELED,
        CallStatus.FAILED,
    }
)


class Direction(enum.StrEnum):
    """Who placed the call: the far end (INBOUND), this API, or a dial from a running call."""

    INBOUND = "inbound"
    OUTBOUND_API = "outbound-api"
    OUTBOUND_DIAL = "outbound-dial"
    UNKNOWN = "unknown"

    @property
    def is_outbound(self) -> bool:
        return self is Direction.OUTBOUND_API or self is Direction.OUTBOUND_DIAL


def _readonly(value: Mapping[str, Any]) -> Mapping[str, Any]:
    # A view, not a copy: listing builds many calls and must not copy every record.
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(value if isinstance(value, dict) else dict(value))


@attrs.frozen(slots=False, repr=False)  # a dict-backed init is 1.6x faster on listing
class Call:
    """One call as the vendor last reported it, in neutral terms.

    Times are timezone-aware UTC; ``duration`` is talk time (answer to end); ``raw`` is the
    vendor's record as received, for anything the neutral model does not carry.
    """

    provider: str
    id: str
    status: CallStatus
    vendor_status: str | None = None
    direction: Direction = Direction.UNKNOWN
    account_id: str | None = None
    parent_id: str | None = None
    from_: str | None = None
    to: str | None = None
    disconnect_cause: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None
    duration: timedelta | None = None
    price: Decimal | None = None
    currency: str | None = None
    answered_by: str | None = None
    raw: Mapping[str, Any] = attrs.field(default=_EMPTY, converter=_readonly, eq=False)

    # -- values that travel: pickling, deep copies and plain records ---------------------------
    # ``raw`` is a read-only view, which pickle cannot take: it travels as a plain dict.

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["raw"] = dict(self.raw)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, raw=_readonly(state["raw"]))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: the export columns (``telephony.report.COLUMNS``, as written by
        ``write_jsonl``) plus ``raw``. ``Call.from_dict`` reads it back into an equal call."""
        from telephony._records import export_record

        return {**export_record(self), "raw": dict(self.raw)}

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Call:
        """The call a ``to_dict`` record, or a line of a JSON lines export, describes (``raw``
        optional). Bad values raise ``ValidationError`` naming the field."""
        from telephony._records import call_from_record

        return call_from_record(record)

    def __repr__(self) -> str:
        return (
            f"Call(provider={self.provider!r}, id={self.id!r}, status={self.status.name}, "
            f"direction={self.direction.name}, from_={self.from_!r}, to={self.to!r}, "
            f"created_at={self.created_at.isoformat() if self.created_at else None})"
        )


T = TypeVar("T")


class NextPage(abc.ABC):
    """Where a listing goes on, kept in memory by the adapter that made the page: a client
    iterating ``list_calls`` follows it without writing and re-reading a cursor string, and
    the string is made only when someone asks for ``Page.next_cursor``. Adapters that have no
    state worth keeping give ``Page`` the string itself."""

    __slots__ = ("_text",)
    _text: str

    @abc.abstractmethod
    def encode(self) -> str:
        """The cursor string: what ``get_page(cursor=...)`` of the same adapter reads back
        to the same place, in this process or another."""

    @abc.abstractmethod
    def follow(self) -> Any:
        """The flow of the next page (a ``Flow[Page[Call]]``); it checks what the cursor
        string's reading would check (a next link stays on the configured host, say)."""

    def cursor(self) -> str:
        try:
            return self._text
        except AttributeError:
            text = self._text = self.encode()
            return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (self.cursor(),))  # a pickled page holds its cursor string


def _cursor_text(value: str | NextPage | None) -> str | None:
    return value.cursor() if isinstance(value, NextPage) else value


@attrs.frozen(slots=True, repr=False, match_args=False)
class Page(Generic[T]):
    """One page of results. ``next_cursor`` is a string to store and pass back to ``get_page``;
    None on the last page. A page can hold fewer items than asked (filters refined on the
    client) and still have a next page: ``scanned`` then says how many records were read for
    it (None: not refined, every record read is in ``items``), so a long filtered scan can
    show progress."""

    items: Sequence[T]
    # The cursor as given: a string, or an adapter's NextPage that makes it when asked.
    _next: str | NextPage | None = attrs.field(default=None, alias="next_cursor", eq=_cursor_text)
    scanned: int | None = None

    __match_args__ = ("items", "next_cursor", "scanned")  # as before the cursor became lazy

    @property
    def next_cursor(self) -> str | None:
        return _cursor_text(self._next)

    @property
    def next_page(self) -> str | NextPage | None:
        """What the client follows: the adapter's in-memory ``NextPage`` when it gave one
        (no cursor string made), else the cursor string."""
        return self._next

    def __repr__(self) -> str:
        return (
            f"Page(items={self.items!r}, next_cursor={self.next_cursor!r}, "
            f"scanned={self.scanned!r})"
        )

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def _repr_html_(self) -> str:
        """Jupyter shows a page of calls as a table of the export columns."""
        from telephony.report._html import calls_table

        return calls_table(self.items)


@attrs.frozen(slots=True)
class Capabilities:
    """What a provider can do beyond the operations every provider has."""

    replace_bxml: bool = False
    server_side_status_filter: bool = False
    max_page_size: int | None = None


# The longest ring any vendor could be asked for; each adapter narrows it to its own range.
MAX_RING_TIMEOUT = 86400.0


def _check_new_call(instance: NewCall, _attr: Any, _value: Any) -> None:
    for field in ("to", "from_"):
        check_text(getattr(instance, field), field, max_length=256, optional=False)
    check_url(instance.answer_url, "answer_url", required=True)
    check_url(instance.fallback_url, "fallback_url")
    check_url(instance.status_callback_url, "status_callback_url")
    check_method(instance.answer_method, "answer_method")
    check_method(instance.fallback_method, "fallback_method")
    check_method(instance.status_callback_method, "status_callback_method")
    check_number(
        instance.ring_timeout, "ring_timeout", low=0.0, high=MAX_RING_TIMEOUT, low_open=True
    )


@attrs.frozen(kw_only=True)
class NewCall:
    """A call to place. ``options`` carries provider-only options (see each adapter's
    ``Options`` class, e.g. ``telephony.adapters.bandwidth.BandwidthOptions``); an adapter refuses
    options that belong to another provider."""

    to: str
    from_: str
    answer_url: str
    answer_method: str | None = None
    fallback_url: str | None = None
    fallback_method: str | None = None
    status_callback_url: str | None = None
    status_callback_method: str | None = None
    ring_timeout: float | None = None
    options: object | None = attrs.field(default=None, validator=_check_new_call)
