"""Import cost in fresh interpreters: the time of the ``import`` statement alone.

Each repetition is a new ``python -c`` that reads ``perf_counter`` around the import, so the
interpreter's own start-up (the same for everyone) does not dilute the ratios. Bytecode caches
are warmed first; contestants alternate, one repetition each in turn.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["IMPORTS", "ImportResult", "import_available", "time_imports", "top_modules"]

ROOT = Path(__file__).resolve().parent.parent

IMPORTS = {
    "telephony": "import telephony",
    "httpx+attrs+cattrs+xmltodict": "import httpx, attrs, cattrs, xmltodict",
    "bandwidth-sdk": "import bandwidth",
}

_PROBE = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"


@dataclass
class ImportResult:
    name: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _once(statement: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", _PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        check=False,
    )


def import_available(statement: str) -> bool:
    return _once(statement).returncode == 0


def time_imports(names: Sequence[str], *, repetitions: int) -> list[ImportResult]:
    results = [ImportResult(name) for name in names]
    for result in results:  # warm the bytecode caches; not timed
        _once(IMPORTS[result.name])
    for _ in range(repetitions):
        for result in results:
            done = _once(IMPORTS[result.name])
            if done.returncode != 0:
                raise RuntimeError(f"{IMPORTS[result.name]!r} failed:\n{done.stderr}")
            result.seconds.append(float(done.stdout.strip().splitlines()[-1]))
    return results


def top_modules(statement: str, *, count: int = 15) -> list[tuple[int, int, str]]:
    """``-X importtime`` for ``statement``: (self us, cumulative us, module), the ``count``
    modules with the most time of their own first (names keep their nesting indent)."""
    done = _once(statement, "-X", "importtime")
    rows: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        rows.append((int(own), int(cumulative), name.rstrip()))
    rows.sort(key=lambda row: row[0], reverse=True)
    return rows[:count]
