"""telephony benchmarks: listing throughput, import cost, streaming memory, and what the
sandbox spends per listed call.

    pip install -e '.[test,bench]'                     # the SDK is only a contestant
    python benchmarks/run.py                           # about two minutes
    python benchmarks/run.py --quick                   # fewer rounds, 100k-call memory run

Listing contestants read the same pre-rendered pages from a local page server (its own
process, on 127.0.0.1), alternate over several rounds with the garbage collector settled, and
are compared by the ratio of their medians. Nothing here asserts a time: the targets are
printed as PASS or MISS.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from benchmarks.imports import IMPORTS, import_available, time_imports  # noqa: E402
from benchmarks.listing import (  # noqa: E402
    SDK_INSTALL_HINT,
    Contestant,
    bandwidth_contestants,
    restcomm_contestants,
)
from benchmarks.machine import load_average, machine_facts  # noqa: E402
from benchmarks.memory import measure_stream, sandbox_available  # noqa: E402
from benchmarks.sandbox import measure_sandbox_cpu  # noqa: E402
from benchmarks.server import page_server_process  # noqa: E402

PAGE_SEED = 7
SECTIONS = ("bandwidth", "restcomm", "import", "memory", "sandbox")
MiB = 1024 * 1024


@dataclass
class Target:
    what: str
    limit: str  # as printed, e.g. "<= 1.5 (aim 1.3)"
    value: float | None
    ok: Callable[[float], bool]
    unit: str = "x"
    note: str = ""

    def verdict(self) -> str:
        if self.value is None:
            return "n/a"
        return "PASS" if self.ok(self.value) else "MISS"

    def shown(self) -> str:
        if self.value is None:
            return "-"
        return (
            f"{self.value:.2f}{self.unit}" if self.unit == "x" else f"{self.value:.1f} {self.unit}"
        )


@dataclass
class Report:
    lines: list[str]
    targets: list[Target]
    notes: list[str]

    def say(self, line: str = "") -> None:
        self.lines.append(line)
        print(line, flush=True)


def _time_listing(
    contestants: Sequence[Contestant], *, rounds: int, expected: int, notes: list[str]
) -> dict[str, list[float]]:
    """Median-ready times: one untimed warm-up each, then rounds in rotating order. A
    contestant other than the limit that fails its warm-up is left out with a note."""
    working = []
    for number, contestant in enumerate(contestants):
        try:
            seen = contestant.run()
            if seen != expected:
                raise RuntimeError(f"listed {seen} calls, not {expected}")
        except Exception as exc:
            if number == 0:
                raise
            notes.append(f"{contestant.name} left out: {type(exc).__name__}: {exc}")
        else:
            working.append(contestant)
    contestants = working
    gc.collect()
    gc.freeze()  # set-up and warm-up objects are never scanned again
    times: dict[str, list[float]] = {c.name: [] for c in contestants}
    try:
        for number in range(rounds):
            shift = number % len(contestants)
            for contestant in [*contestants[shift:], *contestants[:shift]]:
                gc.collect()  # nobody pays for the previous contestant's garbage
                started = time.perf_counter()
                seen = contestant.run()
                times[contestant.name].append(time.perf_counter() - started)
                if seen != expected:
                    raise RuntimeError(f"{contestant.name} listed {seen} calls, not {expected}")
    finally:
        gc.unfreeze()
    return times


def _listing_table(report: Report, title: str, times: dict[str, list[float]], calls: int) -> None:
    names = list(times)
    limit = statistics.median(times[names[0]])
    report.say(f"### {title}")
    report.say()
    report.say(f"| contestant | median s | min s | max s | calls/s | / {names[0]} | paired |")
    report.say("|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        median = statistics.median(times[name])
        # Paired: the median of per-round ratios; contestants of a round run back to back,
        # so a load swing on a shared machine hits both sides of each ratio alike.
        paired = statistics.median(
            mine / theirs for mine, theirs in zip(times[name], times[names[0]], strict=True)
        )
        report.say(
            f"| {name} | {median:.3f} | {min(times[name]):.3f} | {max(times[name]):.3f} "
            f"| {calls / median:,.0f} | {median / limit:.2f} | {paired:.2f} |"
        )
    report.say()


def _ratio(times: dict[str, list[float]], top: str, bottom: str) -> float | None:
    if top not in times or bottom not in times:
        return None
    return statistics.median(times[top]) / statistics.median(times[bottom])


def _run_listing(
    report: Report,
    args: argparse.Namespace,
    vendor: str,
    contestants: list[Contestant],
    notes: list[str],
    rounds: int,
) -> dict[str, list[float]]:
    """Time one vendor's contestants, close them, and add their table and notes."""
    try:
        times = _time_listing(contestants, rounds=rounds, expected=args.calls, notes=notes)
    finally:
        for contestant in contestants:
            contestant.close()
    report.notes.extend(f"{vendor}: {note}" for note in notes)
    _listing_table(
        report,
        f"{vendor} listing: {args.calls:,} calls in pages of {args.page_size} "
        f"(median of {rounds} rounds)",
        times,
        args.calls,
    )
    return times


