"""What a benchmark report says about where it ran: CPU, Python, package versions, the
commit measured and the load beside it (a shared machine skews times; the report says so)."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

__all__ = ["load_average", "machine_facts"]

ROOT = Path(__file__).resolve().parent.parent


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--", "telephony", "adapters"):
        commit += " plus uncommitted changes in telephony/ or adapters/"
    return commit


def load_average() -> str:
    try:
        return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "load average unknown"


def machine_facts() -> list[str]:
    packages = ("httpx", "attrs", "cattrs", "xmltodict", "bandwidth-sdk", "pydantic")
    return [
        f"- at start: {load_average()} (other work on the machine skews the times)",
        f"- CPU: {_cpu_model()}, {os.cpu_count()} logical CPUs (nproc)",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        "- " + ", ".join(f"{name} {_version(name)}" for name in packages),
        f"- telephony at commit {_commit()}",
    ]
