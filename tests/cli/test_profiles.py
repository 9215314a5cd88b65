"""``telephony --profile NAME ...``: a named account from the profiles file, instead of the
environment; refused like an ssh key when others may read its secrets; secrets never shown."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from telephony.cli import ExitCode
from telephony.sandbox import Sandbox

from .conftest import assert_one_line_failure

SECRET = "pr0file-s3cret-password"


def write_profiles(tmp_path: Path, sandbox: Sandbox, *, mode: int = 0o600, **override: str) -> Path:
    lines = []
    for provider in ("bandwidth", "restcomm"):
        settings = {**sandbox.settings(provider), **override.get(provider, {})}  # type: ignore[dict-item]
        lines.append(f"[profiles.lab-{provider}]\nprovider = {json.dumps(provider)}")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in settings.items())
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(mode)
    return path


@pytest.fixture
def profiles(clean_env: pytest.MonkeyPatch, sandbox: Sandbox, tmp_path: Path) -> Path:
    path = write_profiles(tmp_path, sandbox)
    clean_env.setenv("TELEPHONY_CONFIG", str(path))
    return path


@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
def test_a_profile_is_enough_to_list(run: Any, profiles: Path, provider: str) -> None:
    for argv in (
        ["--profile", f"lab-{provider}", "calls", "list", "--limit", "3", "--format", "jsonl"],
        ["calls", "list", "--profile", f"lab-{provider}", "--limit", "3", "--format", "jsonl"],
    ):
        result = run(*argv)
        assert result.code == 0, result.err
        calls = [json.loads(line) for line in result.out.splitlines()]
        assert len(calls) == 3
        assert {call["provider"] for call in calls} == {provider}


def test_the_profile_can_come_from_the_environment(
    run: Any, profiles: Path, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("TELEPHONY_PROFILE", "lab-restcomm")
    result = run("calls", "list", "--limit", "1", "--format", "jsonl")
    assert result.code == 0, result.err
    assert json.loads(result.out)["provider"] == "restcomm"


def test_flags_override_the_profile(run: Any, profiles: Path) -> None:
    result = run(
        "--profile", "lab-bandwidth", "calls", "list", "--bandwidth-password", SECRET,
    )  # fmt: skip
    assert_one_line_failure(result, ExitCode.AUTH)
    assert SECRET not in result.err


def test_a_profile_of_another_provider_is_refused(run: Any, profiles: Path) -> None:
    result = run("--profile", "lab-restcomm", "calls", "list", "-p", "bandwidth")
    line = assert_one_line_failure(result, ExitCode.USAGE)
    assert "lab-restcomm is a restcomm account, not bandwidth" in line


def test_report_over_two_profiles_providers(run: Any, profiles: Path, sandbox: Sandbox) -> None:
    # the profile gives restcomm; bandwidth comes from --provider and its flags
    settings = sandbox.settings("bandwidth")
    result = run(
        "--profile", "lab-restcomm", "report", "-p", "restcomm,bandwidth", "--format", "json",
        "--bandwidth-base-url", settings["base_url"],
        "--bandwidth-account-id", settings["account_id"],
        "--bandwidth-username", settings["username"],
        "--bandwidth-password", settings["password"],
    )  # fmt: skip
    assert result.code == 0, result.err
    groups = {group["key"]["provider"] for group in json.loads(result.out)["groups"]}
    assert groups == {"bandwidth", "restcomm"}


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_readable_profiles_file_is_refused_without_showing_a_secret(
    run: Any, clean_env: pytest.MonkeyPatch, sandbox: Sandbox, tmp_path: Path
) -> None:
    path = write_profiles(tmp_path, sandbox, mode=0o644, bandwidth={"password": SECRET})
    clean_env.setenv("TELEPHONY_CONFIG", str(path))
    result = run("--profile", "lab-bandwidth", "calls", "list")
    line = assert_one_line_failure(result, ExitCode.USAGE)
    assert "other users may read it (mode 0644)" in line
    assert f"chmod 600 {path}" in line
    assert SECRET not in result.err


def test_a_secret_from_a_profile_is_never_echoed(
    run: Any, clean_env: pytest.MonkeyPatch, sandbox: Sandbox, tmp_path: Path
) -> None:
    # the secret in a call id too: the server's error would show it, the CLI must not
    path = write_profiles(tmp_path, sandbox, bandwidth={"password": SECRET})
    clean_env.setenv("TELEPHONY_CONFIG", str(path))
    result = run("--profile", "lab-bandwidth", "calls", "get", f"c-{SECRET}")
    assert result.code != 0
    assert SECRET not in result.out + result.err


def test_an_unknown_profile_names_the_known_ones(run: Any, profiles: Path) -> None:
    line = assert_one_line_failure(run("--profile", "prod", "calls", "list"), ExitCode.USAGE)
    assert "has no profile 'prod' (it has: lab-bandwidth, lab-restcomm)" in line
