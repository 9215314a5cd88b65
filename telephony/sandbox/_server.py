"""The HTTP server (stdlib ``ThreadingHTTPServer``) and the ``Sandbox`` that owns it."""

from __future__ import annotations

import contextlib
import math
import socket
import sys
import threading
import time
import traceback
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from telephony.sandbox._clock import SandboxClock
from telephony.sandbox._delivery import LOCAL_HOSTS, CallbackFaults, Deliverer, Sent
from telephony.sandbox._exchange import Reply, Request
from telephony.sandbox._faults import DROP, RATE_LIMIT, SERVER_ERROR, SLOW, FaultPlan, Faults
from telephony.sandbox._side import Side, SideContext
from telephony.sandbox._sides import SIDES
from telephony.sandbox._truth import CallTruth, truth_of

__all__ = ["Sandbox"]

_MAX_BODY = 8 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    sandbox: Sandbox

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (its timeout passed during a slow answer) is no server fault:
        # say nothing, as a real server would. Anything else is printed as before.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "telephony-sandbox"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms ACK stalls
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.sandbox.log_requests:
            sys.stderr.write(f"sandbox: {format % args}\n")

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length else b""

    def _answer(self) -> None:
        try:
            body = self._body()
        except ValueError:
            self.send_error(400, "Bad request body")
            return
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = Request(
            method=self.command,
            path=unquote(parts.path),
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            origin=f"http://{host}",
        )
        reply = self.server.sandbox.dispatch(request)
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD" and reply.body:
            self.wfile.write(reply.body)


for _verb in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
    # BaseHTTPRequestHandler looks for do_<VERB>: every verb goes to the vendor's router.
    setattr(_Handler, f"do_{_verb}", _Handler._answer)


