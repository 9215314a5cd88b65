"""What a committed cassette must not hold: a credential (an ``Authorization`` or cookie
header, a token, a password or secret field with a real value) or an account id that was not
replaced by its placeholder. ``find_leaks`` returns one line per problem found."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

__all__ = ["find_leaks", "leaks_in_file"]

CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
# Allowed values of credential-like fields: placeholders, or the vendor's own mask.
ALLOWED = {
    "access_token": {"ACCESS_TOKEN"},
    "refresh_token": {"REDACTED"},
    "id_token": {"REDACTED"},
    "client_secret": {"REDACTED"},
    "password": {"REDACTED", "*****"},
    "fallbackPassword": {"REDACTED", "*****"},
    "Password": {"REDACTED"},
    "AuthToken": {"REDACTED"},
    "accountId": {"ACCOUNT_ID"},
    "AccountSid": {"ACCOUNT_SID"},
}
_BANDWIDTH_PATH = re.compile(r"/accounts/([^/?#]+)/calls")
_RESTCOMM_PATH = re.compile(r"/Accounts/([^/?#.]+)/Calls")
_XML_FIELD = re.compile(r"<(AccountSid|AuthToken|Password)>([^<]*)</\1>")
_LOCAL_HOST = re.compile(r"(127\.0\.0\.1|localhost|\[::1\])(:\d+)?", re.IGNORECASE)
_AUTH_SCHEME = re.compile(r"\b(Basic|Bearer) [A-Za-z0-9+/=._~-]{8,}")


def _walk_json(value: Any, where: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ALLOWED and isinstance(item, str) and item and item not in ALLOWED[key]:
                yield f"{where}: JSON field {key!r} holds a real value"
            yield from _walk_json(item, where)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_json(item, where)


def _body_leaks(body: str, where: str) -> Iterator[str]:
    stripped = body.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            yield from _walk_json(json.loads(body), where)
        except ValueError:
            yield f"{where}: body looks like JSON but does not parse (cannot be checked)"
    elif stripped.startswith("<"):
        for name, value in _XML_FIELD.findall(body):
            if value.strip() and value.strip() not in ALLOWED[name]:
                yield f"{where}: XML element <{name}> holds a real value"
    elif "=" in body:
        for key, value in parse_qsl(body, keep_blank_values=True):
            if key in ALLOWED and value and value not in ALLOWED[key]:
                yield f"{where}: form field {key!r} holds a real value"


def _url_leaks(url: str, where: str) -> Iterator[str]:
    parts = urlsplit(url)
    if "@" in parts.netloc:
        yield f"{where}: user info in URL"
    for account in _BANDWIDTH_PATH.findall(parts.path):
        if account != "ACCOUNT_ID":
            yield f"{where}: Bandwidth account id in URL path"
    for account in _RESTCOMM_PATH.findall(parts.path):
        if account != "ACCOUNT_SID":
            yield f"{where}: Restcomm Account SID in URL path"
    for key, value in parse_qsl(parts.query):
        if key in ("access_token", "token", "password") and value not in (
            "ACCESS_TOKEN",
            "REDACTED",
        ):
            yield f"{where}: credential in query parameter {key!r}"


def _headers(headers: Any) -> Iterator[tuple[str, str]]:
    for name, values in (headers or {}).items():
        for value in values if isinstance(values, list) else [values]:
            yield str(name), str(value)


def find_leaks(cassette_text: str, secrets: Iterable[str], *, name: str = "cassette") -> list[str]:
    """Every problem in one cassette's YAML text. ``secrets`` are values known to have been
    used while recording (ids, credentials): none may appear anywhere in the text."""
    problems = [
        f"{name}: contains a secret used while recording ({secret[:3]}...)"
        for secret in secrets
        if secret and secret in cassette_text
    ]
    if _AUTH_SCHEME.search(cassette_text):
        problems.append(f"{name}: contains a Basic/Bearer credential")
    if _LOCAL_HOST.search(cassette_text):
        problems.append(f"{name}: contains the recording server's host (not rebased)")
    data = yaml.safe_load(cassette_text) or {}
    for number, interaction in enumerate(data.get("interactions", []), start=1):
        where = f"{name} #{number}"
        request, response = interaction["request"], interaction["response"]
        for label, headers in (
            ("request", request.get("headers")),
            ("response", response.get("headers")),
        ):
            for header, _ in _headers(headers):
                if header.lower() in CREDENTIAL_HEADERS:
                    problems.append(f"{where}: {label} header {header!r} kept")
        problems.extend(_url_leaks(str(request.get("uri", "")), where))
        for header, value in _headers(response.get("headers")):
            if header.lower() in ("location", "link", "content-location"):
                problems.extend(_url_leaks(value.strip("<>").split(">")[0], where))
        for body in (request.get("body"), (response.get("body") or {}).get("string")):
            if isinstance(body, bytes):
                body = body.decode("utf-8", "replace")
            if isinstance(body, str) and body:
                problems.extend(_body_leaks(body, where))
    return problems


def leaks_in_file(path: Path, secrets: Iterable[str]) -> list[str]:
    return find_leaks(path.read_text(encoding="utf-8"), secrets, name=path.name)
