"""``telephony report``: the standard figures over the calls of one or several providers."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from telephony._registry import describe
from telephony.cli._config import connect, profile_from, provider_settings, providers_from
from telephony.cli._context import Context
from telephony.cli._exit import ExitCode, UsageError
from telephony.cli._logs import showing_retries
from telephony.cli._output import write_report
from telephony.cli._progress import Progress, is_terminal
from telephony.cli._sandbox import sandbox_providers
from telephony.report import Report, merge

__all__ = ["group_by_names", "report"]


def group_by_names(values: list[str] | None) -> tuple[str, ...]:
    """``--group-by provider,direction`` (repeatable); ``--group-by none`` for overall only."""
    names: list[str] = []
    for value in values or ["provider"]:
        names.extend(part.strip() for part in value.split(",") if part.strip())
    if names == ["none"]:
        return ()
    return tuple(names)


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
    from telephony.store import CallStore

    if args.sandbox:
        raise UsageError("--store and --sandbox: choose one")
    if not Path(args.store).is_file():
        raise UsageError(f"--store {args.store}: no such file (fill it with telephony sync)")
    names = [part.strip() for value in args.provider or () for part in value.split(",")]
    with CallStore(args.store) as store:
        return store.summarize(
            [name for name in names if name] or None,
            args.since,
            args.until,
            group_by=group_by,
        )


def report(args: argparse.Namespace, ctx: Context) -> int:
    fmt = ctx.report_format(args.format)
    result = Report(group_by=group_by_names(args.group_by))  # validates the names first
    if args.store is not None:
        write_report(_from_store(args, ctx, result.group_by), ctx.stdout, fmt=fmt)
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
        shown = args.progress if args.progress is not None else is_terminal(ctx.stderr)
        progress = Progress(
            ctx.stderr,
            label="+".join(sources),
            enabled=shown,
            live=is_terminal(ctx.stderr),
        )
        try:
            with showing_retries(progress):
                result.update(progress.track(merge(*streams, names=list(sources))))
        finally:
            progress.clear()
        progress.finish()
    write_report(result, ctx.stdout, fmt=fmt)
    return ExitCode.OK
