"""The ``telephony`` argument parser."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any, NoReturn

import telephony
from telephony._models import CallStatus
from telephony._registry import describe, providers
from telephony.cli import _calls, _demo, _report, _sandbox, _webhooks
from telephony.cli._completion import add_completion
from telephony.cli._config import (
    PROFILE_ENV,
    PROVIDER_ENV,
    add_connection_arguments,
    add_profile_argument,
    add_verbose_flag,
    cli_settings,
)
from telephony.cli._dates import parse_since, parse_until
from telephony.cli._exit import ExitCode, UsageError
from telephony.cli._output import CALL_FORMATS, REPORT_FORMATS
from telephony.cli._sync import add_sync
from telephony.cli._types import port, positive_float, positive_int, whole
from telephony.report import EVERY

__all__ = ["build_parser"]

_EPILOG_END = """\
Secrets are never printed. Exit codes:
  0 ok, 1 other failure, 2 bad arguments or configuration, 3 credentials refused,
  4 no such call, 5 call cannot be changed now, 6 rate limited, 7 provider failure,
  8 provider unreachable, 9 request refused by the provider, 70 internal error,
  130 interrupted, 141 output closed early
Try it with no account: telephony demo
"""


# How --since and --until read a time ago, in their --help.
_AGO = "a time ago: 30m, 2h, 7d, 2w, now, today, yesterday"


def _epilog() -> str:
    """The configuration part of ``--help``, from the installed providers' descriptions."""
    lines = [
        "Configuration comes from flags or environment variables of the same name (flags win),",
        f"or from a profile (--profile NAME or {PROFILE_ENV}; see the CLI guide):",
        f"  {PROVIDER_ENV}  provider of `calls` ({', '.join(providers())}); a",
        "                      comma-separated list for `report`",
    ]
    for provider, settings in cli_settings().items():
        if settings:
            text = f"{provider}: " + ", ".join(s.env for s in settings)
            lines.extend(textwrap.wrap(text, 92, initial_indent="  ", subsequent_indent="    "))
    return "\n".join(lines) + "\n" + _EPILOG_END


class CliParser(argparse.ArgumentParser):
    """Raises UsageError instead of printing and exiting, so ``main`` prints one line."""

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            # Show option names only: a mistyped secret flag is followed by the secret.
            tokens = message[len(prefix) :].split()
            names = [token.partition("=")[0] for token in tokens if token.startswith("-")]
            others = len(tokens) - len(names)
            extra = f" (and {others} more value{'s' if others > 1 else ''})" if others else ""
            shown = " ".join(names) if names else f"{others} value{'s' if others > 1 else ''}"
            message = f"{prefix}{shown}{extra if names else ''}"
        command = self.prog.removeprefix("telephony").strip()
        where = f"{command}: " if command else ""
        raise UsageError(f"{where}{message} (see {self.prog} --help)")


def _connection_parent() -> argparse.ArgumentParser:
    parent = CliParser(add_help=False, allow_abbrev=False)
    add_connection_arguments(parent)
    return parent


def _progress_flag(parser: argparse.ArgumentParser, default_when: str) -> None:
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"progress line on stderr: count and rate (default: {default_when})",
    )


