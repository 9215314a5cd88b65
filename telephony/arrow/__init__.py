"""Calls as typed Arrow tables and Parquet datasets (the optional ``telephony[arrow]`` extra).

``to_table(calls)`` hands an Arrow table to pandas / polars / DuckDB with real types (UTC
timestamps, exact decimal prices, durations); ``write_parquet(calls, root)`` writes a dataset
partitioned by provider and day; ``read_parquet(root)`` and ``calls_from_table`` read it back.
"""

from __future__ import annotations

try:
    import pyarrow  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("telephony.arrow needs pyarrow: pip install 'telephony[arrow]'") from exc

from telephony.arrow._parquet import (
    PARTITIONING,
    SCHEMA,
    calls_from_table,
    read_parquet,
    record_batches,
    to_table,
    write_parquet,
)

__all__ = [
    "PARTITIONING",
    "SCHEMA",
    "calls_from_table",
    "read_parquet",
    "record_batches",
    "to_table",
    "write_parquet",
]
