"""Testing kit: an in-memory fake provider, the shared adapter contract suite
(``telephony.testing.contract``), and a pytest plugin with a vcrpy set-up for cassettes."""

from telephony.testing.fake import FakeAdapter, FakeProvider

__all__ = ["FakeAdapter", "FakeProvider"]
