"""``telephony completion bash|zsh|fish``: the shell's completion script for every command,
flag and choice, generated from the same argparse parser that reads the command line (so it
never lags behind it). ``shtab`` writes the scripts; it is the ``completion`` extra, imported
only here, so the CLI itself needs nothing more."""

from __future__ import annotations

import argparse
from typing import Any

from telephony.cli._context import Context
from telephony.cli._exit import CliError, ExitCode

__all__ = ["SHELLS", "add_completion", "completion_script"]

SHELLS = ("bash", "zsh", "fish")
EXTRA_HINT = "pip install 'telephony[completion]'"


def completion_script(shell: str) -> str:
    """The completion script of ``telephony`` for ``shell`` (one of ``SHELLS``)."""
    try:
        import shtab
    except ImportError:
        raise CliError(f"completion scripts need the completion extra: {EXTRA_HINT}") from None
    from telephony.cli._parser import build_parser

    script: str = shtab.complete(build_parser(), shell=shell)
    return script


def completion(args: argparse.Namespace, ctx: Context) -> int:
    ctx.stdout.write(completion_script(args.shell))
    ctx.stdout.flush()
    return ExitCode.OK


def add_completion(commands: Any) -> None:
    parser = commands.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh or fish; the completion extra)",
        description="Print the completion script of telephony for SHELL. Install it with e.g. "
        "telephony completion bash > ~/.local/share/bash-completion/completions/telephony "
        "(every shell: telephony/cli/README.md). Needs the completion extra: " + EXTRA_HINT,
        allow_abbrev=False,
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell the script is for")
    parser.set_defaults(handler=completion)
