"""The outsider provider registered as a third-party distribution would be (a ``.dist-info``
with a ``telephony.adapters`` entry point, in a folder on ``sys.path``), and its server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.outsider.server import AcmeServer, running

ENTRY_POINTS = {"acme": "tests.outsider.acme_voice._provider:ACME"}


def write_distribution(folder: Path) -> Path:
    """The installed metadata of an ``acme-telephony`` distribution, in ``folder``."""
    info = folder / "acme_telephony-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-telephony\nVersion: 0.1\n")
    lines = "".join(f"{name} = {target}\n" for name, target in ENTRY_POINTS.items())
    (info / "entry_points.txt").write_text(f"[telephony.adapters]\n{lines}")
    return folder


@pytest.fixture(scope="module")
def acme_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Registered for the module's tests; gone afterwards."""
    site = write_distribution(tmp_path_factory.mktemp("acme-site"))
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(site))
        yield site


@pytest.fixture(scope="module")
def acme(acme_site: Path) -> Iterator[AcmeServer]:
    with running() as server:
        yield server
