"""The call store's figures: calls/s into the store, and report time over many stored calls.

    python benchmarks/store.py                       # 1,000,000 stored calls (defaults)
    python benchmarks/store.py --calls 200000 --sync-calls 20000

Three measurements, each printed as one JSON line:
1. ``sync``: ``telephony.store.sync`` from an in-process sandbox (both vendors, ``--sync-calls``
   seeded calls per account, largest pages) into a fresh store: calls/s end to end, HTTP and
   parsing included.
2. ``insert``: the store alone: real calls (those the sync read) saved again under new ids,
   page by page as sync saves them (one transaction per page with its cursor), up to
   ``--calls`` stored calls: calls/s.
3. ``report``, in a fresh process: ``CallStore.summarize(group_by=("provider", "day"))`` over
   all of them (one SQL pass), then for comparison ``summarize(store.calls(raw=False))``
   (every call built): seconds and the process's peak RSS after each.

Wall-clock and CPU seconds are both printed: on a shared machine the wall clock also counts
waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

import telephony  # noqa: E402
from telephony.report import summarize  # noqa: E402
from telephony.sandbox import Sandbox  # noqa: E402
from telephony.store import CallStore, SyncState, sync  # noqa: E402

PAGE = 1000


def _peak_mb() -> float:
    """This process's peak RSS. VmHWM where Linux has it: ru_maxrss survives exec, so a child
    started by a large parent would report the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emit(name: str, **figures: object) -> None:
    print(json.dumps({"measure": name, **figures}), flush=True)


class _Timer:
    """Wall-clock and this process's CPU seconds: on a shared machine the CPU time is the
    steadier figure (the wall clock also counts waiting for a core)."""

    def __enter__(self) -> _Timer:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="stored calls to report on")
    parser.add_argument("--sync-calls", type=int, default=50_000, help="seeded calls per account")
    parser.add_argument("--dir", help="where the store goes (default: a temporary directory)")
    parser.add_argument("--report-only", action="store_true", help="only the reports, over --dir")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="telephony-store-bench-"))
    path = folder / "calls.db"
    if args.report_only:
        report_only(path)
        return 0
    for stale in folder.glob("calls.db*"):
        stale.unlink()

    with Sandbox(seed_calls=args.sync_calls, seed=7, speed=1.0) as sandbox:
        clients = [
            telephony.connect(name, **sandbox.settings(name)) for name in ("bandwidth", "restcomm")
        ]
        with _Timer() as timer:
            summary = sync(path, clients, page_size=PAGE)
        for client in clients:
            client.close()
    assert not summary.failed, summary.format()
    # The sandbox serves from threads of this process, so CPU time counts it too.
    _emit("sync", calls=summary.new, seconds=round(timer.wall, 2), cpu_s=round(timer.cpu, 2),
          calls_per_s=round(summary.new / timer.wall))  # fmt: skip

    with CallStore(path) as store:
        sample = list(store.calls())
        stored = len(sample)
        timer = _Timer().__enter__()
        by_provider: dict[str, list[telephony.Call]] = {}
        for call in sample:
            by_provider.setdefault(call.provider, []).append(call)
        round_ = 0
        while stored < args.calls:
            round_ += 1
            for provider, calls in by_provider.items():
                for start in range(0, len(calls), PAGE):
                    page = [
                        attrs.evolve(call, id=f"{call.id}-{round_}")
                        for call in calls[start : start + PAGE][: args.calls - stored]
                    ]
                    if not page:
                        break
                    state = SyncState(cursor=f"{round_}/{start}")
                    store.save_page(provider, "copies", page, state=state)
                    stored += len(page)
        timer.__exit__()
        added = stored - len(sample)
        if added:
            _emit("insert", calls=added, seconds=round(timer.wall, 2), cpu_s=round(timer.cpu, 2),
                  calls_per_s=round(added / timer.wall),
                  calls_per_cpu_s=round(added / timer.cpu))  # fmt: skip
        del sample

        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # The reports run in a fresh process, so that its peak memory is theirs alone.
    subprocess.run([sys.executable, __file__, "--report-only", "--dir", str(folder)], check=True)
    return 0


def report_only(path: Path) -> None:
    size_mb = path.stat().st_size / 2**20
    with CallStore(path) as store:
        with _Timer() as timer:
            fast = store.summarize(group_by=("provider", "day"))
        _emit("report_sql", calls=fast.overall.calls, groups=len(fast.groups),
              seconds=round(timer.wall, 2), cpu_s=round(timer.cpu, 2),
              peak_rss_mb=round(_peak_mb()), store_mb=round(size_mb))  # fmt: skip
        with _Timer() as timer:
            slow = summarize(store.calls(raw=False), group_by=("provider", "day"))
        _emit("report_streamed", calls=slow.overall.calls, seconds=round(timer.wall, 2),
              cpu_s=round(timer.cpu, 2), peak_rss_mb=round(_peak_mb()))  # fmt: skip
    assert fast == slow, "the SQL report and the streamed one differ"


if __name__ == "__main__":
    raise SystemExit(main())
