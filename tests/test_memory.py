"""kpilogic.sources.memory: a least-recently-used cache bounded by bytes."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from kpilogic.sources.memory import ByteLRU, cache_budget, size_of


def _by_len(value: bytes) -> int:
    return len(value)


def test_evicts_the_least_recently_used_by_size() -> None:
    lru: ByteLRU[str, bytes] = ByteLRU(100, sizer=_by_len)
    assert lru.put("a", b"x" * 40)
    assert lru.put("b", b"x" * 40)  # 80 bytes held
    assert lru.get("a") == b"x" * 40  # "a" is now the most recently used
    assert lru.put("c", b"x" * 30)  # 80 + 30 = 110 > 100: "b" (least recent) goes
    assert lru.keys() == ["a", "c"]
    assert lru.nbytes == 70  # 40 + 30
    assert lru.evictions == 1
    assert lru.put("d", b"x" * 90)  # 70 + 90 > 100; dropping "a" leaves 30 + 90 > 100 too
    assert lru.keys() == ["d"]
    assert lru.nbytes == 90
    assert lru.evictions == 3


def test_never_exceeds_the_limit() -> None:
    lru: ByteLRU[int, bytes] = ByteLRU(1_000, sizer=_by_len)
    rng = np.random.default_rng(7)
    for i in range(500):
        lru.put(i % 37, b"x" * int(rng.integers(1, 400)))
        assert lru.nbytes <= 1_000
        # what it says it holds is what it holds
        assert lru.nbytes == sum(len(lru.get(k) or b"") for k in lru)


def test_a_single_item_bigger_than_the_limit_is_not_kept() -> None:
    lru: ByteLRU[str, bytes] = ByteLRU(100, sizer=_by_len)
    lru.put("small", b"x" * 10)
    assert lru.put("huge", b"x" * 101) is False
    assert "huge" not in lru
    assert lru.keys() == ["small"]  # nothing else was evicted for it
    made = lru.get_or_make("huge", lambda: b"y" * 150)
    assert made == b"y" * 150  # handed back all the same
    assert "huge" not in lru and lru.nbytes == 10


def test_replacing_a_key_counts_only_the_new_value() -> None:
    lru: ByteLRU[str, bytes] = ByteLRU(100, sizer=_by_len)
    lru.put("a", b"x" * 60)
    lru.put("a", b"x" * 20)
    assert lru.nbytes == 20 and len(lru) == 1
    assert lru.pop("a") == b"x" * 20 and lru.nbytes == 0


def test_get_or_make_makes_once_for_concurrent_callers() -> None:
    lru: ByteLRU[str, bytes] = ByteLRU(1_000, sizer=_by_len)
    calls: list[int] = []

    def make() -> bytes:
        calls.append(1)
        time.sleep(0.2)
        return b"table"

    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(lru.get_or_make("k", make)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"table"] * 4
    assert len(calls) == 1


def test_an_error_while_making_keeps_nothing() -> None:
    lru: ByteLRU[str, bytes] = ByteLRU(1_000, sizer=_by_len)

    def fail() -> bytes:
        raise ValueError("cannot read")

    with pytest.raises(ValueError):
        lru.get_or_make("k", fail)
    assert "k" not in lru and lru.nbytes == 0
    assert lru.get_or_make("k", lambda: b"ok") == b"ok"


def test_size_of_weighs_frames_by_their_contents() -> None:
    numbers = pd.DataFrame({"x": np.arange(100_000, dtype="float64")})
    # 100,000 float64 values = 800,000 bytes, plus a small RangeIndex
    assert 800_000 <= size_of(numbers) < 801_000
    texts = pd.DataFrame({"t": ["a" * 100] * 10_000}, dtype=object)
    # 10,000 distinct-looking references to one 100-character string: at least the
    # 8-byte pointers; pandas counts the string per cell (deep), so ~ 10,000 × 149
    assert size_of(texts) >= 10_000 * 100
    rows = tuple(range(1_000, 101_000))  # 100,000 ints of 28 bytes + 8-byte slots
    assert 3_000_000 < size_of(rows) < 4_500_000


def test_the_budget_comes_from_koers_cache_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOERS_CACHE_MB", raising=False)
    assert cache_budget() == 1024 * 1024 * 1024
    monkeypatch.setenv("KOERS_CACHE_MB", "64")
    assert cache_budget() == 64 * 1024 * 1024
    for bad in ("-1", "0", "lots", "inf", "nan"):
        monkeypatch.setenv("KOERS_CACHE_MB", bad)
        assert cache_budget() == 1024 * 1024 * 1024
