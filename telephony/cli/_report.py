"""``telephony report``: the standard figures over the calls of one or several providers."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from telephony._registry import describe
from telephony.cli._config import connect, profile_from, provider_settings, providers_from
from telephony.cli._context import Context
from telephony.cli._exit import ExitCode, UsageError
from telephony.cli._logs import showing_retries
from telephony.cli._output import write_report
from telephony.cli._progress import is_terminal, progress_for
from telephony.cli._sandbox import sandbox_providers
from telephony.cli._sync import open_store
from telephony.report import COLUMNS, EVERY, Report, merge, render_html
from telephony.report._series import series_of

__all__ = ["emit", "group_by_names", "grouping", "report"]


def group_by_names(values: list[str] | None) -> tuple[str, ...]:
    """``--group-by provider,direction`` (repeatable); ``--group-by none`` for overall only."""
    names: list[str] = []
    for value in values or ["provider"]:
        names.extend(part.strip() for part in value.split(",") if part.strip())
    if names == ["none"]:
        return ()
    known = (*COLUMNS, *EVERY)
    for name in names:
        if name not in known:
            alone = " ('none' only alone)" if name == "none" else ""
            near = [column for column in known if name.lower() in column.split("_")]
            near = near or difflib.get_close_matches(name.lower(), known, n=2, cutoff=0.75)
            guess = f" (did you mean {' or '.join(near)}?)" if near and not alone else ""
            raise UsageError(
                f"--group-by {name}: not a column{alone}{guess}; give comma-separated names "
                f"of {', '.join(known)}, or none"
            )
    return tuple(names)


def grouping(args: argparse.Namespace) -> tuple[str, ...]:
    """``--group-by`` then the ``--every`` bucket; ``--html`` charts one series per value of a
    single grouping, per day unless ``--every`` says otherwise."""
    names = group_by_names(args.group_by)
    every = args.every or ("day" if args.html else None)
    if args.html and len(names) != 1:
        raise UsageError(
            f"--html charts one line per value of one --group-by name, got "
            f"{','.join(names) or 'none'}: give one (e.g. --group-by provider)"
        )
    if every is None:
        return names
    if every in names:
        raise UsageError(f"--every {every} and --group-by {every}: give it once")
    return (*names, every)


def emit(result: Report, args: argparse.Namespace, ctx: Context) -> None:
    """The report on stdout; with ``--html FILE`` the page in FILE (and on stdout only what
    ``--format`` asks for)."""
    if args.html is None:
        fmt = ctx.report_format(args.format)
        # On a terminal the table fits its width (COLUMNS when set) unless --wide.
        width = None
        if fmt == "table" and is_terminal(ctx.stdout) and not args.wide:
            width = shutil.get_terminal_size().columns
        dropped = write_report(result, ctx.stdout, fmt=fmt, width=width)
        if dropped:
            ctx.note(f"left out to fit {width} columns: {', '.join(dropped)} (--wide shows them)")
        return
    series = series_of(result)
    assert series is not None  # grouping() made it (name, bucket)
    title = "Calls of " + ", ".join(series.names) if series.names else "Call report"
    try:
        Path(args.html).write_text(render_html(series, title=title), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--html {args.html}: cannot write it ({exc.strerror})") from None
    print(f"wrote {args.html}", file=ctx.stderr)
    if args.format is not None:
        write_report(result, ctx.stdout, fmt=args.format)


@contextlib.contextmanager
def _sources(args: argparse.Namespace, ctx: Context) -> Iterator[Mapping[str, dict[str, Any]]]:
    """The ``connect`` settings of each provider to report on (an in-process sandbox's two
    accounts with ``--sandbox``)."""
    if not args.sandbox:
        profile = profile_from(args, ctx.environ, ctx.redact)
        names = providers_from(args.provider, ctx.environ, several=True, profile=profile)
        # Every provider is checked before the first request is sent.
        yield {name: provider_settings(name, args, ctx.environ, profile=profile) for name in names}
        return
    from telephony.sandbox import Sandbox

    with Sandbox(seed_calls=args.seed_calls, seed=args.seed, speed=60.0, port=0) as sandbox:
        served = sandbox_providers(sandbox)
        names = providers_from(args.provider, {}, several=True) if args.provider else served
        found: dict[str, dict[str, Any]] = {name: sandbox.settings(name) for name in names}
        for name, settings in found.items():
            secret = {s.name for s in describe(name).secrets}
            ctx.redact.add(*(str(value) for key, value in settings.items() if key in secret))
        yield found


def _from_store(args: argparse.Namespace, ctx: Context, group_by: tuple[str, ...]) -> Report:
    """The report over a store's calls: no provider is asked anything."""
    if args.sandbox:
        raise UsageError("--store and --sandbox: choose one")
    if not Path(args.store).is_file():
        raise UsageError(f"--store {args.store}: no such file (fill it with telephony sync)")
    names = [part.strip() for value in args.provider or () for part in value.split(",")]
    with open_store(args.store) as store:
        return store.summarize(
            [name for name in names if name] or None,
            args.since,
            args.until,
            group_by=group_by,
        )


def report(args: argparse.Namespace, ctx: Context) -> int:
    result = Report(group_by=grouping(args))  # validates the names first
    if args.store is not None:
        emit(_from_store(args, ctx, result.group_by), args, ctx)
        return ExitCode.OK
    with _sources(args, ctx) as sources, contextlib.ExitStack() as stack:
        streams = []
        for name, settings in sources.items():
            client = stack.enter_context(connect(name, args, settings))
            streams.append(
                client.list_calls(
                    started_after=args.since,
                    started_before=args.until,
                    page_size=args.page_size,
                )
            )
        progress = progress_for(ctx.stderr, label="+".join(sources), chosen=args.progress)
        try:
            with showing_retries(progress):
                result.update(progress.track(merge(*streams, names=list(sources))))
        finally:
            progress.clear()
        progress.finish()
    emit(result, args, ctx)
    return ExitCode.OK
