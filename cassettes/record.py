"""Record every cassette in this folder again, then check the new ones replay and leak nothing.

    python cassettes/record.py            # from the repository root, in the project's venv

Needs Node.js and npm for Prism (installed into .prism/ on first use, by package name) and
nothing else: the sandbox runs in-process. The cassette tests themselves are the recording
scenarios: ``tests/cassettes`` run with ``--telephony-record=all`` send their requests to
Prism or a sandbox (their ``recorded_against`` marker says which) and each cassette is
rewritten with exactly what its test sent. A second, replay-only run then checks that every
cassette replays with the network blocked and that none holds a credential.
``recorded.json`` notes when and with what the recording was made.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
TESTS = "tests/cassettes"
PRISM_VERSION = "5.16.0"


def run(*args: str) -> None:
    command = [sys.executable, "-m", "pytest", "-q", TESTS, *args]
    print("+", " ".join(command[2:]), flush=True)
    done = subprocess.run(command, cwd=ROOT, check=False, env={**os.environ})  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command[2:])} (exit {done.returncode})")


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def main() -> None:
    run("--telephony-record=all")
    run()  # replay only: network blocked, every interaction used, leak test
    from tests.cassettes.conftest import SANDBOX_SEED, SANDBOX_SPEED, SANDBOX_START

    notes = {
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python cassettes/record.py",
        "from_commit": git_commit(),
        "python": platform.python_version(),
        "vcrpy": version("vcrpy"),
        "httpx": version("httpx"),
        "bandwidth/prism_*": f"@stoplight/prism-cli {PRISM_VERSION} mock of "
        "tests/prism/bandwidth-calls.yml",
        "bandwidth/sandbox_*, restcomm/sandbox_*": {
            "source": "telephony.sandbox.Sandbox (in-process, 127.0.0.1, random port)",
            "seed": SANDBOX_SEED,
            "start": SANDBOX_START.isoformat(),
            "speed": SANDBOX_SPEED,
        },
    }
    (HERE / "recorded.json").write_text(json.dumps(notes, indent=2) + "\n", encoding="utf-8")
    print(f"recorded; notes in {HERE / 'recorded.json'}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
