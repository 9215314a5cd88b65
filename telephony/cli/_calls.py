"""``telephony calls create|get|list|hangup|redirect|replace-bxml``."""

from __future__ import annotations

import argparse
import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from telephony._errors import TelephonyError, ValidationError
from telephony._models import NewCall
from telephony._registry import describe, providers
from telephony.cli._config import (
    connect,
    naming_settings,
    profile_from,
    provider_settings,
    providers_from,
)
from telephony.cli._context import Context
from telephony.cli._exit import ExitCode, UsageError
from telephony.cli._export import (
    RESUMABLE_FORMATS,
    ResumeState,
    Sink,
    make_folder,
    open_output,
    read_state,
    render_page,
    resume_hint,
    write_page,
    write_state,
)
from telephony.cli._logs import showing_retries
from telephony.cli._output import CUT, write_call, write_calls
from telephony.cli._progress import Progress, is_terminal, progress_for

__all__ = ["create", "get", "hangup", "list_calls", "redirect", "replace_bxml"]


def _whole_ids(args: argparse.Namespace) -> None:
    """An id copied from a fitted table (``c-e1c499…b9ab5f7``) is refused with the way to
    see it whole, before anything is sent."""
    for dest, shown in (("call_id", "CALL_ID"), ("parent_id", "--parent-id")):
        value = getattr(args, dest, None)
        if value and CUT in value:
            raise UsageError(
                f"{shown} {value}: an id the table shortened to fit the terminal; list with "
                "--wide (or --format jsonl) to see ids in full"
            )


@contextlib.contextmanager
def _client(args: argparse.Namespace, ctx: Context) -> Iterator[Any]:
    _whole_ids(args)
    given = [args.provider] if args.provider else None
    profile = profile_from(args, ctx.environ, ctx.redact)
    [provider] = providers_from(given, ctx.environ, several=False, profile=profile)
    if profile is not None and profile.provider != provider:
        raise UsageError(
            f"--profile {profile.name} is a {profile.provider} account, not {provider}: leave "
            f"out -p, or give a {provider} profile"
        )
    settings = provider_settings(provider, args, ctx.environ, profile=profile)
    with naming_settings(provider, settings), connect(provider, args, settings) as client:
        yield client


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
    with _client(args, ctx) as client:
        if not describe(client.provider).capabilities.replace_bxml:
            # Said before reading: `-` would otherwise wait for stdin first.
            with_bxml = [name for name in providers() if describe(name).capabilities.replace_bxml]
            raise UsageError(
                f"{client.provider} calls have no BXML to replace (only "
                f"{', '.join(with_bxml) or 'no installed provider'}): use calls redirect"
            )
        bxml = _read_bxml(args.source, ctx.stdin)
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
    state = read_state(args.resume) if args.resume else None
    if state is not None:
        if args.provider and args.provider != state.provider:
            raise UsageError(f"--resume {args.resume} continues a {state.provider} export")
        if args.format and args.format != state.format:
            raise UsageError(f"--resume {args.resume} continues a {state.format} export")
        args.provider = state.provider
    fmt = state.format if state is not None else ctx.call_format(args.format)
    filters = {
        "to": args.to,
        "from_": args.from_,
        "status": args.status,
        "started_after": args.since,
        "started_before": args.until,
        "parent_id": args.parent_id,
    }
    resuming = state is not None or args.cursor is not None
    if resuming and (any(value is not None for value in filters.values()) or args.page_size):
        raise UsageError(
            "--cursor and --resume go on with the filters and page size the export began "
            "with: give no others"
        )
    if fmt not in RESUMABLE_FORMATS and (resuming or args.output):
        raise UsageError(
            f"--output, --cursor and --resume take --format {' or '.join(RESUMABLE_FORMATS)}"
        )
    if fmt == "parquet" and not (args.output or state is not None):
        raise UsageError("--format parquet writes a folder: give --output DIR")
    if fmt == "parquet" and state is None and args.cursor is None:
        folder = Path(args.output)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise UsageError(f"--output {args.output}: exists and is not an empty folder")
        make_folder(args.output, "--output")
    with _client(args, ctx) as client:
        progress = progress_for(ctx.stderr, label=f"{client.provider} calls", chosen=args.progress)
        if fmt in RESUMABLE_FORMATS:
            count = _export(client, args, ctx, fmt=fmt, state=state, filters=filters,
                            progress=progress)  # fmt: skip
        else:
            count = _table(client, args, ctx, filters=filters, progress=progress)
        progress.finish()
    if count == 0 and fmt == "table":
        ctx.note("no calls")
    return ExitCode.OK


