"""The vcrpy set-up of the testing kit: scrubbing, matching, and a clear error on a miss.

``make_vcr()`` gives a ``vcr.VCR`` that
- stores requests and answers scrubbed (see ``_scrub``): no ``Authorization`` header, no
  OAuth2 token or client secret, account ids and SIDs replaced by placeholders, a live
  sandbox's ``http://127.0.0.1:PORT`` replaced by a fixed base URL;
- matches a request on method, host, path, query and body, the body compared as JSON
  (``application/json``, Bandwidth) or as form fields (``x-www-form-urlencoded``,
  Restcomm) so key order does not matter, anything else byte for byte;
- replays by default (record mode ``"none"``): a request with no recorded answer raises
  ``CassetteMissError`` naming the cassette and the request (method and scrubbed URL, never
  a credential) instead of reaching the network.

vcrpy patches httpx's transports (sync and async) while a cassette is in use, so any
``telephony`` client made inside ``with vcr.use_cassette(...)`` is recorded or replayed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import vcr  # type: ignore[import-untyped]
from vcr.cassette import Cassette  # type: ignore[import-untyped]
from vcr.errors import CannotOverwriteExistingCassetteException  # type: ignore[import-untyped]
from vcr.util import read_body  # type: ignore[import-untyped]

from telephony.testing._scrub import Scrubber

__all__ = [
    "MATCH_ON",
    "RECORD_MODES",
    "CassetteMissError",
    "TelephonyCassette",
    "TelephonyVCR",
    "body_matcher",
    "make_vcr",
    "record_mode",
]

# The switch's values and vcrpy's names for them (vcrpy's own names are accepted too).
RECORD_MODES = {
    "none": "none",
    "new": "new_episodes",
    "new_episodes": "new_episodes",
    "all": "all",
    "once": "once",
}
MATCH_ON = ("method", "host", "path", "query", "telephony_body")
_RECORD_HINT = (
    "Re-record with `pytest --telephony-record=all` (or `=new` to add what is missing); "
    "see cassettes/README.md."
)


def record_mode(value: str) -> str:
    """vcrpy's record mode for a ``--telephony-record`` value (none, new, all)."""
    try:
        return RECORD_MODES[value]
    except KeyError:
        raise ValueError(f"unknown telephony record mode {value!r}: use none, new or all") from None


# -- matching ----------------------------------------------------------------------------------


def _content_type(request: Any) -> str:
    value = request.headers.get("Content-Type") or ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value).split(";")[0].strip().lower()


def _bytes(request: Any) -> bytes:
    body = read_body(request)
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def _differing_keys(one: Mapping[str, Any], other: Mapping[str, Any]) -> list[str]:
    keys = set(one) | set(other)
    return sorted(key for key in keys if one.get(key, _MISSING) != other.get(key, _MISSING))


_MISSING = object()


