"""``telephony webhooks listen``: a callback receiver that prints each neutral event as it
arrives (a table for people, JSON lines for programs), to see what a vendor sends."""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from telephony._callbacks import CallEvent, callback_parser
from telephony._errors import TelephonyError
from telephony._registry import providers
from telephony.cli._context import Context
from telephony.cli._exit import CliError, ExitCode, UsageError

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

__all__ = ["EVENT_FORMATS", "FROM_ENV", "event_record", "listen", "read_checks", "webhooks_listen"]

EVENT_FORMATS = ("table", "jsonl")
FROM_ENV = "env:"  # --check password=env:NAME: the secret from a variable, not from argv
_COLUMNS = ("received", "provider", "call", "event", "status", "over", "direction")


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def event_record(event: CallEvent) -> dict[str, Any]:
    """An event as plain JSON values (``raw`` included)."""
    return {
        "provider": event.provider,
        "call_id": event.call_id,
        "event": event.event,
        "status": None if event.status is None else str(event.status),
        "is_terminal": event.is_terminal,
        "parent_id": event.parent_id,
        "account_id": event.account_id,
        "occurred_at": _moment(event.occurred_at),
        "answered_at": _moment(event.answered_at),
        "ended_at": _moment(event.ended_at),
        "direction": str(event.direction),
        "answered_by": event.answered_by,
        "disconnect_cause": event.disconnect_cause,
        "raw": dict(event.raw),
    }


def _printer(out: TextIO, form: str) -> Callable[[CallEvent], None]:
    lock = threading.Lock()

    def show(event: CallEvent) -> None:
        with lock:
            if form == "jsonl":
                out.write(json.dumps(event_record(event), default=str) + "\n")
            else:
                when = _moment(event.occurred_at) or "-"
                status = "-" if event.status is None else str(event.status)
                over = "yes" if event.is_terminal else "no"
                direction = str(event.direction)
                cells = (when, event.provider, event.call_id, event.event, status, over, direction)
                out.write("  ".join(cells) + "\n")
            out.flush()

    return show


def listen(
    host: str,
    port: int,
    *,
    out: TextIO,
    provider: str | None = None,
    checks: Mapping[str, str] | None = None,
    form: str = "table",
    stop: threading.Event | None = None,
) -> int:
    """Serve until Ctrl+C (or ``stop`` is set); print each accepted event on ``out``."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from telephony.webhooks import WSGIApp

    class _Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # the events are the output; request lines would drown them

    given = {provider: dict(checks)} if provider and checks else None
    app = WSGIApp(_printer(out, form), provider=provider, checks=given)
    server: WSGIServer = make_server(host, port, app, handler_class=_Quiet)
    with server:
        bound = server.server_address[1]
        where = f"http://{host}:{bound}"
        served = [provider] if provider else [p for p in providers() if _reads_callbacks(p)]
        paths = ", ".join(f"{where}/" if provider else f"{where}/{name}/..." for name in served)
        out.write(f"listening for callbacks at {paths} (Ctrl+C to stop)\n")
        if form == "table":
            out.write("  ".join(_COLUMNS) + "\n")
        out.flush()
        if stop is None:
            server.serve_forever(poll_interval=0.2)
            return 0
        runner = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        runner.start()
        stop.wait()
        server.shutdown()
        runner.join()
    return 0


def _reads_callbacks(provider: str) -> bool:
    try:
        callback_parser(provider)
    except TelephonyError:  # a provider without callbacks is left out
        return False
    return True


def read_checks(items: Iterable[str], environ: Mapping[str, str]) -> dict[str, str]:
    """``--check NAME=VALUE`` items as keyword arguments; ``NAME=env:VARIABLE`` takes the
    value from that environment variable, so a secret need not be in argv (which every user
    of the machine can read, with ``ps``)."""
    checks: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise UsageError("--check takes NAME=VALUE")  # never echoed: it may be a secret
        if value.startswith(FROM_ENV):
            variable = value.removeprefix(FROM_ENV)
            if not variable:
                raise UsageError(f"--check {name}={FROM_ENV}: name the environment variable")
            if variable not in environ:
                raise UsageError(
                    f"--check {name}={FROM_ENV}{variable}: the environment variable "
                    f"{variable} is not set (export it first)"
                )
            value = environ[variable]
        checks[name.replace("-", "_")] = value
    return checks


def webhooks_listen(args: argparse.Namespace, ctx: Context) -> int:
    checks = read_checks(args.check or (), ctx.environ)
    if checks and not args.provider:
        raise UsageError("--check needs --provider NAME: the checks are that provider's")
    if checks:
        # A misspelled check would otherwise refuse every callback once serving.
        takes = callback_parser(args.provider).auth
        for name in checks:
            if name not in takes:
                raise UsageError(
                    f"--check {name}=...: {args.provider} callbacks have no such check "
                    f"(they take {', '.join(takes) or 'none'})"
                )
    try:
        return listen(
            args.host,
            args.port,
            out=ctx.stdout,
            provider=args.provider,
            checks=checks,
            form=args.format,
        )
    except KeyboardInterrupt:
        return int(ExitCode.OK)
    except OSError as exc:
        error = CliError(
            f"cannot listen on --host {args.host} --port {args.port}: {exc.strerror or exc} "
            "(give another --host or --port)"
        )
        raise error from None


def add_webhooks(commands: Any, port: Callable[[str], int]) -> None:
    webhooks = commands.add_parser(
        "webhooks", help="receive vendors' status callbacks", allow_abbrev=False
    )
    actions = webhooks.add_subparsers(dest="action", metavar="ACTION", required=True)
    listen_parser = actions.add_parser(
        "listen",
        help="print each callback as a neutral event as it arrives",
        allow_abbrev=False,
        description="Without --provider, the first path segment names the provider "
        "(/bandwidth/..., /restcomm/...).",
    )
    listen_parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    listen_parser.add_argument("--port", type=port, default=8080, help="port (default 8080)")
    listen_parser.add_argument("--provider", choices=providers(), help="the one provider served")
    listen_parser.add_argument(
        "--format",
        choices=EVENT_FORMATS,
        default="table",
        help="one line per event: an aligned table (default) or JSON lines",
    )
    listen_parser.add_argument(
        "--check",
        action="append",
        metavar="NAME=VALUE",
        help="a check the provider's callbacks must pass (username=, password=, "
        f"path_secret=, account_sid=...); VALUE {FROM_ENV}VARIABLE reads it from that "
        "environment variable: give secrets that way, as the command line (argv) is visible "
        "to other users of this machine (ps)",
    )
    listen_parser.set_defaults(handler=webhooks_listen)
