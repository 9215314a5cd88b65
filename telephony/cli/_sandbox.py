"""``telephony sandbox``: run the local two-vendor server until Ctrl+C."""

from __future__ import annotations

import argparse
import shlex
from typing import Any, TextIO, cast

from telephony._registry import providers
from telephony.cli._config import PROVIDER_ENV, cli_settings
from telephony.cli._context import Context
from telephony.cli._exit import CliError, ExitCode, UsageError
from telephony.cli._types import port, positive_float, whole

__all__ = ["add_sandbox", "env_lines", "sandbox", "sandbox_providers"]


def sandbox_providers(running: Any) -> list[str]:
    """The installed providers a running sandbox has a side for."""
    return [name for name in providers() if name in running.sides]


def env_lines(host: str, port: int, *, seed: int) -> list[str]:
    """``export NAME=value`` for every setting of every provider of the sandbox that
    ``telephony sandbox --host HOST --port PORT --seed SEED`` serves (its accounts follow from
    the seed, so this needs no running sandbox), then the provider list."""
    from telephony.sandbox import Sandbox

    if port == 0:
        raise UsageError("--env needs the --port the sandbox serves on (0 picks one at random)")
    shown_host = "127.0.0.1" if host in ("", "0.0.0.0") else host  # noqa: S104 (a comparison)
    origin = f"http://[{shown_host}]:{port}" if ":" in shown_host else f"http://{shown_host}:{port}"
    built = Sandbox(seed=seed, seed_calls=0, host=host, port=port)
    names = sandbox_providers(built)
    lines = []
    for name in names:
        values = built.side(name).settings(origin)
        for setting in cli_settings()[name]:
            if setting.keyword in values:
                lines.append(f"export {setting.env}={shlex.quote(str(values[setting.keyword]))}")
    lines.append(f"export {PROVIDER_ENV}={','.join(names)}")
    return lines


class _FirstLine:
    """``out`` that starts with ``line`` once something is written (the sandbox writes only
    once it serves: a port in use prints one error line and nothing else)."""

    def __init__(self, out: TextIO, line: str) -> None:
        self._out = out
        self._line: str | None = line

    def write(self, text: str) -> int:
        if self._line is not None:
            self._out.write(self._line)
            self._line = None
        return self._out.write(text)

    def flush(self) -> None:
        self._out.flush()


def _env_command(args: argparse.Namespace) -> str:
    """The ``telephony sandbox --env`` line that prints this sandbox's settings."""
    words = ["telephony", "sandbox", "--env", "--port", str(args.port)]
    if args.host != "127.0.0.1":
        words += ["--host", args.host]
    if args.seed:
        words += ["--seed", str(args.seed)]
    return shlex.join(words)


def sandbox(args: argparse.Namespace, ctx: Context) -> int:
    from telephony.sandbox import Faults, serve

    if args.env:
        for line in env_lines(args.host, args.port, seed=args.seed):
            print(line, file=ctx.stdout)
        return ExitCode.OK

    try:
        faults = None
        shares = (args.rate_limit, args.server_error, args.slow, args.drop)
        if any(shares):
            faults = Faults(
                rate_limit=args.rate_limit,
                server_error=args.server_error,
                slow=args.slow,
                drop=args.drop,
            )
    except ValueError:
        total = sum(shares)
        raise UsageError(
            f"--rate-limit, --server-error, --slow and --drop are shares of the requests: they "
            f"add up to at most 1, got {total:g}"
        ) from None
    out: TextIO = ctx.stdout
    if args.port:  # port 0 is known only once bound, and --env cannot name it
        hint = f'in another shell: eval "$({_env_command(args)})"\n'
        out = cast(TextIO, _FirstLine(ctx.stdout, hint))  # writes text: all serve uses
    try:
        serve(
            args.host,
            args.port,
            seed_calls=args.seed_calls,
            speed=args.speed,
            seed=args.seed,
            faults=faults,
            log_requests=args.log_requests,
            out=out,
        )
    except OSError as exc:
        error = CliError(
            f"cannot serve on --host {args.host} --port {args.port}: {exc.strerror or exc} "
            "(give another --host or --port)"
        )
        raise error from None
    return ExitCode.OK


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, got {text!r}")
    return value


def add_sandbox(commands: Any) -> None:
    """The ``sandbox`` command's arguments."""
    parser = commands.add_parser(
        "sandbox",
        help="run the local Bandwidth + Restcomm sandbox server",
        description="A local server speaking both vendors' APIs, with seeded call history, "
        "until Ctrl+C. It prints its settings and the line that exports them in another "
        "shell.",
        allow_abbrev=False,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument(
        "--env",
        action="store_true",
        help="print the settings of the sandbox this --host/--port/--seed serves as export "
        'lines and exit: eval "$(telephony sandbox --env)" in another shell',
    )
    parser.add_argument("--port", type=port, default=8765, help="port (default 8765; 0: any)")
    parser.add_argument(
        "--seed-calls",
        type=whole,
        default=1000,
        metavar="N",
        help="historical calls per account (default 1000)",
    )
    parser.add_argument(
        "--speed",
        type=positive_float,
        default=60.0,
        help="sandbox seconds per real second (default 60)",
    )
    parser.add_argument("--seed", type=int, default=0, help="history seed (default 0)")
    faults = parser.add_argument_group(
        "fault injection", "shares of API requests, 0 to 1, adding up to at most 1"
    )
    for name, what in (
        ("rate-limit", "answered 429 Too Many Requests (Retry-After: 1)"),
        ("server-error", "answered 500 (Restcomm also 503), not carried out"),
        ("slow", "answered after half a second"),
        ("drop", "whose connection is closed without an answer"),
    ):
        faults.add_argument(f"--{name}", type=_share, default=0.0, metavar="SHARE", help=what)
    parser.add_argument("--log-requests", action="store_true", help="log each request")
    parser.set_defaults(handler=sandbox)
