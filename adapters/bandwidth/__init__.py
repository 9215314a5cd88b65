"""Bandwidth Voice API v2 adapter: ``telephony.connect("bandwidth", account_id=..., ...)``.

Status and direction are not server-side filters on Bandwidth: they are applied on the client
(a status that maps to one ``disconnectCause`` is also sent to the server to narrow the pages).
"""

from telephony.adapters.bandwidth._adapter import BandwidthAdapter
from telephony.adapters.bandwidth._options import BandwidthOptions
from telephony.adapters.bandwidth._wire import MachineDetection

__all__ = ["BandwidthAdapter", "BandwidthOptions", "MachineDetection"]
