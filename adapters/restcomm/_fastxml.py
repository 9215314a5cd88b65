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
_ROOT = "RestcommResponse"


class _UnusualShapeError(Exception):
    """Not the plain shape: the general reader takes the document."""


def _fields(element: Element) -> dict[str, Any]:
    """The children of a ``Call`` (or of one of its fields) as xmltodict gives them."""
    record: dict[str, Any] = {}
    for child in element:
        tag = child.tag
        if child.attrib or tag in record or tag == "Call" or ":" in tag or "{" in tag:
            raise _UnusualShapeError
        tail = child.tail
        if tail is not None and not tail.isspace():
            raise _UnusualShapeError
        if len(child):
            text = child.text
            if text is not None and not text.isspace():
                raise _UnusualShapeError  # mixed content: xmltodict would add "#text"
            record[tag] = _fields(child)
        else:
            text = child.text
            record[tag] = (text.strip() or None) if text else None
    return record


def read_call_list(text: str) -> list[dict[str, Any]] | None:
    """The ``Call`` records of a plain list answer, or None when the document is anything
    else (the general reader then decides what it is)."""
    if "<!" in text or "xmlns" in text:
        return None  # comments, CDATA, declarations, namespaces: the general reader's job
    parser: Any = XMLPullParser(events=("start", "end"))
    records: list[dict[str, Any]] = []
    depth = 0
    root: Any = None
    try:
        for offset in range(0, len(text), _CHUNK):
            parser.feed(text[offset : offset + _CHUNK])
            for event, element in parser.read_events():
                if event == "start":
                    depth += 1
                    if depth > _MAX_DEPTH:
                        return None
                    if root is None:
                        root = element
                    continue
                depth -= 1
                if depth == 2:  # a Call (or something else) inside Calls: read, then clear
                    if element.tag != "Call" or element.attrib or not len(element):
                        return None
                    text_in = element.text
                    if text_in is not None and not text_in.isspace():
                        return None
                    records.append(_fields(element))
                    element.clear()
                elif depth == 1:
                    if element.tag != "Calls" or (element.text and not element.text.isspace()):
                        return None
                elif depth == 0 and (element.tag != _ROOT or element.attrib):
                    return None
        parser.close()
    except (_UnusualShapeError, ParseError):
        return None
    if root is None:
        return None
    # Exactly one child, ``Calls``, with only ``Call`` children and no stray text.
    if len(root) != 1 or (root.text and not root.text.isspace()):
        return None
    calls = root[0]
    if calls.tail and not calls.tail.isspace():
        return None
    for call in calls:
        if call.tail and not call.tail.isspace():
            return None
    return records
