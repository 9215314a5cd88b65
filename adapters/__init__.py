"""Provider adapters for telephony. Users normally reach them through ``telephony.connect``."""