def run_bandwidth(report: Report, args: argparse.Namespace, origin: str) -> None:
    contestants, notes = bandwidth_contestants(origin, page_size=args.page_size, calls=args.calls)
    times = _run_listing(report, args, "Bandwidth", contestants, notes, args.bandwidth_rounds)
    sdk_note = "" if "bandwidth-sdk" in times else "left out, see the notes"
    report.targets += [
        Target(
            "Bandwidth: telephony / raw httpx+json",
            "<= 1.5 (aim 1.4)",
            _ratio(times, "telephony", "raw httpx+json"),
            lambda value: value <= 1.5,
            note="" if "telephony" in times else "left out, see the notes",
        ),
        Target(
            "Bandwidth: bandwidth-sdk / telephony",
            ">= 2.5",
            _ratio(times, "bandwidth-sdk", "telephony"),
            lambda value: value >= 2.5,
            note=sdk_note,
        ),
    ]


def run_restcomm(report: Report, args: argparse.Namespace, origin: str) -> None:
    contestants, notes = restcomm_contestants(origin, page_size=args.page_size, calls=args.calls)
    times = _run_listing(report, args, "Restcomm", contestants, notes, args.restcomm_rounds)
    report.targets.append(
        Target(
            "Restcomm: telephony / raw httpx+xmltodict",
            "<= 0.65",
            _ratio(times, "telephony", "raw httpx+xmltodict"),
            lambda value: value <= 0.65,
            note="" if "telephony" in times else "left out, see the notes",
        )
    )


def run_imports(report: Report, args: argparse.Namespace) -> None:
    names = list(IMPORTS)
    if not import_available(IMPORTS["bandwidth-sdk"]):
        names.remove("bandwidth-sdk")
        report.notes.append(
            f"import: bandwidth-sdk is not installed, left out ({SDK_INSTALL_HINT})"
        )
    results = {r.name: r for r in time_imports(names, repetitions=args.import_repetitions)}
    base = results["telephony"].median
    report.say(
        f"### Import in a fresh interpreter (median of {args.import_repetitions} processes, "
        "the import statement alone)"
    )
    report.say()
    report.say("| import | median ms | min ms | / telephony |")
    report.say("|---|---:|---:|---:|")
    for name, result in results.items():
        report.say(
            f"| {IMPORTS[name].removeprefix('import ')} | {result.median * 1000:.1f} "
            f"| {min(result.seconds) * 1000:.1f} | {result.median / base:.2f} |"
        )
    report.say()
    deps = results["httpx+attrs+cattrs+xmltodict"].median
    sdk = results.get("bandwidth-sdk")
    report.targets += [
        Target(
            "import: telephony / httpx+attrs+cattrs+xmltodict",
            "<= 1.25",
            base / deps,
            lambda value: value <= 1.25,
        ),
        Target(
            "import: bandwidth-sdk / telephony",
            ">= 4",
            sdk.median / base if sdk else None,
            lambda value: value >= 4,
            note="" if sdk else f"SDK missing: {SDK_INSTALL_HINT}",
        ),
    ]


def run_memory(report: Report, args: argparse.Namespace) -> None:
    if not sandbox_available():
        report.notes.append("memory: telephony.sandbox is not importable; memory run left out")
        return
    # A point in between shows whether growth is a plateau (allocator arenas) or a leak.
    middle = args.memory_calls // 10
    counts = (args.memory_baseline, *([middle] if middle > args.memory_baseline else []))
    counts += (args.memory_calls,)
    results = [
        measure_stream(count, provider="bandwidth", page_size=args.page_size) for count in counts
    ]
    report.say("### Peak RSS streaming Bandwidth calls from the sandbox through list_calls")
    report.say()
    report.say("| calls asked | calls seen | RSS after set-up MiB | peak RSS MiB | seconds |")
    report.say("|---:|---:|---:|---:|---:|")
    for count, result in zip(counts, results, strict=True):
        report.say(
            f"| {count:,} | {result.calls:,} | {result.setup_kb / 1024:.1f} "
            f"| {result.peak_kb / 1024:.1f} | {result.seconds:.1f} |"
        )
    report.say()
    short = [f"{r.calls:,} of {c:,}" for c, r in zip(counts, results, strict=True) if r.calls != c]
    growth = (results[-1].peak_kb - results[0].peak_kb) / 1024
    report.targets.append(
        Target(
            f"memory: peak RSS growth {counts[0]:,} -> {counts[-1]:,} calls",
            "< 60 MB",
            None if short else growth,
            lambda value: value * MiB < 60_000_000,
            unit="MiB",
            note=f"the stream stopped short ({', '.join(short)})" if short else "",
        )
    )


