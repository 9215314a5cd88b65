"""``Report``: one ``Summary`` per group plus the overall one, and ``summarize`` /
``asummarize`` that build it in one streaming pass.

Kept apart from ``Summary`` (the figures of one group, ``_summary``) and from the groupings
(``_grouping``): this module is the accumulator that ties them together, and what travels
(``+``, pickle, ``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, Callable, Hashable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from telephony._errors import ValidationError
from telephony._models import Call
from telephony.report._grouping import GroupBy, grouping, key_value, no_group, sort_key
from telephony.report._summary import Summary

__all__ = ["Report", "asummarize", "summarize"]


class Report:
    """A summary of every call (``overall``) and one per group (``groups``).

    ``groups`` maps a key, the tuple of the grouped values in ``group_by`` order (e.g.
    ``("bandwidth",)`` or ``("restcomm", Direction.INBOUND)``), to that group's ``Summary``, in
    order of first appearance. With an empty ``group_by`` there are no groups.

    A Report is also the accumulator: ``add(call)`` counts one more call (e.g. to show progress
    while listing), ``merge(other)`` combines two reports with the same grouping. Memory grows
    only with the number of groups.
    """

    __slots__ = ("_key", "_spec", "_tallies", "group_by")

    def __init__(self, *, group_by: GroupBy | Sequence[GroupBy] = ("provider",)) -> None:
        names, key = grouping(group_by)
        # Kept to rebuild the key function after pickling (functions travel by reference).
        self._spec: tuple[GroupBy, ...] = (
            (group_by,) if isinstance(group_by, str) or callable(group_by) else tuple(group_by)
        )
        self.group_by: tuple[str, ...] = names
        self._key: Callable[[Call], tuple[Hashable, ...]] = key if names else no_group
        # Each call is counted once, in its group; ``overall`` is the sum of the groups, made
        # when asked for. Without a grouping, everything is in the one group ().
        self._tallies: dict[tuple[Hashable, ...], Summary] = {}

    @property
    def overall(self) -> Summary:
        """The summary of every call (a new object, computed from the groups)."""
        return functools.reduce(Summary.merge, self._tallies.values(), Summary())

    @property
    def groups(self) -> Mapping[tuple[Hashable, ...], Summary]:
        """Group key to that group's summary (read-only, live), in order of first appearance."""
        return MappingProxyType(self._tallies if self.group_by else {})

    def add(self, call: Call) -> None:
        """Count one call, overall and in its group."""
        key = self._key(call)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = Summary()
        tally.add(call)

    def update(self, calls: Iterable[Call]) -> None:
        """Count every call of ``calls``, consuming it lazily."""
        add = self.add
        for call in calls:
            add(call)

    def merge(self, other: Report) -> Report:
        """A new report of the calls of both; they must group by the same names."""
        if other.group_by != self.group_by:
            raise ValidationError(
                f"cannot merge a report grouped by {other.group_by} into one grouped by "
                f"{self.group_by}",
                field="group_by",
            )
        merged = Report.__new__(Report)
        merged._spec = self._spec
        merged.group_by = self.group_by
        merged._key = self._key
        merged._tallies = {key: tally.merge(Summary()) for key, tally in self._tallies.items()}
        for key, tally in other._tallies.items():
            mine = merged._tallies.get(key)
            merged._tallies[key] = tally.merge(Summary()) if mine is None else mine.merge(tally)
        return merged

    def __add__(self, other: object) -> Report:
        """``a + b``: the report of the calls of both (``merge``)."""
        if not isinstance(other, Report):
            return NotImplemented
        return self.merge(other)

    # Pickle and deepcopy: the grouping travels as given and the key function is rebuilt.
    def __getstate__(self) -> dict[str, Any]:
        return {"group_by": self._spec, "tallies": self._tallies}

    def __setstate__(self, state: dict[str, Any]) -> None:
        names, key = grouping(state["group_by"])
        self._spec = tuple(state["group_by"])
        self.group_by = names
        self._key = key if names else no_group
        self._tallies = state["tallies"]

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, group_by: GroupBy | Sequence[GroupBy] | None = None
    ) -> Report:
        """The report a ``to_dict`` dict describes, equal to the original when it grouped by
        Call fields or ``"day"`` (key values get their types back). A report grouped by
        functions needs them again as ``group_by``; its key values stay as JSON gave them."""
        from telephony.report._travel import report_from_dict

        return report_from_dict(cls, data, group_by=group_by)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: ``group_by``, ``overall`` and ``groups``, a list of summaries each
        with a ``key`` mapping grouping name to value (enums as their value, dates ISO 8601),
        sorted by key."""
        return {
            "group_by": list(self.group_by),
            "overall": self.overall.to_dict(),
            "groups": [
                {
                    "key": dict(zip(self.group_by, map(key_value, key), strict=True)),
                    **summary.to_dict(),
                }
                for key, summary in self.sorted_groups()
            ],
        }

    def sorted_groups(self) -> list[tuple[tuple[Hashable, ...], Summary]]:
        """The groups sorted by key (None last in each position), for stable output."""
        return sorted(self.groups.items(), key=lambda item: tuple(map(sort_key, item[0])))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Report):
            return NotImplemented
        return (self.group_by, self._tallies) == (other.group_by, other._tallies)

    __hash__ = None  # type: ignore[assignment]

    def _repr_html_(self) -> str:
        """Jupyter shows a report as the table ``format_table`` prints."""
        from telephony.report._html import report_table

        return report_table(self)

    def __repr__(self) -> str:
        return (
            f"Report(group_by={self.group_by!r}, "
            f"calls={sum(tally.calls for tally in self._tallies.values())}, "
            f"groups={len(self.groups)})"
        )


def summarize(
    calls: Iterable[Call], *, group_by: GroupBy | Sequence[GroupBy] = ("provider",)
) -> Report:
    """Figures over ``calls``, overall and per group, in one lazy pass.

    ``group_by`` names Call fields (``"provider"``, ``"direction"``, ``"status"``...), ``"day"``
    (UTC date of ``created_at``), or functions of a call (grouped under their ``__name__``).
    """
    report = Report(group_by=group_by)
    report.update(calls)
    return report


async def asummarize(
    calls: AsyncIterable[Call], *, group_by: GroupBy | Sequence[GroupBy] = ("provider",)
) -> Report:
    """``summarize`` over an async iterable (e.g. ``amerge(...)``)."""
    report = Report(group_by=group_by)
    add = report.add
    async for call in calls:
        add(call)
    return report
