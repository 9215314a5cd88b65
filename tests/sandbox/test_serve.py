"""``serve``: the blocking entry point behind ``telephony sandbox``; and the Sandbox object."""

from __future__ import annotations

import io
import re
import threading

import httpx
import pytest

from telephony.sandbox import TEST_NUMBERS, Sandbox, serve


def test_serve_prints_the_settings_and_stops_on_request() -> None:
    out = io.StringIO()
    stop = threading.Event()
    worker = threading.Thread(
        target=serve, kwargs={"port": 0, "seed_calls": 5, "out": out, "stop": stop}
    )
    worker.start()
    try:
        for _ in range(200):
            if "Ctrl+C" in out.getvalue():
                break
            stop.wait(0.02)
        printed = out.getvalue()
        url = re.search(r"listening on (http://127\.0\.0\.1:[0-9]+)", printed)
        assert url is not None, printed
        settings = dict(re.findall(r"(\w+)=(\S+)", printed.split("restcomm:")[1].split("\n")[0]))
        sid = settings["account_sid"]
        calls = f"{settings['base_url']}/2012-04-24/Accounts/{sid}/Calls"
        assert settings["base_url"] == f"{url.group(1)}/restcomm"
        answer = httpx.get(calls, auth=(sid, settings["auth_token"]), timeout=10)
        assert answer.status_code == 200
        assert answer.text.count("<Call>") == 5
        assert all(number in printed for number in TEST_NUMBERS)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(calls, timeout=2)


def test_settings_need_a_running_sandbox_and_a_known_provider() -> None:
    sandbox = Sandbox(seed_calls=0)
    with pytest.raises(RuntimeError, match="not running"):
        sandbox.settings("bandwidth")
    with sandbox:
        assert sandbox.url.startswith("http://127.0.0.1:")
        assert set(sandbox.settings("restcomm")) == {"base_url", "account_sid", "auth_token"}
        assert set(sandbox.settings("bandwidth")) == {
            "base_url",
            "account_id",
            "username",
            "password",
            "application_id",
        }
        with pytest.raises(ValueError, match="not 'plivo'"):
            sandbox.settings("plivo")
        with pytest.raises(ValueError, match="OAuth2"):
            sandbox.settings("restcomm", oauth=True)
        assert repr(sandbox).startswith("Sandbox(http://127.0.0.1:")
        assert sandbox.settings("bandwidth")["password"] not in repr(sandbox)


def test_other_paths_are_not_found(sandbox: Sandbox) -> None:
    assert httpx.get(f"{sandbox.url}/", timeout=10).status_code == 404


def test_time_runs_at_the_given_speed() -> None:
    with Sandbox(seed_calls=0, speed=3600.0) as sandbox:
        before = sandbox.now()
        threading.Event().wait(0.05)
        elapsed = (sandbox.now() - before).total_seconds()
        assert 150 < elapsed < 3600  # about 180 sandbox seconds in 0.05 s
        sandbox.advance(86400)
        assert (sandbox.now() - before).days >= 1
        with pytest.raises(ValueError, match="forward"):
            sandbox.advance(-1)


@pytest.mark.parametrize(
    "options", [{"seed_calls": -1}, {"speed": 0}, {"history_days": 0}, {"seed_calls": True}]
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must"):
        Sandbox(**options)  # type: ignore[arg-type]
