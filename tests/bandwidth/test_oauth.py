"""OAuth2 client credentials: fetched once, cached, refreshed before expiry and once on 401."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

import telephony
import telephony._auth as auth_module
from tests.bandwidth.fake_server import FakeBandwidth

TOKEN_URL = "https://api.bandwidth.com/api/v1/oauth2/token"
OAUTH = {"client_id": "cid", "client_secret": "csecret-42", "username": None, "password": None}


class TokenServer:
    """Issues tokens t1, t2, ...; the calls API accepts only the current one."""

    def __init__(self, lifetime: int = 3600) -> None:
        self.lifetime = lifetime
        self.issued = 0
        self.revoked: set[str] = set()
        self.log: list[httpx.Request] = []
        self.calls = FakeBandwidth()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        if str(request.url) == TOKEN_URL:
            expected = "Basic " + base64.b64encode(b"cid:csecret-42").decode()
            if request.headers.get("Authorization") != expected:
                return httpx.Response(401, json={"error": "invalid_client"})
            assert request.content == b"grant_type=client_credentials"
            self.issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"t{self.issued}",
                    "token_type": "Bearer",
                    "expires_in": self.lifetime,
                },
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token != f"t{self.issued}" or token in self.revoked:
            return httpx.Response(401, json={"type": "unauthorized", "description": "token"})
        # hand the request on to the calls API, with the Basic check satisfied
        request.headers["Authorization"] = (
            "Basic " + base64.b64encode(b"api-user:s3cret-pw").decode()
        )
        return self.calls(request)


def test_token_is_fetched_once_and_reused(make_api: Any) -> None:
    tokens = TokenServer()
    api = make_api(tokens, **OAUTH)
    api.get_call("c-0001")
    api.get_call("c-0002")
    assert tokens.issued == 1
    assert [str(r.url) for r in tokens.log].count(TOKEN_URL) == 1


def test_token_is_refreshed_before_expiry(make_api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = TokenServer(lifetime=3600)
    clock = [1000.0]
    monkeypatch.setattr(auth_module.time, "monotonic", lambda: clock[0])
    api = make_api(tokens, **OAUTH)
    api.get_call("c-0001")
    clock[0] += 3600 - 30  # inside the refresh margin, before the real expiry
    api.get_call("c-0001")
    assert tokens.issued == 2


def test_a_revoked_token_is_refreshed_once_on_401(make_api: Any) -> None:
    tokens = TokenServer()
    api = make_api(tokens, **OAUTH)
    api.get_call("c-0001")
    tokens.revoked.add("t1")  # revoked early, though the cache thinks it is still valid
    assert api.get_call("c-0001").id == "c-0001"
    assert tokens.issued == 2


def test_persistent_401_is_an_authentication_error_after_one_refresh(make_api: Any) -> None:
    tokens = TokenServer()
    api = make_api(tokens, **OAUTH)
    api.get_call("c-0001")
    tokens.revoked.update({"t1", "t2", "t3"})
    with pytest.raises(telephony.AuthenticationError):
        api.get_call("c-0001")
    assert tokens.issued == 2


def test_bad_client_secret(make_api: Any) -> None:
    api = make_api(TokenServer(), **{**OAUTH, "client_secret": "wrong"})
    with pytest.raises(telephony.AuthenticationError, match="token request refused") as info:
        api.get_call("c-0001")
    assert "wrong" not in str(info.value)


def test_client_secret_only_goes_to_the_token_url(make_api: Any) -> None:
    tokens = TokenServer()
    api = make_api(tokens, **OAUTH, token_url=TOKEN_URL)
    api.list_calls(page_size=3)
    secret_header = "Basic " + base64.b64encode(b"cid:csecret-42").decode()
    for request in tokens.log:
        if request.headers.get("Authorization") == secret_header:
            assert str(request.url) == TOKEN_URL
    assert "csecret-42" not in repr(api.client)
