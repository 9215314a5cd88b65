"""The small interface each vendor's side of the sandbox implements, so that the server, the
seeded history and the truth loop over sides instead of naming vendors.

A side owns everything about its vendor: the path prefix it serves, its API (request in,
reply out), the settings a client needs, its account's calls (a ``Ledger`` over a seeded
``History`` in that vendor's style), how its injected faults and internal errors look on the
wire, and which calls it still serves. Adding a vendor to the sandbox is one more side module
listed in ``_sides.SIDES``; nothing here imports an adapter.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from telephony.sandbox._calls import CallRecord
from telephony.sandbox._clock import SandboxClock
from telephony.sandbox._delivery import Deliverer
from telephony.sandbox._exchange import Reply, Request
from telephony.sandbox._faults import Faults
from telephony.sandbox._history import History, HistoryStyle
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._mix import mix64

__all__ = ["Side", "SideContext"]


@dataclass(frozen=True)
class SideContext:
    """What every side is built from: the sandbox's seed, clock and history shape."""

    seed: int
    seed_calls: int
    clock: SandboxClock
    end: float  # the sandbox's start: every seeded call is over by then
    span: float  # how far back the seeded calls go, in seconds
    faults: Faults | None
    options: dict[str, Any]  # the side's own keyword options (see Side.OPTIONS)

    def word(self, salt: int, digits: int = 32) -> str:
        """Hex digits that follow from the seed alone (ids, credentials)."""
        text = f"{mix64(self.seed ^ salt):016x}{mix64(self.seed ^ salt ^ 0xABCDEF):016x}"
        return text[:digits]

    def seed_history(self, ledger: Ledger, style: HistoryStyle, *, ring_timeout: float) -> None:
        """Give ``ledger`` the seeded call history of this sandbox, in ``style``'s vendor ways."""
        ledger.attach(
            History(
                style=style,
                count=self.seed_calls,
                seed=self.seed,
                end=self.end,
                span=self.span,
                id_of=ledger.id_of,
                ring_timeout=ring_timeout,
            )
        )


class Side(abc.ABC):
    """One vendor's API in the sandbox."""

    name: ClassVar[str]
    """The provider name clients pass to ``telephony.connect``."""
    OPTIONS: ClassVar[dict[str, Any]] = {}
    """Keyword options of ``Sandbox(...)`` this side takes, with their defaults."""

    prefix: str
    """Paths under this prefix (``/name/``) are the side's."""
    ledger: Ledger
    """The account's calls: seeded history, then the calls created through the API."""

    @classmethod
    @abc.abstractmethod
    def build(cls, context: SideContext) -> Side: ...

    @abc.abstractmethod
    def handle(self, request: Request) -> Reply:
        """Answer one request under ``prefix``."""

    @abc.abstractmethod
    def settings(self, origin: str, *, oauth: bool = False) -> dict[str, str]:
        """The keyword arguments ``telephony.connect(name, ...)`` needs; ValueError for an
        option the vendor does not have."""

    def counted(self, request: Request) -> bool:
        """Whether the request is an API request: counted, and subject to injected faults."""
        return True

    @abc.abstractmethod
    def rate_limited(self, retry_after: int) -> Reply:
        """An injected 429, as the vendor words it."""

    @abc.abstractmethod
    def server_error(self, roll: int) -> Reply:
        """An injected server fault, as the vendor words it (``roll`` picks among its kinds)."""

    @abc.abstractmethod
    def internal_error(self) -> Reply:
        """The answer to a sandbox bug, worded as the vendor's server would."""

    def held(self, record: CallRecord, now: float) -> bool:
        """Whether the vendor still serves this call (some forget old calls)."""
        return True

    def deliver_callbacks(self, deliverer: Deliverer, origin: Callable[[], str]) -> None:
        """Have the calls created from now on call back their URLs through ``deliverer``,
        the vendor's way (``origin()``: the sandbox's URL once serving). Default: none."""
        return  # a vendor without callbacks in the sandbox

    def banner(self, origin: str) -> list[str]:
        """Lines ``serve`` prints: the settings to connect with."""
        pairs = " ".join(f"{k}={v}" for k, v in self.settings(origin).items())
        return [f"{self.name}: {pairs}"]


SideFactory = Callable[[SideContext], Side]
