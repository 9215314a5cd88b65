"""Outside a provider's own package (``adapters/<vendor>/``) and its sandbox side, no code of
the ``telephony`` package names a provider: no comparison, table key or environment variable
spelled with a vendor's name. Everything per-provider comes from the descriptions.

The check reads the code's string constants (docstrings and comments are prose and may name
vendors as examples): none may be a provider's name or start with its environment prefix."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDORS = sorted(
    path.name for path in (ROOT / "adapters").iterdir() if (path / "_provider.py").is_file()
)
EXEMPT = ("telephony/sandbox/", "telephony/adapters/")


def _code_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
    ]


def _names_a_vendor(text: str) -> bool:
    lowered = text.strip().lower()
    return any(
        lowered == vendor or lowered.startswith((f"{vendor}_", f"{vendor}:", f"{vendor}-"))
        for vendor in VENDORS
    )


def test_both_vendors_are_found() -> None:
    assert VENDORS == ["bandwidth", "restcomm"]


def test_no_code_outside_a_vendor_package_names_a_vendor() -> None:
    found = []
    for path in sorted((ROOT / "telephony").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(EXEMPT):
            continue
        found.extend(
            f"{relative}:{line}: {text!r}"
            for line, text in _code_strings(path)
            if _names_a_vendor(text)
        )
    assert found == []
