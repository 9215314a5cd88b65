"""``telephony webhooks listen`` prints each callback as a neutral event, table or JSON lines,
on a real local port."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from telephony.cli import main
from telephony.cli._webhooks import listen, read_checks
from tests.webhooks import examples as ex


class _Out(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            return super().write(text)


@contextmanager
def listening(**options: object) -> Iterator[tuple[str, _Out]]:
    out, stop = _Out(), threading.Event()
    runner = threading.Thread(
        target=listen, args=("127.0.0.1", 0), kwargs={"out": out, "stop": stop, **options}
    )
    runner.start()
    try:
        for _ in range(500):  # bounded: the server prints its address once bound
            found = re.search(r"http://127\.0\.0\.1:(\d+)", out.getvalue())
            if found:
                break
            time.sleep(0.01)
        assert found, out.getvalue()
        yield f"http://127.0.0.1:{found.group(1)}", out
    finally:
        stop.set()
        runner.join(timeout=30)


def test_every_provider_by_path_in_a_table() -> None:
    with listening() as (url, out):
        bw = httpx.post(f"{url}/bandwidth/status", json=ex.DISCONNECT_BUSY)
        rc = httpx.post(f"{url}/restcomm/status", content=ex.RC_BUSY.encode())
        nobody = httpx.post(f"{url}/acme/status", content=b"x")
    assert (bw.status_code, rc.status_code, nobody.status_code) == (200, 200, 404)
    lines = out.getvalue().splitlines()
    assert "/bandwidth/..." in lines[0]
    assert "/restcomm/..." in lines[0]
    rows = [line.split() for line in lines[2:]]
    assert rows[0][1:6] == ["bandwidth", ex.DISCONNECT_BUSY["callId"], "disconnect", "busy", "yes"]
    assert rows[1][1:6] == ["restcomm", rows[1][2], "completed", "-", "yes"]


def test_one_provider_with_checks_in_json_lines() -> None:
    checks = {"username": "hooks", "password": "s3cret"}
    with listening(provider="bandwidth", checks=checks, form="jsonl") as (url, out):
        refused = httpx.post(url, json=ex.ANSWER)
        accepted = httpx.post(url, json=ex.ANSWER, auth=("hooks", "s3cret"))
    assert (refused.status_code, accepted.status_code) == (401, 200)
    records = [json.loads(line) for line in out.getvalue().splitlines()[1:]]
    assert [(r["event"], r["status"], r["answered_by"]) for r in records] == [
        ("answer", "in-progress", "human")
    ]
    assert records[0]["raw"]["tag"] == "order-5521"


def test_check_needs_a_provider() -> None:
    assert main(["webhooks", "listen", "--check", "username=u"]) == 2


def test_a_secret_check_comes_from_an_environment_variable() -> None:
    environ = {"HOOK_PASSWORD": "from-env"}
    checks = read_checks(["username=hooks", "password=env:HOOK_PASSWORD"], environ)
    assert checks == {"username": "hooks", "password": "from-env"}
    with listening(provider="bandwidth", checks=checks, form="jsonl") as (url, _):
        literal = httpx.post(url, json=ex.ANSWER, auth=("hooks", "env:HOOK_PASSWORD"))
        accepted = httpx.post(url, json=ex.ANSWER, auth=("hooks", "from-env"))
    assert (literal.status_code, accepted.status_code) == (401, 200)


def test_an_unset_variable_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HOOK_PASSWORD", raising=False)
    argv = ["webhooks", "listen", "--provider", "bandwidth", "--port", "0"]
    assert main([*argv, "--check", "password=env:HOOK_PASSWORD"]) == 2
    err = capsys.readouterr().err
    assert "--check password=env:HOOK_PASSWORD" in err
    assert "HOOK_PASSWORD is not set" in err
    assert main([*argv, "--check", "password=env:"]) == 2
    assert "name the environment variable" in capsys.readouterr().err


def test_the_help_says_argv_is_visible(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webhooks", "listen", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "env:VARIABLE" in text
    assert "visible to other users" in text
