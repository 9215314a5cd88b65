"""Restcomm-Connect adapter: ``telephony.connect("restcomm", base_url=..., account_sid=...,
auth_token=...)``.

Form posts and XML answers, read safely (no DTDs or entities, a size limit). Paging counts
pages itself and never follows the server's links; ``to``/``from_``, the start-time bounds and
``status`` are refined on the client (see README.md beside this file).

Restcomm-only features, without widening the neutral model: ``RestcommOptions`` for
``NewCall(options=...)`` (SIP username/password, StatusCallbackEvent), and ``modify_call`` /
``modify_call_async`` with a ``RestcommCallUpdate`` for Mute and MoveConnectedCallLeg.
"""

from telephony.adapters.restcomm._adapter import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, RestcommAdapter
from telephony.adapters.restcomm._options import RestcommCallUpdate, RestcommOptions
from telephony.adapters.restcomm._vendor import modify_call, modify_call_async

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "RestcommAdapter",
    "RestcommCallUpdate",
    "RestcommOptions",
    "modify_call",
    "modify_call_async",
]
