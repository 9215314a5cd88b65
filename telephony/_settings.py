"""Where ``connect`` finds settings it was not given: a named profile, or the environment.

``connect("bandwidth")`` with no settings reads the environment variables the command line
reads (``BANDWIDTH_ACCOUNT_ID``...). ``connect(profile="prod-bw")`` reads the profile of that
name from a TOML file (``$TELEPHONY_CONFIG``, else ``~/.config/telephony/config.toml``)::

    [profiles.prod-bw]
    provider = "bandwidth"
    account_id = "9900000"
    username = "api-user"
    password = "..."

Keywords given to ``connect`` override the profile's. Like ssh with a private key, a file
holding secrets is refused when other users may read it or another user owns it. Secret
values never appear in an error.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from telephony._errors import ValidationError
from telephony._provider import ProviderInfo

__all__ = [
    "CONFIG_ENV",
    "Profile",
    "config_path",
    "load_profile",
    "resolve",
    "settings_from_environment",
]

CONFIG_ENV = "TELEPHONY_CONFIG"
DEFAULT_CONFIG = Path("~/.config/telephony/config.toml")
_SECRET_WORDS = ("password", "secret", "token", "key")


@attrs.frozen(kw_only=True)
class Profile:
    """One named account of the profiles file."""

    name: str
    provider: str
    settings: Mapping[str, str] = attrs.field(repr=False)
    path: Path

    def __repr__(self) -> str:  # never the values: some are secrets
        return f"Profile(name={self.name!r}, provider={self.provider!r}, path={str(self.path)!r})"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The profiles file: ``$TELEPHONY_CONFIG``, else ``~/.config/telephony/config.toml``."""
    environ = os.environ if environ is None else environ
    given = environ.get(CONFIG_ENV)
    return Path(given).expanduser() if given else DEFAULT_CONFIG.expanduser()


def settings_from_environment(info: ProviderInfo, environ: Mapping[str, str]) -> dict[str, str]:
    """The settings of ``info`` set in ``environ`` (empty values are not set)."""
    return {s.name: environ[s.env] for s in info.settings if environ.get(s.env)}


def _describe(provider: str) -> ProviderInfo:
    from telephony._registry import describe

    return describe(provider)


def _secret_keys(provider: object, keys: list[str]) -> list[str]:
    info: ProviderInfo | None = None
    if isinstance(provider, str):
        try:
            info = _describe(provider)
        except ValidationError:
            info = None
    secret_names = {s.name for s in info.secrets} if info else set()
    return [
        key
        for key in keys
        if key in secret_names
        or (info is None and any(word in key for word in _SECRET_WORDS) and "url" not in key)
    ]


def _check_permissions(path: Path, info: os.stat_result) -> None:
    """Refuse a file holding secrets that another user can read or that another user owns,
    the way ssh refuses such a private key."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise ValidationError(
            f"{path} holds secrets but other users may read it (mode {mode:04o}); "
            f"run: chmod 600 {path}",
            field="profile",
        )
    if info.st_uid != os.getuid():
        raise ValidationError(
            f"{path} holds secrets but belongs to another user (uid {info.st_uid})",
            field="profile",
        )


def _read(path: Path) -> tuple[dict[str, Any], os.stat_result]:
    try:
        with path.open("rb") as file:
            status = os.fstat(file.fileno())
            data = tomllib.load(file)
    except FileNotFoundError:
        raise ValidationError(
            f"no profiles file at {path} (create it, or set {CONFIG_ENV} to its path)",
            field="profile",
        ) from None
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}", field="profile") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's messages name a line and column, never the value.
        raise ValidationError(f"{path} is not valid TOML: {exc}", field="profile") from None
    return data, status


def load_profile(name: str, *, environ: Mapping[str, str] | None = None) -> Profile:
    """The profile called ``name``; ValidationError (field ``profile``) if the file is
    missing, unreadable, not safe, or has no such profile."""
    if not isinstance(name, str) or not name:
        raise ValidationError("must be a profile name", field="profile")
    path = config_path(environ)
    data, status = _read(path)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise ValidationError(f"{path}: [profiles.NAME] tables expected", field="profile")
    if any(_secret_keys(p.get("provider"), list(p)) for p in profiles.values()):
        _check_permissions(path, status)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ValidationError(f"{path} has no profile {name!r} (it has: {known})", field="profile")
    table = dict(profiles[name])
    provider = table.pop("provider", None)
    if not isinstance(provider, str):
        raise ValidationError(f'{path}: profile {name!r} needs provider = "..."', field="profile")
    info = _describe(provider)
    known_names = {s.name for s in info.settings}
    settings: dict[str, str] = {}
    for key, value in table.items():
        if key not in known_names:
            raise ValidationError(
                f"{path}: profile {name!r} has {key!r}, which is not a {provider} setting "
                f"({', '.join(sorted(known_names))})",
                field="profile",
            )
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError(
                f"{path}: profile {name!r}: {key} must be a string", field="profile"
            )
        settings[key] = str(value)
    return Profile(name=name, provider=provider, settings=settings, path=path)


def resolve(
    provider: str | None,
    *,
    profile: str | None,
    given: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The provider name and the settings ``connect`` hands its adapter."""
    if profile is not None:
        found = load_profile(profile, environ=environ)
        if provider is not None and provider != found.provider:
            raise ValidationError(
                f"profile {profile!r} is a {found.provider} account, not {provider}",
                field="provider",
            )
        return found.provider, {**found.settings, **given}
    if provider is None:
        raise ValidationError("give a provider name or profile=", field="provider")
    if given:
        return provider, dict(given)
    info = _describe(provider)
    settings = settings_from_environment(info, os.environ if environ is None else environ)
    missing = info.missing(settings)
    if missing:
        names = "; ".join(" and ".join(info.setting(n).env for n in group) for group in missing)
        raise ValidationError(
            f"{provider}: no settings given and none in the environment: set {names}",
            field="settings",
        )
    return provider, settings
