"""Receiving callbacks over HTTP with no web framework: a WSGI app and an ASGI app around one
sans-IO core (``Receiver.handle``: request in, ``Reply`` out).

Each request is read (its body capped), checked and parsed by its provider's parser, handed to
the application's function, and answered the way that vendor expects (Bandwidth: ``200``, with
BXML for the events that wait for some, ``401`` + a Basic challenge without the credentials;
Restcomm: an empty ``200``, ``403`` when a check fails). The function may return instructions
(BXML, RCML) to send back. A receiver serves one provider, or every provider under a first path
segment naming it (``/bandwidth/...``, ``/restcomm/...``).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote
from wsgiref.util import request_uri

from telephony._callbacks import CallEvent, Reply, callback_parser, parse_callback
from telephony._errors import InvalidCallbackError, TelephonyError, ValidationError

__all__ = ["ASGIApp", "Handler", "Receiver", "WSGIApp"]

log = logging.getLogger("telephony.webhooks")

Handler = Callable[[CallEvent], object]
"""Takes the event; may return BXML/RCML (str or bytes) to answer with, or be async (ASGI)."""
MAX_BODY = 1 << 20  # a callback is a few KiB; a megabyte is far beyond any of them


def _content(value: object) -> bytes | None:
    """What a handler returned, as instructions for the vendor: text or bytes are sent back;
    anything else (None, a ``CallState`` from ``CallTracker.feed``) means none."""
    if isinstance(value, bytes):
        return value
    return value.encode() if isinstance(value, str) else None


class Receiver:
    """The sans-IO core of both apps.

    ``provider`` fixes the provider (``**auth`` are then its checks: ``username=``/
    ``password=``, ``path_secret=``/``account_sid=``...); without it, the URL path's first
    segment names the provider and ``checks`` maps provider names to their checks.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        provider: str | None = None,
        checks: Mapping[str, Mapping[str, str]] | None = None,
        max_body: int = MAX_BODY,
        **auth: str,
    ) -> None:
        if not callable(handler):
            raise ValidationError("must be a function taking a CallEvent", field="handler")
        if provider is None and auth:
            raise ValidationError(
                "checks given as keywords need provider=; use checks= per provider",
                field=next(iter(auth)),
            )
        self.handler = handler
        self.provider = provider
        self.checks: dict[str, dict[str, str]] = {k: dict(v) for k, v in (checks or {}).items()}
        if provider is not None:
            self.checks.setdefault(provider, {}).update(auth)
            callback_parser(provider)  # an unknown provider fails now, not at the first call
        self.max_body = max_body

    def route(self, path: str) -> str | None:
        """The provider a request path is for; None when no provider serves it."""
        if self.provider is not None:
            return self.provider
        from telephony._registry import providers

        first = unquote(path.lstrip("/").partition("/")[0])
        return first if first in providers() else None

    def read(
        self, provider: str, *, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> CallEvent | Reply:
        """The event, or the reply that refuses the request."""
        try:
            return parse_callback(
                provider,
                method=method,
                url=url,
                headers=headers,
                body=body,
                **self.checks.get(provider, {}),
            )
        except InvalidCallbackError as error:
            log.warning("refused a %s callback: %s", provider, error)
            return callback_parser(provider).refuse(error)
        except TelephonyError as error:  # a provider without callbacks
            log.warning("no callbacks for %s: %s", provider, error)
            return Reply(404)

    def answer(self, event: CallEvent, content: object) -> Reply:
        return callback_parser(event.provider).acknowledge(event, _content(content))

    def handle(
        self, *, method: str, url: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """One request, start to end, for a synchronous handler."""
        provider = self.route(path)
        if provider is None:
            return Reply(404)
        if len(body) > self.max_body:
            return Reply(413)
        found = self.read(provider, method=method, url=url, headers=headers, body=body)
        if isinstance(found, Reply):
            return found
        try:
            content = self.handler(found)
        except Exception:
            # The vendor retries some events after an error answer; the server keeps going.
            log.exception("the callback handler failed on %s %s", found.provider, found.event)
            return Reply(500)
        if inspect.isawaitable(content):
            close = getattr(content, "close", None)
            if close is not None:
                close()
            log.error("an async handler needs the ASGI app")
            return Reply(500)
        return self.answer(found, content)


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}
_REASONS |= {404: "Not Found", 411: "Length Required", 413: "Content Too Large"}
_REASONS |= {500: "Internal Server Error"}


def _status_line(status: int) -> str:
    return f"{status} {_REASONS.get(status, 'Unknown')}"


def _wsgi_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers


class WSGIApp(Receiver):
    """A WSGI application (``wsgiref``, gunicorn, Flask/Django mounting) that hands each
    callback's ``CallEvent`` to ``handler`` (see ``Receiver`` for the arguments)."""

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        reply = self._reply(environ)
        headers = [*reply.headers, ("Content-Length", str(len(reply.body)))]
        start_response(_status_line(reply.status), headers)
        return [reply.body]

    def _reply(self, environ: dict[str, Any]) -> Reply:
        path = environ.get("PATH_INFO", "") or "/"
        if self.route(path) is None:
            return Reply(404)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return Reply(400)
        if length < 0:
            return Reply(400)
        if length > self.max_body:
            return Reply(413)
        body = environ["wsgi.input"].read(length) if length else b""
        return self.handle(
            method=environ.get("REQUEST_METHOD", "GET"),
            url=request_uri(environ, include_query=True),
            path=path,
            headers=_wsgi_headers(environ),
            body=body,
        )


class ASGIApp(Receiver):
    """An ASGI application (uvicorn, FastAPI/Starlette mounting) that hands each callback's
    ``CallEvent`` to ``handler``, awaited when it is a coroutine function (see ``Receiver``)."""

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rsplit(".", 1)[-1]
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        if scope["type"] != "http":
            return
        reply = await self._reply(scope, receive)
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
        headers.append((b"content-length", str(len(reply.body)).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    async def _reply(
        self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]]
    ) -> Reply:
        path, root = scope.get("path", "/"), scope.get("root_path", "")
        # Mounted under a prefix (Starlette, FastAPI): route on what follows it.
        provider = self.route(path[len(root) :] if root and path.startswith(root) else path)
        if provider is None:
            return Reply(404)
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return Reply(400)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return Reply(413)
            chunks.append(chunk)
            more = message.get("more_body", False)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw_path = scope.get("raw_path") or path.encode()
        query = scope.get("query_string", b"")
        host = headers.get("host") or "{}:{}".format(*(scope.get("server") or ("localhost", 80)))
        url = f"{scope.get('scheme', 'http')}://{host}" + raw_path.decode("latin-1")
        url += f"?{query.decode('latin-1')}" if query else ""
        found = self.read(
            provider, method=scope["method"], url=url, headers=headers, body=b"".join(chunks)
        )
        if isinstance(found, Reply):
            return found
        try:
            content = self.handler(found)
            if inspect.isawaitable(content):
                content = await content
        except Exception:
            log.exception("the callback handler failed on %s %s", found.provider, found.event)
            return Reply(500)
        return self.answer(found, content)
