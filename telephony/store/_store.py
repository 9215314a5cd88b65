"""``CallStore``: calls kept in SQLite after the vendors forget them.

One file, the standard library's sqlite3, no server. Write-ahead logging, so reports read while
a sync writes, and every page a sync saves is one transaction together with the cursor that
follows it: a sync killed at any moment (even ``kill -9``) leaves the store at a page boundary,
and the next run goes on from there. Use a ``CallStore`` from one thread at a time; open one
per thread to work in parallel (``sync`` does).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import attrs

from telephony._errors import StoreError, ValidationError
from telephony._models import Call
from telephony.store._rows import (
    COLUMNS,
    DATA_COLUMNS,
    SCHEMA,
    call_from_row,
    row_of,
    to_micros,
)

if TYPE_CHECKING:
    from telephony.report import GroupBy, Report

__all__ = ["CallStore", "SavedPage", "SyncState"]

_FETCH = 1000  # rows per fetch while streaming: memory stays flat whatever the period
_IN_CHUNK = 500  # ids per "IN (...)" lookup, under every SQLite's parameter limit
_SELECT = ", ".join(COLUMNS)
_UPSERT = (
    f"INSERT INTO calls ({_SELECT}, synced_us, gone) VALUES ({', '.join('?' * len(COLUMNS))}, ?, 0)"
    " ON CONFLICT (provider, account, id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in (*DATA_COLUMNS, "synced_us", "gone"))
)


@attrs.frozen
class SyncState:
    """Where the sync of one (provider, account) stands: ``cursor`` of the next page of an
    unfinished listing; the largest call time seen by that listing; the ``started_after`` of
    the next listing (``watermark``); complete listings so far."""

    cursor: str | None = None
    listing_max: int | None = None
    watermark: int | None = None
    listings: int = 0


@attrs.frozen
class SavedPage:
    new: int
    updated: int


def _bound(value: datetime | None, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError("must be a timezone-aware datetime", field=field)
    return to_micros(value)


@contextlib.contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """sqlite3's errors (not a database, locked, disk full...) as ``StoreError``: only
    telephony's own errors leave the public API."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(f"{exc} (SQLite {type(exc).__name__})", path=str(path)) from exc


