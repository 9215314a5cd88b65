"""Which provider to use and how to connect to it: flags, a profile, environment variables.

Every setting a provider declares (its ``ProviderInfo``) has one environment variable and one
flag with the same name (``BANDWIDTH_ACCOUNT_ID`` / ``--bandwidth-account-id``), so several
providers can be configured side by side for ``telephony report``. ``--profile NAME`` takes a
named account from the profiles file instead of the environment. Nothing here names a
provider: the settings, the hints and the secrets all come from the descriptions. Secrets are
never echoed: ``Redactor`` blanks them out of anything printed.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import telephony
from telephony._errors import ValidationError
from telephony._provider import ProviderInfo
from telephony._registry import describe, providers
from telephony._settings import Profile, load_profile, settings_from_environment
from telephony.cli._exit import UsageError
from telephony.cli._types import non_negative_float, positive_float, whole

__all__ = [
    "PROFILE_ENV",
    "PROVIDER_ENV",
    "Configured",
    "Redactor",
    "Setting",
    "add_connection_arguments",
    "add_verbose_flag",
    "cli_settings",
    "connect",
    "naming_settings",
    "profile_from",
    "profile_secrets",
    "provider_settings",
    "providers_from",
    "secrets_in",
]

PROVIDER_ENV = "TELEPHONY_PROVIDER"
PROFILE_ENV = "TELEPHONY_PROFILE"


@dataclass(frozen=True)
class Setting:
    """One connection setting as the command line shows it: environment variable, flag and
    ``connect`` keyword."""

    env: str
    keyword: str
    help: str
    secret: bool = False
    default: str | None = None
    url: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.env.lower().replace("_", "-")

    @property
    def dest(self) -> str:
        return self.env.lower()


def _shown(info: ProviderInfo) -> tuple[Setting, ...]:
    return tuple(
        Setting(s.env, s.name, s.help or s.name, s.secret, s.default, s.url) for s in info.settings
    )


def cli_settings() -> dict[str, tuple[Setting, ...]]:
    """Every installed provider's settings, by provider name (sorted)."""
    return {name: _shown(describe(name)) for name in providers()}


def _setting_help(setting: Setting) -> str:
    default = f"; default {setting.default}" if setting.default else ""
    if setting.secret:
        return (
            f"{setting.help}{default}; prefer the environment variable {setting.env} "
            "(a flag shows in the process list)"
        )
    return f"{setting.help}{default} (env {setting.env})"


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """The per-provider settings, ``--profile``, ``--timeout``, ``--max-retries``,
    ``--max-retry-wait`` and ``-v``."""
    for provider, settings in cli_settings().items():
        if not settings:
            continue
        summary = describe(provider).summary
        group = parser.add_argument_group(
            f"{provider} connection" + (f": {summary}" if summary else ""),
            "each flag overrides the environment variable of the same name",
        )
        for setting in settings:
            # No default here: --help must never show a value taken from the environment.
            metavar = "SECRET" if setting.secret else "VALUE"
            group.add_argument(
                setting.flag, dest=setting.dest, metavar=metavar, help=_setting_help(setting)
            )
    add_profile_argument(parser)
    network = parser.add_argument_group("network")
    network.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="SECONDS",
        help="per-request timeout (default 30)",
    )
    network.add_argument(
        "--max-retries",
        type=whole,
        default=2,
        metavar="N",
        help="retries of rate-limited, failed or unanswered requests (default 2; 0 disables)",
    )
    network.add_argument(
        "--max-retry-wait",
        type=non_negative_float,
        default=None,
        metavar="SECONDS",
        help="most seconds one command waits to retry, in all (default: no bound)",
    )
    add_verbose_flag(parser, sub=True)