def _add_calls(commands: Any, connection: argparse.ArgumentParser) -> None:
    calls = commands.add_parser(
        "calls", help="create, get, list, hang up or redirect calls", allow_abbrev=False
    )
    actions = calls.add_subparsers(dest="action", metavar="ACTION", required=True)
    known = providers()
    with_bxml = [name for name in known if describe(name).capabilities.replace_bxml]

    def action(
        name: str, help_text: str, handler: Any, positionals: str = ""
    ) -> argparse.ArgumentParser:
        # A short usage line: the connection flags would otherwise fill the screen.
        parser: argparse.ArgumentParser = actions.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[connection],
            allow_abbrev=False,
            usage=f"%(prog)s [-p PROVIDER] [options]{positionals}",
        )
        parser.add_argument(
            "-p",
            "--provider",
            choices=known,
            metavar="PROVIDER",
            help=f"{', '.join(known)} (env {PROVIDER_ENV})",
        )
        parser.set_defaults(handler=handler)
        return parser

    def call_format(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--format",
            choices=CALL_FORMATS,
            help="output format (default: table on a terminal, jsonl when piped)",
        )

    create = action("create", "place a call", _calls.create)
    create.add_argument("--to", required=True, help="number (or SIP URI) to call")
    create.add_argument("--from", dest="from_", required=True, help="caller number")
    create.add_argument("--answer-url", required=True, help="URL fetched for call instructions")
    create.add_argument("--answer-method", choices=("GET", "POST"))
    create.add_argument("--fallback-url")
    create.add_argument("--fallback-method", choices=("GET", "POST"))
    create.add_argument("--status-callback-url", help="URL told when the call ends")
    create.add_argument("--status-callback-method", choices=("GET", "POST"))
    create.add_argument("--ring-timeout", type=positive_float, metavar="SECONDS")
    call_format(create)

    get = action("get", "show one call", _calls.get, " CALL_ID")
    get.add_argument("call_id", metavar="CALL_ID")
    call_format(get)

    listing = action("list", "list calls, oldest first (streams)", _calls.list_calls)
    listing.add_argument("--to", metavar="NUMBER", help="only calls to NUMBER (exact)")
    listing.add_argument(
        "--from", dest="from_", metavar="NUMBER", help="only calls from NUMBER (exact)"
    )
    statuses = [s.value for s in CallStatus]
    listing.add_argument(
        "--status",
        action="append",
        choices=statuses,
        metavar="STATUS",
        help=f"only calls in STATUS (repeatable): {', '.join(statuses)}",
    )
    listing.add_argument(
        "--since",
        type=parse_since,
        metavar="WHEN",
        help="only calls started at or after WHEN: ISO 8601 (no offset means UTC; a date "
        f"alone is its start) or {_AGO}",
    )
    listing.add_argument(
        "--until",
        type=parse_until,
        metavar="WHEN",
        help="only calls started at or before WHEN (a date alone includes that whole day)",
    )
    listing.add_argument("--parent-id", metavar="CALL_ID", help="only legs of this call")
    listing.add_argument("--limit", type=whole, metavar="N", help="stop after N calls")
    listing.add_argument("--page-size", type=positive_int, metavar="N", help="calls per request")
    listing.add_argument(
        "--format",
        choices=(*CALL_FORMATS, "parquet"),
        help="output format (default: table on a terminal, jsonl when piped); parquet "
        "(the arrow extra) writes a folder partitioned by provider and day: give --output",
    )
    listing.add_argument(
        "--wide",
        action="store_true",
        help="table: every column, ids in full (default: fit the terminal's width)",
    )
    listing.add_argument(
        "--output",
        metavar="PATH",
        help="write to PATH instead of stdout, keeping PATH.resume up to date so that a "
        "stopped export goes on with --resume",
    )
    listing.add_argument(
        "--resume",
        metavar="FILE",
        help="go on with the export FILE (PATH.resume) describes, appending to its output",
    )
    listing.add_argument(
        "--cursor",
        metavar="CURSOR",
        help="start at this cursor (printed when an export to stdout stops); append the "
        "output (>>) to what was written",
    )
    _progress_flag(listing, "on once the listing runs long: 2 s on a terminal, else 10 s")

    hangup = action(
        "hangup", "end a call (cancel it if not answered yet)", _calls.hangup, " CALL_ID"
    )
    hangup.add_argument("call_id", metavar="CALL_ID")

    redirect = action(
        "redirect", "send a call to new instructions", _calls.redirect, " CALL_ID URL"
    )
    redirect.add_argument("call_id", metavar="CALL_ID")
    redirect.add_argument("url", metavar="URL")
    redirect.add_argument("--method", choices=("GET", "POST"), default="POST")

    replace = action(
        "replace-bxml",
        f"replace a call's BXML ({', '.join(with_bxml) or 'no installed provider'})",
        _calls.replace_bxml,
        " CALL_ID FILE",
    )
    replace.add_argument("call_id", metavar="CALL_ID")
    replace.add_argument("source", metavar="FILE", help="BXML document file, or - for stdin")


