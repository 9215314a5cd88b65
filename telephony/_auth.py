"""OAuth2 client credentials as an ``httpx.Auth``: one token cached, refreshed before it
expires and once more when the vendor answers 401."""

from __future__ import annotations

import time
from collections.abc import Generator

import httpx

from telephony._errors import AuthenticationError, MalformedResponseError
from telephony._http import provider_error

__all__ = ["ClientCredentialsAuth"]

_EARLY = 60.0  # refresh this many seconds before the token expires


class ClientCredentialsAuth(httpx.Auth):
    requires_response_body = True

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
        # Basic(client_id:client_secret) goes to the token URL only.
        return next(self._basic.auth_flow(request))

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
            lifetime = float(data.get("expires_in", 3600))
            if not isinstance(token, str) or not token:
                raise TypeError("access_token is not a token")
        except (ValueError, KeyError, TypeError):
            raise MalformedResponseError(
                "token answer without access_token",
                provider=self._provider,
                status_code=response.status_code,
            ) from None
        self._token = token
        self._expires_at = time.monotonic() + lifetime - _EARLY

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
