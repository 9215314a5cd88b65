"""pytest plugin: test your code against recorded vendor traffic (vcrpy cassettes).

Registered as the ``pytest11`` entry point ``telephony``. What it gives a test:

- ``@pytest.mark.telephony_cassette("bandwidth/list.yaml")`` names the cassette (default:
  ``<test module>/<test name>.yaml``) under ``telephony_cassette_dir`` (the ini option of that
  name, relative to the rootdir; else a ``cassettes/`` folder beside the test file);
- ``telephony_client(provider, **settings)``: a ready ``Client`` with the cassette in use.
  On replay its default settings are the placeholders the cassettes are stored with
  (``REPLAY_SETTINGS``), so requests match; retries are off (``max_retries=0``) unless
  asked for. ``telephony_async_client`` gives an ``AsyncClient`` (use ``async with``);
- replay by default, with the network blocked; ``--telephony-record=new`` records what is
  missing and ``--telephony-record=all`` records everything again. Recording reads the real
  settings from ``<PROVIDER>_<SETTING>`` environment variables, the names the CLI reads (e.g.
  ``BANDWIDTH_ACCOUNT_ID``), or from the ``telephony_record_settings`` fixture;
- ``telephony_vcr`` (the configured ``vcr.VCR``; ``make_vcr`` builds one outside pytest),
  ``telephony_vcr_config`` (extra ``make_vcr`` arguments, override it), ``telephony_cassette``
  (the cassette in use).

vcrpy is imported only when a cassette is used, so having this plugin installed costs a test
run nothing. The hooks and fixtures are here; the settings a client is made with (and what the
scrubber learns from them) are in ``_clients``.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from telephony._client import AsyncClient, Client
from telephony._registry import describe, providers
from telephony.testing._clients import client_settings, connect, environment_settings
from telephony.testing._network import network_blocked

if TYPE_CHECKING:
    from telephony.testing._vcr import TelephonyVCR

__all__ = [
    "MARKER",
    "REPLAY_SETTINGS",
    "autoloaded",
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_makereport",
    "telephony_async_client",
    "telephony_cassette",
    "telephony_cassette_dir",
    "telephony_client",
    "telephony_record_mode",
    "telephony_record_settings",
    "telephony_vcr",
    "telephony_vcr_config",
]

MARKER = "telephony_cassette"
ENTRY_POINT = "telephony"
RECORD_CHOICES = ("none", "new", "all")


class _ReplaySettings(Mapping[str, Mapping[str, str]]):
    """Each installed provider's replay settings, from its description: the settings
    cassettes are stored with, so a replaying client made with them sends exactly the requests
    that were recorded (account ids and hosts as placeholders). Credentials are never compared
    (the Authorization header is not stored), so any value works for them."""

    def __getitem__(self, provider: str) -> Mapping[str, str]:
        if provider not in providers():
            raise KeyError(provider)
        return describe(provider).replay_settings()

    def __iter__(self) -> Iterator[str]:
        return iter(providers())

    def __len__(self) -> int:
        return len(providers())


REPLAY_SETTINGS: Mapping[str, Mapping[str, str]] = _ReplaySettings()


def autoloaded() -> bool:
    """Whether pytest loads this plugin through its ``pytest11`` entry point. A conftest that
    must work before the package is installed imports the plugin only when this is False
    (registering it twice under two names is an error)."""
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(
        ep.name == ENTRY_POINT and ep.value.split(":")[0] == __name__
        for ep in entry_points(group="pytest11")
    )


# -- hooks -----------------------------------------------------------------------------------

_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        # A recording whose test failed is not written (see telephony_cassette).
        item.stash[_FAILED] = True
    return report


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("telephony", "telephony cassettes")
    group.addoption(
        "--telephony-record",
        action="store",
        default=None,
        choices=RECORD_CHOICES,
        metavar="MODE",
        help="telephony cassettes: none (replay only, network blocked; the default), "
        "new (record requests missing from cassettes), all (record every cassette in use "
        "again). Recording reads <PROVIDER>_<SETTING> environment variables "
        "(BANDWIDTH_ACCOUNT_ID...).",
    )
    parser.addini(
        "telephony_record",
        "default of --telephony-record (none, new, all)",
        default="none",
    )
    parser.addini(
        "telephony_cassette_dir",
        "folder of telephony cassettes, relative to the rootdir "
        "(default: cassettes/ beside each test file)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name=None, *, allowed_hosts=()): use the named telephony cassette "
        "(a path under telephony_cassette_dir); replay blocks the network except for "
        "allowed_hosts.",
    )


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def telephony_record_mode(pytestconfig: pytest.Config) -> str:
    """``"none"`` (replay), ``"new"`` or ``"all"``: ``--telephony-record``, else the
    ``telephony_record`` ini option."""
    chosen = pytestconfig.getoption("telephony_record", default=None)
    if chosen is None:
        chosen = str(pytestconfig.getini("telephony_record") or "none").strip()
    if chosen not in RECORD_CHOICES:
        raise pytest.UsageError(f"telephony_record must be one of {RECORD_CHOICES}: {chosen!r}")
    return str(chosen)


@pytest.fixture
def telephony_cassette_dir(request: pytest.FixtureRequest) -> Path:
    """Where cassettes are read and written. Override it in a conftest to move them."""
    configured = str(request.config.getini("telephony_cassette_dir") or "").strip()
    if configured:
        return Path(request.config.rootpath, configured)
    return Path(request.path).parent / "cassettes"


@pytest.fixture
def telephony_vcr_config() -> dict[str, Any]:
    """Extra ``make_vcr`` keyword arguments (``rebase``, ``replace``, vcrpy options).
    Override it in a conftest."""
    return {}


@pytest.fixture
def telephony_vcr(
    telephony_record_mode: str,
    telephony_cassette_dir: Path,
    telephony_vcr_config: dict[str, Any],
) -> TelephonyVCR:
    """The configured ``vcr.VCR`` (one per test, so what it learns stays in the test)."""
    try:
        from telephony.testing._vcr import make_vcr  # vcrpy only when used
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(
            f"telephony cassettes need vcrpy ({exc}): pip install 'telephony[testing]'",
            pytrace=False,
        )

    options = {"cassette_library_dir": telephony_cassette_dir, **telephony_vcr_config}
    return make_vcr(record=telephony_record_mode, **options)


def _cassette_name(request: pytest.FixtureRequest) -> tuple[str, tuple[str, ...]]:
    marker = request.node.get_closest_marker(MARKER)
    name: str | None = None
    allowed: tuple[str, ...] = ()
    if marker is not None:
        given = marker.kwargs.get("name") or (marker.args[0] if marker.args else None)
        name = str(given) if given else None
        allowed = tuple(marker.kwargs.get("allowed_hosts", ()))
    if name is None:
        test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
        name = f"{Path(request.path).stem}/{test}.yaml"
    return name, allowed


@pytest.fixture
def telephony_cassette(
    request: pytest.FixtureRequest,
    telephony_vcr: TelephonyVCR,
    telephony_record_mode: str,
) -> Iterator[Any]:
    """The vcrpy cassette in use for this test (named by the ``telephony_cassette``
    marker). On replay the network is blocked while it is in use."""
    name, allowed = _cassette_name(request)
    path = Path(telephony_vcr.cassette_library_dir or ".") / name
    replaying = telephony_record_mode == "none"
    if replaying and not path.is_file():
        pytest.fail(
            f"telephony cassette {os.path.relpath(path)} does not exist: record it with "
            "`pytest --telephony-record=new` (see cassettes/README.md)",
            pytrace=False,
        )
    stack = contextlib.ExitStack()
    with stack:
        cassette = stack.enter_context(telephony_vcr.use_cassette(name))
        if replaying:
            stack.enter_context(network_blocked(allowed_hosts=allowed, reason=f"cassette {name}"))
        yield cassette
        if request.node.stash.get(_FAILED, False):
            # Leave as if by an exception: vcrpy (record_on_exception=False) then keeps
            # the cassette as it was instead of saving a half-made recording.
            stack.__exit__(_TestFailedError, _TestFailedError(), None)


class _TestFailedError(Exception):
    """Stands for a failed test's exception when the cassette is left."""


