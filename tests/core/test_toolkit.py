"""The adapters use the public toolkit only: what they import from telephony is
``telephony.toolkit`` (and their own package), so an adapter in another distribution can do
everything they do."""

from __future__ import annotations

import ast
from pathlib import Path

import telephony.toolkit

ROOT = Path(__file__).resolve().parents[2]


def _telephony_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "telephony"}


def test_the_adapters_import_only_the_toolkit_and_themselves() -> None:
    offenders = {}
    for path in sorted((ROOT / "adapters").rglob("*.py")):
        package = "telephony.adapters." + path.relative_to(ROOT / "adapters").parts[0]
        private = {
            name
            for name in _telephony_imports(path)
            if name != "telephony.toolkit" and not name.startswith(package)
        }
        if private:
            offenders[str(path.relative_to(ROOT))] = sorted(private)
    assert offenders == {}


def test_the_fake_provider_uses_the_toolkit_too() -> None:
    imports = _telephony_imports(ROOT / "telephony" / "testing" / "fake.py")
    assert imports <= {"telephony.toolkit", "telephony._client"}


def test_every_toolkit_name_exists_and_is_listed_once() -> None:
    names = telephony.toolkit.__all__
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(telephony.toolkit, name) is not None
