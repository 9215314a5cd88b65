"""Both built-in adapters pass the shared contract against the sandbox, which speaks each
vendor's wire contract without sharing any code with the adapters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telephony.adapters.bandwidth import BandwidthOptions
from telephony.sandbox import Sandbox
from telephony.testing.contract import AdapterContract, ContractSetup

STAYS_UP = "+15550100007"  # the sandbox number that answers and stays up


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed_calls=40, speed=200.0, seed=7) as sb:
        yield sb


class TestBandwidthContract(AdapterContract):
    @pytest.fixture
    def setup(self, sandbox: Sandbox) -> ContractSetup:
        return ContractSetup(
            provider="bandwidth",
            settings=sandbox.settings("bandwidth"),
            from_number="+15557654321",
            answering_to=STAYS_UP,
            invalid_to="15550100007",  # E.164 needs the +
            options=BandwidthOptions(tag="contract"),
        )


class TestBandwidthOAuthContract(TestBandwidthContract):
    @pytest.fixture
    def setup(self, sandbox: Sandbox) -> ContractSetup:
        return ContractSetup(
            provider="bandwidth",
            settings=sandbox.settings("bandwidth", oauth=True),
            from_number="+15557654321",
            answering_to=STAYS_UP,
            invalid_to="sip:nobody",
        )


class TestRestcommContract(AdapterContract):
    @pytest.fixture
    def setup(self, sandbox: Sandbox) -> ContractSetup:
        return ContractSetup(
            provider="restcomm",
            settings=sandbox.settings("restcomm"),
            from_number="+15557654321",
            answering_to=STAYS_UP,
            invalid_to="call me maybe",
            unknown_call_id="CA" + "0" * 32,
        )
