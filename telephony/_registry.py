"""Which providers exist: every entry point of the ``telephony.adapters`` group, this
distribution's own (Bandwidth, Restcomm, the fake) exactly like a third party's.

An entry point names a ``ProviderInfo`` (preferred: listing providers and their settings
then imports no adapter) or an ``Adapter`` class (described from its keyword arguments).
The adapter itself is imported when a client is made.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telephony._adapter import Adapter
from telephony._errors import ValidationError

if TYPE_CHECKING:
    from telephony._provider import ProviderInfo

__all__ = ["adapter_class", "describe", "describe_all", "providers"]

ENTRY_POINT_GROUP = "telephony.adapters"
_DISTRIBUTION = "telephony"

# Entry points by name, for one sys.path (a test or a plugin manager may extend it at run
# time). Replaced whole, never mutated, so threads connecting at once read a consistent pair.
_found: tuple[tuple[str, ...], dict[str, Any]] | None = None
_described: dict[tuple[str, str], ProviderInfo] = {}


def _source_checkout_entry_points() -> dict[str, Any]:
    """This distribution's own entry points read from pyproject.toml beside the package, for a
    checkout whose installed metadata predates them (an editable install made before a
    provider was added, or no install at all)."""
    import tomllib
    from importlib.metadata import EntryPoint

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        with pyproject.open("rb") as file:
            project = tomllib.load(file).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    if project.get("name") != _DISTRIBUTION:
        return {}
    group = project.get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
    return {
        name: EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)
        for name, value in group.items()
    }


def _entry_points() -> dict[str, Any]:
    global _found
    key = tuple(sys.path)
    cached = _found
    if cached is not None and cached[0] == key:
        return cached[1]
    # importlib.metadata costs several ms to import: only pay it when asked.
    from importlib.metadata import entry_points

    found: dict[str, Any] = {}
    own = False
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
        dist = getattr(ep, "dist", None)
        own = own or (dist is not None and dist.name == _DISTRIBUTION)
    if not own:
        for name, ep in _source_checkout_entry_points().items():
            found.setdefault(name, ep)
    _found = (key, found)
    return found


def providers() -> list[str]:
    """Every provider name ``connect`` knows (the installed ``telephony.adapters`` entry
    points), sorted."""
    return sorted(_entry_points())


def describe(provider: str) -> ProviderInfo:
    """The ``ProviderInfo`` of ``provider``; ValidationError if no such provider."""
    if not isinstance(provider, str):
        raise ValidationError("must be a provider name", field="provider")
    found = _entry_points().get(provider)
    if found is None:
        known = ", ".join(providers()) or "none: is the telephony distribution installed?"
        raise ValidationError(f"unknown provider {provider!r} (known: {known})", field="provider")
    cache_key = (provider, str(found.value))
    if cache_key not in _described:
        # Loaded here, not at `import telephony`: only describing a provider needs it.
        from telephony._provider import ProviderInfo

        loaded = found.load()
        if isinstance(loaded, ProviderInfo):
            info = loaded
        elif isinstance(loaded, type) and issubclass(loaded, Adapter):
            info = ProviderInfo.from_adapter(loaded)
        else:
            raise TypeError(f"{found.value} is neither a ProviderInfo nor a telephony Adapter")
        if info.name != provider:
            raise TypeError(f"entry point {provider!r} describes a provider named {info.name!r}")
        _described[cache_key] = info
    return _described[cache_key]


def describe_all() -> Mapping[str, ProviderInfo]:
    """Every provider's description, by name (sorted)."""
    return {name: describe(name) for name in providers()}


def adapter_class(provider: str) -> type[Adapter]:
    return describe(provider).adapter_class()
