"""Which provider to use and how to connect to it: flags first, then environment variables.

Every setting has one environment variable and one flag with the same name
(``BANDWIDTH_ACCOUNT_ID`` / ``--bandwidth-account-id``), so several providers can be
configured side by side for ``telephony report``. Secrets are never echoed: ``Redactor``
blanks them out of anything printed.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import telephony
from telephony.cli._exit import UsageError
from telephony.cli._types import positive_float, whole

__all__ = [
    "PROVIDERS",
    "PROVIDER_ENV",
    "SETTINGS",
    "Redactor",
    "Setting",
    "add_connection_arguments",
    "connect",
    "provider_settings",
    "providers_from",
    "secrets_in",
]

PROVIDER_ENV = "TELEPHONY_PROVIDER"


@dataclass(frozen=True)
class Setting:
    """One connection setting: its environment variable, flag and ``connect`` keyword."""

    env: str
    keyword: str
    help: str
    secret: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.env.lower().replace("_", "-")

    @property
    def dest(self) -> str:
        return self.env.lower()


SETTINGS: Mapping[str, tuple[Setting, ...]] = {
    "bandwidth": (
        Setting("BANDWIDTH_ACCOUNT_ID", "account_id", "account id"),
        Setting("BANDWIDTH_USERNAME", "username", "API user (Basic auth)"),
        Setting("BANDWIDTH_PASSWORD", "password", "API password", secret=True),
        Setting("BANDWIDTH_CLIENT_ID", "client_id", "OAuth2 client id (instead of a user)"),
        Setting("BANDWIDTH_CLIENT_SECRET", "client_secret", "OAuth2 client secret", secret=True),
        Setting(
            "BANDWIDTH_APPLICATION_ID", "application_id", "voice application for created calls"
        ),
        Setting("BANDWIDTH_BASE_URL", "base_url", "API root (default: Bandwidth's own)"),
        Setting("BANDWIDTH_TOKEN_URL", "token_url", "OAuth2 token URL (default: Bandwidth's own)"),
    ),
    "restcomm": (
        Setting(
            "RESTCOMM_BASE_URL", "base_url", "server's Restcomm root, e.g. https://host/restcomm"
        ),
        Setting("RESTCOMM_ACCOUNT_SID", "account_sid", "Account SID (AC...)"),
        Setting("RESTCOMM_AUTH_TOKEN", "auth_token", "auth token", secret=True),
    ),
}
PROVIDERS: tuple[str, ...] = tuple(sorted(SETTINGS))

# What each provider cannot do without: alternatives of setting sets, all of one set needed.
_REQUIRED: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "bandwidth": (("BANDWIDTH_ACCOUNT_ID",),),
    "restcomm": (("RESTCOMM_BASE_URL",), ("RESTCOMM_ACCOUNT_SID",), ("RESTCOMM_AUTH_TOKEN",)),
}
_CREDENTIALS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "bandwidth": (
        ("BANDWIDTH_USERNAME", "BANDWIDTH_PASSWORD"),
        ("BANDWIDTH_CLIENT_ID", "BANDWIDTH_CLIENT_SECRET"),
    ),
}


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """The per-provider settings, plus ``--timeout`` and ``--max-retries``."""
    for provider, settings in SETTINGS.items():
        group = parser.add_argument_group(
            f"{provider} connection",
            "each flag overrides the environment variable of the same name",
        )
        for setting in settings:
            hint = (
                f"{setting.help}; prefer the environment variable {setting.env} "
                "(a flag shows in the process list)"
                if setting.secret
                else f"{setting.help} (env {setting.env})"
            )
            # No default here: --help must never show a value taken from the environment.
            metavar = "SECRET" if setting.secret else "VALUE"
            group.add_argument(setting.flag, dest=setting.dest, metavar=metavar, help=hint)
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


def providers_from(
    given: Sequence[str] | None, environ: Mapping[str, str], *, several: bool
) -> list[str]:
    """Provider names from ``--provider`` (repeatable, comma-separated) or TELEPHONY_PROVIDER."""
    source = "--provider"
    items: list[str] = []
    for value in given or ():
        items.extend(value.split(","))
    if not items:
        source = PROVIDER_ENV
        items = environ.get(PROVIDER_ENV, "").split(",")
    names = [item.strip().lower() for item in items if item.strip()]
    if not names:
        raise UsageError(
            f"no provider: pass --provider or set {PROVIDER_ENV} (one of {', '.join(PROVIDERS)})"
        )
    for name in names:
        if name not in SETTINGS:
            raise UsageError(f"{source}: unknown provider {name!r} (one of {', '.join(PROVIDERS)})")
    unique = list(dict.fromkeys(names))
    if not several and len(unique) > 1:
        raise UsageError(f"{source}: this command takes one provider, got {', '.join(unique)}")
    return unique


def _value(setting: Setting, args: argparse.Namespace, environ: Mapping[str, str]) -> str | None:
    flagged = getattr(args, setting.dest, None)
    if flagged:
        return str(flagged)
    return environ.get(setting.env) or None


def provider_settings(
    provider: str, args: argparse.Namespace, environ: Mapping[str, str]
) -> dict[str, str]:
    """``connect`` keywords for ``provider``; UsageError naming what is missing."""
    values = {setting.env: _value(setting, args, environ) for setting in SETTINGS[provider]}
    missing = [
        " and ".join(names)
        for names in _REQUIRED.get(provider, ())
        if not all(values[name] for name in names)
    ]
    credentials = _CREDENTIALS.get(provider)
    if credentials and not any(all(values[name] for name in names) for names in credentials):
        missing.append(" and ".join(credentials[0]) + " (or " + " and ".join(credentials[1]) + ")")
    if missing:
        raise UsageError(
            f"{provider} is not configured: set {'; '.join(missing)} "
            "(or pass the flags of the same name, see --help)"
        )
    keyword = {setting.env: setting.keyword for setting in SETTINGS[provider]}
    return {keyword[env]: value for env, value in values.items() if value}


def connect(provider: str, args: argparse.Namespace, settings: Mapping[str, Any]) -> Any:
    """A ``telephony.Client`` with the network options of ``args``."""
    return telephony.connect(
        provider, timeout=args.timeout, max_retries=args.max_retries, **settings
    )


# Shorter secrets are not blanked out of messages: replacing every "ab" would garble the text
# and a secret that short protects nothing. Secrets are never formatted into messages anyway;
# this is the second line of defence (vendor texts, URLs).
_MIN_SECRET = 4
_SECRET_SETTINGS = tuple(s for group in SETTINGS.values() for s in group if s.secret)
_URL_SETTINGS = tuple(
    s for group in SETTINGS.values() for s in group if s.keyword in ("base_url", "token_url")
)


def secrets_in(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """Every secret the user gave, in flags or environment variables (read before parsing, so
    even an argument error cannot echo one)."""
    found = [environ.get(setting.env, "") for setting in _SECRET_SETTINGS]
    flags = {setting.flag for setting in _SECRET_SETTINGS}
    url_flags = {setting.flag for setting in _URL_SETTINGS}
    urls = [environ.get(setting.env, "") for setting in _URL_SETTINGS]
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
