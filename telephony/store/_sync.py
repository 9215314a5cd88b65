"""``sync``: pull every configured provider into a ``CallStore``, incrementally and safely.

Per (provider, account): a listing of the calls started since the last complete listing (less
an overlap, for calls the vendor showed late), one page at a time, each page committed with
the cursor that follows it, so a killed sync goes on from the last committed page; then every
stored call not yet in a terminal state is read again (``get_call``) until it is, so its final
state lands even once it has left the listing's window. Providers run concurrently, one thread
and one SQLite connection each.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import attrs

from telephony._client import Client
from telephony._connect import connect
from telephony._errors import (
    InvalidRequestError,
    NotFoundError,
    TelephonyError,
    ValidationError,
)
from telephony._models import Call, Page
from telephony._registry import describe
from telephony.store._rows import EPOCH, to_micros
from telephony.store._store import CallStore, SyncState

__all__ = ["SourceResult", "SyncProgress", "SyncSummary", "account_of", "sync"]

_REFRESH_BATCH = 100  # open calls re-read per transaction


@attrs.frozen
class SyncProgress:
    """What one provider's sync has done so far in this run, after each committed step."""

    provider: str
    account: str
    phase: str  # "listing", "refreshing", then "done" or "failed"
    pages: int
    calls: int
    new: int
    updated: int


@attrs.frozen
class SourceResult:
    """One (provider, account) of a sync: calls new to the store, updated, pages read, open
    calls re-read, calls the vendor no longer holds, seconds taken; ``error`` if it stopped."""

    provider: str
    account: str
    new: int = 0
    updated: int = 0
    pages: int = 0
    calls: int = 0
    refreshed: int = 0
    gone: int = 0
    seconds: float = 0.0
    error: TelephonyError | None = None


@attrs.frozen
class SyncSummary:
    sources: tuple[SourceResult, ...]
    seconds: float

    @property
    def new(self) -> int:
        return sum(source.new for source in self.sources)

    @property
    def updated(self) -> int:
        return sum(source.updated for source in self.sources)

    @property
    def failed(self) -> tuple[SourceResult, ...]:
        return tuple(source for source in self.sources if source.error is not None)

    def format(self) -> str:
        """A few lines for people: one per provider, then the totals."""
        lines = []
        for source in self.sources:
            outcome = "" if source.error is None else f", FAILED: {source.error}"
            # Two short lines a source, so that the summary reads in an 80-column terminal.
            lines.append(
                f"{source.provider} {source.account}: {source.new} new, {source.updated} "
                f"updated in {source.seconds:.1f}s{outcome}"
            )
            lines.append(
                f"  {source.calls} read in {source.pages} pages, {source.refreshed} open calls "
                f"re-read, {source.gone} gone"
            )
        lines.append(f"total: {self.new} new, {self.updated} updated in {self.seconds:.1f}s")
        return "\n".join(lines)


def account_of(client: Client) -> str:
    """The account a client works in, read from the provider's own description: its first
    required or credential setting that is neither secret nor a URL (Bandwidth ``account_id``,
    Restcomm ``account_sid``); "" when it has none."""
    info = describe(client.provider)
    names = [*info.required, *(name for way in info.credentials for name in way.settings)]
    for name in names:
        setting = info.setting(name)
        value = getattr(client.adapter, name, None)
        if not setting.secret and not setting.url and isinstance(value, str) and value:
            return value
    return ""


def _now_us() -> int:
    return time.time_ns() // 1000


def _newest(calls: Sequence[Call], so_far: int | None) -> int | None:
    for call in calls:
        moment = to_micros(call.started_at or call.created_at)
        if moment is not None and (so_far is None or moment > so_far):
            so_far = moment
    return so_far


class _StopError(Exception):
    """Ctrl-C in the caller: stop at the next page boundary."""


