"""Proof by an outsider: the Acme Voice adapter (``tests/outsider/acme_voice``, importing only
``telephony.toolkit``), registered through an entry point like any third-party package, passes
the shared contract, lists through ``telephony calls list -p acme``, and records and replays a
cassette with its secrets scrubbed, with no change to ``telephony/``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import telephony
from telephony.cli import main
from telephony.testing.contract import AdapterContract, ContractSetup
from tests.outsider.server import API_KEY, SIGNING_KEY, TENANT, AcmeServer

REPO_ROOT = Path(__file__).resolve().parents[2]
ACME_ENV = {"ACME_BASE_URL": "base_url", "ACME_TENANT_ID": "tenant_id", "ACME_API_KEY": "api_key"}


def test_it_is_a_provider_like_the_others(acme_site: Path) -> None:
    assert "acme" in telephony.providers()
    info = telephony.describe("acme")
    assert sorted(s.env for s in info.settings) == sorted(ACME_ENV)
    assert [s.name for s in info.secrets] == ["api_key"]
    assert telephony.adapter_class("acme").__module__ == "tests.outsider.acme_voice._adapter"


class TestAcmeContract(AdapterContract):
    @pytest.fixture
    def setup(self, acme: AcmeServer) -> ContractSetup:
        return ContractSetup(
            provider="acme",
            settings=acme.settings(),
            from_number="+15557654321",
            answering_to="+15550100001",
            answer=acme.answer,
        )


# -- the command line --------------------------------------------------------------------------


@pytest.fixture
def acme_env(acme: AcmeServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    settings = acme.settings()
    values = {env: settings[name] for env, name in ACME_ENV.items()}
    monkeypatch.delenv("TELEPHONY_PROVIDER", raising=False)
    monkeypatch.delenv("TELEPHONY_PROFILE", raising=False)
    for env, value in values.items():
        monkeypatch.setenv(env, value)
    return values


def test_calls_list_through_the_command_line(
    acme_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["calls", "list", "-p", "acme", "--limit", "5", "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert code == 0, err
    calls = [json.loads(line) for line in out.splitlines()]
    assert len(calls) == 5
    assert {call["provider"] for call in calls} == {"acme"}
    assert API_KEY not in out + err


def test_the_command_line_knows_its_settings(
    acme_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calls", "list", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "--acme-api-key SECRET" in shown
    assert "ACME_TENANT_ID" in shown
    assert API_KEY not in shown  # --help never shows a value from the environment
    monkeypatch.delenv("ACME_API_KEY")
    assert main(["calls", "list", "-p", "acme"]) == 2
    assert "acme is not configured: set ACME_API_KEY" in capsys.readouterr().err
    # a refused key is one line, with the key blanked out of anything printed
    monkeypatch.setenv("ACME_API_KEY", "wrong-" + API_KEY)
    assert main(["calls", "get", "-p", "acme", "wrong-" + API_KEY]) == 3
    assert API_KEY not in capsys.readouterr().err


def test_python_m_telephony_finds_it_in_a_fresh_process(
    acme_site: Path, acme_env: dict[str, str]
) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(acme_site), str(REPO_ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "telephony", "calls", "list", "-p", "acme", "--format", "csv"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("provider,id,")
    assert len(done.stdout.splitlines()) >= 9  # header + the server's history


# -- a cassette, recorded and replayed by a user's test suite ------------------------------------

USER_TEST = """
import pytest

from telephony import NewCall


@pytest.mark.telephony_cassette("acme/calls.yaml")
def test_acme(telephony_client):
    client = telephony_client("acme")
    assert len(list(client.list_calls(page_size=3, limit=5))) == 5
    created = client.create_call(
        NewCall(to="+15550100001", from_="+15557654321", answer_url="https://app.example/a")
    )
    assert client.get_call(created.id).to == "+15550100001"
"""


def test_a_cassette_is_recorded_scrubbed_and_replayed(
    acme: AcmeServer, acme_site: Path, tmp_path: Path
) -> None:
    from tests.cassettes.test_readme_example import entry_point_site, pytest_run

    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_acme.py").write_text(USER_TEST)
    plugin_site = entry_point_site(tmp_path)
    for item in acme_site.iterdir():  # the acme distribution beside the plugin's
        (plugin_site / item.name).symlink_to(item)
    live = {env: acme.settings()[name] for env, name in ACME_ENV.items()}

    recorded = pytest_run(project, plugin_site, "--telephony-record=all", env=live)
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    cassette = (project / "tests" / "cassettes" / "acme" / "calls.yaml").read_text()
    for secret in (API_KEY, TENANT, SIGNING_KEY, acme.url):
        assert secret not in cassette
    assert "x-acme-key" not in cassette.lower()
    assert "https://acme.example/v1/tenants/TENANT_ID/calls" in cassette
    assert "REDACTED" in cassette  # the signing key handed out on creation

    replayed = pytest_run(project, plugin_site)  # no settings, network blocked
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "1 passed" in replayed.stdout


def test_the_outsider_imports_only_the_public_toolkit() -> None:
    import ast

    found = set()
    for path in (Path(__file__).parent / "acme_voice").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    assert {name for name in found if name.startswith("telephony")} == {"telephony.toolkit"}
