"""Paging state for Bandwidth listings: Link-following within one query, and going on past
the query's 10,000-call cap."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import httpx

from telephony._errors import ValidationError
from telephony._models import Call

__all__ = ["Window", "iso_z"]


@attrs.frozen
class Window:
    """Where a listing is inside one capped Bandwidth query.

    ``pending`` holds the calls seen so far that started at or after the newest creation
    time seen (calls that sat in the queue): the next query past the cap, which starts from
    that creation time, answers them again, so they are skipped by id.
    """

    seen: int = 0
    skip: frozenset[str] = frozenset()
    pending: tuple[tuple[str, str], ...] = ()
    since: str | None = None

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> Window:
        try:
            return cls(
                seen=int(state.get("n", 0)),
                skip=frozenset(map(str, state.get("skip", ()))),
                pending=tuple((str(i), str(t)) for i, t in state.get("pending", ())),
                since=state.get("since"),
            )
        except (TypeError, ValueError):
            raise ValidationError("is not a Bandwidth cursor", field="cursor") from None

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.seen,
            "skip": sorted(self.skip),
            "pending": [list(p) for p in self.pending],
            "since": self.since,
        }

    def after(self, calls: list[Call], records: int) -> Window:
        newest = (calls[-1].created_at or calls[-1].started_at) if calls else None
        if newest is None:
            return attrs.evolve(self, seen=self.seen + records)
        since = iso_z(newest)
        # Compare times first and format only the few calls that qualify (this runs on every
        # page); the cut-off is whole milliseconds, as the cursor's ISO strings are.
        cutoff = newest.replace(microsecond=newest.microsecond // 1000 * 1000)
        fresh = tuple(
            (call.id, iso_z(call.started_at))
            for call in calls
            if call.started_at is not None and call.started_at >= cutoff
        )
        # ISO 8601 UTC strings of one shape compare as times do.
        pending = tuple(p for p in self.pending if p[1] >= since) + fresh
        return attrs.evolve(self, seen=self.seen + records, pending=pending, since=since)

    def continuation(self, url: httpx.URL) -> dict[str, Any] | None:
        """The query that goes on past the cap, from the newest creation time seen."""
        current = url.params.get("minStartTime")
        if self.since is None or (current is not None and self.since <= current):
            return None  # no progress: stop rather than ask the same query again
        params = {k: v for k, v in url.params.items() if k not in ("pageToken", "cursor")}
        params["minStartTime"] = self.since
        following = Window(skip=frozenset(i for i, _ in self.pending))
        return {"url": str(url.copy_with(params=params)), **following.to_json()}


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
