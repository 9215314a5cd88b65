"""The neutral model, filters, cursors, times and the registry."""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import telephony
import telephony.toolkit
from telephony import Call, CallFilter, CallStatus, Direction, NewCall, Page
from telephony._cursor import decode_cursor, encode_cursor
from telephony._retry import parse_retry_after
from telephony._times import parse_datetime, parse_iso
from telephony.testing import FakeAdapter
from tests.support import register_providers


def test_public_names_are_sorted_and_present() -> None:
    assert telephony.__all__ == sorted(telephony.__all__)
    for name in telephony.__all__:
        assert hasattr(telephony, name)


def test_terminal_and_outbound() -> None:
    assert {s for s in CallStatus if s.is_terminal} == {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.REJECTED,
        CallStatus.CANCELED,
        CallStatus.FAILED,
    }
    assert {d for d in Direction if d.is_outbound} == {
        Direction.OUTBOUND_API,
        Direction.OUTBOUND_DIAL,
    }
    assert str(CallStatus.IN_PROGRESS) == "in-progress"


def test_call_is_frozen_and_raw_read_only() -> None:
    call = Call(provider="p", id="1", status=CallStatus.QUEUED, raw={"a": {"b": 1}})
    with pytest.raises(AttributeError):
        call.id = "2"  # type: ignore[misc]
    with pytest.raises(TypeError):
        call.raw["a"] = 2  # type: ignore[index]
    assert "raw" not in repr(call)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"to": ""}, "to"),
        ({"from_": "   "}, "from_"),
        ({"answer_url": "app.example/x"}, "answer_url"),
        ({"answer_url": "file:///etc/passwd"}, "answer_url"),
        ({"status_callback_url": "https://"}, "status_callback_url"),
        ({"answer_method": "get"}, "answer_method"),
        ({"ring_timeout": 0}, "ring_timeout"),
        ({"ring_timeout": True}, "ring_timeout"),
    ],
)
def test_new_call_checks_what_every_vendor_shares(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {
        "to": "+15551234567",
        "from_": "+15557654321",
        "answer_url": "https://app.example/answer",
    }
    with pytest.raises(telephony.ValidationError) as info:
        NewCall(**{**base, **kwargs})  # type: ignore[arg-type]
    assert info.value.field == field


def test_filter_matches_neutral_meaning() -> None:
    t0 = datetime(2024, 1, 1, 12, tzinfo=UTC)
    call = Call(
        provider="p", id="1", status=CallStatus.BUSY, to="+1555", from_="+1666", started_at=t0
    )
    assert CallFilter.build(to="+1555", status=["busy", CallStatus.FAILED]).matches(call)
    assert not CallFilter.build(to="555").matches(call)  # exact, not suffix
    assert CallFilter.build(started_after=t0, started_before=t0).matches(call)  # inclusive
    est = timezone(timedelta(hours=-5))
    assert not CallFilter.build(started_after=datetime(2024, 1, 1, 8, tzinfo=est)).matches(call)
    assert not CallFilter.build(started_after=t0).matches(
        Call(provider="p", id="2", status=CallStatus.QUEUED)
    )


def test_filter_round_trips_through_json() -> None:
    built = CallFilter.build(
        to="+1",
        from_="+2",
        status=CallStatus.COMPLETED,
        parent_id="x",
        started_after=datetime(2024, 1, 1, tzinfo=UTC),
    )
    assert CallFilter.from_json(built.to_json()) == built
    with pytest.raises(telephony.ValidationError):
        CallFilter.build(
            started_after=datetime(2024, 2, 1, tzinfo=UTC),
            started_before=datetime(2024, 1, 1, tzinfo=UTC),
        )


def test_cursor_round_trip_and_tampering() -> None:
    cursor = encode_cursor("bandwidth", {"url": "https://x/y"})
    assert decode_cursor("bandwidth", cursor)["url"] == "https://x/y"
    with pytest.raises(telephony.ValidationError, match="restcomm"):
        decode_cursor("restcomm", cursor)
    with pytest.raises(telephony.ValidationError):
        decode_cursor("bandwidth", cursor[:-3] + "!!!")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-06-16T13:15:18.126Z", datetime(2022, 6, 16, 13, 15, 18, 126000, tzinfo=UTC)),
        ("2013-10-18T04:49:45.942-06:00", datetime(2013, 10, 18, 10, 49, 45, 942000, tzinfo=UTC)),
        ("Fri, 5 Jul 2013 22:15:53 +0000", datetime(2013, 7, 5, 22, 15, 53, tzinfo=UTC)),
        ("Thu, 28 Jun 2018 16:56:33 +0300", datetime(2018, 6, 28, 13, 56, 33, tzinfo=UTC)),
        ("2022-06-16T13:15:18", datetime(2022, 6, 16, 13, 15, 18, tzinfo=UTC)),
        ("Fri, 5 Jul 2013 22:15:53 -0130", datetime(2013, 7, 5, 23, 45, 53, tzinfo=UTC)),
        ("5 Jul 2013 22:15:53 GMT", datetime(2013, 7, 5, 22, 15, 53, tzinfo=UTC)),
        ("Fri, 05 Jul 2013 22:15:53 UT", datetime(2013, 7, 5, 22, 15, 53, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_times_become_utc(text: str | None, expected: datetime | None) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0)


def test_parse_iso_rejects_junk() -> None:
    with pytest.raises(ValueError, match="Invalid isoformat"):
        parse_iso("yesterday")


def test_retry_after_forms() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now=now) == 30
    assert parse_retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now=now) == 0
    assert parse_retry_after("string") is None
    assert parse_retry_after("-5") == 0


