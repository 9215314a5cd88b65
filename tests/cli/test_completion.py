"""``telephony completion bash|zsh|fish``: scripts that know every command and provider flag,
and a bash script that bash reads and completes with."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from telephony.cli._config import cli_settings

COMMANDS = ["calls", "report", "sync", "sandbox", "demo", "webhooks", "completion"]
CALL_ACTIONS = ["create", "get", "list", "hangup", "redirect", "replace-bxml"]
PROVIDER_FLAGS = [setting.flag for group in cli_settings().values() for setting in group]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_names_the_commands_and_provider_flags(run: Any, shell: str) -> None:
    result = run("completion", shell)
    assert result.code == 0, result
    assert result.err == ""
    assert "--bandwidth-account-id" in PROVIDER_FLAGS  # the settings are really there
    for name in [*COMMANDS, *CALL_ACTIONS, *PROVIDER_FLAGS, "--provider", "--status"]:
        assert name.lstrip("-") in result.out, name


def _bash(script: Path, *lines: str) -> str:
    bash = shutil.which("bash")
    assert bash is not None, "bash is needed for this test"
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", "\n".join([f"source {script}", *lines])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_bash_accepts_the_script_and_completes_with_it(run: Any, tmp_path: Path) -> None:
    script = tmp_path / "telephony.bash"
    script.write_text(run("completion", "bash").out)
    bash = shutil.which("bash")
    assert bash is not None
    checked = subprocess.run([bash, "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    def complete(*words: str) -> list[str]:
        array = " ".join(f"'{word}'" for word in words)
        out = _bash(
            script,
            f"COMP_WORDS=({array}); COMP_CWORD={len(words) - 1}",
            "_shtab_telephony",
            'printf "%s\\n" "${COMPREPLY[@]}"',
        )
        return out.split()

    assert complete("telephony", "ca") == ["calls"]
    assert complete("telephony", "calls", "li") == ["list"]
    assert complete("telephony", "calls", "list", "--restcomm-a") == [
        "--restcomm-account-sid",
        "--restcomm-auth-token",
    ]
    assert "restcomm" in complete("telephony", "calls", "list", "--provider", "")


def test_without_the_library_the_error_names_the_extra(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)  # import shtab now raises ImportError
    result = run("completion", "bash")
    assert result.code == 1
    assert result.out == ""
    assert "pip install 'telephony[completion]'" in result.err
    assert "Traceback" not in result.err


def test_an_unknown_shell_is_a_usage_error(run: Any) -> None:
    result = run("completion", "csh")
    assert result.code == 2
    assert "invalid choice: 'csh'" in result.err
