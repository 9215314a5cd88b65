"""No committed cassette holds a credential or an unscrubbed account id, and every cassette
is replayed by a test."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from telephony.sandbox import Sandbox
from tests.cassettes.conftest import CASSETTES, PRISM_SETTINGS, SANDBOX_SEED, SANDBOX_START
from tests.cassettes.leaks import find_leaks, leaks_in_file

HERE = Path(__file__).resolve().parent
ALL_CASSETTES = sorted(CASSETTES.rglob("*.yaml"))
# Values the cassette tests themselves send that must be scrubbed.
TEST_SECRETS = ("hook-password-in-body", "sip-password-in-form", "a-wrong-auth-token")
PRISM_EXAMPLE_ACCOUNT = "9900000"  # accountId in the spec's examples, which Prism answers


@cache
def _sandbox_secrets() -> frozenset[str]:
    """Every id and credential the recording sandbox used (they depend on its seed only)."""
    with Sandbox(seed_calls=0, seed=SANDBOX_SEED, start=SANDBOX_START) as sandbox:
        values = {
            *sandbox.settings("bandwidth").values(),
            *sandbox.settings("bandwidth", oauth=True).values(),
            *sandbox.settings("restcomm").values(),
        }
        url = sandbox.url
    return frozenset(value for value in values if not value.startswith(url))


def known_secrets() -> set[str]:
    secrets = {*PRISM_SETTINGS.values(), PRISM_EXAMPLE_ACCOUNT, *TEST_SECRETS}
    return secrets | _sandbox_secrets()


def test_cassettes_exist_for_both_providers() -> None:
    folders = {path.parent.name for path in ALL_CASSETTES}
    assert folders == {"bandwidth", "restcomm"}


@pytest.mark.parametrize("path", ALL_CASSETTES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_credential_or_account_id_in_cassette(path: Path) -> None:
    assert leaks_in_file(path, known_secrets()) == []


def test_the_secrets_checked_are_the_ones_recording_used() -> None:
    secrets = _sandbox_secrets()
    # account id, application id, username, password, client id and secret, SID and token
    assert len(secrets) == 8
    assert any(value.startswith("AC") for value in secrets)


def test_every_cassette_is_replayed_by_a_test() -> None:
    named = set()
    for module in HERE.glob("test_*.py"):
        named |= set(re.findall(r'telephony_cassette\("([^"]+)"\)', module.read_text()))
    on_disk = {path.relative_to(CASSETTES).as_posix() for path in ALL_CASSETTES}
    assert on_disk - named == set(), "cassettes no test replays"
    assert {name for name in named if "/" in name} - on_disk == set(), "tests without cassettes"


LEAKY = """\
interactions:
- request:
    body: '{"to":"+15551234567","password":"hunter22","applicationId":"x"}'
    headers:
      Authorization:
      - Basic dXNlcjpodW50ZXIyMg==
      content-type:
      - application/json
    method: POST
    uri: http://127.0.0.1:4010/accounts/5551234/calls
  response:
    body:
      string: '{"access_token":"eyJreal.token.value","accountId":"5551234"}'
    headers:
      set-cookie:
      - session=abc
      link:
      - <https://voice.bandwidth.com/api/v2/accounts/5551234/calls?x=1>; rel="next"
    status: {code: 200, message: OK}
- request:
    body: From=%2B1555&To=%2B1666&Url=https%3A%2F%2Fa.example&Password=sip-secret
    headers: {}
    method: POST
    uri: https://user:pw@restcomm.example/restcomm/2012-04-24/Accounts/AC123/Calls
  response:
    body:
      string: <RestcommResponse><Call><AccountSid>AC123</AccountSid></Call></RestcommResponse>
    headers: {}
    status: {code: 200, message: OK}
version: 1
"""


def test_the_leak_check_finds_each_kind_of_leak() -> None:
    problems = "\n".join(find_leaks(LEAKY, {"5551234", "not-there"}, name="leaky"))
    for expected in (
        "secret used while recording",
        "Basic/Bearer credential",
        "recording server's host",
        "request header 'Authorization' kept",
        "response header 'set-cookie' kept",
        "Bandwidth account id in URL path",
        "JSON field 'password'",
        "JSON field 'access_token'",
        "JSON field 'accountId'",
        "form field 'Password'",
        "user info in URL",
        "Restcomm Account SID in URL path",
        "XML element <AccountSid>",
    ):
        assert expected in problems
    assert "not-there" not in problems


def test_a_scrubbed_cassette_passes_the_check() -> None:
    clean = (
        LEAKY.replace("hunter22", "REDACTED")
        .replace("      Authorization:\n      - Basic dXNlcjpodW50ZXIyMg==\n", "")
        .replace("http://127.0.0.1:4010", "https://voice.bandwidth.com/api/v2")
        .replace("5551234", "ACCOUNT_ID")
        .replace("eyJreal.token.value", "ACCESS_TOKEN")
        .replace("      set-cookie:\n      - session=abc\n", "")
        .replace("sip-secret", "REDACTED")
        .replace("user:pw@", "")
        .replace("AC123", "ACCOUNT_SID")
    )
    assert find_leaks(clean, {"5551234"}, name="clean") == []
