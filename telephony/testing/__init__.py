"""Testing kit: an in-memory fake provider (``FakeProvider``), the shared adapter contract
suite (``telephony.testing.contract``), and a pytest plugin with a vcrpy set-up for cassettes
(``telephony.testing.plugin``, registered as the ``telephony`` pytest plugin).

vcrpy loads only when a cassette is used, so the fake provider needs nothing beyond the
library itself.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from telephony.testing.fake import FakeAdapter, FakeProvider

if TYPE_CHECKING:
    from telephony.testing._network import NetworkBlockedError
    from telephony.testing._vcr import CassetteMissError, make_vcr
    from telephony.testing.plugin import REPLAY_SETTINGS

__all__ = [
    "REPLAY_SETTINGS",
    "CassetteMissError",
    "FakeAdapter",
    "FakeProvider",
    "NetworkBlockedError",
    "make_vcr",
]

_LAZY = {
    "CassetteMissError": "_vcr",
    "NetworkBlockedError": "_network",
    "REPLAY_SETTINGS": "plugin",
    "make_vcr": "_vcr",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"telephony.testing.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
