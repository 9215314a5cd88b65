"""Exit codes and the one line an expected failure prints."""

from __future__ import annotations

import enum

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

__all__ = ["CliError", "ExitCode", "UsageError", "classify"]


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


# Library argument names as the command line spells them, for ValidationError messages.
_FLAG_NAMES = {
    "to": "--to",
    "from_": "--from",
    "answer_url": "--answer-url",
    "answer_method": "--answer-method",
    "fallback_url": "--fallback-url",
    "fallback_method": "--fallback-method",
    "status_callback_url": "--status-callback-url",
    "status_callback_method": "--status-callback-method",
    "ring_timeout": "--ring-timeout",
    "started_after": "--since",
    "started_before": "--until",
    "parent_id": "--parent-id",
    "page_size": "--page-size",
    "limit": "--limit",
    "status": "--status",
    "call_id": "CALL_ID",
    "url": "URL",
    "method": "--method",
    "bxml": "BXML",
    "group_by": "--group-by",
    "profile": "--profile",
}


def _setting_names(field: str) -> str | None:
    """A provider setting as the command line spells it (``--x-account-id / X_ACCOUNT_ID``),
    from the providers' descriptions; a secret shows its environment variable only."""
    from telephony._registry import describe, providers

    spelled = []
    for name in providers():
        for setting in describe(name).settings:
            if setting.name == field:
                flag = "--" + setting.env.lower().replace("_", "-")
                spelled.append(setting.env if setting.secret else f"{flag} / {setting.env}")
    return " or ".join(spelled) or None


def _validation_message(exc: ValidationError) -> str:
    text = str(exc)
    field = exc.field
    if field and text.startswith(f"{field}: "):
        shown = _FLAG_NAMES.get(field) or _setting_names(field) or field
        return f"invalid {shown}: {text[len(field) + 2 :]}"
    return f"invalid input: {text}"


def classify(exc: TelephonyError) -> tuple[ExitCode, str]:
    """The exit code and message (without the ``telephony:`` prefix) for a library error."""
    if isinstance(exc, ValidationError):
        return ExitCode.USAGE, _validation_message(exc)
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