def test_import_is_lazy() -> None:
    code = (
        "import sys, telephony; "
        "heavy = [m for m in ('telephony.adapters.bandwidth', 'telephony.adapters.restcomm',"
        " 'xmltodict', 'cattrs',"
        " 'telephony.sandbox', 'telephony.report', 'telephony.testing', 'pytest',"
        " 'anyio', 'importlib.metadata', 'msgspec', 'telephony._provider',"
        " 'telephony._callbacks') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class LegacyAdapter(FakeAdapter):
    """An adapter class registered directly (no ProviderInfo), as before descriptions."""

    name = "legacy"

    def __init__(self, *, api_key: str, region: str = "eu") -> None:
        super().__init__()


def test_providers_and_entry_point_registry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert {"bandwidth", "restcomm", "fake"} <= set(telephony.providers())
    register_providers(monkeypatch, tmp_path, {"legacy": f"{__name__}:LegacyAdapter"})

    assert "legacy" in telephony.providers()
    assert telephony.adapter_class("legacy") is LegacyAdapter
    info = telephony.describe("legacy")
    assert [(s.name, s.env, s.secret) for s in info.settings] == [
        ("api_key", "LEGACY_API_KEY", True),
        ("region", "LEGACY_REGION", False),
    ]
    assert info.required == ("api_key",)
    with telephony.connect("legacy", api_key="k3y-value") as client:
        assert client.provider == "legacy"


def test_an_unknown_provider_is_a_validation_error() -> None:
    with pytest.raises(telephony.ValidationError) as info:
        telephony.connect("no-such-provider")
    assert info.value.field == "provider"
    assert "bandwidth" in str(info.value)


def test_a_checkout_with_stale_metadata_still_finds_its_own_providers() -> None:
    # An editable install made before a provider was added lacks its entry point: the
    # registry then reads this distribution's own from pyproject.toml beside the package.
    import telephony._registry as registry

    found = registry._source_checkout_entry_points()
    assert {name: ep.value for name, ep in found.items()} == {
        "bandwidth": "telephony.adapters.bandwidth._provider:BANDWIDTH",
        "restcomm": "telephony.adapters.restcomm._provider:RESTCOMM",
        "fake": "telephony.testing.fake:FAKE",
    }
    assert found["bandwidth"].load() is telephony.describe("bandwidth")


class _Counted(telephony.toolkit.NextPage):
    __slots__ = ("made",)

    def __init__(self) -> None:
        self.made = 0

    def encode(self) -> str:
        self.made += 1
        return "cursor-1"

    def follow(self) -> Any:
        raise AssertionError("not followed here")


def test_a_page_with_an_in_memory_next_page_reads_as_one_with_its_cursor() -> None:
    import attrs

    following = _Counted()
    lazy = Page(items=[1, 2], next_cursor=following, scanned=5)
    assert following.made == 0  # nothing encoded until someone asks
    plain = Page(items=[1, 2], next_cursor="cursor-1", scanned=5)
    assert lazy == plain
    assert repr(lazy) == repr(plain) == "Page(items=[1, 2], next_cursor='cursor-1', scanned=5)"
    assert lazy.next_cursor == "cursor-1"
    assert following.made == 1  # made once, kept
    assert lazy.next_page is following
    assert pickle.loads(pickle.dumps(lazy)) == plain
    assert attrs.evolve(lazy, items=[]).next_page is following
    match lazy:
        case Page(items, cursor, scanned):
            assert (items, cursor, scanned) == ([1, 2], "cursor-1", 5)
