"""``telephony calls create|get|list|hangup|redirect|replace-bxml``."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from telephony._models import NewCall
from telephony.cli._config import connect, profile_from, provider_settings, providers_from
from telephony.cli._context import Context
from telephony.cli._exit import ExitCode, UsageError
from telephony.cli._logs import showing_retries
from telephony.cli._output import write_call, write_calls
from telephony.cli._progress import Progress, is_terminal

__all__ = ["create", "get", "hangup", "list_calls", "redirect", "replace_bxml"]


def _client(args: argparse.Namespace, ctx: Context) -> Any:
    given = [args.provider] if args.provider else None
    profile = profile_from(args, ctx.environ, ctx.redact)
    [provider] = providers_from(given, ctx.environ, several=False, profile=profile)
    if profile is not None and profile.provider != provider:
        raise UsageError(
            f"--profile {profile.name} is a {profile.provider} account, not {provider}"
        )
    settings = provider_settings(provider, args, ctx.environ, profile=profile)
    return connect(provider, args, settings)


def create(args: argparse.Namespace, ctx: Context) -> int:
    new_call = NewCall(
        to=args.to,
        from_=args.from_,
        answer_url=args.answer_url,
        answer_method=args.answer_method,
        fallback_url=args.fallback_url,
        fallback_method=args.fallback_method,
        status_callback_url=args.status_callback_url,
        status_callback_method=args.status_callback_method,
        ring_timeout=args.ring_timeout,
    )
    with _client(args, ctx) as client:
        call = client.create_call(new_call)
    write_call(call, ctx.stdout, fmt=ctx.call_format(args.format))
    return ExitCode.OK


def get(args: argparse.Namespace, ctx: Context) -> int:
    with _client(args, ctx) as client:
        call = client.get_call(args.call_id)
    write_call(call, ctx.stdout, fmt=ctx.call_format(args.format))
    return ExitCode.OK


def hangup(args: argparse.Namespace, ctx: Context) -> int:
    with _client(args, ctx) as client:
        client.hangup(args.call_id)
        ctx.note(f"hang-up sent for {client.provider} call {args.call_id}")
    return ExitCode.OK


def redirect(args: argparse.Namespace, ctx: Context) -> int:
    with _client(args, ctx) as client:
        client.redirect(args.call_id, args.url, method=args.method)
        ctx.note(f"{client.provider} call {args.call_id} redirected to {args.url}")
    return ExitCode.OK


def _read_bxml(source: str, stdin: TextIO) -> str:
    try:
        if source == "-":
            return stdin.read()
        with open(source, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read BXML from {source!r}: {reason}") from None


def replace_bxml(args: argparse.Namespace, ctx: Context) -> int:
    bxml = _read_bxml(args.source, ctx.stdin)
    with _client(args, ctx) as client:
        client.replace_bxml(args.call_id, bxml)
        ctx.note(f"BXML replaced for {client.provider} call {args.call_id}")
    return ExitCode.OK


class _ClearingSink:
    """stdout when the progress line shares its terminal: take the line down before writing."""

    def __init__(self, out: TextIO, progress: Progress) -> None:
        self._out = out
        self._progress = progress

    def write(self, text: str) -> int:
        self._progress.clear()
        return self._out.write(text)

    def flush(self) -> None:
        self._out.flush()


def list_calls(args: argparse.Namespace, ctx: Context) -> int:
    fmt = ctx.call_format(args.format)
    with _client(args, ctx) as client:
        calls = client.list_calls(
            to=args.to,
            from_=args.from_,
            status=args.status,
            started_after=args.since,
            started_before=args.until,
            parent_id=args.parent_id,
            page_size=args.page_size,
            limit=args.limit,
        )
        shown = args.progress
        if shown is None:  # by default only where it is seen and does not mix with the rows
            shown = is_terminal(ctx.stderr) and not is_terminal(ctx.stdout)
        progress = Progress(
            ctx.stderr,
            label=f"{client.provider} calls",
            enabled=shown,
            live=is_terminal(ctx.stderr),
        )
        out: Any = ctx.stdout
        if progress.enabled and progress.live and is_terminal(ctx.stdout):
            out = _ClearingSink(ctx.stdout, progress)
        try:
            with showing_retries(progress):
                count = write_calls(progress.track(calls), out, fmt=fmt)
            ctx.stdout.flush()
        finally:
            progress.clear()
        progress.finish()
    if count == 0 and fmt == "table":
        ctx.note("no calls")
    return ExitCode.OK