def body_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: equal bodies, JSON compared as data and forms as fields (order of
    keys free). The message names the differing fields, never their values."""
    b1, b2 = _bytes(r1), _bytes(r2)
    if b1 == b2:
        return
    kind = _content_type(r1) or _content_type(r2)
    if "json" in kind:
        try:
            j1, j2 = json.loads(b1 or b"null"), json.loads(b2 or b"null")
        except ValueError:
            pass
        else:
            if j1 == j2:
                return
            if isinstance(j1, dict) and isinstance(j2, dict):
                fields = ", ".join(_differing_keys(j1, j2))
                raise AssertionError(f"JSON bodies differ in: {fields}")
            raise AssertionError("JSON bodies differ")
    elif kind == "application/x-www-form-urlencoded":
        try:
            f1 = parse_qsl(b1.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            f2 = parse_qsl(b2.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            pass
        else:
            if sorted(f1) == sorted(f2):
                return
            g1: dict[str, list[str]] = {}
            g2: dict[str, list[str]] = {}
            for key, value in f1:
                g1.setdefault(key, []).append(value)
            for key, value in f2:
                g2.setdefault(key, []).append(value)
            fields = ", ".join(_differing_keys(g1, g2))
            raise AssertionError(f"form bodies differ in: {fields}")
    raise AssertionError(f"bodies differ ({len(b1)} bytes sent, {len(b2)} bytes recorded)")


# -- the miss error ------------------------------------------------------------------------


def _shown_path(path: object) -> str:
    try:
        return os.path.relpath(os.fspath(path))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(path)


class CassetteMissError(CannotOverwriteExistingCassetteException):  # type: ignore[misc]
    """Replay found no recorded answer for a request. ``cassette_path``, ``method`` and
    ``url`` (scrubbed: account ids as placeholders, no credentials) say which."""

    def __init__(self, cassette: Any, request: Any) -> None:
        stored = cassette.filter_request(request) or request
        self.cassette = cassette
        self.failed_request = stored
        self.cassette_path = _shown_path(cassette.path)
        self.method = str(stored.method)
        self.url = str(stored.uri)
        self.similar_requests = cassette.find_requests_with_most_matches(request)
        exists = Path(os.fspath(cassette.path)).is_file()
        if not exists:
            self.reason = "cassette_not_found"
            why = "the cassette does not exist"
        elif self.similar_requests and not self.similar_requests[0][2]:
            self.reason = "already_played"
            why = "its recorded answers were all played already (the test sends it more often)"
        elif self.similar_requests:
            self.reason = "no_match"
            why = "no recorded request matches it"
        else:
            self.reason = "nothing_similar"
            why = "the cassette has nothing like it"
        lines = [
            f"telephony cassette {self.cassette_path}: no recorded answer for",
            f"    {self.method} {self.url}",
            f"({why}; replay does not use the network).",
        ]
        if self.reason == "no_match":
            closest, _, failed = self.similar_requests[0]
            lines.append(f"Closest recorded: {closest.method} {closest.uri}")
            for name, message in failed:
                detail = " ".join(str(message or "").split())[:200]
                lines.append(f"    {name.removeprefix('telephony_')} differs: {detail}")
        lines.append(_RECORD_HINT)
        Exception.__init__(self, "\n".join(lines))


class TelephonyCassette(Cassette):  # type: ignore[misc]
    """A vcrpy cassette that raises ``CassetteMissError`` on a replay miss."""

    def can_play_response_for(self, request: Any) -> bool:
        if super().can_play_response_for(request):
            return True
        if self.write_protected and self.filter_request(request):
            raise CassetteMissError(self, request)
        return False


class TelephonyVCR(vcr.VCR):  # type: ignore[misc]
    """``vcr.VCR`` using ``TelephonyCassette``; ``scrubber`` is the one in use."""

    scrubber: Scrubber

    def _use_cassette(self, with_current_defaults: bool = False, **kwargs: Any) -> Any:
        if with_current_defaults:
            return TelephonyCassette.use(**self.get_merged_config(**kwargs))

        def args() -> dict[str, Any]:
            merged: dict[str, Any] = self.get_merged_config(**kwargs)
            return merged

        return TelephonyCassette.use_arg_getter(args)


# -- scrubbing hooks -----------------------------------------------------------------------


def _request_hook(scrubber: Scrubber) -> Any:
    def before_record_request(request: Any) -> Any:
        headers = [(name, str(value)) for name, value in request.headers.items()]
        url, stored, body = scrubber.request_parts(
            url=request.uri, headers=headers, body=_bytes(request) or None
        )
        request.uri = url
        request.headers = dict(stored)
        request.body = body
        return request

    return before_record_request


def _header_lookup(headers: Mapping[str, list[str]], name: str) -> str:
    for key, values in headers.items():
        if key.lower() == name and values:
            return values[0]
    return ""


def _response_hook(scrubber: Scrubber) -> Any:
    def before_record_response(response: dict[str, Any]) -> dict[str, Any]:
        headers = scrubber.response_headers(response.get("headers") or {})
        body = response.get("body", {}).get("string")
        if isinstance(body, str):
            body = body.encode("utf-8")
        if _header_lookup(headers, "content-encoding"):
            # An encoding vcrpy could not undo (brotli without its library...): the text
            # cannot be scrubbed, so it is not stored.
            headers = {k: v for k, v in headers.items() if k.lower() != "content-encoding"}
            body = b""
        body = scrubber.body(body, _header_lookup(headers, "content-type"))
        for key in list(headers):
            if key.lower() == "content-length":
                headers[key] = [str(len(body or b""))]
        response["headers"] = headers
        response["body"] = {"string": body if body is not None else b""}
        return response

    return before_record_response


def _save_hook(scrubber: Scrubber) -> Any:
    """A last pass when the cassette is written: values learned late (a token seen in the
    third exchange) are replaced in earlier exchanges too."""

    def before_save_interaction(request: Any, response: dict[str, Any]) -> tuple[Any, Any]:
        request.uri = scrubber.text(request.uri)
        request.headers = {k: scrubber.text(str(v)) for k, v in request.headers.items()}
        body = _bytes(request)
        if body:
            request.body = scrubber.body(body, _content_type(request))
        headers = response.get("headers") or {}
        response["headers"] = {k: [scrubber.text(v) for v in vs] for k, vs in headers.items()}
        content = response.get("body", {}).get("string")
        if isinstance(content, bytes) and content:
            content_type = _header_lookup(response["headers"], "content-type")
            response["body"] = {"string": scrubber.body(content, content_type)}
        return request, response

    return before_save_interaction


def make_vcr(
    *,
    cassette_library_dir: str | os.PathLike[str] | None = None,
    record: str = "none",
    rebase: Mapping[str, str] | None = None,
    replace: Mapping[str, str] | None = None,
    scrubber: Scrubber | None = None,
    **options: Any,
) -> TelephonyVCR:
    """A ready ``vcr.VCR`` for telephony traffic.

    ``record``: ``"none"`` (replay only, the default), ``"new"`` (record what is missing) or
    ``"all"`` (record everything again, dropping what was not re-sent). ``rebase`` maps a
    live base URL to the placeholder stored in the cassette (``{"http://127.0.0.1:8000":
    "https://voice.bandwidth.com/api/v2"}``); ``replace`` maps further secret values to
    their placeholder. Other keyword arguments go to ``vcr.VCR`` (e.g. ``serializer``).
    """
    mode = record_mode(record)
    scrubber = scrubber or Scrubber(rebase=rebase, replace=replace)
    settings: dict[str, Any] = {
        "record_mode": mode,
        "match_on": MATCH_ON,
        "decode_compressed_response": True,
        "before_record_request": _request_hook(scrubber),
        "before_record_response": _response_hook(scrubber),
        "before_save_interaction": _save_hook(scrubber),
        "drop_unused_requests": mode == "all",
        "record_on_exception": False,
    }
    if cassette_library_dir is not None:
        settings["cassette_library_dir"] = os.fspath(cassette_library_dir)
    settings.update(options)
    recorder = TelephonyVCR(**settings)
    recorder.register_matcher("telephony_body", body_matcher)
    recorder.scrubber = scrubber
    return recorder
