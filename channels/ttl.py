"""A small in-memory map whose entries expire and whose size is bounded.

Per process: with several Rasa replicas behind a load balancer, each keeps its own
(WeChat's retries of one push may then reach another replica; use sticky routing).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class TTLDict(Generic[V]):
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._data: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def _expire(self) -> None:
        now = time.monotonic()
        while self._data and (len(self._data) > self.max_entries or next(iter(self._data.values()))[0] <= now):
            self._data.popitem(last=False)

    def __setitem__(self, key: str, value: V) -> None:
        self._data.pop(key, None)
        self._data[key] = (time.monotonic() + self.ttl, value)
        self._expire()

    def get(self, key: str) -> V | None:
        self._expire()
        entry = self._data.get(key)
        return entry[1] if entry else None

    def pop(self, key: str) -> V | None:
        self._expire()
        entry = self._data.pop(key, None)
        return entry[1] if entry else None

    def add(self, key: str) -> bool:
        """Remember `key`; False if it was already there (a duplicate)."""
        self._expire()
        if key in self._data:
            return False
        self[key] = None  # type: ignore[assignment]
        return True
