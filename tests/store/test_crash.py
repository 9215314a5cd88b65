"""A sync killed with SIGKILL at random points, then run again, leaves exactly the vendor's
calls in the store, each once, in their final states."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from telephony.sandbox import Sandbox
from telephony.store import CallStore
from tests.store.conftest import place_long_calls, sandbox_env, vendor_calls

KILLS = 6


def _sync_command(store: Path) -> list[str]:
    return [
        sys.executable, "-m", "telephony", "sync", "--store", str(store),
        "-p", "bandwidth,restcomm", "--page-size", "20", "--no-progress",
    ]  # fmt: skip


def _killed_run(store: Path, env: dict[str, str], rng: random.Random) -> int:
    """Start a sync with progress on, kill it after a random number of saved pages (0: while
    it starts) and a random instant more; return how many progress lines it printed."""
    command = [*_sync_command(store)[:-1], "--progress"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    seen = 0
    try:
        for _ in range(rng.randint(0, 10)):
            if not process.stderr.readline():
                break  # it ended first
            seen += 1
        time.sleep(rng.uniform(0, 0.03))  # not an assertion: only where the kill lands
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        process.stderr.close()
    return seen


def test_a_sync_killed_at_random_points_then_rerun_stores_every_call_once(
    sandbox: Sandbox, store_path: Path
) -> None:
    env = sandbox_env(sandbox)
    place_long_calls(sandbox, 3)  # still going during the killed runs
    rng = random.Random(12)
    cursors_seen = 0
    for _ in range(KILLS):
        _killed_run(store_path, env, rng)
        if store_path.exists():
            with CallStore(store_path) as store:
                rows = store.connection.execute("SELECT cursor FROM sync_state").fetchall()
            cursors_seen += sum(cursor is not None for (cursor,) in rows)
        sandbox.advance(60)
    assert cursors_seen > 0  # some kill landed mid-listing, so a run resumed from a cursor

    sandbox.advance(2 * 3600)  # every call placed has ended by now
    done = subprocess.run(
        _sync_command(store_path), env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr

    expected = vendor_calls(sandbox)
    with CallStore(store_path) as store:
        stored = list(store.calls())
        (rows,) = store.connection.execute("SELECT count(*) FROM calls").fetchone()
    keys = [(call.provider, call.id) for call in stored]
    assert len(keys) == len(set(keys)) == rows
    assert set(keys) == set(expected)
    for call in stored:
        assert call == expected[(call.provider, call.id)]  # every field, final state
        assert call.status.is_terminal
