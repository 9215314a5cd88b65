"""What the vendor modules see of HTTP: a parsed request in, a reply out."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Reply", "Request", "basic_credentials", "first"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # percent-decoded path, no query
    query: list[tuple[str, str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    origin: str  # scheme://host:port the client addressed

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def media_type(self) -> str:
        return self.header("content-type").split(";", 1)[0].strip().lower()


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False  # close the connection without answering


def basic_credentials(authorization: str) -> tuple[str, str] | None:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon else None


def first(pairs: list[tuple[str, str]], name: str) -> str | None:
    """The first value of ``name`` among form or query pairs (as JAX-RS ``getFirst`` does)."""
    for key, value in pairs:
        if key == name:
            return value
    return None
