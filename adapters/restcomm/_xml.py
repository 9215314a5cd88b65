"""Reading Restcomm's XML answers safely.

A vendor answer is untrusted input. The client reads it with a size cap while it streams in
(telephony._body); here an answer above ``MAX_BODY_BYTES`` is refused again, and so is any
document type or entity declaration (no billion laughs, no external
entities): Restcomm never sends one. The parser is set up to refuse them as well (a DOCTYPE
handler that raises, xmltodict's ``disable_entities``, no parameter entities), in case a
declaration slips past the scan. This is what defusedxml would do for these answers, without
adding a dependency. Elements nested deeper than ``MAX_DEPTH`` are refused while parsing: each
level costs a dict, so a few MiB of ``<a><a><a>...`` would otherwise become gigabytes.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Iterable
from typing import Any
from xml.parsers import expat

import xmltodict  # type: ignore[import-untyped]  # no stubs, and none may be added

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "UnreadableXMLError",
    "checked_text",
    "decode_body",
    "find_elements",
    "parse_checked_text",
    "parse_xml",
]

MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 32  # Restcomm's answers are 4 deep
_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FIND_DEPTH = 8  # how deep to look for an element under an odd root


class UnreadableXMLError(ValueError):
    """The answer is not XML this adapter will read (the adapter adds status and body)."""


def decode_body(content: bytes) -> str:
    """The answer as text: UTF-16/32 when a byte-order mark says so, else UTF-8.

    The Content-Type charset is ignored on purpose: Restcomm's headers may not match the body.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            return content.decode(encoding, "replace")
    return content.decode("utf-8-sig", "replace")


def _refuse_doctype(*_args: Any) -> None:
    raise UnreadableXMLError("refusing an XML document type declaration")


class _DepthLimited:
    """The expat parser as xmltodict sees it: its start-element handler refuses to go deeper
    than MAX_DEPTH (xmltodict's handler keeps the open elements in ``path``)."""

    def __init__(self, parser: Any) -> None:
        object.__setattr__(self, "_parser", parser)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "StartElementHandler":
            value = _depth_limited(value)
        setattr(self._parser, name, value)


def _depth_limited(start: Any) -> Any:
    path = start.__self__.path

    def start_element(name: str, attributes: Any) -> None:
        if len(path) >= MAX_DEPTH:
            raise UnreadableXMLError(f"refusing elements nested deeper than {MAX_DEPTH}")
        start(name, attributes)

    return start_element


class _SafeExpat:
    """Stands in for the ``expat`` module xmltodict calls: same parser, hardened."""

    @staticmethod
    def ParserCreate(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - expat's own name
        parser = expat.ParserCreate(*args, **kwargs)
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        return _DepthLimited(parser)


def checked_text(content: bytes) -> str:
    """The answer as text once it passed the size cap and the DOCTYPE/ENTITY refusal, which
    every reader of an answer applies first. Raises UnreadableXMLError."""
    if len(content) > MAX_BODY_BYTES:
        raise UnreadableXMLError(
            f"refusing an answer of {len(content)} bytes (limit {MAX_BODY_BYTES})"
        )
    text = decode_body(content)
    if _DECLARATION.search(text):
        raise UnreadableXMLError("refusing an answer with a DOCTYPE or ENTITY declaration")
    if not text.strip():
        raise UnreadableXMLError("the answer is empty")
    return text


def parse_xml(content: bytes, *, force_list: Iterable[str] = ("Call",)) -> dict[str, Any]:
    """The document as nested dicts (empty elements are None; ``force_list`` names are always
    lists). Raises UnreadableXMLError for a body that is too big, declares entities, or is
    not XML."""
    return parse_checked_text(checked_text(content), force_list=force_list)


def parse_checked_text(text: str, *, force_list: Iterable[str] = ("Call",)) -> dict[str, Any]:
    """``parse_xml`` for text that ``checked_text`` gave (the parser's own guards stay on)."""
    try:
        document = xmltodict.parse(
            text,
            encoding="utf-8",  # the text is ours now: ignore what the prolog claims
            expat=_SafeExpat,
            disable_entities=True,
            force_list=tuple(force_list),
        )
    except expat.ExpatError as exc:
        raise UnreadableXMLError(f"the answer is not well-formed XML ({exc})") from None
    except ValueError as exc:  # xmltodict's entity refusal, or ours
        raise UnreadableXMLError(str(exc)) from None
    if not isinstance(document, dict):
        raise UnreadableXMLError("the answer has no root element")
    return document


def find_elements(document: Any, name: str) -> list[Any] | None:
    """The values of the first ``name`` element found breadth-first (the root element varies
    across Restcomm versions), as a list; None if there is none."""
    queue: deque[tuple[Any, int]] = deque([(document, 0)])
    while queue:
        node, depth = queue.popleft()
        if isinstance(node, list):
            children: Iterable[Any] = node
        elif isinstance(node, dict):
            if name in node:
                found = node[name]
                return found if isinstance(found, list) else [found]
            children = node.values()
        else:
            continue
        if depth < _FIND_DEPTH:
            queue.extend((child, depth + 1) for child in children)
    return None
