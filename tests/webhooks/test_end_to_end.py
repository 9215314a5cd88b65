"""End to end: the sandbox places calls of every outcome on both vendors and delivers their
status callbacks, duplicated and reordered, to a real local HTTP server (stdlib ``wsgiref``)
running the WSGI receiver; trackers fold the events, and each call's final state equals what
``get_call`` reports."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

import telephony
from telephony.adapters.bandwidth import BandwidthOptions
from telephony.sandbox import CallbackFaults, Sandbox
from telephony.webhooks import CallTracker, WSGIApp

OUTCOMES = [f"+1555010000{n}" for n in range(1, 8)]  # every test number; ...7 is hung up
SECRET = "k9d2f7"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Receiver:
    """The application's side: a WSGI receiver on a real port, one tracker per provider."""

    def __init__(self) -> None:
        self.trackers: dict[str, CallTracker] = {}
        self.folded: list[tuple[telephony.CallEvent, Any]] = []
        self.app = WSGIApp(self.on_event)

    def on_event(self, event: telephony.CallEvent) -> None:
        self.folded.append((event, self.trackers[event.provider].feed(event)))


@pytest.fixture
def receiver() -> Iterator[tuple[str, Receiver]]:
    found = Receiver()
    server: WSGIServer = make_server("127.0.0.1", 0, found.app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", found
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()


def test_every_outcome_on_both_vendors_through_duplicates_and_reordering(
    receiver: tuple[str, Receiver],
) -> None:
    url, app = receiver
    trackers, folded = app.trackers, app.folded
    faults = CallbackFaults(duplicate=0.4, reorder=0.4)
    with Sandbox(seed_calls=0, speed=30.0, seed=5, callback_faults=faults) as sb:
        bandwidth = telephony.connect("bandwidth", **sb.settings("bandwidth"))
        restcomm = telephony.connect("restcomm", **sb.settings("restcomm"))
        trackers["bandwidth"] = CallTracker(client=bandwidth)
        trackers["restcomm"] = CallTracker(client=restcomm)
        app.app.checks.update(
            bandwidth={"username": "hooks", "password": "pw-0"},
            restcomm={"path_secret": SECRET, "account_sid": sb.settings("restcomm")["account_sid"]},
        )
        placed: dict[str, list[str]] = {"bandwidth": [], "restcomm": []}
        for number in OUTCOMES:
            call = bandwidth.create_call(
                telephony.NewCall(
                    to=number,
                    from_="+15557654321",
                    answer_url=f"{url}/bandwidth/answer",
                    status_callback_url=f"{url}/bandwidth/status",
                    options=BandwidthOptions(username="hooks", password="pw-0"),
                )
            )
            placed["bandwidth"].append(call.id)
            call = restcomm.create_call(
                telephony.NewCall(
                    to=number,
                    from_="+15557654321",
                    answer_url="https://app.example/rcml",
                    status_callback_url=f"{url}/restcomm/{SECRET}/status",
                )
            )
            placed["restcomm"].append(call.id)
        sb.advance(10)  # every call is past its answer; ...0007 is talking
        for client, ids in ((bandwidth, placed["bandwidth"]), (restcomm, placed["restcomm"])):
            client.hangup(ids[-1])
        sb.advance(600)  # everything else ends (ring timeouts included)
        assert sb.wait_for_callbacks(timeout=60)

        sent = sb.callbacks_sent
        deliveries = Counter((s.callback.call_id, s.callback.name) for s in sent)
        assert max(deliveries.values()) >= 2  # duplicates were sent...
        assert any(state is None for _, state in folded)  # ...and each was folded in once
        assert _overtaken(sent)  # some callbacks arrived after a later one of their call
        assert all(s.status == 200 for s in sent)  # every one accepted: checks passed

        for provider, client in (("bandwidth", bandwidth), ("restcomm", restcomm)):
            tracker = trackers[provider]
            for call_id in placed[provider]:
                record = client.get_call(call_id)
                state = tracker.get(call_id, provider=provider)
                assert state is not None, (provider, record.to)
                if not state.is_terminal:
                    # Restcomm sends no `completed` for a leg that rang out: only the record
                    # says it ended, and settle reads it.
                    assert (provider, record.status) == ("restcomm", telephony.CallStatus.NO_ANSWER)
                    state = tracker.settle(call_id, provider=provider)
                    assert state is not None
                assert (state.status, state.is_terminal) == (record.status, True), record.to
                assert (state.answered_at is not None) == (record.answered_at is not None)
                assert state.direction is record.direction
        bandwidth.close()
        restcomm.close()


def _overtaken(sent: list[Any]) -> bool:
    last: dict[str, float] = {}
    for s in sent:
        call, due = s.callback.call_id, s.callback.due
        if due < last.get(call, float("-inf")):
            return True
        last[call] = max(due, last.get(call, due))
    return False
