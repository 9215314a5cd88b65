"""A local server that speaks Bandwidth's and Restcomm's Calls APIs, for trying the library
(and the ``telephony`` command) with no vendor account, and for tests and benchmarks.

    with telephony.sandbox.Sandbox(seed_calls=1000, speed=60.0, seed=0) as sb:
        client = telephony.connect("bandwidth", **sb.settings("bandwidth"))
        client = telephony.connect("restcomm", **sb.settings("restcomm"))

Bandwidth lives under ``{sb.url}/bandwidth/api/v2`` (OAuth2 tokens at
``/bandwidth/api/v1/oauth2/token``: ``sb.settings("bandwidth", oauth=True)``), Restcomm under
``{sb.url}/restcomm/2012-04-24/Accounts/{sid}/Calls``. It follows the vendors' documented and
observed behaviour, not this library's adapters, so an adapter's misreading fails against it.

A created call waits 2 s (sandbox time) in the queue, then rings; what happens next depends
on the number called:

    +15550100001  answers after 5 s ringing, talks 30 s, hangs up       completed
    +15550100002  busy after 3 s                                        busy
    +15550100003  rings until the ring timeout (Bandwidth callTimeout   no-answer
                  30 s, Restcomm Timeout 60 s by default)
    +15550100004  rejects after 4 s (Restcomm reports it as busy)       rejected
    +15550100005  fails after 1 s                                       failed
    +15550100006  rings 10 s, then the caller gives up                  canceled
    +15550100007  answers after 5 s and stays up for an hour            in progress
    anything else behaves like +15550100001.

Sandbox time runs ``speed`` times faster than the wall clock (``speed=60``: a 30 s call
takes half a second); ``sb.advance(seconds)`` jumps ahead. Hang-up, cancel, redirect and BXML
replacement act on live calls as each vendor does. ``faults=Faults(...)`` injects rate
limits, server errors, slow answers and dropped connections. Seeded calls (``seed_calls``
per account, up to millions) are computed on demand from ``seed``, so they cost no memory
and are the same on every run with the same seed and ``start``.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from telephony.sandbox._calls import TEST_NUMBERS
from telephony.sandbox._delivery import CallbackFaults
from telephony.sandbox._faults import Faults
from telephony.sandbox._server import Sandbox
from telephony.sandbox._side import Side, SideContext
from telephony.sandbox._truth import CallTruth

__all__ = [
    "TEST_NUMBERS",
    "CallTruth",
    "CallbackFaults",
    "Faults",
    "Sandbox",
    "Side",
    "SideContext",
    "serve",
]

DEFAULT_PORT = 8765


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    seed_calls: int = 1000,
    speed: float = 60.0,
    seed: int = 0,
    faults: Faults | None = None,
    log_requests: bool = False,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run the sandbox until interrupted (Ctrl+C) or until ``stop`` is set, after printing
    the settings each provider needs. Returns 0, for use as an exit status."""
    out = sys.stdout if out is None else out
    sandbox = Sandbox(
        seed_calls=seed_calls,
        speed=speed,
        seed=seed,
        port=port,
        host=host,
        faults=faults,
        log_requests=log_requests,
    )
    with sandbox:
        out.write(f"telephony sandbox listening on {sandbox.url}\n")
        out.write(f"  {seed_calls} seeded calls per account, time runs x{speed:g}\n")
        for line in sandbox.banner():
            out.write(f"  {line}\n")
        out.write("  test numbers:\n")
        for number, meaning in TEST_NUMBERS.items():
            out.write(f"    {number}  {meaning}\n")
        out.write("Press Ctrl+C to stop.\n")
        out.flush()
        waiter = stop if stop is not None else threading.Event()
        try:
            while not waiter.wait(0.2):
                pass
        except KeyboardInterrupt:
            out.write("stopped\n")
    return 0
