"""Resumable exports for ``telephony calls list``: a page is written whole, then its cursor is
kept, so an export stopped by an error or Ctrl-C goes on from the last complete page.

With ``--output FILE`` a small JSON file beside it (``FILE.resume``) holds the cursor, the
format and the output's length after the last complete page; ``--resume FILE.resume``
truncates the output to that length (a page half written is dropped) and appends from the
cursor, so the result is byte for byte the export that was never interrupted. On stdout,
``--cursor`` does the same with ``>>``.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import attrs

from telephony._models import Call
from telephony.cli._exit import CliError, UsageError
from telephony.report import write_csv, write_jsonl

__all__ = [
    "RESUMABLE_FORMATS",
    "ResumeState",
    "Sink",
    "make_folder",
    "open_output",
    "read_state",
    "render_page",
    "resume_hint",
    "write_page",
    "write_state",
]

RESUMABLE_FORMATS = ("jsonl", "csv", "parquet")
_VERSION = 1


@attrs.frozen
class ResumeState:
    """Where an export stands after its last complete page."""

    provider: str
    format: str
    output: str
    cursor: str | None
    offset: int
    written: int
    limit_left: int | None = None


def write_state(path: Path, state: ResumeState) -> None:
    """Replace ``path`` atomically: a reader sees the old state or the new one, never half."""
    temporary = path.with_name(path.name + ".tmp")
    data = {"version": _VERSION, **attrs.asdict(state)}
    temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)


_NOT_A_STATE = (
    "--resume {path}: not a telephony resume file (give the PATH.resume that "
    "calls list --output PATH keeps while it runs)"
)


def read_state(path: str) -> ResumeState:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--resume {path}: cannot read it ({exc.strerror or exc})") from None
    except ValueError:
        data = None
    fields = {field.name for field in attrs.fields(ResumeState)}
    if not isinstance(data, dict) or data.get("version") != _VERSION or not fields <= set(data):
        raise UsageError(_NOT_A_STATE.format(path=path))
    state = ResumeState(**{name: data[name] for name in fields})
    if state.format not in RESUMABLE_FORMATS or not isinstance(state.offset, int):
        raise UsageError(_NOT_A_STATE.format(path=path))
    return state


def open_output(path: str, *, offset: int | None) -> BinaryIO:
    """The output file: new (``offset`` None), or cut back to ``offset`` to append to."""
    if offset is None:
        try:
            return open(path, "wb")
        except OSError as exc:
            raise UsageError(f"--output {path}: cannot write it ({exc.strerror})") from None
    try:
        out = open(path, "r+b")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot reopen the output {path}: {exc.strerror}") from None
    size = out.seek(0, os.SEEK_END)
    if size < offset:
        out.close()
        raise UsageError(
            f"{path} is shorter ({size} bytes) than when the export stopped ({offset}): "
            "was it changed? Start the export again."
        )
    out.truncate(offset)
    out.seek(offset)
    return out


def render_page(calls: Sequence[Call], *, fmt: str, header: bool) -> str:
    """One page as text, written at once so a page is either wholly out or not at all."""
    buffer = io.StringIO(newline="")
    if fmt == "csv":
        write_csv(calls, buffer, header=header)
    else:
        write_jsonl(calls, buffer)
    return buffer.getvalue()


def make_folder(folder: str, flag: str) -> None:
    """The folder a Parquet export writes into, made now: a path that cannot be one (under a
    file, no permission) is a usage error before anything is listed."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {folder}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{flag} {folder}: cannot make the folder ({exc.strerror})") from None


def write_page(calls: Sequence[Call], folder: str, *, number: int) -> None:
    """One page into a Parquet folder under a name of its own: a page written again after a
    stop replaces its files instead of adding to them."""
    try:
        arrow = importlib.import_module("telephony.arrow")  # the optional arrow extra
    except ImportError as exc:
        raise UsageError(f"--format parquet: {exc}") from None
    try:
        arrow.write_parquet(calls, folder, basename=f"page-{number:06d}")
    except OSError as exc:  # the disk filled up, the folder went away...
        raise CliError(f"--output {folder}: cannot write Parquet there ({exc})") from None


def resume_hint(
    *, provider: str, fmt: str, cursor: str | None, state_path: Path | None, written: int
) -> str:
    """How to go on: with the resume file when one was saved, else with the cursor."""
    if state_path is not None:
        return (
            f"stopped after {written:,} calls; to go on from there (appending to the same "
            f"file): telephony calls list --resume {shlex.quote(str(state_path))}"
        )
    return (
        f"stopped after {written:,} calls; to go on from the last complete page, append to "
        f"the same output: telephony calls list -p {provider} --format {fmt} "
        f"--cursor {shlex.quote(cursor or '')} >> OUTPUT"
    )


class Sink:
    """Where pages go: a text stream (stdout), or a binary file whose length is tracked."""

    def __init__(self, text: TextIO | Any, binary: BinaryIO | None) -> None:
        self.text = text
        self.binary = binary

    def write(self, data: str) -> None:
        if self.binary is not None:
            self.binary.write(data.encode("utf-8"))
            self.binary.flush()
        else:
            self.text.write(data)
            self.text.flush()

    def offset(self) -> int:
        return self.binary.tell() if self.binary is not None else 0

    def close(self) -> None:
        if self.binary is not None:
            self.binary.close()
