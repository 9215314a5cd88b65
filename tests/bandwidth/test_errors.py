"""Every documented error status maps to its neutral error with the voiceApiError fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

import telephony
from tests.bandwidth.fake_server import SETTINGS, error


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, telephony.InvalidRequestError),
        (401, telephony.AuthenticationError),
        (403, telephony.PermissionDeniedError),
        (404, telephony.NotFoundError),
        (405, telephony.InvalidRequestError),
        (409, telephony.ConflictError),
        (415, telephony.InvalidRequestError),
        (429, telephony.RateLimitedError),
        (500, telephony.ProviderServerError),
    ],
)
@pytest.mark.parametrize("operation", ["create", "get", "list", "hangup", "bxml"])
def test_error_statuses(make_api: Any, status: int, kind: type, operation: str) -> None:
    api = make_api(lambda request: error(status, "validation", f"said {status}"), max_retries=0)
    run = {
        "create": lambda: api.create_call(
            telephony.NewCall(
                to="+15551230000", from_="+15551230001", answer_url="https://a.example/x"
            )
        ),
        "get": lambda: api.get_call("c-1"),
        "list": lambda: api.list_calls(),
        "hangup": lambda: api.hangup("c-1"),
        "bxml": lambda: api.replace_bxml("c-1", "<Bxml/>"),
    }[operation]
    with pytest.raises(kind) as info:
        run()
    err = info.value
    assert isinstance(err, telephony.ProviderError)
    assert (err.provider, err.status_code, err.code, err.message, err.request_id) == (
        "bandwidth",
        status,
        "validation",
        f"said {status}",
        "err-123",
    )
    assert '"description"' in err.body


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("0", 0.0), ("string", None), ("", None), ("1.5", 1.5)],
)
def test_retry_after_seconds_and_junk(make_api: Any, header: str, expected: float | None) -> None:
    api = make_api(lambda request: error(429, **{"Retry-After": header}), max_retries=0)
    with pytest.raises(telephony.RateLimitedError) as info:
        api.get_call("c-1")
    assert info.value.retry_after == expected


def test_retry_after_http_date(make_api: Any) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    api = make_api(lambda request: error(429, **{"Retry-After": when}), max_retries=0)
    with pytest.raises(telephony.RateLimitedError) as info:
        api.get_call("c-1")
    assert info.value.retry_after is not None
    assert 25 <= info.value.retry_after <= 31


@pytest.mark.parametrize(
    "answer",
    [{"text": "<html>Bad gateway</html>"}, {}, {"json": ["not", "an", "object"]}],
)
def test_non_json_error_bodies_still_give_a_useful_error(
    make_api: Any, answer: dict[str, Any]
) -> None:
    api = make_api(lambda request: httpx.Response(500, **answer), max_retries=0)
    with pytest.raises(telephony.ProviderServerError) as info:
        api.get_call("c-1")
    assert info.value.status_code == 500
    assert info.value.message


@pytest.mark.parametrize(
    "answer",
    [
        {"text": "<html>captive portal</html>"},
        {"json": {"not": "a list"}},
        {"json": [{"no": "callId"}]},
        {"json": [{"callId": 7}]},
        {"json": [None]},
        {"json": [{"callId": "c-1", "startTime": "yesterday"}]},
    ],
)
def test_malformed_success_bodies(make_api: Any, answer: dict[str, Any]) -> None:
    api = make_api(lambda request: httpx.Response(200, **answer))
    with pytest.raises(telephony.MalformedResponseError) as info:
        api.list_calls()
    assert info.value.body == httpx.Response(200, **answer).content.decode()


def test_credentials_never_appear_in_reprs_or_errors(make_api: Any) -> None:
    api = make_api(lambda request: error(401, "unauthorized", "Bad credentials"), max_retries=0)
    with pytest.raises(telephony.AuthenticationError) as info:
        api.get_call("c-1")
    secret = SETTINGS["password"]
    texts = [
        repr(api.client),
        str(api.client.adapter.__dict__.get("auth")),
        str(info.value),
        repr(info.value),
        info.value.body,
    ]
    assert all(secret not in text for text in texts)
    assert all("YXBpLXVzZXI6czNjcmV0LXB3" not in text for text in texts)  # base64 of user:pw


def test_transport_failure_is_a_transport_error(make_api: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    api = make_api(refuse, max_retries=0)
    with pytest.raises(telephony.TransportError, match="ConnectError"):
        api.get_call("c-1")


def test_logs_carry_no_credentials(make_api: Any, caplog: pytest.LogCaptureFixture) -> None:
    def flaky(request: httpx.Request) -> httpx.Response:
        if request.headers.get("x-seen"):
            return error(404)
        return error(429, **{"Retry-After": "0"})

    with pytest.raises(telephony.ValidationError, match="pass them as username=") as refused:
        make_api(flaky, base_url="https://api-user:s3cret-pw@voice.bandwidth.com/api/v2")
    assert "s3cret-pw" not in str(refused.value)
    api = make_api(flaky)
    with caplog.at_level("DEBUG", logger="telephony"), pytest.raises(telephony.ProviderError):
        api.get_call("c-1")
    assert "retrying GET" in caplog.text
    assert "s3cret-pw" not in caplog.text
    assert "YXBpLXVzZXI6czNjcmV0LXB3" not in caplog.text
