"""``telephony sync --store calls.db``: every configured provider into a local call store."""

from __future__ import annotations

import argparse
import contextlib
import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from telephony._client import RetryNotice
from telephony._errors import StoreError
from telephony.cli._config import connect, profile_from, provider_settings, providers_from
from telephony.cli._context import Context
from telephony.cli._exit import CliError, ExitCode, UsageError, classify
from telephony.cli._export import make_folder
from telephony.cli._logs import retry_notices
from telephony.cli._output import shorten
from telephony.cli._progress import fit_line, is_terminal
from telephony.cli._types import positive_float, positive_int

if TYPE_CHECKING:
    from telephony.store import CallStore

__all__ = ["add_sync", "open_store", "sync"]


def add_sync(commands: Any, connection: argparse.ArgumentParser, provider_help: str) -> None:
    parser = commands.add_parser(
        "sync",
        help="pull every configured provider's calls into a local store (SQLite)",
        description="Bring the calls of every provider given into STORE, incrementally: run it "
        "again to add new calls and the final state of calls that were still going. A sync "
        "killed at any point goes on from its last saved page when run again.",
        parents=[connection],
        allow_abbrev=False,
        usage="%(prog)s --store FILE [-p PROVIDER ...] [options]",
    )
    parser.add_argument("--store", required=True, metavar="FILE", help="SQLite store file")
    parser.add_argument("-p", "--provider", action="append", metavar="NAME", help=provider_help)
    parser.add_argument("--page-size", type=positive_int, metavar="N", help="calls per request")
    parser.add_argument(
        "--overlap",
        type=positive_float,
        default=3600.0,
        metavar="SECONDS",
        help="each listing starts this long before the newest call of the last one (default 3600)",
    )
    parser.add_argument(
        "--parquet",
        metavar="DIR",
        help="then export the whole store to DIR as Parquet, partitioned by provider and day "
        "(the arrow extra), replacing what DIR held for those days",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a progress line per saved page on stderr (default on)",
    )
    parser.set_defaults(handler=sync)


@contextlib.contextmanager
def open_store(path: str) -> Iterator[CallStore]:
    """The ``CallStore`` at ``--store PATH``; a file SQLite cannot use as one (not a database,
    a folder, no such directory, no permission) is a usage error naming the flag."""
    from telephony.store import CallStore

    try:
        store = CallStore(path)
    except StoreError as exc:
        raise UsageError(
            f"--store {path}: cannot use it as a call store ({exc.reason}); give a store file "
            "telephony sync made, or a new file's path"
        ) from None
    with store:
        yield store


def _arrow() -> Any:
    try:
        return importlib.import_module("telephony.arrow")  # the optional arrow extra
    except ImportError as exc:
        raise UsageError(f"--parquet: {exc}") from None


def _export_parquet(store_path: str, folder: str) -> int:
    arrow = _arrow()

    with open_store(store_path) as store:
        try:
            count: int = arrow.write_parquet(store.calls(), folder, replace=True)
        except OSError as exc:  # the disk filled up, the folder went away...
            raise CliError(f"--parquet {folder}: cannot write Parquet there ({exc})") from None
    return count


def sync(args: argparse.Namespace, ctx: Context) -> int:
    from datetime import timedelta

    from telephony.store import SyncProgress
    from telephony.store import sync as run_sync

    if args.parquet:
        _arrow()  # before any request: the export would fail after the sync otherwise
        make_folder(args.parquet, "--parquet")
    profile = profile_from(args, ctx.environ, ctx.redact)
    names = providers_from(args.provider, ctx.environ, several=True, profile=profile)
    # Every provider is checked before the first request is sent.
    settings = {name: provider_settings(name, args, ctx.environ, profile=profile) for name in names}
    with open_store(args.store):
        pass  # a file that cannot be a store is refused before any client is made
    clients = [connect(name, args, values) for name, values in settings.items()]
    live = is_terminal(ctx.stderr)

    def show(event: SyncProgress) -> None:
        if not args.progress:
            return
        # Redrawn in place on a terminal, so it must not wrap: a long account id is shortened.
        account = shorten(event.account, 16) if live else event.account
        line = (
            f"sync {event.provider} {account}: {event.phase}, {event.pages} pages, "
            f"{event.calls:,} calls ({event.new:,} new, {event.updated:,} updated)"
        )
        ctx.stderr.write(("\r\x1b[K" + fit_line(line)) if live else line + "\n")
        ctx.stderr.flush()

    def waiting(notice: RetryNotice) -> None:
        if args.progress:
            line = f"sync: waiting {notice.wait:.1f} s to retry {notice.method} ({notice.reason})"
            ctx.stderr.write(("\r\x1b[K" + fit_line(line)) if live else line + "\n")
            ctx.stderr.flush()

    try:
        with retry_notices(waiting):
            summary = run_sync(
                args.store,
                clients,
                page_size=args.page_size,
                overlap=timedelta(seconds=args.overlap),
                progress=show,
            )
    except KeyboardInterrupt:
        ctx.note("\ninterrupted: run the same command again to go on from the last saved page")
        raise
    except StoreError as exc:  # disk full, locked for longer than the timeout...
        raise CliError(
            f"--store {args.store}: {exc.reason} (run the same command again to go on from the "
            "last saved page)"
        ) from None
    finally:
        for client in clients:
            client.close()
    if live and args.progress:
        ctx.stderr.write("\r\x1b[K")
    ctx.stdout.write(ctx.redact(summary.format()) + "\n")
    ctx.stdout.flush()
    if args.parquet and not summary.failed:
        written = _export_parquet(args.store, args.parquet)
        ctx.note(f"exported {written:,} calls to {args.parquet}")
    for failed in summary.failed:
        assert failed.error is not None
        code, message = classify(failed.error)
        ctx.note(f"telephony: {failed.provider}: {message} (run again to go on from there)")
        return int(code)
    return ExitCode.OK
