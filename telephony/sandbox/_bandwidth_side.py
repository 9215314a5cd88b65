"""Bandwidth's side of the sandbox: its account, its seeded history's style, its settings,
and how its faults look on the wire (``voiceApiError`` JSON). The API itself is in
``_bandwidth``."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from telephony.sandbox._bandwidth import API_PREFIX, TOKEN_PATH, BandwidthApi
from telephony.sandbox._bandwidth_callbacks import BandwidthCallbacks
from telephony.sandbox._bandwidth_wire import iso
from telephony.sandbox._calls import (
    ANSWERED,
    BUSY,
    CANCELED,
    FAILED,
    INBOUND,
    NO_ANSWER,
    REJECTED,
    CallRecord,
)
from telephony.sandbox._delivery import Deliverer
from telephony.sandbox._exchange import Reply, Request
from telephony.sandbox._history import History
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._mix import IdCodec, mix64
from telephony.sandbox._side import Side, SideContext

if TYPE_CHECKING:
    from telephony.sandbox._history import HistoryStyle

__all__ = ["BANDWIDTH_FAILURES", "BandwidthSide", "BandwidthStyle"]

RING_TIMEOUT = 30.0  # callTimeout's default
_JSON = ("Content-Type", "application/json")

# Disconnect causes of failed calls, whether the call was answered first (BXML and callback
# problems happen once the call runs), and the error text.
BANDWIDTH_FAILURES: tuple[tuple[str, bool, str], ...] = (
    ("error", False, "Call failed: SIP 500 Server Internal Error"),
    ("callback-error", True, "Callback to the answer URL timed out"),
    ("invalid-bxml", True, "Invalid BXML: unknown verb <Speak>"),
    ("application-error", True, "Unsupported audio format: audio/ogg"),
    ("account-limit", False, "Account call rate limit exceeded"),
    ("node-capacity-exceeded", False, "Node capacity exceeded"),
    ("unknown", False, "Unknown error"),
)
_PACK = struct.Struct(">QQ").pack
_CAUSES = {ANSWERED: "hangup", BUSY: "busy", NO_ANSWER: "timeout", REJECTED: "rejected"}


def _uuid_text(value: int, more: int) -> str:
    text = _PACK(value, more).hex()  # = f"{value:016x}{more:016x}", faster
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}"


def _call_id(position: int, digits: str) -> str:
    d = digits
    return f"c-{d[:8]}-{d[8:16]}-{d[16:20]}-{d[20:24]}-{d[24:28]}-{d[28:40]}"


def _call_digits(call_id: str) -> str | None:
    if not call_id.startswith("c-") or call_id.count("-") != 6:
        return None
    return call_id[2:].replace("-", "")


class BandwidthStyle:
    """Bandwidth's seeded history: inbound calls start on arrival, some outbound calls go to
    SIP URIs, failures carry every documented cause (some after an answer) with an error,
    inbound calls carry ``stirShaken``."""

    name = "bandwidth"
    numbers_slot = 1
    inbound_starts_on_arrival = True
    client_calls = False

    def customer_text(self, number: str, n: int) -> str:
        return number

    def sip_callee(self, g: int) -> str | None:
        return f"sip:agent{(g >> 32) % 40}@sip.example.net" if (g >> 56) % 50 == 0 else None

    def failure_answered(self, g: int) -> bool:
        return BANDWIDTH_FAILURES[(g >> 20) % len(BANDWIDTH_FAILURES)][1]

    def cause(self, direction: str, outcome: str, g: int) -> str:
        if outcome == FAILED:
            return BANDWIDTH_FAILURES[(g >> 20) % len(BANDWIDTH_FAILURES)][0]
        if outcome == CANCELED:
            # A caller who gives up on an inbound call hangs up; an outbound one is cancelled.
            return "hangup" if direction == INBOUND else "cancel"
        return _CAUSES[outcome]

    def add_facts(self, record: CallRecord, history: History, h: int, g: int) -> None:
        if record.outcome == FAILED:
            failure = BANDWIDTH_FAILURES[(g >> 20) % len(BANDWIDTH_FAILURES)]
            record.error = (failure[2], _uuid_text(h, g))
        if record.direction == INBOUND:
            verstat = "TN-Validation-Failed" if (g >> 12) % 10 == 0 else "TN-Validation-Passed"
            record.extra["stirShaken"] = {
                "verstat": verstat,
                "attestationIndicator": "ABC"[(g >> 8) % 3],
                "originatingId": _uuid_text(g, h),
            }


class BandwidthSide(Side):
    name: ClassVar[str] = "bandwidth"

    def __init__(self, api: BandwidthApi, *, secrets: dict[str, str]) -> None:
        self.api = api
        self.ledger = api.ledger
        self.prefix = "/bandwidth/"
        self._secrets = secrets

    @classmethod
    def build(cls, context: SideContext) -> BandwidthSide:
        word = context.word
        secrets = {
            "username": f"sandbox-{word(2, 8)}",
            "password": word(3, 24),
            "client_id": f"sandbox-client-{word(4, 8)}",
            "client_secret": word(5, 32),
        }
        app = word(1)
        application_id = f"{app[:8]}-{app[8:12]}-{app[12:16]}-{app[16:20]}-{app[20:32]}"
        ledger = Ledger(
            codec=IdCodec(mix64(context.seed ^ 11), check_digits=24),
            format_id=_call_id,
            parse_id=_call_digits,
        )
        style: HistoryStyle = BandwidthStyle()
        context.seed_history(ledger, style, ring_timeout=RING_TIMEOUT)
        faults = context.faults
        api = BandwidthApi(
            clock=context.clock,
            ledger=ledger,
            account_id=str(9_000_000 + mix64(context.seed ^ 7) % 1_000_000),
            application_id=application_id,
            token_key=mix64(context.seed ^ 13),
            get_lag=faults.get_lag if faults is not None else 0.0,
            username=secrets["username"],
            password=secrets["password"],
            client_id=secrets["client_id"],
            client_secret=secrets["client_secret"],
        )
        return cls(api, secrets=secrets)

    def handle(self, request: Request) -> Reply:
        return self.api.handle(request)

    def deliver_callbacks(self, deliverer: Deliverer, origin: Callable[[], str]) -> None:
        account = self.api.account_id
        side = BandwidthCallbacks(
            account_id=account,
            call_url=lambda: f"{origin()}{API_PREFIX}/accounts/{account}/calls/",
            iso=iso,
        )
        self.api.on_create = lambda record: deliverer.watch(record, side)

    def settings(self, origin: str, *, oauth: bool = False) -> dict[str, str]:
        found = {
            "base_url": f"{origin}{API_PREFIX}",
            "account_id": self.api.account_id,
            "application_id": self.api.application_id,
        }
        if oauth:
            found["client_id"] = self._secrets["client_id"]
            found["client_secret"] = self._secrets["client_secret"]
            found["token_url"] = f"{origin}{TOKEN_PATH}"
        else:
            found["username"] = self._secrets["username"]
            found["password"] = self._secrets["password"]
        return found

    def counted(self, request: Request) -> bool:
        return request.path != TOKEN_PATH  # the token endpoint is not the Calls API

    def rate_limited(self, retry_after: int) -> Reply:
        body = {"type": "rate-limit", "description": "Too many requests", "id": None}
        return Reply(429, json.dumps(body).encode(), [_JSON, ("Retry-After", str(retry_after))])

    def server_error(self, roll: int) -> Reply:
        if roll & 1:  # Bandwidth's documented overload answer
            body = {"type": "system-overloaded", "description": "Try later", "id": None}
            return Reply(503, json.dumps(body).encode(), [_JSON])
        body = {"type": "internal-server-error", "description": "Try again", "id": None}
        return Reply(500, json.dumps(body).encode(), [_JSON])

    def internal_error(self) -> Reply:
        body = {"type": "internal-server-error", "description": "Internal error"}
        return Reply(500, json.dumps(body).encode(), [_JSON])

    def held(self, record: CallRecord, now: float) -> bool:
        return not self.api.forgotten(record, now)  # Bandwidth forgets calls after a week

    def banner(self, origin: str) -> list[str]:
        oauth = self.settings(origin, oauth=True)
        return [
            *super().banner(origin),
            f"{self.name} (OAuth2): client_id={oauth['client_id']} "
            f"client_secret={oauth['client_secret']} token_url={oauth['token_url']}",
        ]