class _Worker:
    def __init__(
        self,
        path: str,
        client: Client,
        *,
        page_size: int | None,
        overlap: timedelta,
        notify: Callable[[SyncProgress], None],
        stop: threading.Event,
    ) -> None:
        self.stop = stop
        self.path = path
        self.client = client
        self.provider = client.provider
        self.account = account_of(client)
        self.page_size = page_size
        self.overlap_us = overlap // timedelta(microseconds=1)
        self.notify = notify
        self.counts = {"new": 0, "updated": 0, "pages": 0, "calls": 0, "refreshed": 0, "gone": 0}

    def _tell(self, phase: str) -> None:
        c = self.counts
        self.notify(
            SyncProgress(self.provider, self.account, phase, c["pages"], c["calls"], c["new"],
                         c["updated"])
        )  # fmt: skip

    def _first_page(self, state: SyncState) -> Page[Call]:
        if state.cursor is not None:
            try:
                return self.client.get_page(cursor=state.cursor)
            except (ValidationError, InvalidRequestError, NotFoundError):
                pass  # a cursor the vendor (or this version) no longer takes: list again
        after = None if state.watermark is None else EPOCH + timedelta(microseconds=state.watermark)
        return self.client.get_page(page_size=self.page_size, started_after=after)

    def _list(self, store: CallStore) -> None:
        state = store.state(self.provider, self.account)
        listing_max = state.listing_max if state.cursor is not None else None
        page = self._first_page(state)
        while True:
            listing_max = _newest(page.items, listing_max)
            if page.next_cursor is None:
                watermark = state.watermark
                if listing_max is not None:
                    watermark = listing_max - self.overlap_us
                    if state.watermark is not None:
                        watermark = max(watermark, state.watermark)
                state = SyncState(None, None, watermark, state.listings + 1)
            else:
                state = attrs.evolve(state, cursor=page.next_cursor, listing_max=listing_max)
            saved = store.save_page(self.provider, self.account, page.items, state=state)
            self.counts["pages"] += 1
            self.counts["calls"] += len(page.items)
            self.counts["new"] += saved.new
            self.counts["updated"] += saved.updated
            self._tell("listing")
            if page.next_cursor is None:
                return
            if self.stop.is_set():
                raise _StopError
            page = self.client.get_page(cursor=page.next_cursor)

    def _refresh(self, store: CallStore, started_us: int) -> None:
        open_ids = store.open_calls(self.provider, self.account, synced_before=started_us)
        for start in range(0, len(open_ids), _REFRESH_BATCH):
            if self.stop.is_set():
                raise _StopError
            fresh = []
            for call_id in open_ids[start : start + _REFRESH_BATCH]:
                try:
                    fresh.append(self.client.get_call(call_id))
                except NotFoundError:
                    store.mark_gone(self.provider, self.account, call_id)
                    self.counts["gone"] += 1
            saved = store.save_calls(self.provider, self.account, fresh)
            self.counts["refreshed"] += len(fresh)
            self.counts["updated"] += saved.updated
            self.counts["new"] += saved.new
            self._tell("refreshing")

    def run(self) -> SourceResult:
        started = time.monotonic()
        started_us = _now_us()
        error: TelephonyError | None = None
        try:
            with CallStore(self.path) as store:
                self._list(store)
                self._refresh(store, started_us)
        except TelephonyError as exc:
            error = exc
        except _StopError:
            pass
        self._tell("done" if error is None else "failed")
        return SourceResult(
            self.provider,
            self.account,
            **self.counts,
            seconds=time.monotonic() - started,
            error=error,
        )


def sync(
    store: CallStore | str | os.PathLike[str],
    sources: Iterable[Client | str],
    *,
    page_size: int | None = None,
    overlap: timedelta = timedelta(hours=1),
    progress: Callable[[SyncProgress], None] | None = None,
) -> SyncSummary:
    """Bring every call of ``sources`` into ``store``; returns what changed.

    ``sources``: clients, or provider names connected from their environment variables
    (``telephony.connect(name)``). ``overlap``: how far before the newest call of the last
    complete listing the next one starts. ``progress`` is called (from worker threads, one at a
    time) after each committed page. A provider that fails does not stop the others: its
    ``SourceResult.error`` says why (``SyncSummary.failed``), and the next run goes on from its
    last committed page.
    """
    if not isinstance(overlap, timedelta) or overlap < timedelta(0):
        raise ValidationError("must be a timedelta of zero or more", field="overlap")
    path = str(store.path if isinstance(store, CallStore) else store)
    CallStore(path).close()  # create the file and schema before the threads race for it
    owned: list[Client] = []
    clients: list[Client] = []
    for source in sources:
        if isinstance(source, str):
            client = connect(source)
            owned.append(client)
        elif isinstance(source, Client):
            client = source
        else:
            raise ValidationError("takes Clients or provider names", field="sources")
        clients.append(client)
    lock = threading.Lock()

    def notify(event: SyncProgress) -> None:
        if progress is not None:
            with lock:
                progress(event)

    stop = threading.Event()
    workers = [
        _Worker(path, client, page_size=page_size, overlap=overlap, notify=notify, stop=stop)
        for client in clients
    ]
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=max(1, len(workers)), thread_name_prefix="sync")
    try:
        futures = [pool.submit(worker.run) for worker in workers]
        results: list[Any] = [future.result() for future in futures]
    except BaseException:
        # Ctrl-C: each worker stops after the page it is on, which is then committed.
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True)
        for client in owned:
            client.close()
    return SyncSummary(tuple(results), time.monotonic() - started)