@pytest.fixture
def telephony_record_settings() -> Callable[[str], dict[str, Any]]:
    """``settings(provider)``: the real connection settings used when recording. The
    default reads ``<PROVIDER>_<SETTING>`` environment variables
    (``RESTCOMM_BASE_URL``, ``RESTCOMM_ACCOUNT_SID``...). Override it
    to record against something you start in a fixture (a sandbox)."""
    return environment_settings


@pytest.fixture
def telephony_client(
    telephony_record_settings: Callable[[str], Mapping[str, Any]],
    telephony_cassette: Any,
    telephony_vcr: TelephonyVCR,
    telephony_record_mode: str,
) -> Iterator[Callable[..., Client]]:
    """``telephony_client(provider, *, credentials=None, oauth2=False, **settings)``: a
    ``Client`` that replays (or records) the test's cassette. ``credentials`` names one of the
    provider's credential sets (its ``ProviderInfo.credentials``; default the first);
    ``oauth2=True`` is ``credentials="oauth2"``. Closed after the test.
    (``telephony_record_settings`` is set up before the cassette is in use, so whatever it
    starts is not recorded.)"""
    made: list[Client] = []

    def make(
        provider: str, /, *, credentials: str | None = None, oauth2: bool = False, **settings: Any
    ) -> Client:
        merged = client_settings(
            provider,
            given=settings,
            credentials="oauth2" if oauth2 else credentials,
            mode=telephony_record_mode,
            record_settings=telephony_record_settings,
            scrubber=telephony_vcr.scrubber,
        )
        client: Client = connect(provider, settings=merged, use_async=False)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def telephony_async_client(
    telephony_record_settings: Callable[[str], Mapping[str, Any]],
    telephony_cassette: Any,
    telephony_vcr: TelephonyVCR,
    telephony_record_mode: str,
) -> Callable[..., AsyncClient]:
    """``telephony_async_client(provider, **settings)``: an ``AsyncClient`` that replays
    (or records) the test's cassette; use it as ``async with``."""

    def make(
        provider: str, /, *, credentials: str | None = None, oauth2: bool = False, **settings: Any
    ) -> AsyncClient:
        merged = client_settings(
            provider,
            given=settings,
            credentials="oauth2" if oauth2 else credentials,
            mode=telephony_record_mode,
            record_settings=telephony_record_settings,
            scrubber=telephony_vcr.scrubber,
        )
        client: AsyncClient = connect(provider, settings=merged, use_async=True)
        return client

    return make
