"""One account's calls: the seeded history (computed on demand) followed by the calls created
through the API (kept in memory), addressed by one position each, in creation order."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from telephony.sandbox._calls import CallRecord
from telephony.sandbox._history import History
from telephony.sandbox._mix import IdCodec

__all__ = ["Ledger"]


class Ledger:
    def __init__(
        self,
        *,
        codec: IdCodec,
        format_id: Callable[[int, str], str],
        parse_id: Callable[[str], str | None],
    ) -> None:
        """``format_id(position, hex)`` writes an id; ``parse_id(id)`` gives back its hex."""
        self._codec = codec
        self._format_id = format_id
        self._parse_id = parse_id
        self._live: list[CallRecord] = []
        self.lock = threading.RLock()
        self.history: History | None = None

    def attach(self, history: History) -> None:
        self.history = history

    @property
    def seeded(self) -> int:
        return self.history.count if self.history is not None else 0

    def id_of(self, position: int) -> str:
        return self._format_id(position, self._codec.encode(position))

    def position_of(self, call_id: str) -> int | None:
        digits = self._parse_id(call_id)
        if digits is None:
            return None
        return self._codec.decode(digits)

    def size(self) -> int:
        with self.lock:
            return self.seeded + len(self._live)

    def record(self, position: int) -> CallRecord:
        seeded = self.seeded
        if position < seeded:
            assert self.history is not None
            return self.history.record(position)
        return self._live[position - seeded]

    def find(self, call_id: str) -> CallRecord | None:
        position = self.position_of(call_id)
        if position is None:
            return None
        with self.lock:
            if position >= self.seeded + len(self._live):
                return None
            record = self.record(position)
        return record if record.id == call_id else None

    def add(self, make: Callable[[int, str], CallRecord]) -> CallRecord:
        """Store the record ``make(position, id)`` returns, at the next position."""
        with self.lock:
            position = self.seeded + len(self._live)
            record = make(position, self.id_of(position))
            self._live.append(record)
            return record

    def live(self) -> list[CallRecord]:
        with self.lock:
            return list(self._live)

    def scan(
        self,
        *,
        begin: int,
        seeded_end: int,
        accept: Callable[[CallRecord], bool] | None,
        probe: Callable[[int], bool] | None = None,
    ) -> Iterator[CallRecord]:
        """Records from position ``begin`` on that ``accept`` takes: seeded ones below
        ``seeded_end``, then the live ones. ``probe(position)``, if given, must hold for a
        seeded call to be built at all: a cheap first look that saves building most."""
        seeded = self.seeded
        history = self.history
        if history is not None:
            for position in range(begin, min(seeded_end, seeded)):
                if probe is not None and not probe(position):
                    continue
                record = history.record(position)
                if accept is None or accept(record):
                    yield record
        for record in self.live()[max(0, begin - seeded) :]:
            if accept is None or accept(record):
                yield record
