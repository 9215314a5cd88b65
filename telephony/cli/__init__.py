"""The ``telephony`` command line: ``telephony calls ...``, ``report``, ``sandbox``, ``demo``.

``main(argv)`` runs one command and returns its exit status; expected failures print one line
on stderr (never a traceback, never a secret). Commands, environment variables and exit codes:
README.md beside this file.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from telephony._errors import TelephonyError
from telephony.cli._config import Redactor, secrets_in
from telephony.cli._context import Context
from telephony.cli._exit import CliError, ExitCode, classify, flag_names
from telephony.cli._logs import logging_to

__all__ = ["ExitCode", "main"]

_DEBUG_ENV = "TELEPHONY_DEBUG"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:1000]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``telephony`` with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ)
    ctx = Context(
        stdout=sys.stdout,
        stderr=sys.stderr,
        stdin=sys.stdin,
        environ=environ,
        redact=Redactor(secrets_in(args_list, environ)),
    )

    def fail(code: ExitCode, message: str) -> int:
        ctx.stderr.write("telephony: " + ctx.redact(_one_line(message)) + "\n")
        ctx.stderr.flush()
        return int(code)

    command: argparse.ArgumentParser | None = None
    try:
        from telephony.cli._parser import build_parser

        parser = build_parser()
        try:
            args, extra = parser.parse_known_args(args_list)
            # The command that ran: its flags spell the library's names in messages, and an
            # unknown flag points at its --help.
            command = getattr(args, "command_parser", parser)
            if extra:
                command.error(f"unrecognized arguments: {' '.join(extra)}")
        except SystemExit as done:  # --help and --version
            return done.code if isinstance(done.code, int) else 0
        if args.handler is None:
            parser.print_usage(ctx.stderr)
            return fail(ExitCode.USAGE, "choose a command (see telephony --help)")
        with logging_to(ctx.stderr, ctx.redact, getattr(args, "verbose", 0)):
            return int(args.handler(args, ctx))
    except CliError as exc:
        return fail(exc.exit_code, str(exc))
    except TelephonyError as exc:
        code, message = classify(exc, flag_names(command) if command else None)
        return fail(code, message)
    except KeyboardInterrupt:
        return fail(ExitCode.INTERRUPTED, "interrupted")
    except BrokenPipeError:
        _silence_stdout()
        return int(ExitCode.BROKEN_PIPE)
    except Exception as exc:
        if environ.get(_DEBUG_ENV):
            ctx.stderr.write(ctx.redact(traceback.format_exc()))
        hint = "" if environ.get(_DEBUG_ENV) else f" (set {_DEBUG_ENV}=1 for the traceback)"
        return fail(ExitCode.INTERNAL, f"internal error: {type(exc).__name__}: {exc}{hint}")


def _silence_stdout() -> None:
    # The reader went away: point stdout at /dev/null so the interpreter's final flush does
    # not raise again on the way out.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
