"""Peak memory of streaming calls from the sandbox through ``list_calls``, each count in a
fresh process.

Two processes per measurement, so that only the client's memory is counted: the telephony
sandbox seeded with that many calls, and a client child that connects, streams every call,
and reports its own peak RSS.

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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

__all__ = ["MemoryResult", "measure_stream", "sandbox_available"]

SANDBOX_SEED = 11


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


def _child(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


@contextmanager
def _sandbox_settings(calls: int, provider: str) -> Iterator[dict[str, Any]]:
    server = _child("sandbox", f"--calls={calls}", f"--provider={provider}")
    assert server.stdin is not None
    assert server.stdout is not None
    try:
        line = server.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox did not start (see its error above)")
        yield json.loads(line)
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure_stream(calls: int, *, provider: str, page_size: int) -> MemoryResult:
    """Stream ``calls`` seeded sandbox calls through a fresh client process; its peak RSS."""
    with _sandbox_settings(calls, provider) as settings:
        client = _child("measure", f"--provider={provider}", f"--page-size={page_size}")
        assert client.stdin is not None
        assert client.stdout is not None
        client.stdin.write(json.dumps(settings) + "\n")
        client.stdin.close()
        output = client.stdout.read()
        if client.wait() != 0:
            raise RuntimeError(f"the memory client failed (exit {client.returncode})")
    return MemoryResult(**json.loads(output))


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

    # The seeded history is all in the past: the listing only reads it.
    with telephony.sandbox.Sandbox(seed_calls=calls, speed=1.0, seed=SANDBOX_SEED) as sandbox:
        print(json.dumps(sandbox.settings(provider)), flush=True)
        sys.stdin.read()  # until the parent closes our input


def _measure(provider: str, page_size: int) -> None:
    import gc

    import telephony

    settings = json.loads(sys.stdin.readline())
    client = telephony.connect(provider, max_retries=0, **settings)
    gc.collect()
    gc.freeze()
    setup_kb = _peak_kb()
    started = time.perf_counter()
    seen = 0
    with client:
        for _call in client.list_calls(page_size=page_size):
            seen += 1
    seconds = time.perf_counter() - started
    result = MemoryResult(calls=seen, setup_kb=setup_kb, peak_kb=_peak_kb(), seconds=seconds)
    print(json.dumps(asdict(result)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("sandbox", "measure"))
    parser.add_argument("--calls", type=int, default=10000)
    parser.add_argument("--provider", default="bandwidth")
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.mode == "sandbox":
        _serve_sandbox(args.calls, args.provider)
    else:
        _measure(args.provider, args.page_size)


if __name__ == "__main__":
    main()
