"""A fast reader for the common shape of a Restcomm list answer.

``xmltodict`` calls back into Python for every element (about 26 per call), which made the
card's own parser most of a listing's time. ``ElementTree`` builds elements in C; this reader
takes only the plain shape every Restcomm server sends (``<RestcommResponse><Calls ...><Call>``
with child elements that carry text or plain children) and gives the same dicts
``parse_xml(...)`` would give for it, so both paths make the same ``Call``s. Anything unusual
(attributes below ``Calls``, repeated or namespaced tags, mixed content, comments, CDATA, deep
nesting, a malformed document) returns None and the caller uses the general reader, which
keeps every safety rule and error message. The caller has already applied the size cap and
the DOCTYPE/ENTITY refusal (``checked_text``); the depth is bounded here while parsing, and
each ``Call`` element is cleared once read, so a page never holds two copies of its records.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

__all__ = ["read_call_list"]

_CHUNK = 64 * 1024
_MAX_DEPTH = 5  # RestcommResponse > Calls > Call > SubresourceUris > Notifications
_MAX_LEVEL = 1  # fields of a Call hold text, or (SubresourceUris) fields holding text
_MAX_FIELDS = 512  # elements inside one Call; Restcomm writes about 30
_ROOT = "RestcommResponse"


class _UnusualShapeError(Exception):
    """Not the plain shape: the general reader takes the document."""


def _fields(element: Element, level: int, attributes: bool) -> dict[str, Any]:
    """The children of a ``Call`` (or of one of its fields) as xmltodict gives them.
    ``attributes``: whether the text below ``Calls`` may hold any (reading ``.attrib``
    allocates a dict per element, so it is skipped when the text says there can be none)."""
    if level > _MAX_LEVEL:
        raise _UnusualShapeError
    record: dict[str, Any] = {}
    for child in element:
        tag = child.tag
        if tag in record or tag == "Call" or (attributes and child.attrib):
            raise _UnusualShapeError
        tail = child.tail
        if tail is not None and not tail.isspace():
            raise _UnusualShapeError
        if len(child):
            text = child.text
            if text is not None and not text.isspace():
                raise _UnusualShapeError  # mixed content: xmltodict would add "#text"
            record[tag] = _fields(child, level + 1, attributes)
        else:
            text = child.text
            record[tag] = (text.strip() or None) if text else None
    return record


def read_call_list(text: str) -> list[dict[str, Any]] | None:
    """The ``Call`` records of a plain list answer, or None when the document is anything
    else (the general reader then decides what it is)."""
    if "<!" in text or "xmlns" in text:
        return None  # comments, CDATA, declarations, namespaces: the general reader's job
    # End events only (half the events of start+end). The open elements are bounded per chunk
    # without start events: with no comments, CDATA or declarations, every "<" in the text is
    # a start tag, an end tag ("</") or a processing instruction ("<?"), as XML allows no
    # bare "<" in text or attribute values; starts fed minus ends seen is what is open.
    # An attribute needs "=" (Name S? "=" S? value): none after the Calls start tag, none below.
    calls_tag = text.find("<Calls")
    attributes = calls_tag < 0 or text.find("=", text.find(">", calls_tag)) >= 0
    parser: Any = XMLPullParser(events=("end",))
    events = parser.read_events
    records: list[dict[str, Any]] = []
    append = records.append
    count = text.count
    starts = ends = since_call = 0
    element: Any = None
    try:
        for offset in range(0, len(text), _CHUNK):
            end = offset + _CHUNK
            parser.feed(text[offset:end])
            starts += count("<", offset, end) - count("</", offset, end) - count("<?", offset, end)
            for _event, element in events():
                ends += 1
                if element.tag != "Call":
                    since_call += 1
                    if since_call > _MAX_FIELDS:
                        return None  # a flood of elements: no Call is that big
                    continue
                since_call = 0
                text_in = element.text
                if element.attrib or not len(element) or (text_in and not text_in.isspace()):
                    return None
                append(_fields(element, 0, attributes))
                element.clear()
            if starts - ends > _MAX_DEPTH + 1:  # +1: a start tag cut by the chunk boundary
                return None
        parser.close()
    except (_UnusualShapeError, ParseError):
        return None
    return records if _plain_root(element, len(records)) else None


def _blank(text: str | None) -> bool:
    return text is None or text.isspace()


def _plain_root(root: Any, records: int) -> bool:
    """``RestcommResponse`` holding one ``Calls`` holding the ``records`` Calls read, and no
    stray text (the last end event is the root's)."""
    if root is None or root.tag != _ROOT or root.attrib or len(root) != 1 or not _blank(root.text):
        return False
    calls = root[0]
    if calls.tag != "Calls" or not _blank(calls.tail) or not _blank(calls.text):
        return False
    return len(calls) == records and all(call.tag == "Call" and _blank(call.tail) for call in calls)
