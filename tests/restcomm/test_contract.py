"""The Restcomm adapter passes the contract every adapter passes, against the in-memory
Restcomm server (which keeps the real server's quirks)."""

from __future__ import annotations

import httpx
import pytest

from telephony.testing.contract import AdapterContract, ContractSetup
from tests.restcomm.fake_server import SETTINGS, FakeRestcomm


class TestRestcommContract(AdapterContract):
    @pytest.fixture
    def setup(self) -> ContractSetup:
        server = FakeRestcomm()

        def answer(call_id: str) -> None:
            found = server.find(call_id)
            assert found is not None
            # As real servers write it: upper case with an underscore.
            found.update(Status="IN_PROGRESS", StartTime="2018-07-05T14:00:01.000Z")

        return ContractSetup(
            provider="restcomm",
            settings={**SETTINGS, "transport": httpx.MockTransport(server)},
            from_number="+15551230000",
            answering_to="+15559876543",
            answer=answer,
            unknown_call_id="CA" + "f" * 32,  # well formed: a malformed SID never leaves
        )
