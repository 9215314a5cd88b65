"""Test helpers: drive the sync Client or the AsyncClient through one interface, so the same
test cases run against both."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

import telephony


class Both:
    """``Both("sync"|"async", provider, handler, **settings)``: ``api.get_call(...)`` etc.
    return plain results for either client; ``list_calls`` returns a list, and
    ``iterate_calls`` a plain iterator that fetches lazily for the sync client."""

    def __init__(
        self,
        mode: str,
        provider: str,
        handler: Callable[[httpx.Request], httpx.Response],
        **settings: Any,
    ) -> None:
        self.mode = mode
        settings.setdefault("backoff", 0.0)
        if mode == "sync":
            self.client: Any = telephony.connect(
                provider, transport=httpx.MockTransport(handler), **settings
            )
        else:
            self._loop = asyncio.new_event_loop()
            self.client = telephony.connect_async(
                provider, transport=httpx.MockTransport(handler), **settings
            )

    def _run(self, value: Any) -> Any:
        if self.mode == "sync":
            return value
        return self._loop.run_until_complete(value)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)
        return lambda *args, **kwargs: self._run(method(*args, **kwargs))

    def list_calls(self, **kwargs: Any) -> list[telephony.Call]:
        if self.mode == "sync":
            return list(self.client.list_calls(**kwargs))

        async def collect() -> list[telephony.Call]:
            return [call async for call in self.client.list_calls(**kwargs)]

        return self._loop.run_until_complete(collect())

    def take(self, n: int, **kwargs: Any) -> list[telephony.Call]:
        """The first ``n`` calls of a listing, consuming no further."""
        if self.mode == "sync":
            iterator = self.client.list_calls(**kwargs)
            return [next(iterator) for _ in range(n)]
        iterator = self.client.list_calls(**kwargs)
        return [self._loop.run_until_complete(anext(iterator)) for _ in range(n)]

    def close(self) -> None:
        if self.mode == "sync":
            self.client.close()
        else:
            self._loop.run_until_complete(self.client.aclose())
            self._loop.close()


def register_providers(
    monkeypatch: Any, folder: Any, entry_points: dict[str, str], *, dist: str = "outsider"
) -> None:
    """Register ``entry_points`` (name to ``"module:attribute"``) in the ``telephony.adapters``
    group the way an installed third-party distribution does: a ``.dist-info`` folder in a
    directory put on ``sys.path`` (``monkeypatch`` takes it off again)."""
    info = folder / f"{dist}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = [f"{name} = {target}" for name, target in entry_points.items()]
    (info / "entry_points.txt").write_text("[telephony.adapters]\n" + "\n".join(lines) + "\n")
    monkeypatch.syspath_prepend(str(folder))
