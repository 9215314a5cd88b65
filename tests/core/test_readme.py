"""The README's runnable example works as printed."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_sandbox_example_runs_as_printed() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    (example,) = [block for block in blocks if "from telephony.sandbox import Sandbox" in block]
    exec(compile(example, "README.md", "exec"), {})  # noqa: S102 - its asserts are the test


def test_the_webhooks_example_runs_as_printed() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    (example,) = [block for block in blocks if "from telephony.webhooks import" in block]
    exec(compile(example, "README.md", "exec"), {})  # noqa: S102 - its asserts are the test
