"""The vcrpy set-up and the plugin on their own: scrubbing while recording, matching, record
modes, the miss error, and the network block. Recordings here are made against in-process
``httpx.MockTransport`` servers (vcrpy patches that transport too), in a temporary folder."""

from __future__ import annotations

import base64
import gzip
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from vcr.request import Request as VcrRequest  # type: ignore[import-untyped]

import telephony
from telephony.testing._clients import environment_settings
from telephony.testing._network import NetworkBlockedError, network_blocked
from telephony.testing._scrub import Scrubber
from telephony.testing._vcr import CassetteMissError, body_matcher, make_vcr, record_mode
from telephony.testing.plugin import REPLAY_SETTINGS, autoloaded
from tests.cassettes.leaks import find_leaks

REAL_SID = "AC5f3e0c1b2a4d6e8f90a1b2c3d4e5f6a7"
REAL_TOKEN = "9c1e7d3b5a2f4e6d8c0b1a2f3e4d5c6b"
LIVE_BASE = "http://127.0.0.1:50123/restcomm"
CALL_SID = "CA0123456789abcdef0123456789abcdef"

CALL_XML = f"""<RestcommResponse><Call><Sid>{CALL_SID}</Sid>
<DateCreated>Mon, 5 Jan 2026 12:00:00 +0000</DateCreated><AccountSid>{REAL_SID}</AccountSid>
<To>+15550100001</To><From>+15557654321</From><Status>completed</Status>
<StartTime>2026-01-05T12:00:02.000Z</StartTime><EndTime>2026-01-05T12:00:40.000Z</EndTime>
<Duration>30</Duration><Direction>outbound-api</Direction>
<Uri>/2012-04-24/Accounts/{REAL_SID}/Calls/{CALL_SID}</Uri></Call></RestcommResponse>"""


def restcomm_server(request: httpx.Request) -> httpx.Response:
    """A tiny Restcomm: one completed call; creating answers it too."""
    assert request.headers["Authorization"].startswith("Basic ")
    path = request.url.path
    if request.method == "POST" and path.endswith("/Calls"):
        return httpx.Response(200, text=CALL_XML, headers={"Content-Type": "application/xml"})
    if path.endswith(f"/Calls/{CALL_SID}"):
        return httpx.Response(200, text=CALL_XML, headers={"Content-Type": "application/xml"})
    return httpx.Response(406)


def live_restcomm(**extra: Any) -> telephony.Client:
    return telephony.connect(
        "restcomm",
        base_url=LIVE_BASE,
        account_sid=REAL_SID,
        auth_token=REAL_TOKEN,
        transport=httpx.MockTransport(restcomm_server),
        max_retries=0,
        **extra,
    )


NEW_CALL = telephony.NewCall(
    to="+15550100001", from_="+15557654321", answer_url="https://app.example/rcml"
)


@pytest.fixture
def record_restcomm(tmp_path: Path) -> Callable[[str], Path]:
    def record(name: str) -> Path:
        recorder = make_vcr(cassette_library_dir=tmp_path, record="all")
        recorder.scrubber.rebase(LIVE_BASE, REPLAY_SETTINGS["restcomm"]["base_url"])
        with recorder.use_cassette(name), live_restcomm() as client:
            client.create_call(NEW_CALL)
            client.get_call(CALL_SID)
        return tmp_path / name

    return record


def test_recording_is_scrubbed_and_rebased(record_restcomm: Callable[[str], Path]) -> None:
    text = record_restcomm("restcomm.yaml").read_text()
    assert REAL_SID not in text
    assert REAL_TOKEN not in text
    assert "127.0.0.1" not in text
    assert "authorization" not in text.lower()
    assert "https://restcomm.example/restcomm/2012-04-24/Accounts/ACCOUNT_SID/Calls" in text
    assert "<AccountSid>ACCOUNT_SID</AccountSid>" in text
    assert f"/Accounts/ACCOUNT_SID/Calls/{CALL_SID}" in text  # the Uri, by the learned SID
    assert find_leaks(text, {REAL_SID, REAL_TOKEN}) == []


