"""What a provider says about itself, so nothing outside its package needs to know it.

Each adapter package declares one ``ProviderInfo`` next to its code and registers it in the
``telephony.adapters`` entry-point group. The registry, ``connect``'s settings from the
environment and profiles, the command line (flags, environment variables, ``--help``, hints),
and the testing kit (what a recording scrubs, the placeholders replay uses) all read it; none
of them names a provider.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from telephony._models import Capabilities

if TYPE_CHECKING:
    from telephony._adapter import Adapter
    from telephony._callbacks import CallbackParser

__all__ = ["Credentials", "PathSegment", "ProviderInfo", "Recording", "Setting"]

_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_KEYWORD = re.compile(r"[a-z_][a-z0-9_]*")
# A setting whose name holds one of these is a secret when an adapter does not say (an
# adapter class registered directly, without a ProviderInfo).
_SECRET_WORDS = ("password", "secret", "token", "key")
_VARIADIC = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return found


@attrs.frozen(kw_only=True)
class Setting:
    """One keyword of ``connect``: how people give it and how recordings treat it."""

    name: str
    """The ``connect`` keyword (``account_id``)."""
    help: str = ""
    """A few words for ``--help``."""
    secret: bool = False
    """Never printed; blanked out of messages; stored as ``REDACTED`` in recordings."""
    default: str | None = None
    """What the adapter uses when the setting is not given (shown in ``--help``)."""
    env: str = ""
    """Its environment variable; default ``<PROVIDER>_<NAME>`` (``BANDWIDTH_ACCOUNT_ID``)."""
    placeholder: str | None = None
    """What a recording stores instead of the real value, and what replay sends. For a URL
    setting, the base URL recordings are rebased onto."""
    url: bool = False
    """A URL: recordings rebase it onto ``placeholder``; user info in it is a secret."""

    def __attrs_post_init__(self) -> None:
        if not _KEYWORD.fullmatch(self.name):
            raise ValueError(f"setting name {self.name!r} is not a Python keyword name")


@attrs.frozen(kw_only=True)
class Credentials:
    """One way to authenticate: ``settings`` are all needed together; ``optional`` ones only
    make sense with them (an OAuth2 token URL)."""

    name: str
    settings: tuple[str, ...]
    optional: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class PathSegment:
    """A request path segment recordings replace: the text between ``before`` and ``after``
    (``/accounts/`` ... ``/calls`` holds an account id)."""

    before: str
    after: str
    placeholder: str

    def pattern(self) -> re.Pattern[str]:
        return re.compile(
            rf"({re.escape(self.before)})([^/?#\s\"'<>&;,]+)"
            rf"(?={re.escape(self.after)}(?:[/.?#]|$))"
        )


@attrs.frozen(kw_only=True)
class Recording:
    """What recordings of this provider's traffic must scrub, beyond what every recording
    scrubs (``Authorization`` and cookie headers, OAuth2 tokens and client secrets). Each
    mapping goes from a name to the placeholder stored instead; a value found there is also
    replaced wherever else it appears."""

    headers: tuple[str, ...] = ()
    """Request or answer headers dropped from recordings (credentials in custom headers)."""
    json_fields: Mapping[str, str] = attrs.field(factory=dict)
    form_fields: Mapping[str, str] = attrs.field(factory=dict)
    xml_fields: Mapping[str, str] = attrs.field(factory=dict)
    query_fields: Mapping[str, str] = attrs.field(factory=dict)
    path_segments: tuple[PathSegment, ...] = ()


@attrs.frozen(kw_only=True)
class ProviderInfo:
    """A provider's description of itself.

    ``adapter`` is the ``"module:Class"`` of its ``Adapter``, imported only when a client is
    made, so that listing providers and their settings (``--help``) stays cheap. ``required``
    settings are always needed; of ``credentials``, one complete set is (none declared: the
    settings need no credentials).
    """

    name: str
    adapter: str
    summary: str = ""
    settings: tuple[Setting, ...] = ()
    required: tuple[str, ...] = ()
    credentials: tuple[Credentials, ...] = ()
    recording: Recording = attrs.field(factory=Recording)
    capabilities: Capabilities = attrs.field(factory=Capabilities)
    callbacks: str | None = None
    """The ``"module:Class"`` of its ``CallbackParser`` (status webhooks), imported when a
    callback is parsed; None if it reads none."""

    def __attrs_post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"provider name {self.name!r}: lower-case letters, digits, - or _")
        prefix = re.sub(r"[^A-Z0-9]", "_", self.name.upper())
        filled = tuple(
            s if s.env else attrs.evolve(s, env=f"{prefix}_{s.name.upper()}") for s in self.settings
        )
        object.__setattr__(self, "settings", filled)
        known = {s.name for s in filled}
        named = [*self.required]
        for way in self.credentials:
            named.extend((*way.settings, *way.optional))
        unknown = sorted(set(named) - known)
        if unknown:
            raise ValueError(f"{self.name}: no setting named {', '.join(unknown)}")

    @classmethod
    def from_adapter(cls, adapter: type[Adapter]) -> ProviderInfo:
        """A plain description of an adapter class registered without one: its keyword
        arguments as settings (required if they have no default; secret by their name)."""
        settings: list[Setting] = []
        required: list[str] = []
        for name, parameter in inspect.signature(adapter.__init__).parameters.items():
            if name == "self" or parameter.kind in _VARIADIC:
                continue
            secret = any(word in name for word in _SECRET_WORDS) and not name.endswith("_url")
            settings.append(Setting(name=name, secret=secret, url=name.endswith("_url")))
            if parameter.default is parameter.empty:
                required.append(name)
        return cls(
            name=adapter.name,
            adapter=f"{adapter.__module__}:{adapter.__qualname__}",
            settings=tuple(settings),
            required=tuple(required),
            capabilities=adapter.capabilities,
        )

    # -- reading -----------------------------------------------------------------------------

    def setting(self, name: str) -> Setting:
        for setting in self.settings:
            if setting.name == name:
                return setting
        raise KeyError(name)

    @property
    def secrets(self) -> tuple[Setting, ...]:
        return tuple(s for s in self.settings if s.secret)

    def adapter_class(self) -> type[Adapter]:
        from telephony._adapter import Adapter

        found = _load(self.adapter)
        if not (isinstance(found, type) and issubclass(found, Adapter)):
            raise TypeError(f"{self.adapter} is not a telephony Adapter")
        return found

    def callback_parser_class(self) -> type[CallbackParser] | None:
        if self.callbacks is None:
            return None
        from telephony._callbacks import CallbackParser

        found = _load(self.callbacks)
        if not (isinstance(found, type) and issubclass(found, CallbackParser)):
            raise TypeError(f"{self.callbacks} is not a telephony CallbackParser")
        return found

    def missing(self, given: Mapping[str, object]) -> list[tuple[str, ...]]:
        """What ``given`` lacks, as groups of setting names each wholly needed: every
        required setting, then the first credential set if none is complete."""
        lacking: list[tuple[str, ...]] = [(n,) for n in self.required if not given.get(n)]
        ways = self.credentials
        if ways and not any(all(given.get(name) for name in way.settings) for way in ways):
            lacking.append(ways[0].settings)
        return lacking

    def credentials_named(self, name: str | None) -> Credentials | None:
        """The credential set called ``name`` (the first one when None); None if the provider
        declares none."""
        if not self.credentials:
            return None
        if name is None:
            return self.credentials[0]
        for way in self.credentials:
            if way.name == name:
                return way
        known = ", ".join(way.name for way in self.credentials)
        raise KeyError(f"{self.name} has no {name!r} credentials (it has: {known})")

    def replay_settings(self, credentials: str | None = None) -> dict[str, str]:
        """The settings a replaying client uses: every placeholder, with the credentials of
        ``credentials`` (the first set by default) and none of the other sets'."""
        chosen = self.credentials_named(credentials)
        others = {
            name
            for way in self.credentials
            if way is not chosen
            for name in (*way.settings, *way.optional)
        }
        if chosen is not None:
            others -= {*chosen.settings, *chosen.optional}
        return {
            s.name: s.placeholder
            for s in self.settings
            if s.placeholder is not None and s.name not in others
        }
