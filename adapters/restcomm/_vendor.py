"""Vendor-only operations: reach Restcomm features the neutral API has no words for, through
a client made by ``telephony.connect("restcomm", ...)``. Code that calls these is Restcomm
code; portable code sticks to the client's own methods.

They take any ``Runner`` (``telephony.Client`` is one): a client holding an adapter and
running a flow on its connection, with its retries."""

from __future__ import annotations

from telephony.adapters.restcomm._adapter import RestcommAdapter
from telephony.adapters.restcomm._options import RestcommCallUpdate
from telephony.toolkit import Adapter, AsyncRunner, Runner, ValidationError

__all__ = ["modify_call", "modify_call_async"]


def _restcomm(adapter: Adapter | None) -> RestcommAdapter:
    if not isinstance(adapter, RestcommAdapter):
        raise ValidationError(
            "is not a Restcomm client (telephony.connect('restcomm', ...))", field="client"
        )
    return adapter


def modify_call(client: Runner, *, call_id: str, update: RestcommCallUpdate) -> None:
    """Vendor-only (Restcomm): apply ``update`` (mute, move the connected leg, redirect with
    fallbacks) to a live call. Returns None: call ``client.get_call`` for the state after."""
    flow = _restcomm(getattr(client, "adapter", None)).modify(call_id, update)
    client.run(flow)


async def modify_call_async(
    client: AsyncRunner, *, call_id: str, update: RestcommCallUpdate
) -> None:
    """``modify_call`` for an ``AsyncClient``."""
    flow = _restcomm(getattr(client, "adapter", None)).modify(call_id, update)
    await client.run(flow)
