"""The HTTP server (stdlib ``ThreadingHTTPServer``) and the ``Sandbox`` that owns it."""

from __future__ import annotations

import contextlib
import json
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

from telephony.sandbox._bandwidth import API_PREFIX, TOKEN_PATH, BandwidthApi
from telephony.sandbox._clock import SandboxClock
from telephony.sandbox._exchange import Reply, Request
from telephony.sandbox._faults import DROP, RATE_LIMIT, SERVER_ERROR, SLOW, FaultPlan, Faults
from telephony.sandbox._history import History
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._mix import IdCodec, mix64
from telephony.sandbox._restcomm import DEFAULT_RING_TIMEOUT, RestcommApi
from telephony.sandbox._truth import CallTruth, truth_of

__all__ = ["Sandbox"]

_MAX_BODY = 8 * 1024 * 1024


def _bandwidth_id(position: int, digits: str) -> str:
    d = digits
    return f"c-{d[:8]}-{d[8:16]}-{d[16:20]}-{d[20:24]}-{d[24:28]}-{d[28:40]}"


def _bandwidth_digits(call_id: str) -> str | None:
    if not call_id.startswith("c-") or call_id.count("-") != 6:
        return None
    return call_id[2:].replace("-", "")


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
    """Both vendors' Calls APIs on one local HTTP server.

    ``with Sandbox(seed_calls=1000, speed=60.0) as sb:`` starts it on a free 127.0.0.1 port;
    ``telephony.connect("bandwidth", **sb.settings("bandwidth"))`` (or ``"restcomm"``)
    talks to it. ``seed_calls`` historical calls per account, computed from ``seed`` on
    demand; sandbox time runs ``speed`` times faster than the wall clock from ``start``
    (default: now) and ``advance`` jumps it forward. See the package docstring for the test
    numbers that choose a created call's outcome.
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
        restcomm_utc_offset_minutes: int = 0,
        log_requests: bool = False,
    ) -> None:
        if isinstance(seed_calls, bool) or not isinstance(seed_calls, int) or seed_calls < 0:
            raise ValueError("seed_calls must be a whole number, zero or more")
        if not 0 < history_days <= 3650:
            raise ValueError("history_days must be more than 0")
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
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

        def word(salt: int, digits: int = 32) -> str:
            text = f"{mix64(seed ^ salt):016x}{mix64(seed ^ salt ^ 0xABCDEF):016x}"
            return text[:digits]

        span = history_days * 86400.0
        app = word(1)
        self.bandwidth_account = str(9_000_000 + mix64(seed ^ 7) % 1_000_000)
        self._bandwidth_secrets = {
            "username": f"sandbox-{word(2, 8)}",
            "password": word(3, 24),
            "client_id": f"sandbox-client-{word(4, 8)}",
            "client_secret": word(5, 32),
        }
        self.application_id = f"{app[:8]}-{app[8:12]}-{app[12:16]}-{app[16:20]}-{app[20:32]}"
        bandwidth_ledger = Ledger(
            codec=IdCodec(mix64(seed ^ 11), check_digits=24),
            format_id=_bandwidth_id,
            parse_id=_bandwidth_digits,
        )
        bandwidth_ledger.attach(
            History(
                vendor="bandwidth",
                count=seed_calls,
                seed=seed,
                end=begin,
                span=span,
                id_of=bandwidth_ledger.id_of,
                ring_timeout=30.0,
            )
        )
        self.bandwidth = BandwidthApi(
            clock=self.clock,
            ledger=bandwidth_ledger,
            account_id=self.bandwidth_account,
            application_id=self.application_id,
            token_key=mix64(seed ^ 13),
            get_lag=faults.get_lag if faults is not None else 0.0,
            username=self._bandwidth_secrets["username"],
            password=self._bandwidth_secrets["password"],
            client_id=self._bandwidth_secrets["client_id"],
            client_secret=self._bandwidth_secrets["client_secret"],
        )

        self.restcomm_account = "AC" + word(6)
        self._restcomm_token = word(8)
        instance = "ID" + word(9)
        plain_below = seed_calls * 3 // 10

        def restcomm_id(position: int, digits: str) -> str:
            # Calls from before 2017 have the short SID; newer ones carry the instance id.
            return f"CA{digits}" if position < plain_below else f"{instance}-CA{digits}"

        def restcomm_digits(sid: str) -> str | None:
            return sid.rpartition("CA")[2] if "CA" in sid else None

        restcomm_ledger = Ledger(
            codec=IdCodec(mix64(seed ^ 17), check_digits=16),
            format_id=restcomm_id,
            parse_id=restcomm_digits,
        )
        restcomm_ledger.attach(
            History(
                vendor="restcomm",
                count=seed_calls,
                seed=seed,
                end=begin,
                span=span,
                id_of=restcomm_ledger.id_of,
                ring_timeout=DEFAULT_RING_TIMEOUT,
                instance=instance,
            )
        )
        self.restcomm = RestcommApi(
            clock=self.clock,
            ledger=restcomm_ledger,
            account_sid=self.restcomm_account,
            auth_token=self._restcomm_token,
            email="sandbox@example.com",
            instance_id=instance,
            utc_offset_minutes=restcomm_utc_offset_minutes,
        )

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
        return self

    def close(self) -> None:
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

    def settings(self, provider: str, *, oauth: bool = False) -> dict[str, str]:
        """The keyword arguments ``telephony.connect(provider, ...)`` needs for this sandbox."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running: use `with Sandbox() as sb:`")
        if provider == "bandwidth":
            found = {
                "base_url": f"{self.url}{API_PREFIX}",
                "account_id": self.bandwidth_account,
                "application_id": self.application_id,
            }
            if oauth:
                found["client_id"] = self._bandwidth_secrets["client_id"]
                found["client_secret"] = self._bandwidth_secrets["client_secret"]
                found["token_url"] = f"{self.url}{TOKEN_PATH}"
            else:
                found["username"] = self._bandwidth_secrets["username"]
                found["password"] = self._bandwidth_secrets["password"]
            return found
        if provider == "restcomm":
            if oauth:
                raise ValueError("Restcomm has no OAuth2: use its Basic credentials")
            return {
                "base_url": f"{self.url}/restcomm",
                "account_sid": self.restcomm_account,
                "auth_token": self._restcomm_token,
            }
        raise ValueError(f"the sandbox serves 'bandwidth' and 'restcomm', not {provider!r}")

    def truth(self, provider: str) -> list[CallTruth]:
        """What really happened to every call this provider's account holds, seeded and
        created, in creation order: whether it is over, was answered, and its talk time.
        A report built from the vendor's listing should agree with it."""
        if provider == "bandwidth":  # Bandwidth forgets calls a week after they end
            return truth_of(
                self.bandwidth.ledger,
                self.clock.now(),
                held=lambda record, now: not self.bandwidth.forgotten(record, now),
            )
        if provider == "restcomm":
            return truth_of(self.restcomm.ledger, self.clock.now())
        raise ValueError(f"the sandbox serves 'bandwidth' and 'restcomm', not {provider!r}")

    def now(self) -> datetime:
        """Sandbox time, timezone-aware UTC."""
        return datetime.fromtimestamp(self.clock.now(), UTC)

    def advance(self, seconds: float) -> None:
        """Move sandbox time forward (calls progress, Bandwidth forgets old calls)."""
        self.clock.advance(seconds)

    @property
    def request_count(self) -> int:
        """API requests answered so far (faults included)."""
        return self._requests

    # -- dispatch ----------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Reply:
        path = request.path
        if path.startswith("/bandwidth/"):
            api: BandwidthApi | RestcommApi = self.bandwidth
        elif path.startswith("/restcomm/"):
            api = self.restcomm
        else:
            return Reply(404, b"Not found: the sandbox serves /bandwidth/ and /restcomm/\n")
        if path != TOKEN_PATH:
            with self._requests_lock:
                self._requests += 1
            if self._plan is not None:
                fault = self._fault(api)
                if fault is not None:
                    return fault
        try:
            return api.handle(request)
        except Exception:  # a sandbox bug: answer like a server would, and show it
            traceback.print_exc()
            if api is self.bandwidth:
                body = {"type": "internal-server-error", "description": "Internal error"}
                return Reply(500, json.dumps(body).encode(), [("Content-Type", "application/json")])
            return Reply(500, b"java.lang.NullPointerException", [("Content-Type", "text/plain")])

    def _fault(self, api: BandwidthApi | RestcommApi) -> Reply | None:
        assert self._plan is not None
        kind, roll = self._plan.next()
        faults = self._plan.faults
        bandwidth = api is self.bandwidth
        if kind == DROP:
            return Reply(0, drop=True)
        if kind == SLOW:
            time.sleep(faults.slow_seconds)
            return None
        if kind == RATE_LIMIT:
            retry = ("Retry-After", str(faults.retry_after))
            if bandwidth:
                body = {"type": "rate-limit", "description": "Too many requests", "id": None}
                headers = [("Content-Type", "application/json"), retry]
                return Reply(429, json.dumps(body).encode(), headers)
            return Reply(429, b"", [retry])
        if kind == SERVER_ERROR:
            if bandwidth:
                body = {"type": "internal-server-error", "description": "Try again", "id": None}
                status = 500
                if roll & 1:  # Bandwidth's documented overload answer
                    body = {"type": "system-overloaded", "description": "Try later", "id": None}
                    status = 503
                return Reply(
                    status, json.dumps(body).encode(), [("Content-Type", "application/json")]
                )
            if roll & 1:
                return Reply(503)
            return Reply(500, b"java.lang.NullPointerException", [("Content-Type", "text/plain")])
        return None