def run_sandbox(report: Report, args: argparse.Namespace) -> None:
    """The sandbox's CPU per listed call: streaming figures measured against the sandbox are
    the library's only while this stays well below the client's own cost."""
    if not sandbox_available():
        report.notes.append("sandbox: telephony.sandbox is not importable; sandbox run left out")
        return
    results = measure_sandbox_cpu(args.sandbox_calls, page_size=args.page_size)
    report.say(
        f"### Sandbox CPU per listed call ({args.sandbox_calls:,} seeded calls, pages of "
        f"{args.page_size}, plain httpx client; `python benchmarks/sandbox.py`)"
    )
    report.say()
    report.say("| vendor | calls listed | sandbox CPU s | us per call |")
    report.say("|---|---:|---:|---:|")
    for result in results:
        report.say(
            f"| {result.provider} | {result.calls:,} | {result.cpu_seconds:.2f} "
            f"| {result.us_per_call:.1f} |"
        )
    report.say()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Listing throughput, import cost and streaming memory of telephony.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="5/3 rounds, 8 imports, a 100k-call memory run"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="listing rounds per contestant (Bandwidth 15, Restcomm 7: its rounds are 10x longer)",
    )
    parser.add_argument("--calls", type=int, default=20000, help="calls per listing (20000)")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--import-repetitions", type=int, help="processes per import (25)")
    parser.add_argument("--memory-calls", type=int, help="the long stream (1000000)")
    parser.add_argument("--memory-baseline", type=int, default=10000)
    parser.add_argument("--sandbox-calls", type=int, help="the sandbox CPU listing (100000)")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only these parts (repeatable)"
    )
    parser.add_argument("--output", type=Path, help="also write the report (Markdown) here")
    args = parser.parse_args(argv)
    args.bandwidth_rounds = args.rounds or (5 if args.quick else 15)
    args.restcomm_rounds = args.rounds or (3 if args.quick else 7)
    args.import_repetitions = args.import_repetitions or (8 if args.quick else 25)
    args.memory_calls = args.memory_calls or (100_000 if args.quick else 1_000_000)
    args.sandbox_calls = args.sandbox_calls or (20_000 if args.quick else 100_000)
    args.only = args.only or list(SECTIONS)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Local traffic must never go through a proxy the environment names.
    no_proxy = os.environ.get("NO_PROXY", "")
    os.environ["NO_PROXY"] = ",".join(filter(None, [no_proxy, "127.0.0.1", "localhost"]))
    report = Report(lines=[], targets=[], notes=[])
    command = " ".join(["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
    report.say("## telephony benchmarks")
    report.say()
    report.say(f"Command: `{command}`")
    report.say()
    for fact in machine_facts():
        report.say(fact)
    report.say()
    started = time.perf_counter()
    if "bandwidth" in args.only or "restcomm" in args.only:
        with page_server_process(
            calls=args.calls, page_size=args.page_size, seed=PAGE_SEED
        ) as origin:
            if "bandwidth" in args.only:
                run_bandwidth(report, args, origin)
            if "restcomm" in args.only:
                run_restcomm(report, args, origin)
    if "import" in args.only:
        run_imports(report, args)
    if "memory" in args.only:
        run_memory(report, args)
    if "sandbox" in args.only:
        run_sandbox(report, args)
    report.say("### Targets (this run; listing and import targets are ratios of medians)")
    report.say()
    report.say("| target | limit | measured | verdict | note |")
    report.say("|---|---|---:|---|---|")
    for target in report.targets:
        report.say(
            f"| {target.what} | {target.limit} | {target.shown()} | {target.verdict()} "
            f"| {target.note} |"
        )
    report.say()
    for note in report.notes:
        report.say(f"- note: {note}")
    report.say(f"- at end: {load_average()}")
    report.say(f"- total run time: {time.perf_counter() - started:.0f} s")
    if args.output:
        args.output.write_text("\n".join(report.lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
