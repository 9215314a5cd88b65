"""The vendors the sandbox serves: one side each (see ``_side.Side``). The server, the
history and the truth loop over this tuple; adding a vendor is adding its side here."""

from __future__ import annotations

from telephony.sandbox._bandwidth_side import BandwidthSide
from telephony.sandbox._restcomm_side import RestcommSide
from telephony.sandbox._side import Side

__all__ = ["SIDES"]

SIDES: tuple[type[Side], ...] = (BandwidthSide, RestcommSide)
