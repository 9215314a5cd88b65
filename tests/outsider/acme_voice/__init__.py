"""Acme Voice: a provider adapter written the way a third party would write one, outside
``adapters/``, importing nothing from telephony but ``telephony.toolkit``. It is registered
through a ``telephony.adapters`` entry point by the tests (a ``.dist-info`` folder on
``sys.path``, as ``pip install`` of its own distribution would make)."""

from tests.outsider.acme_voice._adapter import AcmeAdapter
from tests.outsider.acme_voice._provider import ACME

__all__ = ["ACME", "AcmeAdapter"]
