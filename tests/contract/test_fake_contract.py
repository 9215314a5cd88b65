"""The in-memory fake provider passes the same contract as the real adapters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from telephony import CallStatus
from telephony.testing import FakeProvider
from telephony.testing.contract import AdapterContract, ContractSetup


class TestFakeContract(AdapterContract):
    @pytest.fixture
    def setup(self) -> ContractSetup:
        fake = FakeProvider()
        start = datetime(2024, 5, 1, tzinfo=UTC)
        for i in range(8):
            fake.add_call(
                created_at=start + timedelta(minutes=i),
                status=CallStatus.COMPLETED if i % 2 else CallStatus.BUSY,
            )
        return ContractSetup(
            provider="fake",
            settings={"provider": fake},
            from_number="+15550100000",
            answering_to="+15550100001",
            answer=fake.answer,
        )
