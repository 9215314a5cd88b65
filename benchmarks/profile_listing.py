"""Where telephony's listing spends its time: a per-stage breakdown, then cProfile.

    python benchmarks/profile_listing.py [--provider bandwidth|restcomm] [--top 25]

The breakdown times each stage alone on the same pages, without a profiler (which inflates
small Python calls): fetching the bytes, parsing them (``json.loads`` / the adapter's safe
XML reader), turning records into ``Call`` objects, and the whole ``list_calls``. The cProfile
table that follows says which functions the time belongs to.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks.listing import _raw_bandwidth, bandwidth_contestants, restcomm_contestants
from benchmarks.pages import ACCOUNT_SID, BANDWIDTH_PATH, RESTCOMM_PATH
from benchmarks.server import (
    BANDWIDTH_PASSWORD,
    BANDWIDTH_USER,
    RESTCOMM_TOKEN,
    page_server_process,
)


def _each(items: list[Any], work: Callable[[Any], object]) -> None:
    # Page by page, dropping each result, as a listing does: nothing piles up for the GC.
    for item in items:
        work(item)


def _median_time(work: Callable[[], object], rounds: int) -> float:
    work()
    times = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _bandwidth_urls(origin: str, page_size: int) -> list[str]:
    """The requests the raw contestant makes (cap crossings included), in order."""
    urls: list[str] = []

    def remember(response: httpx.Response) -> None:
        urls.append(str(response.request.url))

    hooks = {"response": [remember]}
    with httpx.Client(auth=(BANDWIDTH_USER, BANDWIDTH_PASSWORD), event_hooks=hooks) as http:
        for _ in _raw_bandwidth(http, f"{origin}{BANDWIDTH_PATH}", page_size):
            pass
    return urls


def _bandwidth_bodies(urls: list[str]) -> list[bytes]:
    with httpx.Client(auth=(BANDWIDTH_USER, BANDWIDTH_PASSWORD)) as http:
        return [http.get(url).content for url in urls]


def _restcomm_bodies(origin: str, page_size: int) -> list[bytes]:
    bodies = []
    with httpx.Client(auth=(ACCOUNT_SID, RESTCOMM_TOKEN)) as http:
        for number in range(10**6):
            params = {"Page": str(number), "PageSize": str(page_size)}
            response = http.get(f"{origin}{RESTCOMM_PATH}", params=params)
            if response.status_code == 400:
                break
            bodies.append(response.content)
    return bodies


def breakdown(
    provider: str, origin: str, *, page_size: int, calls: int, rounds: int
) -> list[tuple[str, float]]:
    if provider == "bandwidth":
        from telephony.adapters.bandwidth._fast import calls_from_page
        from telephony.adapters.bandwidth._normalize import call_from_state

        urls = _bandwidth_urls(origin, page_size)
        bodies = _bandwidth_bodies(urls)
        parsed = [json.loads(body) for body in bodies]
        stages: list[tuple[str, Callable[[], object]]] = [
            ("fetch pages (httpx, bytes only)", lambda: _bandwidth_bodies(urls)),
            ("json.loads", lambda: _each(bodies, json.loads)),
            (
                "call_from_state per record",
                lambda: _each(parsed, lambda page: [call_from_state(r) for r in page]),
            ),
            ("typed decode (calls_from_page), whole", lambda: _each(bodies, calls_from_page)),
        ]
        contestants, _ = bandwidth_contestants(origin, page_size=page_size, calls=calls)
    else:
        import xmltodict  # type: ignore[import-untyped]

        from telephony.adapters.restcomm._fastxml import read_call_list
        from telephony.adapters.restcomm._normalize import call_from_record
        from telephony.adapters.restcomm._xml import checked_text, find_elements, parse_xml

        bodies = _restcomm_bodies(origin, page_size)
        documents = [parse_xml(body) for body in bodies]
        records = [find_elements(d, "Call") or [] for d in documents]
        stages = [
            ("fetch pages (httpx, bytes only)", lambda: _restcomm_bodies(origin, page_size)),
            (
                "xmltodict.parse (bytes, force_list)",
                lambda: _each(bodies, lambda body: xmltodict.parse(body, force_list=("Call",))),
            ),
            ("adapter parse_xml (general safe reader)", lambda: _each(bodies, parse_xml)),
            (
                "fast reader (checked_text + read_call_list)",
                lambda: _each(bodies, lambda body: read_call_list(checked_text(body))),
            ),
            (
                "call_from_record per record",
                lambda: _each(records, lambda page: [call_from_record(r) for r in page]),
            ),
        ]
        contestants, _ = restcomm_contestants(origin, page_size=page_size, calls=calls)
    by_name = {c.name: c for c in contestants}
    stages.append(("telephony list_calls, whole", by_name["telephony"].run))
    gc.collect()
    gc.freeze()
    try:
        return [(name, _median_time(work, rounds)) for name, work in stages]
    finally:
        for contestant in contestants:
            contestant.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=("bandwidth", "restcomm"), default="bandwidth")
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    with page_server_process(calls=args.calls, page_size=args.page_size, seed=7) as origin:
        print(f"Stages, {args.calls:,} {args.provider} calls (median of {args.rounds}):")
        for name, seconds in breakdown(
            args.provider, origin, page_size=args.page_size, calls=args.calls, rounds=args.rounds
        ):
            per_call = seconds / args.calls * 1e6
            print(f"  {name:<40} {seconds:7.3f} s  {per_call:6.2f} us/call")
        contestants: Any
        if args.provider == "bandwidth":
            contestants, _ = bandwidth_contestants(
                origin, page_size=args.page_size, calls=args.calls
            )
        else:
            contestants, _ = restcomm_contestants(
                origin, page_size=args.page_size, calls=args.calls
            )
        telephony = next(c for c in contestants if c.name == "telephony")
        telephony.run()
        gc.collect()
        profiler = cProfile.Profile()
        profiler.runcall(telephony.run)
        for contestant in contestants:
            contestant.close()
    print(f"\ncProfile of telephony list_calls, top {args.top} by own time:")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
