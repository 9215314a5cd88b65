"""``telephony sandbox``: run the local two-vendor server until Ctrl+C."""

from __future__ import annotations

import argparse
from typing import Any

from telephony._registry import providers
from telephony.cli._context import Context
from telephony.cli._exit import CliError, ExitCode, UsageError

__all__ = ["sandbox", "sandbox_providers"]


def sandbox_providers(running: Any) -> list[str]:
    """The installed providers a running sandbox has a side for."""
    return [name for name in providers() if name in running.sides]


def sandbox(args: argparse.Namespace, ctx: Context) -> int:
    from telephony.sandbox import Faults, serve

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
    except ValueError as exc:
        raise UsageError(f"sandbox: {exc}") from None
    try:
        serve(
            args.host,
            args.port,
            seed_calls=args.seed_calls,
            speed=args.speed,
            seed=args.seed,
            faults=faults,
            log_requests=args.log_requests,
            out=ctx.stdout,
        )
    except OSError as exc:
        error = CliError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}")
        raise error from None
    return ExitCode.OK
