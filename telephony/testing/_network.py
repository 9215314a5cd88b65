"""Blocking the network while cassettes replay: a request that escaped vcrpy (a transport
it does not patch, a client made outside the cassette) fails loudly instead of reaching a
vendor with whatever credentials it carries."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Collection, Iterator
from typing import Any

__all__ = ["NetworkBlockedError", "network_blocked"]

_INET = (socket.AF_INET, socket.AF_INET6)


class NetworkBlockedError(RuntimeError):
    """A connection was attempted while the network is blocked for replay.

    Not an ``OSError``: httpx would turn that into a transport error and a client could
    retry it or hide it."""


def _host_of(address: Any) -> str:
    if isinstance(address, tuple) and address:
        return str(address[0])
    return str(address)


@contextlib.contextmanager
def network_blocked(*, allowed_hosts: Collection[str] = (), reason: str = "") -> Iterator[None]:
    """Within the block, connecting an internet socket (or resolving a name) to a host not
    in ``allowed_hosts`` raises ``NetworkBlockedError``. Unix sockets and socket pairs
    (event loops use them) still work."""
    allowed = frozenset(allowed_hosts)
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo
    suffix = f" ({reason})" if reason else ""

    def refuse(host: str) -> NetworkBlockedError:
        return NetworkBlockedError(f"network access to {host} is blocked during replay{suffix}")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in _INET and _host_of(address) not in allowed:
            raise refuse(_host_of(address))
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in _INET and _host_of(address) not in allowed:
            raise refuse(_host_of(address))
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if host is not None and name not in allowed:
            raise refuse(name)
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo
