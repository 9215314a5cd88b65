"""Prism (Stoplight's OpenAPI mock and validating proxy) for tests: install it once into the
repository's ``.prism/`` cache, run it on a free 127.0.0.1 port, stop it by process id, and
read the spec violations it reports about each exchange.

Fixtures live in ``conftest.py``; this module holds the machinery so tests elsewhere (e.g. the
sandbox's proxy validation) can import the violation helpers.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

__all__ = [
    "PRISM_PACKAGE",
    "PRISM_VERSION",
    "REPO_ROOT",
    "SPEC",
    "AsyncRecordingTransport",
    "Exchange",
    "PrismServer",
    "ProxyFactory",
    "RecordingTransport",
    "assert_no_violations",
    "free_port",
    "install_prism",
    "running_prism",
    "violations",
]

PRISM_PACKAGE = "@stoplight/prism-cli"
PRISM_VERSION = "5.16.0"
REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".prism"
SPEC = Path(__file__).resolve().with_name("bandwidth-calls.yml")

INSTALL_TIMEOUT = 600.0  # seconds; a cold npm install takes ~15 s
READY_TIMEOUT = 30.0  # Prism parses the spec and listens within 1-3 s
STOP_TIMEOUT = 10.0


def _package_dir(cache: Path) -> Path:
    return cache.joinpath("node_modules", *PRISM_PACKAGE.split("/"))


def _installed_entry(cache: Path) -> Path | None:
    """Prism's node entry script if the pinned version is in ``cache``, else None."""
    manifest = _package_dir(cache) / "package.json"
    try:
        meta = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("version") != PRISM_VERSION:
        return None
    bin_field = meta.get("bin")
    relative = bin_field.get("prism") if isinstance(bin_field, dict) else bin_field
    if not isinstance(relative, str):
        return None
    entry = _package_dir(cache) / relative
    return entry if entry.is_file() else None


