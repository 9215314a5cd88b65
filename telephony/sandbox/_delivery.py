"""Delivering status callbacks to the URLs a call was created with, whatever the vendor.

Each vendor's side says which callbacks a call has sent by a given sandbox instant (its
``CallbackSide``); this module does the rest, the same for every vendor: a background thread
watches created calls, sends each callback once when sandbox time reaches it, in order, and
can misbehave on purpose (``CallbackFaults``: send some twice, hold some back so the next one
overtakes them, drop some) the way real networks and vendors do. Reading the timeline lazily
means a hang-up or cancel that edits a live call changes the callbacks still to come.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from typing import Protocol
from urllib.parse import urlsplit

from telephony.sandbox._calls import CallRecord
from telephony.sandbox._clock import SandboxClock

__all__ = ["LOCAL_HOSTS", "Callback", "CallbackFaults", "CallbackSide", "Deliverer", "Sent"]

# By default the sandbox only calls back this machine: tests and demos create calls with
# made-up answer URLs (app.example) that must never be contacted.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Callback:
    """One HTTP request a vendor sends about a call: ``name`` is unique per call."""

    __slots__ = ("body", "call_id", "due", "headers", "method", "name", "url")

    def __init__(
        self,
        *,
        call_id: str,
        name: str,
        due: float,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes = b"",
    ) -> None:
        self.call_id = call_id
        self.name = name
        self.due = due
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"Callback({self.call_id!r}, {self.name!r}, {self.method} {self.url})"


class Sent:
    """What happened to one delivery: the answer's status, or None when it never got one
    (``dropped`` on purpose, ``skipped`` for a host the sandbox does not call, or the
    receiver could not be reached)."""

    __slots__ = ("callback", "dropped", "skipped", "status")

    def __init__(
        self,
        callback: Callback,
        status: int | None,
        *,
        dropped: bool = False,
        skipped: bool = False,
    ) -> None:
        self.callback = callback
        self.status = status
        self.dropped = dropped
        self.skipped = skipped

    def __repr__(self) -> str:
        return f"Sent({self.callback!r}, status={self.status}, dropped={self.dropped})"


class CallbackSide(Protocol):
    """A vendor's way of sending callbacks."""

    def callbacks(self, record: CallRecord, now: float) -> list[Callback]:
        """Every callback ``record`` has sent by ``now`` (sandbox time), oldest first."""
        ...


def _share(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share from 0 to 1")
    return float(value)


class CallbackFaults:
    """Shares (0 to 1) of callbacks sent twice (``duplicate``), held back until the call's
    next callback has gone (``reorder``; the last one is then sent after the call's final
    one), or never sent (``drop``)."""

    __slots__ = ("drop", "duplicate", "reorder")

    def __init__(self, *, duplicate: float = 0.0, reorder: float = 0.0, drop: float = 0.0) -> None:
        self.duplicate = _share(duplicate, "duplicate")
        self.reorder = _share(reorder, "reorder")
        self.drop = _share(drop, "drop")


class _Watch:
    __slots__ = ("held", "record", "sent", "side")

    def __init__(self, record: CallRecord, side: CallbackSide) -> None:
        self.record = record
        self.side = side
        self.sent: set[str] = set()
        self.held: list[Callback] = []


class Deliverer:
    """Sends the watched calls' callbacks as sandbox time reaches them (one thread, so a
    call's callbacks leave in order unless ``faults`` say otherwise)."""

    def __init__(
        self,
        clock: SandboxClock,
        *,
        faults: CallbackFaults | None = None,
        seed: int = 0,
        timeout: float = 5.0,
        hosts: frozenset[str] | None = LOCAL_HOSTS,
    ) -> None:
        self.clock = clock
        self.hosts = hosts
        self.faults = faults or CallbackFaults()
        self.timeout = timeout
        self._random = random.Random(seed)
        self._watched: dict[str, _Watch] = {}
        self._log: list[Sent] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, record: CallRecord, side: CallbackSide) -> None:
        with self._lock:
            self._watched[record.id] = _Watch(record, side)

    @property
    def sent(self) -> list[Sent]:
        with self._lock:
            return list(self._log)

    def pending(self) -> int:
        """Watched calls that have callbacks still to send."""
        with self._lock:
            return len(self._watched)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="telephony-sandbox-callbacks", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.tick()

    def tick(self) -> None:
        """Send whatever is due now (the thread calls this; tests may too)."""
        now = self.clock.now()
        with self._lock:
            watches = list(self._watched.values())
        for watch in watches:
            fresh = [c for c in watch.side.callbacks(watch.record, now) if c.name not in watch.sent]
            for callback in fresh:
                watch.sent.add(callback.name)
                self._deliver(watch, callback)
            if now >= watch.record.end and not fresh:
                for late in watch.held:  # the held-back ones go last
                    self._send(late)
                watch.held.clear()
                with self._lock:
                    self._watched.pop(watch.record.id, None)

    def _deliver(self, watch: _Watch, callback: Callback) -> None:
        faults, roll = self.faults, self._random.random
        if faults.drop and roll() < faults.drop:
            with self._lock:
                self._log.append(Sent(callback, None, dropped=True))
            return
        if faults.reorder and roll() < faults.reorder:
            watch.held.append(callback)
            return
        copies = 2 if faults.duplicate and roll() < faults.duplicate else 1
        for _ in range(copies):
            self._send(callback)
        for late in watch.held:  # overtaken: they arrive after this one
            self._send(late)
        watch.held.clear()

    def _send(self, callback: Callback) -> None:
        status: int | None = None
        parts = urlsplit(callback.url)
        if self.hosts is not None and (parts.hostname or "") not in self.hosts:
            with self._lock:
                self._log.append(Sent(callback, None, skipped=True))
            return
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        try:
            connection = kind(parts.hostname or "localhost", parts.port, timeout=self.timeout)
            try:
                connection.request(
                    callback.method,
                    target,
                    body=callback.body or None,
                    headers=dict(callback.headers),
                )
                answer = connection.getresponse()
                answer.read(65536)
                status = answer.status
            finally:
                connection.close()
        except (OSError, http.client.HTTPException, ValueError):
            status = None  # vendors log and forget (Bandwidth retries async events once)
        with self._lock:
            self._log.append(Sent(callback, status))

    def wait_idle(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` wall-clock seconds) until no watched call has callbacks
        to send; True if that happened."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pending():
                return True
            time.sleep(0.01)
        return not self.pending()
