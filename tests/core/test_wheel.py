"""The built wheel installs beside another distribution that ships a top-level ``adapters``
package, and both keep working: telephony's adapters live under ``telephony.adapters`` only.

The wheel is built from this checkout with ``pip wheel --no-deps --no-build-isolation`` (the
``test`` extra installs hatchling, so no download is needed) and installed, with the stand-in
distribution, into a fresh venv with ``pip --no-index``. The fresh venv sees this venv's
site-packages as a plain path entry for httpx, attrs, cattrs and xmltodict: a plain path entry
does not run the ``.pth`` files there, so the editable install of this checkout stays out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180

OTHER_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "other-adapters"
version = "1.0"

[tool.hatch.build.targets.wheel]
packages = ["adapters"]
"""

CHECK = textwrap.dedent(
    """
    import httpx

    import importlib

    import telephony
    import telephony.adapters.restcomm as restcomm

    # The other distribution's top-level package (this project never imports that name).
    other = importlib.import_module("adapters")
    assert other.OWNER == "other-adapters", other.__file__
    assert "site-packages" in restcomm.__file__, restcomm.__file__

    sid = "AC" + "0" * 32

    def server(request):
        assert request.url.path == f"/restcomm/2012-04-24/Accounts/{sid}/Calls"
        return httpx.Response(
            200, text="<RestcommResponse><Calls page='0'></Calls></RestcommResponse>"
        )

    with telephony.connect(
        "restcomm",
        base_url="https://rc.example/restcomm",
        account_sid=sid,
        auth_token="t0ken-for-the-wheel-test",
        transport=httpx.MockTransport(server),
    ) as client:
        assert list(client.list_calls(limit=5)) == []
    print("ok", telephony.__file__)
    """
)


def _pip(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_wheel_installs_beside_another_top_level_adapters_package(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="the test extra installs hatchling (pip wheel)")
    wheels = tmp_path / "wheels"
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT), cwd=tmp_path)
    other = tmp_path / "other"
    (other / "adapters").mkdir(parents=True)
    (other / "pyproject.toml").write_text(OTHER_PYPROJECT)
    (other / "adapters" / "__init__.py").write_text('OWNER = "other-adapters"\n')
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(other), cwd=tmp_path)
    built = sorted(wheels.glob("*.whl"))
    assert [path.name.split("-")[0] for path in built] == ["other_adapters", "telephony"]
    with zipfile.ZipFile(built[1]) as wheel:
        names = wheel.namelist()
        metadata = wheel.read("telephony-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "telephony-0.1.0.dist-info/licenses/LICENSE" in names
    assert not [name for name in names if name.startswith("adapters/")]

    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False, symlinks=os.name != "nt")
    python = fresh / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _pip(
        "--python", str(python), "install", "--no-index", "--no-deps", *map(str, built),
        cwd=tmp_path,
    )  # fmt: skip
    fresh_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies, from this venv's site-packages (after the fresh one's own).
    (Path(fresh_site) / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = sorted(path.name for path in Path(fresh_site).iterdir())
    assert "adapters" in installed
    assert "telephony" in installed

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [str(python), "-c", CHECK],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok ")
    assert str(ROOT) not in done.stdout  # the wheel's telephony, not this checkout
