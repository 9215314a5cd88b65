"""Receiving status callbacks: a ``CallTracker`` that folds events into each call's state,
and WSGI / ASGI apps that verify, parse and hand each event to your function, with no web
framework needed (mounting in Flask, Django or FastAPI: README.md beside this file).

    import telephony
    from telephony.webhooks import CallTracker, WSGIApp

    tracker = CallTracker(client=telephony.connect("restcomm", ...))
    app = WSGIApp(tracker.feed, provider="restcomm", path_secret="8f3a1c", account_sid="AC...")
"""

from telephony.webhooks._receiver import ASGIApp, Handler, Receiver, WSGIApp
from telephony.webhooks._tracker import CallReader, CallState, CallTracker

__all__ = [
    "ASGIApp",
    "CallReader",
    "CallState",
    "CallTracker",
    "Handler",
    "Receiver",
    "WSGIApp",
]
