"""``python -m telephony`` is the ``telephony`` command."""

from __future__ import annotations

import subprocess
import sys

import telephony


def test_python_m_telephony_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "telephony", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"telephony {telephony.__version__}"