def test_replay_with_placeholders_or_real_ids(
    record_restcomm: Callable[[str], Path], tmp_path: Path
) -> None:
    record_restcomm("restcomm.yaml")
    for settings in (
        dict(REPLAY_SETTINGS["restcomm"]),
        # Account ids are rewritten on the live request too, so the user's real settings
        # match as well; credentials are never compared.
        {**REPLAY_SETTINGS["restcomm"], "account_sid": "AC" + "9" * 32, "auth_token": "other"},
    ):
        replayer = make_vcr(cassette_library_dir=tmp_path)
        with (
            replayer.use_cassette("restcomm.yaml"),
            telephony.connect("restcomm", max_retries=0, **settings) as client,
            network_blocked(),
        ):
            created = client.create_call(NEW_CALL)
            fetched = client.get_call(CALL_SID)
        assert created.id == fetched.id == CALL_SID
        assert fetched.status is telephony.CallStatus.COMPLETED
        assert fetched.account_id == "ACCOUNT_SID"
        assert fetched.duration is not None
        assert fetched.duration.total_seconds() == 30


def test_miss_names_cassette_and_request_without_credentials(
    record_restcomm: Callable[[str], Path], tmp_path: Path
) -> None:
    record_restcomm("restcomm.yaml")
    replayer = make_vcr(cassette_library_dir=tmp_path)
    with (
        replayer.use_cassette("restcomm.yaml"),
        telephony.connect(
            "restcomm",
            base_url=REPLAY_SETTINGS["restcomm"]["base_url"],
            account_sid=REAL_SID,
            auth_token=REAL_TOKEN,
            max_retries=2,
        ) as client,
        pytest.raises(CassetteMissError) as caught,
    ):
        client.get_call("CAffffffffffffffffffffffffffffffff")  # never recorded
    error = caught.value
    message = str(error)
    assert error.cassette_path.endswith("restcomm.yaml")
    assert "restcomm.yaml" in message
    assert error.method == "GET"
    assert error.url == (
        "https://restcomm.example/restcomm/2012-04-24/Accounts/ACCOUNT_SID/Calls/"
        "CAffffffffffffffffffffffffffffffff"
    )
    assert f"GET {error.url}" in message
    assert "path differs" in message
    assert "--telephony-record" in message
    assert REAL_SID not in message
    assert REAL_TOKEN not in message
    assert not isinstance(error, telephony.TelephonyError)  # never retried or wrapped


def test_a_request_sent_more_often_than_recorded_is_a_miss(
    record_restcomm: Callable[[str], Path], tmp_path: Path
) -> None:
    record_restcomm("restcomm.yaml")
    replayer = make_vcr(cassette_library_dir=tmp_path)
    with (
        replayer.use_cassette("restcomm.yaml"),
        telephony.connect("restcomm", max_retries=0, **REPLAY_SETTINGS["restcomm"]) as client,
    ):
        client.get_call(CALL_SID)
        with pytest.raises(CassetteMissError) as caught:
            client.get_call(CALL_SID)
    assert caught.value.reason == "already_played"
    assert "played already" in str(caught.value)


def test_missing_cassette_is_named(tmp_path: Path) -> None:
    replayer = make_vcr(cassette_library_dir=tmp_path)
    with (
        replayer.use_cassette("nowhere/none.yaml"),
        telephony.connect("restcomm", max_retries=0, **REPLAY_SETTINGS["restcomm"]) as client,
        pytest.raises(CassetteMissError) as caught,
    ):
        client.get_call(CALL_SID)
    assert caught.value.reason == "cassette_not_found"
    assert "nowhere/none.yaml" in str(caught.value)
    assert "does not exist" in str(caught.value)
    assert not (tmp_path / "nowhere" / "none.yaml").exists()  # replay never writes


def test_record_new_adds_and_all_replaces(tmp_path: Path) -> None:
    answers = iter(range(100))

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"n": next(answers), "path": request.url.path})

    def run(mode: str, *paths: str) -> list[int]:
        recorder = make_vcr(cassette_library_dir=tmp_path, record=mode)
        with (
            recorder.use_cassette("c.yaml"),
            httpx.Client(transport=httpx.MockTransport(server)) as http,
        ):
            return [http.get(f"https://api.example{path}").json()["n"] for path in paths]

    assert run("all", "/a") == [0]
    assert run("new", "/a", "/b") == [0, 1]  # /a replayed, /b recorded
    assert run("none", "/a", "/b") == [0, 1]
    assert run("all", "/b") == [2]  # everything again; /a is dropped
    with pytest.raises(CassetteMissError):
        run("none", "/a")
    assert record_mode("new") == "new_episodes"
    with pytest.raises(ValueError, match="none, new or all"):
        record_mode("sometimes")


def vcr_request(body: str, content_type: str) -> Any:
    return VcrRequest(
        "POST", "https://api.example/x", body.encode(), {"Content-Type": content_type}
    )


