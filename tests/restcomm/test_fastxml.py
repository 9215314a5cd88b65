"""The fast list reader and the general one agree: same records for every plain answer, and
the fast one steps aside (None) for anything unusual, which the general reader then takes."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telephony.adapters.restcomm._fastxml import read_call_list
from telephony.adapters.restcomm._xml import (
    UnreadableXMLError,
    checked_text,
    find_elements,
    parse_xml,
)

_TAGS = st.sampled_from(
    ["Sid", "Status", "From", "To", "StartTime", "Duration", "Price", "Direction", "Uri"]
)
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=12,
) | st.sampled_from(["", " ", "  x  ", "\n", "completed", "&"])


def _element(tag: str, value: Any) -> str:
    if isinstance(value, list):  # plain children
        return f"<{tag}>" + "".join(_element(t, v) for t, v in value) + f"</{tag}>"
    return f"<{tag}>{escape(value)}</{tag}>" if value else f"<{tag}/>"


_LEAF = st.tuples(_TAGS, _TEXT)
_NESTED = st.tuples(st.just("SubresourceUris"), st.lists(_LEAF, min_size=1, max_size=3))
_CALL = st.lists(_LEAF | _NESTED, min_size=1, max_size=8)


def _page(calls: list[list[tuple[str, Any]]], spacing: str) -> str:
    body = spacing.join(_element("Call", fields) for fields in calls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<RestcommResponse>'
        f'<Calls page="0" pagesize="50">{spacing}{body}{spacing}</Calls></RestcommResponse>'
    )


def _general(text: str) -> list[Any]:
    document = parse_xml(text.encode())
    container = (find_elements(document, "Calls") or [None])[0]
    if container is None:
        return []
    records = container.get("Call")
    return records if isinstance(records, list) else []


@settings(max_examples=200, deadline=None)
@given(st.lists(_CALL, max_size=4), st.sampled_from(["", "\n", "\n  "]))
def test_plain_pages_read_alike(calls: list[list[tuple[str, Any]]], spacing: str) -> None:
    text = _page(calls, spacing)
    general = _general(text)
    fast = read_call_list(checked_text(text.encode()))
    if fast is None:
        # Only a repeated tag (xmltodict makes a list of it) may send a plain page aside.
        assert any(
            len({tag for tag, _ in fields}) < len(fields)
            or any(isinstance(v, list) and len({t for t, _ in v}) < len(v) for _, v in fields)
            for fields in calls
        )
    else:
        assert fast == general


_ODDITIES = [
    '<Call><Sid a="1">CA1</Sid></Call>',  # an attribute
    "<Call><Sid>CA1</Sid><Sid>CA2</Sid></Call>",  # a repeated tag
    '<Call xmlns:x="urn:x"><x:Sid>CA1</x:Sid></Call>',  # a namespace
    "<Call><Sid>CA<!-- c -->1</Sid></Call>",  # a comment
    "<Call><Sid><![CDATA[CA1]]></Sid></Call>",  # CDATA
    "<Call>text<Sid>CA1</Sid></Call>",  # mixed content
    "<Call><Sid>CA1</Sid>tail</Call>",
    "<Call/>",  # no fields
    "<Call><A><B><C>deep</C></B></A></Call>",  # deeper than Restcomm's answers
    "<Other><Sid>CA1</Sid></Other>",  # not a Call
    "<Call><Sid>CA1</Sid>",  # not well-formed
]


@given(st.sampled_from(_ODDITIES))
def test_unusual_answers_go_to_the_general_reader(oddity: str) -> None:
    text = f"<RestcommResponse><Calls>{oddity}</Calls></RestcommResponse>"
    assert read_call_list(text) is None


def test_other_roots_go_to_the_general_reader() -> None:
    for text in (
        "<Response><Calls><Call><Sid>CA1</Sid></Call></Calls></Response>",
        '<RestcommResponse v="1"><Calls><Call><Sid>CA1</Sid></Call></Calls></RestcommResponse>',
        "<RestcommResponse><Calls/><More/></RestcommResponse>",
        "<RestcommResponse><Call><Sid>CA1</Sid></Call></RestcommResponse>",
        "<RestcommResponse>" + "<a>" * 40 + "</a>" * 40 + "</RestcommResponse>",
    ):
        assert read_call_list(text) is None


def test_safety_rules_come_first() -> None:
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><RestcommResponse><Calls/></RestcommResponse>'
    with pytest.raises(UnreadableXMLError, match="DOCTYPE"):
        checked_text(bomb)


def test_empty_calls_is_an_empty_page() -> None:
    for text in (
        "<RestcommResponse><Calls/></RestcommResponse>",
        '<RestcommResponse><Calls page="3"></Calls></RestcommResponse>',
    ):
        assert read_call_list(text) == [] == _general(text)


def test_floods_and_deep_nesting_stop_the_fast_reader() -> None:
    deep = "<RestcommResponse><Calls><Call>" + "<a>" * 200_000 + "x" + "</a>" * 200_000
    flood = "<RestcommResponse><Calls><Call>" + "<a/>" * 100_000 + "</Call>"
    for text in (deep, flood):
        assert read_call_list(text + "</Calls></RestcommResponse>") is None
