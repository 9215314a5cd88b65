"""Against the sandbox, which answers at most 10000 calls per query as Bandwidth does, a
listing still yields every call once, in creation order."""

from __future__ import annotations

import telephony
from telephony.sandbox import Sandbox


def test_listing_past_the_cap_yields_every_call_once() -> None:
    with Sandbox(seed_calls=10500, speed=1.0, seed=3) as sb:
        client = telephony.connect("bandwidth", **sb.settings("bandwidth"))
        with client:
            calls = list(client.list_calls(page_size=5000))
    ids = [call.id for call in calls]
    assert len(ids) == len(set(ids))
    assert len(ids) == 10500
    created = [call.created_at for call in calls]
    assert created == sorted(created)  # type: ignore[type-var]