class Sandbox:
    """Every vendor's Calls API (one side each, see ``_sides.SIDES``) on one local HTTP
    server.

    ``with Sandbox(seed_calls=1000, speed=60.0) as sb:`` starts it on a free 127.0.0.1 port;
    ``telephony.connect("bandwidth", **sb.settings("bandwidth"))`` (or ``"restcomm"``)
    talks to it. ``seed_calls`` historical calls per account, computed from ``seed`` on
    demand; sandbox time runs ``speed`` times faster than the wall clock from ``start``
    (default: now) and ``advance`` jumps it forward. A side's own options (such as
    ``restcomm_utc_offset_minutes``) are keyword arguments too. See the package docstring for
    the test numbers that choose a created call's outcome.
    """

    def __init__(
        self,
        *,
        seed_calls: int = 1000,
        speed: float = 60.0,
        seed: int = 0,
        port: int = 0,
        host: str = "127.0.0.1",
        faults: Faults | None = None,
        start: datetime | None = None,
        history_days: float = 6.0,
        log_requests: bool = False,
        callback_faults: CallbackFaults | None = None,
        callback_hosts: frozenset[str] | None = LOCAL_HOSTS,
        **side_options: Any,
    ) -> None:
        if isinstance(seed_calls, bool) or not isinstance(seed_calls, int) or seed_calls < 0:
            raise ValueError("seed_calls must be a whole number, zero or more")
        if not 0 < history_days <= 3650:
            raise ValueError("history_days must be more than 0")
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        known = {name for side in SIDES for name in side.OPTIONS}
        unknown = sorted(set(side_options) - known)
        if unknown:
            raise TypeError(f"Sandbox() got unexpected keyword arguments: {', '.join(unknown)}")
        self.host = host
        self.port = port
        self.seed = seed
        self.faults = faults
        self.log_requests = log_requests
        begin = math.floor(time.time()) if start is None else start.timestamp()
        self.clock = SandboxClock(start=begin, speed=speed)
        self._plan = FaultPlan(faults, seed=seed) if faults is not None else None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._requests = 0
        self._requests_lock = threading.Lock()
        self.sides: dict[str, Side] = {}
        """Each vendor's side, by provider name."""
        for factory in SIDES:
            options = {
                name: side_options.get(name, value) for name, value in factory.OPTIONS.items()
            }
            context = SideContext(
                seed=seed,
                seed_calls=seed_calls,
                clock=self.clock,
                end=begin,
                span=history_days * 86400.0,
                faults=faults,
                options=options,
            )
            side = factory.build(context)
            self.sides[side.name] = side
        # Status callbacks of created calls: each side says how, the deliverer sends them
        # (only to ``callback_hosts``: this machine by default; None for anywhere).
        self.deliverer = Deliverer(
            self.clock, faults=callback_faults, seed=seed, hosts=callback_hosts
        )
        for side in self.sides.values():
            side.deliver_callbacks(self.deliverer, lambda: self.url)

    def __repr__(self) -> str:
        state = self.url if self._server is not None else "stopped"
        return f"Sandbox({state}, seed={self.seed})"

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), self)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"telephony-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self.deliverer.start()
        return self

    def close(self) -> None:
        self.deliverer.close()
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with server.connections_lock:
            open_connections = list(server.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- what clients need -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def side(self, provider: str) -> Side:
        """The side serving ``provider``; ValueError for a vendor the sandbox does not serve."""
        found = self.sides.get(provider)
        if found is None:
            served = " and ".join(repr(name) for name in self.sides)
            raise ValueError(f"the sandbox serves {served}, not {provider!r}")
        return found

    def __getattr__(self, name: str) -> Side:
        # ``sb.<provider>`` is the side, as ``sb.side(provider)`` (e.g. ``.ledger``).
        sides = self.__dict__.get("sides", {})
        if name in sides:
            return sides[name]  # type: ignore[no-any-return]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def settings(self, provider: str, *, oauth: bool = False) -> dict[str, str]:
        """The keyword arguments ``telephony.connect(provider, ...)`` needs for this sandbox."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running: use `with Sandbox() as sb:`")
        return self.side(provider).settings(self.url, oauth=oauth)

    def banner(self) -> list[str]:
        """Every side's settings, as ``serve`` prints them."""
        return [line for side in self.sides.values() for line in side.banner(self.url)]

    def truth(self, provider: str) -> list[CallTruth]:
        """What really happened to every call this provider's account holds, seeded and
        created, in creation order: whether it is over, was answered, and its talk time.
        A report built from the vendor's listing should agree with it."""
        side = self.side(provider)
        return truth_of(side.ledger, self.clock.now(), held=side.held)

    def now(self) -> datetime:
        """Sandbox time, timezone-aware UTC."""
        return datetime.fromtimestamp(self.clock.now(), UTC)

    def advance(self, seconds: float) -> None:
        """Move sandbox time forward (calls progress, Bandwidth forgets old calls)."""
        self.clock.advance(seconds)

    @property
    def callbacks_sent(self) -> list[Sent]:
        """Every status callback delivered so far (or dropped, or skipped), oldest first."""
        return self.deliverer.sent

    def wait_for_callbacks(self, timeout: float = 10.0) -> bool:
        """Wait (at most ``timeout`` wall-clock seconds) until every created call has ended
        and its callbacks have gone; True if they have. ``advance`` ends calls sooner."""
        return self.deliverer.wait_idle(timeout)

    @property
    def request_count(self) -> int:
        """API requests answered so far (faults included)."""
        return self._requests

    # -- dispatch ----------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Reply:
        side = next((s for s in self.sides.values() if request.path.startswith(s.prefix)), None)
        if side is None:
            prefixes = " and ".join(s.prefix for s in self.sides.values())
            return Reply(404, f"Not found: the sandbox serves {prefixes}\n".encode())
        if side.counted(request):
            with self._requests_lock:
                self._requests += 1
            if self._plan is not None:
                fault = self._fault(side)
                if fault is not None:
                    return fault
        try:
            return side.handle(request)
        except Exception:  # a sandbox bug: answer like a server would, and show it
            traceback.print_exc()
            return side.internal_error()

    def _fault(self, side: Side) -> Reply | None:
        assert self._plan is not None
        kind, roll = self._plan.next()
        faults = self._plan.faults
        if kind == DROP:
            return Reply(0, drop=True)
        if kind == SLOW:
            time.sleep(faults.slow_seconds)
            return None
        if kind == RATE_LIMIT:
            return side.rate_limited(faults.retry_after)
        if kind == SERVER_ERROR:
            return side.server_error(roll)
        return None
