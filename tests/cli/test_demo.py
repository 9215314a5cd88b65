"""``telephony demo``: the whole tour, in seconds."""

from __future__ import annotations

import time
from typing import Any

from telephony.cli._demo import OUTCOME_NUMBERS


def test_demo(run: Any, clean_env: Any) -> None:
    started = time.monotonic()
    result = run("demo", "--seed-calls", "8", "--page-size", "4")
    elapsed = time.monotonic() - started
    assert result.code == 0, result
    assert elapsed < 10
    out = result.out
    for heading in (
        "placing calls:",
        "listing each account, page by page:",
        "all calls, merged by creation time:",
        "figures per provider:",
        "calls per status:",
    ):
        assert heading in out
    for provider in ("bandwidth", "restcomm"):
        assert f"  {provider}: placed {len(OUTCOME_NUMBERS)} calls" in out
    # The sandbox called a local receiver back; the tracked states agree with get_call.
    callbacks = out.split("status callbacks received: ")[1].split("\n\n")[0].splitlines()
    events = {tuple(line.split()[::2][:2]) for line in callbacks[1:-1]}
    assert {("bandwidth", "disconnect"), ("restcomm", "completed")} <= events
    placed_count = 2 * len(OUTCOME_NUMBERS)
    assert callbacks[-1].endswith(f"equals get_call: {placed_count} of {placed_count}")
    paging = [line for line in out.splitlines() if "pages of up to 4" in line]
    assert len(paging) == 2
    for line in paging:
        calls = int(line.split(": ")[1].split(" calls")[0])
        pages = int(line.split(" calls in ")[1].split(" pages")[0])
        assert calls >= len(OUTCOME_NUMBERS)
        assert pages == -(-calls // 4)  # every page full but the last
    table = out.split("all calls, merged by creation time:\n")[1].split("\n\n")[0].splitlines()
    rows = table[2:]
    assert len(rows) == sum(int(line.split(": ")[1].split(" calls")[0]) for line in paging)
    created = [row.split()[6] + " " + row.split()[7] for row in rows]
    assert created == sorted(created)
    placed = [row for row in rows if row.split()[5] in OUTCOME_NUMBERS]
    assert len(placed) == 2 * len(OUTCOME_NUMBERS)
    statuses = {row.split()[3] for row in placed}
    assert statuses >= {"completed", "busy", "no-answer", "failed", "canceled", "rejected"}
    counts = out.split("calls per status:\n")[1].splitlines()
    assert counts[1].startswith("bandwidth")
    assert counts[2].startswith("restcomm")
    assert counts[3].startswith("(all)")
