"""``telephony sandbox``: run the local two-vendor server until Ctrl+C."""

from __future__ import annotations

import argparse
import shlex
from typing import Any, TextIO, cast

from telephony._registry import providers
from telephony.cli._config import PROVIDER_ENV, cli_settings
from telephony.cli._context import Context
from telephony.cli._exit import CliError, ExitCode, UsageError

__all__ = ["env_lines", "sandbox", "sandbox_providers"]


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
