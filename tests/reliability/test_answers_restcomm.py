"""Containment, Restcomm: whatever the server answers to any operation (the vendor-only
modify_call included), only a TelephonyError or a well-typed result comes out of the public
clients."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

import httpx
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.reliability.answer_strategies import (
    ISO_DATES,
    RETRIES,
    RFC_DATES,
    STYLES,
    answers,
    mutate,
    nested,
)
from tests.reliability.answers import RESTCOMM_OPERATIONS, check_outcome, run
from tests.restcomm.fake_server import record, render_call, xml

# A rare shape (an extreme date in a 200 answer) needs a few hundred examples to turn up:
# at least 300 in CI, the profile's count when it asks for more (soak: 10,000).
MORE = settings(max_examples=max(300, settings.default.max_examples))


def element(name: str, value: Any) -> str:
    """``value`` as Restcomm-style XML, whatever its type: lists repeat the element, dicts
    nest, other values are text (escaped or, for the odd case, not)."""
    if value is None:
        return f"<{name}/>"
    if isinstance(value, list):
        return "".join(element(name, item) for item in value)
    if isinstance(value, dict):
        inner = "".join(element(str(key) or "k", item) for key, item in value.items())
        return f"<{name}>{inner}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


@st.composite
def call_elements(draw: st.DrawFn, style: str) -> str:
    dates = st.one_of(RFC_DATES, ISO_DATES)
    fields = mutate(record(draw(st.integers(0, 9999))), draw, dates, style)
    parts = []
    for key, value in fields.items():
        key = "".join(c for c in key if c.isalnum()) or "X"
        if key[0].isdigit():
            key = "X" + key
        parts.append(element(key, value))
    attributes = ""
    if draw(st.integers(0, 9)) == 0:
        attributes = f" a={quoteattr(draw(st.text(max_size=5)))}"
    return f"<Call{attributes}>{''.join(parts)}</Call>"


@st.composite
def documents(draw: st.DrawFn, listing: bool, style: str) -> str:
    if listing:
        calls = "".join(draw(st.lists(call_elements(style), max_size=4)))
        inner = f'<Calls page="0" numpages="1" pagesize="3" total="1">{calls}</Calls>'
    else:
        inner = draw(call_elements(style))
    root = draw(st.sampled_from(["RestcommResponse", "TwilioResponse", None]))
    body = inner if root is None else f"<{root}>{inner}</{root}>"
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


@st.composite
def xml_bodies(draw: st.DrawFn, listing: bool, style: str) -> bytes:
    """Mostly the answer the operation expects (some fields odd), else anything."""
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return draw(st.binary(max_size=64))
    if kind == 1:
        return nested(draw(st.integers(30, 5000)), "<a>", "")
    if kind == 2:
        return nested(draw(st.integers(1, 3000)), "<a>", "")[:-1] + b"</a>"
    if kind == 3:
        return b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'
    if kind == 4:
        return draw(st.text(max_size=40)).encode("utf-8", "surrogatepass")
    text = draw(documents(listing, style))
    if kind == 5:
        return text.encode("utf-16", "surrogatepass")
    encoded = text.encode("utf-8", "surrogatepass")
    if kind == 6:  # cut short
        return encoded[: draw(st.integers(0, len(encoded)))]
    if kind == 7:  # invalid bytes
        spot = draw(st.integers(0, len(encoded)))
        return (
            encoded[:spot] + draw(st.sampled_from([b"\xff", b"\x00", b"&bogus;"])) + encoded[spot:]
        )
    return encoded


def _server(data: st.DataObject, style: str) -> Any:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        assert len(requests) <= 40, "a bounded operation kept asking"
        listing = request.method == "GET" and request.url.path.endswith("/Calls")
        return data.draw(answers(xml_bodies(listing, style)))

    return handler


@pytest.mark.parametrize("style", STYLES)
@MORE
@given(
    data=st.data(),
    operation=st.sampled_from(sorted(RESTCOMM_OPERATIONS)),
    mode=st.sampled_from(["sync", "async"]),
)
def test_any_answer_to_any_operation_is_contained(
    style: str, data: st.DataObject, operation: str, mode: str
) -> None:
    outcome = run(mode, "restcomm", operation, _server(data, style), **data.draw(RETRIES))
    event(f"{operation}: {type(outcome).__name__}")
    check_outcome(operation, outcome)


@MORE
@given(
    status=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12
    ),
    direction=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12
    ),
)
def test_undocumented_values_never_raise(status: str, direction: str) -> None:
    body = render_call(record(1, Status=status or None, Direction=direction or None))
    call = run(
        "sync",
        "restcomm",
        "get_call",
        lambda _: xml(f"<RestcommResponse>{body}</RestcommResponse>"),
        max_retries=0,
    )
    check_outcome("get_call", call)
    assert call.vendor_status == (status.strip() or None)
