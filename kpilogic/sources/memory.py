"""Caches bounded by bytes, not by count: a least-recently-used map that knows its size.

The app keeps the tables it read (one per file, sheet and layout correction) so a rerun does
not read a file again. Bounded by count, 32 tables of 50 MB files took 4 GB; here every
value is weighed when it is stored (``size_of``) and the least recently used values go
until the total is under the budget (``KOERS_CACHE_MB``, default 1,024 MB). A value bigger
than the whole budget is handed back but not kept. Safe to use from many threads (every
Streamlit session runs in its own); two threads asking for the same missing key make it once.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

CACHE_MB_ENV = "KOERS_CACHE_MB"
DEFAULT_CACHE_MB = 1024

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_SAMPLE = 200  # long sequences and mappings are weighed by a sample of their items


def cache_budget() -> int:
    """The cache budget in bytes: ``KOERS_CACHE_MB`` when a positive number, else 1,024 MB."""
    text = os.environ.get(CACHE_MB_ENV, "").strip()
    try:
        megabytes = float(text) if text else DEFAULT_CACHE_MB
    except ValueError:
        megabytes = DEFAULT_CACHE_MB
    if not megabytes > 0 or megabytes == float("inf"):
        megabytes = DEFAULT_CACHE_MB
    return int(megabytes * (1 << 20))


def size_of(value: Any, _depth: int = 0) -> int:
    """An estimate of the bytes ``value`` holds, counting what it refers to.

    DataFrames and Series by their deep memory use, arrays by their buffer, dataclasses,
    sequences and mappings by their parts (long ones by a sample of their items, scaled up);
    anything else by ``sys.getsizeof``.
    """
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=True).sum())
    if isinstance(value, pd.Series | pd.Index):
        return int(value.memory_usage(deep=True))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, bytes | bytearray | str | int | float | bool) or value is None:
        return sys.getsizeof(value)
    if _depth > 6:
        return sys.getsizeof(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        own = sys.getsizeof(value)
        return own + sum(
            size_of(getattr(value, f.name, None), _depth + 1) for f in dataclasses.fields(value)
        )
    if isinstance(value, dict):
        items = list(value.items())
        return sys.getsizeof(value) + _sampled(
            [size_of(k, _depth + 1) + size_of(v, _depth + 1) for k, v in items[:_SAMPLE]],
            len(items),
        )
    if isinstance(value, list | tuple | set | frozenset):
        members: list[Any] | tuple[Any, ...] = (
            value if isinstance(value, list | tuple) else list(value)
        )
        head = [size_of(v, _depth + 1) for v in members[:_SAMPLE]]
        return sys.getsizeof(value) + _sampled(head, len(members))
    return sys.getsizeof(value)


def _sampled(sizes: list[int], total: int) -> int:
    if not sizes:
        return 0
    return sum(sizes) * total // len(sizes)


class ByteLRU(Generic[K, V]):
    """A thread-safe least-recently-used map whose values together stay within ``limit``
    bytes (as weighed by ``sizer``)."""

    def __init__(self, limit: int, sizer: Callable[[Any], int] = size_of) -> None:
        self.limit = limit
        self._sizer = sizer
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._making: dict[K, threading.Lock] = {}
        self.evictions = 0

    @property
    def nbytes(self) -> int:
        """The bytes held now (never more than ``limit``)."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __iter__(self) -> Iterator[K]:
        return iter(self.keys())

    def keys(self) -> list[K]:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._items)

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value of ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return default
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> bool:
        """Keep ``value`` under ``key``, evicting the least recently used values as needed.

        Returns False (and keeps nothing, dropping an older value of ``key``) when the
        value alone is bigger than the limit.
        """
        size = max(int(self._sizer(value)), 1)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.limit:
                return False
            while self._items and self._bytes + size > self.limit:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
                self.evictions += 1
            self._items[key] = (value, size)
            self._bytes += size
            return True

    def pop(self, key: K) -> V | None:
        """Forget ``key``; its value, or None."""
        with self._lock:
            found = self._items.pop(key, None)
            if found is None:
                return None
            self._bytes -= found[1]
            return found[0]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value of ``key``; made by ``make()`` and kept when missing.

        Concurrent callers with the same missing key wait for the first to make it, so a
        big table is not read twice at once. An exception from ``make`` is raised to the
        caller and nothing is kept.
        """
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]
            gate = self._making.setdefault(key, threading.Lock())
        with gate:
            try:
                with self._lock:
                    found = self._items.get(key)
                    if found is not None:
                        self._items.move_to_end(key)
                        return found[0]
                value = make()
                self.put(key, value)
                return value
            finally:
                with self._lock:
                    if self._making.get(key) is gate:
                        del self._making[key]


__all__ = ["CACHE_MB_ENV", "DEFAULT_CACHE_MB", "ByteLRU", "cache_budget", "size_of"]
