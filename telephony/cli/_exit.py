"""Exit codes and the one line an expected failure prints."""

from __future__ import annotations

import argparse
import enum
import re
from collections.abc import Mapping

from telephony._errors import (
    AuthenticationError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderServerError,
    RateLimitedError,
    TelephonyError,
    TransportError,
    UnsupportedOperationError,
    ValidationError,
)

__all__ = ["CliError", "ExitCode", "UsageError", "classify", "flag_names"]


class ExitCode(enum.IntEnum):
    """What ``telephony`` exits with. Documented in README.md beside this file."""

    OK = 0
    FAILURE = 1  # any other error (e.g. an unsafe paging link)
    USAGE = 2  # bad arguments, missing configuration, input no provider would accept
    AUTH = 3  # credentials refused (401) or not allowed (403)
    NOT_FOUND = 4  # no such call
    CONFLICT = 5  # the call cannot be changed in its state (e.g. it has ended)
    RATE_LIMITED = 6  # still rate limited (429) after the retries
    PROVIDER_FAILED = 7  # the provider failed (5xx) or answered something unreadable
    UNREACHABLE = 8  # no answer at all: connection refused, timeout, broken connection
    REFUSED = 9  # the provider refused the request as invalid (400 and other 4xx)
    INTERNAL = 70  # a bug in telephony (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    BROKEN_PIPE = 141  # stdout closed early, e.g. `| head` (128 + SIGPIPE)


class CliError(Exception):
    """An expected failure of the command line itself, with its exit code."""

    exit_code: ExitCode = ExitCode.FAILURE


class UsageError(CliError):
    """Bad arguments or missing configuration."""

    exit_code = ExitCode.USAGE


# Library argument names that differ from the command line's own (argparse ``dest``); every
# other name is found in the parser itself (``flag_names``).
_LIBRARY_ALIASES = {
    "started_after": "since",
    "started_before": "until",
    "bxml": "source",
}
_LIBRARY_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def _shown(action: argparse.Action) -> str:
    longs = [name for name in action.option_strings if name.startswith("--")]
    if longs or action.option_strings:
        return (longs or action.option_strings)[0]
    metavar = action.metavar if isinstance(action.metavar, str) else None
    return metavar or action.dest.upper()


def flag_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each argument's ``dest`` (and the library's name for it) as the user types it:
    ``{"since": "--since", "started_after": "--since", "call_id": "CALL_ID"}``, from one
    command's parser, so a message never names what the user cannot type."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if action.dest not in (argparse.SUPPRESS, "help") and action.dest not in names:
            names[action.dest] = _shown(action)
    for library, dest in _LIBRARY_ALIASES.items():
        if dest in names:
            names[library] = names[dest]
    return names


def _setting_names(field: str) -> str | None:
    """A provider setting as the command line spells it (``--x-account-id / X_ACCOUNT_ID``),
    from the providers' descriptions; a secret shows its environment variable only. Only for
    a message that reached here without its provider (``connect`` in _config names the one
    source the user used)."""
    from telephony._registry import describe, providers

    spelled = []
    for name in providers():
        for setting in describe(name).settings:
            if setting.name == field:
                flag = "--" + setting.env.lower().replace("_", "-")
                spelled.append(setting.env if setting.secret else f"{flag} / {setting.env}")
    return " or ".join(spelled) or None


def _validation_message(exc: ValidationError, flags: Mapping[str, str]) -> str:
    text = str(exc)
    field = exc.field

    def spelled(name: str) -> str | None:
        return flags.get(name) or _setting_names(name)

    def rename(found: re.Match[str]) -> str:  # "later than started_before": "... --until"
        return flags.get(found.group(0), found.group(0))

    if field and text.startswith(f"{field}: "):
        reason = _LIBRARY_NAME.sub(rename, text[len(field) + 2 :])
        return f"invalid {spelled(field) or field}: {reason}"
    return f"invalid input: {_LIBRARY_NAME.sub(rename, text)}"


def classify(exc: TelephonyError, flags: Mapping[str, str] | None = None) -> tuple[ExitCode, str]:
    """The exit code and message (without the ``telephony:`` prefix) for a library error;
    ``flags`` (``flag_names`` of the command that ran) spell the library's argument names."""
    if isinstance(exc, ValidationError):
        return ExitCode.USAGE, _validation_message(exc, flags or {})
    if isinstance(exc, UnsupportedOperationError):
        return ExitCode.USAGE, f"not supported: {exc}"
    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        what = "refused the credentials" if isinstance(exc, AuthenticationError) else "denied"
        return ExitCode.AUTH, f"{exc.provider} {what} ({exc.status_code}): {exc.message}"
    if isinstance(exc, NotFoundError):
        return ExitCode.NOT_FOUND, f"not found: {exc}"
    if isinstance(exc, ConflictError):
        return ExitCode.CONFLICT, f"cannot change the call now: {exc}"
    if isinstance(exc, RateLimitedError):
        wait = f" (retry after {exc.retry_after:g} s)" if exc.retry_after is not None else ""
        return ExitCode.RATE_LIMITED, f"rate limited: {exc}{wait}"
    if isinstance(exc, ProviderServerError):
        return ExitCode.PROVIDER_FAILED, f"provider failure: {exc}"
    if isinstance(exc, MalformedResponseError):
        return ExitCode.PROVIDER_FAILED, f"unreadable answer: {exc}"
    if isinstance(exc, ProviderError):
        return ExitCode.REFUSED, f"request refused: {exc}"
    if isinstance(exc, TransportError):
        return ExitCode.UNREACHABLE, f"cannot reach the provider: {exc}"
    return ExitCode.FAILURE, str(exc) or type(exc).__name__
