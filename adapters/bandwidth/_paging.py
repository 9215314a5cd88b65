"""Paging state for Bandwidth listings: Link-following within one query, and going on past
the query's 10,000-call cap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx

from telephony.adapters.bandwidth._normalize import PROVIDER
from telephony.toolkit import (
    Call,
    CallFilter,
    Flow,
    MalformedResponseError,
    NextPage,
    Page,
    PageTrail,
    body_text,
    cursor_moment,
    cursor_texts,
    cursor_url,
    cursor_whole,
    encode_cursor,
)

__all__ = ["FollowingPage", "ListingState", "Window", "iso_z", "next_link"]


# Bounds of a cursor's fields: far above what a listing writes (a query answers at most 10,000
# calls; ids created at one instant are at most a page).
MAX_SEEN = 10**9
MAX_IDS = 100_000


def _created(call: Call) -> datetime | None:
    return call.created_at or call.started_at


@attrs.frozen
class Window:
    """Where a listing is inside one capped Bandwidth query.

    A query answers the oldest-created ``cap`` matching calls. The query past the cap asks
    from minStartTime = the newest creation time seen (no call created later can have started
    earlier); it also answers calls created before that which started after it: those were in
    this window already, so the next window keeps only calls created after ``newest``, or
    exactly then but not among ``newest_ids``. The state stays a few fields, whatever the
    page size.
    """

    seen: int = 0
    """Records this query has answered so far."""
    after: datetime | None = None
    """In a window past the cap: calls created before this were seen in an earlier one."""
    after_ids: frozenset[str] = frozenset()
    """... and so were these, created exactly at ``after``."""
    newest: datetime | None = None
    newest_ids: frozenset[str] = frozenset()

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> Window:
        """The window a cursor stored; ValidationError (field ``cursor``) for any field that
        is not what ``to_json`` writes."""
        return cls(
            seen=cursor_whole(state, "n", low=0, high=MAX_SEEN, default=0),
            after=cursor_moment(state, "after"),
            after_ids=cursor_texts(state, "after_ids", max_items=MAX_IDS),
            newest=cursor_moment(state, "newest"),
            newest_ids=cursor_texts(state, "newest_ids", max_items=MAX_IDS),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.seen,
            "after": self.after.isoformat() if self.after else None,
            "after_ids": sorted(self.after_ids),
            "newest": self.newest.isoformat() if self.newest else None,
            "newest_ids": sorted(self.newest_ids),
        }

    def unseen(self, calls: list[Call]) -> list[Call]:
        """``calls`` less those an earlier window already yielded."""
        after = self.after
        if after is None:
            return calls
        return [
            call
            for call in calls
            if (created := _created(call)) is None
            or created > after
            or (created == after and call.id not in self.after_ids)
        ]

    def advanced(self, calls: list[Call], records: int) -> Window:
        """The window once ``calls`` (a page of ``records`` records) have been answered."""
        newest = _created(calls[-1]) if calls else None
        if newest is None:
            return attrs.evolve(self, seen=self.seen + records)
        # The calls created at that instant: the tail of the page (it is in creation order),
        # and the earlier pages' ones if the instant spans pages.
        ids = set(self.newest_ids) if newest == self.newest else set()
        for call in reversed(calls):
            if _created(call) != newest:
                break
            ids.add(call.id)
        return attrs.evolve(
            self, seen=self.seen + records, newest=newest, newest_ids=frozenset(ids)
        )

    def continuation(self, url: httpx.URL) -> tuple[str, Window] | None:
        """The query that goes on past the cap, from the newest creation time seen, and the
        window it starts."""
        if self.newest is None:
            return None
        since = iso_z(self.newest)
        current = url.params.get("minStartTime")
        if current is not None and since <= current:
            return None  # no progress: stop rather than ask the same query again
        params = {k: v for k, v in url.params.items() if k not in ("pageToken", "cursor")}
        params["minStartTime"] = since
        return str(url.copy_with(params=params)), Window(
            after=self.newest, after_ids=self.newest_ids
        )


@attrs.frozen
class ListingState:
    """Everything a listing needs to ask for its next page."""

    url: str
    window: Window
    filters: CallFilter
    trail: PageTrail


class FollowingPage(NextPage):
    """The next page kept in memory. Its cursor string holds the same state, read back by
    ``get_page(cursor=...)`` in this process or another."""

    __slots__ = ("_base_url", "_page", "_state")

    def __init__(
        self,
        state: ListingState,
        *,
        page: Callable[[httpx.URL, CallFilter, Window, PageTrail], Flow[Page[Call]]],
        base_url: httpx.URL,
    ) -> None:
        self._state = state
        self._page = page
        self._base_url = base_url

    def encode(self) -> str:
        state = self._state
        fields = {"url": state.url, **state.window.to_json()}
        fields |= {"f": state.filters.to_json(), "r": state.trail.to_json()}
        return encode_cursor(PROVIDER, fields)

    def follow(self) -> Flow[Page[Call]]:
        state = self._state
        # The check a cursor string's URL gets: a next link stays on the configured host.
        url = cursor_url({"url": state.url}, "url", base_url=self._base_url)
        return self._page(url, state.filters, state.window, state.trail)


def next_link(response: httpx.Response) -> str | None:
    """The absolute URL of the answer's ``Link: <...>; rel="next"``, None without one;
    MalformedResponseError for a link that is not a URL."""
    try:
        link = response.links.get("next", {}).get("url")
        return str(response.request.url.join(link)) if link else None
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise MalformedResponseError(
            f"unreadable next-page Link ({exc})",
            provider=PROVIDER,
            status_code=response.status_code,
            body=body_text(response),
        ) from None


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
