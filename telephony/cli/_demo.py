"""``telephony demo``: the whole product in a few seconds, with no vendor account.

Starts the sandbox in-process on a free port, places calls to its outcome test numbers on
every provider it serves, receives their status callbacks on a local receiver while waiting
for them to end, lists each account page by page, and prints one table of every call (merged
by creation time) and per-provider figures.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from typing import Any, TextIO

import telephony
from telephony._models import Call, CallStatus, NewCall
from telephony.cli._context import Context
from telephony.cli._demo_callbacks import CallbackFeed
from telephony.cli._exit import CliError, ExitCode
from telephony.cli._output import report_table, write_calls, write_status_counts
from telephony.cli._progress import is_terminal
from telephony.cli._sandbox import sandbox_providers
from telephony.cli._types import positive_float, positive_int, whole
from telephony.report import creation_order, merge, summarize

__all__ = ["OUTCOME_NUMBERS", "add_demo", "demo"]

# The sandbox's test numbers, one per outcome (see telephony.sandbox). The last one would stay
# up for an hour: the demo hangs it up once it is answered.
OUTCOME_NUMBERS = (
    "+15550100001",
    "+15550100002",
    "+15550100003",
    "+15550100004",
    "+15550100005",
    "+15550100006",
    "+15550100007",
)
_HANG_UP_WHEN_ANSWERED = "+15550100007"
_CALLER = "+15557654321"
_ANSWER_URL = "https://app.example/voice/answer"
_RING_TIMEOUT = 20.0


class DemoError(CliError):
    exit_code = ExitCode.FAILURE


def _place_calls(client: Any, out: TextIO, feed: CallbackFeed | None = None) -> list[Call]:
    placed = []
    provider = client.provider
    answer_url = _ANSWER_URL if feed is None else feed.url(provider, "answer")
    status_url = None if feed is None else feed.url(provider, "status")
    for number in OUTCOME_NUMBERS:
        new_call = NewCall(
            to=number,
            from_=_CALLER,
            answer_url=answer_url,
            status_callback_url=status_url,
            ring_timeout=_RING_TIMEOUT,
        )
        placed.append(client.create_call(new_call))
    out.write(f"  {client.provider}: placed {len(placed)} calls to the outcome numbers\n")
    return placed


def _wait_for_ends(
    clients: dict[str, Any],
    placed: list[Call],
    *,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Poll each live call until it ends; hang up the long one once it is answered."""
    live = {(call.provider, call.id): call for call in placed}
    hung_up: set[tuple[str, str]] = set()
    while live:
        for key, call in list(live.items()):
            client = clients[key[0]]
            now = client.get_call(call.id)
            if now.status.is_terminal:
                del live[key]
            elif (
                now.to == _HANG_UP_WHEN_ANSWERED
                and now.status is CallStatus.IN_PROGRESS
                and key not in hung_up
            ):
                client.hangup(call.id)
                hung_up.add(key)
        if live and clock() > deadline:
            waiting = ", ".join(f"{p} {i}" for p, i in live)
            raise DemoError(f"demo: calls still live after the time allowed: {waiting}")
        if live:
            time.sleep(0.05)


def _list_paged(client: Any, page_size: int, out: TextIO) -> list[Call]:
    calls: list[Call] = []
    sizes: list[int] = []
    page = client.get_page(page_size=page_size)
    while True:
        calls.extend(page.items)
        sizes.append(len(page.items))
        if page.next_cursor is None:
            break
        page = client.get_page(page.next_cursor)
    out.write(
        f"  {client.provider}: {len(calls)} calls in {len(sizes)} pages of up to {page_size} "
        f"({' + '.join(map(str, sizes))})\n"
    )
    # merge needs each stream in creation order; the demo's few calls are simply sorted.
    return sorted(calls, key=creation_order)


def demo(args: argparse.Namespace, ctx: Context) -> int:
    from telephony.sandbox import Sandbox

    out = ctx.stdout
    started = time.monotonic()
    with Sandbox(seed_calls=args.seed_calls, speed=args.speed, seed=args.seed, port=0) as sandbox:
        out.write(
            f"sandbox on {sandbox.url}: {args.seed_calls} seeded calls per account, "
            f"time x{args.speed:g}\n\n"
        )
        names = sandbox_providers(sandbox)
        settings: dict[str, dict[str, Any]] = {name: sandbox.settings(name) for name in names}
        clients = {name: telephony.connect(name, **settings[name]) for name in names}
        try:
            with CallbackFeed(clients) as feed:
                out.write("placing calls:\n")
                placed = [c for client in clients.values() for c in _place_calls(client, out, feed)]
                out.flush()
                _wait_for_ends(clients, placed, deadline=time.monotonic() + args.wait)
                out.write("  every placed call has ended\n\n")
                sandbox.wait_for_callbacks(timeout=args.wait)
                final = [clients[call.provider].get_call(call.id) for call in placed]
                feed.write(out, final)
                out.write("\n")
            out.write("listing each account, page by page:\n")
            listed = [_list_paged(client, args.page_size, out) for client in clients.values()]
        finally:
            for client in clients.values():
                client.close()
    # On a terminal the tables fit its width, as calls list and report do.
    width = shutil.get_terminal_size().columns if is_terminal(out) else None
    out.write("\nall calls, merged by creation time:\n")
    merged = merge(*listed, names=list(clients))
    write_calls(merged, out, fmt="table", width=width, keep=("provider",))
    report = summarize(merge(*listed, names=list(clients)), group_by=("provider",))
    out.write("\nfigures per provider:\n")
    table, dropped = report_table(report, width=width)
    out.write(table)
    if dropped:
        out.write(f"(left out to fit {width} columns: {', '.join(dropped)})\n")
    out.write("\ncalls per status:\n")
    write_status_counts(report, out, label=lambda key: str(key[0]))
    out.write(f"\ndone in {time.monotonic() - started:.1f} s\n")
    out.flush()
    return ExitCode.OK


# The demo prints every call it lists, page by page: more than this is a wall of text (and a
# long wait); `telephony sandbox --seed-calls N` serves any number.
_DEMO_MOST = 1000


def _demo_calls(text: str) -> int:
    value = whole(text)
    if value > _DEMO_MOST:
        raise argparse.ArgumentTypeError(
            f"at most {_DEMO_MOST}, got {text!r}: the demo prints every call (for more, run "
            "telephony sandbox --seed-calls N and list or report on it)"
        )
    return value


def add_demo(commands: Any) -> None:
    """The ``demo`` command's arguments."""
    parser = commands.add_parser(
        "demo",
        help="place, watch and list calls on every provider of an in-process sandbox",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--seed-calls",
        type=_demo_calls,
        default=12,
        metavar="N",
        help=f"seeded calls per account (default 12, at most {_DEMO_MOST}: every call is printed)",
    )
    parser.add_argument(
        "--page-size",
        type=positive_int,
        default=5,
        metavar="N",
        help="page size of the listing (default 5, to show paging)",
    )
    parser.add_argument(
        "--speed",
        type=positive_float,
        default=200.0,
        help="sandbox seconds per real second (default 200)",
    )
    parser.add_argument("--seed", type=int, default=1, help="history seed (default 1)")
    parser.add_argument(
        "--wait",
        type=positive_float,
        default=15.0,
        metavar="SECONDS",
        help="longest wait for the placed calls to end (default 15)",
    )
    parser.set_defaults(handler=demo)
