"""The settings a test's client is made with, and the client: on replay the placeholders the
cassettes are stored with, when recording the real ones (environment variables or the
``telephony_record_settings`` fixture), taught to the cassette's scrubber so no credential,
account id or host is written.

Kept apart from ``plugin`` (the hooks and fixtures pytest registers) because this is the one
place that handles live credentials: what is redacted, and that a failure names settings but
never shows their values.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest

import telephony
from telephony._errors import ValidationError
from telephony._provider import ProviderInfo
from telephony._registry import describe
from telephony._settings import settings_from_environment
from telephony.testing._scrub import REDACTED, Scrubber

__all__ = ["client_settings", "connect", "environment_settings"]

_CLIENT_OPTIONS = frozenset({"transport", "timeout", "max_retries", "backoff", "max_retry_wait"})
_SECRET_WORDS = ("password", "secret", "token", "key")


def _describe(provider: str) -> ProviderInfo:
    try:
        return describe(provider)
    except ValidationError as exc:
        pytest.fail(f"telephony_client: {exc}", pytrace=False)


def environment_settings(provider: str) -> dict[str, Any]:
    """The provider's real settings from ``<PROVIDER>_<SETTING>`` environment variables (its
    own settings only, under the names the command line reads)."""
    return settings_from_environment(_describe(provider), os.environ)


def _teach(scrubber: Scrubber, info: ProviderInfo, settings: Mapping[str, Any]) -> None:
    """Tell the scrubber what the live settings look like in the cassette, as the provider
    describes them: URLs rebased onto their placeholder, secrets redacted, ids replaced."""
    described = {s.name: s for s in info.settings}
    for key, value in settings.items():
        if not isinstance(value, str) or not value:
            continue
        setting = described.get(key)
        if setting is None:
            if any(word in key for word in _SECRET_WORDS) and not key.endswith("_url"):
                scrubber.learn(value, REDACTED)
        elif setting.url:
            if setting.placeholder:
                scrubber.rebase(value, setting.placeholder)
            try:
                password = urlsplit(value).password
            except ValueError:
                password = None
            if password:
                scrubber.learn(password, REDACTED)
        elif setting.secret:
            scrubber.learn(value, REDACTED)
        elif setting.placeholder:
            scrubber.learn(value, setting.placeholder)


def _credentials(info: ProviderInfo, chosen: str | None, given: Mapping[str, Any]) -> set[str]:
    """The settings of the credential sets not in use (``chosen``, else the one ``given``
    holds), to leave out of the defaults."""
    way = None
    if chosen is not None:
        try:
            way = info.credentials_named(chosen)
        except KeyError as exc:
            pytest.fail(f"telephony_client: {exc.args[0]}", pytrace=False)
    else:
        way = next((w for w in info.credentials if any(n in given for n in w.settings)), None)
    if way is None:
        return set()
    others = {n for w in info.credentials if w is not way for n in (*w.settings, *w.optional)}
    return others - {*way.settings, *way.optional}


def client_settings(
    provider: str,
    *,
    given: Mapping[str, Any],
    credentials: str | None,
    mode: str,
    record_settings: Callable[[str], Mapping[str, Any]],
    scrubber: Scrubber,
) -> dict[str, Any]:
    """The settings of a client of ``provider`` in record ``mode``: the replay placeholders or
    the recording settings, without the credential sets not chosen, under what the test
    ``given``; retries off unless asked. When recording, missing settings fail the test and
    the live values are taught to ``scrubber``."""
    info = _describe(provider)
    replaying = mode == "none"
    base = dict(info.replay_settings() if replaying else record_settings(provider))
    for name in _credentials(info, credentials, given):
        base.pop(name, None)
    if mode == "none" and credentials is not None:
        base.update(info.replay_settings(credentials))
    settings = {**base, **given}
    settings.setdefault("max_retries", 0)
    if mode != "none":
        missing = info.missing(settings)
        if credentials is not None:
            way = info.credentials_named(credentials)
            if way is not None and not all(settings.get(n) for n in way.settings):
                missing.append(way.settings)
        if missing:
            names = "; ".join(" and ".join(info.setting(n).env for n in group) for group in missing)
            pytest.fail(
                f"recording {provider!r} needs its settings: set {names} or override the "
                "telephony_record_settings fixture",
                pytrace=False,
            )
        _teach(scrubber, info, settings)
    return settings


def connect(provider: str, *, settings: dict[str, Any], use_async: bool) -> Any:
    """A ``Client`` (or ``AsyncClient``) of ``provider``; bad settings fail the test."""
    try:
        if use_async:
            return telephony.connect_async(provider, **settings)
        return telephony.connect(provider, **settings)
    except ValidationError as exc:
        # Say which settings were used by name only: the values may be credentials.
        names = ", ".join(sorted(set(settings) - _CLIENT_OPTIONS))
        pytest.fail(f"telephony_client({provider!r}) with {names}: {exc}", pytrace=False)
