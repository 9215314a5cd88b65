"""The README's "Testing your code" example (README.md), run as a user
would: its test file in a fresh project, the plugin found through a ``pytest11`` entry point
(a stand-in distribution on PYTHONPATH, as ``pip install`` would make), plain ``pytest``.

Each run is a separate pytest process (about a second each)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from telephony.sandbox import Sandbox
from tests.cassettes.conftest import CASSETTES, REPO_ROOT, SANDBOX_SEED, SANDBOX_START
from tests.cassettes.leaks import leaks_in_file

README = REPO_ROOT / "README.md"
TIMEOUT = 120


def readme_blocks(language: str) -> list[str]:
    """The fenced code blocks in ``language``, without the indentation of their fence."""
    text = README.read_text(encoding="utf-8")
    text = text[text.index("## Testing your code") :]
    text = text[: text.index("\n## ", 1)]
    fence = rf"^( *)```{language}\n(.*?)^\1```"
    return [
        re.sub(rf"^{indent}", "", block, flags=re.MULTILINE)
        for indent, block in re.findall(fence, text, re.DOTALL | re.MULTILINE)
    ]


def entry_point_site(root: Path) -> Path:
    """A folder holding a distribution that declares the plugin's entry point, as the
    package's pyproject does once installed."""
    site = root / "site"
    info = site / "telephony_plugin_stand_in-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: telephony-plugin-stand-in\nVersion: 0\n"
    )
    (info / "entry_points.txt").write_text("[pytest11]\ntelephony = telephony.testing.plugin\n")
    return site


def pytest_run(
    cwd: Path, site: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEPHONY_", "BANDWIDTH_", "RESTCOMM_", "PYTEST_"))
    }
    environment["PYTHONPATH"] = os.pathsep.join([str(site), str(REPO_ROOT)])
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's project holding the README's test file, exactly as printed."""
    python_block, _fake_example = readme_blocks("python")
    path_comment = python_block.splitlines()[0]
    assert path_comment == "# tests/test_report.py"
    tests = tmp_path / "project" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_report.py").write_text(python_block)
    return tmp_path / "project"


def test_the_readme_example_replays_the_shipped_listing(project: Path, tmp_path: Path) -> None:
    # Step 2, "try it now": copy the listing cassette where the README says.
    target = project / "tests" / "cassettes" / "bandwidth" / "calls.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(CASSETTES / "bandwidth" / "sandbox_listing.yaml", target)
    before = target.read_bytes()

    done = pytest_run(project, entry_point_site(tmp_path))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert target.read_bytes() == before  # replay never writes


def test_the_readme_recording_steps_record_a_clean_cassette(project: Path, tmp_path: Path) -> None:
    # Step 2, "record your own", against a sandbox standing in for an account. As the
    # README says, the asserts are then changed to match the recorded data: here, to ones
    # that hold for any listing.
    (shell_block, *_) = [block for block in readme_blocks("sh") if "--telephony-record" in block]
    assert "pytest tests/test_report.py --telephony-record=new" in shell_block
    test_file = project / "tests" / "test_report.py"
    source = test_file.read_text()
    asserts = re.findall(r"^    assert .*$", source, re.MULTILINE)
    assert len(asserts) == 2
    for line in asserts:
        source = source.replace(line, "    assert sum(counts.values()) > 5")
    test_file.write_text(source)
    site = entry_point_site(tmp_path)
    cassette = project / "tests" / "cassettes" / "bandwidth" / "calls.yaml"
    with Sandbox(seed_calls=20, seed=SANDBOX_SEED, start=SANDBOX_START) as sandbox:
        live = sandbox.settings("bandwidth")
        env = {f"BANDWIDTH_{key.upper()}": value for key, value in live.items()}
        assert {"BANDWIDTH_ACCOUNT_ID", "BANDWIDTH_USERNAME"} <= set(env)
        recorded = pytest_run(
            project, site, "tests/test_report.py", "--telephony-record=new", env=env
        )
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    assert cassette.is_file()
    secrets = {value for key, value in live.items() if key != "base_url"}
    assert leaks_in_file(cassette, secrets) == []
    assert "https://voice.bandwidth.com/api/v2/accounts/ACCOUNT_ID/calls" in cassette.read_text()

    # The sandbox is gone and no settings are given: plain `pytest` replays.
    replayed = pytest_run(project, site)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "1 passed" in replayed.stdout


def test_a_miss_fails_the_users_test_naming_cassette_and_request(
    project: Path, tmp_path: Path
) -> None:
    # A cassette that holds other requests (the Prism error paths).
    target = project / "tests" / "cassettes" / "bandwidth" / "calls.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(CASSETTES / "bandwidth" / "prism_errors.yaml", target)

    done = pytest_run(project, entry_point_site(tmp_path))

    assert done.returncode == 1
    output = done.stdout
    assert "CassetteMissError" in output
    assert "calls.yaml: no recorded answer for" in output
    assert "GET https://voice.bandwidth.com/api/v2/accounts/ACCOUNT_ID/calls?pageSize=5" in output


def test_the_entry_point_and_this_suites_conftest_do_not_register_twice(tmp_path: Path) -> None:
    # With the entry point installed, tests/cassettes/conftest.py must not take the plugin
    # in a second time (pytest refuses a plugin registered under two names).
    done = pytest_run(
        REPO_ROOT,
        entry_point_site(tmp_path),
        "tests/cassettes/test_kit.py::test_plugin_replay_blocks_the_network",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_fake_provider_example_runs_as_printed() -> None:
    _test_file, fake_example = readme_blocks("python")
    assert "FakeProvider" in fake_example
    exec(compile(fake_example, "README.md", "exec"), {})  # noqa: S102 - its asserts are the test