def _table(
    client: Any,
    args: argparse.Namespace,
    ctx: Context,
    *,
    filters: dict[str, Any],
    progress: Progress,
) -> int:
    calls = _paged_calls(client, args, filters=filters, progress=progress)
    # On a terminal the table fits its width (COLUMNS when set) unless --wide.
    width = None
    if is_terminal(ctx.stdout) and not args.wide:
        width = shutil.get_terminal_size().columns
    out: Any = ctx.stdout
    if progress.enabled and progress.live and is_terminal(ctx.stdout):
        out = _ClearingSink(ctx.stdout, progress)
    try:
        with showing_retries(progress):
            count: int = write_calls(progress.track(calls), out, fmt="table", width=width)
        ctx.stdout.flush()
    finally:
        progress.clear()
    return count


def _paged_calls(
    client: Any, args: argparse.Namespace, *, filters: dict[str, Any], progress: Progress
) -> Iterator[Any]:
    """The calls of ``list_calls``, read page by page so the records each page read (kept or
    not, ``Page.scanned``) reach the progress line."""
    left = args.limit
    if left == 0:
        return
    page = client.get_page(page_size=args.page_size, **filters)
    while True:
        _scanned(page, progress)
        items = page.items if left is None else page.items[:left]
        yield from items
        left = None if left is None else left - len(items)
        if page.next_cursor is None or left == 0:
            return
        page = client.get_page(cursor=page.next_cursor)


def _page_at(client: Any, cursor: str, given: str) -> Any:
    """The page a cursor the user gave points at; a cursor telephony never printed (cut short
    when copied, or another provider's) is a usage error naming where it came from."""
    try:
        return client.get_page(cursor=cursor)
    except ValidationError as exc:
        if exc.field != "cursor":
            raise
        raise UsageError(
            f"{given}: not a cursor telephony printed for {client.provider}; copy the whole "
            "cursor from the line the stopped export printed, with the same -p"
        ) from None


def _scanned(page: Any, progress: Progress) -> None:
    if page.scanned is not None:
        progress.scan(page.scanned)


def _export(
    client: Any,
    args: argparse.Namespace,
    ctx: Context,
    *,
    fmt: str,
    state: ResumeState | None,
    filters: dict[str, Any],
    progress: Progress,
) -> int:
    """Page by page: a page is rendered, written at once, then its cursor kept."""
    output: str | None = args.output or (state.output if state is not None else None)
    if state is not None:
        state_path: Path | None = Path(args.resume)
    else:
        state_path = Path(output + ".resume") if output else None
    parquet = fmt == "parquet"
    offset = None if state is None else state.offset
    binary = open_output(output, offset=offset) if output and not parquet else None
    sink = Sink(ctx.stdout, binary)
    page_number = offset or 0  # parquet: pages written so far, each its own files
    written = 0 if state is None else state.written
    left = args.limit if state is None else state.limit_left
    cursor = args.cursor if state is None else state.cursor
    header = state is None and args.cursor is None  # appending: no second CSV header
    saved = state is not None  # a resume file exists that says where to go on from
    try:
        with showing_retries(progress):
            if left == 0:
                page = None
            elif cursor is not None:
                page = _page_at(client, cursor, f"--resume {args.resume}" if state else "--cursor")
            else:
                page = client.get_page(page_size=args.page_size, **filters)
            while page is not None:
                _scanned(page, progress)
                items = list(progress.track(page.items if left is None else page.items[:left]))
                if parquet:
                    assert output is not None
                    write_page(items, output, number=page_number)
                    page_number += 1
                    position = page_number
                else:
                    sink.write(render_page(items, fmt=fmt, header=header))
                    position = sink.offset()
                header = False
                written += len(items)
                left = None if left is None else left - len(items)
                cursor = page.next_cursor
                if cursor is None or left == 0:
                    break
                if state_path is not None and output is not None:
                    write_state(state_path, ResumeState(client.provider, fmt, output, cursor,
                                                        position, written, left))  # fmt: skip
                    saved = True
                page = client.get_page(cursor=cursor)
    except (TelephonyError, KeyboardInterrupt) as exc:
        progress.clear()
        if (saved or cursor is not None) and not isinstance(exc, ValidationError):
            ctx.note(
                resume_hint(
                    provider=client.provider,
                    fmt=fmt,
                    cursor=cursor,
                    state_path=state_path if saved else None,
                    written=written,
                )
            )
        raise
    finally:
        sink.close()
    if state_path is not None:
        state_path.unlink(missing_ok=True)
    return written
