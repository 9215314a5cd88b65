"""The sandbox's own CPU per listed call, per vendor: what a streaming run costs the server
side, so that end-to-end figures can be read as the library's and not the sandbox's.

Two processes: the telephony sandbox seeded with N calls (it reports its process CPU time,
all threads, when asked on its standard input), and this one listing every call with a plain
httpx loop (no telephony client, so the figure does not move with the adapters).

    python benchmarks/sandbox.py --calls 100000                  # both vendors
    python benchmarks/sandbox.py --calls 20000 --profile         # cProfile of the answers

``--profile`` calls the sandbox's dispatch in this process (no HTTP server) under cProfile
and prints where the time goes.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import json
import pstats
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

__all__ = ["SandboxCpu", "main", "measure_sandbox_cpu"]

SANDBOX_SEED = 11
PROVIDERS = ("bandwidth", "restcomm")
_NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')
_START = re.compile(rb'"callId":"([^"]*)".*?"startTime":"([^"]*)"')
_NEXT_PAGE = re.compile(r'nextpageuri="([^"]*)"')


@dataclass(frozen=True)
class SandboxCpu:
    provider: str
    calls: int  # how many were listed
    pages: int
    cpu_seconds: float  # the sandbox process's CPU time over the listing
    wall_seconds: float

    @property
    def us_per_call(self) -> float:
        return self.cpu_seconds / max(1, self.calls) * 1e6


def _bandwidth_pages(
    http: httpx.Client, settings: dict[str, str], page_size: int
) -> Iterator[bytes]:
    """Every page of the listing, crossing the 10,000-per-query cap with ``minStartTime``
    (the calls seen at that instant come back and are skipped by the caller's count)."""
    url = f"{settings['base_url']}/accounts/{settings['account_id']}/calls"
    params: dict[str, str] | None = {"pageSize": str(page_size)}
    while True:
        response = http.get(url, params=params)
        response.raise_for_status()
        yield response.content
        found = _NEXT_LINK.search(response.headers.get("link", ""))
        if found is not None:
            url, params = found.group(1), None
            continue
        records = _START.findall(response.content)
        if len(response.json()) < page_size or not records:
            return
        url = f"{settings['base_url']}/accounts/{settings['account_id']}/calls"
        params = {"pageSize": str(page_size), "minStartTime": records[-1][1].decode()}


def _list_bandwidth(
    http: httpx.Client, settings: dict[str, str], page_size: int
) -> tuple[int, int]:
    seen: set[bytes] = set()  # ids at the latest start time: a new query repeats them
    latest = b""
    calls = pages = 0
    for body in _bandwidth_pages(http, settings, page_size):
        pages += 1
        for call_id, start in _START.findall(body):
            if start == latest and call_id in seen:
                continue
            if start != latest:
                latest, seen = start, set()
            seen.add(call_id)
            calls += 1
    return calls, pages


def _list_restcomm(http: httpx.Client, settings: dict[str, str], page_size: int) -> tuple[int, int]:
    url = f"{settings['base_url']}/2012-04-24/Accounts/{settings['account_sid']}/Calls"
    calls = pages = page = 0
    while True:
        params = {"Page": str(page), "PageSize": str(page_size), "SortBy": "DateCreated:asc"}
        response = http.get(url, params=params)
        response.raise_for_status()
        pages += 1
        calls += response.content.count(b"<Call>")
        found = _NEXT_PAGE.search(response.text)
        if found is None or found.group(1) == "null":
            return calls, pages
        page += 1


_LISTERS: dict[str, Callable[[httpx.Client, dict[str, str], int], tuple[int, int]]] = {
    "bandwidth": _list_bandwidth,
    "restcomm": _list_restcomm,
}


def _auth(provider: str, settings: dict[str, str]) -> tuple[str, str]:
    if provider == "bandwidth":
        return settings["username"], settings["password"]
    return settings["account_sid"], settings["auth_token"]


@contextmanager
def _sandbox_process(calls: int) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    command = [sys.executable, str(Path(__file__).resolve()), "serve", f"--calls={calls}"]
    child = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox did not start (see its error above)")
        yield child, json.loads(line)
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _child_cpu(child: subprocess.Popen[str]) -> float:
    assert child.stdin is not None
    assert child.stdout is not None
    child.stdin.write("cpu\n")
    child.stdin.flush()
    return float(json.loads(child.stdout.readline())["cpu"])


def measure_sandbox_cpu(
    calls: int, *, providers: tuple[str, ...] = PROVIDERS, page_size: int = 1000
) -> list[SandboxCpu]:
    """List every one of ``calls`` seeded calls from a fresh sandbox process, per provider;
    the sandbox's CPU time for each listing."""
    results = []
    with _sandbox_process(calls) as (child, settings):
        for provider in providers:
            mine = settings[provider]
            with httpx.Client(auth=_auth(provider, mine), timeout=60.0, trust_env=False) as http:
                _LISTERS[provider](http, mine, page_size)  # warm-up: caches, first pages
                before, started = _child_cpu(child), time.perf_counter()
                listed, pages = _LISTERS[provider](http, mine, page_size)
                wall = time.perf_counter() - started
                cpu = _child_cpu(child) - before
            results.append(SandboxCpu(provider, listed, pages, cpu, wall))
    return results


def _serve(calls: int) -> None:
    import telephony.sandbox

    with telephony.sandbox.Sandbox(seed_calls=calls, speed=1.0, seed=SANDBOX_SEED) as sandbox:
        print(json.dumps({p: sandbox.settings(p) for p in PROVIDERS}), flush=True)
        for _line in sys.stdin:  # one line asks for the CPU time so far; EOF stops
            print(json.dumps({"cpu": time.process_time()}), flush=True)


class _Direct:
    """Enough of ``httpx.Client.get`` for the listers, answered by the sandbox's dispatch in
    this process: the profile shows the answers' cost without the HTTP server's."""

    def __init__(self, sandbox: Any, provider: str, settings: dict[str, str]) -> None:
        user, password = _auth(provider, settings)
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._headers = {"authorization": f"Basic {token}"}
        self._sandbox = sandbox

    def get(self, url: str, params: dict[str, str] | None = None) -> httpx.Response:
        from telephony.sandbox._exchange import Request

        request = httpx.Request("GET", url, params=params)
        reply = self._sandbox.dispatch(
            Request(
                method="GET",
                path=request.url.path,
                query=list(request.url.params.multi_items()),
                headers=self._headers,
                body=b"",
                origin=self._sandbox.url,
            )
        )
        return httpx.Response(
            reply.status, headers=reply.headers, content=reply.body, request=request
        )


def _profile(calls: int, page_size: int, top: int) -> None:
    """The listing answers' cost inside the sandbox (dispatch only, no HTTP), by function."""
    import telephony.sandbox

    with telephony.sandbox.Sandbox(seed_calls=calls, speed=1.0, seed=SANDBOX_SEED) as sandbox:
        for provider in PROVIDERS:
            settings = sandbox.settings(provider)
            direct: Any = _Direct(sandbox, provider, settings)
            profiler = cProfile.Profile()
            started = time.process_time()
            profiler.enable()
            listed, _ = _LISTERS[provider](direct, settings, page_size)
            profiler.disable()
            spent = time.process_time() - started
            print(
                f"\n== {provider}: {listed} calls, {spent / listed * 1e6:.1f} us/call under the "
                "profiler (dispatch and the client loop, no HTTP)"
            )
            pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", choices=("measure", "serve"), default="measure")
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--provider", choices=PROVIDERS, action="append")
    parser.add_argument("--profile", action="store_true", help="cProfile, in this process")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    if args.mode == "serve":
        _serve(args.calls)
        return
    if args.profile:
        _profile(args.calls, args.page_size, args.top)
        return
    providers = tuple(args.provider or PROVIDERS)
    print(f"sandbox CPU per listed call, {args.calls:,} seeded calls, pages of {args.page_size}")
    print("| vendor | calls | pages | sandbox CPU s | us/call | wall s |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in measure_sandbox_cpu(args.calls, providers=providers, page_size=args.page_size):
        print(
            f"| {result.provider} | {result.calls:,} | {result.pages:,} "
            f"| {result.cpu_seconds:.2f} | {result.us_per_call:.1f} | {result.wall_seconds:.1f} |"
        )


if __name__ == "__main__":
    main()
