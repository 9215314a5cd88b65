"""The sandbox is one side per vendor behind a small interface (``telephony.sandbox.Side``):
the server, the seeded history and the truth loop over the sides and never name a vendor;
each side's module is the only place its vendor is named. The sandbox imports nothing from
the adapters."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from telephony.sandbox import Sandbox, Side, SideContext
from telephony.sandbox import _server as server_module
from telephony.sandbox._calls import CallRecord
from telephony.sandbox._exchange import Reply, Request
from telephony.sandbox._history import History
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._mix import IdCodec
from telephony.sandbox._sides import SIDES
from tests.sandbox.helpers import START, MakeSandbox

SANDBOX = Path(server_module.__file__).parent
SIDE_FILES = {
    "_bandwidth.py",
    "_bandwidth_callbacks.py",
    "_bandwidth_fields.py",
    "_bandwidth_listing.py",
    "_bandwidth_side.py",
    "_bandwidth_wire.py",
    "_restcomm.py",
    "_restcomm_callbacks.py",
    "_restcomm_listing.py",
    "_restcomm_side.py",
    "_restcomm_wire.py",
}
VENDORS = ("bandwidth", "restcomm")


def _code(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _strings_and_names(tree: ast.Module) -> list[tuple[int, str]]:
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in prose:
                found.append((node.lineno, node.value))
        elif isinstance(node, ast.Attribute):
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Name | ast.arg):
            found.append((node.lineno, node.id if isinstance(node, ast.Name) else node.arg))
    return found


def test_only_side_modules_name_a_vendor() -> None:
    shared = sorted(p for p in SANDBOX.glob("*.py") if p.name not in SIDE_FILES)
    assert {p.name for p in shared} >= {"_server.py", "_history.py", "_truth.py", "__init__.py"}
    named = [
        f"{path.name}:{line}: {text!r}"
        for path in shared
        for line, text in _strings_and_names(_code(path))
        if path.name != "_sides.py"  # the registry imports the side classes, nothing more
        and any(vendor in text.lower() for vendor in VENDORS)
        # The one public option a side declares and the Sandbox passes through unread.
        and text != "restcomm_utc_offset_minutes"
    ]
    assert named == []


def test_the_sandbox_imports_nothing_from_the_adapters() -> None:
    for path in SANDBOX.glob("*.py"):
        for node in ast.walk(_code(path)):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            for module in modules:
                assert not module.startswith(("telephony.adapters", "adapters")), path.name


def test_every_side_is_served_and_described(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=3)
    assert list(sandbox.sides) == [side.name for side in SIDES] == list(VENDORS)
    for name, side in sandbox.sides.items():
        assert sandbox.side(name) is side
        assert getattr(sandbox, name) is side  # sb.<provider>, as before the sides
        assert sandbox.settings(name)["base_url"].startswith(f"{sandbox.url}{side.prefix[:-1]}")
        assert len(sandbox.truth(name)) == 3
    assert any(line.startswith("bandwidth (OAuth2)") for line in sandbox.banner())
    with pytest.raises(ValueError, match="not 'plivo'"):
        sandbox.side("plivo")


class _EchoStyle:
    """A third vendor's history: nothing vendor-only about it."""

    name = "echo"
    numbers_slot = 0
    inbound_starts_on_arrival = False
    client_calls = False

    def customer_text(self, number: str, n: int) -> str:
        return number

    def sip_callee(self, g: int) -> str | None:
        return None

    def failure_answered(self, g: int) -> bool:
        return False

    def cause(self, direction: str, outcome: str, g: int) -> str:
        return outcome

    def add_facts(self, record: CallRecord, history: History, h: int, g: int) -> None:
        return None


class _EchoSide(Side):
    """A vendor the sandbox never heard of: it lists its calls as JSON."""

    name: ClassVar[str] = "echo"
    OPTIONS: ClassVar[dict[str, object]] = {"echo_greeting": "hello"}

    def __init__(self, ledger: Ledger, greeting: str, clock_now: object) -> None:
        self.ledger = ledger
        self.prefix = "/echo/"
        self.greeting = greeting
        self._now = clock_now

    @classmethod
    def build(cls, context: SideContext) -> _EchoSide:
        ledger = Ledger(
            codec=IdCodec(context.seed, check_digits=8),
            format_id=lambda position, digits: f"e-{digits}",
            parse_id=lambda call_id: call_id[2:] if call_id.startswith("e-") else None,
        )
        ledger.attach(
            History(
                style=_EchoStyle(),
                count=context.seed_calls,
                seed=context.seed,
                end=context.end,
                span=context.span,
                id_of=ledger.id_of,
                ring_timeout=30.0,
            )
        )
        return cls(ledger, str(context.options["echo_greeting"]), context.clock.now)

    def handle(self, request: Request) -> Reply:
        ids = [self.ledger.record(i).id for i in range(self.ledger.size())]
        body = {"greeting": self.greeting, "calls": ids}
        return Reply(200, json.dumps(body).encode(), [("Content-Type", "application/json")])

    def settings(self, origin: str, *, oauth: bool = False) -> dict[str, str]:
        return {"base_url": f"{origin}/echo"}

    def rate_limited(self, retry_after: int) -> Reply:
        return Reply(429)

    def server_error(self, roll: int) -> Reply:
        return Reply(500)

    def internal_error(self) -> Reply:
        return Reply(500)


def test_a_new_side_is_served_without_touching_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_module, "SIDES", (*SIDES, _EchoSide))
    with Sandbox(seed_calls=4, start=START, echo_greeting="hi there") as sandbox:
        answer = httpx.get(sandbox.settings("echo")["base_url"] + "/calls", timeout=10)
        assert answer.json() == {
            "greeting": "hi there",
            "calls": [t.id for t in sandbox.truth("echo")],
        }
        assert len(answer.json()["calls"]) == 4
        assert "echo: base_url=" in "\n".join(sandbox.banner())
    with pytest.raises(TypeError, match="nonsense"):
        Sandbox(nonsense=1)