def _add_report(commands: Any, connection: argparse.ArgumentParser) -> None:
    report = commands.add_parser(
        "report",
        help="ASR, NER, ACD, counts and cost over one or several providers",
        description="Figures over the calls of every provider given, as one data set.",
        parents=[connection],
        allow_abbrev=False,
        usage="%(prog)s [-p PROVIDER ...] [--sandbox | --store FILE] [options]",
    )
    report.add_argument(
        "-p",
        "--provider",
        action="append",
        metavar="NAME",
        help=f"provider to include (repeatable or comma-separated; env {PROVIDER_ENV})",
    )
    report.add_argument(
        "--sandbox",
        action="store_true",
        help="report on an in-process sandbox's two seeded accounts instead",
    )
    report.add_argument(
        "--seed-calls",
        type=whole,
        default=1000,
        metavar="N",
        help="with --sandbox: seeded calls per account (default 1000)",
    )
    report.add_argument(
        "--seed", type=int, default=0, help="with --sandbox: history seed (default 0)"
    )
    report.add_argument(
        "--store",
        metavar="FILE",
        help="report on the calls kept in this store (see telephony sync) instead of asking "
        "the providers; --since/--until then bound the creation time",
    )
    report.add_argument(
        "--since",
        type=parse_since,
        metavar="WHEN",
        help=f"calls started at or after WHEN: ISO 8601 (UTC unless it says) or {_AGO}",
    )
    report.add_argument(
        "--until",
        type=parse_until,
        metavar="WHEN",
        help="calls started at or before WHEN (a date alone includes that whole day)",
    )
    report.add_argument(
        "--group-by",
        action="append",
        metavar="NAMES",
        help="comma-separated export columns (provider, status, direction, disconnect_cause, "
        "from, to, ...) or hour, day, week (default provider; 'none': overall only)",
    )
    report.add_argument(
        "--every",
        choices=EVERY,
        help="figures per provider per hour, day or week (UTC; weeks start on Monday)",
    )
    report.add_argument(
        "--html",
        metavar="FILE",
        help="write one self-contained page of charts and tables (per day unless --every)",
    )
    report.add_argument("--page-size", type=positive_int, metavar="N", help="calls per request")
    report.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        help="output format (default: table on a terminal, json when piped; none with --html)",
    )
    report.add_argument(
        "--wide",
        action="store_true",
        help="table: every figure, group values in full (default: fit the terminal's width)",
    )
    _progress_flag(report, "on once the listing runs long: 2 s on a terminal, else 10 s")
    report.set_defaults(handler=_report.report)


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="telephony",
        description="One command line for telephony providers' calls.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"telephony {telephony.__version__}")
    add_profile_argument(parser)
    add_verbose_flag(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    connection = _connection_parent()
    _add_calls(commands, connection)
    _add_report(commands, connection)
    add_sync(
        commands,
        connection,
        f"provider to sync (repeatable or comma-separated; env {PROVIDER_ENV})",
    )
    _sandbox.add_sandbox(commands)
    _demo.add_demo(commands)
    _webhooks.add_webhooks(commands, port)
    add_completion(commands)
    parser.set_defaults(handler=None, exit_code=ExitCode.USAGE)
    _tag_commands(parser)
    return parser


def _tag_commands(parser: argparse.ArgumentParser) -> None:
    """Every (sub)command records itself as ``command_parser`` when it runs (the innermost
    wins), so messages can use the flags of the command the user typed."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.set_defaults(command_parser=sub)
                _tag_commands(sub)
