"""``client.wait_for_call``: polling with backoff until a call ends (or a chosen status),
through Bandwidth's just-created 404s, on both clients; the schedule itself checked on its own
(no timed assertions: the clock is fed by hand)."""

from __future__ import annotations

import anyio
import pytest

import telephony
from telephony import CallStatus
from telephony._wait import Waiter
from telephony.sandbox import Faults, Sandbox

NUMBERS = {
    "+15550100001": CallStatus.COMPLETED,
    "+15550100002": CallStatus.BUSY,
    "+15550100006": CallStatus.CANCELED,
}


@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
def test_it_returns_each_call_once_over(provider: str) -> None:
    # Bandwidth's near-real-time state: a new call answers 404 for 20 sandbox seconds.
    with Sandbox(seed_calls=0, speed=100.0, faults=Faults(get_lag=20.0)) as sb:
        client = telephony.connect(provider, **sb.settings(provider))
        for number, status in NUMBERS.items():
            call = client.create_call(
                telephony.NewCall(
                    to=number, from_="+15557654321", answer_url="https://app.example/a"
                )
            )
            done = client.wait_for_call(call.id, timeout=60, interval=0.02, max_interval=0.1)
            assert (done.id, done.status) == (call.id, status)
        client.close()


def test_until_a_status_and_the_async_twin() -> None:
    async def main(settings: dict[str, str]) -> None:
        async with telephony.connect_async("restcomm", **settings) as client:
            call = await client.create_call(
                telephony.NewCall(
                    to="+15550100007", from_="+15557654321", answer_url="https://app.example/a"
                )
            )
            talking = await client.wait_for_call(
                call.id, timeout=60, until=CallStatus.IN_PROGRESS, interval=0.02, max_interval=0.1
            )
            assert talking.status is CallStatus.IN_PROGRESS
            await client.hangup(call.id)
            over = await client.wait_for_call(call.id, timeout=60, interval=0.02)
            assert over.status is CallStatus.COMPLETED

    with Sandbox(seed_calls=0, speed=100.0) as sb:
        anyio.run(main, sb.settings("restcomm"))


def test_it_gives_up_with_the_last_state_read() -> None:
    with Sandbox(seed_calls=0, speed=1.0) as sb:
        client = telephony.connect("bandwidth", **sb.settings("bandwidth"))
        call = client.create_call(
            telephony.NewCall(
                to="+15550100007", from_="+15557654321", answer_url="https://app.example/a"
            )
        )
        with pytest.raises(telephony.WaitTimeoutError) as caught:
            client.wait_for_call(call.id, timeout=0.2, interval=0.05)
        client.close()
    assert caught.value.call is not None
    assert not caught.value.call.status.is_terminal


def _call(status: CallStatus) -> telephony.Call:
    return telephony.Call(provider="bandwidth", id="c-1", status=status)


def _not_found() -> telephony.NotFoundError:
    return telephony.NotFoundError("no such call", provider="bandwidth", status_code=404)


def test_the_schedule_backs_off_and_never_sleeps_past_the_deadline() -> None:
    waiter = Waiter("c-1", timeout=10, until=None, interval=1, max_interval=3, now=0)
    waits = [waiter.step(_call(CallStatus.RINGING), now) for now in (0, 1, 2.5, 4.75, 7.75)]
    assert waits == [1, 1.5, 2.25, 3, 2.25]  # grows 1.5x, capped at 3, cut at the deadline
    with pytest.raises(telephony.WaitTimeoutError, match="still ringing"):
        waiter.step(_call(CallStatus.RINGING), 10)
    done = _call(CallStatus.BUSY)
    assert (
        Waiter("c-1", timeout=1, until=None, interval=1, max_interval=1, now=0).step(done, 5)
        is done
    )


def test_a_404_is_waited_out_until_the_call_was_seen() -> None:
    waiter = Waiter("c-1", timeout=10, until=None, interval=1, max_interval=1, now=0)
    assert waiter.step(_not_found(), 0) == 1
    assert waiter.step(_call(CallStatus.QUEUED), 1) == 1
    with pytest.raises(telephony.NotFoundError):
        waiter.step(_not_found(), 2)  # seen, then gone: the vendor forgot it
    never = Waiter("c-1", timeout=1, until=None, interval=1, max_interval=1, now=0)
    never.step(_not_found(), 0)
    with pytest.raises(telephony.WaitTimeoutError, match="never found") as caught:
        never.step(_not_found(), 1)
    assert caught.value.call is None


@pytest.mark.parametrize(
    ("until", "status", "done"),
    [
        (CallStatus.IN_PROGRESS, CallStatus.IN_PROGRESS, True),
        (CallStatus.IN_PROGRESS, CallStatus.RINGING, False),
        ({CallStatus.BUSY, CallStatus.FAILED}, CallStatus.FAILED, True),
        (lambda call: call.status is CallStatus.RINGING, CallStatus.RINGING, True),
        (None, CallStatus.UNKNOWN, False),
    ],
)
def test_until(until: object, status: CallStatus, done: bool) -> None:
    waiter = Waiter("c-1", timeout=10, until=until, interval=1, max_interval=1, now=0)
    assert isinstance(waiter.step(_call(status), 0), telephony.Call) is done


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"until": "completed"}, "until"),
        ({"until": []}, "until"),
        ({"interval": -1}, "interval"),
        ({"call_id": "../x"}, "call_id"),
    ],
)
def test_bad_arguments_are_validation_errors(kwargs: dict[str, object], field: str) -> None:
    with (
        Sandbox(seed_calls=0) as sb,
        telephony.connect("bandwidth", **sb.settings("bandwidth")) as c,
    ):
        arguments: dict[str, object] = {"call_id": "c-1", "timeout": 1.0, **kwargs}
        call_id = arguments.pop("call_id")
        with pytest.raises(telephony.ValidationError) as caught:
            c.wait_for_call(call_id, **arguments)  # type: ignore[arg-type]
        assert caught.value.field == field
        assert sb.request_count == 0
