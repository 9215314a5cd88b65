"""Every public input is checked before anything is sent: a bad one is a ValidationError naming
the field, never another exception, and never a request to somewhere it should not go.

Property-based: each test draws right values, wrong types and the values that break naive
checks (see strategies.py), through the public ``connect`` and ``Client`` over MockTransport.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import telephony
from telephony.adapters.bandwidth import BandwidthOptions, MachineDetection
from telephony.adapters.restcomm import RestcommCallUpdate, RestcommOptions, modify_call
from tests.bandwidth import fake_server as bandwidth_fake
from tests.reliability.strategies import MOMENTS, NUMBERS, TEXT, urls, wild
from tests.restcomm import fake_server as restcomm_fake

SETTINGS = {"bandwidth": bandwidth_fake.SETTINGS, "restcomm": restcomm_fake.SETTINGS}
CALLS_PATH = {
    "bandwidth": f"/api/v2/accounts/{bandwidth_fake.ACCOUNT}/calls",
    "restcomm": restcomm_fake.CALLS_PATH,
}
PROVIDERS = st.sampled_from(["bandwidth", "restcomm"])
CLIENT_OPTIONS = ("timeout", "max_retries", "backoff", "max_retry_wait", "transport")
SETTING_NAMES = {
    "bandwidth": (
        "account_id",
        "username",
        "password",
        "client_id",
        "client_secret",
        "application_id",
        "base_url",
        "token_url",
    ),
    "restcomm": ("base_url", "account_sid", "auth_token"),
}
# Fields named when the fault is a combination of settings rather than one of them.
COMBINATION_FIELDS = {"settings", "password", "client_secret"}
NUMBER = {"bandwidth": "+15551230000", "restcomm": "+15551230000"}
VALID_CALL = {"to": "+15551234567", "from_": "+15557654321", "answer_url": "https://a.example/x"}


class Recorder:
    """A MockTransport handler that records every request and serves ``inner``'s answers
    (an answer the fake cannot make is a 500, never an exception)."""

    def __init__(self, inner: Callable[[httpx.Request], httpx.Response]) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        try:
            return self.inner(request)
        except Exception:
            return httpx.Response(500)


def fake(provider: str) -> Recorder:
    server = (
        bandwidth_fake.FakeBandwidth() if provider == "bandwidth" else restcomm_fake.FakeRestcomm()
    )
    return Recorder(server)


@contextmanager
def client(provider: str, recorder: Recorder, **options: Any) -> Iterator[telephony.Client]:
    with telephony.connect(
        provider,
        transport=httpx.MockTransport(recorder),
        max_retries=0,
        **{**SETTINGS[provider], **options},
    ) as made:
        yield made


def attempt(action: Callable[[], Any]) -> tuple[Any, telephony.TelephonyError | None]:
    """``action``'s result, or the TelephonyError it raised. Any other exception fails the
    test: that is the property every test here checks first."""
    try:
        return action(), None
    except telephony.TelephonyError as exc:
        return None, exc


def field_of(exc: telephony.TelephonyError | None) -> str:
    assert isinstance(exc, telephony.ValidationError), exc
    assert exc.field, f"a ValidationError without a field: {exc}"
    return exc.field.split(".")[0]


# -- connect ------------------------------------------------------------------------------------


@given(
    provider=PROVIDERS,
    is_async=st.booleans(),
    data=st.data(),
)
def test_every_connect_setting_is_checked(provider: str, is_async: bool, data: Any) -> None:
    names = st.sampled_from(CLIENT_OPTIONS + SETTING_NAMES[provider])
    overrides = data.draw(st.dictionaries(names, wild(), max_size=3), label="overrides")
    recorder = Recorder(lambda request: httpx.Response(500))
    settings = {**SETTINGS[provider], "transport": httpx.MockTransport(recorder), **overrides}
    connect = telephony.connect_async if is_async else telephony.connect
    made, error = attempt(lambda: connect(provider, **settings))
    if error is not None:
        assert field_of(error) in set(overrides) | COMBINATION_FIELDS, error
        return
    try:
        adapter = made.adapter
        assert not adapter.base_url.userinfo
        assert 0 <= made.retry.max_retries <= 100
        assert made.retry.max_retry_wait is None or made.retry.max_retry_wait >= 0
    finally:
        if is_async:
            asyncio.run(made.aclose())
        else:
            made.close()
    assert recorder.sent == []


@pytest.mark.parametrize(
    ("provider", "setting"),
    [
        ("bandwidth", "base_url"),
        ("bandwidth", "token_url"),
        ("restcomm", "base_url"),
    ],
)
def test_credentials_in_a_url_are_refused_unshown(provider: str, setting: str) -> None:
    settings = dict(SETTINGS[provider])
    if setting == "token_url":
        settings = {k: v for k, v in settings.items() if k not in ("username", "password")}
        settings.update(client_id="cid", client_secret="cs")
    settings[setting] = "https://someone:Hunter2-url-pw@api.example/root"
    with pytest.raises(telephony.ValidationError) as info:
        telephony.connect(provider, **settings)
    assert info.value.field == setting
    assert "pass them as" in str(info.value)
    assert "Hunter2" not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


# -- call ids -------------------------------------------------------------------------------------

OPERATIONS = ("get_call", "hangup", "redirect", "replace_bxml")


def run_operation(api: telephony.Client, operation: str, call_id: Any) -> None:
    if operation == "redirect":
        api.redirect(call_id, "https://a.example/next")
    elif operation == "replace_bxml":
        api.replace_bxml(call_id, "<Bxml><Hangup/></Bxml>")
    else:
        getattr(api, operation)(call_id)


@given(provider=PROVIDERS, operation=st.sampled_from(OPERATIONS), call_id=wild())
def test_a_call_id_reaches_only_its_call(provider: str, operation: str, call_id: Any) -> None:
    recorder = Recorder(lambda request: httpx.Response(404))
    with client(provider, recorder) as api:
        _, error = attempt(lambda: run_operation(api, operation, call_id))
    if isinstance(error, telephony.ValidationError):
        assert error.field == "call_id", error
        assert recorder.sent == []
        return
    assert error is None or isinstance(
        error, telephony.NotFoundError | telephony.UnsupportedOperationError
    )
    suffix = "/bxml" if operation == "replace_bxml" else ""
    for request in recorder.sent:
        assert request.url.raw_path.decode() == f"{CALLS_PATH[provider]}/{call_id}{suffix}"
        assert request.url.host in ("voice.bandwidth.com", "rc.example")


@pytest.mark.parametrize("call_id", ["", ".", "..", "?", "#", "/", "a/..", "c\n1", "x" * 257])
def test_call_ids_that_change_the_path_are_refused(call_id: str) -> None:
    recorder = Recorder(lambda request: httpx.Response(404))
    with client("bandwidth", recorder) as api:
        for operation in OPERATIONS:
            with pytest.raises(telephony.ValidationError) as info:
                run_operation(api, operation, call_id)
            assert info.value.field == "call_id"
    assert recorder.sent == []


# -- new calls ------------------------------------------------------------------------------------

NEW_CALL_FIELDS = (
    "to",
    "from_",
    "answer_url",
    "answer_method",
    "fallback_url",
    "fallback_method",
    "status_callback_url",
    "status_callback_method",
    "ring_timeout",
)
BANDWIDTH_OPTION_FIELDS = tuple(a.name for a in BandwidthOptions.__attrs_attrs__)
DETECTION_FIELDS = tuple(a.name for a in MachineDetection.__attrs_attrs__)
RESTCOMM_OPTION_FIELDS = tuple(a.name for a in RestcommOptions.__attrs_attrs__)


def strict_json(body: bytes) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} sent in JSON")

    return json.loads(body, parse_constant=refuse)


@st.composite
def options(draw: st.DrawFn, provider: str) -> Any:
    if provider == "restcomm":
        fields = draw(st.dictionaries(st.sampled_from(RESTCOMM_OPTION_FIELDS), wild(), max_size=2))
        return RestcommOptions(**fields), set(fields)
    fields = draw(st.dictionaries(st.sampled_from(BANDWIDTH_OPTION_FIELDS), wild(), max_size=2))
    if draw(st.booleans()):
        detection = draw(st.dictionaries(st.sampled_from(DETECTION_FIELDS), wild(), max_size=2))
        fields["machine_detection"] = MachineDetection(**detection)
    return BandwidthOptions(**fields), set(fields)


@given(provider=PROVIDERS, data=st.data())
def test_every_new_call_field_and_option_is_checked(provider: str, data: Any) -> None:
    fields = data.draw(st.dictionaries(st.sampled_from(NEW_CALL_FIELDS), wild(), max_size=3))
    given_options, option_fields = (
        data.draw(options(provider)) if data.draw(st.booleans()) else (None, set())
    )
    new_call, error = attempt(
        lambda: telephony.NewCall(**{**VALID_CALL, **fields}, options=given_options)
    )
    if error is not None:
        assert field_of(error) in fields, error
        return
    recorder = fake(provider)
    with client(provider, recorder) as api:
        _, error = attempt(lambda: api.create_call(new_call))
    if isinstance(error, telephony.ValidationError):
        named = field_of(error)
        # SIP credentials go in pairs: the missing half is the one named.
        pair = {"username", "password"}
        assert named in set(fields) | option_fields or (named in pair and pair & option_fields)
        assert recorder.sent == []
        return
    (request,) = recorder.sent
    if provider == "bandwidth":
        body = strict_json(request.content)
        assert 1 <= body.get("callTimeout", 30) <= 300
    else:
        timeout = dict(httpx.QueryParams(request.content.decode())).get("Timeout", "60")
        assert timeout.isdigit()
        assert int(timeout) >= 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ring_timeout": float("nan")}, "ring_timeout"),
        ({"ring_timeout": float("inf")}, "ring_timeout"),
        ({"ring_timeout": 10**400}, "ring_timeout"),
        ({"answer_url": None}, "answer_url"),
        ({"answer_url": "https://a.example:99999/x"}, "answer_url"),
        ({"fallback_url": "http://[::1"}, "fallback_url"),
        ({"answer_method": ["POST"]}, "answer_method"),
        ({"to": "+1555\n0100001"}, "to"),
    ],
)
def test_new_call_refusals(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        telephony.NewCall(**{**VALID_CALL, **overrides})
    assert info.value.field == field


# -- redirect, filters, paging arguments --------------------------------------------------------


@given(provider=PROVIDERS, url=st.one_of(urls(), wild()), method=wild(st.just("GET")))
def test_redirect_arguments_are_checked(provider: str, url: Any, method: Any) -> None:
    recorder = Recorder(lambda request: httpx.Response(404))
    call_id = "CA" + "1" * 32 if provider == "restcomm" else "c-1"
    with client(provider, recorder) as api:
        _, error = attempt(lambda: api.redirect(call_id, url, method=method))
    if isinstance(error, telephony.ValidationError):
        assert error.field in ("url", "method"), error
        assert recorder.sent == []
        return
    assert error is None or isinstance(error, telephony.NotFoundError)
    assert len(recorder.sent) == 1


FILTER_NAMES = ("to", "from_", "status", "started_after", "started_before", "parent_id")


@given(
    provider=PROVIDERS,
    filters=st.dictionaries(
        st.one_of(st.sampled_from(FILTER_NAMES), st.sampled_from(["from", "state", "cursor"])),
        wild(
            MOMENTS,
            st.sampled_from(["completed", "busy", "COMPLETED"]),
            st.lists(st.sampled_from(["completed", "busy", telephony.CallStatus.FAILED, 3])),
        ),
        max_size=3,
    ),
    page_size=st.one_of(st.none(), NUMBERS, TEXT),
    limit=st.one_of(st.none(), NUMBERS, TEXT),
)
def test_listing_arguments_are_checked(
    provider: str, filters: dict[str, Any], page_size: Any, limit: Any
) -> None:
    recorder = fake(provider)
    with client(provider, recorder) as api:
        calls, error = attempt(
            lambda: list(api.list_calls(page_size=page_size, limit=limit, **filters))
        )
    if error is not None:
        assert field_of(error) in set(filters) | {"page_size", "limit"}, error
        assert recorder.sent == []
        return
    assert all(isinstance(call, telephony.Call) for call in calls)


@pytest.mark.parametrize("status", [5, b"completed", object(), {"completed": 1}, ["done"]])
def test_status_of_the_wrong_type_is_a_validation_error(status: Any) -> None:
    with (
        client("bandwidth", fake("bandwidth")) as api,
        pytest.raises(telephony.ValidationError) as info,
    ):
        api.list_calls(status=status)
    assert info.value.field == "status"


def test_an_unknown_filter_is_named() -> None:
    with (
        client("restcomm", fake("restcomm")) as api,
        pytest.raises(telephony.ValidationError) as info,
    ):
        api.get_page(page_size=5, state="completed")  # type: ignore[call-arg]
    assert info.value.field == "state"


UPDATE_FIELDS = tuple(a.name for a in RestcommCallUpdate.__attrs_attrs__)


@given(
    fields=st.dictionaries(
        st.sampled_from(UPDATE_FIELDS), wild(urls(), st.just("GET"), st.just(True)), max_size=3
    )
)
def test_every_restcomm_call_update_field_is_checked(fields: dict[str, Any]) -> None:
    recorder = Recorder(lambda request: httpx.Response(404))
    update = RestcommCallUpdate(**fields)
    with client("restcomm", recorder) as api:
        _, error = attempt(lambda: modify_call(api, call_id="CA" + "1" * 32, update=update))
    if isinstance(error, telephony.ValidationError):
        # An empty update names the update itself; a method without a url names the method.
        assert field_of(error) in set(fields) | {"update"}, error
        assert recorder.sent == []
        return
    assert error is None or isinstance(error, telephony.NotFoundError)
    (request,) = recorder.sent
    assert request.url.path == f"{CALLS_PATH['restcomm']}/CA{'1' * 32}"
