"""Restcomm-Connect's side of the sandbox: its account, its seeded history's style, its
settings, and how its faults look on the wire (empty or plain-text bodies). The API itself is
in ``_restcomm``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from telephony.sandbox._calls import FAILED, INBOUND, OUTBOUND, CallRecord
from telephony.sandbox._delivery import Deliverer
from telephony.sandbox._exchange import Reply, Request
from telephony.sandbox._history import History
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._mix import IdCodec, mix64
from telephony.sandbox._restcomm import API_ROOT, DEFAULT_RING_TIMEOUT, RestcommApi
from telephony.sandbox._restcomm_callbacks import RestcommCallbacks
from telephony.sandbox._restcomm_wire import RATES
from telephony.sandbox._side import Side, SideContext

if TYPE_CHECKING:
    from telephony.sandbox._history import HistoryStyle

__all__ = ["RestcommSide", "RestcommStyle"]

_CALLER_NAMES = ("", "", "Unknown", "WIRELESS CALLER", "SMITH JOHN", "ACME CORP")
_ANSWERED_BY = ("machine", "human", "", "", "", "", "", "", "", "")
_NULL_POINTER = b"java.lang.NullPointerException"
_TEXT = ("Content-Type", "text/plain")


class RestcommStyle:
    """Restcomm's seeded history: registered clients call each other, some trunks deliver
    numbers without the plus, some failed inbound calls leak the internal ``not-found``
    status, the oldest calls have the short SID; caller names, number SIDs, answering-machine
    results and per-minute prices fill the records."""

    name = "restcomm"
    numbers_slot = 2
    inbound_starts_on_arrival = False
    client_calls = True

    def __init__(self, *, instance: str, plain_sids_below: int) -> None:
        self.instance = instance
        self.plain_sids_below = plain_sids_below
        self._number_sids: dict[str, str] | None = None

    def customer_text(self, number: str, n: int) -> str:
        return number[1:] if n % 4 == 0 else number  # some trunks deliver numbers without +

    def sip_callee(self, g: int) -> str | None:
        return None

    def failure_answered(self, g: int) -> bool:
        return False

    def cause(self, direction: str, outcome: str, g: int) -> str:
        leaked = direction == INBOUND and outcome == FAILED and (g >> 56) % 3 == 0
        return "not-found" if leaked else ""

    def add_facts(self, record: CallRecord, history: History, h: int, g: int) -> None:
        if self._number_sids is None:
            key = history.key
            self._number_sids = {
                number: "PN" + f"{mix64(key ^ k):016x}{mix64(key ^ ~k):016x}"
                for k, number in enumerate(history.numbers)
            }
        direction = record.direction
        if record.seq >= self.plain_sids_below:
            record.instance = self.instance
        if direction == INBOUND:
            record.caller_name = _CALLER_NAMES[(g >> 8) % len(_CALLER_NAMES)]
            record.number_sid = self._number_sids.get(record.to, "")
        elif direction == OUTBOUND and record.answer is not None:
            record.answered_by = _ANSWERED_BY[(g >> 50) % 10]
        units = math.ceil(record.talk_seconds() / 60) * RATES[direction]
        record.price = f"{units // 10000}.{units % 10000:04d}" if units else "0.00"


class RestcommSide(Side):
    name: ClassVar[str] = "restcomm"
    OPTIONS: ClassVar[dict[str, Any]] = {"restcomm_utc_offset_minutes": 0}

    def __init__(self, api: RestcommApi) -> None:
        self.api = api
        self.ledger = api.ledger
        self.prefix = "/restcomm/"

    @classmethod
    def build(cls, context: SideContext) -> RestcommSide:
        word = context.word
        instance = "ID" + word(9)
        plain_below = context.seed_calls * 3 // 10

        def call_sid(position: int, digits: str) -> str:
            # Calls from before 2017 have the short SID; newer ones carry the instance id.
            return f"CA{digits}" if position < plain_below else f"{instance}-CA{digits}"

        def call_digits(sid: str) -> str | None:
            return sid.rpartition("CA")[2] if "CA" in sid else None

        ledger = Ledger(
            codec=IdCodec(mix64(context.seed ^ 17), check_digits=16),
            format_id=call_sid,
            parse_id=call_digits,
        )
        style: HistoryStyle = RestcommStyle(instance=instance, plain_sids_below=plain_below)
        context.seed_history(ledger, style, ring_timeout=DEFAULT_RING_TIMEOUT)
        api = RestcommApi(
            clock=context.clock,
            ledger=ledger,
            account_sid="AC" + word(6),
            auth_token=word(8),
            email="sandbox@example.com",
            instance_id=instance,
            utc_offset_minutes=int(context.options["restcomm_utc_offset_minutes"]),
        )
        return cls(api)

    def handle(self, request: Request) -> Reply:
        return self.api.handle(request)

    def deliver_callbacks(self, deliverer: Deliverer, origin: Callable[[], str]) -> None:
        api = self.api
        side = RestcommCallbacks(
            account_sid=api.account_sid,
            instance_id=api.instance_id,
            utc_offset_minutes=api.offset,
        )
        api.on_create = lambda record: deliverer.watch(record, side)

    def settings(self, origin: str, *, oauth: bool = False) -> dict[str, str]:
        if oauth:
            raise ValueError("Restcomm has no OAuth2: use its Basic credentials")
        return {
            "base_url": f"{origin}{API_ROOT.removesuffix('/2012-04-24')}",
            "account_sid": self.api.account_sid,
            "auth_token": self.api.auth_token,
        }

    def rate_limited(self, retry_after: int) -> Reply:
        return Reply(429, b"", [("Retry-After", str(retry_after))])

    def server_error(self, roll: int) -> Reply:
        if roll & 1:
            return Reply(503)
        return Reply(500, _NULL_POINTER, [_TEXT])

    def internal_error(self) -> Reply:
        return Reply(500, _NULL_POINTER, [_TEXT])
