"""What every command gets besides its arguments: the streams, the environment, the redactor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from telephony.cli._config import Redactor
from telephony.cli._progress import is_terminal

__all__ = ["Context"]


@dataclass
class Context:
    stdout: TextIO
    stderr: TextIO
    stdin: TextIO
    environ: Mapping[str, str]
    redact: Redactor

    def note(self, text: str) -> None:
        """A message for the person at the terminal (stderr), secrets blanked."""
        self.stderr.write(self.redact(text) + "\n")
        self.stderr.flush()

    def call_format(self, chosen: str | None) -> str:
        """``--format``, else a table on a terminal and JSON lines when piped."""
        return chosen or ("table" if is_terminal(self.stdout) else "jsonl")

    def report_format(self, chosen: str | None) -> str:
        return chosen or ("table" if is_terminal(self.stdout) else "json")