def _require(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(
            f"the Prism tests need Node.js: `{tool}` is not on PATH. Install Node.js (with npm); "
            f"the tests install {PRISM_PACKAGE}@{PRISM_VERSION} into .prism/ themselves.",
            pytrace=False,
        )
    return found


def install_prism(cache: Path = CACHE_DIR) -> tuple[str, Path]:
    """``(node, entry_script)`` for the pinned Prism, installing it into ``cache`` if needed.

    Fails the test (never skips) when node or npm is missing: CI has them. A file lock keeps
    two test sessions from installing at once.
    """
    node = _require("node")
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entry = _installed_entry(cache)
        if entry is None:
            npm = _require("npm")
            command = [
                npm,
                "install",
                "--save-exact",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(cache),
                f"{PRISM_PACKAGE}@{PRISM_VERSION}",
            ]
            try:
                done = subprocess.run(
                    command,
                    capture_output=True,
                    text=True,
                    timeout=INSTALL_TIMEOUT,
                    check=False,
                    stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired:
                pytest.fail(f"npm install of Prism took over {INSTALL_TIMEOUT:g} s", pytrace=False)
            entry = _installed_entry(cache)
            if done.returncode != 0 or entry is None:
                pytest.fail(
                    f"could not install {PRISM_PACKAGE}@{PRISM_VERSION} with npm "
                    f"(exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}",
                    pytrace=False,
                )
    return node, entry


def _env_without_proxies() -> dict[str, str]:
    # Prism must reach a 127.0.0.1 upstream directly, whatever proxy the shell names.
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@attrs.define
class PrismServer:
    """One Prism process (``mock`` or ``proxy``) on 127.0.0.1; ``url`` is its base URL."""

    args: Sequence[str]
    log_path: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, size: int = 3000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-size:]
        except OSError:
            return ""

    def start(self, node: str, entry: Path, *, attempts: int = 3) -> None:
        # The free port can be taken between probing and Prism binding it: try a few ports.
        for _ in range(attempts):
            self.port = free_port()
            command = [node, str(entry), *self.args, "-h", "127.0.0.1", "-p", str(self.port)]
            with self.log_path.open("ab") as log:
                # Started directly (no npx/shell wrapper) so its pid is the server's pid.
                self.process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=REPO_ROOT,
                    env=_env_without_proxies(),
                )
            if self._wait_ready():
                return
            if self.process.poll() is None:
                self.stop()
                break  # alive but never answered: not a port clash
        pytest.fail(
            f"Prism ({' '.join(self.args[:1])}) did not start within {READY_TIMEOUT:g} s:\n"
            f"{self.log_tail()}",
            pytrace=False,
        )

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT
        with httpx.Client(timeout=1.0, trust_env=False) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False
                try:
                    http.get(f"{self.url}/")  # any HTTP answer (Prism says 404) means ready
                except httpx.TransportError:
                    time.sleep(0.1)
                else:
                    return True
        return False

    def stop(self) -> None:
        """Stop the process by its id and check that nothing listens on the port any more."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _port_open(self.port):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"port {self.port} still open after Prism (pid {process.pid}) stopped"
                )
            time.sleep(0.1)


# What the ``prism_proxy`` fixture gives: upstream base URL in, running validating proxy out.
ProxyFactory = Callable[[str], PrismServer]


@contextlib.contextmanager
def running_prism(
    node: str, entry: Path, args: Sequence[str], log_path: Path
) -> Iterator[PrismServer]:
    server = PrismServer(args=list(args), log_path=log_path)
    server.start(node, entry)
    try:
        yield server
    finally:
        server.stop()


# -- what Prism says about an exchange ----------------------------------------------------------

_PRISM_PROBLEM = "https://stoplight.io/prism/errors#"


def violations(response: httpx.Response) -> list[dict[str, Any]]:
    """Every spec violation Prism reported for this exchange.

    Prism lists them in the ``sl-violations`` header (JSON array); with ``--errors`` or when
    it refuses a request itself it answers a problem document whose ``validation`` list holds
    them instead. Either way they are returned here.
    """
    found: list[dict[str, Any]] = []
    header = response.headers.get("sl-violations")
    if header:
        parsed = json.loads(header)
        found.extend(parsed if isinstance(parsed, list) else [parsed])
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        try:
            content = response.content
        except httpx.ResponseNotRead:
            content = response.read()
        problem = json.loads(content)
        if isinstance(problem, dict) and str(problem.get("type", "")).startswith(_PRISM_PROBLEM):
            listed = problem.get("validation")
            found.extend(listed if isinstance(listed, list) else [problem])
    return found


@attrs.frozen
class Exchange:
    request: httpx.Request
    response: httpx.Response

    @property
    def violations(self) -> list[dict[str, Any]]:
        return violations(self.response)

    def __str__(self) -> str:
        return f"{self.request.method} {self.request.url} -> {self.response.status_code}"


def assert_no_violations(exchanges: Sequence[Exchange]) -> None:
    """Fail listing each exchange Prism found fault with (and fail if nothing was sent)."""
    assert exchanges, "no request reached Prism"
    bad = {str(exchange): exchange.violations for exchange in exchanges if exchange.violations}
    assert not bad, f"Prism reported spec violations: {json.dumps(bad, indent=1)}"


@cache
def _tls_context() -> ssl.SSLContext:
    # Loading CA certificates costs ~25 ms per transport; Prism is plain HTTP anyway.
    return ssl.create_default_context()


def _prepare(request: httpx.Request, prefer: str | None, route: tuple[str, str] | None) -> None:
    if prefer is not None:
        request.headers["Prefer"] = prefer
    if route is not None:
        source, target = (base.rstrip("/") for base in route)
        url = str(request.url)
        if url == source or url.startswith((source + "/", source + "?")):
            request.url = httpx.URL(target + url[len(source) :])
            request.headers["Host"] = request.url.netloc.decode("ascii")


class RecordingTransport(httpx.BaseTransport):
    """Sends through a real HTTP transport and keeps every exchange.

    ``prefer`` sets Prism's ``Prefer`` header (e.g. ``"code=404"``) to force a declared
    answer. ``route=(server_base, proxy_base)`` sends requests under ``server_base`` to the
    Prism proxy instead: the client keeps talking to the server's own URLs (so the server's
    absolute ``Link`` URLs stay same-origin) while Prism checks every exchange; requests
    elsewhere (e.g. an OAuth2 token URL outside the spec) go straight to their host.
    """

    def __init__(self, prefer: str | None = None, route: tuple[str, str] | None = None) -> None:
        self.inner = httpx.HTTPTransport(verify=_tls_context())
        self.prefer = prefer
        self.route = route
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _prepare(request, self.prefer, self.route)
        response = self.inner.handle_request(request)
        self.exchanges.append(Exchange(request, response))
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncRecordingTransport(httpx.AsyncBaseTransport):
    """The ``AsyncClient`` twin of ``RecordingTransport``."""

    def __init__(self, prefer: str | None = None, route: tuple[str, str] | None = None) -> None:
        self.inner = httpx.AsyncHTTPTransport(verify=_tls_context())
        self.prefer = prefer
        self.route = route
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _prepare(request, self.prefer, self.route)
        response = await self.inner.handle_async_request(request)
        self.exchanges.append(Exchange(request, response))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