class CallStore:
    """Calls of any number of providers and accounts, each stored once under
    (provider, account, id).

    ``calls(provider=None, since=None, until=None)`` streams stored calls in creation order;
    ``telephony.store.sync`` fills the store. Use it as a context manager, or ``close()``.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 60.0) -> None:
        if not isinstance(path, str | os.PathLike) or str(path) in ("", ":memory:"):
            raise ValidationError(
                "must be a file path (the store is shared by threads)", field="path"
            )
        self.path = Path(path)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        # check_same_thread=False: a stream of calls may be consumed on another thread (pyarrow
        # writes Parquet from its own); use it from one thread at a time.
        with sqlite_errors(self.path):
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                # WAL: durable at checkpoints, never torn
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")
            except BaseException:
                self._db.close()
                raise

    # -- lifetime ----------------------------------------------------------------------------

    def close(self) -> None:
        with sqlite_errors(self.path):
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CallStore({str(self.path)!r})"

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection, for queries of your own (read; the schema may change)."""
        return self._db

    # -- reading -----------------------------------------------------------------------------

    def _where(
        self,
        provider: str | Sequence[str] | None,
        since: datetime | None,
        until: datetime | None,
        account: str | None = None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if provider is not None:
            names = [provider] if isinstance(provider, str) else list(provider)
            clauses.append(f"provider IN ({', '.join('?' * len(names))})")
            params.extend(names)
        if account is not None:
            clauses.append("account = ?")
            params.append(account)
        low, high = _bound(since, "since"), _bound(until, "until")
        if low is not None:
            clauses.append("created_us >= ?")
            params.append(low)
        if high is not None:
            clauses.append("created_us <= ?")
            params.append(high)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def calls(
        self,
        provider: str | Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        account: str | None = None,
        raw: bool = True,
    ) -> Iterator[Call]:
        """Stored calls, oldest ``created_at`` first (calls without one last), streamed.

        ``provider``: one name or several; ``since`` / ``until``: inclusive bounds on
        ``created_at`` (timezone-aware); ``raw=False`` leaves ``raw`` empty (faster)."""
        where, params = self._where(provider, since, until, account)
        with sqlite_errors(self.path):
            cursor = self._db.execute(
                f"SELECT {_SELECT} FROM calls{where} "
                "ORDER BY created_us IS NULL, created_us, provider, account, id",
                params,
            )
        try:
            while True:
                with sqlite_errors(self.path):
                    rows = cursor.fetchmany(_FETCH)
                if not rows:
                    return
                for row in rows:
                    yield call_from_row(row, raw=raw)
        finally:
            cursor.close()

    def count(
        self,
        provider: str | Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """How many calls ``calls(...)`` would give."""
        where, params = self._where(provider, since, until)
        with sqlite_errors(self.path):
            (count,) = self._db.execute(f"SELECT count(*) FROM calls{where}", params).fetchone()
        return int(count)

    def summarize(
        self,
        provider: str | Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        group_by: GroupBy | Sequence[GroupBy] = ("provider",),
    ) -> Report:
        """``telephony.report.summarize(self.calls(...), group_by=...)``, in one pass that
        SQLite makes when the grouping is by stored columns or ``"day"`` (no ``Call`` built)."""
        from telephony.store._report import summarize_store

        with sqlite_errors(self.path):
            return summarize_store(
                self, provider=provider, since=since, until=until, group_by=group_by
            )

    def get(self, provider: str, call_id: str, *, account: str | None = None) -> Call | None:
        """One stored call, or None."""
        where = "provider = ? AND id = ?" + ("" if account is None else " AND account = ?")
        params = [provider, call_id] + ([] if account is None else [account])
        with sqlite_errors(self.path):
            row = self._db.execute(f"SELECT {_SELECT} FROM calls WHERE {where}", params).fetchone()
        return None if row is None else call_from_row(row)

    # -- what sync uses ----------------------------------------------------------------------

    def state(self, provider: str, account: str) -> SyncState:
        with sqlite_errors(self.path):
            row = self._db.execute(
                "SELECT cursor, listing_max_us, watermark_us, listings FROM sync_state "
                "WHERE provider = ? AND account = ?",
                (provider, account),
            ).fetchone()
        return SyncState() if row is None else SyncState(*row)

    def _existing(self, provider: str, account: str, ids: list[str]) -> dict[str, tuple[Any, ...]]:
        found: dict[str, tuple[Any, ...]] = {}
        columns = ", ".join(DATA_COLUMNS)
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            rows = self._db.execute(
                f"SELECT id, {columns} FROM calls WHERE provider = ? AND account = ? "
                f"AND id IN ({', '.join('?' * len(chunk))})",
                [provider, account, *chunk],
            )
            found.update((row[0], tuple(row[1:])) for row in rows)
        return found

    def _upsert(self, provider: str, account: str, calls: Iterable[Call]) -> SavedPage:
        # Keyed by the account the calls were listed under (the configured one), so that
        # re-reading open calls finds them whatever each record says. A call twice in one
        # page: its last record wins.
        rows = {call.id: row_of(call, account) for call in calls}
        strangers = {row[0] for row in rows.values()} - {provider}
        if strangers:  # they would be stored under a key the next lookups never ask for
            raise ValidationError(
                f"calls of {sorted(strangers)} saved as {provider!r} calls", field="calls"
            )
        before = self._existing(provider, account, list(rows))
        new = updated = 0
        now = time.time_ns() // 1000
        for call_id, row in rows.items():
            old = before.get(call_id)
            if old is None:
                new += 1
            elif old != row[3:]:
                updated += 1
        self._db.executemany(_UPSERT, [(*row, now) for row in rows.values()])
        return SavedPage(new=new, updated=updated)

    def save_page(
        self,
        provider: str,
        account: str,
        calls: Sequence[Call],
        *,
        state: SyncState,
    ) -> SavedPage:
        """Upsert ``calls`` and record ``state`` (the cursor that follows them), atomically."""
        with sqlite_errors(self.path):
            return self._save_page(provider, account, calls, state)

    def _save_page(
        self, provider: str, account: str, calls: Sequence[Call], state: SyncState
    ) -> SavedPage:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            saved = self._upsert(provider, account, calls)
            self._db.execute(
                "INSERT INTO sync_state (provider, account, cursor, listing_max_us, "
                "watermark_us, listings) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (provider, account) DO UPDATE SET cursor = excluded.cursor, "
                "listing_max_us = excluded.listing_max_us, "
                "watermark_us = excluded.watermark_us, listings = excluded.listings",
                (provider, account, state.cursor, state.listing_max, state.watermark,
                 state.listings),
            )  # fmt: skip
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return saved

    def save_calls(self, provider: str, account: str, calls: Sequence[Call]) -> SavedPage:
        """Upsert ``calls`` in one transaction (no cursor): re-read open calls."""
        with sqlite_errors(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                saved = self._upsert(provider, account, calls)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return saved

    def open_calls(self, provider: str, account: str, *, synced_before: int) -> list[str]:
        """Ids of calls not yet in a terminal state, not re-read since ``synced_before`` (µs),
        and still held by the vendor."""
        with sqlite_errors(self.path):
            rows = self._db.execute(
                "SELECT id FROM calls WHERE provider = ? AND account = ? AND terminal = 0 "
                "AND gone = 0 AND synced_us < ? ORDER BY id",
                (provider, account, synced_before),
            )
            return [row[0] for row in rows]

    def mark_gone(self, provider: str, account: str, call_id: str) -> None:
        """The vendor no longer holds this call: keep its last state, stop asking."""
        with sqlite_errors(self.path):
            self._db.execute(
                "UPDATE calls SET gone = 1 WHERE provider = ? AND account = ? AND id = ?",
                (provider, account, call_id),
            )
