"""Calls kept after the vendors forget them: an embedded SQLite ``CallStore`` and ``sync``.

``sync(store, sources)`` pulls every provider incrementally (each page committed with the
cursor that follows it, open calls re-read until they end); ``CallStore(path).calls(...)``
streams stored calls into ``telephony.report.summarize``. See README.md here.
"""

from __future__ import annotations

from telephony.store._store import CallStore, SavedPage, SyncState
from telephony.store._sync import SourceResult, SyncProgress, SyncSummary, account_of, sync

__all__ = [
    "CallStore",
    "SavedPage",
    "SourceResult",
    "SyncProgress",
    "SyncState",
    "SyncSummary",
    "account_of",
    "sync",
]
