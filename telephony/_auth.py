"""OAuth2 client credentials as an ``httpx.Auth``: one token cached, refreshed before it
expires and once more when the vendor answers 401."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncGenerator, Generator

import httpx

from telephony._body import aread_body, read_body, with_body_limit
from telephony._errors import AuthenticationError, MalformedResponseError
from telephony._http import provider_error

__all__ = ["ClientCredentialsAuth"]

_EARLY = 60.0  # refresh this many seconds before the token expires
_MAX_LIFETIME = 86400.0  # a longer (or infinite) expires_in is read as a day
_TOKEN_BODY_BYTES = 64 * 1024  # a token answer is a few hundred bytes
_FETCH_EXTENSION = "telephony.fetches_token"


class ClientCredentialsAuth(httpx.Auth):
    # The answers the flow reads (token answers, a 401 before the retry) are read here with a
    # size cap (telephony._body), not by httpx; the final answer goes back to the client unread.
    requires_response_body = False

    def __init__(
        self, *, token_url: str, client_id: str, client_secret: str, provider: str
    ) -> None:
        self.token_url = httpx.URL(token_url)
        self._basic = httpx.BasicAuth(client_id, client_secret)
        self._provider = provider
        self._token: str | None = None
        self._expires_at = 0.0

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(token_url={str(self.token_url)!r})"

    def _token_request(self) -> httpx.Request:
        request = httpx.Request("POST", self.token_url, data={"grant_type": "client_credentials"})
        request.extensions[_FETCH_EXTENSION] = True
        with_body_limit(request, _TOKEN_BODY_BYTES)
        # Basic(client_id:client_secret) goes to the token URL only.
        return next(self._basic.auth_flow(request))

    @staticmethod
    def _needs_body(request: httpx.Request, response: httpx.Response) -> bool:
        return bool(request.extensions.get(_FETCH_EXTENSION)) or response.status_code == 401

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        flow = self.auth_flow(request)
        request = next(flow)
        while True:
            response = yield request
            if self._needs_body(request, response):
                read_body(response, provider=self._provider)
            try:
                request = flow.send(response)
            except StopIteration:
                return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self.auth_flow(request)
        request = next(flow)
        while True:
            response = yield request
            if self._needs_body(request, response):
                await aread_body(response, provider=self._provider)
            try:
                request = flow.send(response)
            except StopIteration:
                return

    def _store(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            refused = response.status_code in (400, 401, 403)
            error = provider_error(response, provider=self._provider)
            if refused:
                raise provider_error(
                    response,
                    provider=self._provider,
                    message=f"token request refused: {error.message}",
                    error_class=AuthenticationError,
                )
            raise error
        try:
            data = response.json()
            token = data["access_token"]
            lifetime = data.get("expires_in", 3600)
            if isinstance(lifetime, bool) or not isinstance(lifetime, int | float | str):
                raise TypeError("expires_in is not a number")
            lifetime = float(lifetime)
            # It goes into a header: printable ASCII only.
            if math.isnan(lifetime) or not (token.isascii() and token.isprintable()):
                raise ValueError("unusable token or lifetime")
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError):
            raise MalformedResponseError(
                "token answer without a usable access_token and expires_in",
                provider=self._provider,
                status_code=response.status_code,
            ) from None
        self._token = token
        self._expires_at = time.monotonic() + min(max(lifetime, 0.0), _MAX_LIFETIME) - _EARLY

    def _valid(self) -> bool:
        return self._token is not None and time.monotonic() < self._expires_at

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        fresh = False
        if not self._valid():
            self._store((yield self._token_request()))
            fresh = True
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401 and not fresh:
            # The vendor may revoke a token early: fetch a new one, try once more.
            self._token = None
            self._store((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request
