"""``telephony report --store --every`` / ``--html``: the series over stored calls."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from telephony.cli import main
from telephony.report import summarize, timeseries
from telephony.sandbox import Sandbox
from telephony.store import CallStore, sync
from tests.store.conftest import clients, sandbox_env


def test_cli_series_and_page_from_the_store(
    sandbox: Sandbox, store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync(store_path, clients(sandbox))
    for key in sandbox_env(sandbox):
        monkeypatch.delenv(key, raising=False)  # the store needs no provider settings
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with CallStore(store_path) as store:
        expected = summarize(store.calls(), group_by=("provider", "week"))
        series = timeseries(store.calls(), every="day")
    code = main(["report", "--store", str(store_path), "--every", "week", "--format", "json"])
    assert code == 0
    assert json.loads(out.getvalue()) == expected.to_dict()

    page = tmp_path / "store.html"
    assert main(["report", "--store", str(store_path), "--html", str(page)]) == 0
    source = page.read_text()
    assert series.starts
    for name in series.names:
        assert f'<td class="k">{name}</td>' in source
    assert f"{series.starts[0]:%Y-%m-%d}" in source
