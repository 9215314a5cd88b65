"""Peak memory of streaming calls through ``list_calls``, each count in a fresh process.

Three processes per measurement, so that only the client's memory is counted: a server (the
telephony sandbox, or the benchmark page server when the sandbox is missing), and a client
child that connects, streams every call, and reports its own peak RSS (``VmHWM``).

    python benchmarks/memory.py sandbox --calls N --provider bandwidth   # serve, print settings
    python benchmarks/memory.py measure --provider bandwidth             # settings on stdin
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from benchmarks.pages import ACCOUNT_ID  # noqa: E402
from benchmarks.server import (  # noqa: E402
    BANDWIDTH_PASSWORD,
    BANDWIDTH_USER,
    page_server_process,
)

__all__ = ["MemoryResult", "measure_stream", "sandbox_available"]

SANDBOX_SEED = 11
SANDBOX_BANDWIDTH_CAP = 10000  # Bandwidth lists "at most 10000 in all", and so does the sandbox


@dataclass(frozen=True)
class MemoryResult:
    calls: int  # how many the client saw
    setup_kb: int  # peak RSS after import and connect, before the first page
    peak_kb: int  # peak RSS after the whole stream
    seconds: float


def sandbox_available() -> bool:
    try:
        import telephony.sandbox  # noqa: F401
    except ImportError:
        return False
    return True


def _child(*args: str, stdin: Any = subprocess.PIPE) -> subprocess.Popen[str]:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    return subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, text=True, cwd=ROOT)


@contextmanager
def _sandbox_settings(calls: int, provider: str) -> Iterator[dict[str, Any]]:
    server = _child("sandbox", f"--calls={calls}", f"--provider={provider}")
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox did not start (see its error above)")
        yield json.loads(line)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)


@contextmanager
def _page_server_settings(calls: int, page_size: int) -> Iterator[dict[str, Any]]:
    # 10 distinct pages served in turn: the client cannot tell, the server stays small.
    built = min(calls, 10 * page_size)
    with page_server_process(
        calls=built, page_size=page_size, seed=SANDBOX_SEED, virtual_calls=calls
    ) as origin:
        yield {
            "account_id": ACCOUNT_ID,
            "username": BANDWIDTH_USER,
            "password": BANDWIDTH_PASSWORD,
            "base_url": f"{origin}/api/v2",
        }


def measure_stream(calls: int, *, provider: str, page_size: int, use_sandbox: bool) -> MemoryResult:
    """Stream ``calls`` calls through a fresh client process; its peak RSS."""
    source = (
        _sandbox_settings(calls, provider)
        if use_sandbox
        else _page_server_settings(calls, page_size)
    )
    with source as settings:
        cap = SANDBOX_BANDWIDTH_CAP if use_sandbox and provider == "bandwidth" else 0
        client = _child(
            "measure",
            f"--provider={provider}",
            f"--page-size={page_size}",
            f"--listing-cap={cap}",
        )
        assert client.stdin is not None
        assert client.stdout is not None
        client.stdin.write(json.dumps(settings) + "\n")
        client.stdin.close()
        output = client.stdout.read()
        if client.wait() != 0:
            raise RuntimeError(f"the memory client failed (exit {client.returncode})")
    result = json.loads(output)
    return MemoryResult(**result)


def _peak_kb() -> int:
    """Peak RSS of this process in KiB. ``VmHWM`` first: ``ru_maxrss`` starts at the parent's
    RSS when the parent was the bigger one (Linux keeps it across fork and exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform != "darwin" else peak // 1024)  # macOS counts bytes


def _serve_sandbox(calls: int, provider: str) -> None:
    import telephony.sandbox

    # speed: the seeded history is all in the past, the listing only reads it.
    with telephony.sandbox.Sandbox(seed_calls=calls, speed=1.0, seed=SANDBOX_SEED) as sandbox:
        print(json.dumps(sandbox.settings(provider)), flush=True)
        sys.stdin.read()


def _stream_all(client: Any, page_size: int, cap: int) -> int:
    """Every call the account holds, through ``list_calls``. Bandwidth lists at most ``cap``
    calls per query (0: no cap), so a listing that stops exactly there goes on from the
    last start time seen (the bound is inclusive: calls seen at that instant are skipped),
    which is how a long Bandwidth export has to run."""
    seen = 0
    after = None
    at_bound: set[str] = set()
    while True:
        listed = 0
        last_start = None
        for call in client.list_calls(started_after=after, page_size=page_size):
            listed += 1
            if call.id in at_bound:
                continue
            seen += 1
            if call.started_at != last_start:
                last_start = call.started_at
                at_bound = set()
            at_bound.add(call.id)
        if not cap or listed != cap or last_start is None or last_start == after:
            return seen
        after = last_start


def _measure(provider: str, page_size: int, cap: int) -> None:
    import gc

    import telephony

    settings = json.loads(sys.stdin.readline())
    client = telephony.connect(provider, max_retries=0, **settings)
    gc.collect()
    gc.freeze()
    setup_kb = _peak_kb()
    started = time.perf_counter()
    with client:
        seen = _stream_all(client, page_size, cap)
    seconds = time.perf_counter() - started
    result = MemoryResult(calls=seen, setup_kb=setup_kb, peak_kb=_peak_kb(), seconds=seconds)
    print(json.dumps(result.__dict__))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("sandbox", "measure"))
    parser.add_argument("--calls", type=int, default=10000)
    parser.add_argument("--provider", default="bandwidth")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--listing-cap", type=int, default=0)
    args = parser.parse_args(argv)
    if args.mode == "sandbox":
        _serve_sandbox(args.calls, args.provider)
    else:
        _measure(args.provider, args.page_size, args.listing_cap)


if __name__ == "__main__":
    main()
