"""Settings without boilerplate: ``connect(provider)`` with no settings reads the environment
variables the command line reads; ``connect(profile=...)`` reads a TOML profiles file that is
refused, like an ssh key, when other users could read its secrets."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

import telephony
from telephony._settings import load_profile

SID = "AC" + "1" * 32
TOKEN = "s3cret-auth-token-value"


def _restcomm(request: httpx.Request) -> httpx.Response:
    assert request.url.path.startswith(f"/restcomm/2012-04-24/Accounts/{SID}/Calls")
    return httpx.Response(200, text="<RestcommResponse><Calls page='0'></Calls></RestcommResponse>")


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for info in map(telephony.describe, telephony.providers()):
        for setting in info.settings:
            monkeypatch.delenv(setting.env, raising=False)
    monkeypatch.setenv("TELEPHONY_CONFIG", str(tmp_path / "absent.toml"))
    return monkeypatch


def _config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


PROFILES = f"""
[profiles.lab-rc]
provider = "restcomm"
base_url = "https://rc.example/restcomm"
account_sid = "{SID}"
auth_token = "{TOKEN}"

[profiles.lab-bw]
provider = "bandwidth"
account_id = 9900000
client_id = "lab-client"
client_secret = "lab-client-secret"
"""


def test_connect_with_no_settings_reads_the_cli_environment_variables(
    no_env: pytest.MonkeyPatch,
) -> None:
    no_env.setenv("RESTCOMM_BASE_URL", "https://rc.example/restcomm")
    no_env.setenv("RESTCOMM_ACCOUNT_SID", SID)
    no_env.setenv("RESTCOMM_AUTH_TOKEN", TOKEN)
    with telephony.connect("restcomm", transport=httpx.MockTransport(_restcomm)) as client:
        assert client.adapter.account_sid == SID  # type: ignore[attr-defined]
        assert list(client.list_calls(limit=3)) == []


def test_missing_environment_variables_are_named(no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("BANDWIDTH_ACCOUNT_ID", "9900000")
    with pytest.raises(telephony.ValidationError) as info:
        telephony.connect("bandwidth")
    assert "BANDWIDTH_USERNAME and BANDWIDTH_PASSWORD" in str(info.value)
    assert "9900000" not in str(info.value)


def test_given_settings_do_not_mix_with_the_environment(no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("BANDWIDTH_CLIENT_ID", "from-the-environment")
    with telephony.connect("bandwidth", account_id="1", username="u", password="p") as client:
        assert isinstance(client.adapter.auth, httpx.BasicAuth)


def test_a_profile_names_an_account(no_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_env.setenv("TELEPHONY_CONFIG", str(_config(tmp_path, PROFILES)))
    with telephony.connect(profile="lab-rc", transport=httpx.MockTransport(_restcomm)) as client:
        assert client.provider == "restcomm"
        assert list(client.list_calls(limit=3)) == []
    with telephony.connect(profile="lab-bw") as client:
        assert client.provider == "bandwidth"
        assert client.adapter.account_id == "9900000"  # type: ignore[attr-defined]
    # keywords override the profile's values
    with telephony.connect("bandwidth", profile="lab-bw", account_id="42") as client:
        assert client.adapter.account_id == "42"  # type: ignore[attr-defined]
    with pytest.raises(telephony.ValidationError, match="is a restcomm account"):
        telephony.connect("bandwidth", profile="lab-rc")


def test_async_connect_takes_a_profile(no_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_env.setenv("TELEPHONY_CONFIG", str(_config(tmp_path, PROFILES)))
    client = telephony.connect_async(profile="lab-bw")
    assert client.provider == "bandwidth"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_profiles_file_others_can_read_is_refused(
    no_env: pytest.MonkeyPatch, tmp_path: Path, mode: int
) -> None:
    path = _config(tmp_path, PROFILES, mode)
    no_env.setenv("TELEPHONY_CONFIG", str(path))
    with pytest.raises(telephony.ValidationError) as info:
        telephony.connect(profile="lab-rc")
    message = str(info.value)
    assert info.value.field == "profile"
    assert f"mode {mode:04o}" in message
    assert f"chmod 600 {path}" in message
    assert TOKEN not in message
    assert "lab-client-secret" not in message


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_readable_file_without_secrets_is_fine(
    no_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _config(tmp_path, '[profiles.f]\nprovider = "fake"\n', 0o644)
    no_env.setenv("TELEPHONY_CONFIG", str(path))
    assert telephony.connect(profile="f").provider == "fake"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PROFILES, "has no profile 'nope' (it has: lab-bw, lab-rc)"),
        ('[profiles.nope]\naccount_id = "1"\n', 'needs provider = "..."'),
        ('[profiles.nope]\nprovider = "restcomm"\napi_key = "zz"\n', "'api_key', which is not"),
        ("[profiles.nope\n", "is not valid TOML"),
        ('[profiles.nope]\nprovider = "restcomm"\nbase_url = ["x"]\n', "must be a string"),
    ],
)
def test_bad_profiles_are_explained(
    no_env: pytest.MonkeyPatch, tmp_path: Path, text: str, expected: str
) -> None:
    no_env.setenv("TELEPHONY_CONFIG", str(_config(tmp_path, text)))
    with pytest.raises(telephony.ValidationError) as info:
        telephony.connect(profile="nope")
    assert expected in str(info.value)
    assert info.value.field == "profile"


def test_a_missing_profiles_file_says_where_it_looked(no_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(telephony.ValidationError, match=r"no profiles file at .*absent\.toml"):
        telephony.connect(profile="any")


def test_the_default_profiles_file_is_in_the_home_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TELEPHONY_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / ".config" / "telephony"
    folder.mkdir(parents=True)
    _config(folder, PROFILES)
    profile = load_profile("lab-rc")
    assert profile.provider == "restcomm"
    assert profile.path == folder / "config.toml"
    assert TOKEN not in repr(profile)
