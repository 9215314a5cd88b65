"""The installed distribution has no generic top-level import name: adapters are
``telephony.adapters.*``. In this repository ``adapters/`` stays at the root and
``telephony/adapters`` links to it, so an editable install can still import the root name;
the project's own code must never rely on that, or a wheel install would break."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ROOT_IMPORT = re.compile(r"^\s*(from|import)\s+adapters\b", re.MULTILINE)
_ROOT_STRING = re.compile(r"[\"']adapters\.(?!\w+/)")


def _sources() -> list[Path]:
    found: list[Path] = []
    for folder in ("telephony", "adapters", "tests", "benchmarks", "cassettes"):
        for path in (ROOT / folder).rglob("*.py"):
            if "telephony/adapters" not in path.relative_to(ROOT).as_posix():
                found.append(path)
    return found


def test_no_code_imports_the_root_adapters_name() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if _ROOT_IMPORT.search(text := path.read_text()) or _ROOT_STRING.search(text)
    ]
    assert offenders == []


def test_the_adapters_are_telephony_subpackages() -> None:
    import telephony.adapters.bandwidth as bandwidth
    import telephony.adapters.restcomm as restcomm

    assert bandwidth.BandwidthAdapter.__module__.startswith("telephony.adapters.")
    assert restcomm.RestcommAdapter.__module__.startswith("telephony.adapters.")
    assert (ROOT / "telephony" / "adapters").is_symlink()