def test_json_bodies_match_whatever_the_key_order() -> None:
    sent = vcr_request('{"to": "+1555", "tag": {"a": 1, "b": 2}}', "application/json")
    recorded = vcr_request('{"tag":{"b":2,"a":1},"to":"+1555"}', "application/json")
    body_matcher(sent, recorded)
    other = vcr_request('{"to": "+1666", "tag": {"a": 1, "b": 2}}', "application/json")
    with pytest.raises(AssertionError) as caught:
        body_matcher(other, recorded)
    assert str(caught.value) == "JSON bodies differ in: to"  # names, never values


def test_form_bodies_match_whatever_the_field_order() -> None:
    form = "application/x-www-form-urlencoded"
    body_matcher(
        vcr_request("To=%2B1555&From=%2B1666", form), vcr_request("From=%2B1666&To=%2B1555", form)
    )
    with pytest.raises(AssertionError) as caught:
        body_matcher(vcr_request("To=%2B1555&Url=x", form), vcr_request("To=%2B1555&Url=y", form))
    assert str(caught.value) == "form bodies differ in: Url"
    with pytest.raises(AssertionError):
        body_matcher(
            vcr_request("<Bxml/>", "application/xml"), vcr_request("<Bxml />", "application/xml")
        )


def test_oauth2_tokens_and_secrets_are_scrubbed_even_when_learned_late(tmp_path: Path) -> None:
    token = "tok-5b0d7a1f9e3c4b2a8d6f"

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            assert b"grant_type=client_credentials" in request.content
            return httpx.Response(200, json={"access_token": token, "expires_in": 3600})
        if request.url.path == "/log":
            return httpx.Response(204)
        assert request.headers["Authorization"] == f"Bearer {token}"
        return httpx.Response(200, json=[])

    recorder = make_vcr(cassette_library_dir=tmp_path, record="all")
    with (
        recorder.use_cassette("oauth.yaml"),
        httpx.Client(transport=httpx.MockTransport(server)) as http,
    ):
        # A message quoting the token before the token answer is seen: only the save pass
        # can replace it.
        http.post("https://api.example/log", content=f"saw {token} early".encode())
        client = telephony.connect(
            "bandwidth",
            account_id="5550123",
            client_id="client-1234",
            client_secret="client-secret-5678",
            token_url="https://api.example/oauth2/token",
            base_url="https://api.example/api/v2",
            transport=httpx.MockTransport(server),
        )
        assert list(client.list_calls()) == []
    text = (tmp_path / "oauth.yaml").read_text()
    assert token not in text
    assert "saw ACCESS_TOKEN early" in text
    assert '"access_token":"ACCESS_TOKEN"' in text.replace(" ", "")
    assert "client-secret-5678" not in text
    assert "5550123" not in text


def test_compressed_answers_are_stored_decoded_and_scrubbed(tmp_path: Path) -> None:
    body = json.dumps([{"accountId": "5550123", "callId": "c-1", "state": "queued"}]).encode()

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=gzip.compress(body),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    recorder = make_vcr(cassette_library_dir=tmp_path, record="all")
    with (
        recorder.use_cassette("gz.yaml"),
        telephony.connect(
            "bandwidth",
            account_id="5550123",
            username="user-1",
            password="password-1",
            transport=httpx.MockTransport(server),
        ) as client,
    ):
        assert [call.id for call in client.list_calls()] == ["c-1"]
    stored = yaml.safe_load((tmp_path / "gz.yaml").read_text())["interactions"][0]["response"]
    assert "content-encoding" not in {name.lower() for name in stored["headers"]}
    assert json.loads(stored["body"]["string"])[0]["accountId"] == "ACCOUNT_ID"


def test_scrubber_never_shows_what_it_learned() -> None:
    scrubber = Scrubber(replace={"secret-value-1": "REDACTED"})
    assert "secret-value-1" not in repr(scrubber)
    assert scrubber.text("a secret-value-1 b") == "a REDACTED b"
    assert scrubber.text("xsecret-value-12") == "xsecret-value-12"  # only whole values
    scrubber.learn("ab", "X")  # too short to replace everywhere safely
    assert scrubber.text("ab cab") == "ab cab"


# -- the network block -------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        yield server.getsockname()


def test_network_block_refuses_connections_and_lookups(listener: tuple[str, int]) -> None:
    with network_blocked(reason="test"):
        with pytest.raises(NetworkBlockedError, match=r"127\.0\.0\.1.*\(test\)"):
            socket.create_connection(listener, timeout=1)
        with pytest.raises(NetworkBlockedError):
            socket.getaddrinfo("vendor.example", 443)
        with pytest.raises(NetworkBlockedError), httpx.Client() as http:
            http.get(f"http://{listener[0]}:{listener[1]}/")  # not a transport error
        left, right = socket.socketpair()  # event loops still work
        left.close()
        right.close()
    with network_blocked(allowed_hosts={"127.0.0.1"}):
        socket.create_connection(listener, timeout=1).close()
    socket.create_connection(listener, timeout=1).close()  # restored


