"""A small threaded HTTP server on 127.0.0.1 that serves pre-rendered vendor pages.

Run as its own process (``python benchmarks/server.py ...``) so that serving costs the timed
client nothing: it prints one JSON line ``{"origin": ...}`` once it listens, and stops when its
standard input closes. Every page body is rendered once, before the first request; a request
only looks a body up and writes it with its headers in one ``sendall``.

"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import threading
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pages import (
    ACCOUNT_SID,
    BANDWIDTH_LISTING_CAP,
    BANDWIDTH_PATH,
    RESTCOMM_PATH,
    bandwidth_bodies,
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
    """Builds the pages, then serves them until ``close()``.

    Bandwidth's side behaves as the vendor documents: at most ``BANDWIDTH_LISTING_CAP`` calls
    per query, oldest first, ``minStartTime`` inclusive, an opaque ``pageToken`` in the
    ``Link`` of every page but a query's last. The answer to a query is rendered once, the
    first time it is asked (the untimed warm-up round), and kept.
    """

    def __init__(self, *, calls: int, page_size: int, seed: int) -> None:
        self.page_size = page_size
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._records = bandwidth_records(calls, seed=seed)
        # Start times increase with creation order here, so a bound is a bisection.
        self._starts = [datetime.fromisoformat(str(r["startTime"])) for r in self._records]
        self._queries: dict[int, list[bytes]] = {}
        self._lock = threading.Lock()
        self._query_pages(0)
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

    def _query_pages(self, first: int) -> list[bytes]:
        """The pages answering a query whose first match is record ``first``."""
        with self._lock:
            pages = self._queries.get(first)
            if pages is None:
                chunk = self._records[first : first + BANDWIDTH_LISTING_CAP]
                pages = bandwidth_bodies(chunk, page_size=self.page_size)
                self._queries[first] = pages
            return pages

    def bandwidth(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        try:
            if "pageToken" in query:
                first_text, _, number_text = query["pageToken"][0].partition(".")
                first, number = int(first_text), int(number_text)
            else:
                if int(query.get("pageSize", ["1000"])[0]) != self.page_size:
                    return 400, _JSON, b'{"type":"validation","description":"pageSize"}'
                bound = query.get("minStartTime")
                moment = datetime.fromisoformat(bound[0]) if bound else None
                first = 0 if moment is None else bisect_left(self._starts, moment)
                number = 0
        except ValueError:
            return 400, _JSON, b'{"type":"validation","description":"bad query"}'
        pages = self._query_pages(first)
        if not 0 <= number < len(pages):
            return 400, _JSON, b'{"type":"validation","description":"bad pageToken"}'
        headers = dict(_JSON)
        if number + 1 < len(pages):
            next_query = f"pageSize={self.page_size}&pageToken={first}.{number + 1}"
            headers["Link"] = f'<{self.origin}{BANDWIDTH_PATH}?{next_query}>; rel="next"'
        return 200, headers, pages[number]

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
def page_server_process(*, calls: int, page_size: int, seed: int) -> Iterator[str]:
    """Run the server in a child process for the ``with`` block; gives its origin URL."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        f"--calls={calls}",
        f"--page-size={page_size}",
        f"--seed={seed}",
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
    args = parser.parse_args(argv)
    server = PageServer(calls=args.calls, page_size=args.page_size, seed=args.seed)
    server.start()
    print(json.dumps({"origin": server.origin}), flush=True)
    sys.stdin.read()  # until the parent closes our input (or dies)
    server.close()


if __name__ == "__main__":
    main()
