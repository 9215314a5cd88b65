"""No secret anywhere: every log record at DEBUG (all loggers, httpx's and httpcore's
included), every exception with its whole ``__cause__``/``__context__`` chain and its
attributes, and every repr, across all operations and their errors, on both vendors, Basic and
OAuth2, sync and async, hold no password, token, client secret, access token or
``Authorization`` header value.

The secrets looked for are the settings given and every ``Authorization`` value actually sent
(Basic credentials, OAuth2 bearer tokens), recorded by the transport as it sends them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import telephony
from telephony.adapters.bandwidth import BandwidthOptions, MachineDetection
from telephony.adapters.restcomm import RestcommOptions
from telephony.sandbox import Faults, Sandbox

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CALLBACK_SECRETS = ["cb-S3cret-answer-pass", "cb-S3cret-fallback", "amd-S3cret-pass", "sip-S3cret"]
WRONG = "Wrong-S3cret-given"


def reachable(value: object, depth: int = 0) -> Iterator[str]:
    """Texts ``value`` shows or holds: its repr and str, and for what httpx masks in a repr
    (a request's or response's headers, a body) the raw values, containers opened."""
    yield repr(value)
    yield str(value)
    if depth > 3:
        return
    if isinstance(value, httpx.Request | httpx.Response):
        yield str(value.headers.raw)
        if isinstance(value, httpx.Request):
            yield str(value.url)
        with contextlib.suppress(httpx.RequestNotRead, httpx.ResponseNotRead):
            yield value.content.decode("utf-8", "replace")
        if isinstance(value, httpx.Response):
            yield from reachable(value._request, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from reachable(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from reachable(item, depth + 1)


class Witness:
    """What a run exposed: log records, exceptions (whole chains), reprs; and every secret
    it used (the Authorization values are added by the transport as they are sent)."""

    def __init__(self) -> None:
        self.secrets: set[str] = set(CALLBACK_SECRETS) | {WRONG}
        self.texts: list[tuple[str, str]] = []
        self.errors = 0

    def add_secret_settings(self, settings: dict[str, Any]) -> None:
        for key in ("password", "client_secret", "auth_token"):
            if settings.get(key):
                self.secrets.add(settings[key])
        if settings.get("username") and settings.get("password"):
            pair = f"{settings['username']}:{settings['password']}".encode()
            self.secrets.add(base64.b64encode(pair).decode())

    def transport(self) -> httpx.HTTPTransport:
        witness = self

        class Recording(httpx.HTTPTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                value = request.headers.get("Authorization")
                if value:
                    witness.secrets.add(value)
                    witness.secrets.add(value.split(" ", 1)[-1])
                return super().handle_request(request)

        return Recording()

    def async_transport(self) -> httpx.AsyncHTTPTransport:
        witness = self

        class Recording(httpx.AsyncHTTPTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                value = request.headers.get("Authorization")
                if value:
                    witness.secrets.add(value)
                    witness.secrets.add(value.split(" ", 1)[-1])
                return await super().handle_async_request(request)

        return Recording()

    def seen(self, where: str, value: object) -> None:
        self.texts.extend((where, text) for text in reachable(value))

    def error(self, where: str, exc: BaseException) -> None:
        """The exception, its attributes and its whole chain."""
        self.errors += 1
        todo: list[BaseException] = [exc]
        met: set[int] = set()
        while todo:
            current = todo.pop()
            if id(current) in met:
                continue
            met.add(id(current))
            self.seen(f"{where}: {type(current).__name__}", current)
            for name, value in vars(current).items():
                self.seen(f"{where}: {type(current).__name__}.{name}", value)
            self.seen(f"{where}: args", current.args)
            todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)

    def attempt(self, where: str, action: Callable[[], Any]) -> Any:
        try:
            result = action()
        except telephony.TelephonyError as exc:
            self.error(where, exc)
            return None
        self.seen(where, result)
        return result

    def leaks(self, records: list[logging.LogRecord]) -> list[str]:
        texts = list(self.texts)
        for record in records:
            texts.append((f"log {record.name}", record.getMessage()))
            texts.append((f"log {record.name} args", repr(record.args)))
            for key, value in vars(record).items():
                if key not in ("msg", "message"):
                    texts.extend((f"log {record.name}.{key}", t) for t in reachable(value))
        secrets = sorted(s for s in self.secrets if len(s) >= 6)
        return [
            f"{where} holds {secret[:4]}..."
            for where, text in texts
            for secret in secrets
            if secret in text
        ]


@pytest.fixture
def witness(caplog: pytest.LogCaptureFixture) -> Iterator[Witness]:
    found = Witness()
    with caplog.at_level(logging.DEBUG):  # the root logger: every logger, httpx's included
        for name in ("httpx", "httpcore", "telephony"):
            logging.getLogger(name).setLevel(logging.NOTSET)
        yield found


def assert_no_leak(witness: Witness, caplog: pytest.LogCaptureFixture) -> None:
    records = caplog.records
    problems = witness.leaks(records)
    assert not problems, "\n".join(problems[:20])
    assert any(r.name.startswith("httpcore") for r in records)
    assert any(r.name == "httpx" for r in records)
    assert any(r.name == "telephony" and r.levelno == logging.DEBUG for r in records)


def new_call(provider: str, to: str) -> telephony.NewCall:
    if provider == "bandwidth":
        options: Any = BandwidthOptions(
            username="cb-user",
            password=CALLBACK_SECRETS[0],
            fallback_username="cb-user",
            fallback_password=CALLBACK_SECRETS[1],
            machine_detection=MachineDetection(
                callback_url="https://app.example/amd", password=CALLBACK_SECRETS[2]
            ),
        )
    else:
        options = RestcommOptions(username="sip-user", password=CALLBACK_SECRETS[3])
    return telephony.NewCall(
        to=to, from_="+15557654321", answer_url="https://app.example/answer", options=options
    )


def exercise(witness: Witness, sb: Sandbox, provider: str, oauth: bool) -> None:
    """Every operation, and every error they can meet, on one provider."""
    settings = sb.settings(provider, oauth=oauth)
    witness.add_secret_settings(settings)
    with telephony.connect(
        provider, transport=witness.transport(), backoff=0.0, max_retries=3, **settings
    ) as client:
        witness.seen("client", client)
        witness.seen("adapter", client.adapter)
        witness.seen("auth", client.adapter.auth)
        witness.seen("new call", new_call(provider, "+15550100007"))
        call = witness.attempt(
            "create", lambda: client.create_call(new_call(provider, "+15550100007"))
        )
        page = witness.attempt("page", lambda: client.get_page(page_size=3))
        if page is not None and page.next_cursor:
            witness.attempt("next page", lambda: client.get_page(page.next_cursor))
        witness.attempt("list", lambda: list(client.list_calls(limit=12, page_size=5)))
        if call is not None:
            sb.advance(10)
            witness.attempt("get", lambda: client.get_call(call.id))
            witness.attempt("redirect", lambda: client.redirect(call.id, "https://app.example/r"))
            witness.attempt("bxml", lambda: client.replace_bxml(call.id, "<Bxml><Pause/></Bxml>"))
            witness.attempt("hangup", lambda: client.hangup(call.id))
            sb.advance(10)
            witness.attempt("hangup again", lambda: client.hangup(call.id))
        unknown = "CA" + "0" * 32 if provider == "restcomm" else "c-00000000-unknown"
        witness.attempt("unknown call", lambda: client.get_call(unknown))
        witness.attempt("bad input", lambda: client.redirect("..", "ftp://x"))
        witness.attempt("bad cursor", lambda: client.get_page("not-a-cursor"))
    # Credentials the vendor refuses.
    wrong = dict(settings)
    wrong[
        "client_secret" if oauth else ("password" if provider == "bandwidth" else "auth_token")
    ] = WRONG
    with telephony.connect(
        provider, transport=witness.transport(), max_retries=0, **wrong
    ) as client:
        witness.attempt("refused", lambda: client.get_page(page_size=2))
    # Credentials in the URL.
    in_url = dict(settings)
    in_url["base_url"] = settings["base_url"].replace("http://", f"http://someone:{WRONG}@")
    witness.attempt("url credentials", lambda: telephony.connect(provider, **in_url))


@pytest.mark.parametrize(
    ("provider", "oauth"), [("bandwidth", False), ("bandwidth", True), ("restcomm", False)]
)
def test_no_secret_in_logs_errors_or_reprs(
    witness: Witness, caplog: pytest.LogCaptureFixture, provider: str, oauth: bool
) -> None:
    with Sandbox(seed_calls=20, speed=1e-9, seed=4, start=START) as sb:
        exercise(witness, sb, provider, oauth)
    assert witness.errors >= 6
    assert_no_leak(witness, caplog)


@pytest.mark.parametrize(
    ("provider", "oauth"), [("bandwidth", False), ("bandwidth", True), ("restcomm", False)]
)
def test_no_secret_when_the_server_fails(
    witness: Witness, caplog: pytest.LogCaptureFixture, provider: str, oauth: bool
) -> None:
    faults = Faults(rate_limit=0.3, server_error=0.3, drop=0.3, retry_after=0)
    with Sandbox(seed_calls=20, speed=1e-9, seed=6, start=START, faults=faults) as sb:
        settings = sb.settings(provider, oauth=oauth)
        witness.add_secret_settings(settings)
        for retries in (0, 2):
            with telephony.connect(
                provider,
                transport=witness.transport(),
                backoff=0.0,
                max_retries=retries,
                **settings,
            ) as client:
                for n in range(8):
                    witness.attempt(f"get page {n}", lambda: client.get_page(page_size=4))
                    witness.attempt(
                        f"create {n}",
                        lambda: client.create_call(new_call(provider, "+15550100001")),
                    )
        url = sb.url
    # The server is gone: connection refused.
    with telephony.connect(
        provider, transport=witness.transport(), max_retries=1, backoff=0.0, **settings
    ) as client:
        witness.attempt("refused connection", lambda: client.get_page(page_size=2))
    assert url.startswith("http://127.0.0.1")
    assert witness.errors >= 8
    assert_no_leak(witness, caplog)


def test_no_secret_from_the_async_client(
    witness: Witness, caplog: pytest.LogCaptureFixture
) -> None:
    async def run(sb: Sandbox, provider: str, oauth: bool) -> None:
        settings = sb.settings(provider, oauth=oauth)
        witness.add_secret_settings(settings)
        async with telephony.connect_async(
            provider, transport=witness.async_transport(), backoff=0.0, **settings
        ) as client:
            witness.seen("async client", client)
            try:
                witness.seen("async list", [c async for c in client.list_calls(page_size=6)])
                await client.create_call(new_call(provider, "+15550100002"))
                await client.get_call("c-0-unknown" if provider == "bandwidth" else "CA" + "1" * 32)
            except telephony.TelephonyError as exc:
                witness.error("async", exc)

    faults = Faults(rate_limit=0.2, server_error=0.2, retry_after=0)
    with Sandbox(seed_calls=20, speed=1e-9, seed=7, start=START, faults=faults) as sb:
        for provider, oauth in (("bandwidth", True), ("restcomm", False)):
            asyncio.run(run(sb, provider, oauth))
    assert witness.errors >= 1
    assert_no_leak(witness, caplog)