@pytest.mark.parametrize("telephony_record_mode", ["none"])  # replay even while recording
@pytest.mark.telephony_cassette("bandwidth/sandbox_oauth2.yaml")
def test_plugin_replay_blocks_the_network(
    telephony_client: Callable[..., telephony.Client], listener: tuple[str, int]
) -> None:
    client = telephony_client("bandwidth", oauth2=True)
    assert len(client.get_page(page_size=3).items) == 3
    assert len(client.get_page(page_size=3).items) == 3
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(listener, timeout=1)


# -- plugin helpers ------------------------------------------------------------------------------


def test_record_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESTCOMM_ACCOUNT_SID", "AC1")
    monkeypatch.setenv("RESTCOMM_AUTH_TOKEN", "t")
    monkeypatch.setenv("RESTCOMM_BASE_URL", "https://rc.example/restcomm")
    monkeypatch.setenv("RESTCOMMX_OTHER", "no")
    monkeypatch.setenv("RESTCOMM_HOME", "/opt/restcomm")  # not a setting of the adapter
    assert environment_settings("restcomm") == {
        "account_sid": "AC1",
        "auth_token": "t",
        "base_url": "https://rc.example/restcomm",
    }


def test_autoloaded_follows_the_entry_point_and_the_switch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert autoloaded() is False


def test_scrubber_request_parts() -> None:
    scrubber = Scrubber(
        rebase={"http://127.0.0.1:8080/restcomm": "https://restcomm.example/restcomm"}
    )
    basic = "Basic " + base64.b64encode(b"ops@corp.example:tok-0123456789").decode()
    url, headers, body = scrubber.request_parts(
        url="http://who:pw@127.0.0.1:8080/restcomm/2012-04-24/Accounts/AC42aa/Calls.json"
        "?access_token=tok-0123456789&Page=1",
        headers=[("Authorization", basic), ("Host", "127.0.0.1:8080"), ("Accept", "*/*")],
        body=b"From=%2B1555&Password=sip-pass-9&Note=ops%40corp.example",
    )
    assert url == (
        "https://restcomm.example/restcomm/2012-04-24/Accounts/ACCOUNT_SID/Calls.json"
        "?access_token=ACCESS_TOKEN&Page=1"
    )
    assert headers == [("Accept", "*/*")]
    assert body == b"From=%2B1555&Password=REDACTED&Note=USERNAME"
    # Learned values are replaced in later answers too.
    assert scrubber.text("AC42aa sip-pass-9 tok-0123456789") == "ACCOUNT_SID REDACTED ACCESS_TOKEN"


RECORDING_PROJECT_CONFTEST = """
import pytest

@pytest.fixture
def telephony_record_settings():
    settings = {"account_id": "7654321", "username": "rec-user", "password": "rec-pass"}
    return lambda provider: settings
"""
RECORDING_PROJECT_TESTS = """
import httpx
import pytest

def server(request):
    return httpx.Response(200, json=[{"callId": "c-1", "state": "queued"}])

@pytest.mark.telephony_cassette("kept.yaml")
def test_passes(telephony_client):
    client = telephony_client("bandwidth", transport=httpx.MockTransport(server))
    assert [call.id for call in client.list_calls()] == ["c-1"]

@pytest.mark.telephony_cassette("failed.yaml")
def test_fails(telephony_client):
    client = telephony_client("bandwidth", transport=httpx.MockTransport(server))
    assert [call.id for call in client.list_calls()] == ["c-2"]
"""


def test_a_failing_test_does_not_write_its_recording(tmp_path: Path) -> None:
    from tests.cassettes.test_readme_example import entry_point_site, pytest_run

    tests = tmp_path / "project" / "tests"
    tests.mkdir(parents=True)
    (tests / "conftest.py").write_text(RECORDING_PROJECT_CONFTEST)
    (tests / "test_recording.py").write_text(RECORDING_PROJECT_TESTS)

    done = pytest_run(tmp_path / "project", entry_point_site(tmp_path), "--telephony-record=all")

    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed" in done.stdout
    kept = tests / "cassettes" / "kept.yaml"
    assert kept.is_file()
    assert "7654321" not in kept.read_text()
    assert not (tests / "cassettes" / "failed.yaml").exists()
