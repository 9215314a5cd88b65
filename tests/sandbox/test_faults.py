"""Fault injection: rate limits, server errors, slow answers, dropped connections."""

from __future__ import annotations

import time

import httpx
import pytest

from telephony.sandbox import Faults
from tests.sandbox.helpers import (
    MakeSandbox,
    bandwidth_client,
    create_bandwidth,
    restcomm_client,
)


def test_rate_limits_carry_retry_after(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(rate_limit=1.0, retry_after=3))
    with bandwidth_client(sandbox) as bandwidth, restcomm_client(sandbox) as restcomm:
        limited = bandwidth.get("/calls")
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "3"
        assert limited.json()["type"] == "rate-limit"
        limited = restcomm.get("/Calls")
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "3"
        assert limited.content == b""


def test_server_errors_look_like_each_vendors(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(server_error=1.0))
    with bandwidth_client(sandbox) as bandwidth, restcomm_client(sandbox) as restcomm:
        failed = bandwidth.post("/calls", json={"to": "+15550100001"})
        assert failed.status_code == 500
        assert set(failed.json()) == {"type", "description", "id"}
        statuses = {restcomm.get("/Calls").status_code for _ in range(20)}
        assert statuses == {500, 503}
    assert sandbox.side("bandwidth").ledger.live() == []  # a failed create created nothing


def test_dropped_connections(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(drop=1.0))
    with bandwidth_client(sandbox) as bandwidth, pytest.raises(httpx.RemoteProtocolError):
        bandwidth.get("/calls")


def test_slow_answers(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(slow=1.0, slow_seconds=0.2))
    with restcomm_client(sandbox) as restcomm:
        began = time.perf_counter()
        assert restcomm.get("/Calls").status_code == 200
        assert time.perf_counter() - began >= 0.2


def statuses(make_sandbox: MakeSandbox, seed: int) -> list[int]:
    faults = Faults(rate_limit=0.2, server_error=0.2, retry_after=0)
    sandbox = make_sandbox(faults=faults, seed=seed)
    with bandwidth_client(sandbox) as bandwidth:
        return [bandwidth.get("/calls").status_code for _ in range(60)]


def test_faults_are_a_share_of_answers_and_replay_with_the_seed(
    make_sandbox: MakeSandbox,
) -> None:
    first = statuses(make_sandbox, seed=1)
    assert statuses(make_sandbox, seed=1) == first
    assert statuses(make_sandbox, seed=2) != first
    assert set(first) == {200, 429, 500, 503}
    assert 10 < first.count(200) < 50


def test_bandwidth_server_faults_carry_the_documented_types(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(server_error=1.0), seed=3)
    with bandwidth_client(sandbox) as bandwidth:
        answers = [bandwidth.get("/calls") for _ in range(12)]
    kinds = {(answer.status_code, answer.json()["type"]) for answer in answers}
    assert kinds == {(500, "internal-server-error"), (503, "system-overloaded")}


def test_the_token_endpoint_never_fails(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(server_error=1.0))
    settings = sandbox.settings("bandwidth", oauth=True)
    with httpx.Client(timeout=10) as client:
        token = client.post(
            settings["token_url"],
            data={"grant_type": "client_credentials"},
            auth=(settings["client_id"], settings["client_secret"]),
        )
    assert token.status_code == 200


def test_new_bandwidth_calls_can_show_up_late(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(get_lag=5.0))
    with bandwidth_client(sandbox) as bandwidth:
        call_id = create_bandwidth(bandwidth, sandbox, "+15550100001")["callId"]
        assert bandwidth.get(f"/calls/{call_id}").status_code == 404
        sandbox.advance(5)
        assert bandwidth.get(f"/calls/{call_id}").status_code == 200


@pytest.mark.parametrize(
    "options",
    [{"rate_limit": 1.5}, {"rate_limit": 0.6, "drop": 0.6}, {"retry_after": -1}],
)
def test_fault_settings_are_checked(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        Faults(**options)  # type: ignore[arg-type]
