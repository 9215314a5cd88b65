"""``connect`` as people read it: ``help()`` lists each built-in provider's settings, and a
type checker catches a misspelled or wrongly typed one, while any other provider still takes
anything. All of it is generated from the providers' descriptions, and must stay current."""

from __future__ import annotations

import inspect
import pydoc
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from mypy import api as mypy_api

import telephony
from telephony._gen_connect import COMMAND, TARGET, render
from telephony._registry import _source_checkout_entry_points

BUILT_IN = list(_source_checkout_entry_points())


def test_generated_parts_are_current() -> None:
    assert render() == TARGET.read_text(encoding="utf-8"), f"run {COMMAND} to refresh"


def test_a_changed_provider_makes_the_check_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    import attrs

    from telephony import _gen_connect

    real = _gen_connect.built_ins

    def renamed() -> list[_gen_connect.BuiltIn]:
        first, *rest = real()
        info = attrs.evolve(first.info, summary="a new summary")
        return [attrs.evolve(first, info=info), *rest]

    monkeypatch.setattr(_gen_connect, "built_ins", renamed)
    assert "a new summary" in render()
    assert _gen_connect.main(["--check"]) == 1  # and leaves the file alone
    monkeypatch.undo()
    assert _gen_connect.main(["--check"]) == 0


def _typed_overload(function: typing.Any, provider: str) -> inspect.Signature:
    for candidate in typing.get_overloads(function):
        signature = inspect.signature(candidate)
        first = next(iter(signature.parameters.values()))
        if first.annotation == f"Literal[{provider!r}]" and not hasattr(
            candidate, "__deprecated__"
        ):
            return signature
    raise AssertionError(f"no typed overload of {function.__name__} for {provider}")


@pytest.mark.parametrize("function", [telephony.connect, telephony.connect_async])
@pytest.mark.parametrize("provider", BUILT_IN)
def test_each_built_in_overload_takes_its_settings_with_the_adapters_types(
    function: typing.Any, provider: str
) -> None:
    info = telephony.describe(provider)
    own = {
        name
        for name, p in inspect.signature(function).parameters.items()
        if p.kind is p.KEYWORD_ONLY
    }
    overload = _typed_overload(function, provider)
    settings = {
        name: p.annotation
        for name, p in overload.parameters.items()
        if p.kind is p.KEYWORD_ONLY and name not in own
    }
    init = inspect.signature(info.adapter_class().__init__).parameters
    adapter = {name: p.annotation for name, p in init.items() if p.kind is p.KEYWORD_ONLY}
    assert settings == adapter
    assert {s.name for s in info.settings} <= set(settings)
    # none is required: connect("bandwidth") reads the environment or a profile
    assert all(
        p.default is not p.empty for p in overload.parameters.values() if p.kind is p.KEYWORD_ONLY
    )
    marked = [
        o
        for o in typing.get_overloads(function)
        if getattr(o, "__deprecated__", None) and f"not a {provider} setting" in o.__deprecated__
    ]
    assert len(marked) == 1


@pytest.mark.parametrize("function", [telephony.connect, telephony.connect_async])
def test_help_explains_every_built_in_setting(function: typing.Any) -> None:
    text = re.sub(r"\s+", " ", pydoc.render_doc(function, renderer=pydoc.plaintext))
    for name in BUILT_IN:
        info = telephony.describe(name)
        assert f"``{name}``: {info.summary}" in text
        for setting in info.settings:
            line = re.search(
                rf"``{setting.name}`` \(([^)]*)\):(.*?)(?=``\w+`` \(|Credentials|$)",
                text[text.index(f"``{name}``:") :],
            )
            assert line is not None, setting.name
            notes, rest = line.groups()
            assert notes.startswith("str"), (name, setting.name, notes)
            assert ("secret" in notes) == setting.secret
            assert ("required" in notes) == (setting.name in info.required)
            assert f"``${setting.env}``" in rest
            if setting.default:
                assert f"default {setting.default}" in rest
        for way in info.credentials:
            assert " + ".join(f"``{n}``" for n in way.settings) in text
            assert f"[{way.name}]" in text
    assert "telephony.describe(name)" in text  # where other providers' settings are
    assert 'enable_error_code = ["deprecated"]' in text


def test_mypy_reports_a_misspelled_built_in_setting_and_nothing_else(tmp_path: Path) -> None:
    cases = {
        'connect("bandwidth", account_id="1", username="u", password="p")': False,
        'connect("bandwidth", acount_id="1", username="u", password="p")': True,
        'connect("bandwidth", account_id=1)': True,
        'connect("bandwidth")': False,
        'connect(profile="prod", timeout=5.0)': False,
        'connect("restcomm", base_url="https://h/restcomm", account_sid="AC1", auth_token="t")': (
            False
        ),
        'connect("restcomm", base_ur="https://h/restcomm")': True,
        'connect("fake", provider=FakeProvider())': False,
        'connect("fake", provider="a string")': True,
        'connect("acme", anything=3, region="eu")': False,
        "connect(name, acount_id=1)": False,  # any provider name held in a str
        "connect(name, **loaded)": False,
        'connect("bandwidth", **loaded)': True,  # the false alarm the README names
        'connect("bandwidth", **loaded)  # type: ignore[deprecated]': False,
        'connect_async("bandwidth", client_id="c", client_secret="s")': False,
        'connect_async("bandwidth", client_secret=None, clientid="c")': True,
    }
    lines = [
        "from typing import Any",
        "",
        "from telephony import connect, connect_async",
        "from telephony.testing import FakeProvider",
        "",
        "def use(name: str, loaded: dict[str, Any]) -> None:",
        *(f"    {case}" for case in cases),
    ]
    snippet = tmp_path / "snippet.py"
    snippet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "mypy.ini"  # what the README tells users to set
    config.write_text("[mypy]\nstrict = True\nenable_error_code = deprecated\n", encoding="utf-8")
    out, err, _ = mypy_api.run(
        [
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--python-version",
            "3.11",
            str(snippet),
        ]
    )
    assert not err
    reported = {
        int(number)
        for number, code in re.findall(r"snippet\.py:(\d+): error: .*\[(\w[\w-]*)\]$", out, re.M)
        if code == "deprecated"
    }
    first = len(lines) - len(cases) + 1
    expected = {first + i for i, wrong in enumerate(cases.values()) if wrong}
    assert reported == expected, out
    assert "error:" not in re.sub(r".*\[deprecated\]", "", out), out  # no other error
    assert "bandwidth takes: account_id, username, password" in out


def test_import_telephony_reads_no_provider_description() -> None:
    code = (
        "import sys, telephony; print(sorted(m for m in sys.modules if m in {"
        "'typing_extensions', 'telephony._gen_connect', 'importlib.metadata', 'mypy',"
        " 'telephony.testing.fake', 'telephony.adapters.bandwidth._provider',"
        " 'telephony.adapters.restcomm._provider'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
