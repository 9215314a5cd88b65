"""A small threaded HTTP server on 127.0.0.1 that serves pre-rendered vendor pages.

Run as its own process (``python benchmarks/server.py ...``) so that serving costs the timed
client nothing: it prints one JSON line ``{"origin": ...}`` once it listens, and stops when its
standard input closes. Every page body is rendered once, before the first request; a request
only looks a body up and writes it with its headers in one ``sendall``.

``--virtual-calls`` makes the Bandwidth listing longer than the pages built: pages are reused
in turn (same bodies, new page tokens), so a million-call stream costs the server no memory.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pages import (
    ACCOUNT_SID,
    BANDWIDTH_PATH,
    RESTCOMM_PATH,
    bandwidth_pages,
    bandwidth_records,
    restcomm_pages,
)

__all__ = [
    "BANDWIDTH_PASSWORD",
    "BANDWIDTH_USER",
    "RESTCOMM_TOKEN",
    "PageServer",
    "main",
    "page_server_process",
]

BANDWIDTH_USER = "bench-user"
BANDWIDTH_PASSWORD = "bench-password"
RESTCOMM_TOKEN = "bench-token"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class PageServer:
    """Builds every page, then serves them until ``close()``."""

    def __init__(self, *, calls: int, page_size: int, seed: int, virtual_calls: int) -> None:
        self.page_size = page_size
        self.virtual_calls = max(virtual_calls, calls)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        pages = bandwidth_pages(
            bandwidth_records(calls, seed=seed), page_size=page_size, origin=self.origin
        )
        # In token order: the body of page n is bandwidth_bodies[n % len].
        self.bandwidth_bodies = [page.body for page in pages.values()]
        self.restcomm_bodies = restcomm_pages(calls, page_size=page_size, seed=seed)
        self.bandwidth_auth = _basic(BANDWIDTH_USER, BANDWIDTH_PASSWORD)
        self.restcomm_auth = _basic(ACCOUNT_SID, RESTCOMM_TOKEN)
        self._httpd.pages = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def bandwidth(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        token = query.get("pageToken", ["tok00000"])[0]
        try:
            number = int(token.removeprefix("tok"))
        except ValueError:
            return 400, _JSON, b'{"type":"validation","description":"bad pageToken"}'
        body = self.bandwidth_bodies[number % len(self.bandwidth_bodies)]
        headers = dict(_JSON)
        if (number + 1) * self.page_size < self.virtual_calls:
            next_query = f"pageSize={self.page_size}&pageToken=tok{number + 1:05d}"
            link = f"{self.origin}{BANDWIDTH_PATH}?{next_query}"
            headers["Link"] = f'<{link}>; rel="next"'
        return 200, headers, body

    def restcomm(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        try:
            number = int(query.get("Page", ["0"])[0])
            size = int(query.get("PageSize", ["50"])[0])
        except ValueError:
            return 400, {}, b""
        if size != self.page_size:
            return 400, {}, b"this benchmark server only has pages of %d" % self.page_size
        if not 0 <= number < len(self.restcomm_bodies):
            return 400, {}, b""  # what Restcomm answers past the last page
        return 200, {"Content-Type": "application/xml;charset=UTF-8"}, self.restcomm_bodies[number]


_JSON = {"Content-Type": "application/json"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real APIs and every contestant use
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        pages: PageServer = self.server.pages  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        auth = self.headers.get("Authorization")
        if parts.path == BANDWIDTH_PATH:
            answer = pages.bandwidth(query) if auth == pages.bandwidth_auth else None
        elif parts.path == RESTCOMM_PATH:
            answer = pages.restcomm(query) if auth == pages.restcomm_auth else None
        else:
            self._reply(404, {}, b"")
            return
        if answer is None:
            self._reply(401, {"WWW-Authenticate": 'Basic realm="bench"'}, b"")
            return
        self._reply(*answer)

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + body)  # one write: no Nagle/delayed-ACK stall between parts

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: a log line per page would cost more than the page


@contextmanager
def page_server_process(
    *, calls: int, page_size: int, seed: int, virtual_calls: int = 0
) -> Iterator[str]:
    """Run the server in a child process for the ``with`` block; gives its origin URL."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        f"--calls={calls}",
        f"--page-size={page_size}",
        f"--seed={seed}",
        f"--virtual-calls={virtual_calls}",
    ]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdin is not None
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("the page server did not start (see its error above)")
        yield json.loads(line)["origin"]
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--virtual-calls", type=int, default=0)
    args = parser.parse_args(argv)
    server = PageServer(
        calls=args.calls,
        page_size=args.page_size,
        seed=args.seed,
        virtual_calls=args.virtual_calls,
    )
    server.start()
    print(json.dumps({"origin": server.origin}), flush=True)
    sys.stdin.read()  # until the parent closes our input (or dies)
    server.close()


if __name__ == "__main__":
    main()