def add_verbose_flag(parser: argparse.ArgumentParser, *, sub: bool = False) -> None:
    """``-v`` (retries) / ``-vv`` (every request, httpx's own log too) on stderr."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        # On a subcommand, an absent -v must not undo one given before the command.
        default=argparse.SUPPRESS if sub else 0,
        help="log retries on stderr; -vv also every request (secrets are never shown)",
    )


def add_profile_argument(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: given before the command or after it, a subcommand's default must not
    # overwrite the value (argparse would).
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"a named account of the profiles file (env {PROFILE_ENV}; file "
        "$TELEPHONY_CONFIG or ~/.config/telephony/config.toml); instead of the environment",
    )


def profile_from(
    args: argparse.Namespace, environ: Mapping[str, str], redact: Redactor
) -> Profile | None:
    """The profile ``--profile`` (or TELEPHONY_PROFILE) names, if any; its secrets are added
    to ``redact`` before anything else can print."""
    name = getattr(args, "profile", None) or environ.get(PROFILE_ENV) or None
    if name is None:
        return None
    given = f"--profile {name}" if getattr(args, "profile", None) else f"{PROFILE_ENV}={name}"
    try:
        profile = load_profile(name, environ=environ)
    except ValidationError as exc:
        raise UsageError(f"{given}: {str(exc).removeprefix('profile: ')}") from None
    redact.add(*profile_secrets(profile))
    return profile


def providers_from(
    given: Sequence[str] | None,
    environ: Mapping[str, str],
    *,
    several: bool,
    profile: Profile | None = None,
) -> list[str]:
    """Provider names from ``--provider`` (repeatable, comma-separated), else the profile's,
    else TELEPHONY_PROVIDER."""
    known = providers()
    source = "--provider"
    items: list[str] = []
    for value in given or ():
        items.extend(value.split(","))
    if not items and profile is not None:
        source, items = "--profile", [profile.provider]
    if not items:
        source = PROVIDER_ENV
        items = environ.get(PROVIDER_ENV, "").split(",")
    names = [item.strip().lower() for item in items if item.strip()]
    if not names:
        raise UsageError(
            f"no provider: pass --provider or --profile, or set {PROVIDER_ENV} "
            f"(one of {', '.join(known)})"
        )
    for name in names:
        if name not in known:
            raise UsageError(f"{source}: unknown provider {name!r} (one of {', '.join(known)})")
    unique = list(dict.fromkeys(names))
    if not several and len(unique) > 1:
        raise UsageError(
            f"{source}: this command takes one provider, got {', '.join(unique)}: "
            f"choose one with {' or '.join(f'-p {name}' for name in unique)}"
        )
    return unique


def _flagged(setting: Setting, args: argparse.Namespace) -> str | None:
    value = getattr(args, setting.dest, None)
    return str(value) if value else None


def _hint(info: ProviderInfo, missing: list[tuple[str, ...]]) -> str:
    def envs(names: Iterable[str]) -> str:
        return " and ".join(info.setting(name).env for name in names)

    parts = []
    for group in missing:
        text = envs(group)
        others = [way for way in info.credentials if way.settings != group]
        if any(way.settings == group for way in info.credentials) and others:
            text += "".join(f" (or {envs(way.settings)})" for way in others)
        parts.append(text)
    return "; ".join(parts)


class Configured(dict[str, str]):
    """``connect`` keywords, and where the user gave each one (``--bandwidth-base-url``,
    ``BANDWIDTH_BASE_URL`` or a profile key), so a value a provider refuses is named as typed."""

    def __init__(self, values: Mapping[str, str], sources: Mapping[str, str]) -> None:
        super().__init__(values)
        self.sources = dict(sources)


def provider_settings(
    provider: str,
    args: argparse.Namespace,
    environ: Mapping[str, str],
    *,
    profile: Profile | None = None,
) -> Configured:
    """``connect`` keywords for ``provider``: flags over the profile (when it is this
    provider's) or else the environment; UsageError naming what is missing."""
    info = describe(provider)
    shown = _shown(info)
    if profile is not None and profile.provider == provider:
        values: dict[str, str] = dict(profile.settings)
        where = f"in profile {profile.name!r} ({profile.path})"
        sources = {key: f"{key} {where}" for key in values}
    else:
        values = settings_from_environment(info, environ)
        sources = {s.keyword: s.env for s in shown if s.keyword in values}
    for setting in shown:
        flagged = _flagged(setting, args)
        if flagged:
            values[setting.keyword] = flagged
            sources[setting.keyword] = setting.flag
    missing = info.missing(values)
    if missing:
        where = f"profile {profile.name!r} lacks" if profile is not None else "set"
        raise UsageError(
            f"{provider} is not configured: {where} {_hint(info, missing)} "
            "(or pass the flags of the same name, see --help)"
        )
    return Configured(values, sources)


def _refused_setting(provider: str, exc: ValidationError, settings: Configured) -> UsageError:
    """A provider refused (or lacks) one of its settings: name it as the user gave it (or
    would give it), say what to do."""
    setting = next(s for s in _shown(describe(provider)) if s.keyword == exc.field)
    if setting.keyword not in settings:
        return UsageError(
            f"{provider} needs {setting.env} for this: set it (or pass {setting.flag}, or add "
            f"{setting.keyword} to the profile)"
        )
    source = settings.sources.get(setting.keyword, setting.env)
    reason = str(exc).removeprefix(f"{exc.field}: ")
    value = "" if setting.secret else repr(settings[setting.keyword])
    if source == setting.env:
        default = f", or unset it (default {setting.default})" if setting.default else ""
        shown, todo = f"{source}={value}", f"correct the variable{default}"
    elif source == setting.flag:
        shown, todo = f"{source} {value}", "correct the flag"
    else:
        shown, todo = (
            f"{setting.keyword} {value} {source.removeprefix(setting.keyword)}",
            ("correct it in that file"),
        )
    return UsageError(f"invalid {' '.join(shown.split()).rstrip('=')}: {reason}; {todo}")


@contextlib.contextmanager
def naming_settings(provider: str, settings: Mapping[str, Any]) -> Iterator[None]:
    """A ValidationError about one of ``provider``'s settings (raised by ``connect``, or
    later, e.g. Bandwidth's application id when a call is placed) becomes a UsageError that
    names the variable, flag or profile key the user gave."""
    try:
        yield
    except ValidationError as exc:
        known = {s.keyword for s in _shown(describe(provider))}
        if isinstance(settings, Configured) and exc.field in known:
            raise _refused_setting(provider, exc, settings) from None
        raise


def connect(provider: str, args: argparse.Namespace, settings: Mapping[str, Any]) -> Any:
    """A ``telephony.Client`` with the network options of ``args``."""
    with naming_settings(provider, settings):
        return telephony.connect(
            provider,
            timeout=args.timeout,
            max_retries=args.max_retries,
            max_retry_wait=args.max_retry_wait,
            **settings,
        )


# Shorter secrets are not blanked out of messages: replacing every "ab" would garble the text
# and a secret that short protects nothing. Secrets are never formatted into messages anyway;
# this is the second line of defence (vendor texts, URLs).
_MIN_SECRET = 4


def secrets_in(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """Every secret the user gave, in flags or environment variables (read before parsing, so
    even an argument error cannot echo one): the settings each provider says are secret, and
    passwords inside URL settings."""
    every = [s for group in cli_settings().values() for s in group]
    secret_settings = [s for s in every if s.secret]
    url_settings = [s for s in every if s.url]
    found = [environ.get(setting.env, "") for setting in secret_settings]
    flags = {setting.flag for setting in secret_settings}
    url_flags = {setting.flag for setting in url_settings}
    urls = [environ.get(setting.env, "") for setting in url_settings]
    for index, arg in enumerate(argv):
        name, equals, inline = arg.partition("=")
        value = inline if equals else (argv[index + 1] if index + 1 < len(argv) else "")
        if name in flags:
            found.append(value)
        elif name in url_flags:
            urls.append(value)
    for url in urls:
        try:
            password = urlsplit(url).password
        except ValueError:
            continue
        if password:
            found.append(password)
    return [secret for secret in found if secret]


def profile_secrets(profile: Profile) -> list[str]:
    """The secret values of a profile (to blank out of messages), URL passwords included."""
    info = describe(profile.provider)
    found = [profile.settings.get(s.name, "") for s in info.settings if s.secret]
    for s in info.settings:
        if s.url and profile.settings.get(s.name):
            try:
                found.append(urlsplit(profile.settings[s.name]).password or "")
            except ValueError:
                continue
    return [secret for secret in found if secret]


class Redactor:
    """Blanks known secrets out of text before it is printed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= _MIN_SECRET:
                self._secrets.add(secret)
                self._secrets.add(quote(secret, safe=""))

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text
