"""The sync and async clients share everything but the send loop: the same arguments, the same
docstrings, the same checks; ``run`` closes the flow when a send fails."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Generator

import httpx
import pytest

import telephony
from tests.bandwidth.fake_server import SETTINGS

PUBLIC = sorted(
    name
    for name, value in vars(telephony.Client).items()
    if not name.startswith("_") and callable(value)
)
TWINS = {"close": "aclose", "__enter__": "__aenter__", "__exit__": "__aexit__"}


@pytest.mark.parametrize("name", PUBLIC)
def test_every_method_has_an_async_twin_with_the_same_doc_and_arguments(name: str) -> None:
    sync = getattr(telephony.Client, name)
    twin = getattr(telephony.AsyncClient, TWINS.get(name, name))
    assert sync.__doc__, f"Client.{name} has no docstring"
    if name in TWINS:
        return
    assert twin.__doc__ == sync.__doc__
    assert inspect.signature(twin).parameters.keys() == inspect.signature(sync).parameters.keys()
    for key, parameter in inspect.signature(sync).parameters.items():
        other = inspect.signature(twin).parameters[key]
        assert (other.kind, other.default) == (parameter.kind, parameter.default), key


def test_filters_are_declared_once() -> None:
    for cls in (telephony.Client, telephony.AsyncClient):
        for name in ("list_calls", "get_page"):
            parameters = inspect.signature(getattr(cls, name)).parameters
            assert parameters["filters"].kind is inspect.Parameter.VAR_KEYWORD


class Flow:
    """A flow that notes whether it was closed (its ``finally`` ran)."""

    def __init__(self) -> None:
        self.closed = False

    def __call__(self) -> Generator[httpx.Request, httpx.Response, None]:
        try:
            yield httpx.Request("GET", "https://voice.bandwidth.com/api/v2/x")
            yield httpx.Request("GET", "https://voice.bandwidth.com/api/v2/y")
        finally:
            self.closed = True


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def test_run_closes_the_flow_when_the_send_fails() -> None:
    flow = Flow()
    with (
        telephony.connect(
            "bandwidth", transport=httpx.MockTransport(refuse), max_retries=0, **SETTINGS
        ) as client,
        pytest.raises(telephony.TransportError),
    ):
        client.run(flow())
    assert flow.closed


def test_async_run_closes_the_flow_when_the_send_fails() -> None:
    flow = Flow()

    async def main() -> None:
        async with telephony.connect_async(
            "bandwidth", transport=httpx.MockTransport(refuse), max_retries=0, **SETTINGS
        ) as client:
            with pytest.raises(telephony.TransportError):
                await client.run(flow())

    asyncio.run(main())
    assert flow.closed


def test_a_transport_error_does_not_carry_the_request() -> None:
    # httpx's exception holds the request, and the request holds the Authorization header.
    with (
        telephony.connect(
            "bandwidth", transport=httpx.MockTransport(refuse), max_retries=0, **SETTINGS
        ) as client,
        pytest.raises(telephony.TransportError) as info,
    ):
        client.get_call("c-1")
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
