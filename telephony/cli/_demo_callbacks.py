"""The demo's webhook part: a receiver on a free local port (the WSGI app under stdlib
``wsgiref``) that the sandbox calls back as the demo's calls progress, one ``CallTracker`` per
provider folding the events, and what it prints: the events as they came, and whether each
call's state from its callbacks equals what ``get_call`` says."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Self, TextIO

from telephony._callbacks import CallEvent
from telephony._models import Call

__all__ = ["CallbackFeed"]


class CallbackFeed:
    """``with CallbackFeed(clients) as feed:`` serves ``feed.url(provider, "status")``."""

    def __init__(self, clients: dict[str, Any]) -> None:
        from telephony.webhooks import CallTracker, WSGIApp

        self.events: list[CallEvent] = []
        self.repeats = 0
        self._lock = threading.Lock()
        self.trackers = {name: CallTracker(client=client) for name, client in clients.items()}
        self.app = WSGIApp(self._on_event)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def _on_event(self, event: CallEvent) -> None:
        state = self.trackers[event.provider].feed(event)
        with self._lock:
            self.events.append(event)
            self.repeats += state is None

    def url(self, provider: str, name: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/{provider}/{name}"

    def __enter__(self) -> Self:
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = make_server("127.0.0.1", 0, self.app, handler_class=Quiet)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def write(self, out: TextIO, calls: list[Call]) -> None:
        """The events received, then each placed call's tracked state against ``calls``
        (their states read with ``get_call``)."""
        with self._lock:
            events = list(self.events)
        out.write(
            f"status callbacks received: {len(events)} ({self.repeats} repeats folded once)\n"
        )
        for event in events:
            status = "-" if event.status is None else str(event.status)
            over = "ended" if event.is_terminal else ""
            line = (
                f"  {event.provider:<10} {event.call_id[-12:]:>12}  {event.event:<11} "
                f"{status:<12} {over}"
            )
            out.write(line.rstrip() + "\n")
        agree = 0
        for call in calls:
            tracker = self.trackers[call.provider]
            state = tracker.get(call.id, provider=call.provider)
            if state is not None and not (state.is_terminal and state.settled):
                state = tracker.settle(call.id, provider=call.provider)  # no `completed` sent
            agree += state is not None and state.status is call.status
        out.write(
            f"each call's state from its callbacks equals get_call: {agree} of {len(calls)}\n"
        )
