"""Drift check: every vendor record in the committed cassettes structures into the adapters'
wire models through strict converters (unknown keys refused), and the hot path that skips the
wire models reads each record the same way. A field the vendor adds, or one a model misnames,
fails here loudly instead of being dropped in silence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from telephony._times import parse_iso
from telephony.adapters.bandwidth._normalize import call_from_state
from telephony.adapters.bandwidth._wire import CallState, CreateCallResponse
from telephony.adapters.bandwidth._wire import make_converter as bandwidth_converter
from telephony.adapters.restcomm._normalize import call_from_record
from telephony.adapters.restcomm._wire import CallRecord
from telephony.adapters.restcomm._wire import make_converter as restcomm_converter
from telephony.adapters.restcomm._xml import find_elements, parse_xml

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"


def _answers(provider: str) -> list[tuple[str, str, str, int, str]]:
    found = []
    for path in sorted((CASSETTES / provider).glob("*.yaml")):
        for n, exchange in enumerate(yaml.safe_load(path.read_text())["interactions"]):
            request, response = exchange["request"], exchange["response"]
            body = response["body"]["string"]
            found.append(
                (
                    f"{path.name}#{n}",
                    request["method"],
                    request["uri"],
                    response["status"]["code"],
                    body,
                )
            )
    return found


def _bandwidth_records() -> list[tuple[str, str, dict[str, Any]]]:
    records = []
    for where, method, uri, status, body in _answers("bandwidth"):
        if "/calls" not in uri or not body or status >= 300 or "oauth2" in uri:
            continue
        data = json.loads(body)
        kind = "created" if method == "POST" and uri.endswith("/calls") else "state"
        for record in data if isinstance(data, list) else [data]:
            records.append((where, kind, record))
    return records


BANDWIDTH = _bandwidth_records()


def test_the_cassettes_hold_records_to_check() -> None:
    kinds = {kind for _, kind, _ in BANDWIDTH}
    assert kinds == {"created", "state"}
    assert len(BANDWIDTH) >= 20


@pytest.mark.parametrize(("where", "kind", "record"), BANDWIDTH, ids=[w for w, _, _ in BANDWIDTH])
def test_bandwidth_records_fit_the_wire_model(
    where: str, kind: str, record: dict[str, Any]
) -> None:
    strict = bandwidth_converter(forbid_extra_keys=True)
    if kind == "created":
        created = strict.structure(record, CreateCallResponse)
        assert created.call_id
        return
    wire = strict.structure(record, CallState)
    call = call_from_state(record)
    assert (call.id, call.account_id, call.parent_id) == (
        wire.call_id,
        wire.account_id,
        wire.parent_call_id,
    )
    assert (call.to, call.from_, call.vendor_status, call.disconnect_cause) == (
        wire.to,
        wire.from_,
        wire.state,
        wire.disconnect_cause,
    )
    assert call.answered_at == parse_iso(wire.answer_time)
    assert call.ended_at == parse_iso(wire.end_time)
    assert call.created_at == parse_iso(wire.enqueued_time or wire.start_time)


def _restcomm_records() -> list[tuple[str, dict[str, Any]]]:
    records = []
    for where, _method, _uri, status, body in _answers("restcomm"):
        if status >= 300 or not body.lstrip().startswith("<"):
            continue
        for record in find_elements(parse_xml(body.encode()), "Call") or []:
            records.append((where, record))
    return records


RESTCOMM = _restcomm_records()


def test_the_restcomm_cassettes_hold_records_to_check() -> None:
    assert len(RESTCOMM) >= 20


@pytest.mark.parametrize(("where", "record"), RESTCOMM, ids=[w for w, _ in RESTCOMM])
def test_restcomm_records_fit_the_wire_model(where: str, record: dict[str, Any]) -> None:
    wire = restcomm_converter(forbid_extra_keys=True).structure(record, CallRecord)
    call = call_from_record(record)
    assert (call.id, call.to, call.from_, call.vendor_status) == (
        wire.sid,
        wire.to,
        wire.from_,
        wire.status,
    )
    assert (call.created_at, call.started_at, call.ended_at) == (
        wire.date_created,
        wire.start_time,
        wire.end_time,
    )
    assert (call.price, call.currency) == (wire.price, wire.price_unit)
